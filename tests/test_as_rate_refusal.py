"""`.as_rate()` divides each bucket by its length (Datadog's "Metric Type Modifiers"), and the
bucket is what healthgrid chooses per zone: a day would read 24 times more in New York (hourly
buckets added up) than in UTC (one daily bucket). Such a row is a config error naming the row,
with the way to say what is meant: `.as_count()` with aggregation sum, divided by the seconds."""

import json

import pytest

from fakes.datadog import FakeDatadog

LO = 1795824000  # 2026-11-28T00:00:00Z


@pytest.mark.parametrize("query", [
    "sum:req{*}.as_rate()", "sum:req{*}.as_rate() * 60", "sum:err{*}.as_count() / sum:req{env:prod}.as_rate()",
    "abs(req{*}.as_rate().fill(null))",
])
def test_a_heatmap_row_with_as_rate_is_a_config_error_with_the_way_out(in_tmp, cli, query):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "rows": [
        {"label": "Fine", "query": "sum:req{*}.as_count() / 86400", "aggregation": "sum"},
        {"label": "Rate", "query": query, "aggregation": "sum"}]}]}))
    result = cli("render", "--demo", "--out", "out")
    assert result.code == 2 and len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith("healthgrid: error: grids[0].rows[1].query: the metric query at column ")
    assert ".as_rate() divides each bucket by its length, which healthgrid chooses per zone" in result.err
    assert "use .as_count() with aggregation: sum and divide by the seconds you want, e.g. sum:requests{*}.as_count() / 86400" in result.err
    assert not (in_tmp / "out").exists()


def test_a_comparison_row_with_as_rate_is_a_config_error_too(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "c", "type": "comparison", "by": "service", "days": 1,
        "rows": [{"label": "Requests", "query": "sum:req{*}.as_rate()", "aggregation": "sum"}]}]}))
    result = cli("render", "--demo", "--out", "out")
    assert result.code == 2 and len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith("healthgrid: error: grids[0].rows[0].query: the metric query at column 1: .as_rate() divides each bucket")
    assert "use .as_count() with aggregation: sum" in result.err and "(a comparison row, one query, shows the count)" in result.err


def test_the_stand_in_divides_as_rate_by_each_buckets_length():
    server = FakeDatadog()
    server.add_points("req", [(LO + 60 * k, 2.0) for k in range(1440)])  # 2 requests a minute, all day

    def ask(size):
        queries = [{"data_source": "metrics", "name": "q0", "query": f"sum:req{{*}}.as_rate().rollup(sum, {size})"}]
        body = server.timeseries({"data": {"type": "timeseries_request", "attributes": {
            "from": LO * 1000, "to": (LO + 86400) * 1000, "interval": size * 1000, "queries": queries}}}).body
        return body["data"]["attributes"]["values"][0]

    daily, hourly = ask(86400), ask(3600)
    assert daily == [pytest.approx(2880 / 86400)] and hourly == [pytest.approx(120 / 3600)] * 24
    assert sum(hourly) == pytest.approx(24 * daily[0]), "the same day read through hourly buckets"
