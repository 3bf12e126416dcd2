"""One path rule wherever a folder of the site is taken: `--path` of run and publish,
`publish.path` and `publish.prefix` of the config, `widget --path`, and the folder of
`dashboard --image-base`. A URL no publish could ever fill is never printed."""

import json

import pytest

from conftest import PAGES

GRID = "grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\n"
BAD = [("x/.GIT", "'.GIT' is git's own folder"), ("a//b", "it has an empty part ('//')"), (".", "it has a '.' part"),
       ("a/..", "it has a '..' part"), ("git~1/x", "'git~1' is git's own folder"), ("a /b", "'a ' begins or ends with a space")]


@pytest.mark.parametrize("path, why", BAD)
def test_widget_path_follows_the_path_rule(in_tmp, cli, path, why):
    (in_tmp / "healthgrid.yml").write_text(GRID)
    result = cli("widget", "--pages-url", PAGES, "--path", path)
    assert result.code == 2 and result.out == ""
    assert result.err == f"healthgrid: error: --path: {path!r} must be a plain folder inside the branch ({why})\n"


@pytest.mark.parametrize("path, why", BAD)
def test_the_folder_of_an_image_base_follows_the_path_rule(in_tmp, cli, path, why):
    (in_tmp / "healthgrid.yml").write_text(GRID)
    result = cli("dashboard", "--dry-run", "--image-base", f"https://cdn.example/{path}/")
    assert result.code == 2 and result.err.startswith("healthgrid: error: --image-base: ") and f"must name a plain folder ({why})" in result.err


@pytest.mark.parametrize("path, why", BAD)
def test_the_configs_paths_follow_the_path_rule(in_tmp, cli, path, why):
    for publish, key in ((f"{{to: ghpages, path: '{path}'}}", "publish.path"), (f"{{to: s3, bucket: b, prefix: '{path}/'}}", "publish.prefix")):
        (in_tmp / "healthgrid.yml").write_text(GRID + f"publish: {publish}\n")
        result = cli("widget", "--pages-url", PAGES)
        assert result.code == 2 and result.err.startswith(f"healthgrid: error: {key}: ") and why in result.err


def test_a_plain_widget_path_gives_the_url_a_publish_fills(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text(GRID)
    widgets = json.loads(cli("widget", "--pages-url", PAGES, "--path", "/previews/pr 7/").out)
    assert widgets[0]["definition"]["url"] == f"{PAGES}/previews/pr%207/g.png"
