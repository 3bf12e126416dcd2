"""A term's value for a local day is Datadog's own reading of that term rolled up into the day: each
series rolled up over the day, then combined by the query's space aggregator, in every zone. The
one exception is an `avg` (or unprefixed) term with aggregation avg, which pools every point of
the day across the series, in every zone alike. Comparison bars follow the same rules over their
window. Worked out here from raw points of several series, independently of healthgrid."""

import json
import math
from datetime import datetime, timedelta, timezone

import pytest

from healthgrid.config import GridSpec, RowSpec
from healthgrid.datadog.client import DatadogAuth
from healthgrid.model.grid import day_start, local_days
from healthgrid.sources.datadog import DatadogSource

QUERY_PATH = "/api/v2/query/timeseries"
NOW = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)


def bounds(tz, days, now=NOW):
    ds = local_days(now, tz, days)
    return [int(day_start(d, tz).timestamp()) for d in ds] + [int(day_start(ds[-1] + timedelta(days=1), tz).timestamp())]


def hosts(lo, hi):
    """Two series of one metric: `busy` reports every five minutes near 1, `hot` ten times less often near 90."""
    busy = [(t, 1 + (t // 300 % 7) / 10) for t in range(lo, hi, 300)]
    hot = [(t, 90.0 - (t // 3000 % 11)) for t in range(lo + 30, hi, 3000)]
    return {"host:busy": busy, "host:hot": hot}


def combine(values, how):
    return {"avg": lambda v: math.fsum(v) / len(v), "sum": math.fsum, "min": min, "max": max}[how](values)


def truth(series, lo, hi, space, aggregation, pooled=False):
    """Datadog's reading over [lo, hi): each series' `aggregation`, then `space` across them; or every point pooled."""
    inside = {tag: [v for t, v in points if lo <= t < hi] for tag, points in series.items()}
    if pooled:
        every = [v for values in inside.values() for v in values]
        return math.fsum(every) / len(every)
    return combine([combine(values, aggregation) for values in inside.values() if values], space)


ROWS = [  # (label, query, aggregation, how the analyst reads it)
    ("max avg", "max:cpu{*}", "avg", ("max", "avg")),
    ("min avg", "min:cpu{*}", "avg", ("min", "avg")),
    ("avg avg", "avg:cpu{*}", "avg", "pooled"),
    ("bare avg", "cpu{*}", "avg", "pooled"),
    ("avg sum", "avg:cpu{*}", "sum", ("avg", "sum")),
    ("sum max", "sum:cpu{*}", "max", ("sum", "max")),
    ("sum sum", "sum:cpu{*}", "sum", ("sum", "sum")),
    ("max max", "max:cpu{*}", "max", ("max", "max")),
    ("min min", "min:cpu{*}", "min", ("min", "min")),
    ("busy only", "avg:cpu{host:busy}", "avg", "busy"),
]


@pytest.mark.parametrize("tz,bucket", [("UTC", 86400), ("America/New_York", 3600), ("Asia/Kolkata", 1800)])
def test_each_heatmap_day_is_datadogs_reading_of_the_term_in_every_zone(dd, tz, bucket):
    b = bounds(tz, 2)
    series = hosts(b[0] - 3600, b[-1] + 3600)
    for tag, points in series.items():
        dd.add_tagged_points("cpu", [tag, "service:api"], points)
    rows = tuple(RowSpec(label, query, aggregation=aggregation) for label, query, aggregation, _ in ROWS)
    grid = DatadogSource(DatadogAuth.from_env()).fetch(GridSpec(name="g", title="g", rows=rows, timezone=tz, days=2), NOW)
    until = min(b[-1], int(NOW.timestamp()))
    for (label, _, _, how), row in zip(ROWS, grid.rows, strict=True):
        for d in range(2):
            lo, hi = b[d], min(b[d + 1], until)
            if how == "busy":
                want = truth({"busy": series["host:busy"]}, lo, hi, "avg", "avg", pooled=True)
            else:
                want = truth(series, lo, hi, *(("avg", "avg") if how == "pooled" else how), pooled=how == "pooled")
            assert row.raw[d] == pytest.approx(want, rel=1e-12), (tz, label, d)
    sent = [q["query"] for call in dd.calls("POST", QUERY_PATH) for q in call.json()["data"]["attributes"]["queries"]]
    assert f"sum:cpu{{*}}.rollup(sum, {bucket})" in sent and f"sum:cpu{{*}}.rollup(count, {bucket})" in sent  # pooled, UTC too
    whole = f"{86400}" if bucket == 86400 else f"daily, 12am, '{tz}'"
    assert f"max:cpu{{*}}.rollup(avg, {whole})" in sent and f"sum:cpu{{*}}.rollup(max, {whole})" in sent
    assert f"max:cpu{{*}}.rollup(max, {bucket})" in sent and f"sum:cpu{{*}}.rollup(sum, {bucket})" in sent
    assert not any(q.startswith(("max:", "min:")) and ".rollup(count" in q for q in sent)
    assert len(dd.calls("POST", QUERY_PATH)) == (1 if bucket == 86400 else 2)


def test_a_max_row_averaged_over_the_day_never_reads_below_its_min_row(dd):
    tz = "America/New_York"
    b = bounds(tz, 1)
    for tag, points in hosts(b[0], b[1]).items():
        dd.add_tagged_points("cpu", [tag], points)
    rows = (RowSpec("Max", "max:cpu{*}"), RowSpec("Min", "min:cpu{*}"), RowSpec("Mean", "avg:cpu{*}"))
    grid = DatadogSource(DatadogAuth.from_env()).fetch(GridSpec(name="g", title="g", rows=rows, timezone=tz, days=1), NOW)
    top, bottom, mean = (row.raw[0] for row in grid.rows)
    assert bottom < mean < top and top > 80 and bottom < 2


COMPARISON = """
timezone: {tz}
grids:
  - name: cpu
    type: comparison
    by: service
    days: {days}
    rows:
      - {{label: Max, query: "max:cpu{{*}}"}}
      - {{label: Min, query: "min:cpu{{*}}"}}
      - {{label: Mean, query: "avg:cpu{{*}}"}}
      - {{label: Peak, query: "max:cpu{{*}}", aggregation: max}}
      - {{label: Sum of maxima, query: "sum:cpu{{*}}", aggregation: max}}
"""


@pytest.mark.parametrize("tz,days", [("America/New_York", 1), ("UTC", 1), ("Asia/Kolkata", 7), ("UTC", 7)])
def test_each_comparison_bar_is_datadogs_reading_of_the_row_over_the_window(dd, cli, in_tmp, tz, days):
    b = bounds(tz, days)
    lo, hi = b[0], int(NOW.timestamp())
    per_service = {}
    for service, shift in (("api", 0.0), ("web", 5.0)):
        series = {tag: [(t, v + shift) for t, v in points] for tag, points in hosts(lo - 3600, hi + 3600).items()}
        for tag, points in series.items():
            dd.add_tagged_points("cpu", [tag, f"service:{service}"], points)
        per_service[service] = series
    (in_tmp / "healthgrid.yml").write_text(COMPARISON.format(tz=tz, days=days))
    result = cli("render", "--now", NOW.isoformat(), "--format", "html")
    assert result.code == 0, result.err
    doc = json.loads((in_tmp / "healthgrid-out" / "cpu.json").read_text())
    how = {"Max": ("max", "avg"), "Min": ("min", "avg"), "Peak": ("max", "max"), "Sum of maxima": ("sum", "max")}
    for row in doc["rows"]:
        for bar in row["bars"]:
            series = per_service[bar["tag"]]
            want = truth(series, lo, hi, "avg", "avg", pooled=True) if row["label"] == "Mean" else truth(series, lo, hi, *how[row["label"]])
            assert bar["value"] == pytest.approx(want, rel=1e-12), (row["label"], bar["tag"])
    (call,) = dd.calls("POST", QUERY_PATH)  # one request: the whole-window rows share it
    sent = [q["query"] for q in call.json()["data"]["attributes"]["queries"]]
    weekday = local_days(NOW, tz, 7)[0].strftime("%A").lower()
    period = "86400" if (days, tz) == (1, "UTC") else f"daily, 12am, '{tz}'" if days == 1 else f"weekly, {weekday}, '{tz}'"
    assert f"max:cpu{{*}} by {{service}}.rollup(avg, {period})" in sent, sent
    assert f"sum:cpu{{*}} by {{service}}.rollup(max, {period})" in sent, sent


@pytest.mark.parametrize("query,aggregation,says", [
    ("max:cpu{*}", "avg", "max: with aggregation: avg over 3 local days cannot be asked exactly: it is each series' avg over the window"),
    ("avg:cpu{*}", "sum", "avg: with aggregation: sum over 3 local days cannot be asked exactly"),
    ("sum:cpu{*}", "min", "sum: with aggregation: min over 3 local days"),
    ("cpu{*}", "max", "avg: with aggregation: max over 3 local days"),
])
def test_a_comparison_row_no_shorter_buckets_rebuild_needs_a_day_or_a_week(in_tmp, cli, query, aggregation, says):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "c", "type": "comparison", "by": "service", "days": 3, "rows": [
        {"label": "Fine", "query": "max:cpu{*}", "aggregation": "max"},
        {"label": "Odd", "query": query, "aggregation": aggregation}]}]}))
    result = cli("render", "--demo", "--out", "out")
    assert result.code == 2 and len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith("healthgrid: error: grids[0].rows[1].query: row 'Odd': ") and says in result.err, result.err
    assert "use days: 1 or days: 7" in result.err
