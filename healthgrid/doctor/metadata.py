"""What Datadog knows of a metric (`GET /api/v1/metrics/{name}`): a 404 tells an unknown metric
(a misspelt name) from one that exists but had no points in the window; `type` tells whether a
percentile row's metric is a distribution, the only kind Datadog computes percentiles of.

Look-ups are bounded: each metric once, the metrics of rows without data first, at most
MAX_LOOKUPS in all (the rest are named in a note), within the time budget given.
"""

from __future__ import annotations

from dataclasses import dataclass

from healthgrid.doctor.keys import KeyRefused, host
from healthgrid.doctor.report import Finding, plural
from healthgrid.doctor.rows import Lookup, row_finding
from healthgrid.errors import RunError

MAX_LOOKUPS = 50
NOT_DISTRIBUTIONS = ("gauge", "count", "rate", "set", "histogram")  # Datadog's other metric types


@dataclass
class Metadata:
    known: bool | None  # False: 404; None: not looked up or not readable
    type: str | None = None  # as Datadog says: gauge, count, rate, distribution …; None when it says none
    error: str | None = None


def look_up(lookups: list[Lookup], auth, client, retrier) -> tuple[dict[str, Metadata], list[Finding]]:
    """Each wanted metric's metadata (rows without data first), and notes on what was not looked up."""
    names = list(dict.fromkeys([x.metric for x in lookups if x.why == "nodata"] + [x.metric for x in lookups]))
    found: dict[str, Metadata] = {}
    notes: list[Finding] = []
    for name in names[:MAX_LOOKUPS]:
        try:
            answer = retrier.call(f"looking up metric {name}", client, lambda name=name: _get(client, name))
        except KeyRefused as exc:
            notes.append(Finding("metadata", "note", host(auth), f"metric metadata is not readable ({exc.status}; Datadog: {exc.words}): "
                                 "the application key lacks the metrics_read permission, so an unknown metric cannot be told from "
                                 "one without points, nor a distribution from a gauge; a run does not need it"))
            break
        except RunError as exc:
            found[name] = Metadata(None, error=str(exc))
            if retrier.budget.remaining() <= 0:
                break
            continue
        kind = answer.get("type") if answer is not None else None
        found[name] = Metadata(answer is not None, kind if isinstance(kind, str) and kind else None)
    if len(names) > MAX_LOOKUPS:
        rest = names[MAX_LOOKUPS:]
        notes.append(Finding("metadata", "note", host(auth), f"{plural(len(rest), 'metric')} not looked up ({', '.join(rest[:5])}"
                             f"{', …' if len(rest) > 5 else ''}): doctor looks up at most {MAX_LOOKUPS}, the metrics of rows without "
                             "data first", {"figures": {"looked_up": MAX_LOOKUPS, "left": len(rest)}}))
    return found, notes


def _get(client, name: str):
    """The metric's metadata, or None for a 404 (an unknown metric)."""
    from datadog_api_client.exceptions import ApiException
    from datadog_api_client.v1.api.metrics_api import MetricsApi

    try:
        return MetricsApi(client).get_metric_metadata(metric_name=name)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def apply(lookups: list[Lookup], found: dict[str, Metadata], auth) -> list[tuple[Finding, Finding]]:
    """Each row finding completed with what the metadata says; a finding per percentile row whose
    metric Datadog says is not a distribution, with the row finding it goes after."""
    out, said = [], set()
    for lookup in lookups:
        meta = found.get(lookup.metric)
        if lookup.why == "nodata":
            lookup.finding.detail += "; " + _nodata(lookup.metric, meta, auth)
            if meta is not None and meta.known is False:
                lookup.finding.fields["unknown_metric"] = True
        elif lookup.why == "percentile" and meta and meta.type and meta.type != "distribution" and (lookup.spec.name, lookup.row) not in said:
            said.add((lookup.spec.name, lookup.row))
            known = meta.type in NOT_DISTRIBUTIONS  # another word may be a name Datadog gives distributions too
            finding = row_finding(lookup.spec, lookup.row, "fail" if known else "note",
                                  f"a percentile of {lookup.metric}, which Datadog says is a {meta.type}: percentiles (p50:, p90:, …) "
                                  "exist only for distribution metrics with percentiles enabled" + (
                                      ", so a run would show no data or be refused; use avg:/max: here, or send the metric as a "
                                      "distribution" if known else "; check that it is one"), lookup.metric)
            finding.fields["metric_type"] = meta.type
            out.append((lookup.finding, finding))
    return out


def _nodata(metric: str, meta: Metadata | None, auth) -> str:
    if meta is None:
        return f"{metric}: metadata not looked up"
    if meta.known is False:
        return f"{metric} is an unknown metric (GET /api/v1/metrics/{metric} answered 404 at {host(auth)}): check its spelling"
    if meta.known is None:
        return f"{metric}: metadata could not be read ({meta.error})"
    return (f"{metric} exists but had no points in the window for this query: check the scope's tags, and that it still "
            "reports")
