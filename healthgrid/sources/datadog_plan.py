"""Which queries a grid sends to Datadog, in which requests and buckets, and how the answers
become each row's daily values. No network here: `plan_grid` and `row_values` are plain functions.

Datadog aligns `.rollup(..., N)` buckets to multiples of N seconds since the epoch, so daily
buckets are UTC days. For another zone a term that shorter buckets rebuild exactly
(healthgrid.datadog.rollups: an `avg` term with aggregation avg, pooled as a `sum:` sum and count;
sum of sums, max of maxima, min of minima) is asked in the largest bucket that still divides every
local midnight of the window (1 h for whole-hour zones and across DST, 30 min for Asia/Kolkata,
15 min for Asia/Kathmandu) and its buckets are combined per local day; in UTC that bucket is the day.

Every other term (a percentile, or e.g. `max:cpu{*}` averaged over the day) is asked in whole
local days, in 86400 s buckets where those are the zone's days, else with Datadog's
calendar-aligned daily rollup in a request of its own, so that every time in that answer must be a
local midnight (checked in datadog_answer.py).

A row's value for a day is its formula applied to each term's value for that day (formula.py).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from healthgrid.config import GridSpec
from healthgrid.datadog.formula import Formula, FormulaError, parse
from healthgrid.datadog.rollups import POOLED, WHOLE, asked_as
from healthgrid.model.grid import day_start, local_days

DAY = 86400
MAX_POINTS = 1500  # per series and request; beyond it Datadog widens the buckets on its own
MAX_REQUESTS = 200  # per grid; the worst zone in tzdata since 1970 (Africa/Monrovia, 30 s buckets) needs 172 for 90 days


class RowError(ValueError):
    """A grid that cannot be asked or whose answer cannot be read: the row concerned (index, or
    None for the whole grid) and why."""

    def __init__(self, row: int | None, message: str):
        super().__init__(message)
        self.row = row


@dataclass(frozen=True)
class Query:
    """One named query sent to Datadog: a metric term with healthgrid's rollup."""

    term: str  # the metric query as the row wrote it, e.g. 'avg:latency{*}' (sent as 'sum:latency{*}' when pooled)
    method: str  # the rollup's aggregator: avg | sum | min | max | count
    text: str  # what is sent: term + .rollup(...)
    calendar: bool  # asked in calendar-aligned local days (whole-day terms outside whole-UTC-day zones)


@dataclass(frozen=True)
class Request:
    """One POST /api/v2/query/timeseries: Datadog's from (inclusive) and to (exclusive) in seconds,
    the interval (None for the calendar request), the queries in the order sent (= query_index)."""

    lo: int
    hi: int
    interval: int | None
    queries: tuple[int, ...]  # indexes into the plan's queries (Plan, or GroupedPlan for a comparison)


@dataclass(frozen=True)
class RowPlan:
    formula: Formula
    aggregation: str
    terms: tuple[dict[str, int], ...]  # per metric of the formula: {rollup method: query index}


@dataclass(frozen=True)
class Plan:
    now: datetime
    timezone: str
    days: list[date]
    starts: list[int]  # each day's first second
    end: int  # the second after the last day
    until: int  # what is asked ends here: now, or the end of the last day
    bucket: int  # seconds per sub-day bucket; DAY where days are whole UTC days
    queries: tuple[Query, ...]
    requests: tuple[Request, ...]
    rows: tuple[RowPlan, ...]
    owner: tuple[int, ...]  # per query: the first row that uses it (named in messages about it)


def bucket_seconds(day_starts: list[int]) -> int:
    """The largest bucket that divides a day and has a boundary at every local midnight."""
    size = DAY
    for start in day_starts:
        size = math.gcd(size, start % DAY)
    return size


