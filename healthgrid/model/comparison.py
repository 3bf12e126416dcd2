"""The `Comparison`: a `type: comparison` grid, the contract between its sources, its picture and
its files, as `Grid` is for heatmaps.

Rows are metrics, as in a heatmap, but a row's columns are the values of one tag (`by`) instead of
days: each row is a `grid.Row` whose `values`/`raw` hold, per tag value, the row's value over the
whole window (NaN: no data, never 0). So a bar's band, colour and text follow exactly the rules of
a heatmap cell (`Row.band`, `Row.shade`, `formatting.cell_text`). `tags` is the order every output
shows: worst first (see `rank`), cut to the grid's `top`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from healthgrid.model.band import Band, Bands
from healthgrid.model.grid import Row, _json_number, day_start, format_instant, row_meta


@dataclass
class Comparison:
    name: str
    title: str
    timezone: str
    days: list[date]  # the window's local days, oldest first; the last holds `now` (partial)
    now: datetime
    by: str  # the tag key
    tags: list[str]  # the tag values shown, in order (worst first)
    rows: list[Row] = field(default_factory=list)  # row.values[j] / row.raw[j]: the value for tags[j]
    aggregations: list[str] = field(default_factory=list)  # per row: avg | sum | min | max, or pNN for a percentile
    total_tags: int = 0  # tag values found, before `top` cut the list
    type: str = "comparison"
    bands: Bands = field(kw_only=True)  # what the rows' figures of merit are judged by

    @property
    def start(self) -> datetime:
        """The window's first instant: local midnight of its first day (UTC)."""
        return day_start(self.days[0], self.timezone)

    @property
    def missing_cells(self) -> int:
        """Bars without data."""
        return sum(1 for row in self.rows for v in row.values if math.isnan(v))

    def bars(self):
        """(row index, tag index) of every bar, row by row."""
        return ((i, j) for i, row in enumerate(self.rows) for j in range(len(row.values)))

    def today_counts(self) -> dict[Band, int]:
        """Bars per band, worst first: the window ends now, so every bar is current."""
        found = [self.rows[i].band(j, self.bands) for i, j in self.bars()]
        return {band: found.count(band) for band in Band}

    def worst(self, count: int) -> list[tuple[int, int]]:
        """Up to `count` (row, tag) bars in the critical or warning band, worst first: by band, then by
        figure of merit, then by value in the direction the row's rule calls worse, then in the order shown."""
        bands = self.bands
        bad = [(i, j) for i, j in self.bars() if self.rows[i].band(j, bands).bad]
        bad.sort(key=lambda b: (self.rows[b[0]].band(b[1], bands).rank, self.rows[b[0]].shade(b[1], bands),
                                goodness(self.rows[b[0]], b[1]), b[1], b[0]))
        return bad[:count]

    def out_of_range(self) -> list[tuple[Row, str, float]]:
        """FoM values outside [0, 1] (clamped for colour), per row in tag order."""
        return [(row, tag, v) for row in self.rows for tag, v in zip(self.tags, row.values, strict=True) if not math.isnan(v) and not 0 <= v <= 1]

    def to_dict(self) -> dict:
        """`NAME.json`: per row, per tag value, the window's value and its band."""
        return {
            "name": self.name,
            "type": "comparison",
            "title": self.title,
            "timezone": self.timezone,
            "by": self.by,
            "days": [d.isoformat() for d in self.days],
            "from": format_instant(self.start),
            "now": format_instant(self.now),
            "tag_values": list(self.tags),
            "tag_values_total": self.total_tags,
            "rows": [
                {
                    **row_meta(r),
                    "aggregation": aggregation,
                    "bars": [{"tag": tag, "value": _json_number(r.raw[j]), "band": r.band(j, self.bands).json,
                              **({"fom": _json_number(r.values[j])} if r.score else {})} for j, tag in enumerate(self.tags)],
                }
                for r, aggregation in zip(self.rows, self.aggregations, strict=True)
            ],
        }


def goodness(row: Row, j: int) -> float:
    """Within a band, how good a bar is (higher is better): a rule row's value in its rule's direction
    (`< 5`: lower is better; `==`/`!=` have none: 0), else its figure of merit; +inf without data."""
    if math.isnan(row.values[j]):
        return math.inf
    if row.rule is not None:
        return row.raw[j] * row.rule.better
    return row.values[j]


def rank(rows: list[Row], tags: list[str], bands: Bands) -> list[int]:
    """Tag indices worst first: by the worst band among the rows (critical, warning, good; a tag value
    without data in any row last), then by the mean figure of merit of its bars with data (lower is
    worse; a rule row's bar sits at the middle of its band), then by the rows' values in the
    direction each rule calls better (the first row first), then by the tag value itself."""
    def key(j: int):
        found = [row.band(j, bands) for row in rows]
        shades = [row.shade(j, bands) for row in rows if not math.isnan(row.values[j])]
        worst = min(b.rank for b in found)
        return (worst, sum(shades) / len(shades) if shades else math.inf, tuple(goodness(row, j) for row in rows), tags[j])
    return sorted(range(len(tags)), key=key)


def window_end(days: list[date], timezone: str) -> datetime:
    """The instant the window's last day ends (its data stops at `now`)."""
    return day_start(days[-1] + timedelta(days=1), timezone)
