"""`type: comparison` from the loopback Datadog: one grouped request per grid, each bar the row's
value over the window of whole local days, equal to what an analyst works out from the raw points;
answers that are not what was asked fail the grid with one line."""

import json
import random
from datetime import datetime, timezone

import pytest
import yaml

from healthgrid.model.grid import day_start, local_days

from fakes.datadog import percentile
from fakes.http import Response

QUERY_PATH = "/api/v2/query/timeseries"
NOW = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
POLICIES = ("ppo", "sac", "dqn-with a long name")


def window(now, tz, days):
    """[local midnight of the window's first day, now): what every bar covers."""
    first = local_days(now, tz, days)[0]
    return int(day_start(first, tz).timestamp()), now.timestamp()


def series(variant, lo, hi, every=1500):
    """Irregular points, some null, from two hours before the window to two hours after now."""
    rng = random.Random(variant)
    points, t = [], lo - 7200
    while t < hi + 7200:
        points.append((t, None if rng.random() < 0.05 else round(rng.uniform(0, 1), 4)))
        t += every + rng.randint(-400, 400)
    return points


def load(dd, lo, hi):
    """Per policy and suite: eval.score, eval.runs and eval.latency; `sac` has no nav runs; the
    third policy's points sit a second either side of the window's start too."""
    truth = {}
    for p, policy in enumerate(POLICIES):
        for s, suite in enumerate(("nav", "combat")):
            tags = [f"policy:{policy}", f"suite:{suite}", "env:prod"]
            for m, metric in enumerate(("eval.score", "eval.runs", "eval.latency")):
                if metric == "eval.runs" and (policy, suite) == ("sac", "nav"):
                    continue
                points = series(100 * p + 10 * s + m, lo, hi)
                if p == 2:
                    points += [(lo - 1, 0.999), (lo, 0.001), (lo + 1, 0.5)]
                dd.add_tagged_points(metric, tags, points)
                truth[(metric, suite, policy)] = [v for t, v in points if lo <= t < hi and v is not None]
    return truth


CONFIG = """
timezone: {tz}
grids:
  - name: evals
    type: comparison
    title: Eval score by policy
    by: policy
    days: 7
    rows:
      - {{label: Navigation, query: "avg:eval.score{{suite:nav}}", pass: ">= 0.5", warn: ">= 0.45"}}
      - {{label: Combat runs, query: "sum:eval.runs{{suite:combat}}", aggregation: sum, score: {{good: 400, bad: 100}}}}
      - {{label: Nav runs, query: "sum:eval.runs{{suite:nav}}", aggregation: sum}}
      - {{label: Worst combat, query: "min:eval.score{{suite:combat}}", aggregation: min, pass: "> 0.01"}}
      - {{label: Best nav, query: "max:eval.score{{suite:nav,env:prod}}", aggregation: max}}
      - {{label: Latency P90, query: "p90:eval.latency{{suite:combat}}", unit: s, pass: "< 0.85", warn: "< 0.9"}}
"""


def expected_band(label, value):
    """The band each row's rule, score or figure of merit gives, worked out by hand."""
    if value is None:
        return None
    if label == "Navigation":
        return "good" if value >= 0.5 else "warning" if value >= 0.45 else "critical"
    if label == "Combat runs":
        fom = min(1, max(0, (value - 100) / 300))
        return "good" if fom >= 0.7 else "warning" if fom >= 0.3 else "critical"
    if label == "Worst combat":
        return "good" if value > 0.01 else "critical"
    if label == "Latency P90":
        return "good" if value < 0.85 else "warning" if value < 0.9 else "critical"
    return "good" if value >= 0.7 else "warning" if value >= 0.3 else "critical"  # a figure of merit


ANALYST = {  # label -> (metric, suite, how the window's points combine)
    "Navigation": ("eval.score", "nav", lambda v: sum(v) / len(v)),
    "Combat runs": ("eval.runs", "combat", sum),
    "Nav runs": ("eval.runs", "nav", sum),
    "Worst combat": ("eval.score", "combat", min),
    "Best nav": ("eval.score", "nav", max),
    "Latency P90": ("eval.latency", "combat", lambda v: percentile(v, 90)),
}


