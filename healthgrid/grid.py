"""The `Grid`: the one contract between sources, renderers and outputs.

Values are plain floats with NaN for "no data" (never 0), oldest day first; `raw` holds the daily
value before scoring and equals `values` for rows without a score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from healthgrid.config import Bands, Score


@dataclass
class Row:
    label: str
    query: str
    values: list[float]
    raw: list[float]
    group: str | None = None
    unit: str | None = None
    score: Score | None = None


@dataclass
class Grid:
    name: str
    title: str
    timezone: str
    days: list[date]
    now: datetime
    rows: list[Row] = field(default_factory=list)

    @property
    def missing_cells(self) -> int:
        return sum(1 for row in self.rows for v in row.values if math.isnan(v))

    def out_of_range(self) -> list[tuple[Row, date, float]]:
        """FoM values outside [0, 1] (renderers clamp them for colour), oldest first within a row."""
        return [(row, day, v) for row in self.rows for day, v in zip(self.days, row.values, strict=True) if not math.isnan(v) and not 0 <= v <= 1]

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "timezone": self.timezone,
            "days": [d.isoformat() for d in self.days],
            "now": format_instant(self.now),
            "rows": [
                {
                    "label": r.label,
                    "group": r.group,
                    "query": r.query,
                    "unit": r.unit,
                    **({"score": {"good": r.score.good, "bad": r.score.bad}} if r.score else {}),
                    "values": [_json_number(v) for v in r.values],
                    "raw": [_json_number(v) for v in r.raw],
                }
                for r in self.rows
            ],
        }


def band_counts(values: list[float], bands: Bands) -> dict[str, int]:
    counts = {"critical": 0, "warning": 0, "good": 0, "nodata": 0}
    for v in values:
        counts[bands.band(v)] += 1
    return counts


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
