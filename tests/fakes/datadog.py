"""A loopback Datadog that speaks the v2 wire format recorded in ../shared/fixtures/datadog/.

It stores raw points per metric and answers `POST /api/v2/query/timeseries` the way Datadog does:
`.rollup(method, N)` buckets aligned to multiples of N seconds since the epoch (or, calendar
aligned, `.rollup(method, daily, 12am, 'ZONE')`: local days of ZONE), one series per
query with data (carrying `query_index`), none for a query without data, shared `times` listing
only buckets where some series has data, `null` where a series has no point in a bucket.
A percentile query (`p90:`) is the percentile of the bucket's points; its rollup method is ignored,
as Datadog does for distributions.
"""

from __future__ import annotations

import itertools
import math
import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from fakes.http import FakeServer, Request, Response

QUERY_RE = re.compile(r"^(avg|sum|min|max|p\d+(?:\.\d+)?):([\w.\-]+)\{([^}]*)\}"
                      r"\.rollup\((avg|sum|min|max|count),\s*(?:(\d+)|daily,\s*12am,\s*'([\w/+\-]+)')\)$")
API_KEY, APP_KEY = "fake-api-key-0123456789abcdef", "fake-app-key-fedcba9876543210"


def percentile(values: list[float], p: float) -> float:
    """Linear between closest ranks (numpy's default)."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = math.floor(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def local_midnight(t: int, zone: str) -> int:
    day = datetime.fromtimestamp(t, ZoneInfo(zone)).date()
    return int(datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).timestamp())


def rollup(values: list[float], method: str) -> float:
    if method.startswith("p"):
        return percentile(values, float(method[1:]))
    if method == "count":
        return float(len(values))
    return {"avg": lambda v: sum(v) / len(v), "sum": sum, "min": min, "max": max}[method](values)


class FakeDatadog(FakeServer):
    def __init__(self):
        super().__init__()
        self.metrics: dict[str, list[tuple[int, float | None]]] = {}
        self.submitted: list[dict] = []
        self.dashboards: dict[str, dict] = {}
        self.monitors: dict[int, dict] = {}

    def add_points(self, metric: str, points):
        self.metrics.setdefault(metric, []).extend((int(t), v) for t, v in points)

    def handle(self, request: Request) -> Response:
        if request.headers.get("dd-api-key") != API_KEY:
            return Response(403, {"errors": ["Forbidden"]})
        if request.path == "/api/v2/series" and request.method == "POST":
            self.submitted.append(request.json())
            return Response(202, {"errors": []})
        if request.headers.get("dd-application-key") != APP_KEY:
            return Response(403, {"errors": ["Forbidden"]})
        if request.path == "/api/v2/query/timeseries" and request.method == "POST":
            return self.timeseries(request.json())
        if request.path.startswith("/api/v1/monitor"):
            return self.monitor(request)
        if request.path == "/api/v1/dashboard":
            return self.dashboard_collection(request)
        match = re.fullmatch(r"/api/v1/dashboard/([\w-]+)", request.path)
        if match:
            return self.dashboard(request, match.group(1))
        return Response(404, {"errors": ["Not found"]})

    def dashboard(self, request: Request, dashboard_id: str) -> Response:
        if dashboard_id not in self.dashboards:
            return Response(404, {"errors": ["Dashboard not found"]})
        if request.method == "GET":
            return Response(200, self.dashboards[dashboard_id])
        if request.method == "PUT":
            body = request.json()
            self.dashboards[dashboard_id] = dict(body, id=dashboard_id)
            return Response(200, self.dashboards[dashboard_id])
        return Response(405, {"errors": ["Method not allowed"]})

    def dashboard_collection(self, request: Request) -> Response:
        """GET lists summaries (`start`, `count` as Datadog pages them); POST creates one from a
        body the client's Dashboard model reads whole, answering as the recorded create does."""
        if request.method == "GET":
            start = int(request.query.get("start", ["0"])[0])
            count = int(request.query.get("count", [str(len(self.dashboards) or 1)])[0])
            summaries = [{k: d.get(k) for k in ("id", "title", "description", "layout_type", "url", "is_read_only",
                                                 "author_handle", "created_at", "modified_at")}
                         for d in list(self.dashboards.values())[start:start + count]]
            return Response(200, {"dashboards": summaries})
        if request.method != "POST":
            return Response(405, {"errors": ["Method not allowed"]})
        body = request.json()
        refused = dashboard_refusal(body)
        if refused:
            return Response(400, {"errors": [refused]})
        dashboard_id = "-".join(f"{len(self.dashboards) + 1:09d}"[i:i + 3] for i in (0, 3, 6))
        self.dashboards[dashboard_id] = {
            **body, "id": dashboard_id, "url": f"/dashboard/{dashboard_id}/{re.sub(r'[^a-z0-9]+', '-', body['title'].lower())}",
            "author_handle": "frog@datadoghq.com", "author_name": None, "is_read_only": False, "description": body.get("description"),
            "created_at": "2026-11-28T12:00:00.000000+00:00", "modified_at": "2026-11-28T12:00:00.000000+00:00",
            "restricted_roles": [], "widgets": _with_ids(body["widgets"]),
        }
        return Response(200, self.dashboards[dashboard_id])

    def monitor(self, request: Request) -> Response:
        match = re.fullmatch(r"/api/v1/monitor(?:/(\d+))?", request.path)
        if not match:
            return Response(404, {"errors": ["Not found"]})
        if request.method == "GET" and not match.group(1):
            name = request.query.get("name", [""])[0]
            return Response(200, [m for m in self.monitors.values() if name.lower() in m["name"].lower()])
        if request.method == "POST" and not match.group(1):
            monitor_id = 1000 + len(self.monitors)
            self.monitors[monitor_id] = {**request.json(), "id": monitor_id, "overall_state": "No Data", "created": "2026-11-28T12:00:00Z"}
            return Response(200, self.monitors[monitor_id])
        if request.method == "PUT" and match.group(1) and int(match.group(1)) in self.monitors:
            self.monitors[int(match.group(1))].update(request.json())
            return Response(200, self.monitors[int(match.group(1))])
        return Response(404, {"errors": ["Monitor not found"]})

    def timeseries(self, doc: dict) -> Response:
        data = doc.get("data", {})
        if data.get("type") != "timeseries_request":
            return Response(400, {"errors": ['API input validation failed: Invalid type. Expected "timeseries_request".']})
        attrs = data["attributes"]
        lo, hi = attrs["from"] // 1000, attrs["to"] // 1000
        names = [q["name"] for q in attrs["queries"]]
        columns = []
        for formula in attrs.get("formulas") or [{"formula": n} for n in names]:
            query = attrs["queries"][names.index(formula["formula"])]["query"]
            match = QUERY_RE.match(query)
            if not match:
                return Response(400, {"errors": [f"Error parsing query: unable to parse {query}: Rule 'query' didn't match"]})
            space, metric, _, method, size, zone = match.groups()
            if space.startswith("p"):
                method = space
            buckets: dict[int, list[float]] = {}
            for t, v in self.metrics.get(metric, []):
                if lo <= t < hi:
                    values = buckets.setdefault(local_midnight(t, zone) if zone else t - t % int(size), [])
                    if v is not None:
                        values.append(v)
            columns.append({t: (rollup(v, method) if v else None) for t, v in buckets.items()})
        times = sorted({t for column in columns for t in column})
        series, values = [], []
        for index, column in enumerate(columns):
            if column:  # a query without data has no series at all
                series.append({"group_tags": [], "query_index": index, "unit": None})
                values.append([column.get(t) for t in times])
        body = {"data": {"id": "0", "type": "timeseries_response",
                         "attributes": {"series": series, "times": [t * 1000 for t in times], "values": values}}}
        return Response(200, body, content_type="application/vnd.api+json")


