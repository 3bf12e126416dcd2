"""Every S3 call has a deadline, and a whole S3 publish has one budget: an endpoint that answers a
byte at a time (which no per-read timeout catches) is given up on, with one line, and sends
nothing more once the budget is spent."""

import io
import threading
import time

import pytest

from healthgrid.console import Console
from healthgrid.errors import RunError
from healthgrid.net import Budget
from healthgrid.publish import PublishOptions, s3

from fakes.http import FakeServer, Response


class _TricklingS3(FakeServer):
    """No object is there (HEAD 404); an upload's answer comes a byte every 50 ms (100 s in all)."""

    def __init__(self):
        super().__init__()
        self.httpd.RequestHandlerClass.do_HEAD = self.httpd.RequestHandlerClass.do_GET

    def handle(self, request):
        if request.method == "PUT":
            return Response(200, b" " * 2000, {"ETag": '"x"'}, content_type="application/xml", trickle=0.05)
        return Response(404, b"", content_type="application/xml")


@pytest.fixture
def trickling(monkeypatch):
    server = _TricklingS3().start()
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                       "AWS_ENDPOINT_URL": server.url}.items():
        monkeypatch.setenv(key, value)
    yield server
    server.stop()


def test_a_trickling_endpoint_is_given_up_on_within_the_publish_budget(trickling, monkeypatch):
    monkeypatch.setattr(s3, "BUDGET", 1.0)
    options = PublishOptions("s3", bucket="grids", prefix="p/")
    done = {}

    def publish():
        try:
            s3.publish_files({"g.png": b"png", "g.json": b"{}"}, options, Console(io.StringIO(), io.StringIO()))
        except RunError as exc:
            done["error"] = str(exc)

    run = threading.Thread(target=publish, daemon=True)
    started = time.monotonic()
    run.start()
    run.join(30)  # the answer alone would take 100 s
    assert not run.is_alive(), "the publish was still waiting on the endpoint"
    assert time.monotonic() - started < 10
    assert done["error"] == ("publish s3: s3://grids/p/: gave up after 1s (the publish budget); "
                             "files not uploaded by then keep their old versions")
    assert len([r for r in trickling.requests if r.method == "PUT"]) <= 1, "nothing more was sent after the first upload hung"


def test_once_the_budget_is_spent_no_request_is_sent(trickling):
    client = s3._client(Budget(0.0))
    with pytest.raises(s3._OutOfTime):
        client.head_object(Bucket="grids", Key="p/g.png")
    assert trickling.requests == []


def test_each_call_has_connect_and_read_deadlines_and_bounded_tries(trickling):
    config = s3._client(Budget(10.0)).meta.config
    assert (config.connect_timeout, config.read_timeout) == (s3.CONNECT_TIMEOUT, s3.READ_TIMEOUT) == (10.0, 30.0)
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert s3.BUDGET == 180.0
