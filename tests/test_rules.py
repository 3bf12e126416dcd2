"""Rule rows (`pass:` / `warn:`): exact bands at every threshold, in every output (NAME.json, NAME.md,
the HTML page, the picture, the trend chart, the alt text, the badge and the status page) and from
every source (a data file, the loopback Datadog, demo data); descriptions. (The mistakes a team makes
writing rules are test_rule_mistakes.py's.)"""

import json
import math
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from healthgrid.config import load_config
from healthgrid.model.grid import day_start, local_days

from conftest import NOW, ROOT
from fakes.datadog import daily_truth

SYMBOL = {"good": "🟢", "warning": "🟡", "critical": "🔴", None: "⚪"}
below, above = (lambda t: math.nextafter(t, -math.inf)), (lambda t: math.nextafter(t, math.inf))
G, W, C, N = "good", "warning", "critical", None

# (pass, warn, raw values, the band each must get): just below, on and just above each threshold,
# both one float step away and a visible step away.
BOUNDARIES = [
    ("< 5", None, [below(5), 5, above(5), 4.999, 5.001, None], [G, C, C, G, C, N]),
    ("<= 5", None, [below(5), 5, above(5), 4.999, 5.001, None], [G, G, C, G, C, N]),
    ("> 5", None, [below(5), 5, above(5), 4.999, 5.001, None], [C, C, G, C, G, N]),
    (">= 5", None, [below(5), 5, above(5), 4.999, 5.001, None], [C, G, G, C, G, N]),
    ("== 5", None, [below(5), 5, above(5), 4.999, 5.001, None], [C, G, C, C, C, N]),
    ("!= 5", None, [below(5), 5, above(5), 4.999, 5.001, None], [G, C, G, G, G, N]),
    ("< 5", "< 8", [below(5), 5, above(5), below(8), 8, above(8)], [G, W, W, W, C, C]),
    ("< 5", "<= 8", [4.999, 5, 7.999, 8, 8.001, None], [G, W, W, W, C, N]),
    (">= 40000", "> 30000", [below(30000), 30000, above(30000), below(40000), 40000, above(40000)], [C, C, W, W, G, G]),
    (">= 40000", ">= 30000", [29999.99, 30000, 39999.99, 40000, 40000.01, None], [C, W, W, G, G, N]),
    ("== 0", "<= 2", [below(0), 0.0, above(0), 2, above(2), None], [W, G, W, W, C, N]),
    ("> -2.5e-3", None, [below(-2.5e-3), -2.5e-3, above(-2.5e-3), -0.0026, 0, None], [C, C, G, C, G, N]),
    ("<= 0.1", "<= 0.3", [0.1, above(0.1), 0.3, below(0.1), 0.2, None], [G, W, W, G, W, N]),
    ("<1e3", None, [999.5, 1000, 1000.5, None, None, None], [G, C, C, N, N, N]),
]
DAYS = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28"]


def boundary_grid():
    rows = []
    for i, (ok, warn, raw, _) in enumerate(BOUNDARIES):
        row = {"label": f"Rule {i} {ok}" + (f" warn {warn}" if warn else ""), "query": f"avg:rule{i}{{*}}", "unit": "min" if i % 2 else None,
               "pass": ok, "raw": raw, "description": f"Rule number {i}"}
        if warn:
            row["warn"] = warn
        rows.append(row)
    return {"name": "rules", "title": "Rules", "timezone": "UTC", "days": DAYS, "now": NOW, "rows": rows}


def md_rows(text):
    """{label: [cell, ...]} from NAME.md's table."""
    out = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith(("| Metric", "| **")):
            cells = [re.sub(r"\\(.)", r"\1", c.strip()) for c in line.strip("|").split(" | ")]  # Markdown escapes undone
            out[cells[0]] = cells[1:]
    return out


