"""`type: comparison`: horizontal bars, one per tag value, in one panel per row (metric).

`prepare()` works out everything the picture shows before anything is drawn (each bar's colour,
value text, where that text sits and its colour, the reference lines, the axis range and ticks, the
labels, sizes and where each panel goes) in `_Bars`; `draw()` only turns it into matplotlib
artists. Tests check the prepared data.

The look is the heatmap's (`style.py`): a bar has the colour a heatmap cell of that value would
have on the grid's palette (a rule row: the middle of its band), text on a bar is black or white by
WCAG contrast, a value without data is a hatched slot that says "no data" (never a bar at 0).
Every panel lists the tag values in the same order (worst first), so a tag value sits at the same
height in every panel; panels go three to a line, each line with its own tag-value column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from healthgrid.config import GridSpec
from healthgrid.model.band import Bands
from healthgrid.model.comparison import Comparison
from healthgrid.model.formatting import NO_DATA, as_of_text, cell_text, format_number, window_text
from healthgrid.model.grid import Row
from healthgrid.render.layout import ELLIPSIS, header, shorten, text_width, wrap
from healthgrid.render.style import BIG_DPI, DPI, THEMES, colormap_and_norm, plain, styled, text_color_on
from healthgrid.render.value_text import LINE_SPACING, MIN_CELL_FONT, ValueFitter

MAX_TAG_LABEL = 40  # characters of a tag value in the picture (the full value is in NAME.json, NAME.md, the HTML)
MAX_PANEL_TITLE = 40  # characters of a row's label (and group) over its panel
PER_LINE = 3  # panels side by side
_PAD, _TITLE_BLOCK, _PANEL_HEAD, _AXIS_FOOT, _LINE_GAP, _PANEL_GAP = 0.3, 1.0, 0.62, 0.4, 0.3, 0.45
_PANEL_W = {1: 6.0, 2: 4.4}  # inches by panels on a line; 3.6 for three
_TAG_FONT, _VALUE_FONT, _TICK_FONT = 9.5, 8.5, 8.0
_TEXT_GAP = 0.06  # inches between a bar's end and its value
_VALUES_SHARE = 0.6  # of a panel's width, at most, kept for values written past their bars; the bars keep the rest


@dataclass
class Bar:
    tag: int  # index into the grid's tags: its height in the panel
    value: float  # the raw value (NaN: no data)
    color: tuple | None  # RGBA; None: no data
    text: str
    text_color: str
    inside: bool  # the value is written inside the bar's end, else just past it
    text_x: float  # data coordinates
    ha: str
    font: float = _VALUE_FONT  # points; 0: the value cannot be shown whole beside its bar (NAME.md has it)


@dataclass
class Panel:
    row: int
    title: str
    legend: str  # how the window is aggregated, and what the reference lines are
    xlim: tuple[float, float]
    ticks: list[float]
    ticklabels: list[str]
    bars: list[Bar] = field(default_factory=list)
    lines: list[tuple[float, str, str]] = field(default_factory=list)  # (x, "dashed" | "dotted", what)
    box: tuple[float, float, float, float] = (0, 0, 0, 0)  # the axes, inches from the bottom-left corner
    labelled: bool = False  # carries the tag values (first panel of its line)


def shorten_tag(text: str, limit: int = MAX_TAG_LABEL) -> str:
    """A tag value cut to `limit` characters at word boundaries, where words end at spaces and at
    the `-`, `_`, `.`, `/` and `:` that tag values use between words: `first-words…last-words`."""
    if len(text) <= limit:
        return text
    import re

    words = re.findall(r"[^\s\-_./:]*[\s\-_./:]*", text)[:-1]  # each word with the separator after it
    head, tail = "", ""
    for word in reversed(words):  # the end gets up to half the room
        if len(word + tail) > (limit - 1) // 2:
            break
        tail = word + tail
    for word in words:
        if len(head + word) + len(tail) > limit - 1:
            break
        head += word
    if not head or not tail:
        return shorten(text, limit)  # one long word: cut in its middle, as labels are
    return head.rstrip() + ELLIPSIS + tail.lstrip()


def _references(row: Row, bands: Bands) -> list[tuple[float, str, str]]:
    """The row's thresholds on its own scale: a rule's pass and warn; a score's band edges in raw
    units; a figure of merit's band edges."""
    unit = f" {row.unit}" if row.unit else ""
    if row.rule is not None:
        lines = [(row.rule.passes.threshold, "dashed", f"pass {row.rule.passes}{unit}")]
        return lines + ([(row.rule.warn.threshold, "dotted", f"warn {row.rule.warn}{unit}")] if row.rule.warn else [])
    if row.score is not None:
        good, bad = row.score.good, row.score.bad
        up = good > bad
        edge = lambda f: bad + f * (good - bad)  # noqa: E731 - the raw value where the FoM is f
        return [(edge(bands.warning), "dashed", f"good {'≥' if up else '≤'} {format_number(edge(bands.warning))}{unit}"),
                (edge(bands.critical), "dotted", f"critical {'<' if up else '>'} {format_number(edge(bands.critical))}{unit}")]
    return [(bands.warning, "dashed", f"good ≥ {bands.warning:g}"), (bands.critical, "dotted", f"critical < {bands.critical:g}")]


