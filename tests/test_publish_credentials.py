"""The GitHub token follows one rule on every path that sends it (a run, a removal, `publish
ghpages`, the pull-request comment): only to the GitHub server the run belongs to, over https; never
to a remote a config, a checkout's git config or a redirect names elsewhere, nor to a remote the
config names in a pull-request run, whose checkout (config included) is the pull request's."""

import io

import pytest

from healthgrid import action
from healthgrid.credentials import github_api_problem, github_token_target
from healthgrid.publish import ghpages

from conftest import NOW
from fakes.http import FakeServer, Response

TOKEN = "ghs_0123456789abcdefTOKEN"
CONFIG = "grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\npublish: {to: ghpages, remote: %s, pages_url: 'https://a.example'}\n"
CONFIG_WITH_REMOTE = "grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\npublish: {to: ghpages, remote: '%s'}\n"
WARNING = "publish.remote: set by the config, which this pull request can change; no credentials are sent to it"


class _AsksForCredentials(FakeServer):
    """A git host that answers every request 401, the way one asks a client for credentials."""

    def handle(self, request):
        return Response(401, b"", {"WWW-Authenticate": 'Basic realm="git"'}, content_type="text/plain")


@pytest.fixture
def elsewhere():
    server = _AsksForCredentials().start()
    yield server
    server.stop()


def no_credentials_reached(server):
    assert server.requests, "git did talk to the server"
    for request in server.requests:
        assert "authorization" not in request.headers, (request.path, request.headers)
        assert TOKEN not in request.path + str(request.query)


def test_a_remote_from_the_config_gets_no_token_in_the_action(runner, elsewhere, tmp_path):
    (runner.workspace / "healthgrid.yml").write_text(CONFIG % f"'{elsewhere.url}/acme/pages.git'")
    askpass = tmp_path / "askpass.sh"  # should git ever ask, it would be handed the token
    askpass.write_text(f"#!/bin/sh\ntouch {tmp_path}/asked\necho {TOKEN}\n")
    askpass.chmod(0o755)
    proc, _, _ = runner({"INPUT_DEMO": "true", "INPUT_NOW": NOW, "INPUT_THEME": "light", "INPUT_GITHUB-TOKEN": TOKEN},
                        {"GIT_ASKPASS": str(askpass), "SSH_ASKPASS": str(askpass), "GITHUB_SERVER_URL": elsewhere.url})
    assert proc.returncode == 1 and "publish: git ls-remote against" in proc.stderr
    no_credentials_reached(elsewhere)
    assert not (tmp_path / "asked").exists()
    assert TOKEN not in proc.stdout.replace(f"::add-mask::{TOKEN}", "") + proc.stderr


def test_the_checkouts_git_config_cannot_send_the_token_elsewhere(runner, elsewhere, git):
    """origin looks like github.com, but the checkout's url.insteadOf sends git elsewhere over http."""
    git("remote", "set-url", "origin", "https://github.com/acme/health.git", cwd=runner.workspace)
    git("config", f"url.{elsewhere.url}/.insteadOf", "https://github.com/", cwd=runner.workspace)
    proc, _, _ = runner({"INPUT_DEMO": "true", "INPUT_NOW": NOW, "INPUT_THEME": "light", "INPUT_PUBLISH": "ghpages", "INPUT_GITHUB-TOKEN": TOKEN})
    assert proc.returncode == 1, proc.stderr
    no_credentials_reached(elsewhere)


