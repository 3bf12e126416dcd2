"""Draw a `Grid` as a heatmap image.

`heatmap_figure()` is a thin public function over `_HeatmapPlotter`, which prepares everything
the picture shows (cell colours, texts, text colours, labels, layout) before anything is drawn, so
tests can check the prepared data exactly and the artists against it. seaborn draws the cells.

The renderer owns its style: a `Figure` with its own Agg canvas (no pyplot state), every rcParam it
relies on set inside `rc_context`, fixed sizes from the grid's shape, DejaVu Sans, and no
`bbox_inches="tight"`. Identical grids give byte-identical PNG and SVG files.
"""

from __future__ import annotations

import io
import math
import os
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from healthgrid import process
from healthgrid.config import Bands, GridSpec
from healthgrid.formatting import NO_DATA, TREND_FLAT, as_of_text, cell_text, day_label, trend_delta, trend_text, window_text
from healthgrid.grid import Grid

os.environ.setdefault("MPLBACKEND", "Agg")  # headless: skip backend discovery on import

import matplotlib as mpl  # noqa: E402 - imported once MPLBACKEND is set
import numpy as np  # noqa: E402 - imported once MPLBACKEND is set
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402 - imported once MPLBACKEND is set
from matplotlib.colors import BoundaryNorm, ListedColormap, Normalize, to_rgba  # noqa: E402 - imported once MPLBACKEND is set
from matplotlib.figure import Figure  # noqa: E402 - imported once MPLBACKEND is set
from matplotlib.patches import Rectangle  # noqa: E402 - imported once MPLBACKEND is set
from matplotlib.transforms import blended_transform_factory  # noqa: E402 - imported once MPLBACKEND is set

DPI = 150
BIG_DPI = 100  # over 40 rows
FONT = "DejaVu Sans"
BAND_COLORS = {"critical": "#DC3545", "warning": "#FFC107", "good": "#28A745"}
BLACK, WHITE = "#000000", "#ffffff"
MIN_CELL_FONT = 7.0  # points; smaller labels are noise, so they are switched off
MIN_LABELLED_CELL = (0.45, 0.3)  # inches (67 x 45 px): smaller cells show colour only
MAX_LABEL_CHARS = 60


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    foreground: str
    muted: str
    nodata_fill: str
    nodata_hatch: str


THEMES = {
    "light": Theme("light", "#ffffff", "#1f2328", "#59636e", "#eceef1", "#b4bac2"),
    # Close to Datadog's dark dashboard background, for the image widget's url_dark_theme.
    "dark": Theme("dark", "#16171c", "#e6e7eb", "#a3a7b3", "#2b2d35", "#4a4d59"),
}

# Everything the picture depends on, set explicitly so a user's matplotlibrc cannot change it.
_RC = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 10.0,
    "axes.unicode_minus": True,
    "text.hinting": "force_autohint",
    "text.antialiased": True,
    "text.usetex": False,
    "hatch.linewidth": 1.0,
    "path.simplify": True,
    "svg.fonttype": "path",
    "svg.hashsalt": "healthgrid",
    "svg.image_inline": True,
    "savefig.transparent": False,
    "figure.dpi": DPI,
    "image.composite_image": True,
    "pcolormesh.snap": True,
}

# Inches.
_PAD = 0.3
_TITLE_BLOCK = 1.0
_XLABEL_BLOCK = 0.6
_XLABEL_BLOCK_ROTATED = 1.15
_CBAR_GAP, _CBAR_WIDTH = 0.3, 0.2
_MIN_CBAR_HEIGHT = 1.6


def _plain(text: str) -> str:
    """User text is never mathtext: `$` is literal."""
    return text.replace("$", r"\$")