class _Bars:
    """A comparison prepared for drawing; the attributes are what tests check."""

    def __init__(self, grid: Comparison, spec: GridSpec, theme: str):
        self.grid = grid
        self.spec = spec
        self.theme = THEMES[theme]
        self.cmap, self.norm = colormap_and_norm(spec.palette, grid.bands)
        n_tags = len(grid.tags)
        self.dpi = DPI if n_tags * len(grid.rows) <= 200 else BIG_DPI
        self.pitch = 0.32 if n_tags <= 20 else 0.24  # inches per tag value
        self.per_line = min(PER_LINE, len(grid.rows))
        self.panel_w = _PANEL_W.get(self.per_line, 3.6)
        self.tags = [shorten_tag(t) for t in grid.tags]
        self.label_w = max(self._width(t, _TAG_FONT) for t in self.tags) + 0.15
        self.panels = [self._panel(i) for i in range(len(grid.rows))]
        self._measure()

    def _width(self, text: str, size: float, weight: str = "normal") -> float:
        return text_width(text, size, weight, self.dpi)

    def _panel(self, i: int) -> Panel:
        row = self.grid.rows[i]
        lines = _references(row, self.grid.bands)
        values = [v for v in row.raw if math.isfinite(v)]
        scale = [0.0] + values + [x for x, _, _ in lines] + ([] if row.shows_raw else [1.0])
        lo, hi = min(scale), max(scale)
        hi = hi if hi > lo else lo + 1.0
        whole = [cell_text(row, j, self.grid.bands) for j in range(len(self.grid.tags))]
        texts, fonts = self._fitted(whole, row)
        # Room for values written past a bar's end: as wide as the widest such text, on each side with bars.
        widest = lambda sign: max([self._width(t, f) for t, f, v in zip(texts, fonts, row.raw, strict=True)  # noqa: E731
                                   if f and math.isfinite(v) and (v >= 0) == (sign > 0)] + [0.0])
        room_r = widest(1) + 2 * _TEXT_GAP if any(v >= 0 for v in values) else 0.1
        room_l = widest(-1) + 2 * _TEXT_GAP if any(v < 0 for v in values) else 0.0
        per_inch = (hi - lo) / (self.panel_w - room_l - room_r)
        xlim = (lo - room_l * per_inch, hi + room_r * per_inch)
        ticks = [t for t in MaxNLocator(nbins=4).tick_values(lo, hi) if lo - 1e-9 * (hi - lo) <= t <= hi + 1e-9 * (hi - lo)]
        ticklabels = [format_number(t) if row.shows_raw else f"{t:g}" for t in ticks]
        title = shorten(row.name, MAX_PANEL_TITLE)
        while self._width(title, 10.5, "bold") > self.panel_w and len(title) > 12:
            title = shorten(row.name, len(title) - 4)
        legend = "   ".join([f"{self.grid.aggregations[i]} of the window"] + [f"{'– –' if style == 'dashed' else '···'} {what}"
                                                                                 for _, style, what in lines])
        legend = "\n".join(wrap(legend, self.panel_w + _PANEL_GAP / 2, _TICK_FONT, dpi=self.dpi, sep="   "))
        panel = Panel(i, title, legend, xlim, ticks, ticklabels, lines=lines)
        for j, (value, text, font) in enumerate(zip(row.raw, texts, fonts, strict=True)):
            if not math.isfinite(value):
                panel.bars.append(Bar(j, math.nan, None, NO_DATA, text_color_on(self.theme.nodata_fill), True, sum(xlim) / 2, "center"))
                continue
            if abs(value) / per_inch >= self._width(whole[j], _VALUE_FONT) + 2 * _TEXT_GAP:
                text, font = whole[j], _VALUE_FONT  # a bar long enough for its whole value holds it
            color = tuple(float(c) for c in self.cmap(self.norm(row.shade(j, self.grid.bands))))
            sign = 1 if value >= 0 else -1
            # A value on two lines (or none) goes past its bar, where its room was kept.
            inside = bool(font) and "\n" not in text and abs(value) / per_inch >= self._width(text, font) + 2 * _TEXT_GAP
            gap = _TEXT_GAP * per_inch * sign
            panel.bars.append(Bar(j, value, color, text, text_color_on(color) if inside else self.theme.foreground, inside,
                                  value - gap if inside else value + gap, ("right" if sign > 0 else "left") if inside else ("left" if sign > 0 else "right"),
                                  font))
        return panel

    def _fitted(self, texts: list[str], row: Row) -> tuple[list[str], list[float]]:
        """The bars' value texts and sizes. Values past their bars may take `_VALUES_SHARE` of the
        panel between its two sides; where the widest on each side need more, a side keeps what the
        other leaves (at least half), and a text wider than that is fitted on its own as a heatmap
        cell's is (value_text.py): the others keep their size."""
        need = {sign: max([self._width(t, _VALUE_FONT) + 2 * _TEXT_GAP for t, v in zip(texts, row.raw, strict=True)
                           if math.isfinite(v) and (v >= 0) == (sign > 0)] + [0.0]) for sign in (1, -1)}
        budget = self.panel_w * _VALUES_SHARE
        fonts = [_VALUE_FONT] * len(texts)
        if need[1] + need[-1] <= budget:
            return texts, fonts
        two_lines = 2 * MIN_CELL_FONT * LINE_SPACING / 72 <= self.pitch * 0.84
        fitters = {sign: ValueFitter(max(budget / 2, budget - need[-sign]) - 2 * _TEXT_GAP, _VALUE_FONT, two_lines, self.dpi) for sign in (1, -1)}
        texts = list(texts)
        for j, (text, value) in enumerate(zip(texts, row.raw, strict=True)):
            if math.isfinite(value):
                texts[j], fonts[j] = fitters[1 if value >= 0 else -1].fit(text, row.unit)
        return texts, fonts

    def _measure(self) -> None:
        grid, n_tags = self.grid, len(self.grid.tags)
        n_lines = math.ceil(len(self.panels) / self.per_line)
        body_w = self.label_w + self.per_line * self.panel_w + (self.per_line - 1) * _PANEL_GAP
        fig_w = 2 * _PAD + body_w
        self.title = shorten(grid.title, 90)
        shown = f"{n_tags} of {grid.total_tags} values" if grid.total_tags > n_tags else f"all {n_tags} values" if n_tags > 1 else "the one value"
        self.subtitle = (f"Each bar: the metric for one {grid.by} over the whole window · {window_text(grid)} · today is partial, "
                         f"as of {as_of_text(grid.now, grid.timezone)} · {shown} of {grid.by}, worst first")
        head = header(self.title, self.subtitle, body_w, self.dpi, _TITLE_BLOCK)
        self.header_lines = head.lines  # (inches from the top, text, size, bold)
        title_block = head.height
        self.panel_head = _PANEL_HEAD + max(p.legend.count("\n") for p in self.panels) * _TICK_FONT * 1.3 / 72
        line_h = self.panel_head + n_tags * self.pitch + _AXIS_FOOT
        fig_h = title_block + n_lines * line_h + (n_lines - 1) * _LINE_GAP + _PAD * 0.5
        self.figure_size = (fig_w, fig_h)
        for k, panel in enumerate(self.panels):
            line, col = divmod(k, self.per_line)
            top = fig_h - title_block - line * (line_h + _LINE_GAP)
            x = _PAD + self.label_w + col * (self.panel_w + _PANEL_GAP)
            panel.box = (x, top - self.panel_head - n_tags * self.pitch, self.panel_w, n_tags * self.pitch)
            panel.labelled = col == 0


