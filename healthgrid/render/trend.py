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
from healthgrid.model.band import band_middle
from healthgrid.model.formatting import cell_text, day_label, judged_by_rules, rule_bands, subtitle
from healthgrid.model.grid import Grid
from healthgrid.model.numbers import exact_number
from healthgrid.model.sections import sections
from healthgrid.render.layout import fit_tail, shorten, wrap
from healthgrid.render.style import DPI, THEMES, plain, styled

_PANEL_H, _WIDTH = 2.6, 12.0
_AXES_LEFT, _AXES_RIGHT = 0.8, 3.8  # inches left of the axes, and right of them for the legend
_LEGEND_FONT = 8.5
_LEGEND_ROOM = _AXES_RIGHT - 0.12 - 0.55  # a label's lines: the legend's gap, handle and padding off
_LINE_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
_LINE_COLORS_DARK = ("#6cb4ff", "#ffab5c", "#6fdc6f", "#ff7b7b", "#c9a6ff", "#d7a48f", "#ff9fd9", "#c8c8c8", "#e3e36a", "#5fe3f2")


def trend_figure(grid: Grid, spec: GridSpec, theme_name: str) -> Figure:
    with styled():
        return _draw(grid, spec, theme_name)


def _draw(grid: Grid, spec: GridSpec, theme_name: str) -> Figure:
    theme = THEMES[theme_name]
    colors = _LINE_COLORS_DARK if theme_name == "dark" else _LINE_COLORS
    groups = sections(grid)
    n = len(grid.days)
    labels = [_legend_labels(grid, rows, spec) for _, rows in groups]
    # A panel is tall enough for its legend: every label whole, wrapped, none cut off.
    heights = [max(_PANEL_H, 0.3 + _legend_height(panel) + 0.15) for panel in labels]
    fig_h = 1.1 + sum(heights) + 0.6
    fig = Figure(figsize=(_WIDTH, fig_h), dpi=DPI, facecolor=theme.background)
    FigureCanvasAgg(fig)
    fig.text(0.3 / _WIDTH, 1 - 0.38 / fig_h, plain(shorten(grid.title, 90)), fontsize=16, fontweight="bold", color=theme.foreground, va="center")
    fig.text(0.3 / _WIDTH, 1 - 0.7 / fig_h, plain(subtitle(grid, " (shaded)", scale=False)),
             fontsize=9.5, color=theme.muted, va="center")
    x = np.arange(n)
    bands = grid.bands
    ruled = judged_by_rules(grid.rows)
    top = fig_h - 1.1
    for p, (group, rows) in enumerate(groups):  # one panel a section
        ax = fig.add_axes([_AXES_LEFT / _WIDTH, (top - _PANEL_H + 0.45) / fig_h, (_WIDTH - _AXES_LEFT - _AXES_RIGHT) / _WIDTH, (_PANEL_H - 0.75) / fig_h])
        top -= heights[p]
        ax.set_facecolor(theme.background)
        for lo, hi, band in bands.ranges():
            ax.axhspan(lo, hi, color=band.color, alpha=0.16 if theme_name == "light" else 0.22, linewidth=0, zorder=0)
        ax.axvspan(n - 1.5, n - 0.5, color=theme.muted, alpha=0.15, linewidth=0, zorder=0)
        for k, i in enumerate(rows):
            row = grid.rows[i]
            y = np.array([row.shade(j, bands) for j in range(n)])  # a rule row: the middle of each day's band
            color = colors[k % len(colors)]
            ax.plot(x[:-1] if n > 1 else x, y[:-1] if n > 1 else y, color=color, linewidth=2, marker="o", markersize=4, label=plain(labels[p][k]),
                    zorder=3)
            if n > 1:  # the partial today: dashed from yesterday
                ax.plot(x[-2:], y[-2:], color=color, linewidth=2, linestyle=(0, (3, 2)), zorder=3)
                ax.plot(x[-1:], y[-1:], color=color, marker="o", markersize=4, markerfacecolor=theme.background, zorder=3)
        ax.set_xlim(-0.5, n - 0.5)
        ax.set_ylim(-0.02, 1.02)
        if ruled:  # rule rows sit in the middle of their bands: the bands' names, not a scale
            shown = rule_bands(grid.rows)
            ax.set_yticks([band_middle(b, bands) for b in shown], [b.rule_word for b in shown])
        else:
            ax.set_yticks([0, bands.critical, bands.warning, 1.0], [exact_number(v) for v in (0.0, bands.critical, bands.warning, 1.0)])
        step = max(1, math.ceil(n / 16))
        ticks = [j for j in range(n) if (n - 1 - j) % step == 0]
        ax.set_xticks(ticks, [plain("\n".join(day_label(grid.days[j], j == n - 1, note=False))) for j in ticks], fontsize=8)
        ax.tick_params(colors=theme.foreground, labelsize=8)
        for spine in ax.spines.values():
            spine.set_color(theme.muted)
        if group:
            ax.set_title(plain(shorten(group)), loc="left", fontsize=11, fontweight="bold", color=theme.foreground)
        legend = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=_LEGEND_FONT, labelcolor=theme.foreground)
        legend.set_zorder(5)
    return fig


def _legend_labels(grid: Grid, rows: list[int], spec: GridSpec) -> list[str]:
    """Each row's legend label, wrapped to the room right of the axes (a long unit or rule
    shortened first): `P90 (today 7.5 min; rule < 5 min (warn < 8))`."""
    labels = []
    for i in rows:
        row = grid.rows[i]
        label = shorten(row.label, 40)
        if row.shows_raw:
            unit = shorten(row.unit, 20) if row.unit else None
            today = cell_text(row, -1, grid.bands)
            today = today[: -len(row.unit)] + unit if row.unit and today.endswith(row.unit) else today
            label += f" (today {today}" + (f"; rule {row.rule.text(unit)})" if row.rule else ")")
        labels.append("\n".join(fit_tail("", line, _LEGEND_ROOM, _LEGEND_FONT, dpi=DPI) for line in wrap(label, _LEGEND_ROOM, _LEGEND_FONT, dpi=DPI)))
    return labels


def _legend_height(labels: list[str]) -> float:
    """Inches a legend of these labels takes (matplotlib's defaults: lines 1.2 em apart, entries
    0.5 em, 0.4 em of padding above and below)."""
    lines = sum(label.count("\n") + 1 for label in labels)
    return (lines * 1.2 + 0.5 * (len(labels) - 1) + 0.8) * _LEGEND_FONT / 72
