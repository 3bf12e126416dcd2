"""Secrets are never printed, on any path: keys and tokens echoed back by a proxy, an upstream error
body, a remote's URL or a Datadog host are redacted in the one error line, the --json result, the
Action's annotations and its job summary; the Action masks each secret, line by line, before it
prints anything else."""

import io
import json

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from healthgrid import action
from healthgrid.action.run import _comment
from healthgrid.console import Console
from healthgrid.publish.comment import image_block
from healthgrid.secrets import redact

from conftest import NOW, PAGES
from fakes.datadog import API_KEY, APP_KEY
from fakes.github import TOKEN, FakeGitHub
from fakes.http import Response
from fakes.imgur import CLIENT_ID

# A proxy that echoes the request it refused, headers and all.
PROXY_SECRET = "dXNlcjpzM2NyZXQtcHJveHktcGFzcw=="
INJECT = "x\n::warning title=pwned::owned\r\n##[error]legacy"


def echoed_headers() -> str:
    return (f"400 Bad Request via https://svc:hunter2pass@proxy.internal/ {INJECT}\n"
            f"DD-API-KEY: {API_KEY}\nDD-APPLICATION-KEY: {APP_KEY}\nProxy-Authorization: Basic {PROXY_SECRET}\n"
            f"{{'Authorization': 'Bearer ghp_notregistered123456'}} " + "padding " * 30 + "https://svc:hunter2pass@proxy.internal/")


def runner_commands(text: str) -> list[str]:
    """Lines the Actions runner would act on: `::cmd` after leading spaces, or `##[` anywhere."""
    return [line for line in text.splitlines() if line.lstrip().startswith("::") or "##[" in line]


def config(tmp_path):
    path = tmp_path / "hostile.yml"
    path.write_text(json.dumps({"grids": [{"name": "g", "title": "T", "days": 3, "rows": [{"label": "A", "query": "avg:a{*}"}]}]}))
    return str(path)


def no_secret(*texts):
    for text in texts:
        for secret in (API_KEY, APP_KEY, TOKEN, CLIENT_ID):
            assert secret not in text


def one_line_error(err: str) -> str:
    """The `healthgrid: error:` lines (each is one whole message), joined for `in` checks."""
    lines = [line for line in err.strip().splitlines() if line.startswith("healthgrid: error:")]
    assert lines, err
    return "\n".join(lines)


def test_redact_recognises_secret_shapes_it_was_never_told():
    text = redact('DD-API-KEY: 0123abcd {"dd-application-key": "x"} Authorization: token abc '
                  "https://oauth2:PASSWORD@host/o/r.git api_key=k3y&x=1 Bearer ghs_0123456789")
    assert text == ('DD-API-KEY: *** {"dd-application-key": "***"} Authorization: *** '
                    "https://***@host/o/r.git api_key=***&x=1 Bearer ***")
    assert redact("DD_API_KEY: not set; the token provided is fine") == "DD_API_KEY: not set; the token provided is fine"


# --- echoed by an upstream answer ------------------------------------------------------------------

def test_per_grid_error_line_and_json_redact_an_echoed_request(in_tmp, cli, dd):
    dd.fail_next("/api/v2/query/timeseries", Response(400, {"errors": [echoed_headers()]}), times=60)
    result = cli("run", "--config", config(in_tmp), "--now", NOW, "--json", "--timeout", "5")
    assert result.code == 1
    printed = result.out + result.err
    for secret in (API_KEY, APP_KEY, PROXY_SECRET, "ghp_notregistered123456", "hunt"):
        assert secret not in printed  # not even the part before a cut
    assert "DD-API-KEY: ***" in result.err and "https://***@proxy.internal/" in result.err
    assert json.loads(result.out)["grids"][0]["error"].startswith("g: Datadog rejected")
    assert runner_commands(printed) == []


