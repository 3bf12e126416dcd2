"""gh-pages publishing against hostile input and misbehaving remotes (issue 12), with the real git
CLI against local bare repositories and a loopback HTTP server."""

import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from healthgrid.publish import git as publish_git
from healthgrid.publish.ghpages import publish

from conftest import PAGES


@pytest.fixture
def tip(git):
    def rev(bare, branch="gh-pages"):
        return git("--git-dir", str(bare), "rev-parse", branch)
    return rev


def publish_cli(cli, d, remote, *argv):
    return cli("publish", "ghpages", *([str(d)] if d else []), "--remote", str(remote), "--pages-url", PAGES, *argv)


def one_error_line(result, code=1):
    assert result.code == code, (result.code, result.err)
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("healthgrid: error: "), result.err
    return lines[0]


# 1. Only regular files inside DIR are published; no link is followed.

@pytest.mark.parametrize("make_link", [
    lambda d, outside: (d / "notes.txt").symlink_to(outside / "environ"),       # a file outside
    lambda d, outside: (d / "copy.png").symlink_to(d / "health_grid.png"),      # a file inside DIR
    lambda d, outside: (d / "etc").symlink_to(outside, target_is_directory=True),  # a folder
    lambda d, outside: os.mkfifo(d / "pipe.png"),                               # never opened: it would block
], ids=["file-outside", "file-inside", "directory", "fifo"])
def test_a_link_in_dir_is_refused_and_nothing_is_published(tmp_path, remote, cli, make_link, out_dir, tip):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "environ").write_text("GITHUB_TOKEN=ghs_leaked")
    d = out_dir(tmp_path)
    make_link(d, outside)
    before = tip(remote)
    line = one_error_line(publish_cli(cli, d, remote), code=2)
    assert ("is not a regular file" if "pipe" in line else "is a symbolic link") + "; only regular files are published" in line
    assert tip(remote) == before, "nothing is pushed"


def test_dir_itself_a_link_is_refused(tmp_path, remote, cli, branch_files):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0")
    (tmp_path / "out").symlink_to(tmp_path / "etc", target_is_directory=True)
    line = one_error_line(publish_cli(cli, tmp_path / "out", remote), code=2)
    assert "is a symbolic link" in line and branch_files(remote) == ["index.html"]


# 2a. Credentials in the remote URL are never printed.

@pytest.mark.parametrize("userinfo,secret", [("oauth2:Pa55word-s3cret", "Pa55word-s3cret"), ("ghp_tokenasusername", "ghp_tokenasusername")])
def test_url_credentials_never_printed(tmp_path, cli, userinfo, secret, out_dir):
    remote = f"http://{userinfo}@127.0.0.1:9/acme/health.git"
    for extra in ((), ("--json",), ("--debug",)):
        result = publish_cli(cli, out_dir(tmp_path), remote, *extra)
        line = one_error_line(result) if extra != ("--debug",) else result.err
        assert secret not in result.out + result.err and userinfo not in result.out + result.err
        assert "http://127.0.0.1:9/acme/health.git" in line


# 6. --remove removes one literal path.

@pytest.fixture
def previews(remote, git):
    seed = remote.parent / "seed"
    for pr in ("pr-1", "pr-2"):
        (seed / "previews" / pr).mkdir(parents=True)
        (seed / "previews" / pr / "a.png").write_text(pr)
    git("add", "previews", cwd=seed)
    git("commit", "-qm", "two previews", cwd=seed)
    git("push", "-q", str(remote), "gh-pages", cwd=seed)
    return remote


@pytest.mark.parametrize("path", [".", "", "/previews", "../x", "previews/../..", "./previews", "previews//pr-1", "a\nb"])
def test_remove_refuses_paths_that_are_not_one_path_inside_the_branch(previews, cli, path, tip):
    before = tip(previews)
    line = one_error_line(publish_cli(cli, None, previews, "--remove", path), code=2)
    assert line.startswith("healthgrid: error: --remove: ")
    assert tip(previews) == before


@pytest.mark.parametrize("pattern", ["previews/pr-*", ":!index.html", "*.png", "previews/*/a.png"])
def test_remove_takes_a_pattern_literally(previews, cli, pattern, branch_files):
    before = branch_files(previews)
    result = publish_cli(cli, None, previews, "--remove", pattern)
    assert result.code == 0, result.err
    assert branch_files(previews) == before, "no file matches that literal path"


def test_remove_drops_exactly_the_named_folder(previews, cli, branch_files):
    assert publish_cli(cli, None, previews, "--remove", "previews/pr-1/").code == 0
    assert branch_files(previews) == ["index.html", "previews/pr-2/a.png"]


# 8. A trickling remote fails within the budget, its helpers killed with it.

