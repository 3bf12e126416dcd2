"""`type: trend`: the same rows and days as lines of the daily FoM, one panel per group.

Band backgrounds show critical / warning / good; a day without data is a gap in its line (never
bridged); the partial today is shaded and its segment dashed. Same style rules as the heatmap.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from healthgrid.config import GridSpec
from healthgrid.formatting import as_of_text, cell_text, day_label, window_text
from healthgrid.grid import Grid
from healthgrid.render import BAND_COLORS, DPI, THEMES, _plain, _truncate

_PANEL_H, _WIDTH = 2.6, 12.0
_LINE_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
_LINE_COLORS_DARK = ("#6cb4ff", "#ffab5c", "#6fdc6f", "#ff7b7b", "#c9a6ff", "#d7a48f", "#ff9fd9", "#c8c8c8", "#e3e36a", "#5fe3f2")


def panels(grid: Grid) -> list[tuple[str | None, list[int]]]:
    """(group, row indices) in config order; ungrouped rows form one untitled panel."""
    out: list[tuple[str | None, list[int]]] = []
    for i, row in enumerate(grid.rows):
        if out and out[-1][0] == row.group:
            out[-1][1].append(i)
        else:
            out.append((row.group, [i]))
    return out


def trend_figure(grid: Grid, spec: GridSpec, theme_name: str) -> Figure:
    theme = THEMES[theme_name]
    colors = _LINE_COLORS_DARK if theme_name == "dark" else _LINE_COLORS
    groups = panels(grid)
    n = len(grid.days)
    fig_h = 1.1 + _PANEL_H * len(groups) + 0.6
    fig = Figure(figsize=(_WIDTH, fig_h), dpi=DPI, facecolor=theme.background)
    FigureCanvasAgg(fig)
    fig.text(0.3 / _WIDTH, 1 - 0.38 / fig_h, _plain(_truncate(grid.title, 90)), fontsize=16, fontweight="bold", color=theme.foreground, va="center")
    fig.text(0.3 / _WIDTH, 1 - 0.7 / fig_h, _plain(f"Daily figure of merit · {window_text(grid)} · "
                    f"today (shaded) is partial, as of {as_of_text(grid.now, grid.timezone)}"),
             fontsize=9.5, color=theme.muted, va="center")
    x = np.arange(n)
    bands = spec.bands
    for p, (group, rows) in enumerate(groups):
        top = fig_h - 1.1 - p * _PANEL_H
        ax = fig.add_axes([0.8 / _WIDTH, (top - _PANEL_H + 0.45) / fig_h, (_WIDTH - 4.6) / _WIDTH, (_PANEL_H - 0.75) / fig_h])
        ax.set_facecolor(theme.background)
        for lo, hi, band in ((0, bands.critical, "critical"), (bands.critical, bands.warning, "warning"), (bands.warning, 1.0, "good")):
            ax.axhspan(lo, hi, color=BAND_COLORS[band], alpha=0.16 if theme_name == "light" else 0.22, linewidth=0, zorder=0)
        ax.axvspan(n - 1.5, n - 0.5, color=theme.muted, alpha=0.15, linewidth=0, zorder=0)
        for k, i in enumerate(rows):
            row = grid.rows[i]
            y = np.array([min(1.0, max(0.0, v)) if not math.isnan(v) else np.nan for v in row.values])
            color = colors[k % len(colors)]
            today = cell_text(row, n - 1)
            label = _plain(_truncate(row.label, 40) + (f" (today {today})" if row.score else ""))
            ax.plot(x[:-1] if n > 1 else x, y[:-1] if n > 1 else y, color=color, linewidth=2, marker="o", markersize=4, label=label, zorder=3)
            if n > 1:  # the partial today: dashed from yesterday
                ax.plot(x[-2:], y[-2:], color=color, linewidth=2, linestyle=(0, (3, 2)), zorder=3)
                ax.plot(x[-1:], y[-1:], color=color, marker="o", markersize=4, markerfacecolor=theme.background, zorder=3)
        ax.set_xlim(-0.5, n - 0.5)
        ax.set_ylim(-0.02, 1.02)
        ax.set_yticks([0, bands.critical, bands.warning, 1.0], ["0", f"{bands.critical:g}", f"{bands.warning:g}", "1"])
        step = max(1, math.ceil(n / 16))
        ticks = [j for j in range(n) if (n - 1 - j) % step == 0]
        ax.set_xticks(ticks, [_plain("\n".join(day_label(grid.days[j], j == n - 1, note=False))) for j in ticks], fontsize=8)
        ax.tick_params(colors=theme.foreground, labelsize=8)
        for spine in ax.spines.values():
            spine.set_color(theme.muted)
        if group:
            ax.set_title(_plain(_truncate(group, 60)), loc="left", fontsize=11, fontweight="bold", color=theme.foreground)
        legend = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8.5, labelcolor=theme.foreground)
        legend.set_zorder(5)
    return fig
