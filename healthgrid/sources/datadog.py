"""Datadog source: true calendar days in the grid's zone, one v2 timeseries request per grid where
Datadog's grammar allows (a window past its point limit is split; whole-day terms, percentiles
among them, outside whole-UTC-day zones go in a calendar-aligned request of their own).

What is asked is planned in datadog_plan.py (`plan_grid`), every answer is checked against what
was asked in datadog_answer.py (`check_answer`), and each row's day is its formula applied to each
term's value for that local day (`row_values`). This module sends the requests and says what went wrong.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Callable

from healthgrid.config import GridSpec
from healthgrid.datadog.client import DEFAULT_BUDGET, DatadogAuth, Retrier, error_text, query_timeseries
from healthgrid.errors import RunError
from healthgrid.model.grid import Grid
from healthgrid.sources.datadog_answer import check_answer
from healthgrid.sources.datadog_plan import DAY, MAX_POINTS, Plan, Request, RowError, bucket_seconds, plan_grid, row_values
from healthgrid.sources.rows import make_row
from healthgrid.text import plural, said

__all__ = ["DAY", "MAX_POINTS", "DatadogSource", "bucket_seconds", "is_percentile"]
PERCENTILE_RE = re.compile(r"^\s*p\d+(\.\d+)?:")  # p50:, p90:, p99.9: ... (distribution metrics)
MAX_PROBES = 50  # rows asked one by one to find the one a 400 without a quoted query concerns


def is_percentile(query: str) -> bool:
    return bool(PERCENTILE_RE.match(query))


class DatadogSource:
    def __init__(self, auth: DatadogAuth, budget: float = DEFAULT_BUDGET, warn: Callable[[str], None] | None = None):
        self.auth = auth
        self.budget = budget
        self.warn = warn

    def fetch(self, spec: GridSpec, now: datetime) -> Grid:
        plan = self.plan(spec, now)
        return self.grid(spec, plan, self.points(spec, plan))

    def plan(self, spec: GridSpec, now: datetime) -> Plan:
        """What the grid asks (plan_grid), a row that cannot be asked as a RunError naming it."""
        try:
            return plan_grid(spec, now)
        except RowError as exc:
            raise RunError(self._about(spec, exc)) from None

    def points(self, spec: GridSpec, plan: Plan) -> list[dict[int, float]]:
        """Every planned request sent and its answer checked: per query, {bucket start: value}."""
        retrier = Retrier(self.auth, self.budget, warn=self.warn)
        points: list[dict[int, float]] = [{} for _ in plan.queries]
        with self.auth.client() as api_client:
            for request in plan.requests:
                answer = self.ask(spec, plan, api_client, retrier, request)
                try:
                    columns = check_answer(plan, request, answer)
                except RowError as exc:
                    raise RunError(self._about(spec, exc, malformed=True)) from None
                for query, column in columns.items():
                    points[query].update(column)
        return points

    def grid(self, spec: GridSpec, plan: Plan, points: list[dict[int, float]]) -> Grid:
        """Each row's days from the checked answers; a day without a finite value is no data, with a warning."""
        try:
            values = row_values(plan, points)
        except RowError as exc:
            raise RunError(self._about(spec, exc, malformed=True)) from None
        rows = []
        for row, value in zip(spec.rows, values, strict=True):
            if value.not_finite and self.warn:
                self.warn(f"{spec.name}: row {row.label!r}: Datadog answered a value that is not a finite number "
                          f"(±Infinity) on {plural(value.not_finite, 'day')}; shown as no data")
            if value.divided_by_zero and self.warn:
                self.warn(f"{spec.name}: row {row.label!r}: the formula divides by zero or overflows on "
                          f"{plural(value.divided_by_zero, 'day')}; shown as no data")
            rows.append(make_row(row, value.raw, spec.bands))
        return Grid(name=spec.name, title=spec.title, timezone=spec.timezone, days=plan.days, now=plan.now, rows=rows, bands=spec.bands)

    def _about(self, spec: GridSpec, exc: RowError, malformed: bool = False) -> str:
        where = f"row {spec.rows[exc.row].label!r}: " if exc.row is not None else ""
        if malformed:
            return f"{spec.name}: {where}the answer from {self.auth.where} is not usable ({exc}); nothing written for this grid"
        return f"{spec.name}: {where}{exc}"

    def ask(self, spec: GridSpec, plan: Plan, api_client, retrier: Retrier, request: Request) -> dict:
        """One planned request, its answer as the documented JSON document (not yet checked); a
        refusal is a RunError quoting Datadog and naming the row it concerns."""
        from datadog_api_client.exceptions import ApiException

        try:
            return self._send(spec, plan, api_client, retrier, request)
        except ApiException as exc:
            raise RunError(self._rejected(spec, plan, exc, request, lambda r: self._send(spec, plan, api_client, retrier, r))) from None

    def _send(self, spec: GridSpec, plan: Plan, api_client, retrier: Retrier, request: Request):
        """One planned request; the calendar request names no interval: its queries' rollup says what a bucket is."""
        return query_timeseries(api_client, retrier, f"{spec.name}: querying Datadog", request.lo, request.hi, request.interval,
                                [plan.queries[k].text for k in request.queries])

    def _rejected(self, spec: GridSpec, plan: Plan, exc, request: Request, send) -> str:
        """A 400: quote Datadog and name the row it concerns.

        The row is the first whose term (or query name) the message quotes; failing that, each
        row's queries are asked alone until one is refused (only on this error path, within the budget)."""
        from datadog_api_client.exceptions import ApiException

        message = error_text(exc.body)
        culprit = next((plan.owner[k] for n, k in enumerate(request.queries)
                        if plan.queries[k].term in message or plan.queries[k].text.rsplit(".rollup(", 1)[0] in message
                        or f"'q{n}'" in message or f'"q{n}"' in message), None)
        rows = sorted({plan.owner[k] for k in request.queries})
        if culprit is None and len(spec.rows) == 1:
            culprit = 0
        if culprit is None and exc.status == 400:
            for i in rows[:MAX_PROBES]:
                mine = tuple(k for k in request.queries if any(k in uses.values() for uses in plan.rows[i].terms))
                try:
                    send(Request(request.lo, request.hi, request.interval, mine))
                except ApiException as probe:
                    if probe.status == 400:
                        culprit = i
                    break
                except RunError:
                    break
        if culprit is not None:
            row = spec.rows[culprit]
            calendar = next((plan.queries[k] for uses in plan.rows[culprit].terms for k in uses.values() if plan.queries[k].calendar), None)
            way_out = (f"; healthgrid asks {calendar.term} in whole local days as {calendar.text[len(calendar.term):]}: if Datadog "
                       "refuses that, set this grid's timezone to UTC (whole UTC days need no calendar rollup)") if calendar else ""
            return f"{spec.name}: Datadog rejected the query of row {row.label!r} ({row.query}): {message}{way_out}"
        labels = ", ".join(repr(r.label) for r in spec.rows[:3]) + (", ..." if len(spec.rows) > 3 else "")
        return f"{spec.name}: Datadog rejected the request ({exc.status} {said(exc.reason or '', 60)}): {message} (rows {labels})"
