"""Watching the watcher: Datadog monitors that alert when a grid failed or went stale.

Both are multi-alerts grouped by `grid`, on the gauges `healthgrid run` reports:
- failed: `healthgrid.generation_success` below 1 in the last schedule period;
- stale: no `healthgrid.updated_at` for two schedule periods (it is only sent on success), the
  heartbeat pattern: a threshold that is never crossed, and `notify_no_data` doing the work.
"""

from __future__ import annotations

from typing import Callable

from healthgrid.datadog.client import DatadogAuth, Retrier, error_text
from healthgrid.errors import HealthgridError
from healthgrid.text import said

FAILED = "healthgrid: a grid failed to render"
STALE = "healthgrid: a grid stopped updating"
BUDGET = 30.0


def definitions(period_minutes: int = 60, notify: str = "") -> list[dict]:
    """Monitor JSON as the API (and the client's Monitor model) takes it."""
    window = max(5, int(period_minutes))
    stale = 2 * window
    tail = f"\n\n{notify}" if notify else ""
    common = {"type": "metric alert", "tags": ["managed-by:healthgrid"], "priority": 3}
    return [
        {
            **common,
            "name": FAILED,
            "query": f"min(last_{window}m):min:healthgrid.generation_success{{*}} by {{grid}} < 1",
            "message": ("{{#is_alert}}The health grid {{grid.name}} failed to render in its last run; its published image "
                        "is the previous one. Check the workflow run's log and the healthgrid error annotation.{{/is_alert}}"
                        "{{#is_recovery}}{{grid.name}} renders again.{{/is_recovery}}" + tail),
            "options": {"thresholds": {"critical": 1}, "notify_no_data": False, "require_full_window": False,
                        "include_tags": True, "renotify_interval": 0},
        },
        {
            **common,
            "name": STALE,
            "query": f"max(last_{stale}m):max:healthgrid.updated_at{{*}} by {{grid}} < 0",
            "message": (f"{{{{#is_no_data}}}}The health grid {{{{grid.name}}}} has not been updated for {stale} minutes "
                        "(two schedule periods): the workflow is not running or keeps failing.{{/is_no_data}}"
                        "{{#is_recovery}}{{grid.name}} is updating again.{{/is_recovery}}" + tail),
            "options": {"thresholds": {"critical": 0}, "notify_no_data": True, "no_data_timeframe": stale,
                        "require_full_window": False, "include_tags": True, "renotify_interval": 0},
        },
    ]


def _differs(existing: dict, wanted: dict) -> bool:
    if any(existing.get(key) != wanted[key] for key in ("query", "message", "type")):
        return True
    if sorted(existing.get("tags") or []) != sorted(wanted["tags"]):
        return True
    options = existing.get("options") or {}
    return any(options.get(key) != value for key, value in wanted["options"].items())


def ensure(auth: DatadogAuth, wanted: list[dict], warn: Callable[[str], None]) -> dict[str, str]:
    """Create or update the monitors, found by name; identical ones are left alone.
    Returns {name: "created" | "updated" | "unchanged"}; failures are warnings."""
    from datadog_api_client.exceptions import ApiException
    from datadog_api_client.v1.api.monitors_api import MonitorsApi
    from datadog_api_client.v1.model.monitor import Monitor
    from datadog_api_client.v1.model.monitor_update_request import MonitorUpdateRequest

    retrier = Retrier(auth, BUDGET, warn=warn)
    outcome: dict[str, str] = {}
    try:
        with auth.client() as client:
            api = MonitorsApi(client)

            def call(fn):
                return retrier.call("report.monitors", client, fn)

            for monitor in wanted:
                found = [m for m in call(lambda: api.list_monitors(name=monitor["name"])) if m.name == monitor["name"]]  # noqa: B023 - call() runs it at once
                if not found:
                    call(lambda: api.create_monitor(body=Monitor(**_model_args(monitor))))  # noqa: B023 - call() runs it at once
                    outcome[monitor["name"]] = "created"
                    continue
                existing = found[0].to_dict()
                if _differs(existing, monitor):
                    args = _model_args(monitor)
                    call(lambda: api.update_monitor(found[0].id, body=MonitorUpdateRequest(**args)))  # noqa: B023 - call() runs it at once
                    outcome[monitor["name"]] = "updated"
                else:
                    outcome[monitor["name"]] = "unchanged"
    except ApiException as exc:
        warn(f"report.monitors: Datadog answered {exc.status} {said(exc.reason or '', 60)}: {error_text(exc.body)}; monitors left as they were")
    except HealthgridError as exc:
        warn(f"{exc}; monitors left as they were")
    return outcome


def _model_args(monitor: dict) -> dict:
    from datadog_api_client.v1.model.monitor_options import MonitorOptions
    from datadog_api_client.v1.model.monitor_thresholds import MonitorThresholds
    from datadog_api_client.v1.model.monitor_type import MonitorType

    options = dict(monitor["options"])
    options["thresholds"] = MonitorThresholds(**options["thresholds"])
    return {**monitor, "type": MonitorType(monitor["type"]), "options": MonitorOptions(**options)}
