"""Hostile text: secrets never printed, no workflow command from user text, Markdown and HTML that
say only what the grid says, and a sticky comment that never edits someone else's comment."""

import io
import json
import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from healthgrid import action
from healthgrid.action.run import _comment
from healthgrid.action.summary import summary as write_summary
from healthgrid.console import Console
from healthgrid.files.markdown import markdown
from healthgrid.files.page import page
from healthgrid.publish.comment import MARKER, body_for, image_block
from healthgrid.secrets import redact
from healthgrid.text import md_code_block, md_text, one_line

from conftest import NOW
from fakes.datadog import API_KEY, APP_KEY
from fakes.github import ACTIONS_BOT, OCTOCAT, PAT, TOKEN, FakeGitHub
from fakes.http import Response
from helpers import make_grid, spec_for

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


def html_of(md: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(md, options=Options.CMARK_OPT_UNSAFE)


def config(tmp_path, query="avg:a{*}", title="T"):
    path = tmp_path / "hostile.yml"
    path.write_text(json.dumps({"grids": [{"name": "g", "title": title, "days": 3, "rows": [{"label": "A", "query": query}]}]}))
    return str(path)


# --- 2b: secrets on every error path ----------------------------------------------------------------


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
    assert "**healthgrid failed:**" in summary and "<pre lang=\"text\"><code>g: Datadog rejected" in html_of(summary)
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


def test_redact_recognises_secret_shapes_it_was_never_told():
    text = redact('DD-API-KEY: 0123abcd {"dd-application-key": "x"} Authorization: token abc '
                  "https://oauth2:PASSWORD@host/o/r.git api_key=k3y&x=1 Bearer ghs_0123456789")
    assert text == ('DD-API-KEY: *** {"dd-application-key": "***"} Authorization: *** '
                    "https://***@host/o/r.git api_key=***&x=1 Bearer ***")
    assert redact("DD_API_KEY: not set; the token provided is fine") == "DD_API_KEY: not set; the token provided is fine"


# --- 2d: a multi-line secret is masked line by line -------------------------------------------------


def _action(monkeypatch, inputs: dict) -> tuple[int, str, str]:
    for var in ("DD_API_KEY", "DD_APP_KEY", "DD_SITE", "IMGUR_CLIENT_ID", "GITHUB_TOKEN"):
        monkeypatch.delenv(var, raising=False)  # only the inputs give keys
    out, err = io.StringIO(), io.StringIO()
    code = action.main({"INPUT_CONFIG": "missing.yml", **inputs}, out, err)
    return code, out.getvalue(), err.getvalue()


def test_multi_line_secret_is_masked_line_by_line_and_escaped(in_tmp, monkeypatch):
    key = "-----BEGIN KEY-----\nline%0Atwo-secret\r\nthird-line-secret\n-----END KEY-----"
    code, out, err = _action(monkeypatch, {"INPUT_DATADOG-API-KEY": key})
    assert code == 2
    masks = [line for line in out.splitlines() if line.startswith("::add-mask::")]
    assert masks == ["::add-mask::-----BEGIN KEY-----", "::add-mask::line%250Atwo-secret", "::add-mask::third-line-secret",
                     "::add-mask::-----END KEY-----"]
    assert out.splitlines()[: len(masks)] == masks
    assert "third-line-secret" not in out.replace("::add-mask::third-line-secret", "") + err


# --- 4: no workflow command from user text ---------------------------------------------------------


def test_action_config_input_cannot_inject_a_command(in_tmp, monkeypatch):
    code, out, err = _action(monkeypatch, {"INPUT_CONFIG": "nope.yml\n::warning title=pwned::x"})
    assert code == 2
    assert runner_commands(err) == [] and [c for c in runner_commands(out) if not c.startswith("::error")] == []
    assert "healthgrid: error: input config: has a line break" in err


@pytest.mark.parametrize("argv", [
    ["render", "--config", "nope.yml\n::warning title=pwned::x"],
    ["render", "--demo", "--format", "png,##[warning]x"],
    ["render", "--demo", "--out", "::warning::x"],
])
def test_cli_errors_and_results_never_start_a_command(in_tmp, cli, argv):
    result = cli(*argv)
    assert runner_commands(result.out + result.err) == []
    assert all(line.startswith("healthgrid: ") for line in result.err.splitlines())


def test_a_query_with_a_command_echoed_by_a_datadog_400_stays_inert(in_tmp, cli, dd):
    query = "avg:a{*}\n::warning title=pwned::x ##[error]y"
    dd.fail_next("/api/v2/query/timeseries", Response(400, {"errors": [f"Error parsing query: {query}"]}), times=60)
    result = cli("render", "--config", config(in_tmp, query=query), "--now", NOW, "--timeout", "5", "--json")
    assert result.code in (1, 2)
    assert runner_commands(result.out + result.err) == []
    assert all(line.startswith("healthgrid: ") for line in result.err.splitlines())


def test_one_line_shows_control_characters_and_defuses_legacy_commands():
    assert one_line("a\nb\r\x1b[31m\u2028##[warning]x") == "a\\nb\\r\\x1b[31m\\u2028##\\u005bwarning]x"


# One set of control characters everywhere: what a config refuses is what a log line shows escaped,
# what Markdown and HTML drop, what an Action input, a commit message and a published name refuse.
@pytest.mark.parametrize("char", ["\x1b", "\x85", "\u202e", "\u2066", "\ufeff", "\u061c"])
def test_every_place_knows_the_same_control_characters(char, tmp_path):
    from healthgrid.action.inputs import multiline_input
    from healthgrid.config import ConfigError, parse_config
    from healthgrid.files.index import entries
    from healthgrid.site.target import check_message
    from healthgrid.text import html_text

    with pytest.raises(ConfigError, match="control characters"):
        parse_config({"grids": [{"name": "g", "title": f"a{char}b", "rows": [{"label": "l", "query": "avg:m{*}"}]}]}, None)
    assert one_line(f"a{char}b") == f"a\\{'x' if ord(char) < 0x100 else 'u'}{ord(char):0{2 if ord(char) < 0x100 else 4}x}b"
    assert char not in md_text(f"a{char}b") and char not in html_text(f"a{char}b")
    assert multiline_input({"INPUT_PAGES-PATH": f"a{char}b"}) == "pages-path"
    with pytest.raises(Exception, match="control characters"):
        check_message(f"fix{char}\nbody")
    assert [e.name for e in entries([f"g{char}.png", "h.png"], lambda name: None)] == ["h"]


# --- 5: Markdown, HTML, the PR comment and the summary ---------------------------------------------

HOSTILE_TITLE = "Title\n<img src=https://evil.example/p.png>\n@octocat\n::error::x\n- item"
HOSTILE_LABEL = "Lbl](https://evil.example) ![x"


def hostile_grid():
    return make_grid([
        (HOSTILE_LABEL, [0.2, 0.9], dict(group="CI | <!-- hide")),
        ("split\rrow", [0.5, 0.1], dict(group="CI | <!-- hide", unit="s|x", raw=[3, 4], score=None)),
        ("$x$ *b* `c` <b>&amp;", [0.8, 0.95]),
    ], title=HOSTILE_TITLE)


def test_markdown_renders_only_what_the_grid_says():
    grid = hostile_grid()
    md = markdown(grid, image="t.png")
    html = html_of(md)
    tags = set(re.findall(r"<([a-z0-9]+)", html))
    assert tags <= {"h2", "p", "img", "table", "thead", "tbody", "tr", "th", "td", "strong"}, tags
    assert html.count("<img") == 1 and 'src="t.png"' in html and "evil.example/p.png" not in re.findall(r'src="([^"]*)"', html)[0]
    assert "<!--" not in html and "<a " not in html and "<em>" not in html and "<code>" not in html
    assert html.count("<tr>") == 1 + 2 + 3  # header, the group's heading and "Other", three rows
    assert all(row.count("<td") == 3 for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:])
    assert "@\u2060octocat" in md and not any(line.startswith(("::", "@", "<", "- ")) for line in md.splitlines())
    assert "$x$" in html  # shown as typed, not as math
    alt = re.search(r'alt="([^"]*)"', html).group(1)
    assert alt.startswith("Title &lt;img src=https://evil.example/p.png&gt; @\u2060octocat ::error::x - item: 3 metrics")


