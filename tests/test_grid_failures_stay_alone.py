"""One grid never stops the others: a comparison whose metric has no series at all (Datadog's
ordinary empty answer) fails alone with one line, and any unexpected error inside one grid's fetch
or drawing is that grid's failure, said as the one line a bug gets; the other grids are written and
published."""

import json
import subprocess

import pytest

import healthgrid.sources.demo as demo

from conftest import PAGES

NOW = "2026-11-28T12:00:00Z"
CONFIG = {"grids": [
    {"name": "cmp", "type": "comparison", "by": "policy", "days": 7, "rows": [{"label": "Score", "query": "avg:c{*}"}]},
    {"name": "first", "rows": [{"label": "A", "query": "max:a{*}", "aggregation": "max"}]}]}


def on_branch(remote):
    out = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "-r", "-z", "--name-only", "gh-pages"], capture_output=True).stdout
    return set(out.decode().split("\0")) - {""}


def test_a_comparison_without_any_series_fails_alone_and_the_others_publish(dd, cli, in_tmp, remote):
    dd.add_points("a", [(1795824000 + 60, 0.5)])
    (in_tmp / "healthgrid.yml").write_text(json.dumps(CONFIG))
    result = cli("run", "--now", NOW, "--format", "png", "--theme", "light", "--publish", "ghpages", "--remote", str(remote),
                 "--pages-url", PAGES, "--out", "out")
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith("healthgrid: error: ")]
    assert errors[0] == ("healthgrid: error: cmp: Datadog has no series of any row by policy from 2026-11-22T00:00:00Z to now: "
                         "there is no value of policy to compare; nothing written for this grid"), result.err
    assert errors[1:] == ["healthgrid: error: 1 of 2 grids failed: cmp; their published images were left as they were"]
    assert "internal error" not in result.err and "Traceback" not in result.err
    published = on_branch(remote)
    assert "healthgrid/first.png" in published and not any("cmp" in name for name in published)


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_error_in_one_grid_is_that_grids_bug_line(in_tmp, cli, monkeypatch, debug):
    real = demo.demo_grid

    def broken(spec, now):
        if spec.name == "bad":
            raise ValueError("max() arg is an empty sequence")
        return real(spec, now)

    monkeypatch.setattr(demo, "demo_grid", broken)
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "bad", "rows": [{"label": "A", "query": "avg:a{*}"}]},
                                                                 {"name": "good", "rows": [{"label": "B", "query": "avg:b{*}"}]}]}))
    result = cli("render", "--demo", "--now", NOW, "--format", "html", "--out", "out", *(["--debug"] if debug else []))
    assert result.code == 1
    line = "healthgrid: error: bad: internal error: ValueError: max() arg is an empty sequence"
    assert (line if debug else line + " (run with --debug for details)") in result.err.splitlines()
    assert ("Traceback (most recent call last)" in result.err) == debug
    assert "healthgrid: error: 1 of 2 grids failed: bad; their files were left as they were" in result.err
    assert (in_tmp / "out" / "good.json").exists() and not (in_tmp / "out" / "bad.json").exists()
