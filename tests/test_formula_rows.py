"""Formula rows: a day's value is the formula applied to each metric term's value for that local
day, in every zone. The expected values are computed here from the raw points (each term over the
true local day, the formula applied per day), independently of any bucketing, and the loopback
Datadog refuses any query outside Datadog's documented grammar. A formula without any metric query
(`1 + 2`, `abs(-5)`) would show the same number every day whatever happened, so it is a config error."""

import json
import math
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from healthgrid.config import GridSpec, RowSpec, parse_config
from healthgrid.datadog.client import DatadogAuth
from healthgrid.model.grid import day_start, local_days
from healthgrid.sources.datadog import DatadogSource

from conftest import NOW
from fakes.datadog import FakeDatadog, daily_truth, percentile

QUERY_PATH = "/api/v2/query/timeseries"
ZONES = [
    ("America/New_York", datetime(2026, 11, 3, 15, tzinfo=timezone.utc)),  # Oct 28..Nov 3: the 25 h fall-back day
    ("Asia/Kolkata", datetime(2026, 11, 28, 20, tzinfo=timezone.utc)),  # +05:30, already the 29th there
    ("Asia/Kathmandu", datetime(2026, 11, 28, 12, tzinfo=timezone.utc)),  # +05:45
    ("UTC", datetime(2026, 11, 28, 12, tzinfo=timezone.utc)),
]
# (label, query, aggregation, what the analyst computes from the terms' daily values)
ROWS = [
    ("Error rate", "sum:app.errors{env:prod}.as_count() / sum:app.requests{env:prod}.as_count()", "sum", lambda e, r: e / r),
    ("Error %", "sum:app.errors{env:prod}.as_count() / sum:app.requests{env:prod}.as_count() * 100", "sum", lambda e, r: 100 * e / r),
    ("Latency ms", "avg:app.latency{*} * 1000", "avg", lambda x: x * 1000),
    ("LCP ms", "p75:rum.lcp{*} / 1000000", "avg", lambda p: p / 1e6),
    ("Coldest", "abs(min:temp.delta{*})", "min", abs),
    ("Mean of two", "(avg:app.latency{*} + avg:app.queue{*}) / 2", "avg", lambda a, b: (a + b) / 2),
    ("P90 per queue", "p90:rum.lcp{*} / avg:app.queue{*}", "max", lambda p, q: p / q),
]
# Each term's metric and how the analyst aggregates its points over a day.
TERMS = {
    "Error rate": [("app.errors", "sum"), ("app.requests", "sum")], "Error %": [("app.errors", "sum"), ("app.requests", "sum")],
    "Latency ms": [("app.latency", "avg")], "LCP ms": [("rum.lcp", "p75")], "Coldest": [("temp.delta", "min")],
    "Mean of two": [("app.latency", "avg"), ("app.queue", "avg")], "P90 per queue": [("rum.lcp", "p90"), ("app.queue", "max")],
}


def bounds(days, tz):
    return [int(day_start(d, tz).timestamp()) for d in days] + [int(day_start(days[-1] + timedelta(days=1), tz).timestamp())]


