"""Rule rows (`pass:` / `warn:`): exact bands at every threshold, in every output and from every
source; descriptions; the config mistakes a team makes."""

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
    result = cli("render", "--data", "in.json", "--out", "out", "--theme", "light")
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
    assert cli("render", "--data", "in.json", "--out", "out", "--theme", "light").code == 0
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
    assert cli("render", "--data", "in.json", "--out", "out", "--format", "png,html", "--theme", "light").code == 0
    data = json.loads((in_tmp / "out" / "rules.json").read_text())
    for row, (*_, expected) in zip(data["rows"], BOUNDARIES, strict=False):
        assert row["bands"] == expected
        lo_hi = {"critical": (0, 0.6), "warning": (0.6, 0.9), "good": (0.9, 1.0)}
        for band, value in zip(expected, row["values"], strict=False):
            assert (value is None) if band is None else lo_hi[band][0] <= value < lo_hi[band][1], "the FoM sits inside the rule's band"
    html = (in_tmp / "out" / "rules.html").read_text()
    classes = re.findall(r'<td class="(good|warning|critical)[^"]*"', html)
    assert classes == [b for *_, bands in BOUNDARIES for b in bands if b]


DATA_MISTAKES = [
    ({"pass": "< 5", "values": [1, 2, 3, 4, 5, 6]}, "rows[0].raw: is required for a row with pass"),
    ({"pass": "< 5", "raw": [1] * 6, "score": {"good": 0, "bad": 9}}, "rows[0].pass: cannot be used with score"),
    ({"pass": "5 <", "raw": [1] * 6}, "rows[0].pass: '5 <' is not a condition"),
    ({"pass": "< " + "1" * 40, "raw": [1] * 6}, "rows[0].pass: a condition is OP NUMBER, at most 40 characters"),
    ({"warn": "< 5", "values": [1] * 6}, "rows[0].warn: needs pass"),
    ({"pass": "< 5", "raw": [1] * 6, "bands": ["good"] * 5}, "rows[0].bands: must list 6 of good, warning, critical or null"),
    ({"values": [1] * 6, "bands": ["good"] * 5 + ["fine"]}, "rows[0].bands: must list 6 of good, warning, critical or null"),
    ({"pass": "< 5", "raw": [1] * 6, "description": 7}, "rows[0].description: must be a string"),
]


@pytest.mark.parametrize("row,expected", DATA_MISTAKES, ids=[e for _, e in DATA_MISTAKES])
def test_grid_data_with_a_broken_rule_row_is_exit_2_naming_it(in_tmp, cli, row, expected):
    doc = boundary_grid()
    doc["rows"] = [{"label": "A", **row}]
    (in_tmp / "in.json").write_text(json.dumps(doc))
    result = cli("render", "--data", "in.json", "--out", "out")
    assert result.code == 2 and result.err.startswith(f"healthgrid: error: --data in.json: {expected}"), result.err
    assert not (in_tmp / "out").exists()


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


# --- config mistakes ----------------------------------------------------------------------------------

ROW = "{label: A, query: 'avg:a{*}'"
BAD_RULES = [
    (ROW + ", pass: '< 5', score: {good: 1, bad: 9}}", "grids[0].rows[0].pass: cannot be used with score"),
    (ROW + ", warn: '< 8'}", "grids[0].rows[0].warn: needs pass"),
    (ROW + ", pass: '5'}", "grids[0].rows[0].pass: '5' is not a condition"),
    (ROW + ", pass: '=< 5'}", "grids[0].rows[0].pass: '=< 5' is not a condition"),
    (ROW + ", pass: '< 5 min'}", "grids[0].rows[0].pass: '< 5 min' is not a condition"),
    (ROW + ", pass: '< five'}", "grids[0].rows[0].pass: '< five' is not a condition"),
    (ROW + ", pass: '< 1e999'}", "grids[0].rows[0].pass: '< 1e999': the number must be finite"),
    (ROW + ", pass: '< 5', warn: '> x'}", "grids[0].rows[0].warn: '> x' is not a condition"),
    (ROW + ", pass: 5}", "grids[0].rows[0].pass: must be a condition in quotes"),
    (ROW + ", pass: '< 5', warn: '< 3'}", "grids[0].rows[0].warn: '< 3' never applies"),
    (ROW + ", pass: '!= 0', warn: '> 1'}", "grids[0].rows[0].warn: '> 1' never applies"),
    (ROW + ", pass: '== 0', warn: 2}", "grids[0].rows[0].warn: '2' is not a condition"),
    (ROW + ", pass: '< 5', descripton: x}", "grids[0].rows[0].descripton: unknown key (did you mean 'description'?)"),
    (ROW + "}, " + ROW + "}", "grids[0].rows[1].label: duplicate label 'A' in the rows without a group (also rows[0])"),
    ("{label: Hearts, group: T, query: 'avg:q{*}'}, {label: ' hearts ', group: T, query: 'avg:r{*}'}",
     "grids[0].rows[1].label: duplicate label ' hearts ' in group 'T'"),
]


