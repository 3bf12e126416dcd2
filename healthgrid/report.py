"""Report each run back to Datadog: gauges per grid, and repointing dashboard image widgets.

A failed report is a warning, never a failed run: the images are what users came for.
"""

from __future__ import annotations

import time
from typing import Callable, Iterable
from urllib.parse import urlsplit, urlunsplit

from healthgrid.datadog_client import DatadogAuth, Retrier, error_text
from healthgrid.errors import HealthgridError, UsageError, quote_body

REPORT_BUDGET = 20.0


def gauges(results: Iterable, now: float) -> list[dict]:
    """The healthgrid.* gauges, tagged grid:NAME. A failed grid reports success 0 and nothing else,
    so `healthgrid.updated_at` keeps the time of the last good image (what a staleness monitor needs)."""
    series = []
    for r in results:
        points = {"healthgrid.generation_success": 1.0 if r.ok else 0.0}
        if r.ok:
            points.update({
                "healthgrid.updated_at": float(int(now)),
                "healthgrid.render_seconds": round(r.render_seconds, 3),
                "healthgrid.missing_cells": float(r.missing_cells),
            })
        for metric, value in points.items():
            series.append({"metric": metric, "value": value, "tags": [f"grid:{r.name}"]})
    return series


def submit_metrics(auth: DatadogAuth, results, warn: Callable[[str], None], now: float | None = None) -> bool:
    from datadog_api_client.exceptions import ApiException
    from datadog_api_client.v2.api.metrics_api import MetricsApi
    from datadog_api_client.v2.model.metric_intake_type import MetricIntakeType
    from datadog_api_client.v2.model.metric_payload import MetricPayload
    from datadog_api_client.v2.model.metric_point import MetricPoint
    from datadog_api_client.v2.model.metric_series import MetricSeries

    now = time.time() if now is None else now  # Datadog takes points from the last hour only: the real clock
    body = MetricPayload(series=[
        MetricSeries(metric=g["metric"], type=MetricIntakeType.GAUGE, points=[MetricPoint(timestamp=int(now), value=g["value"])], tags=g["tags"])
        for g in gauges(results, now)
    ])
    retrier = Retrier(auth, REPORT_BUDGET, warn=warn)
    try:
        with auth.client() as client:
            api = MetricsApi(client)
            retrier.call("reporting metrics", client, lambda: api.submit_metrics(body=body))
    except ApiException as exc:
        warn(f"reporting metrics: Datadog answered {exc.status} {quote_body(exc.reason or '', 60)}: {error_text(exc.body)}; the run itself succeeded")
        return False
    except HealthgridError as exc:
        warn(f"{exc}; the run itself succeeded")
        return False
    return True


def strip_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _image_widgets(widgets) -> Iterable:
    """Image widget definitions, also inside group widgets (typed client models)."""
    for widget in widgets or []:
        definition = widget.definition
        kind = str(getattr(definition, "type", ""))
        if kind == "image":
            yield definition
        elif kind == "group":
            yield from _image_widgets(getattr(definition, "widgets", []))


def dark_of(stable_url: str) -> str:
    """NAME.png -> NAME_dark.png (any image type): where the dark twin of a light image lives."""
    stem, dot, ext = stable_url.rpartition(".")
    return f"{stem}_dark{dot}{ext}" if dot and "/" not in ext else stable_url + "_dark"


def repoint_widgets(widgets, images: dict[str, str]) -> tuple[int, int]:
    """Point image widgets whose URL (ignoring the query string) is a stable URL in `images`
    (stable -> versioned) at the versioned URL, `url_dark_theme` too; a widget with only `url`
    gains `url_dark_theme` when the dark image was published. Returns (matched, changed)."""
    matched = changed = 0
    for definition in _image_widgets(widgets):
        for key in ("url", "url_dark_theme"):
            current = getattr(definition, key, None)
            if current and strip_query(current) in images:
                matched += 1
                if current != images[strip_query(current)]:
                    setattr(definition, key, images[strip_query(current)])
                    changed += 1
        url = getattr(definition, "url", None)
        if url and not getattr(definition, "url_dark_theme", None) and strip_query(url) in images:
            dark = images.get(dark_of(strip_query(url)))
            if dark:
                definition.url_dark_theme = dark
                changed += 1
    return matched, changed


def update_dashboard(auth: DatadogAuth, dashboard_id: str, images: dict[str, str], warn: Callable[[str], None]) -> int:
    """GET the dashboard, repoint matching image widgets, PUT it back whole (only when changed)."""
    from datadog_api_client.exceptions import ApiException
    from datadog_api_client.v1.api.dashboards_api import DashboardsApi

    retrier = Retrier(auth, REPORT_BUDGET, warn=warn)
    what = f"report.dashboard {dashboard_id}"
    try:
        with auth.client() as client:
            api = DashboardsApi(client)
            dashboard = retrier.call(what, client, lambda: api.get_dashboard(dashboard_id))
            matched, changed = repoint_widgets(dashboard.widgets, images)
            if not matched:
                warn(f"{what}: no image widget shows these images; add one with `healthgrid widget` (its JSON goes in the dashboard)")
                return 0
            if changed:
                retrier.call(what, client, lambda: api.update_dashboard(dashboard_id, body=dashboard))
            return changed
    except ApiException as exc:
        warn(f"{what}: Datadog answered {exc.status} {quote_body(exc.reason or '', 60)}: {error_text(exc.body)}; the dashboard was left as it was")
    except HealthgridError as exc:
        warn(f"{exc}; the dashboard was left as it was")
    return 0


def report(spec, results, images, credentials, console) -> None:
    """The report: section after a run (`spec`: ReportSpec): gauges, monitors, dashboard widgets."""
    if not (spec.metrics or spec.dashboard or spec.monitors):
        return
    try:
        auth = credentials.datadog(need_app_key=bool(spec.dashboard or spec.monitors))
    except UsageError as exc:
        console.warn(f"report: {exc}; not reporting")
        return
    if spec.metrics and submit_metrics(auth, results, console.warn):
        console.progress(f"report: submitted healthgrid.* gauges for {len(results)} grid(s)")
    if spec.monitors:
        from healthgrid.monitors import definitions, ensure

        outcome = ensure(auth, definitions(spec.period), console.warn)
        if outcome:
            console.progress("report: monitors " + ", ".join(f"{v}: {k!r}" for k, v in outcome.items()))
    if spec.dashboard and images:
        changed = update_dashboard(auth, spec.dashboard, {i.url: i.versioned_url for i in images}, console.warn)
        if changed:
            console.progress(f"report: repointed {changed} image widget URL(s) on dashboard {spec.dashboard}")
