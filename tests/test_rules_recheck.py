"""Issue 14's acceptance check, re-run with a team schema of its own: 26 rules in Category (grid) →
Workflow (group) → Metric (row), daily values just below, on and just above every threshold, from
the loopback Datadog; every output must say the band the rule gives."""

import json
import math
import re
from datetime import datetime, timezone

import pytest

from healthgrid.model.grid import day_start, local_days

below, above = (lambda t: math.nextafter(t, -math.inf)), (lambda t: math.nextafter(t, math.inf))
NOW = datetime(2026, 11, 28, 20, tzinfo=timezone.utc)
TZ = "UTC"
SYMBOL = {"good": "🟢", "warning": "🟡", "critical": "🔴", None: "⚪"}
OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
       "==": lambda a, b: a == b, "!=": lambda a, b: a != b}
SUM_03 = "0.1+0.2"  # a day whose two points 0.1 and 0.2 sum (aggregation sum) to 0.30000000000000004


def edges(t):
    return [below(t), t, above(t)]


# (category, workflow, metric label, query space, pass, warn, unit, aggregation, description, 7 daily values)
SCHEMA = [
    ("ci", "Pre-merge", "P90 duration", "avg", "< 5", "< 8", "min", None, "P90 of <b>pre-merge</b> checks & `lint`",
     [*edges(5), *edges(8), 4.2]),
    ("ci", "Pre-merge", "P50 duration", "avg", "<= 3", "<= 6", "min", None, "Median | *all* jobs",
     [*edges(3), *edges(6), 2.999]),
    ("ci", "Pre-merge", "Flaky tests", "avg", "== 0", "<= 2", None, None, "Tests retried then passed _today_",
     [-0.0, 0, above(0), 2, above(2), 1, 5e-324]),
    ("ci", "Pre-merge", "Queue wait", "avg", "< 1E3", None, "s", None, "Queue time [docs](https://example.com/q)",
     [999, 999.999, 1000, above(1000), 1001, 0, 1e3]),
    ("ci", "Post-merge", "Green builds", "avg", ">= 0.95", "> 0.8", "%", None, "Share of builds \"green\" on main",
     [*edges(0.95), *edges(0.8), 1]),
    ("ci", "Post-merge", "Broken main", "avg", "!= 1", None, None, None, "1 when main is red; <script>alert(1)</script>",
     [0, 1, below(1), above(1), 2, 1.0, -1]),
    ("ci", "Post-merge", "Build cost", "sum", "<= 0.3", None, "$", "sum", "Cost per build (back\\slash)",
     [SUM_03, 0.3, below(0.3), above(0.3), 0.29, 0.31, 0.30000000000000004]),
    ("ci", "Post-merge", "Revert rate", "avg", "< 2.5e-2", "<= +5E-2", None, None, "Reverts over merges; 'quoted'",
     [*edges(0.025), -0.0, 0, below(0), 0.01]),
    ("ci", "Release", "Release lag", "avg", "<= 2.5E+2", "<= 500", "h", None, "Hours from tag to deploy #1",
     [*edges(250), *edges(500), 100]),
    ("ci", "Release", "Tiny drift", "avg", "> 1e-300", None, None, None, "Drift ~ 1e-300 {braces}",
     [*edges(1e-300), 0, 5e-324, 1, 2e-300]),
    ("ci", "Release", "Rollback score", "avg", "> -0.5", "> -1.5", None, None, "Negative thresholds",
     [*edges(-0.5), *edges(-1.5), 0]),
    ("ci", "Release", "Deploys", "avg", "> 0", None, None, None, "The seed's step rule",
     [0, 5e-324, -5e-324, 1, 0.0, 2, -1]),
    ("ci", "Release", "Canary errors", "avg", "< .5", "8", None, None, "Bare-number warn 8 takes <",
     [*edges(0.5), *edges(8), 0.1]),
    ("training", "Throughput", "SPS", "avg", ">= 4e4", "> 3.5e4", None, None, "Steps/s — higher is better",
     [39999, 40000, 40001, *edges(35000), 4e4]),
    ("training", "Throughput", "Tokens/s", "avg", "> 40000", "35000", None, None, "Bare warn takes >",
     [*edges(40000), *edges(35000), 40000.5]),
    ("training", "Throughput", "GPU util", "avg", ">= 90", ">= 75", "%", None, "Mean GPU utilisation",
     [*edges(90), *edges(75), 99.9]),
    ("training", "Throughput", "Step time", "max", "<= 1.5", "< 2", "s", "max", "Slowest step of the day",
     [*edges(1.5), *edges(2), 1]),
    ("training", "Data", "Training data missing", "avg", "< 1", None, None, None, "Shards missing",
     [0, below(1), 1, above(1), 0.5, 3, 0]),
    ("training", "Data", "Dedup ratio", "sum", "== 0.3", None, None, "sum", "Exact-match ratio",
     [SUM_03, 0.3, below(0.3), above(0.3), 0.1 * 3, 0.3, 0.29]),
    ("training", "Data", "Label noise", "avg", "<= 1e-3", "<= 1e-2", None, None, "Estimated label noise",
     [*edges(1e-3), *edges(1e-2), 0]),
    ("training", "Data", "Ingest lag", "min", "< 60", "< 120", "min", "min", "Warn up to two hours",
     [*edges(60), 59, 61, 120, 0]),
    ("training", "Eval", "Accuracy", "avg", "> 0.9", ">= 0.8", "%", None, "Held-out accuracy",
     [*edges(0.9), *edges(0.8), 0.95]),
    ("training", "Eval", "Loss", "avg", "< 2.0", "< 2.5", None, None, "Validation loss",
     [*edges(2), *edges(2.5), 1.2]),
    ("training", "Eval", "Perplexity", "avg", "<= 12", None, None, None, "PPL",
     [*edges(12), 11, 13, 12.0, 12.5]),
    ("training", "Eval", "Regression count", "avg", "!= 0", "== 0", None, None, "Nonzero is good?!",
     [0, above(0), below(0), 1, 0.0, -0.0, 7]),
    ("training", "Eval", "P90 eval latency", "p90", "< 4e4", "<= 40001", "ms", None, "P90 of eval latency",
     [39999, 40000, 40001, below(4e4), above(40001), 40001, 1]),
]
assert len(SCHEMA) == 26