class _Trickle(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's spelling
        self.send_response(200)
        self.send_header("Content-Type", "application/x-git-upload-pack-advertisement")
        self.end_headers()
        try:
            while not self.server.stopping.is_set():
                self.wfile.write(b"0")
                self.wfile.flush()
                self.server.stopping.wait(0.05)
        except OSError:
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def trickling():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    server.stopping = threading.Event()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/acme/health.git"
    server.stopping.set()
    server.shutdown()
    server.server_close()


def processes_mentioning(text):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if text.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            pass
    return found


def test_trickling_remote_fails_within_the_budget_and_leaves_no_git_behind(tmp_path, cli, trickling, monkeypatch, out_dir):
    monkeypatch.setattr(publish_git, "BUDGET", 0.6)
    started = time.monotonic()
    line = one_error_line(publish_cli(cli, out_dir(tmp_path), trickling))
    assert time.monotonic() - started < 1.5
    assert line == f"healthgrid: error: publish: git ls-remote against {trickling} gave up after 0.6s (the publish budget)"
    assert processes_mentioning(trickling.split("//")[1]) == [], "git-remote-http killed with its group"


# 13. A refusal is the remote's word, said at once; a missing remote is named as such.

def refuse_with(bare, script):
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho ran >> \"$GIT_DIR/hook-runs\"\n" + script + "exit 1\n")
    hook.chmod(0o755)


def test_a_refusing_remote_stops_at_once_with_its_reason(tmp_path, remote, cli, monkeypatch, out_dir):
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_tokenechoedbythehook")
    refuse_with(remote, "echo 'error: GH006: Protected branch update failed for refs/heads/gh-pages.'\n"
                        "printf '::warning title=pwned::x \\033[31m ghs_tokenechoedbythehook\\n'\n")
    line = one_error_line(publish_cli(cli, out_dir(tmp_path), remote))
    assert f"publish: {remote} refused the push to gh-pages: error: GH006: Protected branch update failed for refs/heads/gh-pages." in line
    assert "(remote rejected: pre-receive hook declined)" in line
    assert "\\x1b[31m" in line and "\x1b" not in line and "ghs_tokenechoedbythehook" not in line
    assert "kept moving" not in line
    assert (remote / "hook-runs").read_text() == "ran\n", "tried once, not ten times"


def test_a_missing_remote_is_named(tmp_path, cli, out_dir):
    line = one_error_line(publish_cli(cli, out_dir(tmp_path), "/nonexistent/x.git"))
    assert line == "healthgrid: error: publish: git ls-remote against /nonexistent/x.git failed: repository not found"


# 14. The branch is matched exactly, not by its ending.

def test_a_branch_ending_in_the_ref_name_does_not_break_publishing(tmp_path, remote, cli, git, branch_files, show, out_dir):
    decoy = tmp_path / "decoy"
    git("clone", "-q", "-b", "gh-pages", str(remote), str(decoy))
    (decoy / "decoy.html").write_text("not the pages branch")
    git("add", "decoy.html", cwd=decoy)
    git("commit", "-qm", "decoy", cwd=decoy)
    git("push", "-q", "origin", "gh-pages:refs/heads/a/refs/heads/gh-pages", cwd=decoy)
    result = publish_cli(cli, out_dir(tmp_path), remote)
    assert result.code == 0, result.err
    assert show(remote, "healthgrid/health_grid.png") == b"\x89PNG one"
    assert branch_files(remote, "a/refs/heads/gh-pages") == ["decoy.html", "index.html"], "the other branch is untouched"


# 17. --keep prunes only healthgrid's own commits: someone else's history stays whole.

@pytest.mark.parametrize("keep", [1, 3])
def test_keep_never_drops_someone_elses_history(tmp_path, remote, cli, keep, git, commit_count, show, out_dir):
    seed = tmp_path / "seed"
    for i in range(4):
        (seed / "index.html").write_text(f"page {i}")
        git("commit", "-qam", f"their change {i}", cwd=seed)
    git("push", "-q", str(remote), "gh-pages", cwd=seed)
    theirs = git("--git-dir", str(remote), "rev-list", "gh-pages").split()
    for run in range(keep + 2):
        result = publish_cli(cli, out_dir(tmp_path, content=f"run {run}".encode()), remote, "--keep", str(keep))
        assert result.code == 0 and "warning" not in result.err, result.err
    assert commit_count(remote) == 5 + keep
    assert git("--git-dir", str(remote), "rev-list", f"gh-pages~{keep}").split() == theirs, "their five commits, ids unchanged"
    assert show(remote, "index.html") == b"page 3", "their files stay"


def test_keep_prunes_its_own_commits_silently(tmp_path, remote, cli, commit_count, out_dir):
    publish({"g.png": b"1"}, remote=str(remote), keep=1)
    publish({"g.png": b"2"}, remote=str(remote), keep=2)
    result = publish_cli(cli, out_dir(tmp_path), remote, "--keep", "1")
    assert result.code == 0 and "warning" not in result.err and commit_count(remote) == 2