def _truncate(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    text = " ".join(text.split())  # newlines and tabs would break the layout
    return text if len(text) <= limit else text[: limit - 1] + "…"


_TREND_WIDTH = 1.0  # inches


def _luminance(rgba: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of each colour (RGB or RGBA in 0..1, alpha ignored)."""
    c = np.asarray(rgba, dtype=float)[..., :3]
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def relative_luminance(color) -> float:
    """WCAG 2 relative luminance of a colour."""
    return float(_luminance(to_rgba(color)))


def contrast_ratio(a, b) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _contrast_with_black(rgba: np.ndarray) -> np.ndarray:
    """WCAG contrast of each colour with black; its contrast with white is 21 divided by this."""
    return (_luminance(rgba) + 0.05) / 0.05


def text_color_on(color) -> str:
    """Black or white, whichever contrasts more (always >= 4.58:1 for an opaque colour)."""
    return BLACK if contrast_ratio(color, BLACK) >= contrast_ratio(color, WHITE) else WHITE


def colormap_and_norm(palette: str, bands: Bands):
    """The colour scale for FoM values in [0, 1]."""
    if palette == "bands":
        cmap = ListedColormap([BAND_COLORS["critical"], BAND_COLORS["warning"], BAND_COLORS["good"]], name="bands")
        return cmap, BoundaryNorm([0.0, bands.critical, bands.warning, 1.0 + 1e-9], cmap.N)
    return mpl.colormaps[palette], Normalize(vmin=0.0, vmax=1.0)


class _HeatmapPlotter:
    """Prepares a grid for drawing; the attributes are what tests check."""

    def __init__(self, grid: Grid, spec: GridSpec, theme: str):
        self.grid = grid
        self.spec = spec
        self.theme = THEMES[theme]
        self.cmap, self.norm = colormap_and_norm(spec.palette, spec.bands)
        self._layout_rows()
        self.cell_w, self.cell_h = self._cell_size()
        self._prepare_cells()
        self._prepare_labels()
        if spec.trend:
            self._prepare_trend()

    def _layout_rows(self) -> None:
        """Display rows: data rows, with a heading row before each new group."""
        self.display: list[tuple[str, int | None, str]] = []  # (kind, data row index, text)
        current = None
        grouped = any(r.group for r in self.grid.rows)
        for i, row in enumerate(self.grid.rows):
            group = row.group or ("Other" if current is not None else None)
            if grouped and group is not None and group != current:
                self.display.append(("group", None, _truncate(group)))
                current = group
            self.display.append(("row", i, _truncate(row.label)))

    def _prepare_cells(self) -> None:
        n_rows, n_days = len(self.display), len(self.grid.days)
        self.values = np.full((n_rows, n_days), np.nan)  # FoM clipped to [0, 1] for colour; NaN = no colour
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
                value = float(row.values[j])
                self.cell_texts[r, j] = cell_text(row, j)
                if math.isnan(value):
                    self.nodata[r, j] = True
                    continue
                self.values[r, j] = min(1.0, max(0.0, value))
        # Colours for all cells at once (per-cell colormap calls dominate big grids).
        coloured = ~np.isnan(self.values)
        self.cell_colors[coloured] = self.cmap(self.norm(self.values[coloured]))
        on_black = _contrast_with_black(self.cell_colors[coloured])
        self.text_colors[coloured] = np.where(on_black >= 21.0 / on_black, BLACK, WHITE)
        self.text_colors[self.nodata] = text_color_on(self.theme.nodata_fill)

    def _prepare_trend(self) -> None:
        """`trend: true`: today's FoM against the mean of the previous days, per row."""
        self.trend_texts: list[str] = []
        self.trend_deltas: list[float] = []
        for kind, index, _ in self.display:
            if kind != "row":
                self.trend_texts.append("")
                self.trend_deltas.append(math.nan)
                continue
            delta = trend_delta(self.grid.rows[index].values)
            self.trend_deltas.append(delta)
            self.trend_texts.append(trend_text(delta))

    def _prepare_labels(self) -> None:
        days = self.grid.days
        self.rotated = len(days) > 14
        wide = self.cell_w >= 1.1  # room to say "(partial)" under Today; else the subtitle says it
        labels = [day_label(d, today=(j == len(days) - 1), note=wide) for j, d in enumerate(days)]
        self.xlabels = [f"{a} {b}" if self.rotated else f"{a}\n{b}" for a, b in labels]
        self.ylabels = [text if kind == "row" else "" for kind, _, text in self.display]
        self.headings = [(r, text) for r, (kind, _, text) in enumerate(self.display) if kind == "group"]
        self.title = _truncate(self.grid.title, 90)
        self.subtitle = (
            f"Daily figure of merit, 0 bad … 1 good · {window_text(self.grid)} · "
            f"today (dashed) is partial, as of {as_of_text(self.grid.now, self.grid.timezone)}"
        )
        bands = self.spec.bands
        if self.spec.palette == "bands":
            self.cbar_ticks = [bands.critical / 2, (bands.critical + bands.warning) / 2, (bands.warning + 1) / 2]
            self.cbar_ticklabels = [f"critical\n< {bands.critical:.2f}", "warning", f"good\n≥ {bands.warning:.2f}"]
        else:
            self.cbar_ticks = [0.0, bands.critical, bands.warning, 1.0]
            self.cbar_ticklabels = ["0.00 bad", f"{bands.critical:.2f} critical", f"{bands.warning:.2f} warning", "1.00 good"]

    # --- layout -----------------------------------------------------------------------------

    def _cell_size(self) -> tuple[float, float]:
        n_rows, n_days = len(self.display), len(self.grid.days)
        width = min(1.3, max(0.36, 11.0 / n_days))
        height = 0.5 if n_rows <= 12 else 0.4 if n_rows <= 40 else 0.28
        return width, height

    def _cell_font(self, cell_w: float, cell_h: float) -> float:
        longest = max((len(t) for t in self.cell_texts.flat if t and t != NO_DATA), default=4)
        longest = max(longest, 4)
        by_height = cell_h * 72 * 0.42
        by_width = cell_w * 72 * 0.88 / (0.6 * longest)  # DejaVu Sans averages ~0.6 em a character
        return round(min(10.0, by_height, by_width), 1)

    def draw(self) -> Figure:
        theme = self.theme
        cell_w, cell_h = self.cell_w, self.cell_h
        self.cell_font = self._cell_font(cell_w, cell_h)
        self.show_cell_text = self.cell_font >= MIN_CELL_FONT and cell_w >= MIN_LABELLED_CELL[0] and cell_h >= MIN_LABELLED_CELL[1]
        label_font = 11.0 if len(self.display) <= 40 else 8.5
        tick_font = 9.0 if not self.rotated else 8.0

        # Big grids get fewer pixels per inch: 100 rows stay readable at a third of the pixels.
        self.dpi = DPI if len(self.display) <= 40 else BIG_DPI
        fig = Figure(dpi=self.dpi, facecolor=theme.background)
        FigureCanvasAgg(fig)
        renderer = fig.canvas.get_renderer()

        def text_width(text: str, size: float, weight: str = "normal") -> float:
            from matplotlib.font_manager import FontProperties

            if not text:
                return 0.0
            prop = FontProperties(family=FONT, size=size, weight=weight)
            widths = [renderer.get_text_width_height_descent(line or " ", prop, ismath=False)[0] for line in text.split("\n")]
            return max(widths) / self.dpi

        label_w = max([text_width(t, label_font) for t in self.ylabels] + [text_width(t, label_font, "bold") - 0.15 for _, t in self.headings] + [0.5])
        cbar_label_w = max(text_width(t, 9.0) for t in self.cbar_ticklabels) + 0.1
        heat_w, heat_h = cell_w * len(self.grid.days), cell_h * len(self.display)
        left = _PAD + label_w + 0.12
        trend_w = _TREND_WIDTH if self.spec.trend else 0.0
        right = trend_w + _CBAR_GAP + _CBAR_WIDTH + cbar_label_w + _PAD
        bottom = _XLABEL_BLOCK_ROTATED if self.rotated else _XLABEL_BLOCK
        body_h = max(heat_h, _MIN_CBAR_HEIGHT)
        fig_w = left + heat_w + right
        fig_h = _TITLE_BLOCK + body_h + bottom + _PAD * 0.5
        fig.set_size_inches(fig_w, fig_h)

        def box(x, y, w, h):  # inches from the bottom-left corner -> figure fraction
            return [x / fig_w, y / fig_h, w / fig_w, h / fig_h]

        heat_bottom = fig_h - _TITLE_BLOCK - heat_h
        ax = fig.add_axes(box(left, heat_bottom, heat_w, heat_h))
        cax = fig.add_axes(box(left + heat_w + trend_w + _CBAR_GAP, fig_h - _TITLE_BLOCK - body_h, _CBAR_WIDTH, body_h))
        if self.spec.trend:
            self._draw_trend(fig.add_axes(box(left + heat_w + 0.08, heat_bottom, trend_w - 0.08, heat_h)), tick_font)
        ax.set_facecolor(theme.background)
        # seaborn draws the whole figure once inside heatmap() (to rotate overlapping labels, which
        # ours never are); at a postage-stamp size that draw costs next to nothing.
        self.figure_size = (fig_w, fig_h)
        fig.set_size_inches(0.5, 0.5)
        self._draw_cells(ax, cax, label_font, tick_font)
        self._draw_colorbar(cax)

        # Title and subtitle, shrunk to fit the width rather than cut off.
        avail = fig_w - 2 * _PAD
        title_size = min(16.0, 16.0 * avail / max(text_width(self.title, 16.0, "bold"), 0.01))
        sub_size = min(9.5, 9.5 * avail / max(text_width(self.subtitle, 9.5), 0.01))
        fig.text(_PAD / fig_w, 1 - 0.38 / fig_h, _plain(self.title), fontsize=max(title_size, 7), fontweight="bold", color=theme.foreground,
                 va="center", ha="left")
        fig.text(_PAD / fig_w, 1 - 0.7 / fig_h, _plain(self.subtitle), fontsize=max(sub_size, 6), color=theme.muted, va="center", ha="left")
        return fig

    def _draw_cells(self, ax, cax, label_font: float, tick_font: float) -> None:
        import seaborn as sns

        theme = self.theme
        n_rows, n_days = self.values.shape
        line = 1.5 if n_rows * n_days <= 400 else 0.6
        sns.heatmap(
            self.values,
            mask=np.isnan(self.values),
            cmap=self.cmap,
            norm=self.norm,
            cbar=True,
            cbar_ax=cax,
            # A stepped scale (0.05 a step) reads as well as a gradient and survives the paletted PNG.
            cbar_kws=None if self.spec.palette == "bands" else {"boundaries": np.linspace(0, 1, 21)},
            linewidths=line,
            linecolor=theme.background,
            xticklabels=False,  # set below; seaborn would lay them out in an extra full draw
            yticklabels=False,
            annot=False,
            square=False,
            ax=ax,
        )
        ax.figure.set_size_inches(*self.figure_size)  # the real size, for everything from here on
        self.mesh = ax.collections[0]
        ax.tick_params(axis="both", length=0, colors=theme.foreground)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_yticks(np.arange(n_rows) + 0.5, [_plain(t) for t in self.ylabels], rotation=0, fontsize=label_font, color=theme.foreground, va="center")
        ax.set_xticks(np.arange(n_days) + 0.5, [_plain(t) for t in self.xlabels], rotation=90 if self.rotated else 0, fontsize=tick_font,
                      color=theme.foreground, linespacing=1.3)
        ax.tick_params(axis="x", pad=4)
        today_label = ax.get_xticklabels()[-1]
        today_label.set_fontweight("bold")

        # No data: a hatched grey cell that says so, inset so the grid lines stay visible.
        inset = 0.04
        for r, j in zip(*np.nonzero(self.nodata), strict=True):
            ax.add_patch(Rectangle((j + inset, r + inset), 1 - 2 * inset, 1 - 2 * inset, facecolor=theme.nodata_fill, hatch="///",
                                   hatchcolor=theme.nodata_hatch, edgecolor="none", linewidth=0, zorder=1.5))
        self.texts = []
        if self.show_cell_text:
            for r, j in zip(*np.nonzero(self.cell_texts != ""), strict=True):
                text = self.cell_texts[r, j]
                nodata = bool(self.nodata[r, j])
                self.texts.append(
                    ax.text(j + 0.5, r + 0.5, _plain(text), ha="center", va="center", fontsize=self.cell_font * (0.85 if nodata else 1.0),
                            fontstyle="italic" if nodata else "normal", color=self.text_colors[r, j], zorder=3,
                            bbox=dict(boxstyle="round,pad=0.15", facecolor=theme.nodata_fill, edgecolor="none") if nodata else None)
                )
        # Group headings in the label column, with a rule above each section.
        fig = ax.figure
        at_margin = blended_transform_factory(fig.transFigure, ax.transData)
        for r, text in self.headings:
            ax.text(_PAD / fig.get_figwidth(), r + 0.55, _plain(text), transform=at_margin, ha="left", va="center",
                    fontsize=label_font, fontweight="bold", color=theme.foreground, clip_on=False)
            if r > 0:
                ax.axhline(r + 0.02, color=theme.muted, linewidth=0.8, xmin=0, xmax=1, clip_on=False, zorder=4)
        # "Today" is partial: outline its column.
        ax.add_patch(Rectangle((n_days - 1, 0), 1, n_rows, fill=False, edgecolor=theme.foreground, linewidth=1.6, linestyle=(0, (4, 2)),
                               zorder=5, clip_on=False))

    def _draw_trend(self, tax, tick_font: float) -> None:
        """The trend column: ▲/▼ and the change, coloured by direction (the symbol carries it too)."""
        theme = self.theme
        n_rows = len(self.display)
        tax.set_xlim(0, 1)
        tax.set_ylim(n_rows, 0)
        tax.set_axis_off()
        up, down = ("#1a7f37", "#cf222e") if theme.name == "light" else ("#3fb950", "#ff7b72")
        size = min(10.0, max(self.cell_font, 7.0))
        self.trend_artists = []
        for r, (text, delta) in enumerate(zip(self.trend_texts, self.trend_deltas, strict=True)):
            if not text:
                continue
            color = theme.muted if math.isnan(delta) or abs(delta) < TREND_FLAT else (up if delta > 0 else down)
            self.trend_artists.append(tax.text(0.5, r + 0.5, text, ha="center", va="center", fontsize=size, color=color, fontweight="bold"))
        tax.text(0.5, n_rows + 0.15, "vs. average\nof earlier days", ha="center", va="top", fontsize=tick_font, color=theme.foreground,
                 linespacing=1.3, clip_on=False)

    def _draw_colorbar(self, cax) -> None:
        theme = self.theme
        cax.set_yticks(self.cbar_ticks, self.cbar_ticklabels, fontsize=9.0, color=theme.foreground)
        cax.tick_params(length=3, color=theme.muted)
        for spine in cax.spines.values():
            spine.set_visible(False)
        if self.spec.palette != "bands":
            for level in (self.spec.bands.critical, self.spec.bands.warning):
                cax.axhline(level, color=theme.background, linewidth=1.5)


@contextmanager
def styled():
    """The renderer's own style, for drawing and saving; global rcParams are left alone."""
    with mpl.rc_context(_RC), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from font")  # exotic labels: boxes, not noise
        warnings.filterwarnings("ignore", message=r"All-NaN slice encountered")  # seaborn's vmin of an all-no-data grid
        yield


def heatmap_figure(grid: Grid, spec: GridSpec, theme: str = "light") -> Figure:
    """Draw `grid` with the style of `spec` (palette, bands) in `theme` ("light" or "dark")."""
    with styled():
        plotter = _HeatmapPlotter(grid, spec, theme)
        fig = plotter.draw()
        fig._healthgrid = plotter  # the prepared data, for tests
        return fig


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """PNG or SVG bytes with no timestamps or version strings, so identical data is identical bytes."""
    if fmt == "png":
        return png_bytes(_rendered_image(fig))
    buf = io.BytesIO()
    with styled():
        fig.savefig(buf, format=fmt, dpi=fig.dpi, facecolor=fig.get_facecolor(), metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def rendered_pixels(fig: Figure) -> np.ndarray:
    """The figure as opaque RGB pixels, exactly as Agg draws it."""
    return np.asarray(_rendered_image(fig))


def _rendered_image(fig: Figure):
    from PIL import Image

    with styled():
        fig.canvas.draw()
    width, height = fig.canvas.get_width_height(physical=True)
    return Image.frombuffer("RGBA", (width, height), fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")


def png_bytes(rgb) -> bytes:
    """A paletted PNG: a grid is flat colours and antialiased text, so 256 colours chosen by median
    cut (no dithering) keep it within the image tests' tolerance of the full-colour render at about
    a third of the bytes; with 256 colours or fewer the palette is exact."""
    from PIL import Image

    image = rgb if isinstance(rgb, Image.Image) else Image.fromarray(rgb, "RGB")
    colors = image.getcolors(256)
    if colors:
        # Pillow's mapping onto a given palette shares one entry among colours a few levels apart,
        # so each pixel is looked up by its exact colour instead.
        palette = np.array(sorted(color for _, color in colors), dtype=np.uint32)
        index = np.searchsorted(_packed(palette), _packed(np.asarray(image, dtype=np.uint32)))
        paletted = Image.fromarray(index.astype(np.uint8), "P")
        paletted.putpalette(palette.astype(np.uint8).tobytes())
    else:
        paletted = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    paletted.save(buf, "PNG", compress_level=8)  # 9 is 2.5x slower for 2% fewer bytes
    return buf.getvalue()


def _packed(rgb: np.ndarray) -> np.ndarray:
    """uint32 RGB triples (any leading shape) as one sortable key each."""
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def render(grid: Grid, spec: GridSpec, theme: str, fmt: str) -> bytes:
    return figure_bytes(heatmap_figure(grid, spec, theme), fmt)


def figure_for(grid: Grid, spec: GridSpec, theme: str) -> Figure:
    """The figure of the grid's type."""
    if spec.type == "trend":
        from healthgrid.trend import trend_figure

        process.settled()
        with styled():
            return trend_figure(grid, spec, theme)
    import seaborn  # noqa: F401 - the heatmap engine, loaded before any figure object exists to be frozen with it

    process.settled()
    return heatmap_figure(grid, spec, theme)
