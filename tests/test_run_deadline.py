"""`run --deadline SECONDS` (Action input `deadline`): once the deadline has passed no grid starts;
the grids left fail with a line each, what rendered is published, and the run exits 1."""

import json

from conftest import PAGES
from fakes.http import Response

NOW = "2026-11-28T12:00:00Z"
QUERY_PATH = "/api/v2/query/timeseries"
THREE_GRIDS = """\
grids:
  - {name: first, rows: [{label: A, query: 'avg:a{*}'}]}
  - {name: second, rows: [{label: B, query: 'avg:b{*}'}]}
  - {name: third, rows: [{label: C, query: 'avg:c{*}'}]}
"""


def test_past_the_deadline_no_grid_starts_and_what_rendered_is_published(in_tmp, cli, dd, git, show, clock, tmp_path):
    bare = tmp_path / "pages.git"
    git("init", "--bare", "-q", str(bare))
    (in_tmp / "healthgrid.yml").write_text(THREE_GRIDS)
    # The first grid's query is rate limited for 40 s (waited on the test clock): the 30 s deadline passes meanwhile.
    dd.fail_next(QUERY_PATH, Response(429, {"errors": ["Too many requests"]}, {"X-RateLimit-Reset": "40"}))
    result = cli("run", "--now", NOW, "--deadline", "30", "--timeout", "60", "--publish", "ghpages", "--remote", str(bare),
                 "--pages-url", PAGES, "--theme", "light", "--json")
    assert result.code == 1, result.err
    assert sum(clock.slept) >= 40
    lines = result.err.strip().splitlines()
    assert "healthgrid: error: second: not rendered: the run's --deadline of 30s had passed" in lines
    assert "healthgrid: error: third: not rendered: the run's --deadline of 30s had passed" in lines
    assert lines[-1].startswith("healthgrid: error: 2 of 3 grids failed: second, third;")
    doc = json.loads(result.out)
    assert [(g["name"], g["ok"]) for g in doc["grids"]] == [("first", True), ("second", False), ("third", False)]
    assert [i["file"] for i in doc["images"]] == ["first.png"], "what rendered is published"
    assert show(bare, "healthgrid/first.png")
    assert len(dd.calls("POST", QUERY_PATH)) == 2, "the first grid's two attempts; no other grid was fetched"


def test_a_deadline_that_is_not_reached_changes_nothing(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text(THREE_GRIDS)
    result = cli("render", "--demo", "--now", NOW, "--deadline", "3600", "--theme", "light", "--json")
    assert result.code == 0, result.err
    assert all(g["ok"] for g in json.loads(result.out)["grids"])


def test_a_deadline_outside_its_range_is_a_usage_error(in_tmp, cli):
    for value in ("0", "86401", "soon", "1.5"):
        result = cli("run", "--demo", "--now", NOW, "--deadline", value)
        assert result.code == 2 and result.err.count("\n") == 1 and result.err.startswith("healthgrid: error: --deadline: ")


def test_the_action_input_deadline_becomes_the_flag():
    from healthgrid.action.inputs import build_argv

    assert build_argv({"INPUT_DEADLINE": " 3300 "})[-2:] == ["--deadline", "3300"]
    assert "--deadline" not in build_argv({"INPUT_DEADLINE": ""})