def test_every_comparator_is_exact_at_its_thresholds_in_json_and_markdown(in_tmp, cli):
    (in_tmp / "in.json").write_text(json.dumps(boundary_grid()))
    result = cli("render", "--data", "in.json", "--out", "out", "--format", "html")
    assert result.code == 0, result.err
    data = json.loads((in_tmp / "out" / "rules.json").read_text())
    table = md_rows((in_tmp / "out" / "rules.md").read_text())
    for i, (row, (ok, warn, raw, expected)) in enumerate(zip(data["rows"], BOUNDARIES, strict=False)):
        assert row["bands"] == expected, row["label"]
        assert row["raw"] == raw, "NAME.json keeps the raw value exactly"
        assert row["pass"] == ok.replace("<1e3", "< 1e3") and row.get("warn") == warn
        assert row["description"] == f"Rule number {i}"
        cells = table[row["label"]]
        rule = ("< 1e3" if ok == "<1e3" else ok) + (" min" if row["unit"] else "") + (f" (warn {warn})" if warn else "")
        assert cells[0] == f"{rule} — {row['description']}"
        assert [c.split(" ")[0] for c in cells[1:]] == [SYMBOL[b] for b in expected], row["label"]


@pytest.mark.parametrize("warn", [8, "8", " 8 ", 8.0])
def test_a_bare_warn_number_takes_the_comparator_of_pass(in_tmp, cli, warn):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "days": 3, "rows": [
        {"label": "P90", "query": "avg:p90{*}", "pass": "< 5", "warn": warn, "unit": "min"}]}]}))
    assert load_config("healthgrid.yml").grids[0].rows[0].rule.warn.op == "<"
    doc = boundary_grid()
    doc["days"], doc["rows"] = DAYS[-3:], [{"label": "P90", "pass": ">= 40000", "warn": warn, "raw": [7.9, 8, 8.1]}]
    (in_tmp / "in.json").write_text(json.dumps(doc))
    assert cli("render", "--data", "in.json", "--out", "out", "--theme", "light").code == 0
    row = json.loads((in_tmp / "out" / "rules.json").read_text())["rows"][0]
    assert row["warn"] == f">= {str(warn).strip()}" and row["bands"] == ["critical", "warning", "warning"]


def test_a_cell_never_reads_as_the_threshold_it_is_not(in_tmp, cli):
    (in_tmp / "in.json").write_text(json.dumps(boundary_grid()))
    assert cli("render", "--data", "in.json", "--out", "out", "--format", "html").code == 0
    table = md_rows((in_tmp / "out" / "rules.md").read_text())
    # One float step either side of the threshold: every digit it takes to say which side.
    assert table["Rule 0 < 5"][1:4] == ["🟢 4.999999999999999", "🔴 5", "🔴 5.000000000000001"]
    assert table["Rule 0 < 5"][4:6] == ["🟢 4.999", "🔴 5.001"]
    assert table["Rule 9 >= 40000 warn >= 30000"][3] == "🟡 39999.99 min"


def test_grid_data_round_trips_with_rules_bands_and_descriptions(in_tmp, cli):
    (in_tmp / "in.json").write_text(json.dumps(boundary_grid()))
    assert cli("render", "--data", "in.json", "--out", "a", "--theme", "light").code == 0
    first = (in_tmp / "a" / "rules.json").read_text()
    assert cli("render", "--data", "a/rules.json", "--out", "b", "--theme", "light").code == 0
    assert (in_tmp / "b" / "rules.json").read_text() == first
    assert (in_tmp / "b" / "rules.md").read_text() == (in_tmp / "a" / "rules.md").read_text()


