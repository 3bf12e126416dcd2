"""The heatmap's trend column (`trend: true`): today against the mean of the earlier days, per row.

Its width comes from the config alone (the units of the rule rows), so the grids of one config
line up; every text fits it: a wide one gets a smaller font, down to 7 pt, then its unit is
shortened with "…" (the number and arrow never are). Tests check these prepared texts and sizes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from healthgrid.model.formatting import row_trend
from healthgrid.model.grid import Row
from healthgrid.render.layout import fit_tail, most_chars, shorten, text_width
from healthgrid.render.style import Theme, plain

GAP = 0.08  # inches between the cells and the column
PAD = 0.06  # inches kept clear on either side of a text
MIN_WIDTH, MAX_WIDTH = 1.0, 2.5
SIZING_FONT, MIN_FONT, MAX_FONT = 9.0, 7.0, 10.0
SAMPLE = "▼ +0.0088"  # a change as wide as most are (a wider one gets a smaller font)
_COLORS = {"light": ("#1a7f37", "#cf222e"), "dark": ("#3fb950", "#ff7b72")}


@dataclass
class TrendColumn:
    width: float = 0.0  # inches, the gap to the cells included; 0 without a trend column
    room: float = 0.0  # inches a text may take
    font: float = MAX_FONT
    texts: list[str] = field(default_factory=list)  # one a display row ("" for a heading)
    deltas: list[float] = field(default_factory=list)
    colors: list[str] = field(default_factory=list)


def column_width(rows, dpi: float, measure=text_width) -> float:
    """The column's width (inches) from what the config says of its rows (Row or RowSpec): their units."""
    samples = [SAMPLE + (f" {shorten(row.unit, most_chars(MAX_WIDTH, SIZING_FONT))}" if row.rule is not None and row.unit else "") for row in rows]
    widest = max(measure(t, SIZING_FONT, "bold", dpi) for t in samples)
    return min(MAX_WIDTH, max(MIN_WIDTH, widest + GAP + 2 * PAD))


def trend_column(rows: list[Row | None], theme: Theme, font: float, dpi: float) -> TrendColumn:
    """The column for display rows `rows` (None for a heading), its font at most `font`."""
    width = column_width([r for r in rows if r is not None], dpi)
    room = width - GAP - 2 * PAD
    trends = [_capped(row, room) if row is not None else (math.nan, "") for row in rows]
    font = min(MAX_FONT, max(font, SIZING_FONT))
    widest = max(text_width(t, font, "bold", dpi) for _, t in trends)
    if widest > room:
        font = max(MIN_FONT, math.floor(font * room / widest * 10) / 10)
        while font > MIN_FONT and max(text_width(t, font, "bold", dpi) for _, t in trends) > room:
            font = round(font - 0.1, 1)
    up, down = _COLORS[theme.name]
    column = TrendColumn(width, room, font)
    for row, (delta, text) in zip(rows, trends, strict=True):
        unit = shorten(row.unit, most_chars(room, MIN_FONT)) if row is not None and row.unit else None
        if unit and text.endswith(" " + unit):  # never the number: only the unit gives way
            text = fit_tail(text[: -len(unit)], unit, room, font, "bold", dpi)
        column.texts.append(text)
        column.deltas.append(delta)
        # The colour says what the arrow says: ▲ better, ▼ worse; flat or without direction, muted.
        column.colors.append(up if text.startswith("▲") else down if text.startswith("▼") else theme.muted)
    return column


def _capped(row: Row, room: float) -> tuple[float, str]:
    """The row's trend, a unit longer than `room` could ever hold cut to what it could (so a
    2,000-character unit is never measured whole)."""
    delta, text = row_trend(row)
    if row.unit and text.endswith(" " + row.unit):
        text = text[: -len(row.unit)] + shorten(row.unit, most_chars(room, MIN_FONT))
    return delta, text


def draw_column(column: TrendColumn, tax, tick_font: float, theme: Theme) -> None:
    """The column on its axes: ▲/▼ and the change, coloured by direction (the symbol carries it too)."""
    n_rows = len(column.texts)
    tax.set_xlim(0, 1)
    tax.set_ylim(n_rows, 0)
    tax.set_axis_off()
    for r, (text, color) in enumerate(zip(column.texts, column.colors, strict=True)):
        if text:
            tax.text(0.5, r + 0.5, plain(text), ha="center", va="center", fontsize=column.font, color=color, fontweight="bold")
    tax.text(0.5, n_rows + 0.15, "vs. average\nof earlier days", ha="center", va="top", fontsize=tick_font, color=theme.foreground,
             linespacing=1.3, clip_on=False)
