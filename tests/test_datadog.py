"""The Datadog source against a loopback Datadog that speaks the recorded wire format."""

import json
import math
import random
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from healthgrid.config import GridSpec, RowSpec, load_config
from healthgrid.datadog.client import DatadogAuth
from healthgrid.errors import RunError
from healthgrid.model.band import Score
from healthgrid.model.grid import day_start, local_days
from healthgrid.sources.datadog import DatadogSource, bucket_seconds
from healthgrid.sources.datadog_answer import check_answer
from healthgrid.sources.datadog_plan import Request, plan_grid

from conftest import EXAMPLE_CONFIG
from fakes.datadog import API_KEY, APP_KEY, FakeDatadog, daily_truth
from fakes.http import Response

FIXTURES = Path(__file__).parent / "data" / "datadog"
QUERY_PATH = "/api/v2/query/timeseries"


def source(budget=30.0):
    return DatadogSource(DatadogAuth.from_env(), budget=budget)


def spec(rows, tz="UTC", days=7, name="g"):
    return GridSpec(name=name, title=name, rows=tuple(rows), days=days, timezone=tz)


def irregular_points(variant, start, end, every=1020, nulls=0.05):
    """Points every ~17 min with jitter, some null, including ones a second either side of midnights."""
    rng = random.Random(variant)
    points, t = [], start
    while t < end:
        points.append((t, None if rng.random() < nulls else round(rng.uniform(0, 1), 4)))
        t += every + rng.randint(-300, 300)
    return points


def bounds(days, tz):
    return [int(day_start(d, tz).timestamp()) for d in days] + [int(day_start(days[-1] + timedelta(days=1), tz).timestamp())]


# --- the fake is checked against the recorded wire format --------------------------------------


def _cassette(name):
    return yaml.safe_load((FIXTURES / name).read_text())["interactions"][0]


def _shape(value):
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "number"
    return type(value).__name__ if value is not None else "null"


def test_fake_answers_the_recorded_request_in_the_recorded_shape():
    recorded = _cassette("v2__cassettes__test_scenarios__test_timeseries_cross_product_query_returns_ok_response.yaml")
    request = json.loads(recorded["request"]["body"])
    expected = json.loads(recorded["response"]["body"]["string"])
    server = FakeDatadog()  # the recorded request as it was sent: 5 s buckets by its interval, no rollup
    server.add_points("datadog.estimated_usage.metrics.custom", [(1711977645, 1), (1711977705, 1), (1711980225, 87)])
    answer = server.timeseries(request)
    assert answer.status == 200 and answer.content_type == recorded["response"]["headers"]["content-type"][0]
    assert _shape(answer.body) == _shape(expected)
    assert answer.body["data"]["attributes"]["values"] == expected["data"]["attributes"]["values"]
    assert [s["query_index"] for s in answer.body["data"]["attributes"]["series"]] == [0]


def test_our_request_has_the_recorded_request_shape(dd):
    recorded = json.loads(_cassette("v2__cassettes__test_scenarios__test_timeseries_cross_product_query_returns_ok_response.yaml")["request"]["body"])
    source().fetch(spec([RowSpec("A", "avg:a{*}")]), datetime(2026, 11, 28, 12, tzinfo=timezone.utc))
    (request,) = dd.calls("POST", QUERY_PATH)
    ours = request.json()
    assert ours["data"]["type"] == recorded["data"]["type"] == "timeseries_request"
    assert set(ours["data"]["attributes"]) == set(recorded["data"]["attributes"])
    assert set(ours["data"]["attributes"]["queries"][0]) == set(recorded["data"]["attributes"]["queries"][0])
    assert ours["data"]["attributes"]["queries"][0]["data_source"] == "metrics"
    assert request.headers["dd-api-key"] == API_KEY and request.headers["dd-application-key"] == APP_KEY


