"""Which requests a `type: comparison` grid sends: every row grouped `by {KEY}`, each bar the row's
value over the window of whole local days. No network here.

Buckets start at local midnights, as a heatmap's do (`bucket_seconds`), so the window is a whole
number of buckets and each point in it falls in exactly one. A row is asked as a heatmap term is
(healthgrid.datadog.rollups): an `avg` row with aggregation avg as `sum:` sum and count buckets,
Σ sum / Σ count pooling every point of every series of the tag value (UTC included); a
`sum:`/`max:`/`min:` row with the same aggregation as buckets of it; every other row (percentiles,
`max:cpu{*}` averaged, ...) in one bucket that is the whole window, so that Datadog works out each
series' window before the space aggregation: `days: 1` a local day (86400 s where local days are UTC
days, else the calendar-aligned daily rollup), `days: 7` a calendar week from local midnight of the
window's first weekday; other windows are refused with the config (config/comparison.py).

Bucketed queries go in requests cut as a heatmap's are (`datadog_plan.windows`, within 1,500 points
per series); the whole-window queries share the grid's request when one request holds the window,
else they have a request of their own. A grid needing more than MAX_REQUESTS requests fails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from healthgrid.config import GridSpec
from healthgrid.config.comparison import METRIC_QUERY_RE
from healthgrid.datadog.rollups import POOLED, WHOLE, asked_as
from healthgrid.errors import RunError
from healthgrid.model.grid import day_start, local_days
from healthgrid.sources.datadog_plan import DAY, MAX_POINTS, MAX_REQUESTS, Request, bucket_seconds, windows

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class GroupedQuery:
    row: int
    method: str  # the rollup's aggregator: sum | count | min | max | avg (a whole-window row's aggregation)
    text: str
    how: str  # healthgrid.datadog.rollups: POOLED, BUCKETS or WHOLE

    @property
    def whole(self) -> bool:
        """One bucket that is the whole window."""
        return self.how == WHOLE


@dataclass(frozen=True)
class GroupedPlan:
    days: list[date]
    bucket: int  # seconds per bucket of the bucketed queries
    queries: tuple[GroupedQuery, ...]
    requests: tuple[Request, ...]  # interval None: whole-window queries alone, whose rollups say what a bucket is


def grouped_text(query: str, by: str, rollup: str, pooled: bool = False) -> str:
    """`avg:m{scope} by {KEY}.as_count().rollup(...)`: the row's metric query grouped by the tag.
    `pooled`: the query is sent with the space aggregator `sum:`, so its sum and count add up the
    tag value's series."""
    match = METRIC_QUERY_RE.fullmatch(query)
    if match is None:  # checked with the config; a query built another way is refused here too
        raise RunError(f"{query!r} is not one metric query")
    space = "sum:" if pooled else f"{match['space']}:" if match["space"] else ""
    return f"{space}{match['metric']}{{{match['scope']}}} by {{{by}}}{match['methods'] or ''}.rollup({rollup})"


def whole_period(spec: GridSpec, days: list[date], bucket: int) -> str:
    """The rollup period of one bucket that is the whole window (checked with the config: 1 or 7 days)."""
    if len(days) == 1:
        return f"{DAY}" if bucket == DAY else f"daily, 12am, '{spec.timezone}'"
    if len(days) == 7:
        return f"weekly, {WEEKDAYS[days[0].weekday()]}, '{spec.timezone}'"
    raise RunError(f"{spec.name}: a row asked over the whole window needs days: 1 or days: 7, not {len(days)}")


def plan(spec: GridSpec, days: list[date], bucket: int) -> list[GroupedQuery]:
    queries: list[GroupedQuery] = []
    for i, row in enumerate(spec.rows):
        match = METRIC_QUERY_RE.fullmatch(row.query)
        how = asked_as(match["space"] if match else None, row.aggregation)
        if how == WHOLE:  # Datadog ignores the aggregator of a percentile's rollup
            text = grouped_text(row.query, spec.by, f"{row.aggregation}, {whole_period(spec, days, bucket)}")
            queries.append(GroupedQuery(i, row.aggregation, text, how))
            continue
        for method in ("sum", "count") if how == POOLED else (row.aggregation,):
            queries.append(GroupedQuery(i, method, grouped_text(row.query, spec.by, f"{method}, {bucket}", pooled=how == POOLED), how))
    return queries


def requests(spec: GridSpec, now: datetime) -> GroupedPlan:
    """What a grid's fetch asks: its local days, the bucket, the queries and the requests."""
    days = local_days(now, spec.timezone, spec.days)
    starts = [int(day_start(d, spec.timezone).timestamp()) for d in days]
    end = int(day_start(days[-1] + timedelta(days=1), spec.timezone).timestamp())
    until = min(end, int(math.ceil(now.timestamp())))
    bucket = bucket_seconds(starts)
    queries = plan(spec, days, bucket)
    bucketed = tuple(k for k, q in enumerate(queries) if not q.whole)
    whole = tuple(k for k, q in enumerate(queries) if q.whole)
    out = [Request(lo, hi, bucket, bucketed) for lo, hi in windows(starts, until, bucket)] if bucketed else []
    if whole and len(out) == 1:
        out[0] = replace(out[0], queries=bucketed + whole)
    elif whole and until > starts[0]:
        out.append(Request(starts[0], until, None, whole))
    if len(out) > MAX_REQUESTS:
        raise RunError(f"{spec.name}: {spec.days} days in {spec.timezone} need {len(out)} requests ({bucket} s buckets, at most "
                       f"{MAX_POINTS} per series and request); the limit is {MAX_REQUESTS}: show fewer days")
    return GroupedPlan(days, bucket, tuple(queries), tuple(out))
