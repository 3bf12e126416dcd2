"""Create or update the one dashboard healthgrid made for these grids, and nothing else.

With --dashboard-id the dashboard is read first and changed only when its description carries
the `healthgrid-dashboard:` marker; a 404 or a dashboard without the marker is a one-line error,
and nothing is written. Without it, the dashboard list is read page by page (bounded) for the
marker with this body's key: none found creates one, one found is replaced in place, several
found is an error naming them (nothing is guessed). Every call shares one time budget with the
usual retries (datadog_client.Retrier).
"""

from __future__ import annotations

import re
from typing import Callable, NamedTuple

from healthgrid.datadog.client import DatadogAuth, Retrier, error_text
from healthgrid.datadog.dashboard.body import MARKER, MARKER_RE, is_ours, validate
from healthgrid.errors import RunError, UsageError
from healthgrid.text import said

BUDGET = 60.0  # seconds for every call of one command, retries included
PAGE = 100  # dashboards asked per list page
MAX_PAGES = 50  # 5,000 dashboards: past that, --dashboard-id says which one
MAX_UNSURE = 10  # listed without a description but with our title: read whole to look for the marker
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")


class Outcome(NamedTuple):
    action: str  # created | updated
    id: str
    url: str


def check_id(value: str | None) -> str | None:
    if value is not None and not ID_RE.fullmatch(value):
        raise UsageError(f"--dashboard-id: {value!r} is not a dashboard id (letters, digits and '-', e.g. abc-def-ghi)")
    return value


def app_url(auth: DatadogAuth, dashboard_id: str, path: str) -> str:
    """The dashboard's address in the web app. The API answers a path; one that is not a plain
    /dashboard/... path (it is upstream text) is replaced by the id's own."""
    if auth.host:
        base = auth.where
    else:
        base = f"https://{auth.site}" if auth.site.count(".") > 1 else f"https://app.{auth.site}"
    if not re.fullmatch(r"/dashboard/[A-Za-z0-9-]+(?:/[\w.~%-]{0,300})?", path):
        path = f"/dashboard/{dashboard_id}"
    return base + path


def sync(auth: DatadogAuth, body: dict, dashboard_id: str | None, warn: Callable[[str], None]) -> Outcome:
    from datadog_api_client.exceptions import ApiException
    from datadog_api_client.v1.api.dashboards_api import DashboardsApi

    key = MARKER_RE.search(body["description"]).group(1)
    model = validate(body)
    retrier = Retrier(auth, BUDGET, warn=warn)
    what = f"dashboard {dashboard_id}" if dashboard_id else "dashboard"
    try:
        with auth.client() as client:
            api = DashboardsApi(client)
            if dashboard_id:
                current = retrier.call(what, client, lambda: _unless_404(lambda: api.get_dashboard(dashboard_id)))
                if current is None:
                    raise RunError(f"--dashboard-id: no dashboard {dashboard_id} at {auth.where} (404 Not Found)")
                if not is_ours(getattr(current, "description", None)):
                    raise RunError(f"--dashboard-id: dashboard {dashboard_id} was not made by healthgrid (its description has "
                                   f"no '{MARKER}:' line); it was left unchanged")
                target, known_url = dashboard_id, str(getattr(current, "url", "") or "")
            else:
                found = _find(api, key, lambda fn: retrier.call("dashboard: listing dashboards", client, fn), auth.where, body["title"])
                if len(found) > 1:
                    raise RunError(f"dashboard: {len(found)} dashboards carry this marker ({', '.join(i for i, _ in found[:5])}); "
                                   "pass --dashboard-id ID to say which one to update (nothing was changed)")
                target, known_url = found[0] if found else (None, "")
            if target is None:
                return _create(api, client, retrier, model, key, auth, body["title"])
            answer = retrier.call(f"dashboard {target}", client, lambda: _unless_404(lambda: api.update_dashboard(target, body=model)))
            if answer is None:
                raise RunError(f"dashboard {target}: gone before it could be updated (404 Not Found at {auth.where})")
            return Outcome("updated", target, app_url(auth, target, str(getattr(answer, "url", "") or known_url)))
    except ApiException as exc:
        raise RunError(f"{what}: Datadog refused it ({exc.status} {said(exc.reason or '', 60)}): {error_text(exc.body)}") from None


def _create(api, client, retrier: Retrier, model, key: str, auth: DatadogAuth, title: str) -> Outcome:
    """POST the dashboard. A retry first looks for it again: an attempt that timed out or got a 5xx
    may still have created it, and a second POST would make a second dashboard."""
    attempts = 0

    def once():
        nonlocal attempts
        attempts += 1
        if attempts > 1:
            found = _find(api, key, lambda fn: fn(), auth.where, title)  # within this attempt's deadline
            if found:
                return found[0]
        return api.create_dashboard(body=model)

    answer = retrier.call("dashboard: creating it", client, once)
    if isinstance(answer, tuple):
        return Outcome("created", answer[0], app_url(auth, answer[0], answer[1]))
    made = getattr(answer, "id", None)
    if not isinstance(made, str) or not ID_RE.fullmatch(made):
        raise RunError(f"dashboard: Datadog at {auth.where} answered the create without a dashboard id "
                       "(if it was made, the next run finds it by its marker)")
    return Outcome("created", made, app_url(auth, made, str(getattr(answer, "url", "") or "")))


def _unless_404(call):
    """The call's answer, or None for a 404 (Retrier would word it as a wrong site)."""
    from datadog_api_client.exceptions import ApiException

    try:
        return call()
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def _find(api, key: str, call, where: str, title: str) -> list[tuple[str, str]]:
    """(id, url) of the dashboards whose description carries our marker with `key`, reading at
    most MAX_PAGES pages of PAGE through `call`; an answer that repeats itself ends the walk. A
    summary that came without its description but has our title is read whole (a few at most)."""
    seen: set[str] = set()
    found: list[tuple[str, str]] = []
    unsure: list[tuple[str, str]] = []
    for page in range(MAX_PAGES):
        answer = call(lambda page=page: api.list_dashboards(count=PAGE, start=page * PAGE))
        items = getattr(answer, "dashboards", None)
        if not isinstance(items, list):  # not "none of ours", which would create a second dashboard
            raise RunError(f"dashboard: the dashboard list from {where} is not what its API documents (no 'dashboards' list)")
        fresh = 0
        for item in items:
            dashboard_id = str(getattr(item, "id", "") or "")
            if not dashboard_id or dashboard_id in seen:
                continue
            seen.add(dashboard_id)
            fresh += 1
            text = getattr(item, "description", None)
            match = MARKER_RE.search(text or "")
            if match and match.group(1) == key:
                found.append((dashboard_id, str(getattr(item, "url", "") or "")))
            elif text is None and getattr(item, "title", None) == title:
                unsure.append((dashboard_id, str(getattr(item, "url", "") or "")))
        if len(items) < PAGE or not fresh:
            break
    else:
        raise RunError(f"dashboard: more than {MAX_PAGES * PAGE} dashboards to look through for ours; "
                       "pass --dashboard-id ID (printed when it was created)")
    for dashboard_id, url in unsure[:MAX_UNSURE] if not found else []:
        whole = call(lambda dashboard_id=dashboard_id: _unless_404(lambda: api.get_dashboard(dashboard_id)))
        match = MARKER_RE.search(getattr(whole, "description", None) or "") if whole is not None else None
        if match and match.group(1) == key:
            found.append((dashboard_id, url))
    return found
