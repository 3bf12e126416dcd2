"""Deterministic demo data for `type: comparison` grids (no network, no keys).

The tag values are made up from the tag key (`policy-atlas`, `policy-borealis`, …; one long one, to
show how long values are shortened), a few more than `top` allows when `top` is small, so the
picture shows its "N of M" note. A bar's value depends only on the grid, the row's query, the tag
value and the window's last day; every demo shows at least one critical bar and, with two rows or
more, one without data (a tag value without data in every row is one Datadog never names).
"""

from __future__ import annotations

import math
from datetime import datetime

from healthgrid.config import GridSpec, RowSpec
from healthgrid.config.comparison import window_aggregation
from healthgrid.model.band import clamp_fom
from healthgrid.model.comparison import Comparison
from healthgrid.model.grid import local_days
from healthgrid.sources.demo import _fom_band, _rng, rule_value
from healthgrid.sources.rows import comparison

WORDS = ("atlas", "borealis", "cascade", "dune", "ember", "fjord", "glacier", "harbor", "iris", "juniper", "kestrel", "lagoon")
LONG_VALUE = "{by}-with-a-rather-long-name for the nightly regression suite"
NO_DATA_CHANCE = 0.06
DIP_CHANCE = 0.15


def demo_tags(spec: GridSpec) -> list[str]:
    count = min(len(WORDS), spec.top + 2)
    return [f"{spec.by}-{word}" for word in WORDS[: count - 1]] + [LONG_VALUE.format(by=spec.by)]


def _fom(spec: GridSpec, query: str, tag: str, day: str) -> float:
    level = 0.4 + 0.55 * _rng(spec.name, query, tag, "level").random()
    r = _rng(spec.name, query, tag, day)
    roll = r.random()
    if roll < NO_DATA_CHANCE:
        return math.nan
    if roll < NO_DATA_CHANCE + DIP_CHANCE:
        return round(r.uniform(0.02, 0.28), 2)
    return round(clamp_fom(r.gauss(level, 0.1)), 2)


def _scored(row: RowSpec, fom: float) -> float:
    """A scored row's raw value for a demo FoM, in the score's own precision (an eval score between
    0 and 1 keeps two decimals; counts over a wide range are whole)."""
    if row.score is None or math.isnan(fom):
        return fom
    good, bad = row.score.good, row.score.bad
    span = abs(good - bad)
    whole = span >= 20 and good.is_integer() and bad.is_integer()
    return round(bad + fom * (good - bad), 0 if whole else max(0, 2 - math.floor(math.log10(span)))) + 0.0


def demo_comparison(spec: GridSpec, now: datetime) -> Comparison:
    days = local_days(now, spec.timezone, spec.days)
    tags = demo_tags(spec)
    foms = [{tag: _fom(spec, row.query, tag, days[-1].isoformat()) for tag in tags} for row in spec.rows]
    # Every state the picture can be in: a critical bar and one without data.
    cells = [(i, tag) for i in range(len(foms)) for tag in tags]
    pick = _rng(spec.name, "forced").sample(cells, 2)
    if not any(v < spec.bands.critical for row in foms for v in row.values()):
        foms[pick[0][0]][pick[0][1]] = 0.12
    if len(foms) > 1 and not any(math.isnan(v) for row in foms for v in row.values()):
        foms[pick[1][0]][pick[1][1]] = math.nan
    values, aggregations = [], []
    for row, fom in zip(spec.rows, foms, strict=True):
        if row.rule is not None:
            raw = {tag: (math.nan if math.isnan(v) else rule_value(row.rule, _fom_band(v, spec.bands, row.rule), row.unit is None,
                                                                   _rng(spec.name, row.query, tag, "raw"))) for tag, v in fom.items()}
        else:
            raw = {tag: _scored(row, v) for tag, v in fom.items()}
        values.append({tag: v for tag, v in raw.items() if not math.isnan(v)})
        aggregations.append(window_aggregation(row))
    return comparison(spec.name, spec.title, spec.timezone, days, now, spec.by, spec.rows, values, aggregations, spec.bands, spec.top)
