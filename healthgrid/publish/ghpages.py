"""Publish files to a gh-pages branch with the real git CLI, without ever bloating the repository
or losing anyone's files.

Each attempt works in a throw-away repository: read the branch tip (`ls-remote`), fetch at most
`keep` commits of it, put our files into the tip's tree (other files stay), and write a new tip
whose history is the previous `keep - 1` commits re-parented onto nothing, so the branch never
holds more than `keep` commits. The push is forced *with a lease on the tip we read*: if another
publisher moved the branch in between, the push is refused, and we re-read, re-apply and retry
with jitter. Identical content makes no commit at all.
"""

from __future__ import annotations

import base64
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from healthgrid.errors import RunError, UsageError, redact, register_secret

BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
MAX_ATTEMPTS = 10
_REJECTED = re.compile(r"stale info|fetch first|non-fast-forward|rejected|failed to update ref|cannot lock ref|already exists", re.I)


@dataclass
class PublishResult:
    changed: bool
    commit: str | None
    attempts: int


def basic_credentials(token: str) -> str:
    """The token as git sends it over HTTPS (basic auth for x-access-token)."""
    return base64.b64encode(f"x-access-token:{token}".encode()).decode()


class Git:
    """Runs git with no user config, no prompts, and (when given) a token sent as an HTTP header,
    passed through the environment so it never shows in a command line, a URL or a config file."""

    def __init__(self, git_dir: Path, token: str | None = None, token_host: str | None = None):
        self.git_dir = git_dir
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
            "GIT_DIR": str(git_dir),
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": BOT_NAME, "GIT_AUTHOR_EMAIL": BOT_EMAIL,
            "GIT_COMMITTER_NAME": BOT_NAME, "GIT_COMMITTER_EMAIL": BOT_EMAIL,
            "LC_ALL": "C",
        }
        config = {"safe.directory": "*", "core.askPass": "", "credential.helper": "", "protocol.version": "2"}
        if token and token_host:
            register_secret(token)
            basic = basic_credentials(token)
            register_secret(basic)
            config[f"http.{token_host}/.extraheader"] = f"AUTHORIZATION: basic {basic}"
        self.env["GIT_CONFIG_COUNT"] = str(len(config))
        for i, (key, value) in enumerate(config.items()):
            self.env[f"GIT_CONFIG_KEY_{i}"] = key
            self.env[f"GIT_CONFIG_VALUE_{i}"] = value

    def run(self, *args: str, input: bytes | None = None, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(["git", *args], input=input, capture_output=True, env={**self.env, **(env or {})}, timeout=120)
        if check and proc.returncode != 0:
            raise GitError(args[0], proc.returncode, proc.stderr.decode(errors="replace"))
        return proc

    def out(self, *args: str, **kwargs) -> str:
        return self.run(*args, **kwargs).stdout.decode().strip()


class GitError(Exception):
    def __init__(self, command: str, code: int, stderr: str):
        self.command, self.code, self.stderr = command, code, redact(stderr.strip())
        super().__init__(f"git {command} failed ({code}): {self.stderr.splitlines()[-1] if self.stderr else ''}")


def default_remote(cwd: str | None = None) -> str:
    """`origin` of the repository we run in (the Actions workspace, or a developer's clone)."""
    proc = subprocess.run(["git", "-c", "safe.directory=*", "remote", "get-url", "origin"], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise UsageError("--remote: not given, and this directory is not a git repository with an 'origin' remote")
    return proc.stdout.strip()


def _token_host(remote: str) -> str | None:
    parts = urlsplit(remote)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}" if parts.scheme in ("http", "https") else None


def _valid_path(path: str) -> str:
    path = path.strip("/")
    if any(part in ("..", ".git") for part in path.split("/")) or "\\" in path:
        raise UsageError(f"--path: {path!r} must be a plain folder inside the branch")
    return path


def publish(files: dict[str, bytes], *, remote: str, branch: str = "gh-pages", path: str = "healthgrid", keep: int = 1,
            remove: list[str] | None = None, token: str | None = None, message: str | None = None,
            warn: Callable[[str], None] | None = None, sleep: Callable[[float], None] = time.sleep,
            index: bool = False) -> PublishResult:
    """Put `files` (name -> bytes) under `path` on `branch` of `remote`; drop the `remove` paths.
    With `index`, PATH/index.html is rebuilt from every grid under PATH on the branch."""
    path = _valid_path(path)
    if keep < 1:
        raise UsageError("--keep: must be at least 1")
    if not re.fullmatch(r"[A-Za-z0-9._/-]+", branch) or branch.startswith(("-", "/")) or ".." in branch:
        raise UsageError(f"--branch: {branch!r} is not a usable branch name")
    work = Path(tempfile.mkdtemp(prefix="healthgrid-pages-"))
    try:
        git = Git(work / "repo.git", token, _token_host(remote) if token else None)
        git.run("init", "--bare", "--quiet", str(git.git_dir))
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return _attempt(git, files, remote, branch, path, keep, remove or [], message, attempt, index)
            except _Raced:
                if attempt == MAX_ATTEMPTS:
                    raise RunError(f"publish: {branch} of {redact(remote)} kept moving; gave up after {attempt} attempts") from None
                wait = random.uniform(0.05, 0.3) * attempt
                if warn and attempt >= 3:
                    warn(f"publish: {branch} changed while publishing; retrying in {wait:.1f}s (attempt {attempt + 1})")
                sleep(wait)
            except GitError as exc:
                raise RunError(f"publish: git {exc.command} against {redact(remote)} failed: {_last_line(exc.stderr)}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    raise AssertionError("unreachable")


class _Raced(Exception):
    pass


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("hint:")]
    return lines[-1].strip() if lines else "no output"


def _attempt(git: Git, files, remote, branch, path, keep, remove, message, attempt, with_index=False) -> PublishResult:
    ref = f"refs/heads/{branch}"
    listing = git.out("ls-remote", remote, ref)
    tip = listing.split()[0] if listing else None
    index = {"GIT_INDEX_FILE": str(git.git_dir / f"index-{attempt}")}
    history: list[str] = []
    if tip:
        # keep+1 so we can tell whether the oldest commit we keep had a parent.
        git.run("fetch", "--quiet", "--no-tags", f"--depth={keep + 1}", remote, f"+{ref}:refs/remotes/pages/{branch}")
        fetched = git.out("rev-parse", f"refs/remotes/pages/{branch}")
        if fetched != tip:
            raise _Raced()
        history = git.out("rev-list", "--first-parent", f"--max-count={keep}", tip).split()
        git.run("read-tree", tip, env=index)
    else:
        git.run("read-tree", "--empty", env=index)
        git.run("update-index", "--add", "--cacheinfo", f"100644,{_blob(git, b'')},.nojekyll", env=index)  # serve files as they are
    for name in remove:
        target = _valid_path(name)
        git.run("rm", "-r", "--cached", "--quiet", "--ignore-unmatch", "--", target, env=index)
    for name, content in files.items():
        target = f"{path}/{name}" if path else name
        git.run("update-index", "--add", "--cacheinfo", f"100644,{_blob(git, content)},{target}", env=index)
    if with_index:
        _rebuild_index(git, path, env=index)
    tree = git.out("write-tree", env=index)
    if tip and git.out("rev-parse", f"{tip}^{{tree}}") == tree:
        return PublishResult(changed=False, commit=tip, attempts=attempt)

    # Bounded history: re-create the newest keep-1 commits on a fresh root. Commits are rebuilt
    # from their own trees, messages, authors and dates, so a history already within the bound
    # comes out with the very same ids (nothing rewritten), and a longer one loses its oldest.
    parent = None
    for sha in reversed(history[: keep - 1]):
        parent = _recommit(git, sha, parent)
    summary = message or f"healthgrid: publish {len(files)} file(s) under /{path}" + (f", remove {', '.join(remove)}" if remove else "")
    new = git.out("commit-tree", tree, *(("-p", parent) if parent else ()), "-m", summary)
    lease = f"--force-with-lease={ref}:{tip or ''}"
    proc = git.run("push", "--quiet", "--no-verify", lease, remote, f"{new}:{ref}", check=False)
    if proc.returncode != 0:
        stderr = proc.stderr.decode(errors="replace")
        if _REJECTED.search(stderr):
            raise _Raced()
        raise GitError("push", proc.returncode, stderr)
    return PublishResult(changed=True, commit=new, attempts=attempt)


def _rebuild_index(git: Git, path: str, env: dict) -> None:
    """PATH/index.html listing every grid under PATH on the branch (other publishers' included)."""
    from healthgrid.index import build_index

    prefix = f"{path}/" if path else ""
    listed = git.out("ls-files", "--cached", "--", prefix or ".", env=env).splitlines()
    names = [p[len(prefix):] for p in listed if "/" not in p[len(prefix):]]

    def read(name: str) -> bytes | None:
        proc = git.run("cat-file", "blob", f":{prefix}{name}", env=env, check=False)
        return proc.stdout if proc.returncode == 0 else None

    page = build_index(names, read)  # staleness as of the clock: the moment the page goes live
    git.run("update-index", "--add", "--cacheinfo", f"100644,{_blob(git, page)},{prefix}index.html", env=env)


def _blob(git: Git, content: bytes) -> str:
    return git.out("hash-object", "-w", "--stdin", input=content)


def _recommit(git: Git, sha: str, parent: str | None) -> str:
    fields = git.out("show", "-s", "--format=%T%x00%an%x00%ae%x00%ad%x00%cn%x00%ce%x00%cd", "--date=raw", sha).split("\x00")
    tree, an, ae, ad, cn, ce, cd = fields
    raw = git.run("cat-file", "commit", sha).stdout
    body = raw.split(b"\n\n", 1)[1] if b"\n\n" in raw else b""
    env = {"GIT_AUTHOR_NAME": an, "GIT_AUTHOR_EMAIL": ae, "GIT_AUTHOR_DATE": ad,
           "GIT_COMMITTER_NAME": cn, "GIT_COMMITTER_EMAIL": ce, "GIT_COMMITTER_DATE": cd}
    args = ["commit-tree", tree, *(("-p", parent) if parent else ()), "-F", "-"]
    return git.run(*args, input=body, env=env).stdout.decode().strip()
