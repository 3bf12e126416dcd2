"""The status page on a pages branch describes what the branch holds after each commit: grids
removed are gone from it, grids under names git would quote are on it, someone else's page is
never replaced. Real git against local bare repositories."""

import json
import re
import subprocess

import pytest

from healthgrid.publish.ghpages import publish

from conftest import PAGES


def grid_files(name, title):
    return {f"{name}.png": b"png " + name.encode(), f"{name}.html": b"<html>", f"{name}.json": json.dumps({"title": title}).encode(),
            "index.html": b"this run's page"}


def tree(bare, branch="gh-pages"):
    out = subprocess.run(["git", "--git-dir", str(bare), "ls-tree", "-r", "-z", "--name-only", branch], capture_output=True, check=True).stdout
    return sorted(out.decode().split("\0")[:-1])


def summary(page: bytes) -> str:
    return re.search(r'<p class="summary">(.*?) grids?:', page.decode()).group(1)


@pytest.mark.parametrize("how", ["files", "cli"])
def test_removing_a_grid_takes_it_off_the_status_page(remote, show, cli, how):
    for name in ("alpha", "beta"):
        publish(grid_files(name, f"{name.title()} grid"), remote=str(remote), index=True)
    assert summary(show(remote, "healthgrid/index.html")) == "2"
    gone = ["healthgrid/alpha.png", "healthgrid/alpha.html", "healthgrid/alpha.json"]
    if how == "files":
        publish({}, remote=str(remote), remove=gone)
    else:
        flags = [arg for path in gone for arg in ("--remove", path)]
        result = cli("publish", "ghpages", "--remote", str(remote), "--pages-url", PAGES, *flags)
        assert result.code == 0, result.err
    page = show(remote, "healthgrid/index.html")
    assert summary(page) == "1" and b"Beta grid" in page and b"Alpha grid" not in page
    assert show(remote, "index.html") == b"<h1>someone else's page</h1>\n", "someone else's page is not a status page: untouched"


def test_removing_a_preview_folder_rebuilds_the_page_that_lists_it(remote, show, branch_files):
    for pr in ("pr-1", "pr-2"):
        publish(grid_files(pr, f"Preview {pr}"), remote=str(remote), path="previews", index=True)
    publish({}, remote=str(remote), remove=["previews/pr-1.png", "previews/pr-1.html", "previews/pr-1.json"])
    page = show(remote, "previews/index.html")
    assert summary(page) == "1" and b"Preview pr-2" in page


def test_a_publish_without_a_page_still_refreshes_the_page_already_there(remote, show):
    publish(grid_files("alpha", "Alpha grid"), remote=str(remote), index=True)
    publish({"beta.png": b"png", "beta.json": json.dumps({"title": "Beta grid"}).encode()}, remote=str(remote))
    assert summary(show(remote, "healthgrid/index.html")) == "2"


def test_someone_elses_index_in_the_folder_is_left_alone(remote, show, branch_files):
    warnings = []
    publish(grid_files("alpha", "Alpha grid"), remote=str(remote), path="", index=True, warn=warnings.append)
    assert show(remote, "index.html") == b"<h1>someone else's page</h1>\n"
    assert warnings == ["publish: index.html on the branch is not a healthgrid status page; it was left as it is"]
    assert "alpha.png" in branch_files(remote), "the grids are published all the same"


@pytest.mark.parametrize("path, name", [("état", "grid"), ("healthgrid", 'a"b'), ("d\u00e9j\u00e0 vu/x", "tab\u00e9"), ("healthgrid", "日本")])
def test_names_git_would_quote_are_on_the_status_page(remote, show, path, name):
    publish(grid_files(name, f"Grid {name}"), remote=str(remote), path=path, index=True)
    publish(grid_files("other", "Other grid"), remote=str(remote), path=path, index=True)
    page = show(remote, f"{path}/index.html")
    assert summary(page) == "2"
    assert f"Grid {name}".replace('"', "&quot;").encode() in page
    assert f"{path}/{name}.png" in tree(remote)


def test_a_name_that_is_not_text_does_not_break_the_page(remote, git, show, tmp_path):
    theirs = tmp_path / "theirs"
    for name in (b"bad\xff.png", b"bad\xff.json", b"new\nline.png"):
        with open(bytes(theirs) + b"/" + name, "wb") as fh:
            fh.write(b"{}")
    git("add", "-A", cwd=theirs)
    git("commit", "-qm", "odd names", cwd=theirs)
    git("push", "-q", str(remote), "gh-pages", cwd=theirs)
    warnings = []
    assert publish(grid_files("alpha", "Alpha grid"), remote=str(remote), path="", index=False, warn=warnings.append).changed
    publish(grid_files("alpha", "Alpha grid"), remote=str(remote), path="site", index=True, warn=warnings.append)
    assert summary(show(remote, "site/index.html")) == "1" and not warnings


@pytest.fixture
def folders_in_the_way(remote, git, tmp_path):
    """Someone else's folders where healthgrid's index.html and a grid's image would go."""
    theirs = tmp_path / "theirs"
    for folder in ("healthgrid/index.html", "healthgrid/taken.png"):
        (theirs / folder).mkdir(parents=True)
        (theirs / folder / "theirs.txt").write_text("theirs")
    git("add", "-A", cwd=theirs)
    git("commit", "-qm", "their folders", cwd=theirs)
    git("push", "-q", str(remote), "gh-pages", cwd=theirs)
    return remote


def test_a_folder_where_the_status_page_goes_is_a_warning_and_the_grids_publish(folders_in_the_way, cli, tmp_path, out_dir):
    d = out_dir(tmp_path)
    (d / "index.html").write_text("this run's page")
    result = cli("publish", "ghpages", str(d), "--remote", str(folders_in_the_way), "--pages-url", PAGES)
    assert result.code == 0, result.err
    assert "healthgrid: warning: publish: healthgrid/index.html on the branch is a folder or lies under a file" in result.err
    files = tree(folders_in_the_way)
    assert "healthgrid/health_grid.png" in files and "healthgrid/index.html/theirs.txt" in files


def test_a_folder_where_a_grid_file_goes_is_never_replaced(folders_in_the_way, tmp_path, cli):
    before = tree(folders_in_the_way)
    d = tmp_path / "d"
    d.mkdir()
    (d / "taken.png").write_bytes(b"png")
    result = cli("publish", "ghpages", str(d), "--remote", str(folders_in_the_way), "--pages-url", PAGES)
    assert result.code == 1
    assert "publish: 'healthgrid/taken.png' is a folder on gh-pages; it was left as it is and nothing was published" in result.err
    assert tree(folders_in_the_way) == before