@pytest.mark.parametrize("tz,now,bucket", [
    ("UTC", NOW, 86400),
    ("America/New_York", NOW, 3600),
    ("America/New_York", datetime(2026, 11, 3, 15, tzinfo=timezone.utc), 3600),  # the window holds the 25 h day of Nov 1
    ("America/New_York", datetime(2026, 3, 10, 15, tzinfo=timezone.utc), 3600),  # the window holds the 23 h day of Mar 8
])
def test_each_bar_is_the_rows_value_over_the_window_for_its_tag_value(dd, cli, in_tmp, tz, now, bucket):
    lo, hi = window(now, tz, 7)
    truth = load(dd, lo, hi)
    (in_tmp / "healthgrid.yml").write_text(CONFIG.format(tz=tz))
    result = cli("render", "--now", now.isoformat(), "--format", "html")  # the data only: the page draws no picture
    assert result.code == 0, result.err
    doc = json.loads((in_tmp / "healthgrid-out" / "evals.json").read_text())
    assert doc["from"] == datetime.fromtimestamp(lo, timezone.utc).isoformat().replace("+00:00", "Z")
    assert sorted(doc["tag_values"]) == sorted(POLICIES) and doc["tag_values_total"] == 3
    for row in doc["rows"]:
        metric, suite, combine = ANALYST[row["label"]]
        for bar in row["bars"]:
            points = truth.get((metric, suite, bar["tag"]))
            want = combine(points) if points else None
            assert bar["value"] == (pytest.approx(want, rel=1e-9) if want is not None else None), (row["label"], bar["tag"])
            assert bar["band"] == expected_band(row["label"], want), (row["label"], bar["tag"])
    nav_runs = next(r for r in doc["rows"] if r["label"] == "Nav runs")
    assert next(b for b in nav_runs["bars"] if b["tag"] == "sac")["value"] is None  # no data, never 0

    (request,) = dd.calls("POST", QUERY_PATH)  # one request for the grid
    queries = [q["query"] for q in request.json()["data"]["attributes"]["queries"]]
    assert all(" by {policy}" in q for q in queries)
    # An avg row: every point of every series of the tag value pooled, Σ sum / Σ count.
    assert queries[:2] == [f"sum:eval.score{{suite:nav}} by {{policy}}.rollup({m}, {bucket})" for m in ("sum", "count")]
    weekday = local_days(now, tz, 7)[0].strftime("%A").lower()
    assert queries[-1] == f"p90:eval.latency{{suite:combat}} by {{policy}}.rollup(avg, weekly, {weekday}, '{tz}')"


def test_an_avg_bar_weighs_every_point_of_every_series_alike(dd, cli, in_tmp):
    """Two hosts behind one policy: one reports every 10 minutes all week at about 0.9, the other
    every 30 minutes for two days at about 0.1. The bar is the mean of all their points, not a
    mean of per-host or per-hour means."""
    tz = "America/New_York"
    lo, hi = window(NOW, tz, 7)
    busy = [(t, 0.9 + (t % 7) / 100) for t in range(lo, int(hi), 600)]
    quiet = [(t, 0.1 + (t % 5) / 100) for t in range(lo, lo + 2 * 86400, 1800)]
    dd.add_tagged_points("eval.score", ["policy:ppo", "host:busy", "suite:nav"], busy)
    dd.add_tagged_points("eval.score", ["policy:ppo", "host:quiet", "suite:nav"], quiet)
    config = yaml.safe_load(CONFIG.format(tz=tz))
    config["grids"][0]["rows"] = [{"label": "Nav", "query": "avg:eval.score{suite:nav}"},
                                  {"label": "Nav sum", "query": "sum:eval.score{suite:nav}", "aggregation": "sum"},
                                  {"label": "Nav min", "query": "min:eval.score{suite:nav}", "aggregation": "min"}]
    (in_tmp / "healthgrid.yml").write_text(yaml.safe_dump(config))
    assert cli("render", "--now", NOW.isoformat(), "--format", "html").code == 0
    rows = json.loads((in_tmp / "healthgrid-out" / "evals.json").read_text())["rows"]
    every = [v for _, v in busy + quiet]
    assert [r["bars"][0]["value"] for r in rows] == [pytest.approx(sum(every) / len(every), rel=1e-9),
                                                     pytest.approx(sum(every), rel=1e-9), min(every)]


@pytest.mark.parametrize("tz,rollup", [("UTC", "avg, 86400"), ("America/New_York", "avg, daily, 12am, 'America/New_York'")])
def test_a_one_day_percentile_is_asked_as_the_local_day(dd, cli, in_tmp, tz, rollup):
    lo, hi = window(NOW, tz, 1)
    truth = load(dd, lo, hi)
    config = yaml.safe_load(CONFIG.format(tz=tz))
    config["grids"][0].update(days=1, rows=[config["grids"][0]["rows"][-1]])
    (in_tmp / "healthgrid.yml").write_text(yaml.safe_dump(config))
    assert cli("render", "--now", NOW.isoformat(), "--format", "html").code == 0
    doc = json.loads((in_tmp / "healthgrid-out" / "evals.json").read_text())
    for bar in doc["rows"][0]["bars"]:
        assert bar["value"] == pytest.approx(percentile(truth[("eval.latency", "combat", bar["tag"])], 90), rel=1e-9)
    (request,) = dd.calls("POST", QUERY_PATH)
    assert request.json()["data"]["attributes"]["queries"][0]["query"].endswith(f".rollup({rollup})")


