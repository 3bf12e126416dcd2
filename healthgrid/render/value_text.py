"""A value's text fitted to the room it has: a heatmap's cells (`fit_cells`), a comparison's bars
(`ValueFitter`). A long text (a number with every digit that keeps it on its side of a threshold,
`0.30000000000000004`) is fitted on its own and never shrinks or hides the others.

The grid's cell font is the size its typical text, the median-length one, fits a cell at (~0.6 em
a character; 10 pt at most, no more than the row height allows, at least 7 pt). Each text is then
measured as Agg draws it; one too wide at that size is fitted on its own:

1. a smaller font of its own, down to `MIN_CELL_FONT`;
2. its unit shortened with "…" (`fit_tail`), the number whole;
3. two lines at `MIN_CELL_FONT` where the height holds them: the number on the first, the unit on
   the second; a number too long for one line is broken between its digits (never inside an
   exponent, never after a lone sign);
4. else that one cell shows no text (its number is in NAME.md, NAME.json and the HTML).

A number is never cut: the lines drawn read, joined, as the text the model formatted
(model/numbers.py decides the digits). Cells smaller than `MIN_LABELLED_CELL` show colour only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from healthgrid.model.formatting import NO_DATA
from healthgrid.render.layout import fit_tail, text_width

MIN_CELL_FONT = 7.0  # points; smaller labels are noise, so they are switched off
MAX_CELL_FONT = 10.0
MIN_LABELLED_CELL = (0.45, 0.3)  # inches (67 x 45 px): smaller cells show colour only
NO_DATA_SCALE = 0.85  # "no data" is written a little smaller than the numbers, in italics
LINE_SPACING = 1.2  # of a text on two lines, in font sizes
_WIDTH_USED, _HEIGHT_USED = 0.88, 0.42  # of a cell a line of text may take
_EM_PER_CHAR = 0.6  # DejaVu Sans averages ~0.6 em a character
_DIGIT = re.compile(r"[0-9]")
_DIGITS = frozenset("0123456789")


@dataclass
class CellTexts:
    """What the cells say, as drawn."""

    font: float  # the grid's cell font: the size of its typical text
    texts: np.ndarray  # object: each cell's text, its unit shortened or "\n" between its lines where it needed that
    fonts: np.ndarray  # float: the size each cell's text is drawn at; 0 where the cell shows no text


def fit_cells(texts: np.ndarray, units: list[str | None], cell_w: float, cell_h: float, dpi: float) -> CellTexts:
    """`texts` (display rows x days; "" for none) fitted to cells `cell_w` x `cell_h` inches;
    `units[r]`: the unit at the end of row r's texts (None: no unit)."""
    by_height = cell_h * 72 * _HEIGHT_USED

    def own(n: float) -> float:  # the size a text of n characters gets by its length alone
        return round(min(MAX_CELL_FONT, by_height, cell_w * 72 * _WIDTH_USED / (_EM_PER_CHAR * max(n, 4))), 1)

    lengths = [len(t) for t in texts.flat if t and t != NO_DATA]
    font = max(MIN_CELL_FONT, own(float(np.median(lengths)) if lengths else 4))  # the typical text: the median one
    fonts = np.zeros(texts.shape)
    shown = texts.copy()
    if cell_w < MIN_LABELLED_CELL[0] or cell_h < MIN_LABELLED_CELL[1]:
        return CellTexts(font, shown, fonts)
    two_lines = 2 * MIN_CELL_FONT * LINE_SPACING <= cell_h * 72 * 2 * _HEIGHT_USED
    fitter = ValueFitter(cell_w * _WIDTH_USED, font, two_lines, dpi)
    for (r, j), text in np.ndenumerate(texts):
        if text == NO_DATA:
            fonts[r, j] = font * NO_DATA_SCALE
        elif text:
            shown[r, j], fonts[r, j] = fitter.fit(text, units[r])
    return CellTexts(font, shown, fonts)


