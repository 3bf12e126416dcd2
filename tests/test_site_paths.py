"""Paths inside the pages branch (`--path`, `publish.path`, `--remove`) are checked before any
work: a path git would refuse, or one that is not the plain folder it looks like, is exit 2 naming
the flag or key, with nothing rendered and nothing pushed."""

import pytest

from conftest import NOW, PAGES

BAD = [".", "a//b", "x/.GIT", "./x", "x/..", "x/.", "grids ", " grids", "a/ b/c", ".git", "x/.Git/y", "x/.git.", "x/.git ",
       "x/GIT~1", "x/.git::$INDEX_ALLOCATION", "a\\b", "a\u200bb", "a\u00a0", "x" * 300, "a/" * 600 + "b"]
GOOD = [("état", "état"), ("docs/healthgrid", "docs/healthgrid"), ("/healthgrid/", "healthgrid"), ('say "hi"', 'say "hi"'),
        ("my grids/v1.2", "my grids/v1.2"), (".github-pages", ".github-pages"), ("gitx/.gitignore-dir", "gitx/.gitignore-dir")]


def one_line(result, prefix):
    assert result.code == 2, (result.code, result.err)
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"healthgrid: error: {prefix}: "), result.err
    return lines[0]


@pytest.mark.parametrize("path", BAD)
def test_a_bad_path_flag_is_refused_before_anything_is_read_or_pushed(tmp_path, remote, cli, path, git):
    before = git("--git-dir", str(remote), "rev-parse", "gh-pages")
    missing = tmp_path / "not-there"  # not even DIR is read first
    line = one_line(cli("publish", "ghpages", str(missing), "--remote", str(remote), "--pages-url", PAGES, "--path", path), "--path")
    assert "must be a plain folder inside the branch (" in line
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages") == before


@pytest.mark.parametrize("path", BAD[:8])
def test_a_bad_path_flag_stops_a_run_before_rendering(in_tmp, remote, cli, path):
    result = cli("run", "--demo", "--now", NOW, "--publish", "ghpages", "--remote", str(remote), "--pages-url", PAGES, "--path", path)
    one_line(result, "--path")
    assert not (in_tmp / "healthgrid-out").exists()


@pytest.mark.parametrize("path", BAD)
def test_a_bad_publish_path_in_the_config_is_a_config_error(in_tmp, cli, path):
    import yaml

    (in_tmp / "healthgrid.yml").write_text(yaml.safe_dump({
        "grids": [{"name": "g", "rows": [{"label": "A", "query": "avg:a{*}"}]}], "publish": {"to": "ghpages", "path": path}}))
    line = one_line(cli("render", "--demo", "--now", NOW, "--out", "out"), "publish.path")
    assert "must be a plain folder inside the branch (" in line
    assert not (in_tmp / "out").exists()


@pytest.mark.parametrize("path", ["x/.GIT", "a ", "./x", "x/git~1", "a\u200bb"])
def test_remove_takes_the_same_rules(remote, cli, path):
    line = one_line(cli("publish", "ghpages", "--remote", str(remote), "--pages-url", PAGES, "--remove", path), "--remove")
    assert "must be one relative path inside the branch (" in line


@pytest.mark.parametrize("path, folder", GOOD)
def test_plain_paths_are_published_where_they_say(tmp_path, remote, cli, path, folder, out_dir):
    result = cli("publish", "ghpages", str(out_dir(tmp_path)), "--remote", str(remote), "--pages-url", PAGES, "--path", path, "--json")
    assert result.code == 0, result.err
    import subprocess

    listed = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "-r", "-z", "--name-only", "gh-pages"], capture_output=True).stdout
    assert f"{folder}/health_grid.png".encode() in listed.split(b"\0")


@pytest.mark.parametrize("name", ["a\nb.png", "tab\there.png", "GIT~1", "trailing.png ", "zero\u200bwidth.png"])
def test_a_file_in_dir_whose_name_cannot_be_a_branch_path_is_refused(tmp_path, remote, cli, name, out_dir, git):
    d = out_dir(tmp_path)
    (d / name).write_bytes(b"x")
    before = git("--git-dir", str(remote), "rev-parse", "gh-pages")
    line = one_line(cli("publish", "ghpages", str(d), "--remote", str(remote), "--pages-url", PAGES), "DIR")
    assert f"{name!r} in {d} cannot be published (" in line
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages") == before
