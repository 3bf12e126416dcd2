"""Percentile rows (`p90:` …) are Datadog's percentile over each local day, in every zone.

A day's p90 cannot be rebuilt from hourly p90s (neither their max, mean nor sum), so such a row
must never be asked in sub-day buckets; checked against the loopback Datadog, which computes a
percentile query's buckets from the raw points."""

import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from healthgrid.config import GridSpec, RowSpec
from healthgrid.datadog.client import DatadogAuth
from healthgrid.model.grid import day_start, local_days
from healthgrid.sources.datadog import DatadogSource

from fakes.datadog import daily_truth, percentile

QUERY_PATH = "/api/v2/query/timeseries"
ROLLUP_RE = re.compile(r"\.rollup\((\w+), (.*)\)$")


def bounds(days, tz):
    return [int(day_start(d, tz).timestamp()) for d in days] + [int(day_start(days[-1] + timedelta(days=1), tz).timestamp())]


def skewed_points(start, end):
    """Every 10 minutes; one burst of high values late each local evening, so the day's p90 is far
    from any combination of hourly p90s."""
    points = []
    for k, t in enumerate(range(start, end, 600)):
        points.append((t, 100.0 + (k * 37) % 50 if k % 144 in range(120, 130) else 1.0 + (k * 13) % 7))
    return points


def fetch(dd, tz, now, rows, days=7):
    spec = GridSpec(name="g", title="g", rows=tuple(rows), days=days, timezone=tz)
    return DatadogSource(DatadogAuth.from_env(), budget=30.0).fetch(spec, now)


CASES = [
    ("America/New_York", datetime(2026, 11, 28, 12, tzinfo=timezone.utc)),
    ("America/New_York", datetime(2026, 3, 10, 15, tzinfo=timezone.utc)),  # spring forward: a 23 h day
    ("America/New_York", datetime(2026, 11, 3, 15, tzinfo=timezone.utc)),  # fall back: a 25 h day
    ("Asia/Kolkata", datetime(2026, 11, 28, 20, tzinfo=timezone.utc)),  # +05:30
    ("UTC", datetime(2026, 11, 28, 12, tzinfo=timezone.utc)),
]


def test_percentile_rows_are_asked_in_whole_local_days_and_equal_the_days_percentile(dd):
    for tz, now in CASES:
        dd.requests.clear()
        days = local_days(now, tz, 7)
        b = bounds(days, tz)
        points = skewed_points(b[0] - 7200, b[-1] + 7200)
        dd.metrics.clear()
        dd.add_points("ci.duration", points)
        grid = fetch(dd, tz, now, [RowSpec("P90", "p90:ci.duration{*}"), RowSpec("P50", "p50:ci.duration{env:ci}", aggregation="max"),
                                   RowSpec("Mean", "avg:ci.duration{*}")])
        calls = [call.json()["data"]["attributes"] for call in dd.calls("POST", QUERY_PATH)]
        assert len(calls) == (1 if tz == "UTC" else 2), "whole-day buckets outside UTC come in a calendar request of their own"
        queries = [q["query"] for call in calls for q in call["queries"]]
        percentile_queries = [q for q in queries if q.startswith("p")]
        assert len(percentile_queries) == 2, queries
        if tz != "UTC":
            assert "interval" not in calls[1] and [q["query"] for q in calls[1]["queries"]] == percentile_queries
        for query in percentile_queries:
            method, interval = ROLLUP_RE.search(query).groups()
            assert interval == ("86400" if tz == "UTC" else f"daily, 12am, '{tz}'"), f"{tz}: {query} is not whole local days"
        until = min(b[-1], int(now.timestamp()))
        upto_now = [(t, v) for t, v in points if t < until]
        # The data tells the ways apart: neither the mean nor the max of hourly p90s is the day's p90.
        day = [v for t, v in points if b[2] <= t < b[3]]
        hourly = [percentile([v for t, v in points if h <= t < h + 3600], 90) for h in range(b[2], b[3], 3600)]
        assert min(abs(sum(hourly) / len(hourly) - percentile(day, 90)), abs(max(hourly) - percentile(day, 90))) > 10
        assert grid.rows[0].raw == pytest.approx(daily_truth(upto_now, b, "p90"), rel=1e-9), tz
        assert grid.rows[1].raw == pytest.approx(daily_truth(upto_now, b, "p50"), rel=1e-9), tz
        assert grid.rows[2].raw == pytest.approx(daily_truth(upto_now, b, "avg"), rel=1e-9), tz


