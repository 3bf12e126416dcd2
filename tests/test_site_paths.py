"""Paths inside the pages branch are checked before any work, by one rule wherever a folder of the
site is taken (`--path` of run, publish and widget, `publish.path`, `publish.prefix`, `--remove`, the
folder of `dashboard --image-base`): a path git would refuse, or one that is not the plain folder it
looks like, is exit 2 naming the flag or key, with nothing rendered and nothing pushed. A URL no
publish could ever fill is never printed."""

import json

import pytest

from conftest import NOW, PAGES

BAD = [".", "a//b", "x/.GIT", "./x", "x/..", "x/.", "grids ", " grids", "a/ b/c", ".git", "x/.Git/y", "x/.git.", "x/.git ",
       "x/GIT~1", "x/.git::$INDEX_ALLOCATION", "a\\b", "a\u200bb", "a\u00a0", "x" * 300, "a/" * 600 + "b"]
GOOD = [("état", "état"), ("docs/healthgrid", "docs/healthgrid"), ("/healthgrid/", "healthgrid"), ('say "hi"', 'say "hi"'),
        ("my grids/v1.2", "my grids/v1.2"), (".github-pages", ".github-pages"), ("gitx/.gitignore-dir", "gitx/.gitignore-dir")]
GRID = "grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\n"
# (path, why the one rule refuses it)
REFUSED = [("x/.GIT", "'.GIT' is git's own folder"), ("a//b", "it has an empty part ('//')"), (".", "it has a '.' part"),
           ("a/..", "it has a '..' part"), ("git~1/x", "'git~1' is git's own folder"), ("a /b", "'a ' begins or ends with a space")]


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


@pytest.mark.parametrize("path, why", REFUSED)
def test_widget_path_follows_the_path_rule(in_tmp, cli, path, why):
    (in_tmp / "healthgrid.yml").write_text(GRID)
    result = cli("widget", "--pages-url", PAGES, "--path", path)
    assert result.code == 2 and result.out == ""
    assert result.err == f"healthgrid: error: --path: {path!r} must be a plain folder inside the branch ({why})\n"


@pytest.mark.parametrize("path, why", REFUSED)
def test_the_folder_of_an_image_base_follows_the_path_rule(in_tmp, cli, path, why):
    (in_tmp / "healthgrid.yml").write_text(GRID)
    result = cli("dashboard", "--dry-run", "--image-base", f"https://cdn.example/{path}/")
    assert result.code == 2 and result.err.startswith("healthgrid: error: --image-base: ") and f"must name a plain folder ({why})" in result.err


@pytest.mark.parametrize("path, why", REFUSED)
def test_the_configs_paths_follow_the_path_rule(in_tmp, cli, path, why):
    for publish, key in ((f"{{to: ghpages, path: '{path}'}}", "publish.path"), (f"{{to: s3, bucket: b, prefix: '{path}/'}}", "publish.prefix")):
        (in_tmp / "healthgrid.yml").write_text(GRID + f"publish: {publish}\n")
        result = cli("widget", "--pages-url", PAGES)
        assert result.code == 2 and result.err.startswith(f"healthgrid: error: {key}: ") and why in result.err


def test_a_plain_widget_path_gives_the_url_a_publish_fills(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text(GRID)
    widgets = json.loads(cli("widget", "--pages-url", PAGES, "--path", "/previews/pr 7/").out)
    assert widgets[0]["definition"]["url"] == f"{PAGES}/previews/pr%207/g.png"
