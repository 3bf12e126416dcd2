"""A comparison grid checked through the run's own grouped fetch (sources/grouped.py): a row with
no value for any value of its tag would be an empty panel. The figures of its requests are worked
out as the fetch plans them."""

from __future__ import annotations

import math
from datetime import datetime

from healthgrid.config import GridSpec
from healthgrid.datadog.formula import parse
from healthgrid.doctor.report import Finding, plural
from healthgrid.doctor.rows import Lookup, Outcome, grid_failure, limits_finding, row_finding, rows_line
from healthgrid.errors import RunError
from healthgrid.sources.grouped import requests


def check_comparison(spec: GridSpec, now: datetime, grouped) -> Outcome:
    out = Outcome()
    metrics = [parse(row.query.strip()).metrics[0] for row in spec.rows]  # one metric query a row (checked with the config)
    try:
        comparison = grouped.fetch(spec, now)
    except RunError as exc:
        out.findings.append(grid_failure(spec, str(exc)))
        rows = [row_finding(spec, i, "skip", "not checked: the grid's request failed (see the grid's line)") for i in range(len(spec.rows))]
    else:
        rows = []
        for i, row in enumerate(comparison.rows):
            with_data = sum(1 for v in row.values if not math.isnan(v))
            if with_data:
                rows.append(row_finding(spec, i, "ok", f"data for {with_data} of the {plural(len(row.values), 'value')} of {spec.by} shown"))
                continue
            rows.append(row_finding(spec, i, "fail", f"no data for {metrics[i].name} by {spec.by} in the window: a run would show this "
                                                     "row empty", metrics[i].name))
            out.lookups.append(Lookup(metrics[i].name, "nodata", spec, i, rows[-1]))
    out.lookups += [Lookup(m.name, "percentile", spec, i, rows[i]) for i, m in enumerate(metrics) if m.percentile]
    out.findings += rows + [rows_line(spec, rows), limits(spec, now)]
    return out


def limits(spec: GridSpec, now: datetime):
    """The grouped fetch's requests: one per window (split past 1,500 buckets), whole-window rows in
    it or, when it is split, in one of their own."""
    try:
        asked = requests(spec, now)
    except RunError as exc:  # too many requests: the grid's own line says so
        return Finding("limits", "fail", spec.name, str(exc), {"grid": spec.name})
    per_request = [(len(r.queries), -(-(r.hi - r.lo) // r.interval) if r.interval else 1) for r in asked.requests]
    return limits_finding(spec, per_request, len(asked.queries), asked.bucket)