def test_reads_the_recorded_response_verbatim():
    recorded = _cassette("v2__cassettes__test_scenarios__test_timeseries_cross_product_query_returns_ok_response.yaml")
    plan = plan_grid(spec([RowSpec("Usage", "avg:datadog.estimated_usage.metrics.custom{*}")], days=1), datetime(2024, 4, 1, 23, tzinfo=timezone.utc))
    asked = json.loads(recorded["request"]["body"])["data"]["attributes"]
    request = Request(asked["from"] // 1000, asked["to"] // 1000, asked["interval"] // 1000, (0,))
    columns = check_answer(plan, request, json.loads(recorded["response"]["body"]["string"]))
    assert columns == {0: {1711977645: 1.0, 1711977705: 1.0, 1711980225: 87.0}}


def test_the_recorded_answer_to_a_request_for_whole_days_fails_naming_the_row(dd, cli, in_tmp):
    recorded = _cassette("v2__cassettes__test_scenarios__test_timeseries_cross_product_query_returns_ok_response.yaml")
    dd.fail_next(QUERY_PATH, Response(200, recorded["response"]["body"]["string"], content_type="application/vnd.api+json"))
    with pytest.raises(RunError) as caught:
        source().fetch(spec([RowSpec("Usage", "avg:datadog.estimated_usage.metrics.custom{*}")], days=1),
                       datetime(2024, 4, 1, 23, tzinfo=timezone.utc))
    assert str(caught.value).startswith("g: row 'Usage': ") and "bucket starting 2024-04-01T13:20:45Z" in str(caught.value)
    assert "buckets every 86400 s from 2024-04-01T00:00:00Z" in str(caught.value)


def test_reports_the_recorded_400_in_datadogs_words(dd, cli, in_tmp):
    recorded = _cassette("v2__cassettes__test_scenarios__test_timeseries_cross_product_query_returns_bad_request_response.yaml")
    dd.fail_next(QUERY_PATH, Response(400, recorded["response"]["body"]["string"]))
    result = cli("render", "--now", "2026-11-28T12:00:00Z")
    assert result.code == 1
    assert "health_grid: Datadog rejected the request (400 Bad Request)" in result.err
    assert 'API input validation failed: Invalid type. Expected "timeseries_request".' in result.err
    assert not (in_tmp / "healthgrid-out").exists()


# --- calendar days ------------------------------------------------------------------------------


@pytest.mark.parametrize("tz,now,bucket", [
    ("UTC", datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc), 86400),
    ("America/New_York", datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc), 3600),
    ("Asia/Kolkata", datetime(2026, 11, 28, 20, 0, tzinfo=timezone.utc), 1800),  # already the 29th there
    ("America/New_York", datetime(2026, 3, 10, 15, 0, tzinfo=timezone.utc), 3600),  # spring forward: a 23 h day
    ("America/New_York", datetime(2026, 11, 3, 15, 0, tzinfo=timezone.utc), 3600),  # fall back: a 25 h day
    ("Asia/Kathmandu", datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc), 900),  # +05:45
])
def test_days_are_exact_local_calendar_days(dd, tz, now, bucket):
    days = local_days(now, tz, 7)
    b = bounds(days, tz)
    assert bucket_seconds(b[:-1]) == bucket
    a = irregular_points(1, b[0] - 7200, b[-1] + 7200)
    c = irregular_points(2, b[0] - 7200, b[-1] + 7200, every=3600)
    # Points exactly at, and a second either side of, each local midnight.
    a += [(m + d, 0.5 + d / 10) for m in b[1:-1] for d in (-1, 0, 1)]
    dd.add_points("metric.a", a)
    dd.add_points("metric.c", c)
    # Every aggregation of the same points, as rows of one grid: one setup, one request (two outside UTC,
    # where the avg: rows summed or taken at their least or greatest are asked in calendar days).
    aggregations = ("avg", "sum", "min", "max")
    rows = [RowSpec(f"{label} {agg}", query, aggregation=agg) for agg in aggregations
            for label, query in (("A", "avg:metric.a{*}"), ("Empty", "avg:metric.none{*}"), ("C", "avg:metric.c{env:prod}"))]
    grid = source().fetch(spec(rows, tz=tz), now)
    assert grid.days == days
    until = min(b[-1], math.ceil(now.timestamp()))
    for i, aggregation in enumerate(aggregations):
        row_a, empty, row_c = grid.rows[3 * i: 3 * i + 3]
        for row, points in ((row_a, a), (row_c, c)):
            truth = daily_truth([(t, v) for t, v in points if t < until], b, aggregation)
            assert row.raw == pytest.approx(truth, nan_ok=True, rel=1e-9), row.label
            assert row.values == row.raw
        assert all(math.isnan(v) for v in empty.values), "a query without data is all no-data, not shifted"
    assert len(dd.calls("POST", QUERY_PATH)) == (1 if bucket == 86400 else 2)


def test_null_points_stay_no_data(dd):
    now = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
    b = bounds(local_days(now, "UTC", 3), "UTC")
    dd.add_points("m", [(b[0] + 60, 0.5), (b[1] + 60, None), (b[1] + 120, None), (b[2] + 60, 0.25)])
    grid = source().fetch(spec([RowSpec("M", "avg:m{*}")], days=3), now)
    assert grid.rows[0].raw[0] == 0.5 and math.isnan(grid.rows[0].raw[1]) and grid.rows[0].raw[2] == 0.25


