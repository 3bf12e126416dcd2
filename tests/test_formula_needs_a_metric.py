"""A row's value comes from Datadog: a formula without any metric query (`1 + 2`, `abs(-5)`) would
show the same number every day whatever happened, so it is a config error."""

import json

import pytest


@pytest.mark.parametrize("query", ["1 + 2", "abs(-5)", "-(4) * 2.5e3", "clamp_max(7, 3)", "(((1)))"])
def test_a_formula_without_a_metric_query_is_a_config_error(in_tmp, cli, query):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "rows": [{"label": "Constant", "query": query}]}]}))
    result = cli("render", "--demo", "--out", "out")
    assert result.code == 2, result.err
    assert result.err == ("healthgrid: error: grids[0].rows[0].query: holds no metric query, so no day would depend on Datadog's "
                          "data; write at least one, e.g. avg:app.latency{*} * 1000\n")
    assert not (in_tmp / "out").exists()


def test_a_formula_with_one_metric_query_and_constants_loads(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "days": 2, "rows": [
        {"label": "Latency", "query": "abs(-5) * avg:app.latency{*} + 1"}]}]}))
    result = cli("render", "--demo", "--out", "out", "--format", "html")
    assert result.code == 0, result.err
