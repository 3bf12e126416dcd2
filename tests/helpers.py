"""Small grids built by hand, for tests that need exact values."""

import math
from datetime import date, timedelta

from healthgrid.config import GridSpec, RowSpec
from healthgrid.model.band import Bands, Score
from healthgrid.model.grid import Grid, Row

from conftest import NOW_DT

NAN = math.nan


def make_grid(rows, days=None, name="t", title="Test grid", tz="UTC", bands=None):
    """rows: (label, values) or (label, values, dict(group=, unit=, score=, raw=)); judged by `bands`
    (default: the default bands)."""
    n = len(rows[0][1])
    days = days or [date(2026, 11, 28) - timedelta(days=n - 1 - i) for i in range(n)]
    out = []
    for item in rows:
        label, values = item[0], [float(v) for v in item[1]]
        extra = item[2] if len(item) > 2 else {}
        raw = [float(v) for v in extra.get("raw", values)]
        out.append(Row(label=label, query=f"avg:{label.lower().replace(' ', '_')}{{*}}", values=values, raw=raw,
                       group=extra.get("group"), unit=extra.get("unit"), score=extra.get("score")))
    return Grid(name=name, title=title, timezone=tz, days=days, now=NOW_DT, rows=out, bands=bands or Bands())


def default_bands(name, title):
    """What a data file's grid is judged by where the config says nothing of it: the default bands."""
    return Bands()


def spec_for(grid, palette="RdYlGn"):
    """The spec a grid was drawn with: its palette; its bands are the grid's own."""
    return GridSpec(name=grid.name, title=grid.title, rows=tuple(RowSpec(r.label, r.query) for r in grid.rows), palette=palette,
                    bands=grid.bands, days=len(grid.days))


__all__ = ["NAN", "Score", "default_bands", "make_grid", "spec_for"]
