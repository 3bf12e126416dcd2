"""Datadog source for `type: comparison`: one request per grid with every row grouped `by {KEY}`;
each bar is a row's value for one tag value over the window.

The window is whole local days: from local midnight of its first day to now. Buckets start at
local midnights, as for heatmaps (`bucket_seconds`), so the window is a whole number of buckets and
each point in it falls in exactly one of them. The window's value is built from its buckets as a
heatmap builds a day: an avg row asks for sum and count in every zone (UTC too), summed across the
tag value's series, and divides, so every point weighs the same; sum, min and max rows combine the
buckets with their aggregation. A
percentile row is asked in one bucket that is the whole window (a local day, or a week from local
midnight of the window's first weekday): no percentile survives being combined from shorter ones.

Requests are cut at local midnights as a heatmap's are (`datadog_plan.windows`) and sent as its are
(`healthgrid.datadog.client.query_timeseries`). What comes back gets the checks every answer gets
(datadog_answer.py: an `errors` field on a 200, the documented shape, query indexes), then those of
a grouped one (bucket starts, one `KEY:value` group tag per series, one series per tag value and
query); anything else fails the grid with one line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable

from healthgrid.config import GridSpec
from healthgrid.config.comparison import MAX_TAG_CHARS, METRIC_QUERY_RE, is_percentile_query, window_aggregation
from healthgrid.datadog.client import DEFAULT_BUDGET, DatadogAuth, Retrier, error_text, query_timeseries
from healthgrid.errors import RunError
from healthgrid.model.comparison import Comparison
from healthgrid.model.grid import day_start, local_days
from healthgrid.sources.datadog import plain_answer
from healthgrid.sources.datadog_answer import answer_lists, query_index
from healthgrid.sources.datadog_plan import DAY, bucket_seconds, windows
from healthgrid.sources.rows import comparison
from healthgrid.text import CONTROL, plural, said

MAX_TAG_VALUES = 10_000  # distinct values of the tag in one answer; more: narrow the scope
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class GroupedQuery:
    name: str  # q0, q1, ...: its index in the request
    row: int
    method: str  # sum | count | min | max, or the percentile (p90)
    text: str
    whole: bool = False  # one bucket that is the whole window (percentile rows)


class AnswerError(ValueError):
    """The answer is not what was asked: one line saying what."""


def grouped_text(query: str, by: str, rollup: str, pooled: bool = False) -> str:
    """`avg:m{scope} by {KEY}.as_count().rollup(...)`: the row's metric query grouped by the tag.
    `pooled`: an avg (or unprefixed) query's sum and count are summed across the tag value's series,
    so Σ sum / Σ count is the mean of every point of every series."""
    match = METRIC_QUERY_RE.fullmatch(query)
    if match is None:  # checked with the config; a query built another way is refused here too
        raise RunError(f"{query!r} is not one metric query")
    space = "sum:" if pooled and match["space"] in (None, "avg") else f"{match['space']}:" if match["space"] else ""
    return f"{space}{match['metric']}{{{match['scope']}}} by {{{by}}}{match['methods'] or ''}.rollup({rollup})"


def plan(spec: GridSpec, days: list[date], bucket: int) -> list[GroupedQuery]:
    queries: list[GroupedQuery] = []
    for i, row in enumerate(spec.rows):
        if is_percentile_query(row.query):
            # Datadog ignores the aggregator of a percentile's rollup; the bucket is the window.
            if len(days) == 1:
                period = f"{DAY}" if bucket == DAY else f"daily, 12am, '{spec.timezone}'"
            else:
                period = f"weekly, {WEEKDAYS[days[0].weekday()]}, '{spec.timezone}'"
            text = grouped_text(row.query, spec.by, f"{row.aggregation}, {period}")
            queries.append(GroupedQuery(f"q{len(queries)}", i, window_aggregation(row), text, whole=True))
            continue
        for method in ("sum", "count") if row.aggregation == "avg" else (row.aggregation,):
            text = grouped_text(row.query, spec.by, f"{method}, {bucket}", pooled=row.aggregation == "avg")
            queries.append(GroupedQuery(f"q{len(queries)}", i, method, text))
    return queries


def clean_tag(text: str) -> str:
    """A tag value from Datadog, fit for every output: control characters become U+FFFD."""
    if not text:
        raise AnswerError("a series has an empty tag value")
    if len(text) > MAX_TAG_CHARS:
        raise AnswerError(f"a tag value of {len(text)} characters (Datadog's limit is {MAX_TAG_CHARS})")
    return CONTROL.sub("\ufffd", text)


@dataclass
class Window:
    """What one request asked: its queries, its [lo, hi) and bucket, and where the window starts."""

    queries: list[GroupedQuery]
    by: str
    lo: int
    hi: int
    bucket: int
    day_one: date  # the window's first local day

    def allowed(self, query: GroupedQuery, t: int) -> bool:
        if query.whole:  # Datadog does not document which instant a calendar bucket carries: its local start or 00:00 UTC of its date
            utc_midnight = int(datetime.combine(self.day_one, datetime.min.time(), tzinfo=timezone.utc).timestamp())
            return t in (self.lo, utc_midnight)
        return self.lo <= t < self.hi and t % self.bucket == 0


def read_answer(response, window: Window, seen: dict[str, str]) -> list[tuple[int, str, dict[int, float]]]:
    """(query index, tag value, {bucket start: value}) per series; raises AnswerError (or RowError,
    from the checks every Datadog answer gets: datadog_answer.py). `seen`: cleaned tag value -> as
    Datadog sent it, across the grid's requests (two values must not clean alike)."""
    series, times, values = answer_lists(plain_answer(response))
    starts = []
    for ms in times:
        t = _number(ms, "a time")
        if math.isnan(t) or t % 1000 or not any(window.allowed(q, int(t) // 1000) for q in window.queries):
            raise AnswerError(f"a bucket at {str(ms)[:20]} ms, which is no bucket start of the window asked "
                              f"({window.bucket} s buckets from local midnight, {window.lo} s)")
        starts.append(int(t) // 1000)
    if len(set(starts)) != len(starts):
        raise AnswerError("the same bucket twice in times")
    out, mine = [], set()
    prefix = f"{window.by}:"
    for s, column in zip(series, values, strict=True):
        index = query_index(s, len(window.queries))
        tags = s.get("group_tags")
        if not isinstance(tags, list) or len(tags) != 1 or not isinstance(tags[0], str) or not tags[0].startswith(prefix):
            raise AnswerError(f"a series of query {index} is grouped by {said(repr(tags), 80)}, not by one '{prefix}…' tag")
        tag = clean_tag(tags[0][len(prefix):])
        if seen.setdefault(tag, tags[0]) != tags[0]:
            raise AnswerError(f"two values of tag {window.by} differ only in control characters ({tag!r})")
        if (index, tag) in mine:
            raise AnswerError(f"query {index} has several series for {window.by}:{tag}")
        mine.add((index, tag))
        if not isinstance(column, list) or len(column) != len(starts):
            found = plural(len(column), "value") if isinstance(column, list) else "no values"
            raise AnswerError(f"query {index} has {found} for {plural(len(starts), 'time')}")
        points = {t: _number(v, f"a value of query {index}") for t, v in zip(starts, column, strict=True)}
        points = {t: v for t, v in points.items() if not math.isnan(v)}
        query = window.queries[index]
        stray = [t for t in points if not window.allowed(query, t)]
        if stray or (query.whole and len(points) > 1):
            raise AnswerError(f"query {index} ({query.method}) has a value at {stray[0] if stray else sorted(points)[1]} s, "
                              "outside the buckets asked")
        out.append((index, tag, points))
    if len(seen) > MAX_TAG_VALUES:
        raise AnswerError(f"more than {MAX_TAG_VALUES:,} values of tag {window.by}")
    return out


def pool(method_values: dict[str, list[float]], aggregation: str) -> float:
    """The window's value from its buckets: Σ sum / Σ count for avg, else the aggregation of the
    buckets (a percentile, `p90`, has one bucket: its value); NaN without data, ±inf when any
    bucket is infinite."""
    if any(math.isinf(v) for values in method_values.values() for v in values):
        return math.inf
    if aggregation == "avg":
        total, count = sum(method_values.get("sum", [])), sum(method_values.get("count", []))
        return total / count if count else math.nan
    values = next(iter(method_values.values()), [])
    if not values:
        return math.nan
    return {"sum": sum, "min": min, "max": max}.get(aggregation, lambda v: v[0])(values)


def requests(spec: GridSpec, now: datetime) -> tuple[list[date], int, list[GroupedQuery], list[tuple[int, int]]]:
    """What a grid's fetch asks: its local days, the bucket, the queries and each request's [lo, hi)."""
    days = local_days(now, spec.timezone, spec.days)
    starts = [int(day_start(d, spec.timezone).timestamp()) for d in days]
    end = int(day_start(days[-1] + timedelta(days=1), spec.timezone).timestamp())
    bucket = bucket_seconds(starts)
    return days, bucket, plan(spec, days, bucket), windows(starts, min(end, int(math.ceil(now.timestamp()))), bucket)


class GroupedSource:
    def __init__(self, auth: DatadogAuth, budget: float = DEFAULT_BUDGET, warn: Callable[[str], None] | None = None):
        self.auth = auth
        self.budget = budget
        self.warn = warn

    def fetch(self, spec: GridSpec, now: datetime) -> Comparison:
        days, bucket, queries, spans = requests(spec, now)
        if len(spans) > 1 and any(q.whole for q in queries):  # refused with the config: percentiles need days 1 or 7
            raise RunError(f"{spec.name}: a percentile row's window cannot be split into several requests")
        retrier = Retrier(self.auth, self.budget, warn=self.warn)
        points: dict[tuple[int, str], dict[int, float]] = {}
        seen: dict[str, str] = {}
        with self.auth.client() as api_client:
            for lo, hi in spans:
                window = Window(queries, spec.by, lo, hi, bucket, days[0])
                response = self._request(spec, api_client, retrier, window)
                try:
                    answer = read_answer(response, window, seen)
                except (ValueError, TypeError, AttributeError, OverflowError) as exc:
                    raise RunError(f"{spec.name}: querying Datadog: the answer from {self.auth.where} is not what was asked ({exc})") from None
                for index, tag, column in answer:
                    points.setdefault((index, tag), {}).update(column)
        values = []
        for i, row in enumerate(spec.rows):
            mine = [(k, q) for k, q in enumerate(queries) if q.row == i]
            aggregation = window_aggregation(row)
            row_values = {tag: pool({q.method: list(points.get((k, tag), {}).values()) for k, q in mine}, aggregation) for tag in seen}
            values.append(self._finite(spec, row.label, row_values))
        return comparison(spec.name, spec.title, spec.timezone, days, now, spec.by, spec.rows, values,
                     [window_aggregation(row) for row in spec.rows], spec.bands, spec.top)

    def _finite(self, spec: GridSpec, label: str, values: dict[str, float]) -> dict[str, float]:
        """±Infinity (a division by zero inside Datadog) is no value one can show: no data, with a warning."""
        infinite = [tag for tag, v in values.items() if math.isinf(v)]
        if infinite and self.warn:
            self.warn(f"{spec.name}: row {label!r}: Datadog answered a value that is not a finite number (±Infinity) "
                      f"for {plural(len(infinite), 'value')} of {spec.by}; shown as no data")
        return {tag: (math.nan if math.isinf(v) else v) for tag, v in values.items() if not math.isnan(v)}

    def _request(self, spec: GridSpec, api_client, retrier: Retrier, window: Window):
        from datadog_api_client.exceptions import ApiException

        try:
            return self._send(spec, api_client, retrier, window)
        except ApiException as exc:
            raise RunError(self._rejected(spec, exc, window.queries)) from None

    def _send(self, spec: GridSpec, api_client, retrier: Retrier, window: Window):
        return query_timeseries(api_client, retrier, f"{spec.name}: querying Datadog", window.lo, window.hi, window.bucket, [q.text for q in window.queries])

    def _rejected(self, spec: GridSpec, exc, queries: list[GroupedQuery]) -> str:
        """A 400: Datadog's words, and the row they concern when the message quotes its query."""
        message = error_text(exc.body)
        culprit = next((q for q in queries if spec.rows[q.row].query.strip() in message or q.text in message
                        or f"'{q.name}'" in message or f'"{q.name}"' in message), None)
        if culprit is None and len(spec.rows) == 1:
            culprit = queries[0]
        if culprit is not None:
            row = spec.rows[culprit.row]
            calendar = culprit.whole and ("daily," in culprit.text or "weekly," in culprit.text)
            way_out = (f"; healthgrid asks a percentile row's window as one calendar bucket (.rollup{culprit.text.rsplit('.rollup', 1)[1]}): "
                       "if Datadog refuses that, use a query that is not a percentile") if calendar else ""
            return f"{spec.name}: Datadog rejected the query of row {row.label!r} ({row.query}): {message}{way_out}"
        labels = ", ".join(repr(r.label) for r in spec.rows[:3]) + (", ..." if len(spec.rows) > 3 else "")
        return f"{spec.name}: Datadog rejected the request ({exc.status} {said(exc.reason or '', 60)}): {message} (rows {labels})"


def _number(value, what: str) -> float:
    """A point from Datadog: null is no data; anything but a number is a malformed answer."""
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} is {type(value).__name__} {str(value)[:20]!r}, not a number")
    return float(value)
