import io
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from healthgrid.cli import Console, main
from healthgrid.net import Budget
from healthgrid.publish import ghpages

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
# A copy of examples/health_dashboard.yml: the suite's fixed 24-row config, whatever the example becomes.
EXAMPLE_CONFIG = ROOT / "tests" / "data" / "health_dashboard.yml"
NOW = "2026-11-28T12:00:00Z"
NOW_DT = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(*argv: str) -> Result:
    """The CLI in-process, with its own stdout/stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Console(out, err))
    return Result(code, out.getvalue(), err.getvalue())


def run_process(*argv: str, cwd=None, env=None) -> Result:
    """The installed console script as a separate process, the way users and workflows run it."""
    exe = Path(sys.executable).with_name("healthgrid")
    proc = subprocess.run([str(exe), *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in an empty directory (no ./healthgrid.yml)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


class Clock:
    """Retry waits taken without waiting: sleep() records the wait and moves monotonic() on by it.
    monotonic() is the real clock plus the waits, so a budget still counts the real work too."""

    def __init__(self):
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def monotonic(self) -> float:
        return time.monotonic() + sum(self.slept)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Every retry in-process waits on this clock (the sleep/clock parameters the code takes), never the wall clock."""
    fake = Clock()
    monkeypatch.setitem(Budget.__init__.__kwdefaults__, "sleep", fake.sleep)  # Datadog and Imgur
    monkeypatch.setitem(Budget.__init__.__kwdefaults__, "clock", fake.monotonic)
    monkeypatch.setitem(ghpages.publish.__kwdefaults__, "sleep", fake.sleep)
    return fake


@pytest.fixture(autouse=True)
def _no_datadog_env(monkeypatch):
    for var in ("DD_API_KEY", "DD_APP_KEY", "DD_SITE", "DATADOG_HOST"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def dd(monkeypatch):
    """A loopback Datadog, with the program's environment pointed at it."""
    from fakes.datadog import API_KEY, APP_KEY, FakeDatadog

    server = FakeDatadog().start()
    monkeypatch.setenv("DD_API_KEY", API_KEY)
    monkeypatch.setenv("DD_APP_KEY", APP_KEY)
    monkeypatch.setenv("DATADOG_HOST", server.url)
    yield server
    server.stop()


# --- git: real repositories on disk, shared by the gh-pages, git-safety, Action and run tests ---

PAGES = "https://acme.github.io/health"
_GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Someone", "GIT_AUTHOR_EMAIL": "someone@example.com",
                 "GIT_COMMITTER_NAME": "Someone", "GIT_COMMITTER_EMAIL": "someone@example.com"}


def _git(*args, cwd=None, check=True):
    env = {**os.environ, **_GIT_IDENTITY}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check).stdout.strip()


@pytest.fixture
def git():
    """git(*args, cwd=None) -> stdout, as someone other than healthgrid."""
    return _git


@pytest.fixture
def branch_files():
    def files(bare, branch="gh-pages"):
        return sorted(_git("--git-dir", str(bare), "ls-tree", "-r", "--name-only", branch).splitlines())
    return files


@pytest.fixture
def commit_count():
    def count(bare, branch="gh-pages"):
        return int(_git("--git-dir", str(bare), "rev-list", "--count", branch))
    return count


@pytest.fixture
def show():
    """show(bare, path, branch="gh-pages") -> the file's bytes at that revision."""
    def blob(bare, path, branch="gh-pages"):
        return subprocess.run(["git", "--git-dir", str(bare), "show", f"{branch}:{path}"], capture_output=True, check=True).stdout
    return blob


@pytest.fixture
def out_dir():
    """out_dir(tmp_path, name=..., content=..., sub=...) -> a folder holding one grid's files."""
    def make(tmp_path, name="health_grid", content=b"\x89PNG one", sub="out"):
        d = tmp_path / sub
        d.mkdir(exist_ok=True)
        (d / f"{name}.png").write_bytes(content)
        (d / f"{name}_dark.png").write_bytes(content + b" dark")
        (d / f"{name}.json").write_text("{}")
        return d
    return make