@pytest.mark.parametrize("rows,expected", BAD_RULES, ids=[e for _, e in BAD_RULES])
def test_rule_mistakes_are_exit_2_naming_the_key(in_tmp, cli, rows, expected):
    (in_tmp / "healthgrid.yml").write_text(f"grids:\n  - name: g\n    rows: [{rows}]\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    assert result.code == 2
    assert result.err.splitlines() == [result.err.strip()], "one line"
    assert result.err.startswith("healthgrid: error: " + expected), result.err
    assert not (in_tmp / "out").exists()


def test_a_label_may_repeat_across_groups_but_not_within_one(in_tmp, cli):
    rows = "      - {label: Hearts, group: Local, query: 'avg:a{*}'}\n      - {label: Hearts, group: Remote, query: 'avg:b{*}'}\n"
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - name: g\n    rows:\n" + rows + "      - {label: Hearts, group: Remote, query: 'avg:c{*}'}\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    assert result.code == 2
    assert result.err.startswith("healthgrid: error: grids[0].rows[2].label: duplicate label 'Hearts' in group 'Remote' (also rows[1])")
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - name: g\n    rows:\n" + rows)
    assert cli("render", "--demo", "--out", "out", "--now", NOW, "--theme", "light").code == 0


def test_every_config_error_of_a_file_is_reported_at_once(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text(
        "timezone: Mars/Olympus\n"
        "grids:\n"
        "  - name: Bad Name\n"
        "    days: 0\n"
        "    rows:\n"
        "      - {label: A, query: 'avg:q{*}', pass: '< x'}\n"
        "      - {label: B, query: 'avg:q{*}', warn: '< 3'}\n"
        "      - {label: A, query: 'avg:q{*}'}\n"
        "  - name: ok\n"
        "    palette: RdYlGr\n"
        "    rows: [{label: C, query: 'avg:q{*}', pass: '< 1', score: {good: 0, bad: 1}}]\n"
        "publish: {to: ftp}\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    assert result.code == 2
    expected = [
        "grids[0].name: 'Bad Name' must match",
        "grids[0].rows[0].pass: '< x' is not a condition: write OP NUMBER, e.g. '< 5' or '>= 40000' (OP one of <, <=, >, >=, ==, !=)",
        "grids[0].rows[1].warn: needs pass: on the same row",
        "grids[0].rows[2].label: duplicate label 'A' in the rows without a group (also rows[0])",
        "timezone: unknown IANA time zone 'Mars/Olympus'",
        "grids[0].days: must be between 1 and 90, got 0",
        "grids[1].rows[0].pass: cannot be used with score on the same row",
        "grids[1].palette: ",
        "publish.to: must be one of ghpages, imgur, s3, none; got 'ftp'",
    ]
    lines = result.err.splitlines()
    assert len(lines) == len(expected), result.err
    for line, start in zip(lines, expected, strict=False):
        assert line.startswith("healthgrid: error: " + start), line
    assert not (in_tmp / "out").exists()


def test_errors_past_the_limit_are_counted_not_listed(in_tmp, cli):
    rows = ", ".join(f"{{label: R{i}, query: 'avg:q{{*}}', pass: 'bad {i}'}}" for i in range(25))
    (in_tmp / "healthgrid.yml").write_text(f"grids:\n  - name: g\n    rows: [{rows}]\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    lines = result.err.splitlines()
    assert result.code == 2 and len(lines) == 21
    assert all(line.startswith(f"healthgrid: error: grids[0].rows[{i}].pass: 'bad {i}'") for i, line in enumerate(lines[:20]))
    assert lines[20] == "healthgrid: error: 5 more config errors not shown; fix these first"


def test_the_action_annotates_each_config_error(in_tmp):
    import io

    from healthgrid.action import main as action_main

    (in_tmp / "healthgrid.yml").write_text(
        "grids:\n  - name: g\n    rows: [{label: A, query: 'avg:q{*}', pass: x}, {label: B, query: 'avg:q{*}', warn: '< 1'}]\n")
    env = {"INPUT_DEMO": "true", "INPUT_PUBLISH": "none", "INPUT_NOW": NOW, "GITHUB_OUTPUT": str(in_tmp / "o"), "GITHUB_STEP_SUMMARY": str(in_tmp / "s")}
    out = io.StringIO()
    assert action_main(env, out, io.StringIO()) == 2
    annotations = [line for line in out.getvalue().splitlines() if line.startswith("::error")]
    assert len(annotations) == 2
    assert "grids[0].rows[0].pass" in annotations[0] and "grids[0].rows[1].warn: needs pass" in annotations[1]


@pytest.mark.parametrize("zone,meant", [("EST", "America/New_York"), ("MST", "America/Denver"), ("CET", "Europe/Berlin"), ("EET", "Europe/Athens")])
def test_timezone_abbreviations_warn_naming_the_zone_probably_meant(in_tmp, cli, zone, meant):
    (in_tmp / "healthgrid.yml").write_text(f"timezone: {zone}\ngrids:\n  - {{name: g, rows: [{{label: A, query: 'avg:q{{*}}'}}]}}\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW, "--theme", "light")
    assert result.code == 0
    warnings = [line for line in result.err.splitlines() if "warning" in line]
    assert len(warnings) == 1, result.err
    assert warnings[0].startswith(f"healthgrid: warning: timezone: '{zone}' is ") and f"you probably mean {meant}" in warnings[0]


def test_a_grids_own_abbreviated_zone_is_blamed_on_the_grid(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, timezone: EST, rows: [{label: A, query: 'avg:q{*}'}]}\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW, "--theme", "light")
    assert ("healthgrid: warning: grids[0].timezone: 'EST' is a fixed offset all year, with no daylight-saving time; "
            "you probably mean America/New_York") in result.err


def test_an_abbreviation_tzdata_lacks_suggests_the_zone(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text("timezone: PST\ngrids:\n  - {name: g, rows: [{label: A, query: 'avg:q{*}'}]}\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    assert result.code == 2
    assert result.err == "healthgrid: error: timezone: unknown IANA time zone 'PST' (did you mean America/Los_Angeles?)\n"


YAML_MISTAKES = [
    ("grids:\n\t- name: g\n", "healthgrid.yml:2:1: invalid YAML: ", "a tab: YAML indents with spaces only"),
    ("grids:\n  - name: g\n    rows:\n      - {label: A, query: avg:foo{env:prod}}\n", "healthgrid.yml:4:34: invalid YAML: ",
     "quote the query, e.g. query: 'avg:metric{env:prod}'"),
    ("grids:\n  - name: g\n    rows:\n      - label: A\n        query: avg:foo{env: prod}\n", "healthgrid.yml:5:27: invalid YAML: ",
     "quote the query"),
    ("grids:\n  - name: g\n    rows:\n      - label: A\n        query: q\n        pass: >= 40000\n", "healthgrid.yml:6:16: invalid YAML: ",
     "quote conditions, e.g. pass: \">= 40000\""),
    ("grids:\n  - name: g\n    rows:\n      - label: A\n       query: q\n", "healthgrid.yml:5:8: invalid YAML: ", "check the indentation"),
    ("grids:\n  - name: g\n   rows: []\n", "healthgrid.yml:3:4: invalid YAML: ", "check the indentation"),
]


@pytest.mark.parametrize("text,where,hint", YAML_MISTAKES, ids=[h for *_, h in YAML_MISTAKES])
def test_yaml_syntax_errors_keep_line_and_column_and_hint_at_the_cause(in_tmp, cli, text, where, hint):
    (in_tmp / "healthgrid.yml").write_text(text)
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    assert result.code == 2 and len(result.err.splitlines()) == 1
    assert result.err.startswith("healthgrid: error: " + where), result.err
    assert "(hint: " in result.err and hint in result.err.split("(hint: ", 1)[1]


# --- demo data ----------------------------------------------------------------------------------------

EXAMPLE = ROOT / "examples" / "team_health.yml"


def _satisfies(op, value, threshold):
    return {"<": value < threshold, "<=": value <= threshold, ">": value > threshold, ">=": value >= threshold,
            "==": value == threshold, "!=": value != threshold}[op]


def test_demo_values_fall_clearly_on_both_sides_of_every_threshold(in_tmp, cli):
    result = cli("render", "--demo", "--config", str(EXAMPLE), "--out", "out", "--now", NOW, "--theme", "light")
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
    again = cli("render", "--demo", "--config", str(EXAMPLE), "--out", "again", "--now", NOW, "--theme", "light")
    assert again.code == 0
    assert all((in_tmp / "again" / p.name).read_bytes() == p.read_bytes() for p in (in_tmp / "out").iterdir())


def test_the_team_example_loads_with_rules_and_descriptions():
    config = load_config(str(EXAMPLE))
    assert sum(1 for g in config.grids for r in g.rows if r.rule) >= 6
    assert all(r.description for g in config.grids for r in g.rows)
