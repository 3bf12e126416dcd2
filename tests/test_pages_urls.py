"""Image URLs: percent-encoded wherever they are printed, embedded or sent, and on GitHub
Enterprise Server pointing at its own pages site (or the `pages-url` input), not at github.io."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from healthgrid.files.embed import picture
from healthgrid.publish import Published
from healthgrid.site.urls import default_pages_url, encode_url, stable_url, versioned_url

from fakes.github import TOKEN, FakeGitHub

NOW = "2026-11-28T12:00:00Z"
ODD = "previews/fix#12 a%b,c?d"  # a fragment, a space, a percent, a comma, a query: all part of the folder's name


def _srcset_candidates(html: str) -> list[str]:
    class Parser(HTMLParser):
        found: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag == "source":
                self.found += dict(attrs)["srcset"].split()

    parser = Parser()
    parser.feed(html)
    return parser.found


def test_an_odd_folder_name_is_encoded_in_every_url_the_action_gives_on_enterprise_server(runner, tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 12}}))
    (runner.workspace / "healthgrid.yml").write_text("grids:\n  - {name: health_grid, days: 2, rows: [{label: A, query: 'avg:a{*}'}]}\n")
    gh = FakeGitHub().start()
    try:
        proc, outputs, summary = runner({"INPUT_DEMO": "true", "INPUT_NOW": NOW, "INPUT_PAGES-PATH": ODD, "INPUT_PR-COMMENT": "true",
                                         "INPUT_GITHUB-TOKEN": TOKEN},
                                        {"GITHUB_API_URL": gh.url, "GITHUB_EVENT_PATH": str(event), "GITHUB_SERVER_URL": "https://ghe.example.com"})
        assert proc.returncode == 0, proc.stderr
        site, folder = "https://ghe.example.com/pages/acme/health", "previews/fix%2312%20a%25b%2Cc%3Fd"
        assert outputs["image-url"] == f"{site}/{folder}/health_grid.png"
        assert outputs["dark-image-url"] == f"{site}/{folder}/health_grid_dark.png"
        for image in json.loads(outputs["images"]):
            for url in (image["url"], image["versioned_url"]):
                parts = urlsplit(url)
                assert unquote(parts.path) == f"/pages/acme/health/{ODD}/{image['file']}" and parts.fragment == "" and " " not in url
            assert urlsplit(image["versioned_url"]).query.startswith("v=")
        (dark,) = _srcset_candidates(outputs["embed"])  # one candidate: nothing split it
        assert dark.startswith(f"{site}/{folder}/health_grid_dark.png?v=")
        assert f"({site}/{folder}/health_grid.png?v=" in summary
        (comment,) = gh.comments[12]
        assert f"({site}/{folder}/health_grid.png?v=" in comment["body"]
    finally:
        gh.stop()


def test_widget_json_has_encoded_urls(in_tmp, cli, monkeypatch):
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/health")
    result = cli("widget", "--path", "team a/#1")
    assert result.code == 0, result.err
    (widget,) = json.loads(result.out)
    assert widget["definition"]["url"] == "https://acme.github.io/health/team%20a/%231/health_grid.png"
    given_url = cli("widget", "--url", "https://x.example/a b.png", "--dark-url", "https://x.example/a \"b\".png")
    definition = json.loads(given_url.out)[0]["definition"]
    assert (definition["url"], definition["url_dark_theme"]) == ("https://x.example/a%20b.png", "https://x.example/a%20%22b%22.png")


def test_urls_from_an_upstream_answer_are_encoded():
    """An image host's answer is no more trusted than a config: its link is encoded before use."""
    image = Published("g.png", "https://i.imgur.com/a b<c>.png", "https://i.imgur.com/a b<c>.png?v=1")
    assert (image.url, image.versioned_url) == ("https://i.imgur.com/a%20b%3Cc%3E.png", "https://i.imgur.com/a%20b%3Cc%3E.png?v=1")
    embed = picture("https://h.example/a b.png", "https://h.example/d ,.png,", "alt")
    assert _srcset_candidates(embed) == ["https://h.example/d%20%2C.png%2C"]
    assert 'src="https://h.example/a%20b.png"' in embed


