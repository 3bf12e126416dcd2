"""The GitHub token follows one rule on every path that sends it (a run, a removal, `publish
ghpages`, the pull-request comment): only to the run's GitHub server over https, and never to a
remote the config names in a pull-request run, whose checkout (config included) is the pull
request's."""

import io

import pytest

from healthgrid import action
from healthgrid.credentials import github_api_problem
from healthgrid.publish import ghpages

from conftest import NOW

TOKEN = "ghs_0123456789abcdefTOKEN"
CONFIG = "grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\npublish: {to: ghpages, remote: '%s'}\n"
WARNING = "publish.remote: set by the config, which this pull request can change; no credentials are sent to it"


@pytest.fixture
def publishes(monkeypatch):
    """What ghpages.publish was asked, each call."""
    calls = []

    def publish(files, **kwargs):
        calls.append(kwargs)
        return ghpages.PublishResult(changed=True, attempts=1)

    monkeypatch.setattr(ghpages, "publish", publish)
    return calls


def action_run(in_tmp, monkeypatch, event, **inputs):
    monkeypatch.setenv("GITHUB_EVENT_NAME", event)
    env = {"GITHUB_EVENT_NAME": event, "GITHUB_REPOSITORY": "acme/health", "INPUT_GITHUB-TOKEN": TOKEN,
           "INPUT_PAGES-URL": "https://acme.github.io/health", "GITHUB_OUTPUT": str(in_tmp / "output"),
           **{f"INPUT_{name.upper()}": value for name, value in inputs.items()}}
    err = io.StringIO()
    code = action.main(env, io.StringIO(), err)
    return code, err.getvalue()


@pytest.mark.parametrize("event", ["pull_request", "pull_request_target"])
def test_a_removal_in_a_pull_request_sends_no_token_to_the_configs_remote(in_tmp, monkeypatch, publishes, event):
    (in_tmp / "healthgrid.yml").write_text(CONFIG % "https://github.com/attacker/x.git")
    code, err = action_run(in_tmp, monkeypatch, event, REMOVE="previews/pr-1")
    assert code == 0, err
    assert publishes[0]["remote"] == "https://github.com/attacker/x.git" and publishes[0]["remove"] == ["previews/pr-1"]
    assert publishes[0]["token"] is None
    assert WARNING in err


def test_a_removal_follows_the_rule_a_run_follows(in_tmp, monkeypatch, publishes):
    """Outside pull requests the config's remote is the repository's own choice; in one, a remote
    the workflow names (repository input) is the workflow's, not the pull request's."""
    (in_tmp / "healthgrid.yml").write_text(CONFIG % "https://github.com/acme/pages.git")
    for inputs in ({"REMOVE": "previews/pr-1"}, {"DEMO": "true", "NOW": NOW, "THEME": "light"}):
        code, err = action_run(in_tmp, monkeypatch, "push", **inputs)
        assert code == 0, err
        assert publishes[-1]["token"] == TOKEN and WARNING not in err
        code, err = action_run(in_tmp, monkeypatch, "pull_request", **inputs)
        assert code == 0, err
        assert publishes[-1]["token"] is None and WARNING in err
        code, err = action_run(in_tmp, monkeypatch, "pull_request", REPOSITORY="acme/pages", **inputs)
        assert code == 0, err
        assert publishes[-1]["remote"] == "https://github.com/acme/pages.git" and publishes[-1]["token"] == TOKEN


@pytest.mark.parametrize("api, problem", [
    ("https://api.github.com", False),
    ("https://ghes.example.com/api/v3", False),
    ("http://127.0.0.1:8080", False),  # this machine: a local proxy, never the network
    ("http://[::1]:8080", False),
    ("http://localhost:8080/api", False),
    ("http://api.github.com", True),
    ("http://ghes.example.com/api/v3", True),
    ("http://10.0.0.1/api/v3", True),
    ("http://127.0.0.1.evil.example/", True),
])
def test_the_comment_sends_the_token_over_https_or_to_this_machine_only(api, problem):
    assert (github_api_problem(api) is not None) == problem


def test_a_plain_http_github_api_is_refused_before_any_request(cli, in_tmp, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", "http://192.0.2.1:9")  # not this machine: the token would cross a network in clear
    result = cli("comment", "--repo", "acme/health", "--pr", "1", "https://acme.github.io/health/g.png")
    assert result.code == 2
    assert result.err == "healthgrid: error: GITHUB_API_URL: http://192.0.2.1:9 is not https; the GitHub token is never sent in clear over a network\n"
