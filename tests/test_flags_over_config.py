"""What the command line or the workflow says overrides what the config says, key by key: remote
(or repository, which says the same thing: where the branch is), branch, path and pages URL. A
config, which a pull request can change, can never make a workflow's own choice fail."""

import io
import json

import pytest

from healthgrid import action
from healthgrid.publish.ghpages import publish

from conftest import NOW

CONFIG = ("grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\n"
          "publish: {to: ghpages, remote: '%s', branch: cfg-branch, path: cfg/path, pages_url: 'https://cfg.example/site'}\n")


@pytest.fixture
def server(in_tmp, git, monkeypatch):
    """GITHUB_SERVER_URL at a folder of bare repositories: OWNER/REPO is a real remote there."""
    folder = in_tmp / "server"
    for name in ("acme/pages", "acme/config-remote"):
        git("init", "--bare", "-q", "-b", "main", str(folder / f"{name}.git"))
    monkeypatch.setenv("GITHUB_SERVER_URL", f"file://{folder}")
    return folder


def test_repository_and_other_flags_override_the_config(in_tmp, cli, server, branch_files):
    (in_tmp / "healthgrid.yml").write_text(CONFIG % (server / "acme/config-remote.git"))
    result = cli("run", "--demo", "--now", NOW, "--theme", "light", "--json", "--repository", "acme/pages",
                 "--branch", "flag-branch", "--path", "flag/path", "--pages-url", "https://flag.example/site")
    assert result.code == 0, result.err
    assert "flag/path/g.png" in branch_files(server / "acme/pages.git", "flag-branch")
    assert json.loads(result.out)["images"][0]["url"] == "https://flag.example/site/flag/path/g.png"


def test_a_flag_left_out_leaves_the_configs_value(in_tmp, cli, server, branch_files, git):
    (in_tmp / "healthgrid.yml").write_text(CONFIG % (server / "acme/config-remote.git"))
    result = cli("run", "--demo", "--now", NOW, "--theme", "light", "--json", "--repository", "acme/pages")
    assert result.code == 0, result.err
    assert "cfg/path/g.png" in branch_files(server / "acme/pages.git", "cfg-branch")
    assert json.loads(result.out)["images"][0]["url"] == "https://cfg.example/site/cfg/path/g.png"
    assert git("--git-dir", str(server / "acme/config-remote.git"), "branch", "--list") == ""


def test_remote_and_repository_both_on_the_command_line_still_conflict(in_tmp, cli, server):
    (in_tmp / "healthgrid.yml").write_text(CONFIG % (server / "acme/config-remote.git"))
    result = cli("run", "--demo", "--now", NOW, "--repository", "acme/pages", "--remote", str(server / "acme/pages.git"))
    assert result.code == 2 and "give --repository or --remote, not both" in result.err
    assert not (in_tmp / "healthgrid-out").exists()


@pytest.mark.parametrize("inputs", [{}, {"REMOVE": "previews/pr-1"}], ids=["run", "removal"])
def test_the_repository_input_overrides_the_configs_remote_in_the_action(in_tmp, server, git, branch_files, inputs):
    (in_tmp / "healthgrid.yml").write_text(CONFIG % (server / "acme/config-remote.git"))
    env = {"GITHUB_REPOSITORY": "acme/health", "INPUT_REPOSITORY": "acme/pages", "INPUT_DEMO": "true", "INPUT_NOW": NOW,
           "INPUT_THEME": "light", "GITHUB_OUTPUT": str(in_tmp / "output"), **{f"INPUT_{k}": v for k, v in inputs.items()}}
    if inputs:  # the preview to remove is on the repository input's branch
        publish({"a.png": b"a"}, remote=str(server / "acme/pages.git"), branch="cfg-branch", path="previews/pr-1")
    err = io.StringIO()
    assert action.main(env, io.StringIO(), err) == 0, err.getvalue()
    pages = branch_files(server / "acme/pages.git", "cfg-branch")
    assert ("cfg/path/g.png" in pages) if not inputs else ("previews/pr-1/a.png" not in pages)
    assert git("--git-dir", str(server / "acme/config-remote.git"), "branch", "--list") == ""