def test_bands_config_never_changes_a_rule_rows_band_and_colours_stay_inside_it(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text("bands: {critical: 0.6, warning: 0.9}\ngrids:\n  - {name: rules, rows: [{label: x, query: 'avg:q{*}'}]}\n")
    (in_tmp / "in.json").write_text(json.dumps(boundary_grid()))
    assert cli("render", "--data", "in.json", "--out", "out", "--format", "html").code == 0
    data = json.loads((in_tmp / "out" / "rules.json").read_text())
    for row, (*_, expected) in zip(data["rows"], BOUNDARIES, strict=False):
        assert row["bands"] == expected
        lo_hi = {"critical": (0, 0.6), "warning": (0.6, 0.9), "good": (0.9, 1.0)}
        for band, value in zip(expected, row["values"], strict=False):
            assert (value is None) if band is None else lo_hi[band][0] <= value < lo_hi[band][1], "the FoM sits inside the rule's band"
    html = (in_tmp / "out" / "rules.html").read_text()
    classes = re.findall(r'<td class="(good|warning|critical)[^"]*"', html)
    assert classes == [b for *_, bands in BOUNDARIES for b in bands if b]


def test_the_picture_colours_rule_cells_by_band_and_never_shows_the_description():
    from healthgrid.model.band import Bands
    from healthgrid.model.rules import Rule, parse_condition
    from healthgrid.render.heatmap import draw, prepare
    from healthgrid.render.style import colormap_and_norm

    from helpers import make_grid, spec_for

    grid = make_grid([("P90", [0.0, 0.0, 0.0, float("nan")], {"raw": [4.0, 5.0, 8.0, float("nan")], "unit": "min"})])
    grid.rows[0].rule = Rule(parse_condition("< 5"), parse_condition("< 8"))
    grid.rows[0].description = "P90 runtime of pre-merge checks"
    bands = Bands(0.2, 0.4)
    plotter = prepare(replace(grid, bands=bands), spec_for(grid))
    cmap, norm = colormap_and_norm("RdYlGn", bands)
    assert list(plotter.cell_texts[0]) == ["4 min", "5 min", "8 min", "no data"]
    for j, middle in enumerate((0.7, 0.3, 0.1)):  # good, warning, critical: the middles of the bands
        assert tuple(plotter.cell_colors[0, j]) == pytest.approx(cmap(norm(middle)))
    assert not any("pre-merge" in t for t in plotter.cell_texts.flat)
    assert not any("pre-merge" in t.get_text() for ax in draw(plotter).axes for t in ax.texts)


def test_a_trend_chart_draws_a_rule_row_at_its_bands_and_names_the_rule():
    from dataclasses import replace

    from healthgrid.model.rules import Rule, parse_condition
    from healthgrid.render import figure_for

    from helpers import make_grid, spec_for

    grid = make_grid([("P90", [0.0, 0.0, 0.0, 0.0], {"raw": [4.0, 5.0, 8.0, 7.5], "unit": "min"})])
    grid.rows[0].rule = Rule(parse_condition("< 5"), parse_condition("< 8"))
    ax = figure_for(grid, replace(spec_for(grid), type="trend"), "light").axes[0]
    assert list(ax.lines[0].get_ydata()) == [0.85, 0.5, 0.15]  # good, warning, critical: the middles of the default bands
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["P90 (today 7.5 min; rule < 5 min (warn < 8))"]


def test_trend_of_a_rule_row_is_the_change_of_its_value_better_by_the_comparator(in_tmp, cli):
    doc = boundary_grid()
    doc["rows"] = [
        {"label": "Lower is better", "pass": "< 5", "unit": "min", "raw": [4, 4, 6, 6, 5, 6.5]},  # earlier mean 5
        {"label": "Higher is better", "pass": ">= 40000", "raw": [40000, 42000, 41000, 41000, 41000, 40500]},
        {"label": "No better side", "pass": "== 0", "raw": [0, 0, 1, 1, 0, 1]},
        {"label": "Flat", "pass": "> 0", "raw": [1, 1, 1, 1, 1, 1]},
        {"label": "Undefined", "pass": "> 0", "raw": [None, None, None, None, None, 1]},
    ]
    (in_tmp / "in.json").write_text(json.dumps(doc))
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: rules, trend: true, rows: [{label: x, query: 'avg:q{*}'}]}\n")
    assert cli("render", "--data", "in.json", "--out", "out", "--format", "png,html", "--theme", "light").code == 0
    trends = [cells[-1] for cells in md_rows((in_tmp / "out" / "rules.md").read_text()).values()]
    assert trends == ["▼ +1.5 min", "▼ −500", "+0.6", "= 0", "–"]
    html = (in_tmp / "out" / "rules.html").read_text()
    assert "<td>▼ +1.5 min</td>" in html and "<td>+0.6</td>" in html


def test_alt_text_names_rule_rows_by_their_rules_band(in_tmp, cli):
    doc = boundary_grid()
    doc["rows"] = [{"label": "Duration", "pass": "< 5", "warn": "< 8", "unit": "min", "raw": [1, 1, 1, 1, 1, 9]},
                   {"label": "SPS", "pass": ">= 40000", "raw": [1, 1, 1, 1, 1, 40000]},
                   {"label": "Missing", "pass": "< 1", "raw": [1, 1, 1, 1, 1, 5]}]
    (in_tmp / "in.json").write_text(json.dumps(doc))
    assert cli("render", "--data", "in.json", "--out", "out", "--theme", "light").code == 0
    md = (in_tmp / "out" / "rules.md").read_text()
    assert "Today so far: 2 critical, 1 good." in md
    assert "Worst today: Duration 9 min (critical); Missing 5 (critical)." in md


