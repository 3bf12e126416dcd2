"""What Datadog answers is checked against what was asked: buckets that do not start where the
local days (or sub-day buckets) asked for start, a 200 that says it failed, answers that contradict
themselves or are not what the API documents (HTML, truncated, nested too deeply, wrong types) fail
that grid alone with one line naming the row, and nothing is written for it; NaN and infinity are
no data. A 200 that says it failed is reported in Datadog's own words, however it words them
(`"errors"` as a string or as a list), never the client library's internals.

An answer that only looks empty is no answer: a 200 whose `attributes` lack `series`, `times` or
`values` (or give them as null), or that lists times but no series, fails the grid with one line
and leaves what was written before, for heatmaps and comparisons alike; Datadog's own empty answer
(all three lists, empty) is no data, as documented."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from healthgrid.config import GridSpec, RowSpec
from healthgrid.datadog.client import DatadogAuth
from healthgrid.errors import RunError
from healthgrid.model.grid import day_start, local_days
from healthgrid.sources.datadog import DatadogSource

from conftest import PAGES
from fakes.http import Response

QUERY_PATH = "/api/v2/query/timeseries"
NOW = "2026-11-28T12:00:00Z"
NOW_DT = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
NY = "America/New_York"


def bounds(tz, days=7):
    ds = local_days(NOW_DT, tz, days)
    return [int(day_start(d, tz).timestamp()) for d in ds] + [int(day_start(ds[-1] + timedelta(days=1), tz).timestamp())]


def test_calendar_buckets_stamped_at_utc_midnight_fail_the_grid_naming_the_row(dd, cli, in_tmp):
    """Were Datadog to stamp a calendar day at 00:00 UTC of its local date, New York's percentile
    cells would move a day earlier and today's would go blank: the grid fails instead."""
    b = bounds(NY)
    dd.add_points("ci.duration", [(t + 3600 * h, float(h)) for t in b[:-1] for h in range(0, 24, 3)])
    dd.add_points("ci.count", [(t + 60, 1.0) for t in b[:-1]])
    dd.calendar_stamp = "utc_date"
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"timezone": NY, "grids": [
        {"name": "ny", "rows": [{"label": "Runs", "query": "sum:ci.count{*}", "aggregation": "sum"},
                                {"label": "CI P90", "query": "p90:ci.duration{*} / 60", "unit": "min"}]},
        {"name": "utc", "timezone": "UTC", "rows": [{"label": "CI P90", "query": "p90:ci.duration{*}"}]}]}))
    result = cli("render", "--now", NOW, "--theme", "light", "--format", "png")
    assert result.code == 1
    (line,) = [e for e in result.err.splitlines() if e.startswith("healthgrid: error: ny: ")]
    assert line.startswith("healthgrid: error: ny: row 'CI P90': the answer from ") and "nothing written for this grid" in line
    assert "bucket starting 2026-11-22T00:00:00Z for p90:ci.duration{*}" in line
    assert "local midnights in America/New_York, e.g. 2026-11-22T05:00:00Z" in line
    out = in_tmp / "healthgrid-out"
    written = sorted(p.name for p in out.iterdir())
    assert "utc.png" in written and not [name for name in written if name.startswith("ny")], written


def test_sub_day_buckets_off_their_boundaries_fail_the_grid(dd):
    b = bounds(NY)
    dd.add_points("m", [(t + 600, 1.0) for t in b[:-1]])
    real = dd.timeseries

    def shifted(doc):  # every bucket stamped half an hour late
        answer = real(doc)
        answer.body["data"]["attributes"]["times"] = [t + 1_800_000 for t in answer.body["data"]["attributes"]["times"]]
        return answer

    dd.timeseries = shifted
    spec = GridSpec(name="g", title="g", rows=(RowSpec("Mean", "avg:m{*}"),), timezone=NY)
    with pytest.raises(RunError) as caught:
        DatadogSource(DatadogAuth.from_env()).fetch(spec, NOW_DT)
    assert str(caught.value).startswith("g: row 'Mean': ") and "buckets every 3600 s from 2026-11-22T05:00:00Z" in str(caught.value)


