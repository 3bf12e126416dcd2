"""A 200 whose body says the query failed is reported in Datadog's own words, however it words
them: `"errors"` as a string or as a list, never the client library's internals."""

import json

import pytest

from fakes.http import Response

QUERY_PATH = "/api/v2/query/timeseries"
NOW = "2026-11-28T12:00:00Z"


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
