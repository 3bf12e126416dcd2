"""A loopback Datadog that speaks the v2 wire format recorded in ../shared/fixtures/datadog/.

It stores raw points per metric and answers `POST /api/v2/query/timeseries` the way Datadog
documents: each query (and each v2 formula over the named queries) is evaluated by the grammar in
datadog_query.py; one series per formula with data (carrying `query_index`), none for one without;
shared `times` listing only buckets where some series has data; `null` where a series has none.
What Datadog refuses is answered 400 with its error body, `{"errors": ["Error(s) found in
query:\n..."]}`: a `.rollup()` after a number or a parenthesised group, an unknown function, more
than 1,500 points per series (Datadog would widen the buckets; the stand-in never does).

`calendar_stamp = "utc_date"` stamps calendar-aligned buckets at 00:00 UTC of their local date
instead of local midnight: what the live API does there is undocumented.

`GET /api/v1/validate` checks the API key alone (`{"valid": true}`, else 403); `GET
/api/v1/metrics/{name}` answers a metric's metadata (every documented field, null when unset;
`type` as `set_metadata` says, else "gauge") for a metric it holds points or metadata of, else 404.
"""

from __future__ import annotations

import itertools
import math
import re
from datetime import datetime, time, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from fakes.datadog_query import MAX_POINTS, Evaluator, QueryError, aggregate, in_scope, percentile, rolled_up
from fakes.http import FakeServer, Request, Response

# A grouped query (`type: comparison`): one metric query `by {KEY}`, then its rollup: N seconds,
# daily from 12am or weekly from a weekday, in a zone.
GROUPED_RE = re.compile(r"^(?:(avg|sum|min|max|p\d+(?:\.\d+)?):)?([\w.]+)\{([^}]*)\} by \{([\w.\-/]+)\}"
                        r"(\.as_count\(\)|\.as_rate\(\))?\.rollup\(([^()]*)\)$")
WEEKLY_RE = re.compile(r"(avg|sum|min|max|count),\s*weekly,\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday),\s*'([\w/+\-]+)'")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
API_KEY, APP_KEY = "fake-api-key-0123456789abcdef", "fake-app-key-fedcba9876543210"
METADATA_FIELDS = ("description", "integration", "per_unit", "short_name", "statsd_interval", "type", "unit")  # MetricMetadata
__all__ = ["API_KEY", "APP_KEY", "FakeDatadog", "daily_truth", "percentile"]


def week_start(t: int, weekday: str, zone: str) -> int:
    """Local midnight of the latest `weekday` on or before the instant `t`, in `zone`."""
    day = datetime.fromtimestamp(t, ZoneInfo(zone)).date()
    day -= timedelta(days=(day.weekday() - WEEKDAYS.index(weekday)) % 7)
    return int(datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).timestamp())