def test_the_runs_own_server_over_plain_http_gets_no_token(tmp_path, cli, elsewhere, monkeypatch, out_dir):
    monkeypatch.setenv("GITHUB_SERVER_URL", elsewhere.url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    out_dir(tmp_path)
    result = cli("publish", "ghpages", str(tmp_path / "out"), "--repository", "acme/pages", "--pages-url", "https://a.example")
    assert result.code == 1
    no_credentials_reached(elsewhere)


@pytest.mark.parametrize("remote, server, target", [
    ("https://github.com/acme/pages.git", None, "https://github.com"),
    ("https://GitHub.com:443/acme/pages", None, "https://github.com"),
    ("https://ghes.example.com/acme/pages.git", "https://ghes.example.com/", "https://ghes.example.com"),
    ("https://ghes.example.com:8443/a/b.git", "https://ghes.example.com:8443", "https://ghes.example.com:8443"),
    ("http://github.com/acme/pages.git", None, None),                   # plain http
    ("https://github.com:8443/acme/pages.git", None, None),             # another port
    ("https://github.com.evil.example/acme/pages.git", None, None),     # another host
    ("https://evil.example/github.com/acme/pages.git", None, None),
    ("https://x-access-token:abc@github.com/acme/pages.git", None, None),  # userinfo: the URL's own
    ("https://github.com@evil.example/acme/pages.git", None, None),
    ("https://github.com\\@evil.example/acme/pages.git", None, None),
    ("https://github.com%2f@evil.example/acme/pages.git", None, None),
    ("https://github.com/acme/pages.git?x=1", None, None),
    ("https://github.com#@evil.example/", None, None),
    ("https://github.com/acme/pages.git\n", None, None),
    ("git@github.com:acme/pages.git", None, None),                      # scp form: ssh
    ("ssh://git@github.com/acme/pages.git", None, None),
    ("file:///srv/pages.git", None, None),
    ("/srv/pages.git", None, None),
    ("ext::sh -c 'curl https://github.com/'", None, None),
    ("https://github.com/acme/pages.git", "https://ghes.example.com", None),  # not this run's server
    ("https://github.com/acme/pages.git", "http://github.com", None),          # a server without https gets nothing
    ("https://evil.example/acme/pages.git", "https://github.com@evil.example", None),  # not a plain server URL
])
def test_the_token_goes_only_to_this_runs_github_server_over_https(remote, server, target):
    env = {"GITHUB_SERVER_URL": server} if server else {}
    assert github_token_target(remote, env) == target


def test_a_config_remote_in_a_pull_request_run_gets_no_token(in_tmp, cli, monkeypatch):
    seen = {}

    def publish(files, **kwargs):
        seen.update(kwargs)
        return ghpages.PublishResult(changed=True, attempts=1)

    monkeypatch.setattr(ghpages, "publish", publish)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    (in_tmp / "healthgrid.yml").write_text(CONFIG % "'https://github.com/acme/pages.git'")
    for event, token in (("pull_request", None), ("pull_request_target", None), ("push", TOKEN), ("schedule", TOKEN)):
        monkeypatch.setenv("GITHUB_EVENT_NAME", event)
        result = cli("run", "--demo", "--now", NOW, "--format", "html")
        assert result.code == 0, result.err
        assert seen["token"] == token, event
        assert ("publish.remote: set by the config, which this pull request can change" in result.err) == (token is None)
    # A remote given on the command line is the workflow's own choice, not the pull request's.
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    assert cli("run", "--demo", "--now", NOW, "--format", "html", "--remote", "https://github.com/acme/pages.git").code == 0
    assert seen["token"] == TOKEN


def test_no_git_setting_carries_the_token_to_a_remote_that_may_not_have_it(tmp_path, remote, monkeypatch):
    envs = []

    class Recording(ghpages.Git):
        def run(self, *args, **kwargs):
            envs.append(dict(self.env))
            return super().run(*args, **kwargs)

    monkeypatch.setattr(ghpages, "Git", Recording)
    ghpages.publish({"g.png": b"x"}, remote=str(remote), token=TOKEN)
    assert envs and not any(TOKEN in value or "extraheader" in value for env in envs for value in env.values())


class _Anything(FakeServer):
    """Another origin that answers every request 200, like a dumb-HTTP git server would."""

    def handle(self, request):
        return Response(200, b"{}")


class _RedirectingGit(FakeServer):
    def __init__(self, target: str):
        super().__init__()
        self.target = target

    def handle(self, request):
        query = "&".join(f"{k}={v[0]}" for k, v in request.query.items())
        return Response(307, b"", {"Location": f"{self.target}{request.path}?{query}"})


def test_git_never_sends_the_token_to_the_host_a_redirect_names(tmp_path, cli, out_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_redirect0123456789secret")
    out_dir(tmp_path)
    elsewhere = _Anything().start()
    origin = _RedirectingGit(elsewhere.url).start()
    try:
        result = cli("publish", "ghpages", "out", "--remote", f"{origin.url}/o/r.git", "--pages-url", "https://a.example")
    finally:
        origin.stop()
        elsewhere.stop()
    assert all("authorization" not in r.headers for r in elsewhere.requests), [r.path for r in elsewhere.requests]
    assert result.code == 1
    assert "redirects are not followed" in result.err and "ghp_redirect" not in result.err


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
    (in_tmp / "healthgrid.yml").write_text(CONFIG_WITH_REMOTE % "https://github.com/attacker/x.git")
    code, err = action_run(in_tmp, monkeypatch, event, REMOVE="previews/pr-1")
    assert code == 0, err
    assert publishes[0]["remote"] == "https://github.com/attacker/x.git" and publishes[0]["remove"] == ["previews/pr-1"]
    assert publishes[0]["token"] is None
    assert WARNING in err


def test_a_removal_follows_the_rule_a_run_follows(in_tmp, monkeypatch, publishes):
    """Outside pull requests the config's remote is the repository's own choice; in one, a remote
    the workflow names (repository input) is the workflow's, not the pull request's."""
    (in_tmp / "healthgrid.yml").write_text(CONFIG_WITH_REMOTE % "https://github.com/acme/pages.git")
    for inputs in ({"REMOVE": "previews/pr-1"}, {"DEMO": "true", "NOW": NOW, "FORMAT": "html"}):
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
