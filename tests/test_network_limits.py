"""Every network call has a wall-clock deadline and a size cap, sends no key to an origin a redirect
or a next-page link names, and a paged listing stops at a bound: a misbehaving server (trickling,
huge, compressed, endless) fails that call within its budget in one line.

Every wait here is bounded by a small injected deadline; retries use an injected sleep."""

import time
from datetime import datetime, timezone

import pytest

from healthgrid import net
from healthgrid.config import GridSpec, RowSpec
from healthgrid.datadog.client import DatadogAuth
from healthgrid.errors import RunError
from healthgrid.sources.datadog import DatadogSource

from fakes.datadog import API_KEY, APP_KEY
from fakes.github import TOKEN
from fakes.http import FakeServer, Response
from fakes.imgur import CLIENT_ID

NOW = "2026-11-28T12:00:00Z"
NOW_DT = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
QUERY_PATH = "/api/v2/query/timeseries"
COMMENTS = "/repos/o/r/issues/1/comments"
# What a loaded two-core machine may add to a deadline before the call gives up. Every misbehaving
# server here would hold the call far longer (tens of seconds) were the deadline ignored.
SLACK = 4.0


class Recorder(FakeServer):
    """Another origin: records what reaches it (it must never see a key)."""

    def handle(self, request):
        return Response(200, {"data": {"attributes": {"series": [], "times": [], "values": []}}})


@pytest.fixture
def elsewhere():
    server = Recorder().start()
    yield server
    server.stop()


def one_line_error(err: str) -> str:
    """The `healthgrid: error:` lines (each is one whole message), joined for `in` checks."""
    lines = [line for line in err.strip().splitlines() if line.startswith("healthgrid: error:")]
    assert lines, err
    return "\n".join(lines)


def fetch(budget=5.0):
    spec = GridSpec(name="g", title="g", rows=(RowSpec("A", "avg:a{*}"),), days=7)
    return DatadogSource(DatadogAuth.from_env(), budget=budget).fetch(spec, NOW_DT)


def no_secret(*texts):
    for text in texts:
        for secret in (API_KEY, APP_KEY, TOKEN, CLIENT_ID):
            assert secret not in text


def comment(cli):
    return cli("comment", "--repo", "o/r", "--pr", "1", "https://example.com/x.png")


# --- keys never follow a redirect to another origin -------------------------------------------------

@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_datadog_keys_do_not_follow_a_redirect_to_another_origin(dd, elsewhere, cli, in_tmp, status):
    dd.fail_next(QUERY_PATH, Response(status, b"", {"Location": f"{elsewhere.url}{QUERY_PATH}"}), times=5)
    result = cli("render", "--now", NOW, "--timeout", "5")
    assert result.code == 1
    assert elsewhere.requests == [], "the other origin was reached"
    assert f"redirecting to {elsewhere.url}; redirects are not followed" in result.err
    assert len(dd.calls("POST", QUERY_PATH)) == 1, "a redirect is not retried"
    no_secret(result.err, result.out)


def test_imgur_client_id_does_not_follow_a_redirect(imgur, elsewhere, cli, in_tmp):
    imgur.fail_next("/3/image", Response(307, b"", {"Location": f"http://user:pw@127.0.0.1:{elsewhere.httpd.server_address[1]}/3/image"}))
    (in_tmp / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = cli("publish", "imgur", "a.png")
    assert result.code == 1 and elsewhere.requests == []
    assert f"redirecting to {elsewhere.url}; redirects are not followed" in one_line_error(result.err)
    assert "user:pw" not in result.err


def test_github_token_does_not_follow_a_redirect(github, elsewhere, cli, in_tmp, monkeypatch):
    github.fail_next(COMMENTS, Response(302, b"", {"Location": f"{elsewhere.url}{COMMENTS}"}))
    result = comment(cli)
    assert result.code == 1 and elsewhere.requests == []
    assert "redirects are not followed" in one_line_error(result.err)
    no_secret(result.err)


def test_a_github_next_page_on_another_origin_is_not_followed(github, elsewhere, cli, in_tmp):
    github.fail_next(COMMENTS, Response(200, [], {"Link": f'<{elsewhere.url}{COMMENTS}?page=2>; rel="next"'}))
    result = comment(cli)
    assert result.code == 1 and elsewhere.requests == []
    assert f"next page is at {elsewhere.url}" in one_line_error(result.err)


# --- a wall-clock deadline per call and a size cap ------------------------------------------------

def test_a_trickling_datadog_fails_within_the_deadline(dd, cli, in_tmp):
    dd.fail_next(QUERY_PATH, Response(200, b'{"data": {"attributes": {}}}' * 50, trickle=0.05))
    started = time.monotonic()
    result = cli("render", "--now", NOW, "--timeout", "1")
    elapsed = time.monotonic() - started
    assert result.code == 1 and elapsed < 1 + SLACK, elapsed  # the whole answer takes 70 s
    assert "did not finish within" in one_line_error(result.err) and "left of the 1s budget" in result.err


def test_a_datadog_that_trickles_its_headers_fails_within_the_deadline(dd):
    import datadog_api_client.v2.api.metrics_api  # noqa: F401 - imported before the clock starts

    dd.fail_next(QUERY_PATH, Response(200, b"{}", stall=30))
    started = time.monotonic()
    with pytest.raises(RunError, match="did not finish within"):
        fetch(budget=0.5)
    assert time.monotonic() - started < 0.5 + SLACK


def test_a_huge_datadog_answer_fails_fast_without_being_buffered(dd, cli, in_tmp):
    dd.fail_next(QUERY_PATH, Response(200, b" " * (1024 * 1024), repeat=100))  # 100 MiB
    started = time.monotonic()
    result = cli("render", "--now", NOW, "--timeout", "20")
    assert result.code == 1 and time.monotonic() - started < 5
    assert "larger than 16 MiB (the size cap)" in one_line_error(result.err)


def test_a_gzip_bomb_from_datadog_stops_at_the_size_cap(dd):
    import gzip

    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=1)  # 64 MiB in ~100 KB
    dd.fail_next(QUERY_PATH, Response(200, bomb, {"Content-Encoding": "gzip"}))
    with pytest.raises(RunError, match="larger than 16 MiB"):
        fetch()