class FakeDatadog(FakeServer):
    def __init__(self):
        super().__init__()
        self.metrics: dict[str, list[tuple[int, float | None]]] = {}
        self.submitted: list[dict] = []
        self.dashboards: dict[str, dict] = {}
        self.monitors: dict[int, dict] = {}
        self.calendar_stamp = "local"
        self.refused: dict[str, str] = {}
        self.metadata: dict[str, dict] = {}
        self.tagged: dict[str, list[tuple[int, float | None, frozenset]]] = {}

    def set_metadata(self, metric: str, **fields) -> None:
        """What GET /api/v1/metrics/{metric} answers, e.g. type="distribution" (type=None: Datadog
        sometimes leaves a distribution's type out)."""
        self.metadata[metric] = fields

    def refuse(self, term: str, message: str = "Error parsing query: this metric cannot be queried that way") -> None:
        """Answer 400 to any request holding `term`, as Datadog does for what only it can judge
        (e.g. a percentile of a metric without percentiles enabled)."""
        self.refused[term] = message

    def add_points(self, metric: str, points):
        merged = self.metrics.get(metric, []) + [(int(t), v) for t, v in points]
        self.metrics[metric] = sorted(merged, key=lambda point: point[0])

    def add_tagged_points(self, metric: str, tags, points):
        """Points of one series carrying `tags` ("key:value" strings): a scope selects it by its
        tags, a grouped query groups it by them, a space aggregator combines it with the others."""
        self.tagged.setdefault(metric, []).extend((int(t), v, frozenset(tags)) for t, v in points)

    def handle(self, request: Request) -> Response:
        if request.headers.get("dd-api-key") != API_KEY:
            return Response(403, {"errors": ["Forbidden"]})
        if request.path == "/api/v2/series" and request.method == "POST":
            self.submitted.append(request.json())
            return Response(202, {"errors": []})
        if request.path == "/api/v1/validate" and request.method == "GET":  # the API key alone
            return Response(200, {"valid": True})
        if request.headers.get("dd-application-key") != APP_KEY:
            return Response(403, {"errors": ["Forbidden"]})
        metric = re.fullmatch(r"/api/v1/metrics/([^/]+)", request.path)
        if metric and request.method == "GET":
            return self.metric_metadata(unquote(metric.group(1)))
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

    def metric_metadata(self, name: str) -> Response:
        if name not in self.metadata and name not in self.metrics and name not in self.tagged:
            return Response(404, {"errors": ["Metric not found"]})
        return Response(200, {**dict.fromkeys(METADATA_FIELDS), "type": "gauge", **self.metadata.get(name, {})})

    def dashboard(self, request: Request, dashboard_id: str) -> Response:
        if dashboard_id not in self.dashboards:
            return Response(404, {"errors": ["Dashboard not found"]})
        if request.method == "GET":
            return Response(200, self.dashboards[dashboard_id])
        if request.method == "PUT":
            body = request.json()
            missing = [k for k in ("title", "layout_type", "widgets") if not isinstance(body, dict) or k not in body]
            if missing:  # the fields the API requires of a whole dashboard
                return Response(400, {"errors": [f"Invalid payload: missing required field {missing[0]!r}"]})
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
        if any(" by {" in q.get("query", "") for q in attrs["queries"]):
            return self.grouped_timeseries(attrs)
        lo, hi = attrs["from"] // 1000, attrs["to"] // 1000
        interval = attrs["interval"] // 1000 if attrs.get("interval") else None
        queries = attrs["queries"]
        for term, message in self.refused.items():
            if any(term in q["query"] for q in queries):
                return Response(400, {"errors": [f"Error(s) found in query:\n{message}: {term}"]})
        try:
            columns = evaluated(queries, attrs.get("formulas"),
                                lambda named: Evaluator(self.metrics, lo, hi, interval, self.calendar_stamp, named, tagged=self.tagged))
        except QueryError as exc:
            return Response(400, {"errors": [f"Error(s) found in query:\n{exc}"]})
        columns = [{t: v for t, v in column.items() if v is not None} if isinstance(column, dict) else {} for column in columns]
        times = sorted({t for column in columns for t in column})
        series, values = [], []
        for index, column in enumerate(columns):
            if column:  # a query without data has no series at all
                series.append({"group_tags": [], "query_index": index, "unit": None})
                values.append([column.get(t) for t in times])
        body = {"data": {"id": "0", "type": "timeseries_response",
                         "attributes": {"series": series, "times": [t * 1000 for t in times], "values": values}}}
        return Response(200, body, content_type="application/vnd.api+json")

    def grouped_timeseries(self, attrs: dict) -> Response:
        """`QUERY by {KEY}`: one series per value of KEY among the series the scope selects (series
        without KEY are left out), each carrying `group_tags: ["KEY:value"]`; shared `times` as above.
        Each group is rolled up as a metric query is (datadog_query.rolled_up: each series in time,
        then the group's series by the space aggregator), within the same 1,500 points per series."""
        lo, hi = attrs["from"] // 1000, attrs["to"] // 1000
        interval = attrs["interval"] // 1000 if attrs.get("interval") else None
        names = [q["name"] for q in attrs["queries"]]
        columns = []  # (query index, "KEY:value", {bucket start: value})
        for index, formula in enumerate(attrs.get("formulas") or [{"formula": n} for n in names]):
            query = attrs["queries"][names.index(formula["formula"])]["query"]
            match = GROUPED_RE.match(query)
            if not match:
                return Response(400, {"errors": [f"Error parsing query: unable to parse {query}: Rule 'query' didn't match"]})
            space, metric, scope, key, modifier, rollup = match.groups()
            evaluator = Evaluator(self.metrics, lo, hi, interval, self.calendar_stamp, tagged=self.tagged)
            evaluator.text = query
            try:
                method, bucket_of, seconds_of = self._grouped_rollup(evaluator, rollup, modifier, lo, hi)
                groups: dict[str, dict[frozenset, list]] = {}  # tag value -> series -> points
                for t, v, tags in self.tagged.get(metric, []):
                    value = next((tag.split(":", 1)[1] for tag in tags if tag.startswith(key + ":")), None)
                    if lo <= t < hi and value is not None and in_scope(tags, scope, query):
                        groups.setdefault(value, {}).setdefault(tags, []).append((t, v))
            except QueryError as exc:
                return Response(400, {"errors": [f"Error(s) found in query:\n{exc}"]})
            rate = seconds_of if modifier == ".as_rate()" else None
            for value in sorted(groups):
                columns.append((index, f"{key}:{value}", rolled_up(groups[value], space or "avg", method, bucket_of, rate)))
        times = sorted({t for _, _, column in columns for t in column})
        series = [{"group_tags": [tag], "query_index": index, "unit": None} for index, tag, _ in columns]
        body = {"data": {"id": "0", "type": "timeseries_response", "attributes": {
            "series": series, "times": [t * 1000 for t in times], "values": [[column.get(t) for t in times] for _, _, column in columns]}}}
        return Response(200, body, content_type="application/vnd.api+json")

    @staticmethod
    def _grouped_rollup(evaluator: Evaluator, rollup: str, modifier: str | None, lo: int, hi: int):
        """(aggregator, bucket start of a time, seconds of a bucket): a weekly calendar rollup here,
        the others as a metric query's (Evaluator.rollup, which refuses more than 1,500 points)."""
        weekly = WEEKLY_RE.fullmatch(rollup.strip())
        if not weekly:
            return evaluator.rollup(rollup.strip(), modifier and modifier[1:-2])
        method, weekday, zone = weekly.groups()
        weeks = (week_start(hi - 1, weekday, zone) - week_start(lo, weekday, zone)) // (7 * 86400) + 1
        if weeks > MAX_POINTS:
            raise QueryError(f"Query {evaluator.text} would return {weeks} points per series; the maximum is {MAX_POINTS}")
        return method, (lambda t: week_start(t, weekday, zone)), (lambda start: 7 * 86400)


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
    return widget_query_refusal(body["widgets"])