def test_a_refused_calendar_rollup_names_the_row_and_the_way_out(dd, cli, in_tmp):
    (in_tmp / "healthgrid.yml").write_text(
        "timezone: America/New_York\ngrids:\n  - name: g\n    rows:\n      - {label: Mean, query: 'avg:ok{*}'}\n"
        "      - {label: CI P90, query: 'p90:ci.duration{*}'}\n")
    dd.refuse("daily, 12am", "Error parsing query: unexpected 'daily'")
    result = cli("render", "--now", "2026-11-28T12:00:00Z")
    assert result.code == 1
    line = result.err.strip().splitlines()[-2]
    assert "g: Datadog rejected the query of row 'CI P90' (p90:ci.duration{*})" in line
    assert ".rollup(avg, daily, 12am, 'America/New_York')" in line and "set this grid's timezone to UTC" in line


@pytest.mark.parametrize("query,expected", [
    ("p90:ci.duration{*}", True), ("p99.9:lat{env:prod}", True), ("  p50:x{*}", True),
    ("avg:p90.minutes{*}", False), ("avg:ci.p90{*}", False), ("max:x{*}", False), ("sum:p9{*}", False),
])
def test_percentile_queries_are_told_by_their_space_aggregator(query, expected):
    from healthgrid.sources.datadog import is_percentile

    assert is_percentile(query) is expected


NY_NOW = datetime(2026, 11, 28, 20, tzinfo=timezone.utc)


def test_a_p90_row_in_new_york_is_never_asked_in_sub_day_buckets(dd, in_tmp, cli):
    tz = "America/New_York"
    days = local_days(NY_NOW, tz, 7)
    bounds = [int(day_start(d, tz).timestamp()) for d in days]
    values = [39999, 40000, 40001, 3, 5, 8, 4e4]
    # Hourly points: the day's p90 differs from any mix of hourly p90s.
    points = []
    for start, v in zip(bounds, values, strict=False):
        points += [(start + h * 3600 + 60 * k, v if h == 20 else 1.0) for h in range(24) for k in range(3)]
    dd.add_points("eval.latency", points)
    dd.add_points("eval.count", [(b + 3600, 1) for b in bounds])
    cfg = {"timezone": tz, "grids": [{"name": "ny", "rows": [
        {"label": "P90 latency", "group": "Eval", "query": "p90:eval.latency{env:prod}", "pass": "< 4e4", "warn": "<= 40001", "unit": "ms"},
        {"label": "Runs", "group": "Eval", "query": "sum:eval.count{*}", "aggregation": "sum", "pass": ">= 1"}]}]}
    (in_tmp / "healthgrid.yml").write_text(json.dumps(cfg))
    result = cli("render", "--now", NY_NOW.isoformat(), "--out", "out", "--theme", "light")
    assert result.code == 0, result.err
    queries = [q["query"] for call in dd.calls("POST", "/api/v2/query/timeseries")
               for q in call.json()["data"]["attributes"]["queries"]]
    p90 = [q for q in queries if q.startswith("p90:")]
    assert p90 and all(q.endswith(f".rollup(avg, daily, 12am, '{tz}')") or re.search(r"\.rollup\(\w+, 86400\)$", q) for q in p90), p90
    assert not any(re.search(r"\.rollup\(\w+, (\d+)\)$", q) and int(re.search(r"(\d+)\)$", q).group(1)) < 86400 for q in p90)
    row = json.loads((in_tmp / "out" / "ny.json").read_text())["rows"][0]
    truth = [percentile([1.0] * 69 + [v] * 3, 90) for v in values]
    assert row["raw"] == truth == [1.0] * 7, "the day's p90, never the hour-20 bucket's"
    assert row["bands"] == ["good"] * 7, "1.0 passes < 4e4"


@pytest.mark.parametrize("query", ["p90:ci.duration{*}", " p50:ci.duration{env:ci}", "avg:ci.q{quantile:p90:x}", "avg:ci.p90_x{*}",
                                   "(p90:ci.duration{*}) / 60", "abs(p90:ci.duration{*})", "avg:ci.wait{*} + p95:ci.duration{*}"])
def test_a_query_starting_with_a_percentile_or_naming_one_in_a_tag_loads(query):
    from healthgrid.config import parse_config

    (row,) = parse_config({"grids": [{"name": "g", "rows": [{"label": "P90", "query": query, "pass": "< 5"}]}]}, None).grids[0].rows
    assert row.query.strip() == query.strip() and row.rule is not None