def test_scoring_happens_after_the_daily_aggregation(dd):
    now = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
    b = bounds(local_days(now, "America/New_York", 1), "America/New_York")
    dd.add_points("ci.p90", [(b[0] + 10, 2.0), (b[0] + 3700, 12.0)])  # mean 7 min -> FoM (10-7)/7
    grid = source().fetch(spec([RowSpec("P90", "avg:ci.p90{*}", score=Score(3, 10), unit="min")], tz="America/New_York", days=1), now)
    assert grid.rows[0].raw == [7.0]
    assert grid.rows[0].values == [pytest.approx(3 / 7)]


def test_one_query_request_for_the_whole_24_row_dashboard(dd):
    config = load_config(str(EXAMPLE_CONFIG))
    source().fetch(config.grids[0], datetime(2026, 11, 28, 12, tzinfo=timezone.utc))
    assert len(dd.calls("POST", QUERY_PATH)) == 1
    sent = dd.calls("POST", QUERY_PATH)[0].json()["data"]["attributes"]
    assert len(sent["queries"]) == 48 and len(sent["formulas"]) == 48  # each avg row pooled: a sum and a count


def test_windows_past_datadogs_point_limit_are_split_at_midnights(dd):
    now = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
    days = local_days(now, "America/New_York", 90)
    b = bounds(days, "America/New_York")
    pts = irregular_points(3, b[0], b[-1], every=5000)
    dd.add_points("long", pts)
    grid = source().fetch(spec([RowSpec("L", "max:long{*}", aggregation="max")], tz="America/New_York", days=90), now)
    truth = daily_truth([(t, v) for t, v in pts if t < now.timestamp()], b, "max")
    assert grid.rows[0].raw == pytest.approx(truth, nan_ok=True)
    calls = dd.calls("POST", QUERY_PATH)
    assert len(calls) == 2
    for call in calls:
        a = call.json()["data"]["attributes"]
        assert (a["to"] - a["from"]) / a["interval"] <= 1500


# --- faults ---------------------------------------------------------------------------------------


def _rate_limited(reset="1", lower=False):
    headers = {"X-RateLimit-Limit": "100", "X-RateLimit-Period": "60", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset,
               "X-RateLimit-Name": "query_timeseries"}
    if lower:
        headers = {k.lower(): v for k, v in headers.items()}
    return Response(429, {"errors": ["Rate limit exceeded"]}, headers)


def test_429s_are_ridden_out_as_the_reset_header_says(dd, cli, in_tmp, clock):
    dd.fail_next(QUERY_PATH, _rate_limited("1"))
    dd.fail_next(QUERY_PATH, _rate_limited("1", lower=True))
    result = cli("render", "--now", "2026-11-28T12:00:00Z", "--theme", "light")
    assert result.code == 0, result.err
    assert clock.slept == [1.0, 1.0], "waits exactly what X-RateLimit-Reset says, whatever the header's case"
    assert result.err.count("rate limit (query_timeseries) hit; retrying in 1s") == 2
    assert len(dd.calls("POST", QUERY_PATH)) == 3
    assert (in_tmp / "healthgrid-out" / "health_grid.png").exists()


def test_403_fails_at_once_naming_the_keys_and_site(dd, cli, in_tmp, monkeypatch):
    monkeypatch.setenv("DD_APP_KEY", "wrong-app-key-123456")
    started = time.monotonic()
    result = cli("render", "--now", "2026-11-28T12:00:00Z", "--debug")
    assert result.code == 1 and time.monotonic() - started < 10
    assert "Datadog refused the credentials (403 Forbidden)" in result.err
    assert "check DD_API_KEY, DD_APP_KEY and DD_SITE" in result.err
    assert len(dd.calls("POST", QUERY_PATH)) == 1
    for secret in (API_KEY, "wrong-app-key-123456"):
        assert secret not in result.err and secret not in result.out
    assert not (in_tmp / "healthgrid-out").exists()


