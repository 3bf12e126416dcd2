"""Each heatmap cell shows its number whenever its own text can be read at 7 pt: one long text (a
number with every digit that keeps it on its side of a threshold) gets a smaller font of its own,
its unit shortened, or two lines, and never shrinks or hides the numbers of the other cells."""

from datetime import date, timedelta

import pytest

from healthgrid.config import GridSpec, RowSpec
from healthgrid.model.band import Bands
from healthgrid.model.formatting import cell_text
from healthgrid.model.grid import Grid, Row
from healthgrid.model.numbers import read_number
from healthgrid.model.rules import Rule, parse_condition
from healthgrid.render.heatmap import draw, prepare
from healthgrid.render.layout import text_width
from healthgrid.render.style import plain, styled
from healthgrid.render.value_text import MIN_CELL_FONT

from conftest import NOW_DT


def rule_grid(days, rows):
    """rows: (label, pass, raw values, unit); one rule row each, over the `days` days to today."""
    out = []
    for label, passes, raw, unit in rows:
        rule = Rule(parse_condition(passes))
        out.append(Row(label, "q", [1.0 if rule.passes.holds(v) else 0.0 for v in raw], list(raw), unit=unit, rule=rule))
    grid = Grid("g", "G", "UTC", [date(2026, 11, 28) - timedelta(days=days - 1 - i) for i in range(days)], NOW_DT, out, bands=Bands())
    return grid, GridSpec(name="g", title="G", rows=tuple(RowSpec(r.label, "q") for r in out), days=days)


def with_today(days, passes, value, unit=None, usual=1.0):
    """Row R: `usual` every day but today, which is `value`; row S: 1 every day under `< 5`."""
    return rule_grid(days, [("R", passes, [usual] * (days - 1) + [value], unit), ("S", "< 5", [1.0] * days, None)])


def lines_fit(p, r, j):
    """Each line of cell (r, j) within the width a cell's text may take, at the cell's own size."""
    with styled():  # measured as drawn
        return all(text_width(line, p.cell_fonts[r, j], dpi=p.dpi) <= p.cell_w * 0.88 for line in p.cell_texts[r, j].split("\n"))


# (days, pass, today's value): the today cell's text is far longer than the others'.
LONG = [
    (7, "<= 0.3", 0.1 + 0.2),  # 0.30000000000000004
    (10, "<= 0.3", 0.1 + 0.2),
    (14, "<= 0.3", 0.1 + 0.2),
    (7, "> -2.5e-3", -0.0025000000000000005),
    (14, "< 1e9", 1000000500),
    (21, "< 1e9", 1000000500),
    (24, "< 1e9", 1000000500),
    (21, ">= 40000", 39999.5),
    (24, ">= 40000", 39999.5),
    (24, "< 5", 5.0001),
    (10, "> 1e-300", 1.0000000000000002e-300),
]


@pytest.mark.parametrize("days,passes,value", LONG)
def test_one_long_number_is_shown_whole_and_leaves_every_other_cell_as_it_was(days, passes, value):
    grid, spec = with_today(days, passes, value)
    p = prepare(grid, spec)
    plain_grid = prepare(*with_today(days, passes, 1.0))  # the same grid without the long text
    assert p.show_cell_text
    assert (p.cell_fonts > 0).all(), "every cell shows its number"
    # The others: the font and text they have without the long one.
    assert p.cell_font == plain_grid.cell_font
    others = [(r, j) for r in range(2) for j in range(days) if (r, j) != (0, days - 1)]
    assert all(p.cell_fonts[r, j] == plain_grid.cell_fonts[r, j] and p.cell_texts[r, j] == plain_grid.cell_texts[r, j] for r, j in others)
    # The long one: every digit the model printed, at a readable size, within its cell, on its side.
    shown = p.cell_texts[0, -1]
    assert shown.replace("\n", "") == cell_text(grid.rows[0], days - 1, grid.bands)
    assert MIN_CELL_FONT <= p.cell_fonts[0, -1] <= p.cell_font and lines_fit(p, 0, days - 1)
    rule = grid.rows[0].rule
    assert rule.passes.holds(read_number(shown.replace("\n", ""))) == rule.passes.holds(value)


def test_a_number_too_long_for_two_lines_leaves_only_its_own_cell_without_text():
    grid, spec = with_today(21, "<= 0.3", 0.1 + 0.2, usual=0.25)  # 0.52 in cells: 19 digits need three lines at 7 pt
    p = prepare(grid, spec)
    assert p.cell_fonts[0, -1] == 0
    assert (p.cell_fonts > 0).sum() == 2 * 21 - 1
    assert p.cell_font == 10.0 and set(p.cell_texts[0, :-1]) == {"0.25"} and set(p.cell_texts[1]) == {"1"}
    # The drawing follows the prepared data: every other cell carries its text at its size.
    ax = draw(p).axes[0]
    drawn = sorted((t.get_position(), t.get_text(), t.get_fontsize()) for t in ax.texts if t.get_transform() is ax.transData)
    expected = sorted(((j + 0.5, r + 0.5), plain(p.cell_texts[r, j]), p.cell_fonts[r, j])
                      for r in range(2) for j in range(21) if p.cell_fonts[r, j])
    assert drawn == expected


def test_a_wrapped_number_breaks_between_digits_never_inside_its_exponent_or_after_its_sign():
    for days, passes, value in [(7, "> -2.5e-3", -0.0025000000000000005), (14, "<= 0.3", 0.1 + 0.2), (10, "> 1e-300", 1.0000000000000002e-300)]:
        p = prepare(*with_today(days, passes, value))
        first, second = p.cell_texts[0, -1].split("\n")
        assert first[-1].isdigit() or first[-1] == ".", (first, second)
        assert second[0].isdigit() or second.startswith("e"), (first, second)
        assert "e" not in first or first.endswith(first.split("e")[0]), "an exponent stays whole"
        if "e" in first + second:
            assert "e-300" in first or "e-300" in second


def test_a_long_unit_gives_way_only_in_the_cells_that_need_it():
    rows = [("Ingest", ">= 4000", [4302.0, 12.0, 4302.0, 50000.5, 4302.0, 1.0, 4302.0], "requests per second"),
            ("Errors", "< 5", [1.0] * 7, None), ("Latency", "< 5", [2.0] * 7, None)]
    grid, spec = rule_grid(7, rows)
    p = prepare(grid, spec)
    assert p.cell_font == 10.0 and (p.cell_fonts[1:] == 10.0).all(), "the rows without a long unit keep their size"
    for j in range(7):
        whole = cell_text(grid.rows[0], j, grid.bands)
        number = whole.removesuffix(" requests per second")
        shown = p.cell_texts[0, j]
        assert shown.startswith(number + " ") and lines_fit(p, 0, j), shown  # the number whole, then what fits of the unit
        assert MIN_CELL_FONT <= p.cell_fonts[0, j] < 10.0
        assert shown == whole or "…" in shown


def test_texts_of_alike_length_share_the_grids_font():
    minutes = [2.5, 14.25, 6.5, 3.75, 11.0, 9.25, 4.0] * 2
    grid, spec = rule_grid(14, [("Build", "< 10", minutes, "min"), ("Deploy", "< 10", minutes[::-1], "min")])
    p = prepare(grid, spec)
    assert (p.cell_fonts == p.cell_font).all()
    assert all(lines_fit(p, r, j) for r in range(2) for j in range(14))