def points(variant, start, end, value, every=900):
    """Irregular points (every ~`every` s with jitter), with the evening busier than the morning,
    so an hourly ratio or an hourly percentile is far from the day's."""
    rng, out, t = random.Random(variant), [], start
    while t < end:
        out.append((t, value(rng, datetime.fromtimestamp(t, timezone.utc).hour)))
        t += every + rng.randint(-every // 3, every // 3)
    return out


def feed(dd, b):
    lo, hi = b[0] - 7200, b[-1] + 7200
    data = {
        "app.requests": points(1, lo, hi, lambda r, h: float(r.randint(200, 400) if h >= 18 else r.randint(1, 20))),
        "app.errors": points(2, lo, hi, lambda r, h: float(r.randint(0, 3) if h >= 18 else r.randint(0, 6))),
        "app.latency": points(3, lo, hi, lambda r, h: round(r.uniform(0.05, 0.4), 4), every=600),
        "app.queue": points(4, lo, hi, lambda r, h: round(r.uniform(1, 9), 3), every=1300),
        "rum.lcp": points(5, lo, hi, lambda r, h: r.uniform(1.5e9, 4e9) if h == 20 else r.uniform(2e8, 9e8), every=400),
        "temp.delta": points(6, lo, hi, lambda r, h: round(r.uniform(-12, 3), 2), every=2000),
    }
    # Points at each local midnight and a second either side: they belong to one day only.
    for metric, values in data.items():
        values += [(m + d, values[0][1]) for m in b[1:-1] for d in (-1, 0, 1)]
        dd.add_points(metric, values)
    return data


def analyst(data, b, until, label, formula):
    """Each term over each true local day from the raw points, then the formula per day."""
    per_term = [daily_truth([(t, v) for t, v in data[metric] if t < until], b, how) for metric, how in TERMS[label]]
    out = []
    for day in zip(*per_term, strict=True):
        out.append(math.nan if any(math.isnan(v) for v in day) else formula(*day))
    return out


def fetch(tz, now, rows, days=7):
    spec = GridSpec(name="g", title="g", rows=tuple(rows), days=days, timezone=tz)
    return DatadogSource(DatadogAuth.from_env(), budget=30.0).fetch(spec, now)


@pytest.mark.parametrize("tz,now", ZONES, ids=[z for z, _ in ZONES])
def test_a_formula_rows_day_is_the_formula_of_its_terms_daily_values(dd, tz, now):
    days = local_days(now, tz, 7)
    b = bounds(days, tz)
    data = feed(dd, b)
    grid = fetch(tz, now, [RowSpec(label, query, aggregation=agg) for label, query, agg, _ in ROWS])
    until = min(b[-1], math.ceil(now.timestamp()))
    for row, (label, _, _, formula) in zip(grid.rows, ROWS, strict=True):
        truth = analyst(data, b, until, label, formula)
        assert not any(math.isnan(v) for v in truth)
        assert row.raw == pytest.approx(truth, rel=1e-6), f"{tz}: {label}"
    calls = [c.json()["data"]["attributes"] for c in dd.calls("POST", QUERY_PATH)]
    assert len(calls) == (1 if tz == "UTC" else 2), "one request, and one for the percentile terms in local days"
    sent = [q["query"] for call in calls for q in call["queries"]]
    assert all(q.count(".rollup(") == 1 and q.index(".rollup(") > q.index("}") for q in sent), sent
    assert not any(op in q for q in sent for op in (" / ", " * ", "abs(")), "the arithmetic is applied per local day, not sent"


def test_the_error_rate_is_not_the_sum_of_hourly_ratios(dd):
    """The day's rate is the day's errors over its requests, far from the sum or mean of hourly ratios."""
    tz, now = "America/New_York", datetime(2026, 11, 3, 15, tzinfo=timezone.utc)
    b = bounds(local_days(now, tz, 7), tz)
    data = feed(dd, b)
    grid = fetch(tz, now, [RowSpec("Error rate", ROWS[0][1], aggregation="sum")])
    errors = [v for t, v in data["app.errors"] if b[2] <= t < b[3]]
    requests = [v for t, v in data["app.requests"] if b[2] <= t < b[3]]
    assert grid.rows[0].raw[2] == pytest.approx(sum(errors) / sum(requests), rel=1e-9)
    hourly = []
    for h in range(b[2], b[3], 3600):
        e = sum(v for t, v in data["app.errors"] if h <= t < h + 3600)
        r = sum(v for t, v in data["app.requests"] if h <= t < h + 3600)
        hourly.append(e / r)
    assert abs(sum(hourly) - grid.rows[0].raw[2]) > 1 and abs(max(hourly) - grid.rows[0].raw[2]) > 0.1


def test_identical_terms_are_asked_once_per_grid(dd):
    rows = [RowSpec("Rate", "sum:app.errors{*}.as_count() / sum:app.requests{*}.as_count()", aggregation="sum"),
            RowSpec("Requests", "sum:app.requests{*}.as_count()", aggregation="sum"),
            RowSpec("Requests k", "sum:app.requests{*}.as_count() / 1000", aggregation="sum")]
    fetch("America/New_York", datetime(2026, 11, 28, 12, tzinfo=timezone.utc), rows)
    (call,) = dd.calls("POST", QUERY_PATH)
    assert [q["query"] for q in call.json()["data"]["attributes"]["queries"]] == [
        "sum:app.errors{*}.as_count().rollup(sum, 3600)", "sum:app.requests{*}.as_count().rollup(sum, 3600)"]


def test_a_division_by_zero_is_no_data_with_a_warning(dd):
    now = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
    b = bounds(local_days(now, "UTC", 3), "UTC")
    dd.add_points("e", [(b[0] + 60, 2.0), (b[1] + 60, 3.0), (b[2] + 60, 0.0)])
    dd.add_points("r", [(b[0] + 60, 40.0), (b[1] + 60, 0.0), (b[2] + 60, 0.0)])
    warnings = []
    spec = GridSpec(name="g", title="g", rows=(RowSpec("Rate", "sum:e{*} / sum:r{*}", aggregation="sum"),), days=3)
    grid = DatadogSource(DatadogAuth.from_env(), warn=warnings.append).fetch(spec, now)
    assert grid.rows[0].raw[0] == 0.05 and math.isnan(grid.rows[0].raw[1]) and math.isnan(grid.rows[0].raw[2])
    assert warnings == ["g: row 'Rate': the formula divides by zero or overflows on 2 days; shown as no data"]


def test_the_query_is_kept_as_written_in_the_outputs(dd, cli, in_tmp):
    query = "( sum:app.errors{env:prod}.as_count()  /  sum:app.requests{env:prod}.as_count() ) * 100"
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "days": 2, "rows": [
        {"label": "Errors", "query": query, "aggregation": "sum", "unit": "%"}]}]}))
    b = bounds(local_days(datetime(2026, 11, 28, 12, tzinfo=timezone.utc), "UTC", 2), "UTC")
    dd.add_points("app.errors", [(b[0] + 10, 3.0), (b[1] + 10, 1.0)])
    dd.add_points("app.requests", [(b[0] + 10, 60.0), (b[0] + 20, 40.0), (b[1] + 10, 50.0)])
    result = cli("render", "--now", NOW, "--theme", "light", "--format", "png")
    assert result.code == 0, result.err
    row = json.loads((in_tmp / "healthgrid-out" / "g.json").read_text())["rows"][0]
    assert row["query"] == query and row["raw"] == [3.0, 2.0]