def test_md_text_neutralises_each_construct():
    for hostile in ("](https://evil) ![x", "CI | <!-- hide", "a\rb\nc", "1. list", "# h", "> q", "<script>", "&lt;", "~~s~~"):
        html = html_of(f"| h |\n|---|\n| {md_text(hostile)} |\n")
        assert html.count("<td>") == 1 and "<a" not in html and "<!--" not in html and "<script" not in html and "<del" not in html
        assert html_of(md_text(hostile)).count("<p>") == 1


def test_html_page_has_no_control_characters_and_escapes_markup():
    grid = make_grid([("A\x1b[31m<script>", [0.5, 0.6], dict(group='"><!--'))], title="T\x00\x08<b>")
    body = page(grid, spec_for(grid), "light", [f"{grid.name}.png"]).decode()
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", body)
    assert "<script>" not in body and '"><!--' not in body and "<b>" not in body


def test_summary_quotes_error_bodies_inert_and_truncated(tmp_path):
    summary = tmp_path / "summary.md"
    body = "```\n</details><img src=https://evil.example/x.png> @octocat ::error::x " + "y" * 9000
    write_summary(str(summary), [], "", [body], Console(io.StringIO(), io.StringIO()))
    html = html_of(summary.read_text())
    assert "<img" not in html and "<details" not in html.replace("&lt;/details&gt;", "")
    assert "<pre lang=\"text\"><code>```" in html and "(truncated)" in html and len(summary.read_text()) < 6000


