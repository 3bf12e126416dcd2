"""Publish files to a gh-pages branch with the real git CLI, without ever bloating the repository
or losing anyone's files.

Each attempt works in a throw-away repository: read the branch tip (`ls-remote`), fetch at most
`keep` commits of it, put our files into the tip's tree (other files stay), and write a new tip
whose history is the previous `keep - 1` commits re-parented onto nothing, so the branch never
holds more than `keep` commits. The push is forced *with a lease on the tip we read*: if another
publisher moved the branch in between, the push is refused, and we re-read, re-apply and retry
with jitter. Identical content makes no commit at all.

Every git child shares one wall-clock budget (healthgrid.publish.git). A push the remote refuses
(a protected branch, a hook) is reported with the remote's reason at once; only a lost race (the
lease or the remote's ref lock) is retried.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from healthgrid.errors import RunError, UsageError, redact, register_secret
from healthgrid.publish.git import BOT_NAME, Git, GitError, GitTimeout, register_url_secret, said

MAX_ATTEMPTS = 10
# Marks the commits this tool writes or carries onto a cut history; a commit without it is someone
# else's (see `_foreign_loss`).
TRAILER = "Published-by: healthgrid"
COUNT_LIMIT = 1000  # how far back `--keep` counts commits it is about to drop
# Push statuses that mean another publisher got there first; any other refusal is the remote's word.
_RACE = re.compile(r"stale info|fetch first|non-fast-forward|cannot lock ref|failed to update ref|incorrect old value|but expected|already exists", re.I)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass
class PublishResult:
    changed: bool
    attempts: int


def valid_path(path: str) -> str:
    path = path.strip("/")
    if any(part in ("..", ".git") for part in path.split("/")) or "\\" in path:
        raise UsageError(f"--path: {path!r} must be a plain folder inside the branch")
    return path


def _valid_removal(path: str) -> str:
    """One literal path inside the branch: never the whole branch, never outside it. A trailing
    `/` keeps its meaning: `x/` is the folder x, never a file named x."""
    target = path[:-1] if path.endswith("/") else path
    if (path.startswith("/") or "\\" in path or _CONTROL.search(path)
            or any(part in ("", ".", "..", ".git") for part in target.split("/"))):
        raise UsageError(f"--remove: {path[:100]!r} must be one relative path inside the branch (not empty, '.', absolute or with '..')")
    return path


def publish(files: dict[str, bytes], *, remote: str, branch: str = "gh-pages", path: str = "healthgrid", keep: int = 1,
            remove: list[str] | None = None, token: str | None = None, message: str | None = None,
            warn: Callable[[str], None] | None = None, sleep: Callable[[float], None] = time.sleep,
            index: bool = False) -> PublishResult:
    """Put `files` (name -> bytes) under `path` on `branch` of `remote`; drop the `remove` paths.
    With `index`, PATH/index.html is rebuilt from every grid under PATH on the branch. `token` is
    sent only to the run's GitHub server over https (healthgrid.credentials). The whole publish,
    retries included, has git.BUDGET seconds."""
    from healthgrid.credentials import github_token_target

    path = valid_path(path)
    remove = [_valid_removal(name) for name in remove or []]
    if keep < 1:
        raise UsageError("--keep: must be at least 1")
    if keep > 1000:  # as `publish.keep` in a config
        raise UsageError(f"--keep: must be at most 1000, got {keep}")
    if not re.fullmatch(r"[A-Za-z0-9._/-]+", branch) or branch.startswith(("-", "/")) or ".." in branch:
        raise UsageError(f"--branch: {branch!r} is not a usable branch name")
    register_secret(token)  # a hook or a proxy may echo it, whatever the remote
    register_url_secret(remote)
    if remote.startswith("-"):  # git would read it as an option (--upload-pack=COMMAND runs COMMAND)
        raise UsageError(f"--remote: {redact(remote)[:100]!r} is not a URL or a path (it starts with '-')")
    shown = redact(remote)
    target = github_token_target(remote) if token else None
    work = Path(tempfile.mkdtemp(prefix="healthgrid-pages-"))
    try:
        git = Git(work / "repo.git", token if target else None, target)
        git.run("init", "--bare", "--quiet", str(git.git_dir))
        once = _Once(warn)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return _attempt(git, files, remote, branch, path, keep, remove, message, attempt, index, once)
            except _Raced:
                if attempt == MAX_ATTEMPTS:
                    raise RunError(f"publish: {branch} of {shown} kept moving; gave up after {attempt} attempts") from None
                wait = random.uniform(0.05, 0.3) * attempt
                if warn and attempt >= 3:
                    warn(f"publish: {branch} changed while publishing; retrying in {wait:.1f}s (attempt {attempt + 1})")
                sleep(min(wait, max(0.0, git.deadline - time.monotonic())))
            except _Refused as exc:
                raise RunError(f"publish: {shown} refused the push to {branch}: {exc}") from None
            except GitTimeout as exc:
                raise RunError(f"publish: git {exc.command} against {shown} gave up after {exc.budget:g}s (the publish budget)") from None
            except GitError as exc:
                raise RunError(f"publish: git {exc.command} against {shown} failed: {exc.reason()}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    raise AssertionError("unreachable")


class _Raced(Exception):
    pass


class _Refused(Exception):
    """The remote turned the push down for a reason of its own (a protected branch, a hook)."""


class _Once:
    """Warnings given at most once per publish, however many attempts it takes."""

    def __init__(self, warn: Callable[[str], None] | None):
        self.warn, self.told = warn, set()

    def wanted(self, key: str) -> bool:
        return self.warn is not None and key not in self.told

    def __call__(self, key: str, message: str) -> None:
        if self.wanted(key):
            self.told.add(key)
            self.warn(message)


def _remote_tip(git: Git, remote: str, ref: str) -> str | None:
    """The commit `ref` names on the remote, matched exactly (ls-remote matches patterns by their
    ending, so `refs/heads/gh-pages` also lists `refs/heads/a/refs/heads/gh-pages`)."""
    for line in git.out("ls-remote", remote, ref).splitlines():
        sha, _, name = line.partition("\t")
        if name == ref:
            return sha
    return None


def _attempt(git: Git, files, remote, branch, path, keep, remove, message, attempt, with_index=False, warn: _Once | None = None) -> PublishResult:
    ref = f"refs/heads/{branch}"
    tip = _remote_tip(git, remote, ref)
    index = {"GIT_INDEX_FILE": str(git.git_dir / f"index-{attempt}")}
    history: list[str] = []
    if tip:
        # keep+1 so we can tell whether the oldest commit we keep had a parent.
        git.run("fetch", "--quiet", "--no-tags", f"--depth={keep + 1}", remote, f"+{ref}:refs/remotes/pages/{branch}")
        fetched = git.out("rev-parse", f"refs/remotes/pages/{branch}")
        if fetched != tip:
            raise _Raced()
        history = git.out("rev-list", "--first-parent", f"--max-count={keep + 1}", tip).split()
        git.run("read-tree", tip, env=index)
    else:
        git.run("read-tree", "--empty", env=index)
        git.run("update-index", "--add", "--cacheinfo", f"100644,{_blob(git, b'')},.nojekyll", env=index)  # serve files as they are
    for target in remove:
        git.run("rm", "-r", "--cached", "--quiet", "--ignore-unmatch", "--", target, env=index)
    for name, content in files.items():
        target = f"{path}/{name}" if path else name
        git.run("update-index", "--add", "--cacheinfo", f"100644,{_blob(git, content)},{target}", env=index)
    if with_index:
        _rebuild_index(git, path, env=index)
    tree = git.out("write-tree", env=index)
    if tip and git.out("rev-parse", f"{tip}^{{tree}}") == tree:
        return PublishResult(changed=False, attempts=attempt)
    loss = None
    if len(history) >= keep and warn and warn.wanted("keep"):
        loss = _foreign_loss(git, remote, ref, branch, keep, history[keep - 1])

    # Bounded history: re-create the newest keep-1 commits on a fresh root. Commits are rebuilt
    # from their own trees, messages, authors and dates, so a history already within the bound
    # comes out with the very same ids (nothing rewritten), and a longer one loses its oldest.
    # Once the history is cut, what remains is a history this tool made: the commits carried onto
    # the new root get the mark too (their ids change anyway), so the cut is reported only once.
    parent, cut = None, len(history) >= keep
    for sha in reversed(history[: keep - 1]):
        parent = _recommit(git, sha, parent, mark=cut)
    summary = message or f"healthgrid: publish {len(files)} file(s) under /{path}" + (f", remove {', '.join(remove)}" if remove else "")
    new = git.out("commit-tree", tree, *(("-p", parent) if parent else ()), "-m", summary, "-m", TRAILER)
    lease = f"--force-with-lease={ref}:{tip or ''}"
    proc = git.run("push", "--quiet", "--porcelain", "--no-verify", lease, remote, f"{new}:{ref}", check=False)
    if proc.returncode != 0:
        _push_failure(proc)
    if loss:
        warn("keep", loss)
    return PublishResult(changed=True, attempts=attempt)


def _push_failure(proc: subprocess.CompletedProcess):
    """Raise what a refused push means: a lost race (retry), the remote's refusal (stop), or an error."""
    stdout, stderr = proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    status = re.search(r"^!\t[^\t]*\t\[(remote rejected|rejected)\] \((.*)\)$", stdout, re.M)
    if not status:
        raise GitError("push", proc.returncode, stderr)
    kind, reason = status.groups()
    if _RACE.search(reason):
        raise _Raced()
    remote_said = [line[len("remote:"):].strip() for line in stderr.splitlines() if line.startswith("remote:")]
    remote_said = [line for line in remote_said if line][:3]
    raise _Refused(said(" / ".join([*remote_said, f"({kind}: {reason})"])))