# --- what the config accepts --------------------------------------------------------------------


@pytest.mark.parametrize("query,why", [
    ("P90:rum.lcp{*} / 1000000", "write the aggregator in lower case, 'p90:'"),
    ("Avg:app.latency{*}", "write the aggregator in lower case, 'avg:'"),
    ("avg:app.latency{*} * 1000.rollup(sum, 3600)", "must not use .rollup()"),
    ("(avg:a{*} + avg:b{*}) / 2 .as_count()", "methods such as .as_count() follow a metric query, never a number or ')'"),
    ("cumsum(sum:app.errors{*})", "cumsum() cannot be computed per local day: its value depends on the time window shown"),
    ("timeshift(avg:a{*}, -86400)", "timeshift() cannot be computed per local day: it shifts the series in time"),
    ("per_second(sum:a{*})", "per_second() cannot be computed per local day: its value depends on neighbouring points"),
    ("moving_rollup(avg:a{*}, 60, 'avg')", "moving_rollup() cannot be computed per local day: healthgrid sets the rollup"),
    ("top(avg:a{*}, 5, 'mean', 'desc')", "top() cannot be computed per local day: it chooses or counts among several series"),
    ("anomalies(avg:a{*}, 'basic', 2)", "anomalies() cannot be computed per local day"),
    ("sqrt(avg:a{*})", "unknown function sqrt(); functions on a day's value: abs, log2, log10"),
    ("avg:a{*}.fill(linear)", "only .fill(null) is allowed"),
    ("avg:a{*} by {host} / 2", "must not group"),
    ("p100:a{*}", "unknown aggregator 'p100:'"),
    ("avg:app latency{*}", "does not start a metric query"),
    ("app.latency", "'app.latency' at column 1 is neither a function call nor a metric query"),
    ("avg:a{*} +", "ends where a metric query, number or '(' is expected"),
    ("(avg:a{*} + 1", "expected ')' after the group opened at column 1"),
    (" + ".join(f"avg:m{i}{{*}}" for i in range(11)), "has more than 10 metric queries; the limit is 10 per row"),
    ("(" * 11 + "avg:a{*}" + ")" * 11, "nests deeper than 10 levels"),
    ("clamp_min(avg:a{*})", "expected ',' after clamp_min's first argument"),
])
def test_a_query_that_cannot_be_computed_per_local_day_is_a_config_error(in_tmp, cli, query, why):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "rows": [{"label": "R", "query": query}]}]}))
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    assert result.code == 2 and len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith("healthgrid: error: grids[0].rows[0].query: ") and why in result.err, result.err
    assert not (in_tmp / "out").exists()


