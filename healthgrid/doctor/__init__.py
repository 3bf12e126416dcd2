"""`healthgrid doctor`: whether tonight's run will work, checked against the real org without
writing or publishing anything.

In order: the API key (`GET /api/v1/validate`), the application key (one query on the endpoint
runs use), then each grid as a run would fetch it (heatmap.py, comparison.py), the calendar
stamps per zone, and the metadata of the metrics that need it (metadata.py). Every network call
goes through the run's Retrier (bounded retries, a wall-clock deadline) within what is left of
one budget for the whole command (`--timeout`); a grid that fails is reported and the next one
is checked all the same. Keys go to the configured host only and are never printed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from healthgrid.config import Config
from healthgrid.credentials import Credentials
from healthgrid.doctor import comparison, heatmap
from healthgrid.doctor.keys import Checked, KeyRefused, check_api_key, check_app_key
from healthgrid.doctor.metadata import apply, look_up
from healthgrid.doctor.report import Finding, Report
from healthgrid.doctor.rows import Outcome, Reading, row_finding
from healthgrid.net import Budget

__all__ = ["DEFAULT_TIMEOUT", "Report", "diagnose"]
DEFAULT_TIMEOUT = 120.0  # seconds for the whole command
KEY_SECONDS = 30.0  # at most, for each key check
GRID_SECONDS = 60.0  # at most, for one grid (a run's default --timeout)
MIN_GRID_SECONDS = 10.0  # a grid's share of what is left: that divided among the grids left, but at least this
LOOKUP_SECONDS = 30.0  # at most, for every metadata look-up together
READINGS = {"local": "local midnight", "utc_date": "00:00 UTC of the local date", "other": "something else", "unknown": "unknown"}


def diagnose(config: Config, names: list[str] | None, now: datetime, credentials: Credentials, timeout: float = DEFAULT_TIMEOUT,
             warn: Callable[[str], None] | None = None) -> Report:
    """Every check on the grids `names` (all when None). Raises UsageError for an unknown grid or
    unusable credentials, as a run would; everything else is a finding."""
    specs = config.select(names)
    auth = credentials.datadog()
    budget = Budget(timeout)
    report = Report(auth.where, now, [Finding("config", "note", config.source or "built-in config", w) for w in config.warnings])

    def retrier(*most: float) -> Checked:
        return Checked(auth, max(0.0, min(*most, budget.remaining())), warn=warn)

    with auth.client() as client:
        api = check_api_key(auth, client, retrier(KEY_SECONDS))
        app = check_app_key(auth, client, retrier(KEY_SECONDS), specs[0], now) if api.status == "ok" else \
            Finding("keys", "skip", "application key", "not checked: the API key did not pass", {"key": "application"})
        report.findings += [api, app]
        reachable = api.status == "ok" and app.status != "fail"
        outcomes = [_grid(spec, now, auth, client, retrier, budget, timeout, warn, reachable, len(specs) - k) for k, spec in enumerate(specs)]
        for outcome in outcomes:
            report.findings += outcome.findings
        report.findings += calendar([o.reading for o in outcomes if o.reading])
        lookups = [x for o in outcomes for x in o.lookups]
        if lookups and reachable and budget.remaining() > 0:
            found, notes = look_up(lookups, auth, client, retrier(LOOKUP_SECONDS))
            for after, finding in apply(lookups, found, auth):
                report.findings.insert(report.findings.index(after) + 1, finding)
            report.findings += notes
        elif lookups and reachable:
            report.findings.append(Finding("metadata", "note", auth.where, f"no metric metadata looked up: doctor's --timeout of "
                                           f"{timeout:g}s ran out"))
    return report


def _limits(spec, now) -> list[Finding]:
    """The figures of a grid's requests, which need no network."""
    from healthgrid.sources.datadog_plan import RowError, plan_grid

    if spec.type == "comparison":
        return [comparison.limits(spec, now)]
    try:
        return [heatmap.limits(spec, plan_grid(spec, now))]
    except RowError:
        return []


def _grid(spec, now, auth, client, retrier, budget: Budget, timeout: float, warn, reachable: bool, left: int) -> Outcome:
    from healthgrid.sources.datadog import DatadogSource
    from healthgrid.sources.grouped import GroupedSource

    if not reachable or budget.remaining() <= 0:
        why = "the keys did not pass" if not reachable else f"doctor's --timeout of {timeout:g}s ran out before it"
        out = Outcome([Finding("grid", "skip" if not reachable else "fail", spec.name, f"not checked: {why}", {"grid": spec.name})])
        out.findings += [row_finding(spec, i, "skip", f"not checked: {why}") for i in range(len(spec.rows))]
        out.findings += _limits(spec, now)
        return out
    checker = retrier(max(MIN_GRID_SECONDS, budget.remaining() / left), GRID_SECONDS)
    try:
        if spec.type == "comparison":
            return comparison.check_comparison(spec, now, GroupedSource(auth, budget=checker.budget.seconds, warn=warn))
        return heatmap.check_heatmap(spec, now, DatadogSource(auth, budget=checker.budget.seconds, warn=warn), client, checker)
    except KeyRefused as exc:  # the keys passed a moment ago: say so rather than guess
        return Outcome([Finding("grid", "fail", spec.name, f"Datadog refused the keys for this grid ({exc.status}; Datadog: {exc.words})",
                                {"grid": spec.name})])


def calendar(readings: list[Reading]) -> list[Finding]:
    """One finding per zone whose whole-day rows (percentiles, and pairings no bucket rebuilds exactly)
    are asked in calendar-aligned days: which instant
    this org stamps those buckets with, and whether a run accepts it."""
    zones: dict[str, list[Reading]] = {}
    for reading in readings:
        zones.setdefault(reading.zone, []).append(reading)
    out = []
    for zone, seen in zones.items():
        known = [r for r in seen if r.kind != "unknown"]
        reading = next((r for r in known if r.kind != "local"), known[0] if known else seen[0])
        grids = sorted({r.grid for r in seen})
        fields = {"zone": zone, "reading": reading.kind, "grids": grids}
        if reading.kind == "unknown":
            out.append(Finding("calendar", "note", zone, "could not tell which instant Datadog gives a local day's bucket: the rows asked "
                               "in whole local days returned no data", fields))
        elif reading.kind == "local":
            out.append(Finding("calendar", "ok", zone, "daily buckets are stamped at local midnight, as healthgrid asks", fields))
        else:
            out.append(Finding("calendar", "fail", zone, f"daily buckets are stamped at {READINGS[reading.kind]} (e.g. {reading.example}), "
                               f"not at local midnight: healthgrid checks every bucket against the local midnights it asked for, so a "
                               f"run would fail {', '.join(grids)}; set timezone: UTC on those grids (whole UTC days need no calendar "
                               "rollup), or move their whole-day rows to a UTC grid", fields))
    return out

