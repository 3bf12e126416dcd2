"""What Datadog answers to one planned request, checked against what was asked before any of it
becomes a number: an answer that says it failed, contradicts itself or does not start its buckets
where the local days (or sub-day buckets) asked for start fails the grid with one line naming the
row; nothing is shifted, dropped or merged to make it fit.

`check_answer` reads the documented v2 timeseries document (as a dict): `series[i]` (with
`query_index`, `group_tags`, `unit`) pairs with `values[i]`, each as long as the shared `times` (ms).
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

from healthgrid.datadog.client import error_text
from healthgrid.sources.datadog_plan import Plan, Request, RowError
from healthgrid.text import plural, said


def check_answer(plan: Plan, request: Request, answer) -> dict[int, dict[int, float]]:
    """{query index (into Plan.queries): {bucket start (s): value}} from one answer. null and NaN
    are no data (left out); ±Infinity is kept (the day shows no data, with a warning). Raises
    RowError (the row concerned, or None) for anything else Datadog did not document or was not asked."""
    series, times, values = answer_lists(answer)
    starts = bucket_times(times)
    columns: dict[int, dict[int, float]] = {}
    for one, column in zip(series, values, strict=True):
        k = query_index(one, len(request.queries))
        query = request.queries[k]
        row = plan.owner[query]
        if query in columns:
            raise RowError(row, f"Datadog answered several series for {plan.queries[query].term}; a row needs one "
                                "(drop any grouping or aggregate across tags)")
        _series_fields(one, row, plan.queries[query].term)
        if not isinstance(column, list) or len(column) != len(starts):
            raise RowError(row, f"{plan.queries[query].term} has {plural(len(column), 'value') if isinstance(column, list) else 'no values'} "
                                f"for {plural(len(starts), 'time')}")
        columns[query] = column_values(column, starts, plan.queries[query].method == "count", row, plan.queries[query].term)
    _aligned(plan, request, starts, columns)
    _pairs(plan, request, columns)
    return columns


def answer_lists(answer) -> tuple[list, list, list]:
    """(series, times, values) of a timeseries answer that says it has data, checked for the shape
    the API documents: as many value lists as series. Every answer, a heatmap's or a comparison's,
    goes through here."""
    attributes = _attributes(answer)
    keys = ("series", "times", "values")
    absent = [key for key in keys if attributes.get(key) is None]
    if absent:  # Datadog's answer without data lists all three, empty: a missing or null one is no answer
        raise RowError(None, f"{_listed(absent)} {'is' if len(absent) == 1 else 'are'} missing or null "
                             "(an answer without data lists them empty)")
    wrong = [key for key in keys if not isinstance(attributes[key], list)]
    if wrong:
        raise RowError(None, f"{_listed(wrong)} must be {'a list' if len(wrong) == 1 else 'lists'}")
    series, times, values = attributes["series"], attributes["times"], attributes["values"]
    if len(series) != len(values):
        raise RowError(None, f"{len(series)} series but {plural(len(values), 'value list')}")
    if times and not series:
        raise RowError(None, f"{plural(len(times), 'time')} but no series: times list only buckets that some series has data in")
    return series, times, values


def _listed(words: list[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def _attributes(answer) -> dict:
    if not isinstance(answer, dict):
        raise RowError(None, "the answer is not a JSON object")
    errors = answer.get("errors")
    if errors:  # a 200 whose body says the query failed ("Query timed out"): no data was measured
        raise RowError(None, f"Datadog answered with an error instead of data: {error_text(answer)}")
    data = answer.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("attributes"), dict):
        raise RowError(None, "the answer has no data.attributes object")
    if data.get("type", "timeseries_response") != "timeseries_response":
        raise RowError(None, f"the answer's type is {said(str(data.get('type')), 40)}, not timeseries_response")
    return data["attributes"]


def bucket_times(times: list) -> list[int]:
    """The shared bucket starts in seconds: whole seconds, strictly increasing."""
    out = []
    for t in times:
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or t != int(t) or int(t) % 1000:
            raise RowError(None, f"a time is {said(str(t), 30)}, not a whole second in milliseconds")
        seconds = int(t) // 1000
        if out and seconds <= out[-1]:
            raise RowError(None, f"times repeat or go backwards ({_iso(seconds)} after {_iso(out[-1])})")
        out.append(seconds)
    return out


def query_index(one, asked: int) -> int:
    """The series' query_index, one of the `asked` queries."""
    index = one.get("query_index") if isinstance(one, dict) else None
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < asked:
        raise RowError(None, f"a series for query {said(str(index), 20)}, but queries 0..{asked - 1} were asked")
    return index


