"""Action inputs left unset defer to the config, then the environment, then the default: an
action.yml default never overrides what a config's publish: section or DD_SITE says."""

import io
import json

import pytest
import yaml

from healthgrid import action
from healthgrid.action import inputs as action_inputs

from conftest import ROOT

NOW = "2026-11-28T12:00:00Z"
JOB_TOKEN = "ghs_jobtoken_0123456789"


def unset_inputs(**given) -> dict:
    """The environment the runner gives a step that sets only `given`: every other input at its
    action.yml default (github.token standing in for the expression)."""
    inputs = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]
    env = {f"INPUT_{name.upper()}": str(spec["default"]) for name, spec in inputs.items()}
    env["INPUT_GITHUB-TOKEN"] = JOB_TOKEN
    env.update({f"INPUT_{name.upper().replace('_', '-')}": value for name, value in given.items()})
    return env


def test_inputs_left_unset_pass_no_flag():
    """Nothing but what the workflow wrote reaches the command line, so the command's own order
    (config, environment, default) decides the rest."""
    assert action_inputs.build_argv(unset_inputs()) == ["run", "--out", "healthgrid-out"]
    assert action_inputs.build_argv(unset_inputs(remove="previews/pr-7\nprevious/pr-8\n")) == \
        ["publish", "ghpages", "--remove", "previews/pr-7", "--remove", "previous/pr-8"]
    assert action_inputs.build_argv(unset_inputs(pages_branch="pages", theme="light", grid="a,\nb")) == \
        ["run", "--out", "healthgrid-out", "--branch", "pages", "--theme", "light", "--grid", "a", "--grid", "b"]


def test_every_input_with_a_flag_is_in_action_yml():
    inputs = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]
    assert {i.name for i in action_inputs.INPUTS} <= set(inputs)


def test_unset_datadog_site_defers_to_dd_site(monkeypatch):
    monkeypatch.setenv("DD_SITE", "datadoghq.eu")
    assert action_inputs.credentials(unset_inputs()).datadog_site == "datadoghq.eu"
    assert action_inputs.credentials(unset_inputs(datadog_site="us5.datadoghq.com")).datadog_site == "us5.datadoghq.com"
    monkeypatch.delenv("DD_SITE")
    assert action_inputs.credentials(unset_inputs(datadog_api_key="k" * 32)).datadog(need_app_key=False).site == "datadoghq.com"


def test_unset_publish_defers_to_the_configs_target(in_tmp, imgur):
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\npublish: {to: imgur}\n")
    (in_tmp / "output").touch()
    env = {**unset_inputs(demo="true", now=NOW, theme="light"), "GITHUB_OUTPUT": str(in_tmp / "output")}
    err = io.StringIO()
    assert action.main(env, io.StringIO(), err) == 0, err.getvalue()
    assert len(imgur.uploads) == 1
    assert "image-url<<" in (in_tmp / "output").read_text() and "https://i.imgur.com/img1.png" in (in_tmp / "output").read_text()


@pytest.mark.parametrize("section,branch,folder", [
    ("", "gh-pages", "healthgrid"),  # no publish: section at all: gh-pages, as always
    ("publish: {branch: pages, path: grids}\n", "pages", "grids"),  # a section without `to`: still gh-pages, its branch and path
])
def test_unset_publish_without_a_configured_target_publishes_to_gh_pages(runner, branch_files, section, branch, folder):
    (runner.workspace / "healthgrid.yml").write_text("grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\n" + section)
    proc, outputs, _ = runner(unset_inputs(demo="true", now=NOW, theme="light"))
    assert proc.returncode == 0, proc.stderr
    assert f"{folder}/g.png" in branch_files(runner.bare, branch)
    assert outputs["image-url"] == f"https://acme.github.io/health/{folder}/g.png"


def test_a_config_that_says_none_is_not_published(in_tmp):
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\npublish: {to: none}\n")
    (in_tmp / "output").touch()
    env = {**unset_inputs(demo="true", now=NOW, theme="light"), "GITHUB_OUTPUT": str(in_tmp / "output")}
    err = io.StringIO()
    assert action.main(env, io.StringIO(), err) == 0, err.getvalue()  # no repository here: a publish would fail
    assert "images<<" in (in_tmp / "output").read_text() and "\n[]\n" in (in_tmp / "output").read_text()


def test_a_removal_goes_to_the_branch_the_config_publishes_to(runner, git, branch_files, tmp_path):
    theirs = tmp_path / "theirs"
    git("init", "-q", "-b", "pages", str(theirs))
    for path in ("previews/pr-7", "previews/pr-8", "previews/pr-9"):
        (theirs / path).mkdir(parents=True)
        (theirs / path / "g.png").write_bytes(b"png")
    git("add", "-A", cwd=theirs)
    git("commit", "-q", "-m", "previews", cwd=theirs)
    git("push", "-q", str(runner.bare), "pages", cwd=theirs)
    (runner.workspace / "healthgrid.yml").write_text("grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\npublish: {branch: pages}\n")
    proc, outputs, _ = runner(unset_inputs(remove="previews/pr-7\nprevious/pr-8\npreviews/pr-8"))
    assert proc.returncode == 0, proc.stderr
    assert branch_files(runner.bare, "pages") == ["previews/pr-9/g.png"]
    assert json.loads(outputs["images"]) == []