def widget_query_refusal(widgets: list) -> str | None:
    """Why Datadog would refuse a widget's metric queries or formulas, or None: each query is read
    by the query grammar (datadog_query) over two days, each formula over the request's named queries."""
    day = 86400
    for widget in widgets:
        definition = widget.get("definition", {})
        inner = widget_query_refusal(definition.get("widgets", []))
        if inner:
            return inner
        for request in definition.get("requests", []):
            queries = [q for q in request.get("queries", []) if q.get("data_source") == "metrics"]
            try:
                evaluated(queries, request.get("formulas"), lambda named: Evaluator({}, 100 * day, 102 * day, None, named=named))
            except QueryError as exc:  # a formula naming no query is one too
                return f"Invalid widget: {exc}"
    return None


def evaluated(queries: list[dict], formulas: list[dict] | None, evaluator) -> list:
    """Each formula's result over the request's named queries (each name alone without formulas);
    `evaluator(named)` is an Evaluator knowing those names' results (None while they are worked out)."""
    names = [q.get("name") for q in queries]
    first = evaluator(None)
    named = {name: first.evaluate(q["query"]) for name, q in zip(names, queries, strict=True)}
    then = evaluator(named)
    return [then.evaluate(f["formula"]) for f in formulas or [{"formula": name} for name in names]]


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
        out.append(aggregate(values, aggregation) if values else math.nan)
    return out
