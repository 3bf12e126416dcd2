"""A branch name (`--branch`, the Action's pages-branch input, `publish.branch`) is checked by
git's own rules before anything is rendered or fetched: exit 2, one line naming where it came
from. Beyond git: `@`, a name beginning with `refs/`, invisible characters."""

import io
import subprocess

import pytest

from healthgrid import action
from healthgrid.site.paths import branch_problem

from conftest import NOW, PAGES

GRID = "grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\n"
BAD = ["x.lock", "a/.b", "refs/heads/x", "-x", "HEAD", "@", "a..b", "x/", "x.", "/x", "a//b", "a b", "a~b", "a^b",
       "a:b", "a?b", "a*b", "a[b", "a\\b", "a@{1}", "@{-1}", "a/b.lock", ".hidden", "a/./b", "\u200bx"]
GOOD = ["gh-pages", "a/b", "pagés", "a@b", "a+b", "{x}", "a.lock.b", "HEAD/x", "x@"]


def git_accepts(name: str) -> bool:
    return subprocess.run(["git", "check-ref-format", "--branch", name], capture_output=True, timeout=30).returncode == 0


@pytest.mark.parametrize("name", BAD + GOOD + ["a\tb", "a\x7fb", "..", ".", "-", "a/-b", "a,b", "a/HEAD", "refs"])
def test_whatever_git_refuses_is_refused(name):
    if not git_accepts(name):
        assert branch_problem(name) is not None
    assert (branch_problem(name) is None) == (name in GOOD or git_accepts(name) and name not in BAD)


@pytest.mark.parametrize("name", BAD)
def test_a_bad_branch_flag_is_refused_before_rendering(in_tmp, cli, tmp_path, name):
    result = cli("run", "--demo", "--now", NOW, "--publish", "ghpages", "--remote", str(tmp_path / "p.git"), "--pages-url", PAGES,
                 f"--branch={name}")
    assert result.code == 2 and result.err.startswith("healthgrid: error: --branch: ") and "is not a usable branch name" in result.err
    assert not (in_tmp / "healthgrid-out").exists()


@pytest.mark.parametrize("name", ["x.lock", "refs/heads/x", "HEAD", "a..b"])
def test_a_bad_branch_in_the_config_is_a_config_error(in_tmp, cli, name):
    (in_tmp / "healthgrid.yml").write_text(GRID + f"publish: {{to: ghpages, branch: '{name}'}}\n")
    result = cli("render", "--demo", "--now", NOW)
    assert result.code == 2 and result.err.startswith(f"healthgrid: error: publish.branch: '{name}' is not a usable branch name (")
    assert not (in_tmp / "healthgrid-out").exists()


@pytest.mark.parametrize("inputs", [{}, {"INPUT_REMOVE": "previews/pr-1"}], ids=["run", "removal"])
def test_a_bad_pages_branch_input_is_refused_before_any_work(in_tmp, tmp_path, git, inputs):
    bare = tmp_path / "p.git"
    git("init", "--bare", "-q", str(bare))
    (in_tmp / "healthgrid.yml").write_text(GRID + f"publish: {{to: ghpages, remote: '{bare}'}}\n")
    env = {"INPUT_DEMO": "true", "INPUT_NOW": NOW, "INPUT_PAGES-BRANCH": "refs/heads/x", "INPUT_PAGES-URL": PAGES, **inputs}
    err = io.StringIO()
    assert action.main(env, io.StringIO(), err) == 2
    assert "--branch: 'refs/heads/x' is not a usable branch name" in err.getvalue()
    assert not (in_tmp / "healthgrid-out").exists() and git("--git-dir", str(bare), "for-each-ref") == ""


def test_a_branch_git_takes_is_published_to(tmp_path, cli, out_dir, git, branch_files):
    bare = tmp_path / "p.git"
    git("init", "--bare", "-q", str(bare))
    result = cli("publish", "ghpages", str(out_dir(tmp_path)), "--remote", str(bare), "--pages-url", PAGES, "--branch", "pagés/a+b")
    assert result.code == 0, result.err
    assert "healthgrid/health_grid.png" in branch_files(bare, "pagés/a+b")
