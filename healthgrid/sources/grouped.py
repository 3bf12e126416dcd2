"""Datadog source for `type: comparison`: each bar a row's value over the window for one value of
the grid's tag key. What is asked is planned in grouped_plan.py (`requests`); this module sends the
requests (as a heatmap's are: `healthgrid.datadog.client.query_timeseries`), checks each answer and
works out each bar.

What comes back gets the checks every Datadog answer gets (datadog_answer.py: an `errors` field on
a 200, the documented shape, times, query indexes, numbers, counts, each pooled row's sum and count
describing the same points), then those of a grouped one (bucket starts, one `KEY:value` group tag
per series, one series per tag value and query); anything else fails the grid with one line. A
grid whose answers name no value of the tag at all has nothing to compare and fails alone, leaving
its earlier files as they were.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable

from healthgrid.config import GridSpec
from healthgrid.config.comparison import MAX_TAG_CHARS, window_aggregation
from healthgrid.datadog.client import DEFAULT_BUDGET, DatadogAuth, Retrier, error_text, query_timeseries
from healthgrid.datadog.rollups import POOLED, WHOLE
from healthgrid.errors import RunError
from healthgrid.model.comparison import Comparison
from healthgrid.model.grid import day_start, format_instant
from healthgrid.sources.datadog_answer import answer_lists, bucket_times, check_pair, column_values, query_index
from healthgrid.sources.datadog_plan import Request, RowError
from healthgrid.sources.grouped_plan import GroupedPlan, GroupedQuery, grouped_text, plan, requests
from healthgrid.sources.rows import comparison
from healthgrid.text import CONTROL, plural, said

__all__ = ["GroupedSource", "grouped_text", "plan", "pool", "read_answer", "requests"]
MAX_TAG_VALUES = 10_000  # distinct values of the tag in one answer; more: narrow the scope


class AnswerError(ValueError):
    """The answer is not what was asked: one line saying what."""


def clean_tag(text: str) -> str:
    """A tag value from Datadog, fit for every output: control characters become U+FFFD."""
    if not text:
        raise AnswerError("a series has an empty tag value")
    if len(text) > MAX_TAG_CHARS:
        raise AnswerError(f"a tag value of {len(text)} characters (Datadog's limit is {MAX_TAG_CHARS})")
    return CONTROL.sub("\ufffd", text)


@dataclass
class Window:
    """What one request asked: its queries (in the order sent), the tag key, its [lo, hi), the
    bucketed queries' bucket and the window's first local day."""

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


def read_answer(answer, window: Window, seen: dict[str, str]) -> list[tuple[int, str, dict[int, float]]]:
    """(query index in the window, tag value, {bucket start: value}) per series of one answer (its
    JSON document); raises AnswerError, or RowError from the checks every Datadog answer gets
    (datadog_answer.py). `seen`: cleaned tag value -> as Datadog sent it, across the grid's
    requests (two values must not clean alike)."""
    series, times, values = answer_lists(answer)
    numbers = [ms for ms in times if isinstance(ms, (int, float)) and not isinstance(ms, bool) and math.isfinite(ms)]
    for ms in numbers:
        if ms % 1000 or not any(window.allowed(q, int(ms) // 1000) for q in window.queries):
            raise AnswerError(f"a bucket at {ms} ms, which is no bucket start of the window asked "
                              f"({window.bucket} s buckets from local midnight, {window.lo} s)")
    if len(set(numbers)) != len(numbers):
        raise AnswerError("the same bucket twice in times")
    starts = bucket_times(times)  # the checks every answer's times get (numbers, whole seconds, in order)
    out, mine = [], set()
    prefix = f"{window.by}:"
    for s, column in zip(series, values, strict=True):
        index = query_index(s, len(window.queries))
        query = window.queries[index]
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
        points = column_values(column, starts, query.method == "count", query.row, f"{query.text} for {window.by}:{tag}")
        stray = [t for t in points if not window.allowed(query, t)]
        if stray or (query.whole and len(points) > 1):
            raise AnswerError(f"query {index} ({query.method}) has a value at {stray[0] if stray else sorted(points)[1]} s, "
                              "outside the buckets asked")
        out.append((index, tag, points))
    if len(seen) > MAX_TAG_VALUES:
        raise AnswerError(f"more than {MAX_TAG_VALUES:,} values of tag {window.by}")
    return out


def pool(method_values: dict[str, list[float]], how: str, aggregation: str) -> float:
    """The window's value from its buckets: Σ sum / Σ count for a pooled row, the one bucket of a
    whole-window row, else the aggregation of the buckets; NaN without data, ±inf when any bucket is."""
    if any(math.isinf(v) for values in method_values.values() for v in values):
        return math.inf
    if how == POOLED:
        total, count = math.fsum(method_values.get("sum", [])), math.fsum(method_values.get("count", []))
        return total / count if count else math.nan
    values = next(iter(method_values.values()), [])
    if not values:
        return math.nan
    if how == WHOLE:
        return values[0]
    return {"sum": math.fsum, "min": min, "max": max}[aggregation](values)


class GroupedSource:
    def __init__(self, auth: DatadogAuth, budget: float = DEFAULT_BUDGET, warn: Callable[[str], None] | None = None):
        self.auth = auth
        self.budget = budget
        self.warn = warn

    def fetch(self, spec: GridSpec, now: datetime) -> Comparison:
        asked = requests(spec, now)
        retrier = Retrier(self.auth, self.budget, warn=self.warn)
        points: dict[tuple[int, str], dict[int, float]] = {}  # (query, tag value) -> {bucket start: value}
        seen: dict[str, str] = {}
        with self.auth.client() as api_client:
            for request in asked.requests:
                window = Window([asked.queries[k] for k in request.queries], spec.by, request.lo, request.hi, asked.bucket, asked.days[0])
                answer = self._request(spec, api_client, retrier, request, window)
                try:
                    read = read_answer(answer, window, seen)
                    self._pairs(asked, request, read)
                except RowError as exc:
                    where = f"row {spec.rows[exc.row].label!r}: " if exc.row is not None else ""
                    raise RunError(f"{spec.name}: {where}the answer from {self.auth.where} is not usable ({exc}); "
                                   "nothing written for this grid") from None
                except (ValueError, TypeError, AttributeError, OverflowError) as exc:
                    raise RunError(f"{spec.name}: querying Datadog: the answer from {self.auth.where} is not what was asked ({exc})") from None
                for index, tag, column in read:
                    points.setdefault((request.queries[index], tag), {}).update(column)
        if not seen:
            start = format_instant(day_start(asked.days[0], spec.timezone))
            raise RunError(f"{spec.name}: Datadog has no series of any row by {spec.by} from {start} to now: there is no value of "
                           f"{spec.by} to compare; nothing written for this grid")
        values = []
        for i, row in enumerate(spec.rows):
            mine = [(k, q) for k, q in enumerate(asked.queries) if q.row == i]
            bars = {tag: pool({q.method: list(points.get((k, tag), {}).values()) for k, q in mine}, mine[0][1].how, row.aggregation)
                    for tag in seen}
            values.append(self._finite(spec, row.label, bars))
        return comparison(spec.name, spec.title, spec.timezone, asked.days, now, spec.by, spec.rows, values,
                          [window_aggregation(row) for row in spec.rows], spec.bands, spec.top)

    @staticmethod
    def _pairs(asked: GroupedPlan, request: Request, read: list[tuple[int, str, dict[int, float]]]) -> None:
        """A pooled row's sum and count of one tag value describe the same points (datadog_answer.check_pair)."""
        columns = {(request.queries[index], tag): column for index, tag, column in read}
        tags = {tag for _, tag, _ in read}
        for k in request.queries:
            query = asked.queries[k]
            if query.how == POOLED and query.method == "sum":
                count = next(j for j in request.queries if asked.queries[j].row == query.row and asked.queries[j].method == "count")
                for tag in tags:
                    check_pair(columns.get((k, tag), {}), columns.get((count, tag), {}), query.row, f"{query.text} for {tag}")

    def _finite(self, spec: GridSpec, label: str, values: dict[str, float]) -> dict[str, float]:
        """±Infinity (a division by zero inside Datadog) is no value one can show: no data, with a warning."""
        infinite = [tag for tag, v in values.items() if math.isinf(v)]
        if infinite and self.warn:
            self.warn(f"{spec.name}: row {label!r}: Datadog answered a value that is not a finite number (±Infinity) "
                      f"for {plural(len(infinite), 'value')} of {spec.by}; shown as no data")
        return {tag: (math.nan if math.isinf(v) else v) for tag, v in values.items() if not math.isnan(v)}

    def _request(self, spec: GridSpec, api_client, retrier: Retrier, request: Request, window: Window):
        from datadog_api_client.exceptions import ApiException

        try:
            return query_timeseries(api_client, retrier, f"{spec.name}: querying Datadog", request.lo, request.hi, request.interval,
                                    [q.text for q in window.queries])
        except ApiException as exc:
            raise RunError(self._rejected(spec, exc, window.queries)) from None

    def _rejected(self, spec: GridSpec, exc, queries: list[GroupedQuery]) -> str:
        """A 400: Datadog's words, and the row they concern when the message quotes its query."""
        message = error_text(exc.body)
        culprit = next((q for n, q in enumerate(queries) if spec.rows[q.row].query.strip() in message or q.text in message
                        or f"'q{n}'" in message or f'"q{n}"' in message), None)
        if culprit is None and len(spec.rows) == 1:
            culprit = queries[0]
        if culprit is not None:
            row = spec.rows[culprit.row]
            calendar = culprit.whole and ("daily," in culprit.text or "weekly," in culprit.text)
            way_out = (f"; healthgrid asks this row's window as one calendar bucket (.rollup{culprit.text.rsplit('.rollup', 1)[1]}): "
                       "if Datadog refuses that, use a query that shorter buckets add up to: not a percentile, avg: with aggregation: "
                       "avg, or sum:, min: or max: with the same aggregation") if calendar else ""
            return f"{spec.name}: Datadog rejected the query of row {row.label!r} ({row.query}): {message}{way_out}"
        labels = ", ".join(repr(r.label) for r in spec.rows[:3]) + (", ..." if len(spec.rows) > 3 else "")
        return f"{spec.name}: Datadog rejected the request ({exc.status} {said(exc.reason or '', 60)}): {message} (rows {labels})"

