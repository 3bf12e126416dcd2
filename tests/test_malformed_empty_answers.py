"""An answer that only looks empty is no answer: a 200 whose `attributes` lack `series`, `times` or
`values` (or give them as null), or that lists times but no series, fails the grid with one line
and leaves what was written before, for heatmaps and comparisons alike; Datadog's own empty answer
(all three lists, empty) is no data, as documented."""

import json

import pytest

from fakes.http import Response

QUERY_PATH = "/api/v2/query/timeseries"
NOW = "2026-11-28T12:00:00Z"
TODAY_MS = 1795824000 * 1000


def body(attributes):
    return Response(200, {"data": {"id": "0", "type": "timeseries_response", "attributes": attributes}}, content_type="application/vnd.api+json")


MALFORMED = {
    "no lists at all": ({}, "series, times and values are missing or null (an answer without data lists them empty)"),
    "null lists": ({"series": None, "times": None, "values": None}, "series, times and values are missing or null"),
    "null series": ({"series": None, "times": [], "values": []}, "series is missing or null"),
    "no values key": ({"series": [], "times": []}, "values is missing or null"),
    "times without series": ({"series": [], "times": [TODAY_MS], "values": []}, "1 time but no series"),
    "a string for times": ({"series": [], "times": "none", "values": []}, "times must be a list"),
}
GRIDS = {
    "heatmap": {"name": "g", "rows": [{"label": "A", "query": "max:a{*}", "aggregation": "max"}]},
    "comparison": {"name": "g", "type": "comparison", "by": "policy", "days": 1, "rows": [{"label": "A", "query": "max:a{*}", "aggregation": "max"}]},
}


@pytest.mark.parametrize("kind", GRIDS)
@pytest.mark.parametrize("case", MALFORMED)
def test_an_answer_missing_its_lists_fails_the_grid_and_keeps_its_files(dd, cli, in_tmp, kind, case):
    dd.add_points("a", [(TODAY_MS // 1000 + 60, 0.25)])
    dd.add_tagged_points("a", ["policy:ppo"], [(TODAY_MS // 1000 + 60, 0.25)])
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [GRIDS[kind]]}))
    assert cli("render", "--now", NOW, "--format", "html").code == 0
    before = (in_tmp / "healthgrid-out" / "g.json").read_bytes()
    attributes, says = MALFORMED[case]
    dd.fail_next(QUERY_PATH, body(attributes))
    result = cli("render", "--now", NOW, "--format", "html")
    assert result.code == 1
    (line,) = [e for e in result.err.splitlines() if e.startswith("healthgrid: error: g:")]
    assert says in line and ("nothing written for this grid" in line or "not what was asked" in line), line
    assert (in_tmp / "healthgrid-out" / "g.json").read_bytes() == before, "the good files stay"


def test_datadogs_empty_answer_is_no_data(dd, cli, in_tmp):
    dd.fail_next(QUERY_PATH, body({"series": [], "times": [], "values": []}))
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [GRIDS["heatmap"]]}))
    result = cli("render", "--now", NOW, "--format", "html")
    assert result.code == 0, result.err
    assert json.loads((in_tmp / "healthgrid-out" / "g.json").read_text())["rows"][0]["raw"] == [None] * 7
