"""`healthgrid doctor` against the loopback Datadog: whether tonight's run will work, said per key,
row, zone and grid, with exit 0 only when a run would succeed and nothing written anywhere."""

import json

import pytest
import yaml

from healthgrid.config import load_config
from healthgrid.datadog.client import DatadogAuth
from healthgrid.doctor.keys import where_else
from healthgrid.errors import RunError
from healthgrid.sources.datadog import DatadogSource

from conftest import NOW, NOW_DT
from fakes.datadog import API_KEY, APP_KEY
from fakes.http import Response

QUERY_PATH = "/api/v2/query/timeseries"
END = int(NOW_DT.timestamp())
NY = "America/New_York"
WRONG_KEY = "0123456789abcdef0123456789abcdef"


def feed(dd, *metrics, days=9, every=1800, value=1.0):
    for metric in metrics:
        dd.add_points(metric, [(t, value + (t // every) % 7) for t in range(END - days * 86400, END, every)])


def write(path, grids, **top):
    path.write_text(yaml.safe_dump({**top, "grids": grids}, sort_keys=False))
    return str(path)


def doctor(cli, config, *flags):
    result = cli("doctor", "--config", config, "--now", NOW, *flags)
    return result, (json.loads(result.out) if "--json" in flags else None)


def run_fetch(config):
    """What a run's fetch does with each grid (the run's own DatadogSource, without rendering):
    the names of the grids that fail."""
    failed = []
    for spec in load_config(config).grids:
        try:
            DatadogSource(DatadogAuth.from_env()).fetch(spec, NOW_DT)
        except RunError:
            failed.append(spec.name)
    return failed


def rows_of(report, status=None):
    return [f for f in report["findings"] if f["check"] == "row" and (status is None or f["status"] == status)]


HEALTHY = [
    {"name": "ci", "timezone": NY, "rows": [
        {"label": "Tests", "group": "Build", "query": "avg:ci.tests{*}"},
        {"label": "Errors", "query": "sum:ci.errors{*}.as_count() / sum:ci.tests{*}.as_count()", "aggregation": "sum"},
        {"label": "CI P90", "query": "p90:ci.duration{*}"}]},
    {"name": "utc", "rows": [{"label": "Tests", "query": "max:ci.tests{env:prod}", "aggregation": "max"}]},
]


@pytest.fixture
def healthy(dd, in_tmp):
    feed(dd, "ci.tests", "ci.errors", "ci.duration")
    dd.set_metadata("ci.duration", type="distribution")
    return write(in_tmp / "h.yml", HEALTHY)


def test_a_healthy_config_passes_every_check_and_writes_nothing(cli, dd, healthy, in_tmp):
    result, _ = doctor(cli, healthy)
    assert result.code == 0, result.out + result.err
    assert result.out.rstrip().endswith("a run would succeed: every check passed (exit 0)")
    assert "valid (GET /api/v1/validate)" in result.out and "accepted by the query endpoint" in result.out
    assert "3 of 3 rows with data" in result.out and "daily buckets are stamped at local midnight" in result.out
    assert sorted(p.name for p in in_tmp.iterdir()) == ["h.yml"], "doctor writes no file"
    assert not dd.calls("POST", "/api/v2/series") and not dd.calls("POST", "/api/v1/dashboard"), "nothing is reported or published"
    _, report = doctor(cli, healthy, "--json")
    assert report["ok"] is True and report["exit_code"] == 0
    assert {f["status"] for f in report["findings"]} == {"ok"}
    assert [(f["grid"], f.get("group"), f["row"]) for f in rows_of(report)] == [
        ("ci", "Build", "Tests"), ("ci", None, "Errors"), ("ci", None, "CI P90"), ("utc", None, "Tests")]


def test_doctor_sends_the_queries_a_run_sends(cli, dd, healthy, in_tmp):
    assert run_fetch(healthy) == []
    run = [c.json()["data"]["attributes"] for c in dd.calls("POST", QUERY_PATH)]
    dd.requests.clear()
    assert doctor(cli, healthy)[0].code == 0
    sent = [c.json()["data"]["attributes"] for c in dd.calls("POST", QUERY_PATH)]
    assert sent[1:] == run, "after the application key's one query, exactly the run's requests"
    assert [q["query"] for q in sent[0]["queries"]] == ["sum:ci.tests{*}.rollup(sum, 86400)", "sum:ci.tests{*}.rollup(count, 86400)"]


@pytest.mark.parametrize("typo,points,verdict", [
    ("ci.tets", False, "ci.tets is an unknown metric (GET /api/v1/metrics/ci.tets answered 404 at 127.0.0.1:"),
    ("ci.old", True, "ci.old exists but had no points in the window for this query"),  # points only before the window
])
def test_a_row_without_data_is_named_with_its_metric_and_why(cli, dd, healthy, in_tmp, typo, points, verdict):
    if points:
        dd.add_points(typo, [(END - 40 * 86400, 1.0)])
    grids = [dict(HEALTHY[0], rows=HEALTHY[0]["rows"] + [{"label": "Typo", "group": "Build", "query": f"avg:{typo}{{*}} * 100"}]),
             HEALTHY[1]]
    result, _ = doctor(cli, write(in_tmp / "t.yml", grids))
    assert result.code == 1
    (line,) = [line for line in result.out.splitlines() if line.split()[:2] == ["FAIL", "row"]]
    assert "ci / Build / Typo" in line and f"no data for {typo} in the last 7 days" in line and verdict in line
    assert "3 of 4 rows with data, 1 without (listed)" in result.out
    assert result.err.strip() == "healthgrid: error: doctor: a run would fail or lose rows: 1 problem (ci / Build / Typo)"
    _, report = doctor(cli, str(in_tmp / "t.yml"), "--json")
    (row,) = rows_of(report, "fail")
    assert (row["grid"], row["group"], row["row"], row["metric"]) == ("ci", "Build", "Typo", typo)
    assert row.get("unknown_metric", False) is not points
    assert [r["status"] for r in rows_of(report) if r["row"] != "Typo"] == ["ok"] * 4


def test_a_row_of_nulls_is_a_row_without_data(cli, dd, healthy, in_tmp):
    dd.add_points("ci.gaps", [(t, None) for t in range(END - 8 * 86400, END, 3600)])
    result, report = doctor(cli, write(in_tmp / "n.yml", [{"name": "g", "rows": [{"label": "Gaps", "query": "avg:ci.gaps{*}"}]}]), "--json")
    assert result.code == 1
    (row,) = rows_of(report, "fail")
    assert "no data for ci.gaps" in row["detail"] and "exists but had no points" in row["detail"]


def test_metadata_is_asked_once_per_metric_and_within_a_cap(cli, dd, in_tmp, monkeypatch):
    from healthgrid.doctor import metadata

    assert metadata.MAX_LOOKUPS == 50
    monkeypatch.setattr(metadata, "MAX_LOOKUPS", 4)  # the same path as 50, with fewer lookups
    feed(dd, "ci.tests", days=2)
    rows = [{"label": f"Row {i}", "query": f"avg:gone.m{i}{{*}}"} for i in range(7)] + [{"label": "Again", "query": "avg:gone.m0{*}"}]
    grids = [{"name": "a", "rows": [{"label": "P90", "query": "p90:ci.tests{*}"}] + rows[:4]}, {"name": "b", "rows": rows[4:]}]
    result, report = doctor(cli, write(in_tmp / "m.yml", grids), "--json")
    assert result.code == 1
    looked_up = [c.path.rsplit("/", 1)[1] for c in dd.requests if c.path.startswith("/api/v1/metrics/")]
    assert looked_up == ["gone.m0", "gone.m1", "gone.m2", "gone.m3"], "each metric once, those of rows without data first"
    assert len(rows_of(report, "fail")) == 8
    (note,) = [f for f in report["findings"] if f["check"] == "metadata"]
    assert note["status"] == "note" and "4 metrics not looked up (gone.m4, gone.m5, gone.m6, ci.tests)" in note["detail"]
    assert "at most 4" in note["detail"]
    again = next(f for f in rows_of(report) if f["row"] == "Again")
    assert "gone.m0 is an unknown metric" in again["detail"], "a metric asked for two rows is looked up once and said for both"
    assert "gone.m5: metadata not looked up" in next(f for f in rows_of(report) if f["row"] == "Row 5")["detail"]


def test_a_wrong_api_key_fails_naming_the_host_and_is_never_printed(cli, dd, healthy, monkeypatch):
    monkeypatch.setenv("DD_API_KEY", WRONG_KEY)
    for flags in ((), ("--json",), ("--debug",)):
        result, _ = doctor(cli, healthy, *flags)
        assert result.code == 1
        assert WRONG_KEY not in result.out + result.err and APP_KEY not in result.out + result.err
    text = doctor(cli, healthy)[0].out
    (line,) = [line for line in text.splitlines() if line.startswith("FAIL")]
    assert "403 from 127.0.0.1:" in line and "the API key is not valid there" in line and "DATADOG_HOST" in line
    assert "not checked: the API key did not pass" in text
    assert {c.path for c in dd.requests} == {"/api/v1/validate"}, "nothing else is sent with a key Datadog refused"


def test_an_echoed_key_is_redacted_and_a_redirect_elsewhere_is_not_followed(cli, dd, healthy, monkeypatch):
    from fakes.datadog import FakeDatadog

    monkeypatch.setenv("DD_API_KEY", WRONG_KEY)
    dd.fail_next("/api/v1/validate", Response(403, {"errors": [f"Forbidden: unknown key {WRONG_KEY}"]}))
    result, report = doctor(cli, healthy, "--json")
    assert result.code == 1 and WRONG_KEY not in result.out + result.err and "unknown key ***" in result.out
    elsewhere = FakeDatadog().start()
    try:
        dd.fail_next("/api/v1/validate", Response(302, headers={"Location": elsewhere.url + "/api/v1/validate"}))
        result, report = doctor(cli, healthy, "--json")
        assert result.code == 1 and "redirects are not followed" in report["findings"][0]["detail"]
        assert not elsewhere.requests, "the key never leaves the configured host"
    finally:
        elsewhere.stop()


def test_a_wrong_application_key_is_told_apart_from_the_api_key(cli, dd, healthy, monkeypatch):
    monkeypatch.setenv("DD_APP_KEY", WRONG_KEY)
    result, report = doctor(cli, healthy, "--json")
    assert result.code == 1 and WRONG_KEY not in result.out + result.err
    keys = {f["key"]: f for f in report["findings"] if f["check"] == "keys"}
    assert keys["api"]["status"] == "ok"
    assert keys["application"]["status"] == "fail" and "403 from 127.0.0.1:" in keys["application"]["detail"]
    assert "application key is not valid there" in keys["application"]["detail"]
    assert len(dd.calls("POST", QUERY_PATH)) == 1, "one query tells; the grids are not asked with a refused key"


def test_a_refused_key_points_at_the_site_setting_without_naming_a_site_it_cannot_know():
    hint = where_else(DatadogAuth(WRONG_KEY, WRONG_KEY, site="datadoghq.com"))
    assert hint.startswith("if your org is on another site (datadoghq.eu, us3.datadoghq.com") and "set DD_SITE (now datadoghq.com)" in hint
    eu = where_else(DatadogAuth(WRONG_KEY, WRONG_KEY, site="datadoghq.eu"))
    assert "(datadoghq.com, " in eu and "now datadoghq.eu" in eu


def test_percentile_rows_on_metrics_that_are_not_distributions_are_reported(cli, dd, healthy, in_tmp):
    dd.set_metadata("ci.latency", type=None)  # no type: Datadog leaves it out for some distributions, so nothing is said
    dd.set_metadata("ci.size", type="sketchy")  # a type doctor does not know: a note, not a failure
    dd.set_metadata("ci.hits", type="count")
    feed(dd, "ci.latency", "ci.size", "ci.hits")
    grids = [{"name": "p", "rows": [{"label": "Gauge P90", "query": "p90:ci.tests{*}"}, {"label": "Dist P99", "query": "p99:ci.duration{*}"},
                                    {"label": "Untyped P50", "query": "p50:ci.latency{*}"}, {"label": "Odd P50", "query": "p50:ci.size{*}"},
                                    {"label": "Ratio", "query": "avg:ci.tests{*} / p95:ci.hits{*}"}]}]
    result, report = doctor(cli, write(in_tmp / "p.yml", grids), "--json")
    assert result.code == 1
    gauge, count = rows_of(report, "fail")
    assert gauge["row"] == "Gauge P90" and gauge["metric"] == "ci.tests" and gauge["metric_type"] == "gauge"
    assert "which Datadog says is a gauge" in gauge["detail"] and "distribution" in gauge["detail"]
    assert count["row"] == "Ratio" and count["metric"] == "ci.hits" and count["metric_type"] == "count"
    (odd,) = rows_of(report, "note")
    assert odd["row"] == "Odd P50" and "which Datadog says is a sketchy" in odd["detail"]
    assert [r["row"] for r in rows_of(report, "ok")] == ["Gauge P90", "Dist P99", "Untyped P50", "Odd P50", "Ratio"]
    assert "(p / Gauge P90, p / Ratio)" in doctor(cli, str(in_tmp / "p.yml"))[0].err


@pytest.mark.parametrize("stamp,reading,code", [("local", "local", 0), ("utc_date", "utc_date", 1)])
def test_the_calendar_reading_this_org_follows_is_reported_per_zone(cli, dd, healthy, in_tmp, stamp, reading, code):
    dd.calendar_stamp = stamp
    grids = HEALTHY + [{"name": "ny2", "timezone": NY, "rows": [{"label": "P50", "query": "p50:ci.duration{*}"}]},
                       {"name": "kolkata", "timezone": "Asia/Kolkata", "rows": [{"label": "P50", "query": "p50:ci.duration{*}"}]}]
    result, report = doctor(cli, write(in_tmp / "c.yml", grids), "--json")
    assert result.code == code
    calendar = {f["zone"]: f for f in report["findings"] if f["check"] == "calendar"}
    assert sorted(calendar) == [NY, "Asia/Kolkata"], "UTC needs no calendar rollup"
    assert {f["reading"] for f in calendar.values()} == {reading}
    assert calendar[NY]["grids"] == ["ci", "ny2"]
    if code:
        assert "stamped at 00:00 UTC of the local date (e.g. 2026-11-22T00:00:00Z)" in calendar[NY]["detail"]
        assert "a run would fail ci, ny2" in calendar[NY]["detail"]
        assert [r["row"] for r in rows_of(report, "skip")] == ["CI P90", "P50", "P50"]
        assert all(r["status"] == "ok" for r in rows_of(report) if r["grid"] == "utc" or r["row"] in ("Tests", "Errors"))
    assert run_fetch(str(in_tmp / "c.yml")) == (["ci", "ny2", "kolkata"] if code else []), "doctor says what a run does"


def test_buckets_stamped_at_some_other_instant_are_said_so(cli, dd, healthy, in_tmp):
    real = dd.timeseries

    def late(doc):  # calendar buckets at 06:00 UTC
        answer = real(doc)
        if any("daily" in q["query"] for q in doc["data"]["attributes"]["queries"]):
            answer.body["data"]["attributes"]["times"] = [t - t % 86_400_000 + 21_600_000 for t in answer.body["data"]["attributes"]["times"]]
        return answer

    dd.timeseries = late
    result, report = doctor(cli, healthy, "--json")
    assert result.code == 1
    (calendar,) = [f for f in report["findings"] if f["check"] == "calendar"]
    assert calendar["reading"] == "other" and "stamped at something else (e.g. 2026-11-2" in calendar["detail"]


def test_limits_are_figured_per_grid(cli, dd, in_tmp):
    feed(dd, "ci.tests", days=2)
    grids = [{"name": "long", "timezone": "Asia/Kathmandu", "days": 90, "rows": [{"label": "A", "query": "avg:ci.tests{*}"}]},
             {"name": "short", "days": 3, "rows": [{"label": "A", "query": "avg:ci.tests{*}"}, {"label": "B", "query": "p90:ci.tests{*}"}]}]
    _, report = doctor(cli, write(in_tmp / "l.yml", grids), "--json")
    figures = {f["grid"]: f["figures"] for f in report["findings"] if f["check"] == "limits"}
    assert figures["short"] == {"requests": 1, "queries": 3, "max_queries_per_request": 3, "max_points_per_series": 3,
                                "point_limit": 1500, "bucket_seconds": 86400}
    long = figures["long"]
    assert long["bucket_seconds"] == 900 and long["max_points_per_series"] <= 1500 and long["queries"] == 2  # sum and count
    sent = [c for c in dd.calls("POST", QUERY_PATH) if "rollup(sum, 900)" in c.json()["data"]["attributes"]["queries"][0]["query"]]
    assert long["requests"] == len(sent) == 6


def test_one_grids_failure_does_not_stop_the_others(cli, dd, healthy, in_tmp):
    dd.refuse("ci.errors")
    result, report = doctor(cli, healthy, "--json")
    assert result.code == 1
    (grid,) = [f for f in report["findings"] if f["check"] == "grid"]
    assert grid["grid"] == "ci" and "Datadog rejected the query of row 'Errors'" in grid["detail"]
    assert {(r["grid"], r["row"]): r["status"] for r in rows_of(report)} == {
        ("ci", "Tests"): "skip", ("ci", "Errors"): "skip", ("ci", "CI P90"): "ok", ("utc", "Tests"): "ok"}


def test_the_whole_command_keeps_to_its_timeout_and_a_grid_to_its_share(cli, dd, healthy, in_tmp, clock):
    real = dd.timeseries
    dd.timeseries = lambda doc: Response(503, {"errors": ["unavailable"]}) if "ci.errors" in json.dumps(doc) else real(doc)
    result, report = doctor(cli, healthy, "--json", "--timeout", "40")
    assert result.code == 1
    assert 15 < sum(clock.slept) <= 20, "the failing grid waits out its share (half of what is left for two grids), no more"
    (grid,) = [f for f in report["findings"] if f["check"] == "grid"]
    assert grid["grid"] == "ci" and "Datadog kept answering 503" in grid["detail"]
    assert [r["status"] for r in rows_of(report) if r["grid"] == "utc"] == ["ok"], "the next grid is still checked"


def test_grids_left_when_the_time_is_up_fail_unchecked(cli, dd, healthy, clock):
    real = dd.timeseries

    def slow(doc):  # an answer that takes a minute of the clock
        if "ci.errors" not in json.dumps(doc):
            return real(doc)
        clock.sleep(60)
        return Response(503, {"errors": ["unavailable"]})

    dd.timeseries = slow
    result, report = doctor(cli, healthy, "--json", "--timeout", "30")
    assert result.code == 1 and len(dd.calls("POST", QUERY_PATH)) == 2, "the key's query, then one try of the slow grid"
    (late,) = [f for f in report["findings"] if f["check"] == "grid" and f["grid"] == "utc"]
    assert late["status"] == "fail" and late["detail"] == "not checked: doctor's --timeout of 30s ran out before it"
    assert [f["check"] for f in report["findings"] if f.get("grid") == "utc"] == ["grid", "row", "limits"]


def test_usage_errors_exit_2(cli, dd, healthy, monkeypatch):
    assert doctor(cli, healthy, "--grid", "nope")[0].code == 2
    assert doctor(cli, healthy, "--timeout", "0")[0].code == 2
    assert cli("doctor", "--config", healthy, "--now", "yesterday").code == 2
    monkeypatch.delenv("DD_API_KEY")
    missing = doctor(cli, healthy)[0]
    assert missing.code == 2 and missing.err.startswith("healthgrid: error: DD_API_KEY: not set")


def test_grid_selects_what_is_checked(cli, dd, healthy):
    _, report = doctor(cli, healthy, "--json", "--grid", "utc")
    assert {r["grid"] for r in rows_of(report)} == {"utc"} and report["ok"]


def test_the_fakes_new_endpoints_read_as_the_client_documents_them(dd):
    from datadog_api_client.exceptions import ApiException
    from datadog_api_client.v1.api.authentication_api import AuthenticationApi
    from datadog_api_client.v1.api.metrics_api import MetricsApi

    feed(dd, "ci.tests", days=1)
    dd.set_metadata("ci.duration", type="distribution", unit="second")
    with DatadogAuth.from_env().client() as client:
        assert AuthenticationApi(client).validate().valid is True
        assert MetricsApi(client).get_metric_metadata(metric_name="ci.tests").type == "gauge"
        meta = MetricsApi(client).get_metric_metadata(metric_name="ci.duration")
        assert (meta.type, meta.unit, meta.get("description")) == ("distribution", "second", None)
        with pytest.raises(ApiException) as missing:
            MetricsApi(client).get_metric_metadata(metric_name="ci.nope")
        assert missing.value.status == 404
    assert dd.calls("GET", "/api/v1/validate")[0].headers.get("dd-api-key") == API_KEY


def test_comparison_grids_are_checked_through_the_grouped_fetch(cli, dd, in_tmp):
    for policy in ("ppo", "sac"):
        dd.add_tagged_points("eval.score", [f"policy:{policy}"], [(t, 0.5) for t in range(END - 3 * 86400, END, 3600)])
    grids = [{"name": "evals", "type": "comparison", "by": "policy", "days": 7, "timezone": NY,
              "rows": [{"label": "Score", "query": "avg:eval.score{*}"}, {"label": "Typo", "query": "avg:eval.scroe{*}"}]}]
    result, report = doctor(cli, write(in_tmp / "e.yml", grids), "--json")
    assert result.code == 1
    (ok,) = rows_of(report, "ok")
    assert ok["row"] == "Score" and ok["detail"] == "data for 2 of the 2 values of policy shown"
    (typo,) = rows_of(report, "fail")
    assert typo["row"] == "Typo" and typo["metric"] == "eval.scroe" and "eval.scroe is an unknown metric" in typo["detail"]
    (limits,) = [f["figures"] for f in report["findings"] if f["check"] == "limits"]
    assert limits["requests"] == len(dd.calls("POST", QUERY_PATH)) - 1 == 1
    assert (limits["queries"], limits["bucket_seconds"], limits["max_points_per_series"]) == (4, 3600, 151)  # sum and count a row; 6 days and 7 hours