# --- a loopback Datadog: values just below, on and just above each threshold ---------------------

TEAM_ROWS = [
    # (label, metric, pass, warn, unit, description, daily values, expected bands)
    ("P90 pre-merge CI duration", "ci.premerge.p90", "< 5", "< 8", "min", "P90 runtime of the pre-merge checks",
     [below(5), 5, above(5), below(8), 8, above(8), 4.2], [G, W, W, W, C, C, G]),
    ("SPS", "train.sps", ">= 40000", None, None, "Training steps per second",
     [below(40000), 40000, above(40000), 39999.5, 40000.5, 12000, 41230], [C, G, G, C, G, C, G]),
    ("Training data missing", "train.data_missing", "< 1", None, None, "Shards missing from the day's data",
     [0, below(1), 1, above(1), 0.5, 3, 0], [G, G, C, C, G, C, G]),
    ("Eval accuracy", "eval.accuracy", "> 0.9", ">= 0.8", "%", "Held-out accuracy",
     [below(0.9), 0.9, above(0.9), below(0.8), 0.8, above(0.8), 0.95], [W, W, G, C, W, W, G]),
]


@pytest.mark.parametrize("tz", ["UTC", "America/New_York"])
def test_daily_values_from_datadog_land_in_the_rules_band(dd, cli, in_tmp, tz):
    now = datetime(2026, 11, 28, 20, tzinfo=timezone.utc)
    days = local_days(now, tz, 7)
    bounds = [int(day_start(d, tz).timestamp()) for d in days] + [int(day_start(days[-1] + timedelta(days=1), tz).timestamp())]
    rows = []
    for label, metric, ok, warn, unit, about, values, _ in TEAM_ROWS:
        points = [(start + 3 * 3600, v) for start, v in zip(bounds, values, strict=False)]
        # Two points a day for the avg rows: the day's mean is the value, through Datadog's own sum/count buckets.
        points += [(start + 5 * 3600, v) for start, v in zip(bounds, values, strict=False)]
        dd.add_points(metric, points)
        assert daily_truth(points, bounds, "avg") == values
        rows.append({"label": label, "group": "Team", "query": f"avg:{metric}{{*}}", "pass": ok, "unit": unit, "description": about,
                     **({"warn": warn} if warn else {})})
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"timezone": tz, "grids": [{"name": "team", "rows": rows}]}))
    result = cli("render", "--now", now.isoformat(), "--format", "png,html", "--theme", "light")
    assert result.code == 0, result.err
    data = json.loads((in_tmp / "healthgrid-out" / "team.json").read_text())
    table = md_rows((in_tmp / "healthgrid-out" / "team.md").read_text())
    html = (in_tmp / "healthgrid-out" / "team.html").read_text()
    for row, (label, _, ok, _warn, _unit, about, values, expected) in zip(data["rows"], TEAM_ROWS, strict=False):
        assert row["raw"] == values, label
        assert row["bands"] == expected, label
        assert [c.split(" ")[0] for c in table[label][1:]] == [SYMBOL[b] for b in expected], label
        assert about in table[label][0] and ok in table[label][0]
        assert f'title="{label} · ' in html and about.replace("'", "&#x27;") in html
    classes = re.findall(r'<td class="(good|warning|critical)[^"]*"', html)
    assert classes == [b for *_, bands in TEAM_ROWS for b in bands]


# --- demo data ----------------------------------------------------------------------------------------

EXAMPLE = ROOT / "examples" / "team_health.yml"


def _satisfies(op, value, threshold):
    return {"<": value < threshold, "<=": value <= threshold, ">": value > threshold, ">=": value >= threshold,
            "==": value == threshold, "!=": value != threshold}[op]