def _written_by_us(git: Git, sha: str) -> bool:
    raw = git.run("cat-file", "commit", sha).stdout.decode(errors="replace")
    message = raw.split("\n\n", 1)[1] if "\n\n" in raw else ""
    # Commits from before the trailer existed: the bot's summary line.
    return TRAILER in message.splitlines() or (message.startswith("healthgrid: publish ") and f"\nauthor {BOT_NAME} " in raw)


def _foreign_loss(git: Git, remote: str, ref: str, branch: str, keep: int, first_dropped: str) -> str | None:
    """Dropping commits this tool wrote is the point of --keep; dropping someone else's history
    deserves a word. The newest commit that goes decides whose history it is."""
    if _written_by_us(git, first_dropped):
        return None
    try:
        # Commits only (trees and files are not needed to count them), into a partial clone of
        # its own; a server that cannot filter sends at most COUNT_LIMIT commits in full.
        budget = max(0.0, min(30.0, git.deadline - time.monotonic()))
        counter = git.sibling("count.git", budget, {"remote.pages.url": remote, "remote.pages.promisor": "true",
                                                    "remote.pages.partialclonefilter": "tree:0"})
        counter.run("config", "core.repositoryformatversion", "1")  # partial clones need format 1
        counter.run("config", "extensions.partialClone", "pages")
        counter.run("fetch", "--quiet", "--no-tags", "--filter=tree:0", f"--depth={COUNT_LIMIT + 1}", "pages", f"+{ref}:refs/count")
        total = int(counter.out("rev-list", "--count", "refs/count"))
        # The newest keep-1 commits are carried over; the rest (the tip included) go.
        gone = f"{total - keep + 1}" if total <= COUNT_LIMIT else f"more than {COUNT_LIMIT - keep + 1}"
    except (GitError, GitTimeout, ValueError):
        gone = "at least 1"
    return (f"publish: --keep {keep} drops {gone} older commit(s) of {branch} that healthgrid did not write")


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