def day_value(v):
    return 0.1 + 0.2 if v == SUM_03 else v


def expected_band(ok, warn, value):
    def holds(cond, bare_op):
        op, number = re.fullmatch(r"\s*(<=|>=|==|!=|<|>)?\s*(\S+)\s*", cond).groups()
        return OPS[op or bare_op](value, float(number))
    pass_op = re.match(r"(<=|>=|==|!=|<|>)", ok).group(1)
    if holds(ok, None):
        return "good"
    if warn is not None and holds(warn, pass_op):
        return "warning"
    return "critical"


def points_for(metric, values, bounds):
    points = []
    for start, v in zip(bounds, values, strict=False):
        if v == SUM_03:
            points += [(start + 3 * 3600, 0.1), (start + 4 * 3600, 0.2)]
        else:
            points.append((start + 3 * 3600, v))
    return points


def config(tz=TZ, palette=None, trend=True):
    grids = {}
    for cat, flow, label, space, ok, warn, unit, agg, about, _ in SCHEMA:
        metric = "team." + re.sub(r"\W+", "_", label.lower())
        row = {"label": label, "group": flow, "query": f"{space}:{metric}{{env:prod}}", "pass": ok, "description": about}
        row.update({k: v for k, v in (("warn", warn), ("unit", unit), ("aggregation", agg)) if v is not None})
        grids.setdefault(cat, []).append(row)
    out = {"timezone": tz, "grids": [{"name": n, "title": n.title() + " health", "trend": trend, "rows": rows} for n, rows in grids.items()]}
    if palette:
        for g in out["grids"]:
            g["palette"] = palette
    return out


@pytest.fixture
def team(dd, in_tmp):
    days = local_days(NOW, TZ, 7)
    bounds = [int(day_start(d, TZ).timestamp()) for d in days]
    for *_, label, _space, _ok, _warn, _unit, _agg, _about, values in SCHEMA:
        dd.add_points("team." + re.sub(r"\W+", "_", label.lower()), points_for(label, values, bounds))
    (in_tmp / "healthgrid.yml").write_text(json.dumps(config()))
    return in_tmp


def oracle(ok, warn, values):
    return [expected_band(ok, warn, day_value(v)) for v in values]


def md_rows(text):
    """{label: [rule, cell, ..., trend]} from NAME.md's table, Markdown escapes undone."""
    out = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith(("| Metric", "| **")):
            cells = [re.sub(r"\\(.)", r"\1", c.strip()) for c in re.split(r"(?<!\\) \| ", line.strip().strip("|"))]
            out[cells[0]] = cells[1:]
    return out


def counts(bands):
    return {b: bands.count(b) for b in ("good", "warning", "critical", None)}


def run_team(cli, out="out", fmt="png,html"):
    result = cli("run", "--publish", "none", "--now", NOW.isoformat(), "--format", fmt, "--theme", "light", "--out", out)
    assert result.code == 0, result.err
    return result


