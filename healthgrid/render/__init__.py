"""Grid -> picture. `figure_for()` draws a grid as its `type:` says (`heatmap.py`, `trend.py`,
`comparison.py`); `figure_bytes()` encodes the figure (`png.py`). The charts take their look from
`style.py` and their text fitting from `layout.py`, and never import each other.

The renderer owns its style: a `Figure` with its own Agg canvas (no pyplot state), every rcParam it
relies on set inside `rc_context`, fixed sizes from the grid's shape, DejaVu Sans, and no
`bbox_inches="tight"`. Identical grids give byte-identical PNG and SVG files.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

os.environ.setdefault("MPLBACKEND", "Agg")  # headless: skip backend discovery when matplotlib loads

from matplotlib.figure import Figure

from healthgrid.config import GridSpec
from healthgrid.model.comparison import Comparison
from healthgrid.model.grid import Grid, Row
from healthgrid.render.comparison import comparison_figure
from healthgrid.render.heatmap import heatmap_figure
from healthgrid.render.layout import Layout
from healthgrid.render.png import figure_bytes
from healthgrid.render.trend import trend_figure

__all__ = ["Layout", "figure_bytes", "figure_for", "render", "shared_layout"]


def figure_for(grid: Grid | Comparison, spec: GridSpec, theme: str, layout: Layout | None = None) -> Figure:
    """The figure of the grid's type, in `theme` ("light" or "dark"); `layout`: the sizes a
    heatmap shares with the other heatmaps of its config. A comparison is drawn as one whatever
    `spec` says (a `--data` file may hold one with no configured grid of its name)."""
    if isinstance(grid, Comparison):
        return comparison_figure(grid, spec, theme)
    if spec.type == "trend":
        return trend_figure(grid, spec, theme)
    return heatmap_figure(grid, spec, theme, layout)


def render(grid: Grid | Comparison, spec: GridSpec, theme: str, fmt: str, layout: Layout | None = None) -> bytes:
    """The bytes of one image file (`fmt` "png" or "svg") of the grid, as `healthgrid render` writes it."""
    return figure_bytes(figure_for(grid, spec, theme, layout), fmt)


def shared_layout(specs) -> Layout:
    """The sizes every heatmap of one config shares: the widest label column and right-hand
    block, the smallest row height (of grids up to 40 rows). Only the config is needed (labels,
    groups, units, rules, days, bands), so it is the same whichever grids a run renders or fetches.

    Only those sizes are worked out (no cells, texts or title of any grid), and each distinct text
    is measured once: a `--grid` job of a large config pays for the labels, not for every grid."""
    from functools import lru_cache

    from healthgrid.render.heatmap_size import display_rows, label_width, right_width, row_height, scale
    from healthgrid.render.layout import text_width
    from healthgrid.render.style import styled

    measure = lru_cache(maxsize=None)(text_width)  # 100 per-team grids often share their labels
    layout = Layout()
    with styled():  # text is measured as it will be drawn
        for spec in specs:
            if spec.type != "heatmap":
                continue
            rows = [Row(r.label, r.query, [], [], group=r.group) for r in spec.rows]
            display = display_rows(Grid(spec.name, spec.title, "UTC", [], datetime(2000, 1, 1, tzinfo=timezone.utc), rows, bands=spec.bands))
            dpi, font = scale(len(display))
            height = row_height(len(display))
            widths = label_width(display, font, dpi, measure), right_width(spec.rows, spec.bands, spec.trend_column, dpi, measure)
            layout = layout.merge(Layout(*widths, height if height >= 0.4 else None))
    return layout
