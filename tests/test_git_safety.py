"""gh-pages publishing against hostile directories and misbehaving remotes, with the real git CLI
against local bare repositories and a loopback HTTP server: only regular files inside DIR are
published, a remote is never read as an option, a stalled remote gives up within the budget with its
helpers killed, a refusal is the remote's one line, and the branch is matched exactly."""

import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from healthgrid.publish import git as publish_git

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


# --- only regular files inside DIR are published; no link is followed ----------------------------

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


# --- the remote ------------------------------------------------------------------------------------

def test_a_remote_that_reads_as_a_git_option_is_refused_and_runs_nothing(tmp_path, cli, out_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out_dir(tmp_path)
    planted = tmp_path / "pwned"
    result = cli("publish", "ghpages", "out", "--remote", f"--upload-pack=touch {planted}", "--pages-url", "https://a.example")
    assert result.code == 2, result.err
    assert result.err.startswith("healthgrid: error: --remote: ") and "starts with '-'" in result.err
    assert not planted.exists()


class _Trickle(BaseHTTPRequestHandler):
    def do_GET(self):
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
    assert time.monotonic() - started < 0.6 + 4, "the remote never stops; 4 s is what a loaded machine may add"
    assert line == f"healthgrid: error: publish: git ls-remote against {trickling} gave up after 0.6s (the publish budget)"
    assert processes_mentioning(trickling.split("//")[1]) == [], "git-remote-http killed with its group"


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
