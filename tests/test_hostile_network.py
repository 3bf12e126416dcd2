"""Misbehaving servers: redirects, trickles, huge and malformed answers, rate limits (issue 12).

Every wait here is bounded by a small injected deadline; retries use an injected sleep."""

import json
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
THREE_GRIDS = """\
grids:
  - {name: first, rows: [{label: A, query: 'avg:a{*}'}]}
  - {name: second, rows: [{label: B, query: 'avg:b{*}'}]}
  - {name: third, rows: [{label: C, query: 'avg:c{*}'}]}
"""


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


def grid_spec(name="g"):
    return GridSpec(name=name, title=name, rows=(RowSpec("A", "avg:a{*}"),), days=7)


def fetch(budget=5.0):
    return DatadogSource(DatadogAuth.from_env(), budget=budget).fetch(grid_spec(), NOW_DT)


def no_secret(*texts):
    for text in texts:
        for secret in (API_KEY, APP_KEY, TOKEN, CLIENT_ID):
            assert secret not in text


# --- 2c: keys never follow a redirect to another origin ---------------------------------------


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
    github.fail_next("/repos/o/r/issues/1/comments", Response(302, b"", {"Location": f"{elsewhere.url}/repos/o/r/issues/1/comments"}))
    result = cli("comment", "--repo", "o/r", "--pr", "1", "https://example.com/x.png")
    assert result.code == 1 and elsewhere.requests == []
    assert "redirects are not followed" in one_line_error(result.err)
    no_secret(result.err)


# --- 8: a wall-clock deadline per call and a size cap ----------------------------------------


def test_a_trickling_datadog_fails_within_the_deadline(dd, cli, in_tmp):
    dd.fail_next(QUERY_PATH, Response(200, b'{"data": {"attributes": {}}}' * 50, trickle=0.05))
    started = time.monotonic()
    result = cli("render", "--now", NOW, "--timeout", "1")
    elapsed = time.monotonic() - started
    assert result.code == 1 and elapsed < 2.5, elapsed
    assert "did not finish within" in one_line_error(result.err) and "left of the 1s budget" in result.err


def test_a_datadog_that_trickles_its_headers_fails_within_the_deadline(dd):
    import datadog_api_client.v2.api.metrics_api  # noqa: F401 - imported before the clock starts

    dd.fail_next(QUERY_PATH, Response(200, b"{}", stall=3))
    started = time.monotonic()
    with pytest.raises(RunError, match="did not finish within"):
        fetch(budget=0.5)
    assert time.monotonic() - started < 1.5


def test_a_huge_datadog_answer_fails_fast_without_being_buffered(dd, cli, in_tmp):
    dd.fail_next(QUERY_PATH, Response(200, b" " * (1024 * 1024), repeat=100))  # 100 MiB
    started = time.monotonic()
    result = cli("render", "--now", NOW, "--timeout", "20")
    assert result.code == 1 and time.monotonic() - started < 5
    assert "larger than 16 MiB (the size cap)" in one_line_error(result.err)


def test_the_size_cap_and_deadline_of_a_plain_request():
    server = FakeServer().start()
    try:
        import requests

        server.handle = lambda request: Response(200, b"x" * 1000, repeat=10)
        with pytest.raises(net.Refused, match="larger than"):
            net.request(requests.Session(), "GET", server.url, deadline=2, cap=5000)
        server.handle = lambda request: Response(200, b"x" * 100, trickle=0.05)
        started = time.monotonic()
        with pytest.raises(net.Refused, match="within 0.5s"):
            net.request(requests.Session(), "GET", server.url, deadline=0.5)
        assert time.monotonic() - started < 1.0
    finally:
        server.stop()