def test_md_code_block_fence_outlasts_backticks_inside():
    block = md_code_block("a ```` b\n``` c")
    assert block.startswith("`````text\n") and block.endswith("\n`````")


def test_comment_body_keeps_urls_inside_their_image(tmp_path):
    md = tmp_path / "g.md"
    md.write_text("## G\n\n![alt](g.png)\n")
    url = "https://x.example/g.png?v=1) ![pwn](https://evil.example/p.png"
    html = html_of(body_for([url, str(md)]))
    assert html.count("<img") == 1 and re.search(r'<img src="https://x.example/g.png\?v=1%29%20[^" ]*" alt="alt"', html)


# --- 3: the sticky comment is the bot's own ---------------------------------------------------------




def test_a_reviewers_comment_quoting_the_marker_is_never_edited(in_tmp, cli, github):
    quoted = github.add_comment(7, f"{MARKER}\nWhy is CI red here?", "reviewer")  # even at the very start
    quoting = github.add_comment(7, f"> {MARKER}\n> ### healthgrid preview\nLooks wrong", "octocat")
    before = [dict(c) for c in github.comments[7]]
    first = cli("comment", "--repo", "acme/health", "--pr", "7", "https://x.example/a.png?v=1")
    assert first.code == 0 and first.err.strip().endswith("comment: created on acme/health#7")
    assert github.comments[7][:2] == before and quoted["body"].endswith("CI red here?") and quoting["body"].endswith("Looks wrong")
    mine = github.comments[7][2]
    assert mine["user"] == ACTIONS_BOT and mine["body"].startswith(MARKER)
    second = cli("comment", "--repo", "acme/health", "--pr", "7", "https://x.example/a.png?v=2", "--json")
    assert second.out.strip() == '{"comment": "updated"}' and "v=2" in github.comments[7][2]["body"]
    assert github.comments[7][:2] == before and len(github.comments[7]) == 3
    assert len(github.calls("POST", "/graphql")) == 2  # GITHUB_TOKEN: GET /user is refused, the viewer answers


def test_a_personal_token_updates_its_own_comment_found_by_get_user(in_tmp, cli, github, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", PAT)
    bot = github.add_comment(9, f"{MARKER}\nold bot preview", ACTIONS_BOT)
    own = github.add_comment(9, f"{MARKER}\nold preview", OCTOCAT)
    result = cli("comment", "--repo", "acme/health", "--pr", "9", "https://x.example/a.png?v=3")
    assert result.code == 0 and "comment: updated" in result.err
    assert "v=3" in own["body"] and bot["body"].endswith("old bot preview")
    assert github.calls("POST", "/graphql") == []


def test_unknown_identity_edits_nothing_and_warns(in_tmp, cli, github):
    github.graphql_down = True
    human = github.add_comment(4, f"{MARKER}\nmine", "reviewer")
    result = cli("comment", "--repo", "acme/health", "--pr", "4", "https://x.example/a.png")
    assert result.code == 0 and "cannot tell which account the token acts as" in result.err
    assert human["body"] == f"{MARKER}\nmine" and len(github.comments[4]) == 1


def test_a_binary_file_given_as_markdown_is_a_usage_error(in_tmp, cli, github):
    (in_tmp / "g.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    result = cli("comment", "--repo", "acme/health", "--pr", "3", "g.png")
    assert result.code == 2 and result.err.count("\n") == 1
    assert result.err.startswith("healthgrid: error: FILE_OR_URL: g.png: not UTF-8 text")
    assert github.requests == []


def test_the_actions_workflow_commands_go_out_escaped_and_redacted_through_the_console():
    from healthgrid.console import Console
    from healthgrid.secrets import register_secret

    out = io.StringIO()
    console = Console(io.StringIO(), io.StringIO(), commands=out)
    register_secret("wf-s3cr3t-0123456789")
    console.mask("wf-s3cr3t-0123456789")
    console.annotate("warning", "a\r\nb wf-s3cr3t-0123456789 100%")
    console.annotate("error", "g: failed", title="health:grid, one")
    assert out.getvalue().splitlines() == ["::add-mask::wf-s3cr3t-0123456789", "::warning::a%0D%0Ab *** 100%25",
                                           "::error title=health%3Agrid%2C one::g: failed"]
