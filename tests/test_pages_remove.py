"""`--remove` (the Action's `remove` input) removes exactly one literal path inside the pages
branch: never a pattern, never the branch itself or a path outside it, never a file that only
shares the folder's name. Real git against local bare repositories."""

import pytest

from healthgrid.publish.ghpages import publish

from conftest import PAGES


@pytest.fixture
def tip(git):
    def rev(bare, branch="gh-pages"):
        return git("--git-dir", str(bare), "rev-parse", branch)
    return rev


@pytest.fixture
def previews(remote, git):
    """The remote, whose gh-pages branch also holds two preview folders."""
    theirs = remote.parent / "theirs"  # the clone the `remote` fixture pushed their page from
    for pr in ("pr-1", "pr-2"):
        (theirs / "previews" / pr).mkdir(parents=True)
        (theirs / "previews" / pr / "a.png").write_text(pr)
    git("add", "previews", cwd=theirs)
    git("commit", "-qm", "two previews", cwd=theirs)
    git("push", "-q", str(remote), "gh-pages", cwd=theirs)
    return remote


def remove(cli, remote, path):
    return cli("publish", "ghpages", "--remote", str(remote), "--pages-url", PAGES, "--remove", path)


def test_remove_drops_a_path(tmp_path, remote, branch_files):
    publish({"a.png": b"a"}, remote=str(remote), path="previews/pr-7")
    publish({}, remote=str(remote), path="healthgrid", remove=["previews/pr-7"])
    assert branch_files(remote) == ["index.html"]


def test_remove_drops_exactly_the_named_folder(previews, cli, branch_files):
    assert remove(cli, previews, "previews/pr-1/").code == 0
    assert branch_files(previews) == ["index.html", "previews/pr-2/a.png"]


@pytest.mark.parametrize("path", [".", "", "/previews", "../x", "previews/../..", "./previews", "previews//pr-1", "a\nb"])
def test_remove_refuses_paths_that_are_not_one_path_inside_the_branch(previews, cli, path, tip):
    before = tip(previews)
    result = remove(cli, previews, path)
    assert result.code == 2 and len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith("healthgrid: error: --remove: ")
    assert tip(previews) == before


@pytest.mark.parametrize("pattern", ["previews/pr-*", ":!index.html", "*.png", "previews/*/a.png"])
def test_remove_takes_a_pattern_literally(previews, cli, pattern, branch_files):
    before = branch_files(previews)
    result = remove(cli, previews, pattern)
    assert result.code == 0, result.err
    assert branch_files(previews) == before, "no file matches that literal path"


def test_remove_with_a_trailing_slash_is_the_folder_never_a_file_of_that_name(in_tmp, cli, git, branch_files):
    bare = in_tmp / "r.git"
    git("init", "--bare", "-q", str(bare))
    (in_tmp / "out").mkdir()
    (in_tmp / "out" / "x").write_bytes(b"a file named x")
    assert cli("publish", "ghpages", "out", "--remote", str(bare), "--path", "", "--pages-url", "https://a.github.io/b").code == 0
    assert cli("publish", "ghpages", "--remove", "x/", "--remote", str(bare), "--pages-url", "https://a.github.io/b").code == 0
    assert "x" in branch_files(bare)
