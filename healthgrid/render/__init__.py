"""Grid -> picture. `figure_for()` draws a grid as its `type:` says (`heatmap.py`, `trend.py`,
`comparison.py`); `figure_bytes()` encodes the figure (`png.py`). The charts take their look from
`style.py` and their text fitting from `layout.py`, and never import each other.

The renderer owns its style: a `Figure` with its own Agg canvas (no pyplot state), every rcParam it
relies on set inside `rc_context`, fixed sizes from the grid's shape, DejaVu Sans, and no
`bbox_inches="tight"`. Identical grids give byte-identical PNG and SVG files.
"""

from __future__ import annotations

import math
import os
from datetime import date, datetime, timezone

os.environ.setdefault("MPLBACKEND", "Agg")  # headless: skip backend discovery when matplotlib loads

from matplotlib.figure import Figure  # noqa: E402

from healthgrid.comparison import Comparison  # noqa: E402
from healthgrid.config import GridSpec  # noqa: E402
from healthgrid.grid import Grid, Row  # noqa: E402
from healthgrid.render.comparison import comparison_figure  # noqa: E402
from healthgrid.render.heatmap import heatmap_figure, prepare  # noqa: E402
from healthgrid.render.layout import Layout  # noqa: E402
from healthgrid.render.png import figure_bytes  # noqa: E402
from healthgrid.render.trend import trend_figure  # noqa: E402

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
    groups, days, bands), so it is the same whichever grids a run renders or fetches."""
    layout = Layout()
    for spec in specs:
        if spec.type == "heatmap":
            days = [date(2000, 1, 1)] * spec.days
            rows = [Row(r.label, r.query, [math.nan] * spec.days, [math.nan] * spec.days, group=r.group) for r in spec.rows]
            skeleton = Grid(spec.name, spec.title, "UTC", days, datetime(2000, 1, 1, tzinfo=timezone.utc), rows)
            own = prepare(skeleton, spec).own  # the heatmap of the config alone
            layout = layout.merge(Layout(own.label_w, own.right_w, own.cell_h if own.cell_h >= 0.4 else None))
    return layout