def _series_fields(one: dict, row: int, term: str) -> None:
    tags = one.get("group_tags")
    if tags not in (None, []):
        raise RowError(row, f"a series of {term} carries group tags {said(str(tags), 60)}, but the query is not grouped")
    unit = one.get("unit")
    if unit is not None and not (isinstance(unit, list) and len(unit) <= 2 and all(u is None or isinstance(u, dict) for u in unit)):
        raise RowError(row, f"the unit of {term} is {said(str(unit), 60)}, not a list of up to two unit objects")


def column_values(column: list, starts: list[int], count: bool, row: int | None, term: str) -> dict[int, float]:
    """One series' {bucket start: value}: null and NaN left out, ±Infinity kept; a count must be a whole number of points."""
    out = {}
    for t, value in zip(starts, column, strict=True):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise RowError(row, f"a value of {term} is {type(value).__name__} {said(str(value), 20)}, not a number")
        try:
            value = float(value)
        except OverflowError:
            raise RowError(row, f"a value of {term} is too large for a number ({said(str(value), 20)})") from None
        if math.isnan(value):
            continue
        if count and not (math.isfinite(value) and value >= 0 and value == int(value)):
            raise RowError(row, f"the count of {term} at {_iso(t)} is {value!r}, not a whole number of points")
        out[t] = value
    return out


def _aligned(plan: Plan, request: Request, starts: list[int], columns: dict[int, dict[int, float]]) -> None:
    """Every bucket starts where one was asked: a local midnight (calendar request) or a multiple
    of the interval, within [from, to)."""
    midnights = set(plan.starts)
    for t in starts:
        inside = request.lo <= t < request.hi
        if inside and (t in midnights if request.interval is None else t % request.interval == 0):
            continue
        culprit = next((q for q in request.queries if t in columns.get(q, {})), request.queries[0])
        if request.interval is None:
            nearest = min(plan.starts, key=lambda s: abs(s - t))
            expected = f"local midnights in {plan.timezone}, e.g. {_iso(nearest)}"
        else:
            expected = f"buckets every {request.interval} s from {_iso(request.lo)} to before {_iso(request.hi)}"
        raise RowError(plan.owner[culprit], f"Datadog answered a bucket starting {_iso(t)} for "
                                                 f"{plan.queries[culprit].term}, but asked were {expected}")


def _pairs(plan: Plan, request: Request, columns: dict[int, dict[int, float]]) -> None:
    """An avg term's sum and count describe the same points: one without the other is malformed."""
    asked = set(request.queries)
    for i, row in enumerate(plan.rows):
        for uses in row.terms:
            if "count" not in uses or not {uses["sum"], uses["count"]} <= asked:
                continue
            check_pair(columns.get(uses["sum"], {}), columns.get(uses["count"], {}), i, plan.queries[uses["sum"]].term)


def check_pair(sums: dict[int, float], counts: dict[int, float], row: int | None, term: str) -> None:
    """A pooled term's sum and count describe the same points: in every bucket, a sum has a count
    of at least one point and a count of points has a sum (a zero count may come with a zero sum)."""
    for t in sums.keys() | counts.keys():
        total, count = sums.get(t), counts.get(t, 0.0)
        if (total is None) != (count == 0) and not (count == 0 and total == 0):
            raise RowError(row, f"Datadog's sum and count of {term} disagree at {_iso(t)} "
                                f"(sum {'missing' if total is None else total}, count {count:g})")


def _iso(seconds: int) -> str:
    try:
        return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return f"{seconds} s"
