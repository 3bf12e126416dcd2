"""The sticky pull-request comment against a loopback GitHub API: one comment per pull request, found
again across pages and edited in place; never someone else's comment, even one quoting the marker;
a missing permission is a warning; a bad argument, a file that is no Markdown or a GITHUB_API_URL
requests cannot use is a usage error, and a malformed answer one line."""

import pytest

from healthgrid.publish.comment import MARKER

from fakes.github import ACTIONS_BOT, OCTOCAT, PAT, TOKEN
from fakes.http import Response


def test_second_run_edits_the_first_comment_found_across_pages(in_tmp, cli, github):
    for i in range(25):
        github.add_comment(7, f"chatter {i}")
    md = in_tmp / "health_grid.md"
    md.write_text("## Grid\n\n![alt text](health_grid.png)\n\nalt text\n\n| a | b |\n|---|---:|\n")
    url = "https://acme.github.io/health/previews/pr-7/health_grid.png?v=abc123"
    first = cli("comment", "--repo", "acme/health", "--pr", "7", url, str(md))
    assert first.code == 0, first.err
    mine = [c for c in github.comments[7] if MARKER in c["body"]]
    assert len(mine) == 1 and "![alt text](" + url + ")" in mine[0]["body"] and "| a | b |" in mine[0]["body"]
    for i in range(10):  # push the comment onto an earlier page
        github.add_comment(7, f"more {i}")
    second = cli("comment", "--repo", "acme/health", "--pr", "7", url.replace("abc123", "def456"), str(md), "--json")
    assert second.code == 0 and second.out.strip() == '{"comment": "updated"}'
    mine = [c for c in github.comments[7] if MARKER in c["body"]]
    assert len(mine) == 1 and "v=def456" in mine[0]["body"]
    assert len(github.calls("POST", "/repos/acme/health/issues/7/comments")) == 1
    assert TOKEN not in first.err + second.err


def test_no_permission_is_a_warning_and_exit_0(in_tmp, cli, github):
    github.read_only = True
    result = cli("comment", "--repo", "acme/health", "--pr", "3", "https://x/y.png")
    assert result.code == 0
    assert "warning: comment: no permission to comment on acme/health#3" in result.err


def test_bad_arguments_are_exit_2(in_tmp, cli, github):
    assert cli("comment", "--repo", "acme", "--pr", "3", "https://x/y.png").err.startswith("healthgrid: error: --repo: 'acme' must be OWNER/REPO")
    assert cli("comment", "--repo", "a/b", "--pr", "x", "https://x/y.png").code == 2
    missing = cli("comment", "--repo", "a/b", "--pr", "3", "nope.md")
    assert missing.code == 2 and "FILE_OR_URL: nope.md: no such file" in missing.err


# --- only the bot's own comment is edited ----------------------------------------------------------

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


# --- arguments, files and answers that are not what a comment needs -----------------------------------

@pytest.mark.parametrize("png", [b"\x89PNG\r\n\x1a\n\xff\xfe", b"\x89PNG\r\n\x1a\n" + bytes(range(256))], ids=["short", "every-byte"])
def test_a_binary_file_given_as_markdown_is_a_usage_error(in_tmp, cli, github, png):
    (in_tmp / "g.png").write_bytes(png)
    result = cli("comment", "--repo", "acme/health", "--pr", "3", "g.png")
    assert result.code == 2 and result.err.count("\n") == 1
    assert result.err.startswith("healthgrid: error: FILE_OR_URL: g.png: not UTF-8 text") and "NAME.md" in result.err, result.err
    assert github.requests == []


def test_a_github_api_url_requests_cannot_use_is_a_usage_error(in_tmp, cli, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_x0123456789")
    monkeypatch.setenv("GITHUB_API_URL", "file:///etc")
    result = cli("comment", "--repo", "a/b", "--pr", "1", "https://x.example/a.png")
    assert result.code == 2, result.err
    assert result.err.startswith("healthgrid: error: GITHUB_API_URL: must be an http:// or https:// base URL")


def test_a_malformed_github_answer_is_one_line(github, cli, in_tmp):
    github.fail_next("/repos/o/r/issues/1/comments", Response(200, "<html>", content_type="text/html"))
    result = cli("comment", "--repo", "o/r", "--pr", "1", "https://example.com/x.png")
    assert result.code == 1
    lines = [line for line in result.err.splitlines() if line.startswith("healthgrid: error:")]
    assert "internal error" not in result.err and len(lines) == 1 and "GitHub" in lines[0], result.err