def test_every_cell_of_a_26_rule_schema_lands_in_its_band_in_every_output(team, cli):
    run_team(cli)
    out = team / "out"
    index = (out / "index.html").read_text()
    for name in ("ci", "training"):
        schema = [s for s in SCHEMA if s[0] == name]
        data = json.loads((out / f"{name}.json").read_text())
        md_text = (out / f"{name}.md").read_text()
        table, html = md_rows(md_text), (out / f"{name}.html").read_text()
        assert [r["label"] for r in data["rows"]] == [s[2] for s in schema]
        all_bands = []
        for row, (_, flow, label, _space, ok, warn, unit, _agg, about, values) in zip(data["rows"], schema, strict=True):
            expected = oracle(ok, warn, values)
            all_bands += expected
            assert row["group"] == flow
            assert row["raw"] == [day_value(v) for v in values], label
            assert row["bands"] == expected, label
            cells = table[label]
            assert [c.split(" ")[0] for c in cells[1:8]] == [SYMBOL[b] for b in expected], label
            assert cells[0].endswith(" — " + about), (label, cells[0])
            assert cells[0].startswith(f"{ok.strip()}{' ' + unit if unit else ''}"), cells[0]
            # HTML: the description, escaped for an attribute and for text, never raw.
            escaped = about.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#x27;")
            assert f'<span class="sr"> {escaped}</span>' in html, label
            # Trend: the raw change, its arrow by the comparator.
            raw = row["raw"]
            change = raw[-1] - sum(raw[:-1]) / 6
            trend = cells[-1]
            if abs(change) > 1e-9 * max(1.0, abs(raw[-1])):
                sign = "+" if change > 0 else "−"
                assert sign in trend, (label, trend, change)
                better = {"<": -1, "<=": -1, ">": 1, ">=": 1}.get(re.match(r"[<>=!]+", ok).group(0), 0) * change
                assert trend.startswith("▲" if better > 0 else "▼" if better < 0 else sign), (label, trend)
        assert "<script>" not in html and "<b>pre-merge" not in html
        classes = re.findall(r'<td class="(good|warning|critical|nodata)[^"]*"', html)
        assert classes == [b or "nodata" for b in all_bands]
        # Today's column: alt text, badge and index.html agree with the bands.
        today = counts([oracle(s[4], s[5], s[9])[-1] for s in schema])
        said = "Today so far: " + ", ".join(f"{today[b]} {w}" for b, w in (("critical", "critical"), ("warning", "warning"), ("good", "good"),
                                                                           (None, "with no data")) if today[b]) + "."
        assert md_text.count(said) == 2, (said, md_text[:600])
        badge = json.loads((out / f"{name}.badge.json").read_text())
        assert badge["message"] == " · ".join(f"{today[b]} {w}" for b, w in (("good", "ok"), ("warning", "warn"), ("critical", "crit"), (None, "no data"))
                                              if today[b] or b == "good")
        assert badge["color"] == "red"
        card = index.split(f'id="grid-{name}"', 1)[1].split("</article>", 1)[0]
        plain = re.sub(r"<[^>]+>", "", card)
        worst_md = md_text.split("Worst today: ", 1)[1].split(".]", 1)[0]
        assert "Worst today: " + worst_md.replace("\\", "") in plain, "index.html names the worst rows with their group, as the alt text does"
        assert (f"✓ {today['good']} ok · ▲ {today['warning']} warning · ✖ {today['critical']} critical · ○ {today[None]} no data") in plain


def hue_band(hex_colour):
    import colorsys

    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    h, lightness, s = colorsys.rgb_to_hls(r, g, b)
    h *= 360
    if s < 0.25:
        return "grey"
    return "critical" if h < 25 or h > 335 else "warning" if h < 65 else "good" if h < 170 else "other"


def test_default_palette_html_cells_agree_in_hue_with_their_band(team, cli):
    run_team(cli)
    seen = set()
    for name in ("ci", "training"):
        html = (team / "out" / f"{name}.html").read_text()
        for band, colour in re.findall(r'<td class="(good|warning|critical)[^"]*" style="background:(#[0-9a-f]{6})', html):
            assert hue_band(colour) == band, (name, band, colour)
            seen.add(band)
    assert seen == {"good", "warning", "critical"}