def test_a_window_past_datadogs_point_limit_is_split_at_local_midnights(dd, cli, in_tmp):
    tz, days = "Asia/Kathmandu", 20  # 15-minute buckets: 1,920 points for the window
    lo, hi = window(NOW, tz, days)
    truth = load(dd, lo, hi)
    config = yaml.safe_load(CONFIG.format(tz=tz))
    config["grids"][0].update(days=days, rows=config["grids"][0]["rows"][:2])
    (in_tmp / "healthgrid.yml").write_text(yaml.safe_dump(config))
    assert cli("render", "--now", NOW.isoformat(), "--format", "html").code == 0
    doc = json.loads((in_tmp / "healthgrid-out" / "evals.json").read_text())
    for bar in doc["rows"][0]["bars"]:
        points = truth[("eval.score", "nav", bar["tag"])]
        assert bar["value"] == pytest.approx(sum(points) / len(points), rel=1e-9)
    calls = dd.calls("POST", QUERY_PATH)
    assert len(calls) == 2
    midnights = {int(day_start(d, tz).timestamp()) for d in local_days(NOW, tz, days)}
    for call in calls:
        a = call.json()["data"]["attributes"]
        assert (a["to"] - a["from"]) / a["interval"] <= 1500 and a["from"] // 1000 in midnights


# --- answers that are not what was asked ----------------------------------------------------------

TWO_GRIDS = """
grids:
  - name: evals
    type: comparison
    by: policy
    days: 1
    rows: [{label: Runs, query: "sum:eval.runs{*}", aggregation: sum}]
  - name: other
    rows: [{label: A, query: "avg:a{*}"}]
"""
START_MS = int(day_start(NOW.date(), "UTC").timestamp()) * 1000


def answer(series=None, times=None, values=None, **extra):
    series = [{"group_tags": ["policy:a"], "query_index": 0, "unit": None}] if series is None else series
    attributes = {"series": series, "times": [START_MS] if times is None else times, "values": [[5.0]] if values is None else values}
    return Response(200, {"data": {"id": "0", "type": "timeseries_response", "attributes": attributes}, **extra},
                    content_type="application/vnd.api+json")


@pytest.mark.parametrize("bad,says", [
    (answer(series=[{"group_tags": [], "query_index": 0, "unit": None}]), "not by one 'policy:…' tag"),
    (answer(series=[{"group_tags": ["service:a"], "query_index": 0, "unit": None}]), "not by one 'policy:…' tag"),
    (answer(series=[{"group_tags": ["policy:a", "env:prod"], "query_index": 0, "unit": None}]), "not by one 'policy:…' tag"),
    (answer(series=[{"query_index": 0, "unit": None}]), "not by one 'policy:…' tag"),
    (answer(times=[START_MS + 3_600_000]), "no bucket start of the window"),
    (answer(times=[START_MS - 86_400_000]), "no bucket start of the window"),
    (answer(times=[START_MS + 500]), "no bucket start of the window"),
    (answer(times=[START_MS, START_MS], values=[[5.0, 6.0]]), "the same bucket twice in times"),
    (answer(series=[{"group_tags": ["policy:a"], "query_index": 0, "unit": None}] * 2, values=[[5.0], [6.0]]), "several series for policy:a"),
    (answer(series=[{"group_tags": ["policy:a"], "query_index": 3, "unit": None}]), "queries 0..0 were asked"),
    (answer(errors="Query timed out for some groups"), "Datadog answered with an error instead of data: Query timed out"),
    (answer(series=[{"group_tags": ["policy:"], "query_index": 0, "unit": None}]), "an empty tag value"),
    (answer(values=[[5.0, 6.0]]), "2 values for 1 time"),
])
def test_an_answer_that_is_not_what_was_asked_fails_the_grid_with_one_line(dd, cli, in_tmp, bad, says):
    (in_tmp / "healthgrid.yml").write_text(TWO_GRIDS)
    dd.fail_next(QUERY_PATH, bad)
    result = cli("render", "--now", NOW.isoformat(), "--format", "html")
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith("healthgrid: error: evals:")]
    assert len(errors) == 1 and says in errors[0], result.err
    assert "Traceback" not in result.err
    out = in_tmp / "healthgrid-out"
    assert not (out / "evals.json").exists() and (out / "other.json").exists()  # one grid's failure never stops the others


