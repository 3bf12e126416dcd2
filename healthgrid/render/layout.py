"""Text that fits, and sizes shared between grids, for the renderers.

- `shorten()`: a label longer than its limit keeps its first and last words with "…" between
  them, so the end (often what tells two rows apart) stays visible and no word is cut.
- `fit()`: a title or subtitle shrinks to fit the figure's width down to a readable size, then
  wraps (at " · " between its parts first, then between words) instead of running off the edge.
- `Layout`: the label column, right-hand block and row height that all heatmaps of one config
  share, so per-category grids line up on a dashboard. The renderer takes it as prepared data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from healthgrid.render.style import FONT

ELLIPSIS = "…"
MAX_LABEL_CHARS = 60


@dataclass(frozen=True)
class Layout:
    """Sizes in inches. A grid's label column and right-hand block are at least this wide; its
    rows are `cell_h` high unless the grid needs smaller ones (over 40 rows)."""

    label_w: float = 0.0
    right_w: float = 0.0
    cell_h: float | None = None

    def merge(self, other: "Layout") -> "Layout":
        heights = [h for h in (self.cell_h, other.cell_h) if h is not None]
        return Layout(max(self.label_w, other.label_w), max(self.right_w, other.right_w), min(heights) if heights else None)


@lru_cache(maxsize=4)
def _renderer(dpi: float):
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(1, 1, dpi)


@lru_cache(maxsize=8)
def _font(size: float, weight: str):
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=FONT, size=size, weight=weight)


def text_width(text: str, size: float, weight: str = "normal", dpi: float = 150) -> float:
    """Inches the widest line of `text` takes in DejaVu Sans, as Agg lays it out."""
    if not text:
        return 0.0
    renderer, prop = _renderer(dpi), _font(size, weight)
    return max(renderer.get_text_width_height_descent(line or " ", prop, ismath=False)[0] for line in text.split("\n")) / dpi


def shorten(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """One line of at most `limit` characters, cut between words: `first words … last words`."""
    text = " ".join(text.split())  # newlines and tabs would break the layout
    if len(text) <= limit:
        return text
    words = text.split(" ")
    room = limit - len(f" {ELLIPSIS} ")
    tail: list[str] = []
    for word in reversed(words):  # the end gets up to half the room, and at least the last word
        if len(" ".join([word] + tail)) > (room // 2 if tail else room):
            break
        tail.insert(0, word)
    head: list[str] = []
    for word in words[: len(words) - len(tail)]:
        if len(" ".join(head + [word])) + len(" ".join(tail)) > room:
            break
        head.append(word)
    if not tail:  # one word longer than the limit: nothing else to do but cut it
        keep = limit - 1
        return text[: keep - keep // 2] + ELLIPSIS + text[len(text) - keep // 2:]
    return f"{' '.join(head)} {ELLIPSIS} {' '.join(tail)}" if head else f"{ELLIPSIS} {' '.join(tail)}"


def wrap(text: str, width: float, size: float, weight: str = "normal", dpi: float = 150, sep: str = " ") -> list[str]:
    """Greedy lines no wider than `width` inches, broken at `sep`, and between words where a part
    alone is too wide. A single word wider than `width` gets a line of its own."""
    measure = lambda t: text_width(t, size, weight, dpi)  # noqa: E731
    lines = _glue(text.split(sep), sep, width, measure)
    if sep == " ":
        return lines
    return [piece for line in lines for piece in (_glue(line.split(" "), " ", width, measure) if measure(line) > width else [line])]


def _glue(parts: list[str], sep: str, width: float, measure) -> list[str]:
    lines: list[str] = []
    for part in parts:
        if lines and measure(lines[-1] + sep + part) <= width:
            lines[-1] += sep + part
        else:
            lines.append(part)
    return lines


@dataclass(frozen=True)
class Header:
    """A picture's title and subtitle fitted to its width, and where each line goes."""

    title_size: float
    title_lines: list[str]
    subtitle_size: float
    subtitle_lines: list[str]
    lines: list[tuple[float, str, float, bool]]  # (inches from the top, text, font size, bold)
    height: float  # inches the block takes from the top of the figure


def header(title: str, subtitle: str, width: float, dpi: float, block: float) -> Header:
    """Title (16 pt bold, down to 11) and subtitle (9.5 pt, down to 8, wrapped between its " · " parts
    first) fitted to `width` inches; `block`: the height of one title and one subtitle line."""
    title_size, title_lines = fit(title, width, 16.0, 11.0, "bold", dpi)
    subtitle_size, subtitle_lines = fit(subtitle, width, 9.5, 8.0, "normal", dpi, sep=" · ")
    lines, y = [], 0.38
    for k, line in enumerate(title_lines):
        lines.append((y, line, title_size, True))
        y += title_size * 1.3 / 72 if k < len(title_lines) - 1 else 0.32
    for line in subtitle_lines:
        lines.append((y, line, subtitle_size, False))
        y += subtitle_size * 1.4 / 72
    extra = (len(title_lines) - 1) * title_size * 1.3 / 72 + (len(subtitle_lines) - 1) * subtitle_size * 1.4 / 72
    return Header(title_size, title_lines, subtitle_size, subtitle_lines, lines, block + extra)


def fit(text: str, width: float, size: float, min_size: float, weight: str = "normal", dpi: float = 150, sep: str = " ") -> tuple[float, list[str]]:
    """(font size, lines): one line at the largest size in [min_size, size] that fits `width`,
    else lines wrapped at `min_size`."""
    natural = text_width(text, size, weight, dpi)
    if natural <= width:
        return size, [text]
    shrunk = round(size * width / natural, 1)
    while shrunk >= min_size and text_width(text, shrunk, weight, dpi) > width:
        shrunk = round(shrunk - 0.1, 1)
    if shrunk >= min_size:
        return shrunk, [text]
    return min_size, wrap(text, width, min_size, weight, dpi, sep)


def fit_tail(head: str, tail: str, width: float, size: float, weight: str = "normal", dpi: float = 150) -> str:
    """`head + tail` within `width` inches, `tail` shortened as `shorten()` does (down to "…" alone)
    where the whole is wider; `head` (a number, say) is never cut."""
    measure = lambda t: text_width(t, size, weight, dpi)  # noqa: E731
    most = most_chars(width, size)
    if len(tail) <= most and measure(head + tail) <= width:
        return head + tail
    best, lo, hi = ELLIPSIS, 1, min(len(tail) - 1, most)
    while lo <= hi:  # the longest shortened tail that fits
        mid = (lo + hi) // 2
        if measure(head + shorten(tail, mid)) <= width:
            best, lo = shorten(tail, mid), mid + 1
        else:
            hi = mid - 1
    return head + best


def most_chars(width: float, size: float) -> int:
    """More characters than any text `width` inches wide at `size` points can hold (DejaVu Sans's
    narrowest glyphs are over a quarter of an em), so longer texts need not be measured whole."""
    return int(width * 72 / (size * 0.25)) + 1
