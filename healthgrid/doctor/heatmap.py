"""A heatmap (or trend) grid checked the way a run fetches it: the same planned requests through
the run's DatadogSource, each answer checked as a run checks it (check_answer), each row's days
worked out as a run works them out (row_values). Every request is sent even when an earlier one
failed, so one refused or misstamped request does not hide what the others say.

The calendar-aligned request (whole-day rows outside whole-UTC-day zones: percentiles and pairings
no bucket rebuilds exactly) is also read for the
instant its buckets carry: local midnight is what healthgrid asks for and accepts; 00:00 UTC of
the local date, or anything else, fails the grid in a run.
"""

from __future__ import annotations

import math
from datetime import datetime, time, timezone

from healthgrid.config import GridSpec
from healthgrid.doctor.report import plural
from healthgrid.doctor.rows import Lookup, Outcome, Reading, grid_failure, limits_finding, row_finding, rows_line
from healthgrid.errors import RunError
from healthgrid.sources.datadog_answer import check_answer
from healthgrid.sources.datadog_plan import Plan, Request, RowError, plan_grid, row_values


def check_heatmap(spec: GridSpec, now: datetime, source, client, retrier) -> Outcome:
    out = Outcome()
    try:
        plan = plan_grid(spec, now)
    except RowError as exc:
        out.findings.append(grid_failure(spec, _about(spec, exc)))
        return out
    points: list[dict[int, float]] = [{} for _ in plan.queries]
    failed: dict[int, str] = {}  # query -> why its request gave nothing
    for request in plan.requests:
        try:
            answer = source.ask(spec, plan, client, retrier, request)
            if request.interval is None:
                out.reading = stamp_reading(spec, plan, answer)
            columns = check_answer(plan, request, answer)
        except (RunError, RowError) as exc:
            if request.interval is None and out.reading and out.reading.kind in ("utc_date", "other"):
                why = f"its daily buckets are not stamped at local midnight (see the calendar line of {spec.timezone})"
            else:
                why = "its request failed (see the grid's line)"
                out.findings.append(grid_failure(spec, _about(spec, exc)))
            failed.update(dict.fromkeys(request.queries, why))
            continue
        for query, column in columns.items():
            points[query].update(column)
    _rows(spec, plan, points, failed, out)
    out.findings.append(limits(spec, plan))
    return out


def limits(spec: GridSpec, plan: Plan):
    per_request = [(len(r.queries), _points(plan, r)) for r in plan.requests]
    return limits_finding(spec, per_request, len(plan.queries), plan.bucket)


def stamp_reading(spec: GridSpec, plan: Plan, answer) -> Reading:
    """Which instant the calendar request's buckets carry: each a local midnight of the days
    asked, each 00:00 UTC of such a date, or something else (with an example)."""
    attributes = ((answer.get("data") or {}).get("attributes") or {}) if isinstance(answer, dict) else {}
    times = attributes.get("times") if isinstance(attributes, dict) else None
    stamps = [int(t) // 1000 for t in times if isinstance(t, (int, float)) and not isinstance(t, bool) and math.isfinite(t)] \
        if isinstance(times, list) else []
    if not stamps:
        return Reading(spec.timezone, "unknown", spec.name)
    local = set(plan.starts)
    odd = next((s for s in stamps if s not in local), None)
    if odd is None:
        return Reading(spec.timezone, "local", spec.name)
    utc = {int(datetime.combine(d, time(0), tzinfo=timezone.utc).timestamp()) for d in plan.days}
    return Reading(spec.timezone, "utc_date" if all(s in utc for s in stamps) else "other", spec.name, _iso(odd))


def _points(plan: Plan, request: Request) -> int:
    if request.interval is None:  # one bucket per local day
        return sum(1 for s in plan.starts if request.lo <= s < request.hi)
    return -(-(request.hi - request.lo) // request.interval)


def _rows(spec: GridSpec, plan: Plan, points: list[dict[int, float]], failed: dict[int, str], out: Outcome) -> None:
    try:
        values = row_values(plan, points)
    except RowError as exc:
        out.findings.append(grid_failure(spec, _about(spec, exc)))
        return
    rows = []
    for i, (row, value) in enumerate(zip(plan.rows, values, strict=True)):
        metrics = row.formula.metrics
        why = next((failed[k] for uses in row.terms for k in uses.values() if k in failed), None)
        if why:
            rows.append(row_finding(spec, i, "skip", f"not checked: {why}"))
            empty = []
        else:
            empty = [m for m, uses in zip(metrics, row.terms, strict=True) if not any(points[k] for k in uses.values())]
            rows.append(_verdict(spec, i, len(plan.days), value.raw, [m.name for m in empty]))
        out.lookups += [Lookup(name, "nodata", spec, i, rows[-1]) for name in dict.fromkeys(m.name for m in empty)]
        out.lookups += [Lookup(m.name, "percentile", spec, i, rows[-1]) for m in metrics if m.percentile]
    out.findings += rows + [rows_line(spec, rows)]


def _verdict(spec: GridSpec, i: int, days: int, raw: list[float], empty: list[str]):
    if empty:
        return row_finding(spec, i, "fail", f"no data for {', '.join(dict.fromkeys(empty))} in the last {plural(days, 'day')} "
                                            "(no series, or only nulls): a run would show this row empty", empty[0])
    missing = sum(1 for v in raw if math.isnan(v))
    if missing == days:
        return row_finding(spec, i, "fail", "every term has data, but no day has a value (a division by zero, or terms with data "
                                            "on different days): a run would show this row empty")
    if missing:
        return row_finding(spec, i, "note", f"{missing} of {plural(days, 'day')} without data")
    return row_finding(spec, i, "ok", f"data on all {plural(days, 'day')}")


def _about(spec: GridSpec, exc: Exception) -> str:
    if isinstance(exc, RowError):
        where = f"row {spec.rows[exc.row].label!r}: " if exc.row is not None else ""
        return f"{spec.name}: {where}{exc}: a run would fail this grid"
    return str(exc)


def _iso(seconds: int) -> str:
    try:
        return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return f"{seconds} s since 1970"