def test_demo_values_fall_clearly_on_both_sides_of_every_threshold(in_tmp, cli):
    result = cli("render", "--demo", "--config", str(EXAMPLE), "--out", "out", "--now", NOW, "--format", "html")
    assert result.code == 0, result.err
    checked = 0
    for path in sorted(p for p in (in_tmp / "out").glob("*.json") if not p.name.endswith(".badge.json")):
        for row in json.loads(path.read_text())["rows"]:
            if "pass" not in row:
                continue
            conditions = [c.split(" ") for c in (row["pass"], row.get("warn")) if c]
            thresholds = sorted({float(t) for _, t in conditions})
            gap = (thresholds[-1] - thresholds[0]) or max(abs(thresholds[0]) * 0.2, 1.0)
            seen = set()
            for raw, band in zip(row["raw"], row["bands"], strict=False):
                if raw is None:
                    assert band is None
                    continue
                ok = _satisfies(conditions[0][0], raw, float(conditions[0][1]))
                meets_warn = len(conditions) > 1 and _satisfies(conditions[1][0], raw, float(conditions[1][1]))
                assert band == ("good" if ok else "warning" if meets_warn else "critical"), (row["label"], raw)
                seen.add(band)
                # Only the threshold itself meets "== 0" (or fails "!= 0"), and a count failing "> 0" is 0.
                exact = {float(t) for op, t in conditions if op in ("==", "!=")} | ({0.0} if row["pass"] == "> 0" else set())
                if raw not in exact:
                    assert min(abs(raw - t) for t in thresholds) >= 0.01 * max(gap, *map(abs, thresholds)), (row["label"], raw, "on a threshold")
            assert seen >= {"good", "critical"} | ({"warning"} if "warn" in row else set()), row["label"]
            checked += 1
    assert checked >= 6


def test_the_team_example_loads_with_rules_and_descriptions():
    config = load_config(str(EXAMPLE))
    assert sum(1 for g in config.grids for r in g.rows if r.rule) >= 6
    assert all(r.description for g in config.grids for r in g.rows)

# --- a team's own schema of 26 rules in Category (grid) -> Workflow (group) -> Metric (row) -----------
# Daily values just below, on and just above every threshold, from the loopback Datadog: every output
# must say the band the rule gives.

SCHEMA_NOW = datetime(2026, 11, 28, 20, tzinfo=timezone.utc)
TZ = "UTC"
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
    ("ci", "Release", "Deploys", "avg", "> 0", None, None, None, "A step rule: any deploy passes",
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


def schema_config(tz=TZ, palette=None, trend=True):
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
    days = local_days(SCHEMA_NOW, TZ, 7)
    bounds = [int(day_start(d, TZ).timestamp()) for d in days]
    for *_, label, _space, _ok, _warn, _unit, _agg, _about, values in SCHEMA:
        dd.add_points("team." + re.sub(r"\W+", "_", label.lower()), points_for(label, values, bounds))
    (in_tmp / "healthgrid.yml").write_text(json.dumps(schema_config()))
    return in_tmp


def oracle(ok, warn, values):
    return [expected_band(ok, warn, day_value(v)) for v in values]


def md_rows_split(text):
    """{label: [rule, cell, ..., trend]} from NAME.md's table, Markdown escapes undone (cells split only at unescaped pipes)."""
    out = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith(("| Metric", "| **")):
            cells = [re.sub(r"\\(.)", r"\1", c.strip()) for c in re.split(r"(?<!\\) \| ", line.strip().strip("|"))]
            out[cells[0]] = cells[1:]
    return out


def counts(bands):
    return {b: bands.count(b) for b in ("good", "warning", "critical", None)}


def run_team(cli, out="out", fmt="png,html"):
    result = cli("run", "--publish", "none", "--now", SCHEMA_NOW.isoformat(), "--format", fmt, "--theme", "light", "--out", out)
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
        table, html = md_rows_split(md_text), (out / f"{name}.html").read_text()
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
    run_team(cli, fmt="html")
    seen = set()
    for name in ("ci", "training"):
        html = (team / "out" / f"{name}.html").read_text()
        for band, colour in re.findall(r'<td class="(good|warning|critical)[^"]*" style="background:(#[0-9a-f]{6})', html):
            assert hue_band(colour) == band, (name, band, colour)
            seen.add(band)
    assert seen == {"good", "warning", "critical"}