def test_a_200_that_says_the_query_timed_out_fails_the_grid_and_old_images_stay(dd, cli, in_tmp, git, show):
    bare = in_tmp / "pages.git"
    git("init", "--bare", "-q", str(bare))
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\n")
    publish = ["--publish", "ghpages", "--remote", str(bare), "--pages-url", PAGES, "--theme", "light"]
    assert cli("run", "--demo", "--now", NOW, *publish).code == 0
    before = show(bare, "healthgrid/g.png")
    dd.fail_next(QUERY_PATH, Response(200, {"data": {"id": "0", "type": "timeseries_response", "attributes": {
        "series": [], "times": [], "values": []}}, "errors": "Query timed out"}, content_type="application/vnd.api+json"))
    result = cli("run", "--now", NOW, *publish)
    assert result.code == 1
    assert "healthgrid: error: g: the answer from " in result.err and "Datadog answered with an error instead of data: Query timed out" in result.err
    assert show(bare, "healthgrid/g.png") == before


T0 = int(NOW_DT.timestamp()) // 3600 * 3600 - 7200  # an hour bucket of today, in New York too
H = 3_600_000
ONE = {"group_tags": [], "query_index": 0, "unit": None}


def answer(series, times, values, **extra):
    return {"data": {"id": "0", "type": "timeseries_response", "attributes": {"series": series, "times": times, "values": values}}, **extra}


def s(index, **fields):
    return {**ONE, "query_index": index, **fields}