def test_the_reference_answer_is_read(dd, cli, in_tmp):
    """The well-formed answer the failures above are cut from: a bar of 5 for policy a."""
    (in_tmp / "healthgrid.yml").write_text(TWO_GRIDS)
    dd.fail_next(QUERY_PATH, answer())
    assert cli("render", "--now", NOW.isoformat(), "--format", "html").code == 0
    bars = json.loads((in_tmp / "healthgrid-out" / "evals.json").read_text())["rows"][0]["bars"]
    assert bars == [{"tag": "a", "value": 5.0, "band": "good"}]


def test_a_400_names_the_row_and_quotes_datadog(dd, cli, in_tmp):
    (in_tmp / "healthgrid.yml").write_text(TWO_GRIDS)
    dd.fail_next(QUERY_PATH, Response(400, {"errors": ["Error parsing query: unable to parse sum:eval.runs{*} by {policy}"]}))
    result = cli("render", "--now", NOW.isoformat(), "--format", "html")
    assert result.code == 1
    assert "evals: Datadog rejected the query of row 'Runs' (sum:eval.runs{*}): Error parsing query" in result.err


def test_hostile_tag_values_are_escaped_wherever_they_land(dd, cli, in_tmp):
    import xml.etree.ElementTree as ET

    hostile = ["<b>bold</b> | [x](http://e.test) @team", "esc\x1b[31mred", "--> <!-- & $x^2$", "a\u202eb"]
    lo, _ = window(NOW, "UTC", 1)
    for k, tag in enumerate(hostile):
        dd.add_tagged_points("eval.runs", [f"policy:{tag}"], [(lo + 60, 0.1 * (k + 1))])  # the first is the worst: named in the index
    (in_tmp / "healthgrid.yml").write_text(TWO_GRIDS)
    assert cli("render", "--now", NOW.isoformat(), "--format", "svg,html").code == 0
    out = in_tmp / "healthgrid-out"
    tags = json.loads((out / "evals.json").read_text())["tag_values"]
    assert sorted(tags) == sorted(["<b>bold</b> | [x](http://e.test) @team", "esc\ufffd[31mred", "--> <!-- & $x^2$", "a\ufffdb"])
    for name in ("evals.svg", "evals_dark.svg"):  # (the light and the dark picture)
        ET.fromstring((out / name).read_bytes())  # still well-formed XML
        assert b"<b>" not in (out / name).read_bytes() and b"\x1b" not in (out / name).read_bytes()
    for name in ("evals.html", "evals_dark.html", "index.html"):
        html = (out / name).read_text()
        assert "<b>bold" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html and "\x1b" not in html and "\u202e" not in html
        assert "--> <!--" not in html
    md = (out / "evals.md").read_text()
    assert "\\<b\\>bold\\</b\\> \\| \\[x\\](http://e.test) @\u2060team" in md.replace("http\\://", "http://")
    assert "\x1b" not in md and "\u202e" not in md
    assert all(line.count(" | ") == 1 for line in md.splitlines() if line.startswith("| ") and "bold" in line)


def test_the_fakes_grouped_answer_has_the_recorded_shape():
    from pathlib import Path

    from fakes.datadog import FakeDatadog

    recorded = yaml.safe_load((Path(__file__).parent / "data" / "datadog" /
                               "v2__cassettes__test_scenarios__test_timeseries_cross_product_query_returns_ok_response.yaml").read_text())
    request = json.loads(recorded["interactions"][0]["request"]["body"])
    expected = json.loads(recorded["interactions"][0]["response"]["body"]["string"])
    request["data"]["attributes"]["queries"][0]["query"] = "avg:datadog.estimated_usage.metrics.custom{*} by {org}.rollup(sum, 60)"
    server = FakeDatadog()
    server.add_tagged_points("datadog.estimated_usage.metrics.custom", ["org:a"], [(1711977645, 1), (1711977705, 1)])
    server.add_tagged_points("datadog.estimated_usage.metrics.custom", ["org:b"], [(1711980225, 87)])
    body = server.timeseries(request).body
    assert body.keys() == expected.keys() and body["data"].keys() == expected["data"].keys()
    attributes = body["data"]["attributes"]
    assert attributes.keys() == expected["data"]["attributes"].keys()
    assert [s.keys() for s in attributes["series"]] == [expected["data"]["attributes"]["series"][0].keys()] * 2
    assert [s["group_tags"] for s in attributes["series"]] == [["org:a"], ["org:b"]]
    assert attributes["times"] == [t - t % 60_000 for t in expected["data"]["attributes"]["times"]]  # 60 s bucket starts
    assert attributes["values"] == [[1, 1, None], [None, None, 87]]