class ValueFitter:
    """Fits one value's text at a time into `room` inches at `font` or less, in the steps above (two
    lines only where `two_lines` says the height holds them); widths are cached by text and size."""

    def __init__(self, room: float, font: float, two_lines: bool, dpi: float):
        self.room, self.font, self.two_lines, self.dpi = room, font, two_lines, dpi
        self._widths: dict[tuple[str, float], float] = {}
        self._fitted: dict[tuple[str, str | None], tuple[str, float]] = {}  # a row repeats its texts

    def width(self, text: str, size: float) -> float:
        # DejaVu Sans's digits share one width and no kerning (tabular figures), so texts that differ
        # only in their digits measure alike: one measurement serves a whole grid of 0.93s and 0.87s.
        key = (_DIGIT.sub("0", text), size)
        if key not in self._widths:
            self._widths[key] = text_width(text, size, dpi=self.dpi)
        return self._widths[key]

    def fits(self, text: str, size: float = MIN_CELL_FONT) -> bool:
        return self.width(text, size) <= self.room

    def fit(self, text: str, unit: str | None) -> tuple[str, float]:
        """(text as drawn, its size), or (text, 0.0) where it cannot be shown whole; `unit`: the unit
        at its end (None: none)."""
        key = (text, unit)
        if key not in self._fitted:
            self._fitted[key] = self._fit(text, unit)
        return self._fitted[key]

    def _fit(self, text: str, unit: str | None) -> tuple[str, float]:
        if self.fits(text, self.font):
            return text, self.font
        size = self._largest(text)
        if size:
            return text, size
        number, unit = (text[: -len(unit) - 1], unit) if unit and text.endswith(" " + unit) else (text, None)
        if unit:
            shortened = fit_tail(number + " ", unit, self.room, MIN_CELL_FONT, dpi=self.dpi)
            if self.fits(shortened):
                return shortened, MIN_CELL_FONT
        wrapped = self._two_lines(number, unit) if self.two_lines else None
        return (wrapped, MIN_CELL_FONT) if wrapped else (text, 0.0)

    def _largest(self, text: str) -> float:
        """The largest size under the grid's font, down to MIN_CELL_FONT, at which `text` fits; 0 if none."""
        natural = self.width(text, self.font)
        size = max(MIN_CELL_FONT, min(round(self.font - 0.1, 1), int(self.font * self.room / natural * 10) / 10))
        while size > MIN_CELL_FONT and not self.fits(text, size):
            size = round(size - 0.1, 1)
        return size if self.fits(text, size) else 0.0

    def _two_lines(self, number: str, unit: str | None) -> str | None:
        """`number` and `unit` on two lines at MIN_CELL_FONT: the number whole on the first and the
        unit (shortened if need be) on the second; else the number broken between two lines, as
        evenly as they fit or, with a unit, with the first line full and the unit (shortened, or left
        out if even "…" cannot fit) after the rest. None if they cannot fit."""
        if self.fits(number):
            if not unit:
                return None  # a number that fits one line needed no wrapping
            second = fit_tail("", unit, self.room, MIN_CELL_FONT, dpi=self.dpi)
            return f"{number}\n{second}" if self.fits(second) else None
        ks = [k for k in _breaks(number) if self.fits(number[:k]) and self.fits(number[k:])]
        if not ks:
            return None
        if unit:  # the first line as full as it goes, so the second has the most room for the unit
            first, rest = number[: max(ks)], number[max(ks):]
            second = fit_tail(rest + " ", unit, self.room, MIN_CELL_FONT, dpi=self.dpi)
            return f"{first}\n{second if self.fits(second) else rest}"  # the unit gives way entirely before any digit does
        k = min(ks, key=lambda k: (max(self.width(number[:k], MIN_CELL_FONT), self.width(number[k:], MIN_CELL_FONT)), k))
        return f"{number[:k]}\n{number[k:]}"  # the evenest lines


def _breaks(number: str) -> list[int]:
    """Where `number` may be broken across lines: after a digit or its point, before a digit or
    its exponent, never inside the exponent (`1.25e-300` keeps `e-300` whole)."""
    end = number.find("e") if "e" in number else len(number)
    return [k for k in range(1, end + 1) if k < len(number) and (number[k - 1] in _DIGITS or number[k - 1] == ".")
            and (number[k] in _DIGITS or number[k] == "e")]