# An avg row in New York is asked as q0 = sum, q1 = count (hourly).
MALFORMED = {
    "a 200 with errors and data": (answer([s(0), s(1)], [T0 * 1000], [[1.0], [1.0]], errors="partial failure"), "instead of data: partial failure"),
    "series for an index asked twice": (answer([s(0), s(0), s(1)], [T0 * 1000], [[1.0], [5.0], [1.0]]), "several series for avg:m{*}"),
    "times that repeat": (answer([s(0), s(1)], [T0 * 1000, T0 * 1000], [[1.0, 2.0], [1.0, 1.0]]), "times repeat or go backwards"),
    "times that go backwards": (answer([s(0), s(1)], [T0 * 1000 + H, T0 * 1000], [[1.0, 2.0], [1.0, 1.0]]), "times repeat or go backwards"),
    "a time that is no whole second": (answer([s(0), s(1)], [T0 * 1000 + 1], [[1.0], [1.0]]), "not a whole second"),
    "a time off the hour": (answer([s(0), s(1)], [T0 * 1000 + 60_000], [[1.0], [1.0]]), "bucket starting"),
    "a time before the window": (answer([s(0), s(1)], [(T0 - 30 * 86400) * 1000], [[1.0], [1.0]]), "bucket starting"),
    "a negative count": (answer([s(0), s(1)], [T0 * 1000], [[1.0], [-2.0]]), "is -2.0, not a whole number of points"),
    "a fractional count": (answer([s(0), s(1)], [T0 * 1000], [[1.0], [2.5]]), "is 2.5, not a whole number of points"),
    "an infinite count": (answer([s(0), s(1)], [T0 * 1000], [[1.0], [float("inf")]]), "not a whole number of points"),
    "a sum without its count series": (answer([s(0)], [T0 * 1000], [[1.0]]), "sum and count of avg:m{*} disagree"),
    "a count without its sum series": (answer([s(1)], [T0 * 1000], [[3.0]]), "sum and count of avg:m{*} disagree"),
    "a sum where the count is null": (answer([s(0), s(1)], [T0 * 1000, T0 * 1000 + H], [[1.0, 2.0], [1.0, None]]), "disagree"),
    "a sum where the count is zero": (answer([s(0), s(1)], [T0 * 1000], [[1.0], [0.0]]), "disagree"),
    "values of the wrong length": (answer([s(0), s(1)], [T0 * 1000], [[1.0, 2.0], [1.0]]), "has 2 values for 1 time"),
    "group tags on an ungrouped query": (answer([s(0, group_tags=["host:a"]), s(1)], [T0 * 1000], [[1.0], [1.0]]), "carries group tags"),
    "a NaN string": (answer([s(0), s(1)], [T0 * 1000], [["NaN"], [1.0]]), "a value of avg:m{*} is str NaN, not a number"),
    "a unit that is a string": (answer([s(0, unit="ms"), s(1)], [T0 * 1000], [[1.0], [1.0]]), "the unit of avg:m{*} is ms"),
    "a unit list of numbers": (answer([s(0, unit=[1, 2, 3]), s(1)], [T0 * 1000], [[1.0], [1.0]]), "not a list of up to two unit objects"),
    "another response type": ({"data": {"type": "scalar_response", "attributes": {"series": [], "times": [], "values": []}}}, "scalar_response"),
    "sums that overflow": (answer([s(0), s(1)], [T0 * 1000, T0 * 1000 + H], [[1.7e308, 1.7e308], [1.0, 1.0]]), "add up past the largest number"),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_answer_fails_the_grid_with_one_line_saying_what(dd, name):
    body, needle = MALFORMED[name]
    dd.fail_next(QUERY_PATH, Response(200, json.dumps(body), content_type="application/vnd.api+json"))
    spec = GridSpec(name="g", title="g", rows=(RowSpec("Mean", "avg:m{*}"),), timezone=NY)
    with pytest.raises(RunError) as caught:
        DatadogSource(DatadogAuth.from_env()).fetch(spec, NOW_DT)
    message = str(caught.value)
    assert message.startswith("g: ") and "\n" not in message and len(message) < 500, message
    assert needle in message, message
    assert len(dd.calls("POST", QUERY_PATH)) == 1


def test_null_and_nan_are_no_data_never_a_number_datadog_did_not_send(dd):
    body = ('{"data": {"id": "0", "type": "timeseries_response", "attributes": {"series": '
            '[{"group_tags": [], "query_index": 0, "unit": [{"family": "time", "name": "second", "scale_factor": 1.0}, null]}, '
            '{"group_tags": [], "query_index": 1, "unit": null}], '
            f'"times": [{T0 * 1000 - 2 * H}, {T0 * 1000 - H}, {T0 * 1000}], "values": [[NaN, null, 6.0], [NaN, null, 3]]}}}}}}')
    dd.fail_next(QUERY_PATH, Response(200, body, content_type="application/vnd.api+json"))
    spec = GridSpec(name="g", title="g", rows=(RowSpec("Mean", "avg:m{*}"),), timezone=NY, days=2)
    grid = DatadogSource(DatadogAuth.from_env()).fetch(spec, NOW_DT)
    assert grid.rows[0].raw[-1] == 2.0


# --- answers that are not what the API documents ----------------------------------------------------

THREE_GRIDS = """\
grids:
  - {name: first, rows: [{label: A, query: 'avg:a{*}'}]}
  - {name: second, rows: [{label: B, query: 'avg:b{*}'}]}
  - {name: third, rows: [{label: C, query: 'avg:c{*}'}]}
"""


def test_html_for_the_second_of_three_grids_fails_only_that_grid(dd, cli, in_tmp):
    (in_tmp / "healthgrid.yml").write_text(THREE_GRIDS)
    for metric in "abc":
        dd.add_points(metric, [(int(NOW_DT.timestamp()) - 3600, 0.5)])
    real = dd.handle
    seen = []

    def handle(request):
        seen.append(request.path)
        if request.path == QUERY_PATH and len([p for p in seen if p == QUERY_PATH]) == 2:
            return Response(200, "<html><body>Bad gateway</body></html>", content_type="text/html")
        return real(request)

    dd.handle = handle
    result = cli("render", "--now", NOW, "--json", "--theme", "light")
    assert result.code == 1
    doc = json.loads(result.out)
    assert [(g["name"], g["ok"]) for g in doc["grids"]] == [("first", True), ("second", False), ("third", True)]
    assert "not what its API documents" in doc["grids"][1]["error"]
    assert (in_tmp / "healthgrid-out" / "third.png").exists() and not (in_tmp / "healthgrid-out" / "second.png").exists()
    assert "healthgrid: error: 1 of 3 grids failed: second" in result.err.splitlines()[-1]


def _utc_answer(series=None, times=None, values=None, raw=None):
    if raw is not None:
        return raw
    attributes = {"series": series, "times": times, "values": values}
    return {"data": {"id": "0", "type": "timeseries_response", "attributes": {k: v for k, v in attributes.items() if v is not None}}}


T0_MS = (int(NOW_DT.timestamp()) - 7200) * 1000
ONE_SERIES = [{"group_tags": [], "query_index": 0, "unit": None}]

SHAPELESS = {
    "html": b"<html>oops</html>",
    "truncated": b'{"data": {"attributes": {"series": [',
    "empty object": {},
    "empty list": [],
    "string data": {"data": "x"},
    "string values": _utc_answer(ONE_SERIES, [T0_MS], ["12"]),
    "string column": _utc_answer(ONE_SERIES, [T0_MS], "12"),
    "string point": _utc_answer(ONE_SERIES, [T0_MS], [["12"]]),
    "query_index zz": _utc_answer([{"query_index": "zz"}], [T0_MS], [[1.0]]),
    "query_index missing": _utc_answer([{"unit": None}], [T0_MS], [[1.0]]),
    "query_index out of range": _utc_answer([{"query_index": 7}], [T0_MS], [[1.0]]),
    "series longer than times": _utc_answer(ONE_SERIES, [T0_MS], [[1.0, 2.0, 3.0]]),
    "more values than series": _utc_answer(ONE_SERIES, [T0_MS], [[1.0], [2.0]]),
    "time not a number": _utc_answer(ONE, ["noon"], [[1.0]]),
    "boolean point": _utc_answer(ONE_SERIES, [T0_MS], [[True]]),
    "series not a list": _utc_answer({"a": 1}, [T0_MS], [[1.0]]),
    "not utf-8": b'{"data": "\xff\xfe"}',
}


@pytest.mark.parametrize("name", list(SHAPELESS))
def test_a_malformed_datadog_answer_is_a_one_line_run_error(dd, name):
    body = SHAPELESS[name]
    dd.fail_next(QUERY_PATH, Response(200, body if isinstance(body, bytes) else json.dumps(body)))
    with pytest.raises(RunError) as caught:
        DatadogSource(DatadogAuth.from_env()).fetch(GridSpec(name="g", title="g", rows=(RowSpec("A", "avg:a{*}"),), days=7), NOW_DT)
    message = str(caught.value)
    assert message.startswith("g: ") and "\n" not in message and len(message) < 500
    assert len(dd.calls("POST", QUERY_PATH)) == 1


def test_nan_and_infinity_from_datadog_are_no_data_everywhere(dd, cli, in_tmp, monkeypatch):
    day = 86400 * 1000
    t_today = (int(NOW_DT.timestamp()) // 86400) * 86400 * 1000
    body = ('{"data": {"id": "0", "type": "timeseries_response", "attributes": {"series": [{"query_index": 0}], '
            f'"times": [{t_today - 2 * day}, {t_today - day}, {t_today}], "values": [[Infinity, NaN, 0.5]]}}}}}}')
    dd.fail_next(QUERY_PATH, Response(200, body))
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, rows: [{label: A, query: 'max:a{*}', aggregation: max}]}\n")
    result = cli("render", "--now", NOW, "--theme", "light")
    assert result.code == 0, result.err
    doc = json.loads((in_tmp / "healthgrid-out" / "g.json").read_text())
    values = doc["rows"][0]["values"]
    assert values[-3:] == [None, None, 0.5]
    md = (in_tmp / "healthgrid-out" / "g.md").read_text()
    assert "∞" not in md
    assert "not a finite number" in result.err


def test_a_datadog_answer_nested_too_deeply_fails_only_that_grid(dd, cli, in_tmp):
    (in_tmp / "healthgrid.yml").write_text(THREE_GRIDS)
    dd.fail_next(QUERY_PATH, Response(200, b"[" * 100_000 + b"]" * 100_000))
    result = cli("render", "--now", NOW, "--json", "--theme", "light")
    assert result.code == 1, result.err
    doc = json.loads(result.out)
    assert [g["ok"] for g in doc["grids"]] == [False, True, True]
    assert "not what its API documents" in doc["grids"][0]["error"] and "internal error" not in result.err


TODAY_MS = 1795824000 * 1000


def with_attributes(attributes):
    return Response(200, {"data": {"id": "0", "type": "timeseries_response", "attributes": attributes}}, content_type="application/vnd.api+json")


LOOKS_EMPTY = {
    "no lists at all": ({}, "series, times and values are missing or null (an answer without data lists them empty)"),
    "null lists": ({"series": None, "times": None, "values": None}, "series, times and values are missing or null"),
    "null series": ({"series": None, "times": [], "values": []}, "series is missing or null"),
    "no values key": ({"series": [], "times": []}, "values is missing or null"),
    "times without series": ({"series": [], "times": [TODAY_MS], "values": []}, "1 time but no series"),
    "a string for times": ({"series": [], "times": "none", "values": []}, "times must be a list"),
}
KINDS = {
    "heatmap": {"name": "g", "rows": [{"label": "A", "query": "max:a{*}", "aggregation": "max"}]},
    "comparison": {"name": "g", "type": "comparison", "by": "policy", "days": 1, "rows": [{"label": "A", "query": "max:a{*}", "aggregation": "max"}]},
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", LOOKS_EMPTY)
def test_an_answer_missing_its_lists_fails_the_grid_and_keeps_its_files(dd, cli, in_tmp, kind, case):
    dd.add_points("a", [(TODAY_MS // 1000 + 60, 0.25)])
    dd.add_tagged_points("a", ["policy:ppo"], [(TODAY_MS // 1000 + 60, 0.25)])
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [KINDS[kind]]}))
    assert cli("render", "--now", NOW, "--format", "html").code == 0
    before = (in_tmp / "healthgrid-out" / "g.json").read_bytes()
    attributes, says = LOOKS_EMPTY[case]
    dd.fail_next(QUERY_PATH, with_attributes(attributes))
    result = cli("render", "--now", NOW, "--format", "html")
    assert result.code == 1
    (line,) = [e for e in result.err.splitlines() if e.startswith("healthgrid: error: g:")]
    assert says in line and ("nothing written for this grid" in line or "not what was asked" in line), line
    assert (in_tmp / "healthgrid-out" / "g.json").read_bytes() == before, "the good files stay"


def test_datadogs_empty_answer_is_no_data(dd, cli, in_tmp):
    dd.fail_next(QUERY_PATH, with_attributes({"series": [], "times": [], "values": []}))
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [KINDS["heatmap"]]}))
    result = cli("render", "--now", NOW, "--format", "html")
    assert result.code == 0, result.err
    assert json.loads((in_tmp / "healthgrid-out" / "g.json").read_text())["rows"][0]["raw"] == [None] * 7


@pytest.mark.parametrize("errors,said", [
    (["Query timed out"], "Query timed out"),
    (["Query timed out", "try a shorter window"], "Query timed out; try a shorter window"),
    ("Query timed out", "Query timed out"),
])
@pytest.mark.parametrize("grid", ["heatmap", "comparison"])
def test_a_200_with_errors_fails_the_grid_in_datadogs_words(dd, cli, in_tmp, errors, said, grid):
    body = {"data": {"id": "0", "type": "timeseries_response", "attributes": {"series": [], "times": [], "values": []}}, "errors": errors}
    dd.fail_next(QUERY_PATH, Response(200, body, content_type="application/vnd.api+json"))
    first = ({"name": "g", "rows": [{"label": "A", "query": "max:a{*}", "aggregation": "max"}]} if grid == "heatmap" else
             {"name": "g", "type": "comparison", "by": "policy", "days": 1, "rows": [{"label": "A", "query": "avg:a{*}"}]})
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [first, {"name": "other", "rows": [{"label": "B", "query": "max:b{*}",
                                                                                                   "aggregation": "max"}]}]}))
    result = cli("render", "--now", NOW, "--format", "html")
    assert result.code == 1
    (line,) = [e for e in result.err.splitlines() if e.startswith("healthgrid: error: g:")]
    assert f"Datadog answered with an error instead of data: {said})" in line, line
    assert "ApiTypeError" not in result.err and "Invalid type" not in result.err and "[" not in line.split("instead of data")[1]
    assert (in_tmp / "healthgrid-out" / "other.json").exists()
