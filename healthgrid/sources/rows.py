"""A source's rows: a config row's daily values scored, placed in their band or taken as they are
(`make_row`), and a comparison built from each row's value per tag value (`comparison`)."""

from __future__ import annotations

import math
from datetime import date, datetime

from healthgrid.config import RowSpec
from healthgrid.model.band import Bands
from healthgrid.model.comparison import Comparison, rank
from healthgrid.model.grid import Row


def make_row(spec: RowSpec, raw: list[float], bands: Bands, values: list[float] | None = None) -> Row:
    """A source's row: the daily values scored (score), placed in their band (rule) or as they are.
    `values`: FoMs already worked out (a data file's), taken as given."""
    if values is not None:
        values = list(values)
    elif spec.score is not None:
        values = [spec.score.fom(v) for v in raw]
    elif spec.rule is not None:
        values = [spec.rule.fom(v, bands) for v in raw]
    else:
        values = list(raw)
    return Row(label=spec.label, query=spec.query, group=spec.group, unit=spec.unit, score=spec.score, values=values, raw=list(raw),
               rule=spec.rule, description=spec.description)


def comparison(name: str, title: str, timezone: str, days: list[date], now: datetime, by: str, specs: tuple[RowSpec, ...],
          values: list[dict[str, float]], aggregations: list[str], bands: Bands, top: int) -> Comparison:
    """A comparison from each row's value per tag value (`values[i][tag]`; a tag value missing from a
    row is no data there): every tag value any row has, ranked worst first, the first `top` kept."""
    tags = sorted({tag for row in values for tag in row})
    full = [make_row(spec, [row.get(tag, math.nan) for tag in tags], bands) for spec, row in zip(specs, values, strict=True)]
    keep = rank(full, tags, bands)[:top]
    rows = [make_row(spec, [row.raw[j] for j in keep], bands) for spec, row in zip(specs, full, strict=True)]
    return Comparison(name=name, title=title, timezone=timezone, days=days, now=now, by=by, tags=[tags[j] for j in keep], rows=rows,
                      aggregations=list(aggregations), total_tags=len(tags), bands=bands)