@pytest.mark.parametrize("query,why", [("timeshift(p99.9:ci.duration{*}, -3600)", "it shifts the series in time"),
                                       ("cumsum(avg:ci.duration{*})", "depends on the time window shown")])
def test_a_function_without_a_daily_meaning_is_a_config_error(in_tmp, cli, query, why):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"timezone": "America/New_York", "grids": [{"name": "g", "rows": [
        {"label": "P90", "query": query, "pass": "< 5"}]}]}))
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    assert result.code == 2 and len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith("healthgrid: error: grids[0].rows[0].query: function ") and why in result.err, result.err


@pytest.mark.parametrize("query", [
    "p90:ci.duration{*} / 1000", "p90:a{*} / avg:b{*}", "-avg:a{*} + 2.5e3", "log10(sum:a{*}.as_count()) - log2(avg:b{*})",
    "clamp_max(cutoff_min(avg:a{env:prod AND NOT host:x}, -5), 100)", "system.cpu.idle{*}.fill(null, 300)",
    "((((((((((avg:a{*}))))))))))", " + ".join(f"avg:m{i}{{*}}" for i in range(10)),
])
def test_formulas_within_the_grammar_and_bounds_load(in_tmp, cli, query):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "days": 2, "rows": [{"label": "R", "query": query}]}]}))
    result = cli("render", "--demo", "--out", "out", "--now", NOW, "--theme", "light", "--format", "png")
    assert result.code == 0, result.err


# --- the stand-in speaks Datadog's grammar --------------------------------------------------------


def _ask(server, queries, formulas=None, lo=1795824000, hi=1795910400, interval=3600):
    attributes = {"from": lo * 1000, "to": hi * 1000, "interval": interval * 1000,
                  "queries": [{"data_source": "metrics", "name": f"q{i}", "query": q} for i, q in enumerate(queries)]}
    if formulas:
        attributes["formulas"] = [{"formula": f} for f in formulas]
    return server.timeseries({"data": {"type": "timeseries_request", "attributes": attributes}})


@pytest.mark.parametrize("query,error", [
    ("avg:app.latency{*} * 1000.rollup(sum, 3600)", "Rule 'scope_expr' didn't match at '.rollup(sum, 3600)'"),
    ("(avg:a{*} + avg:b{*}).rollup(avg, 3600)", "Rule 'scope_expr' didn't match at '.rollup(avg, 3600)'"),
    ("sqrt(avg:a{*}.rollup(avg, 3600))", "unknown function 'sqrt'"),
    ("avg:a{*}.rollup(avg, 30)", "would return 2880 points per series; the maximum is 1500"),
    ("avg:a{*}", "would return 2880 points per series"),  # no rollup: the request's 30 s interval
])
def test_the_stand_in_refuses_what_datadog_refuses_with_its_error_body(query, error):
    answer = _ask(FakeDatadog(), [query], interval=30 if query == "avg:a{*}" else 3600)
    assert answer.status == 400
    (message,) = answer.body["errors"]
    assert message.startswith("Error(s) found in query:\n") and error in message, message


