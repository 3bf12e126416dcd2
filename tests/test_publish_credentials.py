"""The GitHub token goes only to the GitHub server the run belongs to, over https: never to a
remote a config, a checkout's git config or a redirect names elsewhere."""

import pytest

from healthgrid.credentials import github_token_target
from healthgrid.publish import ghpages

from conftest import NOW
from fakes.http import FakeServer, Response

TOKEN = "ghs_0123456789abcdefTOKEN"
CONFIG = "grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\npublish: {to: ghpages, remote: %s, pages_url: 'https://a.example'}\n"


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
    proc, _, _ = runner({"INPUT_DEMO": "true", "INPUT_NOW": NOW, "INPUT_GITHUB-TOKEN": TOKEN},
                        {"GIT_ASKPASS": str(askpass), "SSH_ASKPASS": str(askpass), "GITHUB_SERVER_URL": elsewhere.url})
    assert proc.returncode == 1 and "publish: git ls-remote against" in proc.stderr
    no_credentials_reached(elsewhere)
    assert not (tmp_path / "asked").exists()
    assert TOKEN not in proc.stdout.replace(f"::add-mask::{TOKEN}", "") + proc.stderr


def test_the_checkouts_git_config_cannot_send_the_token_elsewhere(runner, elsewhere, git):
    """origin looks like github.com, but the checkout's url.insteadOf sends git elsewhere over http."""
    git("remote", "set-url", "origin", "https://github.com/acme/health.git", cwd=runner.workspace)
    git("config", f"url.{elsewhere.url}/.insteadOf", "https://github.com/", cwd=runner.workspace)
    proc, _, _ = runner({"INPUT_DEMO": "true", "INPUT_NOW": NOW, "INPUT_PUBLISH": "ghpages", "INPUT_GITHUB-TOKEN": TOKEN})
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
        result = cli("run", "--demo", "--now", NOW, "--format", "png")
        assert result.code == 0, result.err
        assert seen["token"] == token, event
        assert ("publish.remote: set by the config, which this pull request can change" in result.err) == (token is None)
    # A remote given on the command line is the workflow's own choice, not the pull request's.
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    assert cli("run", "--demo", "--now", NOW, "--format", "png", "--remote", "https://github.com/acme/pages.git").code == 0
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
