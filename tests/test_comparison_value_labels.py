"""A comparison's bar values: a long one (every digit that keeps it on its side of a threshold, a
long unit) is fitted on its own, as a heatmap cell's is, and never squeezes or turns round the
other bars of its panel; values that fit keep their size and their whole text."""

import math
from datetime import date, timedelta

from healthgrid.config import GridSpec, RowSpec
from healthgrid.model.band import Bands
from healthgrid.model.formatting import cell_text
from healthgrid.model.numbers import read_number
from healthgrid.model.rules import Rule, parse_condition
from healthgrid.render.comparison import draw, prepare
from healthgrid.render.layout import text_width
from healthgrid.render.style import plain, styled
from healthgrid.render.value_text import MIN_CELL_FONT
from healthgrid.sources.rows import comparison as build

from conftest import NOW_DT

DAYS = [date(2026, 11, 22) + timedelta(days=i) for i in range(7)]
UNIT = "requests per second"
SPECS = (RowSpec("Sum", "avg:a{*}", rule=Rule(parse_condition("<= 0.3")), unit=UNIT),
         RowSpec("Neg", "avg:b{*}", rule=Rule(parse_condition("> -2.5e-3")), unit=UNIT),
         RowSpec("Plain", "avg:c{*}", rule=Rule(parse_condition("< 5")), unit="ms"))
VALUES = [{"a": 0.1 + 0.2, "b": 0.25, "c": -0.0025000000000000005},
          {"a": -0.0025000000000000005, "b": 0.3, "c": 1e-300},
          {"a": 1.0, "b": 2.0, "c": 7.5}]


def prepared(values=VALUES, specs=SPECS):
    grid = build("svc", "S", "UTC", DAYS, NOW_DT, "service", specs, values, ["avg"] * len(specs), Bands(), 20)
    return grid, prepare(grid, GridSpec(name="svc", title="S", rows=specs, type="comparison", days=7, by="service"))


def width_in_data(p, panel, bar):
    """The widest line of a bar's value in the panel's data units, at the size it is drawn."""
    with styled():
        inches = max(text_width(line, bar.font, dpi=p.dpi) for line in bar.text.split("\n"))
    return inches * (panel.xlim[1] - panel.xlim[0]) / panel.box[2]


def test_long_values_never_turn_a_panels_scale_round_or_squeeze_its_bars():
    grid, p = prepared()
    for panel in p.panels:
        lo, hi = panel.xlim
        assert lo < hi
        values = [b.value for b in panel.bars if b.color is not None] + [0.0] + [x for x, _, _ in panel.lines]
        assert (max(values) - min(values)) / (hi - lo) >= 0.4 - 1e-9, "the bars keep at least 40% of the panel"
        for bar in panel.bars:  # every value drawn inside the panel
            if bar.color is None or not bar.font:
                continue
            w = width_in_data(p, panel, bar)
            left = bar.text_x - (w if bar.ha == "right" else 0)
            assert lo - 1e-9 <= left and left + w <= hi + 1e-9, (bar.text, panel.xlim)


def test_a_long_value_is_fitted_on_its_own_and_keeps_every_digit_on_its_side():
    grid, p = prepared()
    for i, panel in enumerate(p.panels[:2]):
        row = grid.rows[i]
        for bar in panel.bars:
            whole = cell_text(row, bar.tag, grid.bands)
            number = whole.removesuffix(" " + UNIT)
            shown = bar.text.replace("\n", "")
            assert bar.font >= MIN_CELL_FONT
            assert shown.startswith(number), (shown, whole)  # the number whole, then what fits of the unit
            assert row.rule.passes.holds(read_number(number)) == row.rule.passes.holds(bar.value)
    # The panel of short values is as it was: every value whole, at the chart's value size.
    plain_panel = p.panels[2]
    assert [b.text for b in plain_panel.bars if b.color is not None] == [cell_text(grid.rows[2], b.tag, grid.bands)
                                                                        for b in plain_panel.bars if b.color is not None]
    assert {b.font for b in plain_panel.bars} == {8.5}


def test_values_that_fit_keep_their_size_and_text_and_are_drawn_as_prepared():
    values = [{"a": 0.25, "b": 0.31, "c": 0.1}, {"a": 0.3, "b": 0.001}, {"a": 1.0, "b": -2.0}]  # past their bars: under 60% of a panel
    grid, p = prepared(values)
    for i, panel in enumerate(p.panels):
        for bar in panel.bars:
            if bar.color is not None:
                assert bar.font == 8.5 and bar.text == cell_text(grid.rows[i], bar.tag, grid.bands)
    fig = draw(prepared()[1])
    texts = [(t.get_text(), t.get_fontsize()) for ax in fig.axes for t in ax.texts]
    expected = [(plain(b.text) if b.color is not None else b.text, b.font if b.color is not None else 8.5 * 0.95)
                for panel in prepared()[1].panels for b in panel.bars if b.font]
    assert sorted(texts) == sorted(expected)
    assert not any(math.isnan(size) for _, size in texts)