def prepare(grid: Comparison, spec: GridSpec, theme: str = "light") -> _Bars:
    """`grid` prepared with the style of `spec` (palette, bands) in `theme` ("light" or "dark")."""
    with styled():
        return _Bars(grid, spec, theme)


def draw(p: _Bars) -> Figure:
    """The figure of a prepared comparison: one axes per panel, in row order."""
    with styled():
        fig = Figure(dpi=p.dpi, facecolor=p.theme.background)
        FigureCanvasAgg(fig)
        fig_w, fig_h = p.figure_size
        fig.set_size_inches(fig_w, fig_h)
        for panel in p.panels:
            x, y, w, h = panel.box
            ax = fig.add_axes([x / fig_w, y / fig_h, w / fig_w, h / fig_h])
            _draw_panel(p, panel, ax)
            top = y + h + p.panel_head
            fig.text(x / fig_w, (top - 0.2) / fig_h, plain(panel.title), fontsize=10.5, fontweight="bold",
                     color=p.theme.foreground, va="center", ha="left")
            fig.text(x / fig_w, (top - 0.37) / fig_h, plain(panel.legend), fontsize=_TICK_FONT, color=p.theme.muted,
                     va="top", ha="left", linespacing=1.3)
        for y, line, size, bold in p.header_lines:
            fig.text(_PAD / fig_w, 1 - y / fig_h, plain(line), fontsize=size, fontweight="bold" if bold else "normal",
                     color=p.theme.foreground if bold else p.theme.muted, va="center", ha="left")
        return fig