def _recommit(git: Git, sha: str, parent: str | None, mark: bool = False) -> str:
    fields = git.out("show", "-s", "--format=%T%x00%an%x00%ae%x00%ad%x00%cn%x00%ce%x00%cd", "--date=raw", sha).split("\x00")
    tree, an, ae, ad, cn, ce, cd = fields
    raw = git.run("cat-file", "commit", sha).stdout
    body = raw.split(b"\n\n", 1)[1] if b"\n\n" in raw else b""
    if mark and TRAILER.encode() not in body.splitlines():
        body = body.rstrip(b"\n") + b"\n\n" + TRAILER.encode() + b"\n"
    env = {"GIT_AUTHOR_NAME": an, "GIT_AUTHOR_EMAIL": ae, "GIT_AUTHOR_DATE": ad,
           "GIT_COMMITTER_NAME": cn, "GIT_COMMITTER_EMAIL": ce, "GIT_COMMITTER_DATE": cd}
    args = ["commit-tree", tree, *(("-p", parent) if parent else ()), "-F", "-"]
    return git.run(*args, input=body, env=env).stdout.decode().strip()


def publish_files(files: dict[str, bytes], options, console):
    """The gh-pages target: `files` under options.path on options.branch; returns
    ([Published image], changed), each image at its stable pages URL."""
    from healthgrid.credentials import pull_request_run
    from healthgrid.publish import IMAGE_TYPES, Published
    from healthgrid.publish.pages import pages_target
    from healthgrid.urls import stable_url, versioned_url

    base, remote = pages_target(options)  # checked before anything is pushed
    token = options.credentials.github()
    if token and options.remote_from_config and pull_request_run():
        console.warn("publish.remote: set by the config, which this pull request can change; no credentials are sent to it")
        token = None
    result = publish(files, remote=remote, branch=options.branch, path=options.path, keep=options.keep,
                     remove=list(options.remove), token=token, message=options.message,
                     warn=console.warn, index="index.html" in files)
    console.progress(f"publish: {options.branch} {'updated' if result.changed else 'unchanged (identical files)'}"
                     + (f" in {result.attempts} attempts" if result.attempts > 1 else ""))
    images = []
    for name, content in files.items():
        if name.endswith(IMAGE_TYPES):
            url = stable_url(base, options.path, name)
            images.append(Published(name, url, versioned_url(url, content)))
    return images, result.changed
