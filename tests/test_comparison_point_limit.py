"""A comparison grid keeps every request within Datadog's 1,500 points per series, as a heatmap does:
its window is cut inside a day where the zone's buckets are small (local mean time before 1972),
a whole-window row is asked in a request of its own when the window is cut, and a grid that would
need more than 200 requests fails with one line before asking anything. The stand-in refuses what Datadog refuses."""

import json
from datetime import datetime, timezone

import pytest

from healthgrid.config import GridSpec, RowSpec
from healthgrid.datadog.client import DatadogAuth
from healthgrid.errors import RunError
from healthgrid.model.grid import day_start, local_days
from healthgrid.sources.grouped import GroupedSource
from healthgrid.sources.grouped_plan import requests

from fakes.datadog import FakeDatadog, percentile

QUERY_PATH = "/api/v2/query/timeseries"


def points_per_series(attributes: dict) -> int:
    lo, hi = attributes["from"] // 1000, attributes["to"] // 1000
    if not attributes.get("interval"):
        return 1  # calendar buckets: one a day (the window is one day or one week)
    size = attributes["interval"] // 1000
    return (hi - 1) // size - lo // size + 1


@pytest.mark.parametrize("tz,now,days,bucket", [
    ("Africa/Monrovia", "1971-06-01T23:50:00+00:00", 1, 30),
    ("Africa/Monrovia", "1971-06-01T23:50:00+00:00", 90, 30),
    ("America/Detroit", "1900-06-01T12:00:00+00:00", 1, 1),
    ("Europe/Amsterdam", "1930-06-01T12:00:00+00:00", 7, 4),
])
def test_every_comparison_request_holds_at_most_1500_points_per_series(tz, now, days, bucket):
    rows = (RowSpec("Mean", "avg:m{*}"), RowSpec("Peak", "max:m{*}", aggregation="max"))
    if days in (1, 7):
        rows += (RowSpec("P90", "p90:m{*}"),)
    asked = requests(GridSpec(name="c", title="c", type="comparison", by="policy", timezone=tz, days=days, rows=rows),
                     datetime.fromisoformat(now))
    assert asked.bucket == bucket and len(asked.requests) <= 200
    for request in asked.requests:
        assert request.interval is None or -(-(request.hi - request.lo) // request.interval) <= 1500
    whole = [r for r in asked.requests if any(asked.queries[k].whole for k in r.queries)]
    assert len(whole) == (1 if days in (1, 7) else 0)
    assert all(r.interval is None and all(asked.queries[k].whole for k in r.queries) for r in whole), "alone when the window is cut"
    covered = sorted((r.lo, r.hi) for r in asked.requests if r.interval)
    assert covered[0][0] == int(day_start(asked.days[0], tz).timestamp()) and covered[-1][1] == int(datetime.fromisoformat(now).timestamp())
    assert all(a[1] == b[0] for a, b in zip(covered, covered[1:], strict=False)), "no gap, no overlap"


def test_a_day_past_the_limit_is_asked_in_pieces_and_its_percentile_in_a_day_of_its_own(dd, cli, in_tmp):
    tz, now = "Africa/Monrovia", datetime(1971, 6, 1, 23, 50, tzinfo=timezone.utc)
    lo = int(day_start(local_days(now, tz, 1)[0], tz).timestamp())
    values = [float(k % 10) for k in range(0, int(now.timestamp()) - lo, 97)]
    for k, value in enumerate(values):
        dd.add_tagged_points("m", ["policy:ppo"], [(lo + 97 * k, value)])
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"timezone": tz, "grids": [{"name": "c", "type": "comparison", "by": "policy",
        "days": 1, "rows": [{"label": "Mean", "query": "avg:m{*}"}, {"label": "P50", "query": "p50:m{*}"}]}]}))
    result = cli("render", "--now", now.isoformat(), "--format", "html")
    assert result.code == 0, result.err
    bars = {row["label"]: row["bars"][0]["value"] for row in json.loads((in_tmp / "healthgrid-out" / "c.json").read_text())["rows"]}
    assert bars["Mean"] == pytest.approx(sum(values) / len(values)) and bars["P50"] == pytest.approx(percentile(values, 50))
    sent = [c.json()["data"]["attributes"] for c in dd.calls("POST", QUERY_PATH)]
    assert len(sent) == 3 and all(points_per_series(a) <= 1500 for a in sent)
    assert [q["query"] for q in sent[-1]["queries"]] == [f"p50:m{{*}} by {{policy}}.rollup(avg, daily, 12am, '{tz}')"]


def test_a_comparison_needing_more_than_200_requests_fails_with_one_line_before_asking(dd):
    spec = GridSpec(name="old", title="old", type="comparison", by="policy", timezone="America/Detroit", days=90,
                    rows=(RowSpec("Mean", "avg:m{*}"),))
    with pytest.raises(RunError) as caught:  # local mean time, -5:32:11: one-second buckets
        GroupedSource(DatadogAuth.from_env()).fetch(spec, datetime(1900, 6, 1, 12, tzinfo=timezone.utc))
    assert str(caught.value) == ("old: 90 days in America/Detroit need 5178 requests (1 s buckets, at most 1500 per series and "
                                 "request); the limit is 200: show fewer days")
    assert not dd.calls("POST", QUERY_PATH)


def test_the_stand_in_refuses_a_grouped_query_past_1500_points():
    server = FakeDatadog()
    queries = [{"data_source": "metrics", "name": "q0", "query": "sum:m{*} by {policy}.rollup(sum, 30)"}]
    answer = server.timeseries({"data": {"type": "timeseries_request", "attributes": {
        "from": 0, "to": 86400 * 1000, "interval": 30_000, "queries": queries}}})
    assert answer.status == 400 and "would return 2880 points per series; the maximum is 1500" in answer.body["errors"][0]