def dashboard_refusal(body) -> str | None:
    """Why Datadog would answer 400 to this dashboard body, or None: what its Dashboard model
    cannot read (required fields, enums, widget shapes), and widgets without a layout where
    `reflow_type: fixed` asks every widget for one."""
    from datadog_api_client import Configuration
    from datadog_api_client.model_utils import validate_and_convert_types
    from datadog_api_client.v1.model.dashboard import Dashboard

    if not isinstance(body, dict) or not all(k in body for k in ("title", "layout_type", "widgets")):
        return "Invalid dashboard: title, layout_type and widgets are required"
    try:
        model = validate_and_convert_types(body, (Dashboard,), ["body"], True, True, configuration=Configuration())
    except Exception as exc:  # whatever the model cannot read is a 400
        return f"Invalid dashboard: {exc}"
    if model._unparsed:
        return "Invalid widget definition"

    def unplaced(widgets) -> bool:
        return any("layout" not in w or unplaced(w.get("definition", {}).get("widgets", [])) for w in widgets)

    if body.get("reflow_type") == "fixed" and unplaced(body["widgets"]):
        return "Invalid dashboard: reflow_type fixed needs a layout on every widget"
    return None


def _with_ids(widgets: list, ids=None) -> list:
    """Widgets as Datadog returns them: each (also inside groups) with its own numeric id."""
    ids = ids or itertools.count(560642460565424)
    out = []
    for widget in widgets:
        widget = dict(widget, id=next(ids))
        if isinstance(widget.get("definition", {}).get("widgets"), list):
            widget["definition"] = dict(widget["definition"], widgets=_with_ids(widget["definition"]["widgets"], ids))
        out.append(widget)
    return out


def daily_truth(points, day_bounds: list[int], aggregation: str) -> list[float]:
    """What a day's value must be, from the raw points (independent of any bucketing)."""
    out = []
    for lo, hi in zip(day_bounds, day_bounds[1:], strict=False):
        values = [v for t, v in points if lo <= t < hi and v is not None]
        out.append(rollup(values, aggregation) if values else math.nan)
    return out
