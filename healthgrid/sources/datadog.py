"""Datadog source: one v2 timeseries request per grid, true calendar days in the grid's zone.

Datadog aligns `.rollup(..., N)` buckets to multiples of N seconds since the epoch, so daily
buckets are UTC days. For another zone we ask for buckets as large as still divide every local
midnight in the window (1 h for whole-hour zones and across DST, 30 min for Asia/Kolkata, 15 min
for Asia/Kathmandu) and combine them per local day with the row's aggregation. An `avg` row asks
for sum and count so the day's mean pools every point (see the README for several series).

A percentile query (`p90:…`) cannot be combined that way: a day's p90 is no max, mean or sum of
hourly p90s. It is asked in whole local days: 86400 s buckets where those are the zone's days,
else Datadog's calendar-aligned daily rollup starting at local midnight in the grid's zone.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from healthgrid.config import GridSpec, RowSpec
from healthgrid.datadog_client import DEFAULT_BUDGET, DatadogAuth, Retrier, error_text
from healthgrid.errors import RunError, quote_body
from healthgrid.grid import Grid, day_start, local_days, make_row

DAY = 86400
PERCENTILE_RE = re.compile(r"^\s*p\d+(\.\d+)?:")  # p50:, p90:, p99.9: ... (distribution metrics)
MAX_POINTS = 1500  # per series and request; beyond it Datadog silently widens the buckets
LONGEST_DAY = 25 * 3600


def bucket_seconds(day_starts: list[int]) -> int:
    """The largest bucket that divides a day and has a boundary at every local midnight."""
    size = DAY
    for start in day_starts:
        size = math.gcd(size, start % DAY)
    return size


@dataclass(frozen=True)
class Query:
    name: str  # q0, q1, ... : also its index in the request's queries and formulas
    row: int
    method: str  # rollup method: avg | sum | min | max | count
    text: str


def is_percentile(query: str) -> bool:
    return bool(PERCENTILE_RE.match(query))


def plan_queries(rows: tuple[RowSpec, ...], bucket: int, timezone: str = "UTC") -> list[Query]:
    queries = []
    for i, row in enumerate(rows):
        if is_percentile(row.query):
            # One bucket per local day; Datadog ignores the rollup's aggregator for percentiles.
            rollup = f"{bucket}" if bucket == DAY else f"daily, 12am, '{timezone}'"
            queries.append(Query(f"q{len(queries)}", i, row.aggregation, f"{row.query.strip()}.rollup({row.aggregation}, {rollup})"))
            continue
        methods = ("sum", "count") if row.aggregation == "avg" and bucket < DAY else (row.aggregation,)
        for method in methods:
            queries.append(Query(f"q{len(queries)}", i, method, f"{row.query.strip()}.rollup({method}, {bucket})"))
    return queries


def combine(method_values: dict[str, list[float]], aggregation: str) -> float:
    """One local day's value from its buckets (None/NaN buckets are no data); inf when any bucket
    is ±Infinity, which the caller shows as no data."""
    if any(math.isinf(v) for values in method_values.values() for v in values):
        return math.inf
    if aggregation == "avg" and "count" in method_values:
        total, count = sum(method_values["sum"]), sum(method_values["count"])
        return total / count if count else math.nan
    values = method_values.get(aggregation, [])
    if not values:
        return math.nan
    if aggregation == "avg":  # whole UTC days: Datadog's daily avg is already the answer
        return sum(values) / len(values)
    return {"sum": sum, "min": min, "max": max}[aggregation](values)


def _unwrap(value):
    return getattr(value, "value", value)


def _number(value, what: str) -> float:
    """A point from Datadog: null is no data; anything but a number is a malformed answer."""
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} is {type(value).__name__} {str(value)[:20]!r}, not a number")
    return float(value)


def _columns(response, asked: int) -> list[tuple[int, dict[int, float]]]:
    """(query index, {bucket start (s): value}) per series of a timeseries answer, checked against
    what the API documents: series[i] pairs with values[i], each as long as the shared `times`."""
    attributes = response.data.attributes
    series = _unwrap(getattr(attributes, "series", None)) or []
    times = _unwrap(getattr(attributes, "times", None)) or []
    values = _unwrap(getattr(attributes, "values", None)) or []
    if not all(isinstance(x, list) for x in (series, times, values)):
        raise ValueError("series, times and values must be lists")
    if len(series) != len(values):
        raise ValueError(f"{len(series)} series but {len(values)} value lists")
    starts = [int(_number(t, "a time")) // 1000 for t in times]
    out = []
    for s, column in zip(series, values, strict=False):
        index = _unwrap(getattr(s, "query_index", None))
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < asked:
            raise ValueError(f"a series for query {str(index)[:20]!r}, but queries 0..{asked - 1} were asked")
        column = _unwrap(column)
        if not isinstance(column, list) or len(column) != len(starts):
            raise ValueError(f"query {index} has {len(column) if isinstance(column, list) else 'no'} values for {len(starts)} times")
        out.append((index, {t: _number(v, f"a value of query {index}") for t, v in zip(starts, column, strict=False)}))
    return out


class DatadogSource:
    def __init__(self, auth: DatadogAuth, budget: float = DEFAULT_BUDGET, warn: Callable[[str], None] | None = None):
        self.auth = auth
        self.budget = budget
        self.warn = warn

    def fetch(self, spec: GridSpec, now: datetime) -> Grid:
        days = local_days(now, spec.timezone, spec.days)
        starts = [int(day_start(d, spec.timezone).timestamp()) for d in days]
        end = int(day_start(days[-1] + timedelta(days=1), spec.timezone).timestamp())
        until = min(end, int(math.ceil(now.timestamp())))
        bucket = bucket_seconds(starts)
        queries = plan_queries(spec.rows, bucket, spec.timezone)
        retrier = Retrier(self.auth, self.budget, warn=self.warn)

        # Buckets per query: {bucket start (s): value}. Long windows at small buckets would pass
        # Datadog's point limit; then the window is split at local midnights into a few requests.
        points: list[dict[int, float]] = [{} for _ in queries]
        per_request = max(1, (MAX_POINTS * bucket) // LONGEST_DAY)
        with self.auth.client() as api_client:
            for first in range(0, len(days), per_request):
                lo = starts[first]
                hi = min(until, starts[first + per_request] if first + per_request < len(days) else until)
                if hi <= lo:
                    continue
                self._request(spec, api_client, retrier, queries, lo, hi, bucket, points)

        # Each bucket lands in its local day once (not once per day): windows reach 90 days x 2160 buckets.
        by_day: list[list[list[float]]] = [[[] for _ in days] for _ in queries]
        for k, series in enumerate(points):
            for t, v in series.items():
                d = bisect_right(starts, t) - 1
                if 0 <= d < len(days) and t < end and not math.isnan(v):
                    by_day[k][d].append(v)
        rows = []
        for i, row in enumerate(spec.rows):
            mine = [(q.method, by_day[k]) for k, q in enumerate(queries) if q.row == i]
            raw = [combine({method: days_values[d] for method, days_values in mine}, row.aggregation) for d in range(len(days))]
            rows.append(make_row(row, self._finite(spec, row, raw), spec.bands))
        return Grid(name=spec.name, title=spec.title, timezone=spec.timezone, days=days, now=now, rows=rows)

    def _finite(self, spec: GridSpec, row: RowSpec, raw: list[float]) -> list[float]:
        """Datadog answers ±Infinity where a formula divides by zero. That is no value one can show,
        so such a day is no data: in the picture, NAME.md and NAME.json (null) alike."""
        infinite = sum(1 for v in raw if math.isinf(v))
        if infinite and self.warn:
            self.warn(f"{spec.name}: row {row.label!r}: Datadog answered a value that is not a finite number "
                      f"(±Infinity) on {infinite} day(s); shown as no data")
        return [math.nan if math.isinf(v) else v for v in raw]

    def _request(self, spec, api_client, retrier: Retrier, queries: list[Query], lo: int, hi: int, bucket: int, points) -> None:
        from datadog_api_client.exceptions import ApiException

        try:
            response = self._send(spec, api_client, retrier, queries, lo, hi, bucket)
        except ApiException as exc:
            raise RunError(self._rejected(spec, exc, queries, lambda qs: self._send(spec, api_client, retrier, qs, lo, hi, bucket))) from None
        try:
            answer = _columns(response, len(queries))
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
            raise RunError(f"{spec.name}: querying Datadog: the answer from {self.auth.where} is not what its API documents ({exc})") from None
        seen: set[int] = set()
        for index, column in answer:
            if index in seen:
                row = spec.rows[queries[index].row]
                raise RunError(f"{spec.name}: row {row.label!r}: the query returns several series ({row.query}); "
                               "a row needs one: drop the 'by {...}' grouping or aggregate across tags")
            seen.add(index)
            points[index].update(column)

    def _send(self, spec, api_client, retrier: Retrier, queries: list[Query], lo: int, hi: int, bucket: int):
        """One POST /api/v2/query/timeseries: named queries, one formula each (query_index = position)."""
        from datadog_api_client.v2.api.metrics_api import MetricsApi
        from datadog_api_client.v2.model.metrics_data_source import MetricsDataSource
        from datadog_api_client.v2.model.metrics_timeseries_query import MetricsTimeseriesQuery
        from datadog_api_client.v2.model.query_formula import QueryFormula
        from datadog_api_client.v2.model.timeseries_formula_query_request import TimeseriesFormulaQueryRequest
        from datadog_api_client.v2.model.timeseries_formula_request import TimeseriesFormulaRequest
        from datadog_api_client.v2.model.timeseries_formula_request_attributes import TimeseriesFormulaRequestAttributes
        from datadog_api_client.v2.model.timeseries_formula_request_queries import TimeseriesFormulaRequestQueries
        from datadog_api_client.v2.model.timeseries_formula_request_type import TimeseriesFormulaRequestType

        body = TimeseriesFormulaQueryRequest(
            data=TimeseriesFormulaRequest(
                type=TimeseriesFormulaRequestType.TIMESERIES_REQUEST,
                attributes=TimeseriesFormulaRequestAttributes(
                    _from=lo * 1000,
                    to=hi * 1000,
                    interval=bucket * 1000,
                    queries=TimeseriesFormulaRequestQueries(
                        [MetricsTimeseriesQuery(data_source=MetricsDataSource.METRICS, name=q.name, query=q.text) for q in queries]
                    ),
                    formulas=[QueryFormula(formula=q.name) for q in queries],
                ),
            )
        )
        api = MetricsApi(api_client)
        return retrier.call(f"{spec.name}: querying Datadog", api_client, lambda: api.query_timeseries_data(body=body))

    def _rejected(self, spec: GridSpec, exc, queries: list[Query], send) -> str:
        """A 400: quote Datadog and name the row it concerns.

        The row is the one whose query (or query name) the message quotes; failing that, each row
        is asked alone until one is refused (only on this error path, within the budget)."""
        from datadog_api_client.exceptions import ApiException

        message = error_text(exc.body)
        culprit = next((q.row for q in queries if spec.rows[q.row].query.strip() in message
                        or f"'{q.name}'" in message or f'"{q.name}"' in message), None)
        if culprit is None and len(spec.rows) == 1:
            culprit = 0
        if culprit is None and exc.status == 400:
            for i in range(min(len(spec.rows), 50)):
                mine = [Query(f"q{k}", q.row, q.method, q.text) for k, q in enumerate(q for q in queries if q.row == i)]
                try:
                    send(mine)
                except ApiException as probe:
                    if probe.status == 400:
                        culprit = i
                    break
                except RunError:
                    break
        if culprit is not None:
            row = spec.rows[culprit]
            calendar = next((q.text for q in queries if q.row == culprit and ", daily, " in q.text), None)
            way_out = (f"; healthgrid asks percentile rows in local days as {calendar[len(row.query.strip()):]}: if Datadog refuses "
                       "that, set this grid's timezone to UTC (whole UTC days need no calendar rollup)") if calendar else ""
            return f"{spec.name}: Datadog rejected the query of row {row.label!r} ({row.query}): {message}{way_out}"
        labels = ", ".join(repr(r.label) for r in spec.rows[:3]) + (", ..." if len(spec.rows) > 3 else "")
        return f"{spec.name}: Datadog rejected the request ({exc.status} {quote_body(exc.reason or '', 60)}): {message} (rows {labels})"
