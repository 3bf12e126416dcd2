"""The `Grid`: the one contract between sources, renderers and outputs.

Values are plain floats with NaN for "no data" (never 0), oldest day first; `raw` holds the daily
value before scoring and equals `values` for rows without a score. A grid carries the `bands` its
rows are judged by: a FoM's band is where `bands` puts it; a rule row (pass/warn) is judged on
`raw`, and its band never depends on `bands`, which only place it on the colour scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from healthgrid.model.band import Band, Bands, Score, band_middle, clamp_fom
from healthgrid.model.rules import Rule


@dataclass
class Row:
    label: str
    query: str
    values: list[float]
    raw: list[float]
    group: str | None = None
    unit: str | None = None
    score: Score | None = None
    rule: Rule | None = None
    description: str | None = None

    @property
    def name(self) -> str:
        """The row as a reader can tell it apart: two "Hearts" rows in different groups differ."""
        return f"{self.label} ({self.group})" if self.group else self.label

    @property
    def shows_raw(self) -> bool:
        """Cells read the raw value in the row's unit (scored and rule rows), not a FoM."""
        return self.score is not None or self.rule is not None

    def band(self, j: int, bands: Bands) -> Band:
        """critical | warning | good | nodata: the rule's verdict on the raw value, else the FoM's band."""
        if self.rule is not None:
            return self.rule.band(self.raw[j])
        return bands.band(self.values[j])

    def shade(self, j: int, bands: Bands) -> float:
        """Where the cell sits on the colour scale [0, 1] (NaN: no data). A rule cell sits in the
        middle of its band, so its colour is its band's whatever `bands` and palette say."""
        if self.rule is not None:
            return band_middle(self.band(j, bands), bands)
        value = self.values[j]
        return clamp_fom(value)


@dataclass
class Grid:
    name: str
    title: str
    timezone: str
    days: list[date]
    now: datetime
    rows: list[Row] = field(default_factory=list)
    bands: Bands = field(kw_only=True)

    @property
    def missing_cells(self) -> int:
        return sum(1 for row in self.rows for v in row.values if math.isnan(v))

    def today_counts(self) -> dict[Band, int]:
        """Today's cells per band, worst first, each as its row's rule or FoM says."""
        today = [row.band(-1, self.bands) for row in self.rows]
        return {band: today.count(band) for band in Band}

    def worst_today(self, count: int) -> list[int]:
        """Up to `count` rows whose cell today is critical or warning, worst first: lowest on the
        colour scale (a rule cell at the middle of its band), then in the order shown."""
        shades = [(row.shade(-1, self.bands), i) for i, row in enumerate(self.rows)]
        bad = sorted(s for s in shades if not math.isnan(s[0]) and self.rows[s[1]].band(-1, self.bands).bad)
        return [i for _, i in bad[:count]]

    def out_of_range(self) -> list[tuple[Row, date, float]]:
        """FoM values outside [0, 1] (renderers clamp them for colour), oldest first within a row."""
        return [(row, day, v) for row in self.rows for day, v in zip(self.days, row.values, strict=True) if not math.isnan(v) and not 0 <= v <= 1]

    def to_dict(self) -> dict:
        """The grid data file; each cell's band is stated, so no consumer re-derives it."""
        return {
            "name": self.name,
            "title": self.title,
            "timezone": self.timezone,
            "days": [d.isoformat() for d in self.days],
            "now": format_instant(self.now),
            "rows": [
                {
                    **row_meta(r),
                    "values": [_json_number(r.shade(j, self.bands) if r.rule else v) for j, v in enumerate(r.values)],
                    "raw": [_json_number(v) for v in r.raw],
                    "bands": [r.band(j, self.bands).json for j in range(len(r.values))],
                }
                for r in self.rows
            ],
        }


def row_meta(r: Row) -> dict:
    """What a data file says of a row besides its values: label, group, query, unit, and its score,
    rule and description when it has them."""
    return {
        "label": r.label,
        "group": r.group,
        "query": r.query,
        "unit": r.unit,
        **({"score": {"good": r.score.good, "bad": r.score.bad}} if r.score else {}),
        **({"pass": str(r.rule.passes)} if r.rule else {}),
        **({"warn": str(r.rule.warn)} if r.rule and r.rule.warn else {}),
        **({"description": r.description} if r.description is not None else {}),
    }


def _json_number(v: float) -> float | None:
    if math.isnan(v):
        return None
    return v if math.isfinite(v) else None


def format_instant(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def local_days(now: datetime, tz_name: str, count: int) -> list[date]:
    """The `count` calendar days in `tz_name` ending with the day that contains `now`."""
    today = now.astimezone(ZoneInfo(tz_name)).date()
    return [today - timedelta(days=count - 1 - i) for i in range(count)]


def day_start(day: date, tz_name: str) -> datetime:
    """The instant (UTC) at which `day` begins in `tz_name`.

    Where a zone skips midnight (a DST jump at 00:00), zoneinfo reads the missing 00:00 with the
    offset before the jump (fold=0), which is exactly the instant of the jump: the day's first.
    """
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz_name)).astimezone(timezone.utc)