def test_the_version_goes_into_the_query_before_any_fragment():
    assert re.fullmatch(r"https://h/a\.png\?x=1&v=[0-9a-f]{12}#top", versioned_url("https://h/a.png?x=1#top", b"x"))
    assert re.fullmatch(r"https://h/a%20b\.png\?v=[0-9a-f]{12}", versioned_url(encode_url("https://h/a b.png"), b"x"))


@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/"), min_size=1, max_size=12), min_size=1, max_size=3),
       st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/"), min_size=1, max_size=12))
def test_a_stable_url_names_exactly_its_file(folders, filename):
    url = stable_url("https://acme.github.io/health", "/".join(folders), filename)
    parts = urlsplit(url)
    assert parts.query == parts.fragment == "" and not re.search(r"[\s\"<>\\^`{|}\x00-\x1f\x7f]", url) and url.isascii()
    assert [unquote(p) for p in parts.path.split("/")[2:]] == [*folders, filename]
    assert encode_url(url) == url


@pytest.mark.parametrize("server,repository,expected", [
    ("", "acme/health", "https://acme.github.io/health"),
    ("https://github.com", "Acme/acme.github.io", "https://acme.github.io"),
    ("https://ghe.example.com", "acme/health", "https://ghe.example.com/pages/acme/health"),
    ("https://ghe.example.com/", "acme/acme.ghe.example.com", "https://ghe.example.com/pages/acme"),  # a user or organisation site
    ("http://10.0.0.7:8080", "acme/health", "http://10.0.0.7:8080/pages/acme/health"),
    ("https://acme.ghe.com", "acme/health", None),  # GHE.com: nothing to derive it from
    ("https://ghe.example.com", "", None),
])
def test_the_pages_url_follows_the_server(server, repository, expected):
    assert default_pages_url({"GITHUB_SERVER_URL": server, "GITHUB_REPOSITORY": repository}) == expected
    if repository:  # publishing to another repository: that repository's site
        assert default_pages_url({"GITHUB_SERVER_URL": server, "GITHUB_REPOSITORY": "someone/else"}, repository=repository) == expected


def test_the_pages_url_input_sets_where_the_urls_point(runner):
    proc, outputs, _ = runner({"INPUT_DEMO": "true", "INPUT_NOW": NOW, "INPUT_THEME": "light",
                               "INPUT_PAGES-URL": "https://pages.ghe.example.com/acme/health/"}, {"GITHUB_SERVER_URL": "https://ghe.example.com"})
    assert proc.returncode == 0, proc.stderr
    assert outputs["image-url"] == "https://pages.ghe.example.com/acme/health/healthgrid/health_grid.png"


@pytest.mark.parametrize("env,pages_url,error", [
    ({"GITHUB_SERVER_URL": "https://acme.ghe.com"}, None, "--pages-url: not given, and GITHUB_SERVER_URL (https://acme.ghe.com) has no pages URL"),
    ({}, "https://x.example/site?a=1", "--pages-url: 'https://x.example/site?a=1' must not have a query or fragment"),
    ({}, "x.example/site", "--pages-url: 'x.example/site' must start with https://"),
])
def test_a_pages_url_that_cannot_be_used_is_a_usage_error(in_tmp, cli, monkeypatch, git, env, pages_url, error):
    git("init", "--bare", "-q", str(in_tmp / "p.git"))
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/health")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = cli("run", "--demo", "--publish", "ghpages", "--remote", str(in_tmp / "p.git"), *(["--pages-url", pages_url] if pages_url else []))
    assert result.code == 2 and result.err.startswith(f"healthgrid: error: {error}"), result.err