def plan_grid(spec: GridSpec, now: datetime) -> Plan:
    """The requests one grid sends for the days ending with `now`'s local day. Identical metric
    terms of different rows are asked once. Raises RowError for a row whose query is no formula."""
    days = local_days(now, spec.timezone, spec.days)
    starts = [int(day_start(d, spec.timezone).timestamp()) for d in days]
    end = int(day_start(days[-1] + timedelta(days=1), spec.timezone).timestamp())
    until = min(end, int(math.ceil(now.timestamp())))
    bucket = bucket_seconds(starts)
    queries: dict[str, tuple[int, Query]] = {}

    def ask(term: str, method: str, rollup: str, calendar: bool = False, sent: str | None = None) -> int:
        text = f"{sent or term}.rollup({method}, {rollup})"
        if text not in queries:
            queries[text] = (len(queries), Query(term, method, text, calendar))
        return queries[text][0]

    rows = []
    for i, row in enumerate(spec.rows):
        try:
            formula = parse(row.query.strip())
        except FormulaError as exc:
            raise RowError(i, f"query {row.query!r}: {exc}") from None
        terms = []
        for metric in formula.metrics:
            how = asked_as(metric.aggregator, row.aggregation)
            if how == POOLED:  # every point of the day alike: Σ sums / Σ counts across the series
                terms.append({method: ask(metric.text, method, f"{bucket}", sent=metric.with_space("sum")) for method in ("sum", "count")})
            elif how == WHOLE:  # one bucket per local day; Datadog ignores the aggregator of a percentile's rollup
                calendar = bucket < DAY
                rollup = f"daily, 12am, '{spec.timezone}'" if calendar else f"{DAY}"
                method = "avg" if metric.percentile else row.aggregation
                terms.append({method: ask(metric.text, method, rollup, calendar)})
            else:
                terms.append({row.aggregation: ask(metric.text, row.aggregation, f"{bucket}")})
        rows.append(RowPlan(formula, row.aggregation, tuple(terms)))

    ordered = tuple(query for _, query in sorted(queries.values(), key=lambda item: item[0]))
    owner = [-1] * len(ordered)
    for i, row in reversed(list(enumerate(rows))):
        for uses in row.terms:
            for k in uses.values():
                owner[k] = i
    sub_day = tuple(k for k, q in enumerate(ordered) if not q.calendar)
    calendar = tuple(k for k, q in enumerate(ordered) if q.calendar)
    requests = [Request(lo, hi, bucket, sub_day) for lo, hi in windows(starts, until, bucket)] if sub_day else []
    if calendar and until > starts[0]:
        requests.append(Request(starts[0], until, None, calendar))
    if len(requests) > MAX_REQUESTS:
        raise RowError(None, f"{spec.days} days in {spec.timezone} need {len(requests)} requests ({bucket} s buckets, at most "
                              f"{MAX_POINTS} per request); the limit is {MAX_REQUESTS}: show fewer days")
    return Plan(now, spec.timezone, days, starts, end, until, bucket, ordered, tuple(requests), tuple(rows), tuple(owner))


def windows(starts: list[int], until: int, bucket: int) -> list[tuple[int, int]]:
    """[from, to) spans covering starts[0]..until, each at most MAX_POINTS buckets, cut at a local
    midnight where one fits, else at a bucket boundary (a day longer than MAX_POINTS buckets)."""
    out, lo = [], starts[0]
    while lo < until:
        cut = min(until, lo + MAX_POINTS * bucket)
        if cut < until:
            midnight = starts[bisect_right(starts, cut) - 1]
            cut = midnight if midnight > lo else cut
        out.append((lo, cut))
        lo = cut
    return out


def by_day(plan: Plan, points: list[dict[int, float]]) -> list[list[list[float]]]:
    """Each query's bucket values per local day (NaN buckets dropped); each bucket lands once."""
    out: list[list[list[float]]] = [[[] for _ in plan.days] for _ in points]
    starts, end = plan.starts, plan.end
    for k, series in enumerate(points):
        days = out[k]
        for t, v in series.items():
            d = bisect_right(starts, t) - 1
            if 0 <= d and t < end and v == v:
                days[d].append(v)
    return out


def term_value(uses: dict[str, int], days: list[list[list[float]]], d: int) -> float:
    """One term's value for day `d` from its queries' buckets (`days[query][d]`); ±inf when a
    bucket is. Raises OverflowError when the day's sum of finite buckets overflows."""
    if "count" in uses:
        sums, counts = days[uses["sum"]][d], days[uses["count"]][d]
        if any(math.isinf(v) for v in sums):
            return math.inf
        total = math.fsum(counts)
        return math.fsum(sums) / total if total else math.nan
    (method, query), = uses.items()
    values = days[query][d]
    if not values:
        return math.nan
    if any(math.isinf(v) for v in values):
        return math.inf
    if method == "sum":
        return math.fsum(values)
    if method == "avg":  # a whole-day term: one bucket per day
        return math.fsum(values) / len(values)
    return min(values) if method == "min" else max(values)


@dataclass
class RowValues:
    raw: list[float]  # NaN where no data (also where the formula has no finite value)
    not_finite: int = 0  # days Datadog answered ±Infinity for a term
    divided_by_zero: int = 0  # days the formula divided by zero or overflowed


def row_values(plan: Plan, points: list[dict[int, float]]) -> list[RowValues]:
    """Each row's daily values from each query's {bucket start: value}: every term combined over
    the local day, then the row's formula applied to the day's term values."""
    days = by_day(plan, points)
    out = []
    for i, row in enumerate(plan.rows):
        result = RowValues([])
        for d in range(len(plan.days)):
            try:
                terms = [term_value(uses, days, d) for uses in row.terms]
            except OverflowError:
                raise RowError(i, f"Datadog's buckets for {plan.days[d]} add up past the largest number a float holds") from None
            if any(math.isinf(v) for v in terms):
                result.not_finite += 1
                result.raw.append(math.nan)
                continue
            try:
                value = row.formula.evaluate(terms)
            except ZeroDivisionError:
                value = math.inf
            if math.isinf(value):
                result.divided_by_zero += 1
                value = math.nan
            result.raw.append(value)
        out.append(result)
    return out
