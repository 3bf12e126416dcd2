"""A value's `Band` (critical, warning, good, or no data), and how a figure of merit (FoM) falls in
one: the grid's `bands` (the thresholds that cut the 0..1 scale), a row's `score` (its raw value
mapped onto that scale), and where a band sits on it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Band(StrEnum):
    """A value's band, worst first. It is the one place that knows how each output says a band:
    the words written in files are public and differ by file (NAME.json: critical / warning / good,
    null for no data; the badge: crit / warn / ok; the status page: critical / warning / ok;
    Markdown and HTML: critical / warning / good / no data; a grid of rule rows: fail / warn /
    pass), and so do the symbols (Markdown's 🔴🟡🟢⚪, the status page's ✖▲✓○) and colours."""

    CRITICAL = "critical"
    WARNING = "warning"
    GOOD = "good"
    NODATA = "nodata"

    @property
    def rank(self) -> int:
        """0 for the worst band (critical) up to 3 (no data)."""
        return list(Band).index(self)

    @property
    def bad(self) -> bool:
        """Critical or warning: what needs a look."""
        return self in (Band.CRITICAL, Band.WARNING)

    @property
    def json(self) -> str | None:
        """The band in NAME.json (null: no data)."""
        return None if self is Band.NODATA else self.value

    word = property(lambda self: _SAYS[self].word, doc="In Markdown and HTML text: critical, warning, good, no data.")
    rule_word = property(lambda self: _SAYS[self].rule_word, doc="On a grid of rule rows: fail, warn, pass.")
    badge_word = property(lambda self: _SAYS[self].badge_word, doc="In the badge's message: crit, warn, ok, no data.")
    status_word = property(lambda self: _SAYS[self].status_word, doc="On the status page: critical, warning, ok, no data.")
    symbol = property(lambda self: _SAYS[self].symbol, doc="Beside a value in Markdown: 🔴 🟡 🟢 ⚪.")
    mark = property(lambda self: _SAYS[self].mark, doc="Beside a state on the status page: ✖ ▲ ✓ ○.")
    color = property(lambda self: _SAYS[self].color, doc="The band's colour in pictures and pages (no data has none).")
    mark_color = property(lambda self: _SAYS[self].mark_color, doc="The status page's mark on a light page (darker amber for warning).")
    badge_color = property(lambda self: _SAYS[self].badge_color, doc="The badge's shields.io colour name.")


class _Says(NamedTuple):
    word: str
    rule_word: str
    badge_word: str
    status_word: str
    symbol: str
    mark: str
    color: str | None
    mark_color: str | None
    badge_color: str


_SAYS = {
    Band.CRITICAL: _Says("critical", "fail", "crit", "critical", "🔴", "✖", "#DC3545", "#DC3545", "red"),
    Band.WARNING: _Says("warning", "warn", "warn", "warning", "🟡", "▲", "#FFC107", "#C69500", "yellow"),
    Band.GOOD: _Says("good", "pass", "ok", "ok", "🟢", "✓", "#28A745", "#28A745", "brightgreen"),
    Band.NODATA: _Says("no data", "no data", "no data", "no data", "⚪", "○", None, None, "lightgrey"),
}


def clamp_fom(value: float) -> float:
    """A FoM forced into [0, 1] (for scores, colours and trends); NaN (no data) stays NaN."""
    return value if math.isnan(value) else min(1.0, max(0.0, value))


@dataclass(frozen=True)
class Score:
    """Linear raw -> FoM mapping, clamped: `good` scores 1.0, `bad` 0.0."""

    good: float
    bad: float

    def fom(self, raw: float) -> float:
        if math.isnan(raw):
            return math.nan
        return clamp_fom((raw - self.bad) / (self.good - self.bad))


@dataclass(frozen=True)
class Bands:
    critical: float = 0.3
    warning: float = 0.7

    def band(self, value: float) -> Band:
        if math.isnan(value):
            return Band.NODATA
        if value < self.critical:
            return Band.CRITICAL
        if value < self.warning:
            return Band.WARNING
        return Band.GOOD

    def ranges(self) -> list[tuple[float, float, Band]]:
        """(low, high, band) of the three bands on the FoM scale, worst first."""
        return [(0.0, self.critical, Band.CRITICAL), (self.critical, self.warning, Band.WARNING), (self.warning, 1.0, Band.GOOD)]


def band_middle(band: Band, bands: Bands) -> float:
    """The middle of `band`'s range on the FoM scale [0, 1] cut at bands.critical / bands.warning."""
    return next(((lo + hi) / 2 for lo, hi, b in bands.ranges() if b == band), math.nan)