@pytest.fixture
def remote(tmp_path):
    """A bare repository whose gh-pages branch already holds someone else's file."""
    bare = tmp_path / "remote.git"
    _git("init", "--bare", "-q", "-b", "main", str(bare))
    theirs = tmp_path / "theirs"  # their clone, left for tests that push more of their commits
    _git("init", "-q", "-b", "gh-pages", str(theirs))
    (theirs / "index.html").write_text("<h1>someone else's page</h1>\n")
    _git("add", "index.html", cwd=theirs)
    _git("commit", "-q", "-m", "their page", cwd=theirs)
    _git("push", "-q", str(bare), "gh-pages", cwd=theirs)
    return bare


# --- the Action, run the way the runner runs it ---


def _parse_outputs(path: Path) -> dict:
    """GITHUB_OUTPUT in the runner's heredoc form: name<<DELIM / value / DELIM."""
    text, out = path.read_text(), {}
    for match in re.finditer(r"^([\w-]+)<<(\S+)\n(.*?)\n\2$", text, re.S | re.M):
        out[match.group(1)] = match.group(3)
    return out


def _action_in_process(env: dict, cwd: Path) -> subprocess.CompletedProcess:
    """entrypoint.py's work without starting Python: the Action's main() with the process's
    environment, directory and secret masks exactly as the runner would give them, then put back."""
    from healthgrid import secrets
    from healthgrid.action import main as action_main

    saved_env, saved_cwd, saved_secrets = dict(os.environ), os.getcwd(), set(secrets._SECRETS)
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        code = action_main(env, out, err)
    except SystemExit as exc:
        code = exc.code or 0
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        secrets._SECRETS.clear()
        secrets._SECRETS.update(saved_secrets)
    return subprocess.CompletedProcess(["entrypoint.py"], code, out.getvalue(), err.getvalue())


# Each Action test runs its checks against main() in this process and, where CI is set, against
# entrypoint.py as its own process too (a Python start and every import: about a second each run).
@pytest.fixture(params=["in-process", pytest.param("process", marks=pytest.mark.slow)])
def runner(tmp_path, request):
    """A workspace whose origin is a local bare repository, and the runner's file commands."""
    bare = tmp_path / "origin.git"
    _git("init", "--bare", "-q", "-b", "main", str(bare))
    workspace = tmp_path / "workspace"
    _git("clone", "-q", str(bare), str(workspace))
    files = tmp_path / "_runner_file_commands"
    files.mkdir()
    (files / "output").touch()
    (files / "summary").touch()
    home = tmp_path / "home"  # no git identity, no global config
    home.mkdir()

    def run(inputs: dict, extra_env: dict | None = None):
        env = {
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(home),
            "GITHUB_OUTPUT": str(files / "output"), "GITHUB_STEP_SUMMARY": str(files / "summary"),
            "GITHUB_WORKSPACE": str(workspace), "GITHUB_REPOSITORY": "acme/health", "GITHUB_ACTIONS": "true",
            **inputs, **(extra_env or {}),
        }
        if request.param == "process":
            proc = subprocess.run([sys.executable, str(ROOT / "entrypoint.py")], cwd=workspace, env=env, capture_output=True, text=True, timeout=180)
        else:
            proc = _action_in_process(env, workspace)
        return proc, _parse_outputs(files / "output"), (files / "summary").read_text()

    run.bare, run.workspace = bare, workspace
    return run


@pytest.fixture
def imgur(monkeypatch):
    """A loopback Imgur, with the program's environment pointed at it."""
    from fakes.imgur import CLIENT_ID, FakeImgur

    server = FakeImgur().start()
    monkeypatch.setenv("IMGUR_API_URL", server.url)
    monkeypatch.setenv("IMGUR_CLIENT_ID", CLIENT_ID)
    yield server
    server.stop()


@pytest.fixture
def github(monkeypatch):
    """A loopback GitHub REST API (ten comments a page), with the program's environment pointed at it."""
    from fakes.github import TOKEN, FakeGitHub

    server = FakeGitHub(page_size=10).start()
    monkeypatch.setenv("GITHUB_API_URL", server.url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    yield server
    server.stop()