def test_persistent_503_gives_up_within_the_budget(dd, cli, in_tmp, clock):
    dd.fail_next(QUERY_PATH, Response(503, {"errors": ["Service Unavailable"]}), times=100)
    started = time.monotonic()
    result = cli("render", "--now", "2026-11-28T12:00:00Z", "--timeout", "3")
    assert result.code == 1 and time.monotonic() - started < 6
    assert len(clock.slept) >= 1 and sum(clock.slept) < 3, "backs off, and gives up rather than wait past the budget"
    assert clock.slept == sorted(clock.slept), "the waits grow"
    assert "Datadog kept answering 503" in result.err and "budget 3s" in result.err
    assert result.err.strip().splitlines()[-1].startswith("healthgrid: error: 1 of 1 grid failed: health_grid")
    assert len(dd.calls("POST", QUERY_PATH)) >= 2
    assert not (in_tmp / "healthgrid-out").exists()


def test_unreachable_datadog_gives_up_within_the_budget(cli, in_tmp, monkeypatch):
    monkeypatch.setenv("DD_API_KEY", API_KEY)
    monkeypatch.setenv("DD_APP_KEY", APP_KEY)
    monkeypatch.setenv("DATADOG_HOST", "http://127.0.0.1:9")  # discard port: nothing listens
    result = cli("render", "--now", "2026-11-28T12:00:00Z", "--timeout", "2")
    assert result.code == 1 and "cannot reach Datadog at http://127.0.0.1:9" in result.err


def test_400_names_the_row_it_concerns(dd, cli, in_tmp):
    (in_tmp / "healthgrid.yml").write_text(
        "grids:\n  - name: g\n    rows:\n      - {label: Good, query: 'avg:ok{*}'}\n      - {label: Broken, query: 'p90:not.a.distribution{*} / 60'}\n")
    dd.refuse("p90:not.a.distribution{*}", "Error parsing query: percentiles are not enabled for")
    result = cli("render", "--now", "2026-11-28T12:00:00Z")
    assert result.code == 1
    assert ("g: Datadog rejected the query of row 'Broken' (p90:not.a.distribution{*} / 60): Error(s) found in query: "
            "Error parsing query: percentiles are not enabled for: p90:not.a.distribution{*}") in result.err


def test_400_without_a_quoted_query_is_traced_to_its_row(dd, cli, in_tmp):
    (in_tmp / "healthgrid.yml").write_text(
        "grids:\n  - name: g\n    rows:\n      - {label: Good, query: 'avg:ok{*}'}\n      - {label: Broken, query: 'avg:bad.metric{*}'}\n")
    dd.refuse("bad.metric")
    dd.fail_next(QUERY_PATH, Response(400, {"errors": ["Invalid query"]}))
    result = cli("render", "--now", "2026-11-28T12:00:00Z")
    assert result.code == 1 and "row 'Broken'" in result.err and "Invalid query" in result.err


@pytest.mark.parametrize("env,expected", [
    ({"DD_API_KEY": ""}, "healthgrid: error: DD_API_KEY: not set"),
    ({"DD_APP_KEY": ""}, "healthgrid: error: DD_APP_KEY: not set"),
    ({"DD_SITE": "datadoghq.moon", "DATADOG_HOST": ""}, "healthgrid: error: DD_SITE: unknown Datadog site 'datadoghq.moon'"),
    ({"DATADOG_HOST": "ftp://x"}, "healthgrid: error: DATADOG_HOST: 'ftp://x' must be a base URL"),
])
def test_credentials_and_site_are_checked_before_fetching(dd, cli, in_tmp, monkeypatch, env, expected):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = cli("render", "--now", "2026-11-28T12:00:00Z")
    assert result.code == 2 and result.err.startswith(expected)
    assert dd.requests == []


def test_dd_site_picks_the_api_host(monkeypatch):
    monkeypatch.setenv("DD_API_KEY", API_KEY)
    monkeypatch.setenv("DD_APP_KEY", APP_KEY)
    monkeypatch.setenv("DD_SITE", "datadoghq.eu")
    auth = DatadogAuth.from_env()
    with auth.client() as client:
        assert client.configuration.host == "https://api.datadoghq.eu"


def test_render_from_datadog_writes_files_and_json(dd, cli, in_tmp):
    now = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
    b = bounds(local_days(now, "UTC", 7), "UTC")
    dd.add_points("health.ci.tests_passing.fom", [(t + 3600, 0.9) for t in b[:-1]])
    result = cli("render", "--now", "2026-11-28T12:00:00Z", "--json")
    assert result.code == 0, result.err
    data = json.loads((in_tmp / "healthgrid-out" / "health_grid.json").read_text())
    assert data["rows"][0]["values"] == [0.9] * 7
    assert data["rows"][1]["values"] == [None] * 7
    assert json.loads(result.out)["grids"][0]["missing_cells"] == 42