CONFIG_MISTAKES = [
    ({"pass": "< 5", "score": {"good": 0, "bad": 10}}, ["grids[0].rows[0].pass: cannot be used with score"]),
    ({"pass": "≤ 5"}, ["grids[0].rows[0].pass: '≤ 5' is not a condition"]),
    ({"pass": "<< 5"}, ["grids[0].rows[0].pass: '<< 5' is not a condition"]),
    ({"pass": "< 5;"}, ["grids[0].rows[0].pass: '< 5;' is not a condition"]),
    ({"pass": "> nan"}, ["grids[0].rows[0].pass: '> nan' is not a condition"]),
    ({"pass": "< inf"}, ["grids[0].rows[0].pass: '< inf' is not a condition"]),
    ({"pass": "< 0x10"}, ["grids[0].rows[0].pass: '< 0x10' is not a condition"]),
    ({"pass": "< 1_000"}, ["grids[0].rows[0].pass: '< 1_000' is not a condition"]),
    ({"pass": "> -1e400"}, ["grids[0].rows[0].pass: '> -1e400': the number must be finite"]),
    ({"pass": ""}, ["grids[0].rows[0].pass: '' is not a condition"]),
    # Control characters and non-ASCII digits or spaces are refused, as in labels (they used to pass as spaces).
    ({"pass": "<\n5"}, ["grids[0].rows[0].pass: '<\\n5' is not a condition"]),
    ({"pass": "<\t5"}, ["grids[0].rows[0].pass: '<\\t5' is not a condition"]),
    ({"pass": "\u2028< 5"}, ["grids[0].rows[0].pass: '\\u2028< 5' is not a condition"]),
    ({"pass": "< 5", "warn": "<\x855"}, ["grids[0].rows[0].warn: '<\\x855' is not a condition"]),
    ({"pass": "< \u0665"}, ["grids[0].rows[0].pass: '< \u0665' is not a condition"]),
    ({"pass": "=> 5", "warn": "<> 8"}, ["grids[0].rows[0].pass: '=> 5' is not a condition: did you mean '>= 5'?",
                                        "grids[0].rows[0].warn: '<> 8' is not a condition: did you mean '!= 8'?"]),
    ({"warn": "< 5", "description": "d"}, ["grids[0].rows[0].warn: needs pass"]),
    ({"pass": "> 0", "description": ["not", "text"]}, ["grids[0].rows[0].description: must be a string"]),
]


@pytest.mark.parametrize("extra,expected", CONFIG_MISTAKES, ids=[repr(e) for e, _ in CONFIG_MISTAKES])
def test_rule_mistakes_exit_2_with_one_line_per_error(in_tmp, cli, extra, expected):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "rows": [
        {"label": "A", "query": "avg:a{*}", **extra}]}]}))
    result = cli("render", "--demo", "--out", "out", "--now", NOW.isoformat())
    lines = result.err.splitlines()
    assert result.code == 2, result.err
    assert len(lines) == len(expected), result.err
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith("healthgrid: error: " + start), line
        assert "Traceback" not in line
    assert not (in_tmp / "out").exists()


def test_a_p90_row_in_new_york_is_never_asked_in_sub_day_buckets(dd, in_tmp, cli):
    tz = "America/New_York"
    days = local_days(NOW, tz, 7)
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
    result = cli("render", "--now", NOW.isoformat(), "--out", "out", "--theme", "light")
    assert result.code == 0, result.err
    queries = [q["query"] for call in dd.calls("POST", "/api/v2/query/timeseries")
               for q in call.json()["data"]["attributes"]["queries"]]
    p90 = [q for q in queries if q.startswith("p90:")]
    assert p90 and all(q.endswith(f".rollup(avg, daily, 12am, '{tz}')") or re.search(r"\.rollup\(\w+, 86400\)$", q) for q in p90), p90
    assert not any(re.search(r"\.rollup\(\w+, (\d+)\)$", q) and int(re.search(r"(\d+)\)$", q).group(1)) < 86400 for q in p90)
    row = json.loads((in_tmp / "out" / "ny.json").read_text())["rows"][0]
    from fakes.datadog import percentile
    truth = [percentile([1.0] * 69 + [v] * 3, 90) for v in values]
    assert row["raw"] == truth
    assert row["bands"] == oracle("< 4e4", "<= 40001", truth)


@pytest.mark.parametrize("query,why", [("timeshift(p99.9:ci.duration{*}, -3600)", "it shifts the series in time"),
                                       ("cumsum(avg:ci.duration{*})", "depends on the time window shown")])
def test_a_function_without_a_daily_meaning_is_a_config_error(in_tmp, cli, query, why):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"timezone": "America/New_York", "grids": [{"name": "g", "rows": [
        {"label": "P90", "query": query, "pass": "< 5"}]}]}))
    result = cli("render", "--demo", "--out", "out", "--now", NOW.isoformat())
    assert result.code == 2 and len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith("healthgrid: error: grids[0].rows[0].query: function ") and why in result.err, result.err


@pytest.mark.parametrize("query", ["p90:ci.duration{*}", " p50:ci.duration{env:ci}", "avg:ci.q{quantile:p90:x}", "avg:ci.p90_x{*}",
                                   "(p90:ci.duration{*}) / 60", "abs(p90:ci.duration{*})", "avg:ci.wait{*} + p95:ci.duration{*}"])
def test_a_query_starting_with_a_percentile_or_naming_one_in_a_tag_loads(in_tmp, cli, query):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "rows": [{"label": "P90", "query": query, "pass": "< 5"}]}]}))
    result = cli("render", "--demo", "--out", "out", "--now", NOW.isoformat(), "--theme", "light")
    assert result.code == 0, result.err
