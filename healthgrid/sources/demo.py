"""Deterministic, plausible demo data for whatever rows a config has (no network, no keys).

A cell's value depends only on the grid, the row's query and the calendar day, so moving `--now`
forward shifts the picture left like real data would, and a pull request's preview of a config
change is stable from run to run.
"""

from __future__ import annotations

import hashlib
import math
import random
from datetime import date, datetime

from healthgrid.config import GridSpec, RowSpec
from healthgrid.model.band import Band, Bands, clamp_fom
from healthgrid.model.grid import Grid, local_days
from healthgrid.model.rules import Rule
from healthgrid.sources.rows import make_row

NO_DATA_CHANCE = 0.04
DIP_CHANCE = 0.10


def _rng(*parts: str) -> random.Random:
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _row_fom(spec: GridSpec, row: RowSpec, days: list[date]) -> list[float]:
    level = 0.45 + 0.5 * _rng(spec.name, row.query, "level").random()  # each row has its own health
    out = []
    for day in days:
        r = _rng(spec.name, row.query, day.isoformat())
        roll = r.random()
        if roll < NO_DATA_CHANCE:
            out.append(math.nan)
        elif roll < NO_DATA_CHANCE + DIP_CHANCE:
            out.append(round(r.uniform(0.02, 0.28), 2))  # a bad day
        else:
            out.append(round(clamp_fom(r.gauss(level, 0.12)), 2))
    return out


def _to_raw(row: RowSpec, fom: float) -> float:
    """Invert a score so a scored row shows a raw value in its own unit."""
    if row.score is None or math.isnan(fom):
        return fom
    good, bad = row.score.good, row.score.bad
    raw = bad + fom * (good - bad)
    whole = float(good).is_integer() and float(bad).is_integer() and row.unit is None
    return float(round(raw)) if whole else round(raw, 1)


def _fom_band(fom: float, bands: Bands, rule: Rule) -> Band:
    band = bands.band(fom)
    if band is Band.WARNING and not rule.warn:  # a pass/fail rule has no warning: the lower half fails
        return Band.CRITICAL if fom < (bands.critical + bands.warning) / 2 else Band.GOOD
    return band


def _rule_row(spec: GridSpec, row: RowSpec, days: list[date], fom: list[float]) -> list[float]:
    """Raw values for a rule row: each day's band from the demo FoM, then a value clearly inside it.

    Every band the rule has (good, critical, and warning with `warn`) shows at least once before
    today when the window has room, so a preview shows both sides of every threshold."""
    rule = row.rule
    bands = [_fom_band(v, spec.bands, rule) for v in fom]
    pick = _rng(spec.name, row.query, "cover")
    for band in (Band.GOOD, Band.CRITICAL) + ((Band.WARNING,) if rule.warn else ()):
        if band not in bands:
            spare = [j for j in range(len(bands) - 1) if bands[j] is not Band.NODATA and bands.count(bands[j]) > 1]
            if spare:
                bands[pick.choice(spare)] = band
    return [math.nan if band is Band.NODATA else rule_value(rule, band, row.unit is None, _rng(spec.name, row.query, day.isoformat(), "raw"))
            for band, day in zip(bands, days, strict=True)]


def rule_value(rule: Rule, band: Band, counts: bool, r: random.Random) -> float:
    """A plausible value clearly inside `band` of `rule`: a fifth to four fifths of the way across
    the band's stretch between thresholds, never on a threshold (unless only a threshold is in that
    band, as the 0 of a failing `> 0`), rounded to a sensible precision (whole numbers for unit-less rules with whole
    thresholds), not negative when no threshold is, and not above 1 when every threshold is a fraction."""
    ts = sorted({c.threshold for c in (rule.passes, rule.warn) if c is not None})
    span = ts[-1] - ts[0] or max(abs(ts[0]) * 0.2, 1.0)
    natural = ts[0] >= 0  # counts, durations, rates: no negative demo values
    regions = [(a, b, (a + b) / 2) for a, b in zip(ts, ts[1:], strict=False)]
    if not natural or ts[0] > 0:
        low = ts[0] if natural else span  # from 0 up to the lowest threshold, else a span below it
        regions.insert(0, (ts[0] - low, ts[0], ts[0] - low / 2))
    top = 1.0 if natural and ts[-1] < 1 else ts[-1] + span  # thresholds within [0, 1): a ratio, which stays <= 1
    regions.append((ts[-1], top, (ts[-1] + top) / 2))
    mine = [(a, b) for a, b, probe in regions if rule.band(probe) == band]
    whole = counts and all(float(t).is_integer() for t in ts)
    digits = 0 if whole else max(0, 2 - math.floor(math.log10(span)))
    for _ in range(20 if mine else 0):
        a, b = r.choice(mine)
        x = round(a + (b - a) * r.uniform(0.2, 0.8), digits)
        if rule.band(x) == band and x not in ts and (x >= 0 or not natural):
            return float(x) + 0.0  # no -0.0
    return next((t for t in ts if rule.band(t) == band), math.nan)


def demo_grid(spec: GridSpec, now: datetime) -> Grid:
    days = local_days(now, spec.timezone, spec.days)
    foms = [_row_fom(spec, row, days) for row in spec.rows]
    cells = [(i, j) for i in range(len(foms)) for j in range(len(days))]
    # A demo must show every state the picture can be in: at least one critical and one no-data
    # cell (neither in today's column when there is room, so "today" stays readable).
    if len(cells) >= 3:
        pick = _rng(spec.name, "forced").sample([c for c in cells if c[1] < len(days) - 1] or cells, 2)
        values = [v for row in foms for v in row]
        if not any(v < spec.bands.critical for v in values if not math.isnan(v)):
            i, j = pick[0]
            foms[i][j] = 0.12
        if not any(math.isnan(v) for v in values):
            i, j = pick[1]
            foms[i][j] = math.nan
    rows = []
    for row, fom in zip(spec.rows, foms, strict=True):
        raw = _rule_row(spec, row, days, fom) if row.rule else [_to_raw(row, v) for v in fom]
        rows.append(make_row(row, raw, spec.bands))
    return Grid(name=spec.name, title=spec.title, timezone=spec.timezone, days=days, now=now, rows=rows, bands=spec.bands)
