"""How a figure of merit (FoM) is judged: the grid's `bands` (the thresholds that cut the 0..1
scale into critical, warning and good), a row's `score` (its raw value mapped onto that scale), and
where a band sits on it."""

from __future__ import annotations

import math
from dataclasses import dataclass


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

    def band(self, value: float) -> str:
        if math.isnan(value):
            return "nodata"
        if value < self.critical:
            return "critical"
        if value < self.warning:
            return "warning"
        return "good"


def band_middle(band: str, bands: Bands) -> float:
    """The middle of `band`'s range on the FoM scale [0, 1] cut at bands.critical / bands.warning."""
    if band == "critical":
        return bands.critical / 2
    if band == "warning":
        return (bands.critical + bands.warning) / 2
    if band == "good":
        return (bands.warning + 1.0) / 2
    return math.nan
