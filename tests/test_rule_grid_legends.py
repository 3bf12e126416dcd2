"""A grid of rule rows speaks of pass / warn / fail (subtitle, colour bar, Markdown and HTML legends,
trend chart axis), a mixed grid of both; legends and the trend column's texts stay inside their
room for every unit length and value size. Checked on prepared data, as seaborn checks its heatmap."""

import math
from dataclasses import replace

import pytest

from healthgrid.config import GridSpec, RowSpec
from healthgrid.files.markdown import markdown
from healthgrid.files.page import page
from healthgrid.model.band import Bands
from healthgrid.model.formatting import row_trend, subtitle
from healthgrid.model.grid import Row
from healthgrid.model.rules import Rule, parse_condition
from healthgrid.render.heatmap import prepare
from healthgrid.render.layout import text_width
from healthgrid.render.style import colormap_and_norm, styled

from helpers import make_grid, spec_for


def with_rules(grid, rules, units=None):
    for row, (ok, warn) in zip(grid.rows, rules, strict=True):
        row.rule = Rule(parse_condition(ok), parse_condition(warn) if warn else None)
        row.values = [row.rule.fom(v, Bands()) for v in row.raw]
    for row, unit in zip(grid.rows, units or [], strict=False):
        row.unit = unit
    return grid


def rule_grid(warn=True):
    grid = make_grid([("P90", [4.0, 6.0, 9.0]), ("Flaky", [1.0, 3.0, 7.0])])
    return with_rules(grid, [("< 5", "< 8" if warn else None), ("<= 2", "<= 5" if warn else None)])


def test_a_grid_of_rule_rows_says_pass_warn_fail_and_not_a_figure_of_merit():
    grid = rule_grid()
    spec = spec_for(grid, palette="health")
    p = prepare(grid, spec)
    assert p.subtitle.startswith("Daily values judged by each row's rule: pass / warn / fail · ")
    assert "figure of merit" not in p.subtitle and "0 bad" not in p.subtitle
    assert p.cbar_ticklabels == ["fail", "warn", "pass"] and not p.cbar_names
    cmap, norm = colormap_and_norm("health", Bands())
    assert p.cbar_blocks == [tuple(cmap(norm(m))) for m in (0.15, 0.5, 0.85)], "each block the colour of its cells"
    assert {tuple(c) for c in p.cell_colors.reshape(-1, 4)} == set(p.cbar_blocks)
    md = markdown(grid)
    assert "🟢 pass (meets its rule) · 🟡 warn (fails pass but meets `warn`) · 🔴 fail (meets neither) · ⚪ no data." in md
    assert "FoM" not in md and "0.3" not in md.split("| P90")[0]
    html = page(grid, spec, "light", []).decode()
    assert "Rules: pass (" in html and "FoM" not in html


def test_a_rule_grid_without_warns_shows_pass_and_fail_only():
    grid = rule_grid(warn=False)
    p = prepare(grid, spec_for(grid))
    assert p.cbar_ticklabels == ["fail", "pass"] and len(p.cbar_blocks) == 2
    assert "pass / fail ·" in p.subtitle
    assert "🟢 pass (meets its rule) · 🔴 fail (meets neither) · ⚪ no data." in markdown(grid)


def test_a_grid_mixing_rule_and_fom_rows_shows_the_fom_scale_and_says_how_rules_read():
    grid = make_grid([("Tests", [0.9, 0.5, 0.2]), ("P90", [4.0, 6.0, 9.0])])
    grid.rows[1].rule = Rule(parse_condition("< 5"), parse_condition("< 8"))
    p = prepare(grid, spec_for(grid))
    assert p.cbar_ticklabels == ["0", "0.3", "0.7", "1"] and p.cbar_blocks is None
    assert p.subtitle.startswith("Daily figure of merit, 0 bad … 1 good; rows with a rule: pass / warn / fail · ")
    md = markdown(grid)
    assert "🟢 good (FoM ≥ 0.7)" in md and "Rows with a rule: 🟢 meets its condition" in md
    assert subtitle(make_grid([("Tests", [0.9])])).startswith("Daily figure of merit, 0 bad … 1 good · ")