def test_the_stand_in_computes_formulas_counts_percentiles_and_calendar_days_as_documented():
    server = FakeDatadog()
    lo = 1795824000  # 2026-11-28T00:00:00Z
    server.add_points("e", [(lo + 10, 2.0), (lo + 20, 1.0), (lo + 3700, 3.0)])
    server.add_points("r", [(lo + 10, 10.0), (lo + 3700, 30.0), (lo + 3800, 30.0)])
    server.add_points("d", [(lo + 60 * k, float(k)) for k in range(100)])
    server.add_points("c", [(lo + 60 * k, float(k)) for k in range(100)] + [(lo + 5 * 3600 + 10, 7.0)])  # NY: Nov 27, Nov 28
    answer = _ask(server, ["sum:e{*}.as_count().rollup(sum, 3600)", "sum:r{*}.as_count().rollup(sum, 3600)"], ["q0 / q1 * 100"]).body
    assert answer["data"]["attributes"]["times"] == [lo * 1000, (lo + 3600) * 1000]
    assert answer["data"]["attributes"]["values"] == [[30.0, 5.0]], "per bucket: 3/10 and 3/60"
    answer = _ask(server, ["sum:e{*}.as_rate().rollup(sum, 3600)", "p90:d{*}.rollup(avg, 3600)"]).body
    assert answer["data"]["attributes"]["values"] == [[3 / 3600, 3 / 3600], [pytest.approx(percentile(list(map(float, range(60))), 90)),
                                                                 pytest.approx(percentile(list(map(float, range(60, 100))), 90))]]
    calendar = "p50:c{*}.rollup(avg, daily, 12am, 'America/New_York')"
    answer = _ask(server, [calendar], lo=lo, hi=lo + 2 * 86400).body["data"]["attributes"]
    ny_midnights = [int(datetime(2026, 11, d, tzinfo=timezone(timedelta(hours=-5))).timestamp()) for d in (27, 28)]
    assert answer["times"] == [t * 1000 for t in ny_midnights] and answer["values"] == [[49.5, 7.0]]


def test_the_docs_examples_load_and_the_docs_command_runs(in_tmp, cli):
    root = Path(__file__).resolve().parent.parent
    blocks = re.findall(r"```yaml\n(.*?)```", (root / "docs" / "datadog.md").read_text(), re.S)
    assert len(blocks) == 2
    for block in blocks:
        parse_config({"grids": [{"name": "g", "rows": yaml.safe_load(block)}]}, None)
    result = cli("render", "--demo", "--config", str(root / "examples" / "formulas.yml"), "--out", "healthgrid-out",
                 "--now", NOW, "--theme", "light", "--format", "png")
    assert result.code == 0, result.err


@pytest.mark.parametrize("query", ["1 + 2", "abs(-5)", "-(4) * 2.5e3", "clamp_max(7, 3)", "(((1)))"])
def test_a_formula_without_a_metric_query_is_a_config_error(in_tmp, cli, query):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "rows": [{"label": "Constant", "query": query}]}]}))
    result = cli("render", "--demo", "--out", "out")
    assert result.code == 2, result.err
    assert result.err == ("healthgrid: error: grids[0].rows[0].query: holds no metric query, so no day would depend on Datadog's "
                          "data; write at least one, e.g. avg:app.latency{*} * 1000\n")
    assert not (in_tmp / "out").exists()


def test_a_formula_with_one_metric_query_and_constants_loads(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "days": 2, "rows": [
        {"label": "Latency", "query": "abs(-5) * avg:app.latency{*} + 1"}]}]}))
    result = cli("render", "--demo", "--out", "out", "--format", "html")
    assert result.code == 0, result.err
