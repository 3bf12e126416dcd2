"""gh-pages publishing with the real git CLI against real (local, bare) repositories: stable URLs,
someone else's files kept, no commit when nothing changed, concurrent publishers, the default remote,
another repository's branch, the commit message and the flags checked before anything is pushed."""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from healthgrid.publish.ghpages import publish
from healthgrid.publish.git import Git

from conftest import NOW, PAGES


def test_publish_prints_stable_urls_and_keeps_foreign_files(tmp_path, remote, cli, branch_files, show, out_dir):
    d = out_dir(tmp_path)
    result = cli("publish", "ghpages", str(d), "--remote", str(remote), "--pages-url", PAGES)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [f"{PAGES}/healthgrid/health_grid.png", f"{PAGES}/healthgrid/health_grid_dark.png"]
    assert branch_files(remote) == ["healthgrid/health_grid.json", "healthgrid/health_grid.png", "healthgrid/health_grid_dark.png", "index.html"]
    assert show(remote, "healthgrid/health_grid.png") == b"\x89PNG one"
    assert show(remote, "index.html") == b"<h1>someone else's page</h1>\n"


def test_identical_files_make_no_commit(tmp_path, remote, cli, git, out_dir):
    d = out_dir(tmp_path)
    first = cli("publish", "ghpages", str(d), "--remote", str(remote), "--pages-url", PAGES, "--json")
    tip = git("--git-dir", str(remote), "rev-parse", "gh-pages")
    again = cli("publish", "ghpages", str(d), "--remote", str(remote), "--pages-url", PAGES, "--json")
    assert json.loads(first.out)["changed"] is True
    doc = json.loads(again.out)
    assert doc["changed"] is False and git("--git-dir", str(remote), "rev-parse", "gh-pages") == tip
    image = doc["images"][0]
    assert image["file"] == "health_grid.png" and image["url"] == f"{PAGES}/healthgrid/health_grid.png"
    assert image["versioned_url"].startswith(image["url"] + "?v=") and len(image["versioned_url"]) == len(image["url"]) + 15


def test_missing_branch_is_created_as_an_orphan(tmp_path, remote, git, branch_files, commit_count):
    result = publish({"g.png": b"x"}, remote=str(remote), branch="pages", path="img/grids")
    assert result.changed
    assert branch_files(remote, "pages") == [".nojekyll", "img/grids/g.png"]
    assert commit_count(remote, "pages") == 1
    author = git("--git-dir", str(remote), "log", "-1", "--format=%an <%ae>", "pages")
    assert author == "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"


@pytest.mark.slow  # six real processes racing on two cores; the race itself is test_a_commit_pushed_between_fetch_and_push_survives
def test_six_concurrent_publishers_all_succeed_and_lose_nothing(tmp_path, remote, branch_files, commit_count, show, out_dir):
    names = [f"grid_{i}" for i in range(6)]
    dirs = [out_dir(tmp_path, name, f"png {name}".encode(), sub=name) for name in names]
    exe = str(Path(sys.executable).with_name("healthgrid"))

    def run(d):
        return subprocess.run([exe, "publish", "ghpages", str(d), "--remote", str(remote), "--pages-url", PAGES],
                              capture_output=True, text=True, timeout=120)

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(run, dirs))
    assert [r.returncode for r in results] == [0] * 6, [r.stderr for r in results]
    files = branch_files(remote)
    for name in names:
        assert f"healthgrid/{name}.png" in files and show(remote, f"healthgrid/{name}.png") == f"png {name}".encode()
    assert "index.html" in files
    assert commit_count(remote) == 2, "one commit of healthgrid's on the one someone else wrote"


def test_remove_drops_a_path(tmp_path, remote, branch_files):
    publish({"a.png": b"a"}, remote=str(remote), path="previews/pr-7")
    publish({}, remote=str(remote), path="healthgrid", remove=["previews/pr-7"])
    assert branch_files(remote) == ["index.html"]


def test_a_removal_from_a_branch_that_does_not_exist_makes_no_branch(remote, git):
    result = publish({}, remote=str(remote), branch="previews", path="healthgrid", remove=["previews/pr-7"])
    assert not result.changed
    assert git("--git-dir", str(remote), "branch", "--list", "previews").strip() == ""



def test_default_remote_is_origin_of_the_current_repository(tmp_path, remote, cli, monkeypatch, git, branch_files, out_dir):
    work = tmp_path / "work"
    git("clone", "-q", str(remote), str(work))
    monkeypatch.chdir(work)
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/health")
    d = out_dir(tmp_path)
    result = cli("publish", "ghpages", str(d))
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == "https://acme.github.io/health/healthgrid/health_grid.png"
    assert "healthgrid/health_grid.png" in branch_files(remote)