def test_the_size_cap_and_deadline_of_a_plain_request():
    server = FakeServer().start()
    try:
        import requests

        server.handle = lambda request: Response(200, b"x" * 1000, repeat=10)
        with pytest.raises(net.Refused, match="larger than"):
            net.request(requests.Session(), "GET", server.url, deadline=2, cap=5000)
        server.handle = lambda request: Response(200, b"x" * 1000, trickle=0.05)  # 50 s of answer
        started = time.monotonic()
        with pytest.raises(net.Refused, match="within 0.5s"):
            net.request(requests.Session(), "GET", server.url, deadline=0.5)
        assert time.monotonic() - started < 0.5 + SLACK
    finally:
        server.stop()


def test_a_trickling_imgur_fails_within_its_budget(imgur, cli, in_tmp, monkeypatch):
    monkeypatch.setattr("healthgrid.publish.imgur.BUDGET", 0.5)
    answer = b'{"data": {"link": "https://i.imgur.com/x.png"}}' + b" " * 1000  # 52 s of answer
    imgur.fail_next("/3/image", Response(200, answer, trickle=0.05))
    (in_tmp / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    started = time.monotonic()
    result = cli("publish", "imgur", "a.png")
    assert result.code == 1 and time.monotonic() - started < 0.5 + SLACK
    assert "did not finish within" in one_line_error(result.err)


def test_a_trickling_github_fails_within_its_deadline(github, cli, in_tmp, monkeypatch):
    monkeypatch.setattr("healthgrid.publish.comment.DEADLINE", 0.5)
    github.fail_next(COMMENTS, Response(200, b"[]" * 500, trickle=0.05))  # 50 s of answer
    started = time.monotonic()
    result = comment(cli)
    assert result.code == 1 and time.monotonic() - started < 0.5 + SLACK
    assert "did not finish within" in one_line_error(result.err)


@pytest.mark.parametrize("endpoint", ["/api/v2/series", "/api/v1/dashboard/abc-def-ghi"])
def test_a_trickling_report_endpoint_is_a_warning_within_its_budget(dd, monkeypatch, endpoint):
    from datadog_api_client.v1.api import dashboards_api
    from datadog_api_client.v2.api import metrics_api

    from healthgrid.datadog import report

    assert dashboards_api and metrics_api, "imported before the clock starts"
    monkeypatch.setattr(report, "REPORT_BUDGET", 0.5)
    dd.fail_next(endpoint, Response(200, b'{"errors": []}' * 100, trickle=0.05))  # 70 s of answer
    warnings = []
    started = time.monotonic()
    if endpoint == "/api/v2/series":
        assert report.submit_metrics(DatadogAuth.from_env(), [], warnings.append) is False
    else:
        assert report.update_dashboard(DatadogAuth.from_env(), "abc-def-ghi", {"https://a.example/x.png": "https://a.example/x.png?v=1"}, warnings.append) == 0
    assert time.monotonic() - started < 0.5 + SLACK
    (warning,) = warnings
    assert "did not finish within" in warning


# --- paged listings stop at a bound ----------------------------------------------------------------

def test_endless_github_pages_stop_at_a_bound(github, cli, in_tmp, monkeypatch):
    monkeypatch.setattr("healthgrid.publish.comment.MAX_REQUESTS", 5)
    usual = github.handle
    endless = Response(200, [], {"Link": f'<{github.url}{COMMENTS}?page=2>; rel="next"'})
    github.handle = lambda request: endless if request.path.endswith("/comments") else usual(request)
    result = comment(cli)
    assert result.code == 1 and len(github.requests) == 5
    assert "gave up after 5 requests to GitHub" in one_line_error(result.err)


def test_comment_pages_answered_just_inside_each_deadline_stop_at_the_whole_budget(github, cli, in_tmp, monkeypatch, clock):
    """Each page takes 20 s of the injected clock (within the 30 s per request), so the 60 s budget is
    spent after the third page: the fourth is never asked, however loaded the machine is."""
    monkeypatch.setattr("healthgrid.publish.comment.DEADLINE", 30.0)
    monkeypatch.setattr("healthgrid.publish.comment.BUDGET", 60.0)
    usual = github.handle
    page = Response(200, [], {"Link": f'<{github.url}{COMMENTS}?page=2>; rel="next"'})

    def handle(request):
        if not request.path.endswith("/comments"):
            return usual(request)
        clock.sleep(20.0)  # the answer comes 20 s later, as the budget's clock reads it
        return page

    github.handle = handle
    result = comment(cli)
    assert result.code == 1 and "gave up after 60s of requests to GitHub" in one_line_error(result.err)
    assert [r.path for r in github.requests].count(COMMENTS) == 3