def test_an_imgur_error_body_echoing_the_client_id_is_redacted(imgur, cli, in_tmp):
    imgur.fail_next("/3/image", Response(400, f"bad request\nAuthorization: Client-ID {CLIENT_ID}\n::warning::x", content_type="text/plain"))
    (in_tmp / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = cli("publish", "imgur", "a.png")
    assert result.code == 1
    line = one_line_error(result.err)
    assert "Imgur answered 400" in line
    assert not any(line.startswith("::") for line in result.err.splitlines())
    no_secret(result.err)


def test_a_github_error_body_echoing_the_token_is_one_redacted_line(github, cli, in_tmp):
    github.fail_next("/repos/o/r/issues/1/comments", Response(500, f"oops\nAuthorization: Bearer {TOKEN}\n::error::x", content_type="text/plain"))
    result = cli("comment", "--repo", "o/r", "--pr", "1", "https://example.com/x.png")
    assert result.code == 1
    assert "GitHub answered 500" in one_line_error(result.err)
    assert not any(line.startswith("::") for line in result.err.splitlines())
    no_secret(result.err)


# --- in a URL we were given -------------------------------------------------------------------------

def test_userinfo_in_datadog_host_is_never_printed(cli, in_tmp, monkeypatch):
    monkeypatch.setenv("DD_API_KEY", API_KEY)
    monkeypatch.setenv("DD_APP_KEY", APP_KEY)
    monkeypatch.setenv("DATADOG_HOST", "http://proxyuser:hunter2-proxy@127.0.0.1:9")
    result = cli("render", "--now", NOW, "--timeout", "1")
    assert result.code == 1 and "cannot reach Datadog at http://127.0.0.1:9" in result.err
    assert "hunter2" not in result.err and "proxyuser" not in result.err


@pytest.mark.parametrize("userinfo,secret", [("oauth2:Pa55word-s3cret", "Pa55word-s3cret"), ("ghp_tokenasusername", "ghp_tokenasusername")])
def test_url_credentials_never_printed(tmp_path, cli, userinfo, secret, out_dir):
    remote = f"http://{userinfo}@127.0.0.1:9/acme/health.git"
    for extra in ((), ("--json",), ("--debug",)):
        result = cli("publish", "ghpages", str(out_dir(tmp_path)), "--remote", remote, "--pages-url", PAGES, *extra)
        assert result.code == 1, result.err
        if extra != ("--debug",):
            lines = result.err.splitlines()
            assert len(lines) == 1 and lines[0].startswith("healthgrid: error: "), result.err
        assert secret not in result.out + result.err and userinfo not in result.out + result.err
        assert "http://127.0.0.1:9/acme/health.git" in result.err


@pytest.mark.parametrize("remote, secret", [
    ("user:Scp5ecretPw@127.0.0.1:x.git", "Scp5ecretPw"),  # git's scp form, with a password in the user part
    ("http://127.0.0.1:1/x.git?access_token=Qu3rySecret", "Qu3rySecret"),
    ("http://127.0.0.1:1/x.git?token=QuerySecretNoDigits", "QuerySecretNoDigits"),
])
def test_credentials_in_other_remote_shapes_are_not_printed(tmp_path, cli, out_dir, monkeypatch, remote, secret):
    monkeypatch.chdir(tmp_path)
    out_dir(tmp_path)
    result = cli("publish", "ghpages", "out", "--remote", remote, "--pages-url", "https://a.example")
    assert result.code == 1, result.err
    assert result.err.startswith("healthgrid: error: publish: git ls-remote against ")
    assert secret not in result.err + result.out


# --- the Action -------------------------------------------------------------------------------------

def test_action_error_annotation_and_summary_stay_clean(runner, tmp_path):
    from fakes.datadog import FakeDatadog

    dd = FakeDatadog().start()
    try:
        dd.fail_next("/api/v2/query/timeseries", Response(400, {"errors": [echoed_headers()]}), times=60)
        (runner.workspace / "healthgrid.yml").write_text(open(config(tmp_path)).read())
        inputs = {"INPUT_DATADOG-API-KEY": API_KEY, "INPUT_DATADOG-APP-KEY": APP_KEY, "INPUT_NOW": NOW, "INPUT_PUBLISH": "none"}
        proc, outputs, summary = runner(inputs, {"DATADOG_HOST": dd.url})
    finally:
        dd.stop()
    assert proc.returncode == 1
    everything = proc.stdout + proc.stderr + summary
    for secret in (API_KEY, APP_KEY):
        assert everything.count(secret) == 1, secret  # its ::add-mask:: line only
    for secret in (PROXY_SECRET, "ghp_notregistered123456", "hunter2pass"):
        assert secret not in everything
    assert any(line.startswith("::error title=healthgrid::g: Datadog rejected") for line in proc.stdout.splitlines())
    html = cmarkgfm.github_flavored_markdown_to_html(summary, options=Options.CMARK_OPT_UNSAFE)
    assert "**healthgrid failed:**" in summary and "<pre lang=\"text\"><code>g: Datadog rejected" in html
    commands = [line.lstrip().split("::")[1].split(" ")[0] if line.lstrip().startswith("::") else "legacy"
                for line in runner_commands(proc.stdout + proc.stderr)]
    assert set(commands) <= {"add-mask", "error"}


def test_action_pr_comment_warning_redacts_an_echoed_token(tmp_path, monkeypatch):
    github = FakeGitHub().start()
    github.fail_next("/repos/", Response(500, f"upstream error; request had Authorization: Bearer {TOKEN}", content_type="text/plain"))
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 5}}))
    err = io.StringIO()
    try:
        _comment({"GITHUB_EVENT_PATH": str(event), "GITHUB_REPOSITORY": "acme/health", "GITHUB_API_URL": github.url},
                 [image_block("https://x.example/g.png?v=1")], TOKEN, Console(err, err, commands=err))
    finally:
        github.stop()
    assert err.getvalue().startswith("::warning::pr-comment: comment: GitHub answered 500")
    assert TOKEN not in err.getvalue() and "Authorization: ***" in err.getvalue()


def test_multi_line_secret_is_masked_line_by_line_and_escaped(in_tmp, monkeypatch):
    for var in ("DD_API_KEY", "DD_APP_KEY", "DD_SITE", "IMGUR_CLIENT_ID", "GITHUB_TOKEN"):
        monkeypatch.delenv(var, raising=False)  # only the inputs give keys
    key = "-----BEGIN KEY-----\nline%0Atwo-secret\r\nthird-line-secret\n-----END KEY-----"
    out, err = io.StringIO(), io.StringIO()
    code = action.main({"INPUT_CONFIG": "missing.yml", "INPUT_DATADOG-API-KEY": key}, out, err)
    assert code == 2
    out, err = out.getvalue(), err.getvalue()
    masks = [line for line in out.splitlines() if line.startswith("::add-mask::")]
    assert masks == ["::add-mask::-----BEGIN KEY-----", "::add-mask::line%250Atwo-secret", "::add-mask::third-line-secret",
                     "::add-mask::-----END KEY-----"]
    assert out.splitlines()[: len(masks)] == masks
    assert "third-line-secret" not in out.replace("::add-mask::third-line-secret", "") + err