def test_the_trend_chart_of_rule_rows_names_its_bands_and_keeps_its_legend_inside_the_picture():
    from healthgrid.render import figure_for

    grid = make_grid([("Queue wait P90 of the remote eval workers", [10.0, 20.0, 40.0]), ("Flaky", [1.0, 3.0, 9.0]),
                      ("Throughput", [5000.0, 3500.0, 100.0])])
    with_rules(grid, [("<= 15", "<= 30"), ("<= 2", "<= 4"), (">= 4000", ">= 3000")],
               units=["minutes per job", None, "requests per second of the ingest pipeline " * 40])
    fig = figure_for(grid, replace(spec_for(grid), type="trend"), "light")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["pass", "warn", "fail"]
    fig.canvas.draw()
    right = fig.bbox.x1
    legend = ax.get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert "warn <= 4" in texts[1] and "(warn <= 30))" in texts[0].replace("\n", " ")
    assert all(t.get_window_extent().x1 <= right - 5 for t in legend.get_texts()), "no legend text runs off the picture"
    assert legend.get_window_extent().y0 >= fig.bbox.y0, "nor off its bottom"


UNITS = [None, "%", "requests per second", ("requests per second of the ingest pipeline on every shard " * 33).strip()]
RAWS = [[1104.0, 1104.0, 0.0], [1e-300, 1e-300, 3e-300], [1.5e300, 1.7e300, -1e300], [0.25, 0.5, 1.23456789]]


@pytest.mark.parametrize("unit", UNITS, ids=["none", "short", "words", "2000 characters"])
@pytest.mark.parametrize("days", [3, 30])
def test_the_trend_column_text_fits_its_column_for_every_unit_and_value(unit, days):
    rows = []
    for k, raw in enumerate(RAWS):
        values = [raw[0]] * (days - 2) + raw[1:]
        rule = Rule(parse_condition("< 0.5" if k % 2 else ">= 4000"))
        rows.append(Row(f"Row {k}", f"avg:r{k}{{*}}", [rule.fom(v, Bands()) for v in values], values, unit=unit, rule=rule))
    rows.append(Row("FoM", "avg:f{*}", [0.2] * (days - 1) + [0.9], [0.2] * (days - 1) + [0.9]))
    grid = make_grid([("x", [0.0] * days)])
    grid.rows = rows
    spec = GridSpec("t", "Trend", tuple(RowSpec(r.label, r.query, unit=r.unit, rule=r.rule) for r in rows), days=days, trend_column=True)
    p = prepare(grid, spec)
    assert p.trend_texts[0].startswith("▼ −1104"), p.trend_texts[0]
    room = p.trend_box[2] - 2 * 0.06
    with styled():  # measured as drawn
        for text in p.trend_texts:
            assert text_width(text, p.trend_font, "bold", p.dpi) <= room + 1e-9, (text, p.trend_font)
    assert p.trend_font >= 7.0
    for row, text in zip(rows, p.trend_texts, strict=True):  # the arrow and number whole; only a unit gives way
        whole = row_trend(row)[1]
        number = whole[: -len(unit) - 1] if unit and row.rule else whole
        assert text.startswith(number) and (text == whole or len(text) < len(whole) and text.endswith(("…", unit[-5:])))
    if unit == "%":
        assert p.trend_texts[0] == "▼ −1104 %"
    # The column's width comes from the config alone, so every grid of the config lines up.
    from healthgrid.render import shared_layout

    assert shared_layout([spec]).right_w == pytest.approx(p.right_w)


def test_a_long_unit_gives_way_so_cells_keep_their_numbers():
    grid = make_grid([("Ingest", [0.0] * 7)])
    grid.rows[0] = Row("Ingest", "q", [0.85] * 7, [4302.0] * 7, unit="requests per second", rule=Rule(parse_condition(">= 4000")))
    p = prepare(grid, spec_for(grid))
    assert p.show_cell_text and p.cell_font == 7.0
    width = p.cell_w * 0.88
    assert all(t.startswith("4302 ") and text_width(t, 7.0, dpi=p.dpi) <= width for t in p.cell_texts[0]), p.cell_texts[0]
    assert not math.isnan(p.values[0, 0])
