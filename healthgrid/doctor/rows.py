"""What checking one grid yields, whatever its type: a finding per row (named by grid, group and
label, with the metric it concerns), one line counting the grid's rows, the metrics whose metadata
would tell more, and the figures of its requests against Datadog's limits."""

from __future__ import annotations

from dataclasses import dataclass, field

from healthgrid.config import GridSpec
from healthgrid.doctor.report import Finding, plural
from healthgrid.sources.datadog_plan import MAX_POINTS


@dataclass
class Lookup:
    """A metric whose metadata (`GET /api/v1/metrics/{name}`) is wanted: for a row without data
    ("nodata": unknown metric, or no points in the window?) or a percentile row ("percentile": is
    it a distribution?)."""

    metric: str
    why: str  # nodata | percentile
    spec: GridSpec
    row: int
    finding: Finding  # the row's finding: the answer completes it (nodata) or is listed after it (percentile)


@dataclass
class Reading:
    """Which instant the org gave one grid's calendar-aligned daily buckets."""

    zone: str
    kind: str  # local | utc_date | other | unknown (no bucket came back)
    grid: str
    example: str | None = None  # a stamp that is not a local midnight


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    lookups: list[Lookup] = field(default_factory=list)
    reading: Reading | None = None  # heatmaps whose whole-day rows need calendar-aligned days


def row_subject(spec: GridSpec, i: int) -> str:
    row = spec.rows[i]
    return " / ".join([spec.name, *([row.group] if row.group else []), row.label])


def row_finding(spec: GridSpec, i: int, status: str, detail: str, metric: str | None = None) -> Finding:
    row = spec.rows[i]
    return Finding("row", status, row_subject(spec, i), detail, {"grid": spec.name, "group": row.group, "row": row.label, "metric": metric})


def grid_failure(spec: GridSpec, message: str) -> Finding:
    return Finding("grid", "fail", spec.name, message, {"grid": spec.name})


def rows_line(spec: GridSpec, rows: list[Finding]) -> Finding:
    """One line per grid for the table: how many rows have data; the others are listed beside it."""
    counts = {status: sum(1 for f in rows if f.status == status) for status in ("ok", "note", "fail", "skip")}
    parts = [f"{counts['ok'] + counts['note']} of {plural(len(rows), 'row')} with data"]
    if counts["fail"]:
        parts.append(f"{counts['fail']} without (listed)")
    if counts["skip"]:
        parts.append(f"{counts['skip']} not checked")
    status = "fail" if counts["fail"] else "skip" if counts["skip"] else "ok"
    return Finding("rows", status, spec.name, ", ".join(parts), {"grid": spec.name, "figures": counts})


def limits_finding(spec: GridSpec, per_request: list[tuple[int, int]], queries: int, bucket: int) -> Finding:
    """Requests, queries and points per series (`per_request`: (queries, points) of each request)
    against Datadog's 1,500 points per series."""
    most_queries = max((q for q, _ in per_request), default=0)
    most_points = max((p for _, p in per_request), default=0)
    figures = {"requests": len(per_request), "queries": queries, "max_queries_per_request": most_queries,
               "max_points_per_series": most_points, "point_limit": MAX_POINTS, "bucket_seconds": bucket}
    status = "ok" if most_points <= MAX_POINTS else "fail"
    return Finding("limits", status, spec.name, f"{plural(len(per_request), 'request')}, {plural(queries, 'query', 'queries')} "
                   f"(at most {most_queries:,} in one request), at most {most_points:,} points per series "
                   f"(Datadog's limit: {MAX_POINTS:,})", {"grid": spec.name, "figures": figures})
