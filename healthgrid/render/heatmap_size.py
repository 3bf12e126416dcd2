"""How big a heatmap's parts are, from what the config says of its rows: the label column, the
block right of the cells, the row height and the resolution. `shared_layout()` works these out
for every heatmap of a config without preparing any grid; `heatmap.py` lays one grid out with them.
"""

from __future__ import annotations

from healthgrid.model.band import Bands
from healthgrid.model.formatting import judged_by_rules, rule_bands
from healthgrid.model.grid import Grid
from healthgrid.model.numbers import exact_number
from healthgrid.model.sections import sections
from healthgrid.render.layout import shorten, text_width
from healthgrid.render.style import BIG_DPI, DPI
from healthgrid.render.trend_column import column_width

# Inches.
PAD = 0.3  # the figure's margin
CBAR_GAP, CBAR_WIDTH = 0.3, 0.2


def display_rows(grid: Grid) -> list[tuple[str, int | None, str]]:
    """(kind, data row index, text) from the top: "group" headings before each titled section, then
    its "row"s, each text shortened as the picture shows it."""
    display: list[tuple[str, int | None, str]] = []
    for heading, rows in sections(grid):
        if heading is not None:
            display.append(("group", None, shorten(heading)))
        display += [("row", i, shorten(grid.rows[i].label)) for i in rows]
    return display


def scale(n_display: int) -> tuple[float, float]:
    """(dpi, label font size): big grids get fewer pixels per inch, so 100 rows stay readable at a
    third of the pixels."""
    return (DPI, 11.0) if n_display <= 40 else (BIG_DPI, 8.5)


def row_height(n_display: int) -> float:
    """Inches a row takes, before any height shared with the config's other grids."""
    return 0.5 if n_display <= 12 else 0.4 if n_display <= 40 else 0.28


def label_width(display, font: float, dpi: float, measure=text_width) -> float:
    """Inches the label column needs: the widest label, or bold heading (which may reach into the
    margin by 0.15 in), at least 0.5. Call inside styled(): text is measured as it is drawn."""
    return max([measure(t, font, "normal", dpi) for kind, _, t in display if kind == "row"]
               + [measure(t, font, "bold", dpi) - 0.15 for kind, _, t in display if kind == "group"] + [0.5])


def right_width(rows, bands: Bands, trend: bool, dpi: float, measure=text_width) -> float:
    """Inches right of the cells for `rows` judged by `bands`: the trend column (with `trend`), the
    colour bar and its labels (tick values and band names, or a rule grid's pass / warn / fail), the
    margin. Call inside styled()."""
    if judged_by_rules(rows):
        texts = [b.rule_word for b in rule_bands(rows)]
    else:
        texts = [exact_number(v) for v in (0.0, bands.critical, bands.warning, 1.0)] + [band.word for _, _, band in bands.ranges()]
    cbar_label_w = max(measure(t, 9.0, "normal", dpi) for t in texts) + 0.1
    trend_w = column_width(rows, dpi, measure) if trend else 0.0
    return trend_w + CBAR_GAP + CBAR_WIDTH + cbar_label_w + PAD