def test_a_trickling_imgur_fails_within_its_budget(imgur, cli, in_tmp, monkeypatch):
    monkeypatch.setattr("healthgrid.publish.imgur.BUDGET", 0.5)
    imgur.fail_next("/3/image", Response(200, b'{"data": {"link": "https://i.imgur.com/x.png"}}', trickle=0.05))
    (in_tmp / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    started = time.monotonic()
    result = cli("publish", "imgur", "a.png")
    assert result.code == 1 and time.monotonic() - started < 1.5
    assert "did not finish within" in one_line_error(result.err)


def test_a_trickling_github_fails_within_its_deadline(github, cli, in_tmp, monkeypatch):
    monkeypatch.setattr("healthgrid.publish.comment.DEADLINE", 0.5)
    github.fail_next("/repos/o/r/issues/1/comments", Response(200, b"[]" * 100, trickle=0.05))
    started = time.monotonic()
    result = cli("comment", "--repo", "o/r", "--pr", "1", "https://example.com/x.png")
    assert result.code == 1 and time.monotonic() - started < 1.5
    assert "did not finish within" in one_line_error(result.err)


@pytest.mark.parametrize("endpoint", ["/api/v2/series", "/api/v1/dashboard/abc-def-ghi"])
def test_a_trickling_report_endpoint_is_a_warning_within_its_budget(dd, monkeypatch, endpoint):
    import datadog_api_client.v1.api.dashboards_api  # noqa: F401 - imported before the clock starts
    import datadog_api_client.v2.api.metrics_api  # noqa: F401

    from healthgrid.datadog import report

    monkeypatch.setattr(report, "REPORT_BUDGET", 0.5)
    dd.fail_next(endpoint, Response(200, b'{"errors": []}' * 100, trickle=0.05))  # 70 s of answer
    warnings = []
    started = time.monotonic()
    if endpoint == "/api/v2/series":
        assert report.submit_metrics(DatadogAuth.from_env(), [], warnings.append) is False
    else:
        assert report.update_dashboard(DatadogAuth.from_env(), "abc-def-ghi", {"https://a.example/x.png": "https://a.example/x.png?v=1"}, warnings.append) == 0
    assert time.monotonic() - started < 1.5
    (warning,) = warnings
    assert "did not finish within" in warning


@pytest.mark.parametrize("body", [b"<html>proxy error</html>", b'{"errors": []}{', b'"x"'])
def test_a_malformed_metrics_intake_answer_is_a_warning(dd, body):
    from healthgrid.datadog.report import submit_metrics

    dd.fail_next("/api/v2/series", Response(202, body, content_type="text/html"))
    warnings = []
    assert submit_metrics(DatadogAuth.from_env(need_app_key=False), [], warnings.append) is False
    (warning,) = warnings
    assert warning.startswith("reporting metrics: the answer from ") and "not what its API documents" in warning
    assert warning.endswith("; the run itself succeeded") and "\n" not in warning


@pytest.mark.parametrize("body", [b"<html>proxy error</html>", b"[]", b'{"widgets": "x"}', b'{"widgets": [{"definition": 5}]}'])
def test_a_malformed_dashboard_answer_is_a_warning(dd, body):
    from healthgrid.datadog.report import update_dashboard

    dd.fail_next("/api/v1/dashboard/abc-def-ghi", Response(200, body))
    warnings = []
    assert update_dashboard(DatadogAuth.from_env(), "abc-def-ghi", {"https://a.example/x.png": "https://a.example/x.png?v=1"}, warnings.append) == 0
    (warning,) = warnings
    assert warning.startswith("report.dashboard abc-def-ghi: ") and warning.endswith("the dashboard was left as it was")
    assert len(dd.calls("PUT", "/api/v1/dashboard/abc-def-ghi")) == 0


def test_through_the_action_a_malformed_report_answer_after_publishing_keeps_the_outputs(runner, dd):
    (runner.workspace / "healthgrid.yml").write_text(
        "grids:\n  - {name: good, rows: [{label: A, query: 'avg:a{*}'}]}\nreport: {metrics: true, dashboard: abc-def-ghi}\n")
    dd.fail_next("/api/v2/series", Response(202, "<html>proxy</html>", content_type="text/html"))
    dd.fail_next("/api/v1/dashboard/abc-def-ghi", Response(200, '{"widgets": [', content_type="application/json"))
    inputs = {"INPUT_DEMO": "true", "INPUT_PUBLISH": "ghpages", "INPUT_NOW": NOW, "INPUT_THEME": "light",
              "INPUT_DATADOG-API-KEY": API_KEY, "INPUT_DATADOG-APP-KEY": APP_KEY}
    proc, outputs, _ = runner(inputs, {"DATADOG_HOST": dd.url})
    assert proc.returncode == 0, proc.stderr
    assert outputs["image-url"] == "https://acme.github.io/health/healthgrid/good.png" and outputs["changed"] == "true"
    assert "reporting metrics: the answer from" in proc.stdout + proc.stderr
    assert "report.dashboard abc-def-ghi: the answer from" in proc.stdout + proc.stderr
    no_secret(proc.stderr, "\n".join(line for line in proc.stdout.splitlines() if not line.startswith("::add-mask::")))


# --- 11: a malformed Datadog answer is that grid's error --------------------------------------


def test_html_for_the_second_of_three_grids_fails_only_that_grid(dd, cli, in_tmp):
    (in_tmp / "healthgrid.yml").write_text(THREE_GRIDS)
    for metric in "abc":
        dd.add_points(metric, [(int(NOW_DT.timestamp()) - 3600, 0.5)])
    real = dd.handle
    seen = []

    def handle(request):
        seen.append(request.path)
        if request.path == QUERY_PATH and len([p for p in seen if p == QUERY_PATH]) == 2:
            return Response(200, "<html><body>Bad gateway</body></html>", content_type="text/html")
        return real(request)

    dd.handle = handle
    result = cli("render", "--now", NOW, "--json", "--theme", "light")
    assert result.code == 1
    doc = json.loads(result.out)
    assert [(g["name"], g["ok"]) for g in doc["grids"]] == [("first", True), ("second", False), ("third", True)]
    assert "not what its API documents" in doc["grids"][1]["error"]
    assert (in_tmp / "healthgrid-out" / "third.png").exists() and not (in_tmp / "healthgrid-out" / "second.png").exists()
    assert "1 of 3 grids failed: second" in one_line_error(result.err)


def _answer(series=None, times=None, values=None, raw=None):
    if raw is not None:
        return raw
    attributes = {"series": series, "times": times, "values": values}
    return {"data": {"id": "0", "type": "timeseries_response", "attributes": {k: v for k, v in attributes.items() if v is not None}}}


T0 = (int(NOW_DT.timestamp()) - 7200) * 1000
ONE = [{"group_tags": [], "query_index": 0, "unit": None}]

MALFORMED = {
    "html": b"<html>oops</html>",
    "truncated": b'{"data": {"attributes": {"series": [',
    "empty object": {},
    "empty list": [],
    "string data": {"data": "x"},
    "string values": _answer(ONE, [T0], ["12"]),
    "string column": _answer(ONE, [T0], "12"),
    "string point": _answer(ONE, [T0], [["12"]]),
    "query_index zz": _answer([{"query_index": "zz"}], [T0], [[1.0]]),
    "query_index missing": _answer([{"unit": None}], [T0], [[1.0]]),
    "query_index out of range": _answer([{"query_index": 7}], [T0], [[1.0]]),
    "series longer than times": _answer(ONE, [T0], [[1.0, 2.0, 3.0]]),
    "more values than series": _answer(ONE, [T0], [[1.0], [2.0]]),
    "time not a number": _answer(ONE, ["noon"], [[1.0]]),
    "boolean point": _answer(ONE, [T0], [[True]]),
    "series not a list": _answer({"a": 1}, [T0], [[1.0]]),
    "not utf-8": b'{"data": "\xff\xfe"}',
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_datadog_answer_is_a_one_line_run_error(dd, name):
    body = MALFORMED[name]
    dd.fail_next(QUERY_PATH, Response(200, body if isinstance(body, bytes) else json.dumps(body)))
    with pytest.raises(RunError) as caught:
        fetch()
    message = str(caught.value)
    assert message.startswith("g: ") and "\n" not in message and len(message) < 500
    assert len(dd.calls("POST", QUERY_PATH)) == 1


def test_nan_and_infinity_from_datadog_are_no_data_everywhere(dd, cli, in_tmp, monkeypatch):
    day = 86400 * 1000
    t_today = (int(NOW_DT.timestamp()) // 86400) * 86400 * 1000
    body = ('{"data": {"id": "0", "type": "timeseries_response", "attributes": {"series": [{"query_index": 0}], '
            f'"times": [{t_today - 2 * day}, {t_today - day}, {t_today}], "values": [[Infinity, NaN, 0.5]]}}}}}}')
    dd.fail_next(QUERY_PATH, Response(200, body))
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, rows: [{label: A, query: 'max:a{*}', aggregation: max}]}\n")
    result = cli("render", "--now", NOW, "--theme", "light")
    assert result.code == 0, result.err
    doc = json.loads((in_tmp / "healthgrid-out" / "g.json").read_text())
    values = doc["rows"][0]["values"]
    assert values[-3:] == [None, None, 0.5]
    md = (in_tmp / "healthgrid-out" / "g.md").read_text()
    assert "∞" not in md
    assert "not a finite number" in result.err


# --- 15: Imgur retries 5xx with backoff; reset headers only on 429 ----------------------------


def test_imgur_5xx_is_retried_with_backoff_despite_a_reset_header(imgur, in_tmp, clock):
    from healthgrid.publish.imgur import upload

    imgur.fail_next("/3/image", Response(503, {"data": {"error": "over capacity"}}, {"X-Post-Rate-Limit-Reset": "3600"}), times=2)
    link = upload("a.png", b"\x89PNG\r\n\x1a\n", CLIENT_ID)
    waits = clock.slept
    assert link.startswith("https://i.imgur.com/")
    assert len(waits) == 2 and all(w < 5 for w in waits) and waits[1] > waits[0]


def test_imgur_429_waits_as_its_reset_header_says_within_the_budget(imgur, in_tmp, clock):
    from healthgrid.publish.imgur import upload

    imgur.fail_next("/3/image", Response(429, {"data": {"error": "slow down"}}, {"X-RateLimit-ClientReset": "7"}))
    upload("a.png", b"\x89PNG\r\n\x1a\n", CLIENT_ID)
    assert clock.slept == [7.0], "waits exactly what the reset header says"


def test_imgur_429_with_a_reset_beyond_the_budget_gives_up_at_once(imgur, in_tmp, clock):
    from healthgrid.publish.imgur import upload

    imgur.fail_next("/3/image", Response(429, {"data": {"error": "slow down"}}, {"X-Post-Rate-Limit-Reset": "3600"}))
    with pytest.raises(RunError, match="Imgur answered 429.*gave up"):
        upload("a.png", b"\x89PNG\r\n\x1a\n", CLIENT_ID)
    assert clock.slept == [] and len(imgur.uploads) == 0


# --- one line, redacted, on every path --------------------------------------------------------


def test_an_imgur_error_body_echoing_the_client_id_is_redacted(imgur, cli, in_tmp):
    imgur.fail_next("/3/image", Response(400, f"bad request\nAuthorization: Client-ID {CLIENT_ID}\n::warning::x", content_type="text/plain"))
    (in_tmp / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = cli("publish", "imgur", "a.png")
    assert result.code == 1
    line = one_line_error(result.err)
    assert "Imgur answered 400" in line
    assert not any(line.startswith("::") for line in result.err.splitlines())
    no_secret(result.err)


def test_a_github_error_body_echoing_the_token_is_one_redacted_line(github, cli, in_tmp):
    github.fail_next("/repos/o/r/issues/1/comments", Response(500, f"oops\nAuthorization: Bearer {TOKEN}\n::error::x", content_type="text/plain"))
    result = cli("comment", "--repo", "o/r", "--pr", "1", "https://example.com/x.png")
    assert result.code == 1
    assert "GitHub answered 500" in one_line_error(result.err)
    assert not any(line.startswith("::") for line in result.err.splitlines())
    no_secret(result.err)


def test_a_malformed_github_answer_is_one_line(github, cli, in_tmp):
    github.fail_next("/repos/o/r/issues/1/comments", Response(200, "<html>", content_type="text/html"))
    result = cli("comment", "--repo", "o/r", "--pr", "1", "https://example.com/x.png")
    assert result.code == 1
    assert "internal error" not in result.err and "GitHub" in one_line_error(result.err)


def test_a_github_next_page_on_another_origin_is_not_followed(github, elsewhere, cli, in_tmp):
    github.fail_next("/repos/o/r/issues/1/comments", Response(200, [], {"Link": f'<{elsewhere.url}/repos/o/r/issues/1/comments?page=2>; rel="next"'}))
    result = cli("comment", "--repo", "o/r", "--pr", "1", "https://example.com/x.png")
    assert result.code == 1 and elsewhere.requests == []
    assert f"next page is at {elsewhere.url}" in one_line_error(result.err)


def test_userinfo_in_datadog_host_is_never_printed(cli, in_tmp, monkeypatch):
    monkeypatch.setenv("DD_API_KEY", API_KEY)
    monkeypatch.setenv("DD_APP_KEY", APP_KEY)
    monkeypatch.setenv("DATADOG_HOST", "http://proxyuser:hunter2-proxy@127.0.0.1:9")
    result = cli("render", "--now", NOW, "--timeout", "1")
    assert result.code == 1 and "cannot reach Datadog at http://127.0.0.1:9" in result.err
    assert "hunter2" not in result.err and "proxyuser" not in result.err


def test_a_gzip_bomb_from_datadog_stops_at_the_size_cap(dd):
    import gzip

    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=1)  # 64 MiB in ~100 KB
    dd.fail_next(QUERY_PATH, Response(200, bomb, {"Content-Encoding": "gzip"}))
    with pytest.raises(RunError, match="larger than 16 MiB"):
        fetch()


def test_endless_github_pages_stop_at_a_bound(github, cli, in_tmp, monkeypatch):
    monkeypatch.setattr("healthgrid.publish.comment.MAX_REQUESTS", 5)
    usual = github.handle
    endless = Response(200, [], {"Link": f'<{github.url}/repos/o/r/issues/1/comments?page=2>; rel="next"'})
    github.handle = lambda request: endless if request.path.endswith("/comments") else usual(request)
    result = cli("comment", "--repo", "o/r", "--pr", "1", "https://example.com/x.png")
    assert result.code == 1 and len(github.requests) == 5
    assert "gave up after 5 requests to GitHub" in one_line_error(result.err)
