"""`type: heatmap`: a `Grid` as coloured cells, one row per metric and one column per day.

`prepare()` works out everything the picture shows before anything is drawn (cell colours, texts,
text colours, each cell's font and whether it carries text, labels, sections, sizes and where each
block goes), in `_Heatmap`; `draw()` only turns that into matplotlib artists (a masked pcolormesh
and its colour bar for the cells). Tests check the prepared data, the way seaborn's tests check its
`_HeatMapper`. The cells' texts are fitted in `value_text.py`, the sizes the config alone decides
(label column, right-hand block, row height) come from `heatmap_size.py`.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import blended_transform_factory

from healthgrid.config import GridSpec
from healthgrid.model.band import band_middle
from healthgrid.model.formatting import cell_text, day_label, judged_by_rules, rule_bands, subtitle
from healthgrid.model.grid import Grid
from healthgrid.model.numbers import exact_number
from healthgrid.render.heatmap_size import CBAR_GAP, CBAR_WIDTH, PAD, display_rows, label_width, right_width, row_height, scale
from healthgrid.render.layout import Layout, header, shorten
from healthgrid.render.style import BIG_DPI, DPI, THEMES, colormap_and_norm, plain, styled, text_color_on, text_colors_on
from healthgrid.render.trend_column import GAP, TrendColumn, draw_column, trend_column
from healthgrid.render.value_text import LINE_SPACING, fit_cells

# Inches.
_TITLE_BLOCK = 1.0  # one title line and one subtitle line; each further line adds its height
_XLABEL_BLOCK = 0.6
_XLABEL_BLOCK_ROTATED = 1.15
_MIN_CBAR_HEIGHT = 1.6


class _Heatmap:
    """A grid prepared for drawing; the attributes are what tests check."""

    def __init__(self, grid: Grid, spec: GridSpec, theme: str, layout: Layout | None = None):
        self.grid = grid
        self.spec = spec
        self.theme = THEMES[theme]
        self.shared = layout or Layout()
        self.cmap, self.norm = colormap_and_norm(spec.palette, grid.bands)
        self._layout_rows()
        self.dpi = DPI if len(self.display) <= 40 else BIG_DPI  # big grids get fewer pixels per inch
        self.cell_w, self.cell_h = self._cell_size()
        self._prepare_cells()
        self._prepare_labels()
        self._prepare_trend()
        self._measure()

    def _layout_rows(self) -> None:
        """Display rows: data rows, with a heading row before each titled section."""
        self.display = display_rows(self.grid)

    def _prepare_cells(self) -> None:
        n_rows, n_days = len(self.display), len(self.grid.days)
        self.values = np.full((n_rows, n_days), np.nan)  # FoM clamped to [0, 1] for colour; NaN = no colour
        self.nodata = np.zeros((n_rows, n_days), dtype=bool)
        self.cell_texts = np.full((n_rows, n_days), "", dtype=object)
        self.cell_colors = np.zeros((n_rows, n_days, 4))  # RGBA; all zero where no colour is drawn
        self.text_colors = np.full((n_rows, n_days), "", dtype=object)
        self.out_of_range = [(row.label, day.isoformat(), value) for row, day, value in self.grid.out_of_range()]
        for r, (kind, index, _) in enumerate(self.display):
            if kind != "row":
                continue
            row = self.grid.rows[index]
            for j in range(n_days):
                self.cell_texts[r, j] = cell_text(row, j, self.grid.bands)
                if math.isnan(row.values[j]):
                    self.nodata[r, j] = True
                    continue
                self.values[r, j] = row.shade(j, self.grid.bands)  # clamped to [0, 1]; a rule cell: the middle of its band
        # Colours for all cells at once (per-cell colormap calls dominate big grids).
        coloured = ~np.isnan(self.values)
        self.cell_colors[coloured] = self.cmap(self.norm(self.values[coloured]))
        self.text_colors[coloured] = text_colors_on(self.cell_colors[coloured])
        self.text_colors[self.nodata] = text_color_on(self.theme.nodata_fill)
        # Each cell's text fitted to its cell at the grid's font, or at one of its own (value_text.py).
        units = [self.grid.rows[index].unit if kind == "row" else None for kind, index, _ in self.display]
        fitted = fit_cells(self.cell_texts, units, self.cell_w, self.cell_h, self.dpi)
        self.cell_font, self.cell_texts, self.cell_fonts = fitted.font, fitted.texts, fitted.fonts
        self.show_cell_text = bool(self.cell_fonts.any())  # some cell carries text
        self.grid_line = 1.5 if n_rows * n_days <= 400 else 0.6

    def _prepare_trend(self) -> None:
        """`trend: true`: today against the mean of the previous days, per row (trend_column.py)."""
        rows = [self.grid.rows[index] if kind == "row" else None for kind, index, _ in self.display]
        self.trend = trend_column(rows, self.theme, self.cell_font, self.dpi) if self.spec.trend_column else TrendColumn()
        self.trend_texts, self.trend_deltas, self.trend_colors = self.trend.texts, self.trend.deltas, self.trend.colors
        self.trend_font, self.trend_w = self.trend.font, self.trend.width

    def _prepare_labels(self) -> None:
        days = self.grid.days
        self.rotated = len(days) > 14
        wide = self.cell_w >= 1.1  # room to say "(partial)" under Today; else the subtitle says it
        labels = [day_label(d, today=(j == len(days) - 1), note=wide) for j, d in enumerate(days)]
        self.xlabels = [f"{a} {b}" if self.rotated else f"{a}\n{b}" for a, b in labels]
        self.ylabels = [text if kind == "row" else "" for kind, _, text in self.display]
        self.headings = [(r, text) for r, (kind, _, text) in enumerate(self.display) if kind == "group"]
        self.title = shorten(self.grid.title, 90)
        self.subtitle = subtitle(self.grid, " (dashed)")
        # The colour bar: a tick at each band edge, labelled with its value; band names sit
        # inside their bands (a name on an edge would claim a value for the wrong band). A grid of
        # rule rows has no scale to show: one block per band its rules give, in its cells' colour,
        # named pass / warn / fail.
        bands = self.grid.bands
        self.cbar_blocks = None
        if judged_by_rules(self.grid.rows):
            shown = rule_bands(self.grid.rows)[::-1]  # fail at the bottom
            self.cbar_blocks = [tuple(self.cmap(self.norm(band_middle(b, bands)))) for b in shown]
            self.cbar_ticks = [k + 0.5 for k in range(len(shown))]
            self.cbar_ticklabels = [b.rule_word for b in shown]
            self.cbar_bands = []
        else:
            self.cbar_ticks = [0.0, bands.critical, bands.warning, 1.0]
            self.cbar_ticklabels = [exact_number(v) for v in self.cbar_ticks]
            self.cbar_bands = [((lo + hi) / 2, lo, hi, band.word) for lo, hi, band in bands.ranges()]
        # A stepped scale (0.05 a step) reads as well as a gradient and survives the paletted PNG.
        self.cbar_kws = {"bands": None, "health": {"spacing": "proportional"}}.get(self.spec.palette, {"boundaries": np.linspace(0, 1, 21)})
        # "Today" is partial: a dashed outline around its cells, one per run of data rows, so it
        # never crosses a group heading.
        self.today_spans: list[tuple[int, int]] = []
        for r, (kind, _, _) in enumerate(self.display):
            if kind != "row":
                continue
            if self.today_spans and self.today_spans[-1][1] == r:
                self.today_spans[-1] = (self.today_spans[-1][0], r + 1)
            else:
                self.today_spans.append((r, r + 1))

    def _cell_size(self) -> tuple[float, float]:
        n_rows, n_days = len(self.display), len(self.grid.days)
        width = min(1.3, max(0.36, 11.0 / n_days))
        height = row_height(n_rows)
        if n_rows <= 40 and self.shared.cell_h is not None:
            height = min(height, max(self.shared.cell_h, 0.4))  # the config's grids share a row height
        return width, height

    def _measure(self) -> None:
        """Fonts, the figure's size and where its blocks go (inches from the bottom-left corner),
        and the title and subtitle fitted to its width."""
        self.dpi, self.label_font = scale(len(self.display))
        self.tick_font = 9.0 if not self.rotated else 8.0
        self.label_w = label_width(self.display, self.label_font, self.dpi)
        self.right_w = right_width(self.grid.rows, self.grid.bands, self.spec.trend_column, self.dpi)
        self.own = Layout(self.label_w, self.right_w, self.cell_h)  # what this grid alone needs
        self.label_w = max(self.label_w, self.shared.label_w)
        self.right_w = max(self.right_w, self.shared.right_w)
        heat_w, heat_h = self.cell_w * len(self.grid.days), self.cell_h * len(self.display)
        fig_w = PAD + self.label_w + 0.12 + heat_w + self.right_w
        avail = fig_w - 2 * PAD
        head = header(self.title, self.subtitle, avail, self.dpi, _TITLE_BLOCK)
        self.title_size, self.title_lines, self.subtitle_size, self.subtitle_lines = head.title_size, head.title_lines, head.subtitle_size, head.subtitle_lines
        self.title_block = head.height
        bottom = _XLABEL_BLOCK_ROTATED if self.rotated else _XLABEL_BLOCK
        self.body_h = max(heat_h, _MIN_CBAR_HEIGHT)
        self.figure_size = (fig_w, self.title_block + self.body_h + bottom + PAD * 0.5)
        fig_h = self.figure_size[1]
        left, heat_bottom = PAD + self.label_w + 0.12, fig_h - self.title_block - heat_h
        self.heat_box = (left, heat_bottom, heat_w, heat_h)
        self.cbar_box = (left + heat_w + self.trend_w + CBAR_GAP, fig_h - self.title_block - self.body_h, CBAR_WIDTH, self.body_h)
        self.trend_box = (left + heat_w + GAP, heat_bottom, self.trend_w - GAP, heat_h) if self.spec.trend_column else None
        # A band's name only where the band is tall enough to hold it between its edge labels.
        self.cbar_names = [(mid, name) for mid, lo, hi, name in self.cbar_bands if (hi - lo) * self.body_h >= 0.3]
        self.header_lines = head.lines  # title lines, then subtitle lines: (inches from the top, text, size, bold)


def prepare(grid: Grid, spec: GridSpec, theme: str = "light", layout: Layout | None = None) -> _Heatmap:
    """`grid` prepared with the style of `spec` (palette, bands) in `theme` ("light" or "dark"),
    its label column, right-hand block and row height at least as `layout` says."""
    with styled():  # text is measured as it will be drawn
        return _Heatmap(grid, spec, theme, layout)


def draw(p: _Heatmap) -> Figure:
    """The figure of a prepared heatmap: axes 0 the cells, 1 the colour bar, 2 the trend column."""
    with styled():
        fig = Figure(dpi=p.dpi, facecolor=p.theme.background)
        FigureCanvasAgg(fig)
        fig_w, fig_h = p.figure_size
        box = lambda x, y, w, h: [x / fig_w, y / fig_h, w / fig_w, h / fig_h]  # noqa: E731 - inches -> figure fraction
        fig.set_size_inches(fig_w, fig_h)
        ax = fig.add_axes(box(*p.heat_box))
        cax = fig.add_axes(box(*p.cbar_box))
        if p.trend_box:
            draw_column(p.trend, fig.add_axes(box(*p.trend_box)), p.tick_font, p.theme)
        ax.set_facecolor(p.theme.background)
        _draw_cells(p, ax, cax)
        _draw_colorbar(p, cax)
        for y, line, size, bold in p.header_lines:
            fig.text(PAD / fig_w, 1 - y / fig_h, plain(line), fontsize=size, fontweight="bold" if bold else "normal",
                     color=p.theme.foreground if bold else p.theme.muted, va="center", ha="left")
        return fig


def heatmap_figure(grid: Grid, spec: GridSpec, theme: str = "light", layout: Layout | None = None) -> Figure:
    return draw(prepare(grid, spec, theme, layout))


def _draw_cells(p: _Heatmap, ax, cax) -> None:
    theme = p.theme
    n_rows, n_days = p.values.shape
    # A masked mesh, row 0 at the top, with its colour bar: what seaborn's heatmap() drew here, without
    # importing seaborn and pandas (a fifth of a short run's start-up).
    for spine in ax.spines.values():
        spine.set_visible(False)
    mesh = ax.pcolormesh(np.ma.masked_where(np.isnan(p.values), p.values), cmap=p.cmap, norm=p.norm,
                         linewidths=p.grid_line, edgecolor=theme.background)
    ax.set(xlim=(0, n_days), ylim=(0, n_rows))
    ax.invert_yaxis()
    if p.cbar_blocks:
        n = len(p.cbar_blocks)
        blocks = ScalarMappable(BoundaryNorm(np.arange(n + 1), n), ListedColormap(p.cbar_blocks))
        ax.figure.colorbar(blocks, cax, ax).outline.set_linewidth(0)
    else:
        ax.figure.colorbar(mesh, cax, ax, **(p.cbar_kws or {})).outline.set_linewidth(0)
    ax.tick_params(axis="both", length=0, colors=theme.foreground)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_yticks(np.arange(n_rows) + 0.5, [plain(t) for t in p.ylabels], rotation=0, fontsize=p.label_font, color=theme.foreground, va="center")
    ax.set_xticks(np.arange(n_days) + 0.5, [plain(t) for t in p.xlabels], rotation=90 if p.rotated else 0, fontsize=p.tick_font,
                  color=theme.foreground, linespacing=1.3)
    ax.tick_params(axis="x", pad=4)
    ax.get_xticklabels()[-1].set_fontweight("bold")  # today

    # No data: a hatched grey cell that says so, inset so the grid lines stay visible.
    inset = 0.04
    for r, j in zip(*np.nonzero(p.nodata), strict=True):
        ax.add_patch(Rectangle((j + inset, r + inset), 1 - 2 * inset, 1 - 2 * inset, facecolor=theme.nodata_fill, hatch="///",
                               hatchcolor=theme.nodata_hatch, edgecolor="none", linewidth=0, zorder=1.5))
    for r, j in zip(*np.nonzero(p.cell_fonts), strict=True):  # each cell's text at its own size
        nodata, text = bool(p.nodata[r, j]), p.cell_texts[r, j]
        ax.text(j + 0.5, r + 0.5, plain(text), ha="center", va="center", fontsize=float(p.cell_fonts[r, j]),
                fontstyle="italic" if nodata else "normal", color=p.text_colors[r, j], zorder=3,
                bbox=dict(boxstyle="round,pad=0.15", facecolor=theme.nodata_fill, edgecolor="none") if nodata else None,
                **({"linespacing": LINE_SPACING} if "\n" in text else {}))
    # Group headings in the label column, with a rule above each section.
    fig = ax.figure
    at_margin = blended_transform_factory(fig.transFigure, ax.transData)
    for r, text in p.headings:
        ax.text(PAD / fig.get_figwidth(), r + 0.55, plain(text), transform=at_margin, ha="left", va="center",
                fontsize=p.label_font, fontweight="bold", color=theme.foreground, clip_on=False)
        if r > 0:
            ax.axhline(r + 0.02, color=theme.muted, linewidth=0.8, xmin=0, xmax=1, clip_on=False, zorder=4)
    for top, end in p.today_spans:
        ax.add_patch(Rectangle((n_days - 1, top), 1, end - top, fill=False, edgecolor=theme.foreground, linewidth=1.6,
                               linestyle=(0, (4, 2)), zorder=5, clip_on=False))


def _draw_colorbar(p: _Heatmap, cax) -> None:
    theme = p.theme
    cax.set_yticks(p.cbar_ticks, p.cbar_ticklabels, fontsize=9.0, color=theme.foreground)
    cax.tick_params(length=0 if p.cbar_blocks else 4, width=1.0, color=theme.muted)
    cax.set_yticks([m for m, _ in p.cbar_names], [n for _, n in p.cbar_names], minor=True, fontsize=9.0, color=theme.muted, fontstyle="italic")
    cax.tick_params(which="minor", length=0, pad=6)
    for spine in cax.spines.values():
        spine.set_visible(False)
    if p.cbar_blocks:
        for level in range(1, len(p.cbar_blocks)):
            cax.axhline(level, color=theme.background, linewidth=1.5)
    elif p.spec.palette != "bands":
        for level in (p.grid.bands.critical, p.grid.bands.warning):
            cax.axhline(level, color=theme.background, linewidth=1.5)

