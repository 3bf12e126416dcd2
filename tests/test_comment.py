"""The sticky pull-request comment against a loopback GitHub API."""


from healthgrid.publish.comment import MARKER

from fakes.github import TOKEN


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
