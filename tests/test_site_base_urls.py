"""One check for every target's base URL (gh-pages' pages URL, S3's pages_url or bucket URL,
`dashboard --image-base`), made before anything is rendered or sent: an http(s) URL naming a
host, no query or fragment, no user or password, and a folder by the path rule."""

import json

import pytest

from conftest import NOW

GRID = "grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\n"
BAD = [
    ("https://cdn.example/a#b", "must not have a query or fragment"),
    ("https://cdn.example/x?y", "must not have a query or fragment"),
    ("https://cdn.example/x?", "must not have a query or fragment"),
    ("javascript:alert(1)//", "must start with https:// and name a host"),
    ("cdn.example/x", "must start with https:// and name a host"),
    ("https://", "must start with https:// and name a host"),
    ("https://cdn.example:99999/x", "must start with https:// and name a host"),
    ("https://user:secret@cdn.example/x", "must not hold a user or password"),
    ("https://cdn.example/a/../b", "must name a plain folder (it has a '..' part)"),
    ("https://cdn.example/a//b", "must name a plain folder (it has an empty part ('//'))"),
    ("https://cdn.example/x/.GIT", "must name a plain folder ('.GIT' is git's own folder)"),
    ("https://cdn.example/%2e%2e/x", "must name a plain folder (it has a '..' part)"),
    ("https://cdn example/x", "must start with https:// and name a host"),
    ("https://a$b.example/x", "must start with https:// and name a host"),
]


@pytest.fixture
def s3_env(monkeypatch):
    """An endpoint nothing listens on: a run that got as far as uploading fails with exit 1."""
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                       "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}.items():
        monkeypatch.setenv(key, value)


@pytest.mark.parametrize("url, why", BAD)
def test_an_s3_pages_url_flag_is_checked_before_any_work(in_tmp, cli, s3_env, url, why):
    (in_tmp / "healthgrid.yml").write_text(GRID + "publish: {to: s3, bucket: grids}\n")
    result = cli("run", "--demo", "--now", NOW, "--pages-url", url)
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("healthgrid: error: --pages-url: ") and why in result.err and len(result.err.splitlines()) == 1
    assert not (in_tmp / "healthgrid-out").exists()


@pytest.mark.parametrize("url, why", BAD)
def test_a_configs_pages_url_is_checked_as_it_is_read(in_tmp, cli, s3_env, url, why):
    (in_tmp / "healthgrid.yml").write_text(GRID + f"publish: {{to: s3, bucket: grids, pages_url: {json.dumps(url)}}}\n")
    result = cli("render", "--demo", "--now", NOW)
    assert result.code == 2 and result.err.startswith("healthgrid: error: publish.pages_url: ") and why in result.err
    assert not (in_tmp / "healthgrid-out").exists()


@pytest.mark.parametrize("url, why", BAD[:4] + BAD[7:9])
def test_gh_pages_and_the_dashboard_take_the_same_rule(in_tmp, cli, tmp_path, url, why):
    (in_tmp / "healthgrid.yml").write_text(GRID)
    result = cli("run", "--demo", "--now", NOW, "--publish", "ghpages", "--remote", str(tmp_path / "none.git"), "--pages-url", url)
    assert result.code == 2 and why in result.err and not (in_tmp / "healthgrid-out").exists()
    result = cli("dashboard", "--dry-run", "--image-base", url)
    assert result.code == 2 and result.err.startswith("healthgrid: error: --image-base: ") and why in result.err


@pytest.mark.parametrize("publish, error", [
    ("{to: s3, bucket: 'a/b'}", "publish.bucket: 'a/b' cannot be used (it is not an S3 bucket name"),
    ("{to: s3, bucket: grids, prefix: '../x/'}", "publish.prefix: '../x/' cannot be used (it has a '..' part)"),
    ("{to: s3, bucket: grids, prefix: 'a//b/'}", "publish.prefix: 'a//b/' cannot be used (it has an empty part ('//'))"),
    ("{to: s3, bucket: grids, prefix: '/x/'}", "publish.prefix: '/x/' cannot be used (it begins with '/')"),
])
def test_the_bucket_and_prefix_that_make_s3_urls_are_checked_too(in_tmp, cli, s3_env, publish, error):
    (in_tmp / "healthgrid.yml").write_text(GRID + f"publish: {publish}\n")
    result = cli("run", "--demo", "--now", NOW)
    assert result.code == 2 and result.err.startswith(f"healthgrid: error: {error}"), result.err


def test_a_good_s3_pages_url_is_encoded_like_every_other(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text(GRID + "publish: {to: s3, bucket: grids, prefix: 'état/', pages_url: 'https://cdn.example/a b/'}\n")
    body = json.loads(cli("dashboard", "--dry-run").out)
    images = [w["definition"] for group in body["widgets"] for w in group["definition"]["widgets"] if w["definition"]["type"] == "image"]
    assert images[0]["url"] == "https://cdn.example/a%20b/%C3%A9tat/g.png"


def test_an_access_point_as_the_bucket_needs_a_pages_url(in_tmp, cli, s3_env):
    arn = "arn:aws:s3:us-east-1:123456789012:accesspoint/grids"
    (in_tmp / "healthgrid.yml").write_text(GRID + f"publish: {{to: s3, bucket: '{arn}'}}\n")
    result = cli("run", "--demo", "--now", NOW)
    assert result.code == 2 and result.err.startswith("healthgrid: error: publish.pages_url: is required with an access point")
    (in_tmp / "healthgrid.yml").write_text(GRID + f"publish: {{to: s3, bucket: '{arn}', pages_url: 'https://cdn.example'}}\n")
    body = json.loads(cli("dashboard", "--dry-run").out)
    assert body["widgets"][0]["definition"]["widgets"][0]["definition"]["url"] == "https://cdn.example/g.png"