def test_token_is_sent_as_a_header_never_in_args_urls_or_output(tmp_path, cli, monkeypatch, out_dir):
    token = "ghs_supersecrettoken1234567890"
    g = Git(tmp_path / "x.git", token, "http://127.0.0.1:9")
    assert not any(token in v for k, v in g.env.items() if not k.startswith("GIT_CONFIG_VALUE"))
    monkeypatch.setenv("GITHUB_TOKEN", token)
    d = out_dir(tmp_path)
    result = cli("publish", "ghpages", str(d), "--remote", "http://127.0.0.1:9/acme/health.git", "--pages-url", PAGES, "--debug")
    assert result.code == 1 and "publish: git ls-remote against http://127.0.0.1:9/acme/health.git failed" in result.err
    assert token not in result.err + result.out


@pytest.mark.parametrize("argv,expected", [
    (["--path", "../escape"], "healthgrid: error: --path: '../escape' must be a plain folder inside the branch"),
    (["--branch=-evil"], "healthgrid: error: --branch: '-evil' is not a usable branch name"),
])
def test_bad_publish_flags_are_exit_2(tmp_path, remote, cli, argv, expected, out_dir):
    d = out_dir(tmp_path)
    result = cli("publish", "ghpages", str(d), "--remote", str(remote), "--pages-url", PAGES, *argv)
    assert result.code == 2 and result.err.startswith(expected), result.err


def test_pages_url_is_needed_when_github_repository_is_unknown(tmp_path, remote, cli, monkeypatch, branch_files, out_dir):
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    result = cli("publish", "ghpages", str(out_dir(tmp_path)), "--remote", str(remote))
    assert result.code == 2 and "--pages-url: not given and GITHUB_REPOSITORY is not set" in result.err
    assert branch_files(remote) == ["index.html"], "nothing is pushed when URLs cannot be printed"


def test_html_index_lists_every_grid_on_the_branch_across_publishers(tmp_path, remote, show):
    for name, title in (("alpha", "Alpha grid"), ("beta", "Beta grid")):
        files = {f"{name}.png": b"png " + name.encode(), f"{name}.html": b"<html>", f"{name}.json": json.dumps({"title": title}).encode(),
                 "index.html": b"only this run's grids"}
        publish(files, remote=str(remote), index=True)
    page = show(remote, "healthgrid/index.html").decode()
    assert "Alpha grid" in page and "Beta grid" in page
    assert 'href="alpha.html"' in page and 'src="beta.png"' in page
    assert "only this run" not in page


def test_a_removal_alone_needs_no_pages_url_and_says_when_nothing_was_there(tmp_path, remote, cli, branch_files, monkeypatch):
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    publish({"a.png": b"a"}, remote=str(remote), path="previews/pr-7")
    gone = cli("publish", "ghpages", "--remote", str(remote), "--remove", "previews/pr-7")
    assert gone.code == 0 and gone.err.startswith("healthgrid: publish: gh-pages updated")
    assert "previews/pr-7/a.png" not in branch_files(remote)
    again = cli("publish", "ghpages", "--remote", str(remote), "--remove", "previews/pr-7")
    assert again.code == 0 and again.err == "healthgrid: publish: gh-pages unchanged (nothing at previews/pr-7)\n"
    bad = cli("publish", "ghpages", "--remote", str(remote), "--remove", "previews/pr-7", "--pages-url", "javascript:x")
    assert bad.code == 2 and bad.err.startswith("healthgrid: error: --pages-url: ")


def test_repository_publishes_to_another_repositorys_branch_with_its_pages_url(cli, in_tmp, monkeypatch, git, branch_files):
    server = in_tmp / "server"
    bare = server / "acme" / "dashboards.git"
    git("init", "--bare", "-q", str(bare))
    monkeypatch.setenv("GITHUB_SERVER_URL", str(server))  # stands in for https://github.com
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/health")
    assert cli("render", "--demo", "--now", NOW, "--out", "out").code == 0
    result = cli("publish", "ghpages", "out", "--repository", "acme/dashboards", "--message", "dashboards: health grid\n\nfrom acme/health", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["images"][0]["url"] == "https://acme.github.io/dashboards/healthgrid/health_grid.png"
    assert "healthgrid/health_grid.png" in branch_files(bare)
    message = git("--git-dir", str(bare), "log", "-1", "--format=%B", "gh-pages").strip()
    assert message == ("dashboards: health grid\n\nfrom acme/health\n\n"
                       "Published-by: healthgrid\nPublished-path: healthgrid\nPublished-path: .nojekyll")


@pytest.mark.parametrize("argv, message", [
    (["--repository", "acme"], "--repository: 'acme' must be OWNER/REPO"),
    (["--repository", "acme/../x"], "must be OWNER/REPO"),
    (["--repository", "acme/x", "--remote", "y"], "--repository: give --repository or --remote, not both"),
    (["--message", "x" * 2001], "--message: 2001 characters; at most 2000"),
])
def test_repository_and_message_are_checked(cli, in_tmp, argv, message):
    (in_tmp / "out").mkdir()
    (in_tmp / "out" / "g.png").write_bytes(b"png")
    result = cli("publish", "ghpages", "out", "--pages-url", "https://a.github.io/b", *argv)
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1 and message in result.err