def comparison_figure(grid: Comparison, spec: GridSpec, theme: str = "light") -> Figure:
    return draw(prepare(grid, spec, theme))


def _draw_panel(p: _Bars, panel: Panel, ax) -> None:
    theme, n = p.theme, len(p.tags)
    ax.set_facecolor(theme.background)
    ax.set_xlim(*panel.xlim)
    ax.set_ylim(n - 0.5, -0.5)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.tick_params(axis="both", length=0, colors=theme.foreground)
    ax.set_xticks(panel.ticks, [plain(t) for t in panel.ticklabels], fontsize=_TICK_FONT, color=theme.muted)
    ax.set_yticks(range(n), [plain(t) for t in p.tags] if panel.labelled else [], fontsize=_TAG_FONT, color=theme.foreground)
    ax.tick_params(axis="y", pad=6)
    ax.axvline(0.0, color=theme.muted, linewidth=0.9, zorder=2)
    for x, style, _ in panel.lines:
        ax.axvline(x, color=theme.foreground, linewidth=1.1, linestyle=(0, (4, 2)) if style == "dashed" else (0, (1, 1.5)), zorder=2.5)
    drawn = [bar for bar in panel.bars if bar.color is not None]
    if drawn:  # one call for the panel's bars
        ax.barh([b.tag for b in drawn], [b.value for b in drawn], height=0.7, color=[b.color for b in drawn], edgecolor=theme.muted,
                linewidth=0.5, zorder=2.2)
    for bar in panel.bars:
        if bar.color is None:  # no data: a hatched slot across the panel that says so
            ax.add_patch(Rectangle((panel.xlim[0], bar.tag - 0.28), panel.xlim[1] - panel.xlim[0], 0.56, facecolor=theme.nodata_fill,
                                   hatch="///", hatchcolor=theme.nodata_hatch, edgecolor="none", linewidth=0, zorder=1.5))
            ax.text(bar.text_x, bar.tag, NO_DATA, ha="center", va="center", fontsize=_VALUE_FONT * 0.95, fontstyle="italic",
                    color=bar.text_color, zorder=3, bbox=dict(boxstyle="round,pad=0.15", facecolor=theme.nodata_fill, edgecolor="none"))
            continue
        if not bar.font:
            continue
        # On its own background, so a reference line through a value never crosses its digits.
        ax.text(bar.text_x, bar.tag, plain(bar.text), ha=bar.ha, va="center", fontsize=bar.font, color=bar.text_color, zorder=3,
                bbox=dict(boxstyle="square,pad=0.12", facecolor=bar.color if bar.inside else theme.background, edgecolor="none"),
                **({"linespacing": LINE_SPACING} if "\n" in bar.text else {}))
