"""A comparison's answer gets the checks a heatmap's gets: an avg bar's sum and count must describe
the same points for every tag value, and a count is a whole number of points. Anything else fails
that grid alone with one line naming the row; no bar is made up from half an answer."""

import copy
import json
from datetime import datetime, timezone

import pytest

from healthgrid.model.grid import day_start, local_days

from fakes.http import Response

QUERY_PATH = "/api/v2/query/timeseries"
NOW = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
CONFIG = """
timezone: America/New_York
grids:
  - name: evals
    type: comparison
    by: policy
    days: 1
    rows: [{label: Score, query: "avg:m{*}"}]
  - name: other
    rows: [{label: A, query: "max:a{*}", aggregation: max}]
"""


def changed(dd, change):
    """The loopback's grouped answers, changed by `change(attributes, queries)`."""
    real = dd.grouped_timeseries

    def answer(attrs):
        response = real(attrs)
        body = copy.deepcopy(response.body)
        change(body["data"]["attributes"], [q["query"] for q in attrs["queries"]])
        return Response(200, body, content_type=response.content_type)

    dd.grouped_timeseries = answer


def drop(method, tag):
    def change(attributes, queries):
        keep = [i for i, s in enumerate(attributes["series"])
                if not (f".rollup({method}," in queries[s["query_index"]] and s["group_tags"] == [f"policy:{tag}"])]
        attributes["series"] = [attributes["series"][i] for i in keep]
        attributes["values"] = [attributes["values"][i] for i in keep]
    return change


def set_count(value):
    def change(attributes, queries):
        for s, values in zip(attributes["series"], attributes["values"], strict=True):
            if ".rollup(count," in queries[s["query_index"]] and s["group_tags"] == ["policy:ppo"]:
                values[next(j for j, v in enumerate(values) if v is not None)] = value
    return change


@pytest.mark.parametrize("change,says", [
    (drop("sum", "ppo"), "sum and count of sum:m{*} by {policy}.rollup(sum, 3600) for ppo disagree"),
    (drop("count", "ppo"), "sum and count of sum:m{*} by {policy}.rollup(sum, 3600) for ppo disagree"),
    (set_count(-5.0), "is -5.0, not a whole number of points"),
    (set_count(0.5), "is 0.5, not a whole number of points"),
    (set_count(float("inf")), "not a whole number of points"),
    (set_count(0.0), "disagree"),
    (set_count("3"), "is str 3, not a number"),
])
def test_a_comparison_answer_that_contradicts_itself_fails_that_grid_alone(dd, cli, in_tmp, change, says):
    lo = int(day_start(local_days(NOW, "America/New_York", 1)[0], "America/New_York").timestamp())
    for policy, value in (("ppo", 2.0), ("sac", 4.0)):
        dd.add_tagged_points("m", [f"policy:{policy}"], [(t, value) for t in range(lo, int(NOW.timestamp()), 600)])
    dd.add_points("a", [(lo + 60, 1.0)])
    changed(dd, change)
    (in_tmp / "healthgrid.yml").write_text(CONFIG)
    result = cli("render", "--now", NOW.isoformat(), "--format", "html")
    assert result.code == 1, result.err
    (line,) = [e for e in result.err.splitlines() if e.startswith("healthgrid: error: evals:")]
    assert line.startswith("healthgrid: error: evals: row 'Score': the answer from ") and says in line, line
    assert "nothing written for this grid" in line and "Traceback" not in result.err
    out = in_tmp / "healthgrid-out"
    assert not (out / "evals.json").exists() and json.loads((out / "other.json").read_text())["rows"][0]["raw"][-1] == 1.0
