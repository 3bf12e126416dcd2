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
from healthgrid.grid import Grid, Row, local_days

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
            out.append(round(min(1.0, max(0.0, r.gauss(level, 0.12))), 2))
    return out


def _to_raw(row: RowSpec, fom: float) -> float:
    """Invert a score so a scored row shows a raw value in its own unit."""
    if row.score is None or math.isnan(fom):
        return fom
    good, bad = row.score.good, row.score.bad
    raw = bad + fom * (good - bad)
    whole = float(good).is_integer() and float(bad).is_integer() and row.unit is None
    return float(round(raw)) if whole else round(raw, 1)


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
        raw = [_to_raw(row, v) for v in fom]
        values = [row.score.fom(v) for v in raw] if row.score else fom
        rows.append(Row(label=row.label, query=row.query, group=row.group, unit=row.unit, score=row.score, values=values, raw=raw))
    return Grid(name=spec.name, title=spec.title, timezone=spec.timezone, days=days, now=now, rows=rows)
