"""Report each run back to Datadog: gauges per grid, and repointing dashboard image widgets.

A failed report is a warning, never a failed run: the images are what users came for.
"""

from __future__ import annotations

import time
from typing import Callable, Iterable
from urllib.parse import urlsplit, urlunsplit

from healthgrid.datadog.client import DatadogAuth, Retrier, error_text
from healthgrid.errors import HealthgridError, UsageError
from healthgrid.text import plural, said

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
        warn(f"reporting metrics: Datadog answered {exc.status} {said(exc.reason or '', 60)}: {error_text(exc.body)}; the run itself succeeded")
        return False
    except HealthgridError as exc:
        warn(f"{exc}; the run itself succeeded")
        return False
    return True


def strip_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class NotADashboard(ValueError):
    """The answer does not have the shape the dashboards API documents."""


def _image_widgets(widgets: list) -> Iterable[dict]:
    """The definitions of image widgets, also inside group widgets (to any depth), in the JSON of
    a dashboard as Datadog sent it. Raises NotADashboard where the documented shape is missing:
    a widget list that is not a list, a widget or definition that is not an object, a definition
    without a type. Everything else (widget types, fields and values this version does not know)
    is not looked at."""
    pending = [widgets]
    while pending:  # a stack, not recursion: a hostile answer may nest groups deeply
        items = pending.pop()
        if not isinstance(items, list):
            raise NotADashboard("a widgets field is not a list")
        for widget in items:
            definition = widget.get("definition") if isinstance(widget, dict) else None
            if not isinstance(definition, dict) or not isinstance(definition.get("type"), str):
                raise NotADashboard("a widget has no definition with a type")
            if definition["type"] == "image":
                yield definition
            elif definition["type"] == "group":
                pending.append(definition.get("widgets", []))


def dark_of(stable_url: str) -> str:
    """NAME.png -> NAME_dark.png (any image type): where the dark twin of a light image lives."""
    stem, dot, ext = stable_url.rpartition(".")
    return f"{stem}_dark{dot}{ext}" if dot and "/" not in ext else stable_url + "_dark"


def repoint_widgets(widgets: list, images: dict[str, str]) -> tuple[int, int]:
    """Point image widgets whose URL (ignoring the query string) is a stable URL in `images`
    (stable -> versioned) at the versioned URL, `url_dark_theme` too; a widget with only `url`
    gains `url_dark_theme` when the dark image was published. `widgets` is the dashboard's JSON
    list, changed in place in those url fields only. Returns (matched, changed)."""
    matched = changed = 0
    for definition in list(_image_widgets(widgets)):  # every widget checked before any is changed
        for key in ("url", "url_dark_theme"):
            current = definition.get(key)
            if isinstance(current, str) and strip_query(current) in images:
                matched += 1
                if current != images[strip_query(current)]:
                    definition[key] = images[strip_query(current)]
                    changed += 1
        url = definition.get("url")
        if isinstance(url, str) and not definition.get("url_dark_theme") and strip_query(url) in images:
            dark = images.get(dark_of(strip_query(url)))
            if dark:
                definition["url_dark_theme"] = dark
                changed += 1
    return matched, changed


def _as_sent(client) -> None:
    """The client hands back the answer's bytes and sends a body as given: its models would drop or
    refuse what this version does not know (a new widget type, an enum value added since), and
    the dashboard must go back with every such widget as it came."""
    client.configuration.preload_content = False
    client.configuration.check_input_type = False


def _dashboard_json(response) -> dict:
    import json

    try:
        doc = json.loads(response.data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise NotADashboard("not JSON") from None
    if not isinstance(doc, dict):
        raise NotADashboard("not a JSON object")
    return doc


def update_dashboard(auth: DatadogAuth, dashboard_id: str, images: dict[str, str], warn: Callable[[str], None]) -> int:
    """GET the dashboard, repoint matching image widgets, PUT it back whole (only when changed):
    the JSON as Datadog sent it, with only our image widgets' url fields changed."""
    from datadog_api_client.exceptions import ApiException
    from datadog_api_client.v1.api.dashboards_api import DashboardsApi

    retrier = Retrier(auth, REPORT_BUDGET, warn=warn)
    what = f"report.dashboard {dashboard_id}"
    try:
        with auth.client() as client:
            _as_sent(client)
            api = DashboardsApi(client)
            dashboard = _dashboard_json(retrier.call(what, client, lambda: api.get_dashboard(dashboard_id)))
            matched, changed = repoint_widgets(dashboard.get("widgets"), images)
            if not matched:
                warn(f"{what}: no image widget shows these images; add one with `healthgrid widget` (its JSON goes in the dashboard)")
                return 0
            if changed:
                retrier.call(what, client, lambda: api.update_dashboard(dashboard_id, body=dashboard))
            return changed
    except ApiException as exc:
        warn(f"{what}: Datadog answered {exc.status} {said(exc.reason or '', 60)}: {error_text(exc.body)}; the dashboard was left as it was")
    except NotADashboard as exc:
        warn(f"{what}: the answer from {auth.where} is not what its API documents ({exc}); the dashboard was left as it was")
    except HealthgridError as exc:
        warn(f"{exc}; the dashboard was left as it was")
    return 0


def report(spec, results, images, credentials, console) -> None:
    """The report: section after a run (`spec`: ReportSpec): gauges, monitors, dashboard widgets.
    Each part that fails, however it fails, is a warning: the images are already out."""
    if not (spec.metrics or spec.dashboard or spec.monitors):
        return
    try:
        auth = credentials.datadog(need_app_key=bool(spec.dashboard or spec.monitors))
    except UsageError as exc:
        console.warn(f"report: {exc}; not reporting")
        return
    if spec.metrics:
        _part("reporting metrics", console, lambda: _metrics(auth, results, console))
    if spec.monitors:
        _part("report.monitors", console, lambda: _monitors(auth, spec.period, console))
    if spec.dashboard and images:
        _part(f"report.dashboard {spec.dashboard}", console, lambda: _dashboard(auth, spec.dashboard, images, console))


def _part(what: str, console, fn: Callable[[], None]) -> None:
    try:
        fn()
    except Exception as exc:  # a report never fails the run whose images are published
        console.warn(f"{what}: failed ({type(exc).__name__}: {said(str(exc), 100)}); the run itself succeeded")


def _metrics(auth, results, console) -> None:
    if submit_metrics(auth, results, console.warn):
        console.progress(f"report: submitted healthgrid.* gauges for {plural(len(results), 'grid')}")


def _monitors(auth, period: int, console) -> None:
    from healthgrid.datadog.monitors import definitions, ensure

    outcome = ensure(auth, definitions(period), console.warn)
    if outcome:
        console.progress("report: monitors " + ", ".join(f"{v}: {k!r}" for k, v in outcome.items()))


def _dashboard(auth, dashboard_id: str, images, console) -> None:
    changed = update_dashboard(auth, dashboard_id, {i.url: i.versioned_url for i in images}, console.warn)
    if changed:
        console.progress(f"report: repointed {plural(changed, 'image widget URL')} on dashboard {dashboard_id}")
