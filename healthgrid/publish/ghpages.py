"""Publish files to a pages branch with the real git CLI, without ever bloating the repository
or losing anyone's files or commits.

Each attempt works in a throw-away repository: read the branch tip (`ls-remote`), fetch at most
`keep + 1` commits of it, put our files into the tip's tree (other files stay), rebuild the status
pages the change affects (healthgrid.publish.siteindex), and write a new tip on top of the old one.
Only healthgrid's own commits are ever pruned (healthgrid.publish.history says which): when the run
of them above the newest commit someone else wrote would pass `keep`, the oldest go, the newest
`keep - 1` being re-created on that commit (or on nothing, when healthgrid wrote the whole branch).
A push that only adds is a plain push; one that prunes is forced *with a lease on the tip we
read*. Either way, if anyone moved the branch in between (another publisher, a developer pushing to
`main`), the push is refused, and we re-read, re-apply and retry with jitter: their commit stays.
Identical content makes no commit at all.

Every git child shares one wall-clock budget (healthgrid.publish.git). A push the remote refuses
(a protected branch, a hook) is reported with the remote's reason at once; only a lost race (the
lease, a non-fast-forward or the remote's ref lock) is retried.
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

from healthgrid.errors import RunError, UsageError
from healthgrid.publish import history, siteindex
from healthgrid.publish.git import Git, GitError, GitTimeout, register_url_secret
from healthgrid.secrets import redact, register_secret
from healthgrid.site.paths import valid_branch, valid_keep, valid_path, valid_removal
from healthgrid.text import said

MAX_ATTEMPTS = 10
# Push statuses that mean someone else got there first; any other refusal is the remote's word.
_RACE = re.compile(r"stale info|fetch first|non-fast-forward|cannot lock ref|failed to update ref|incorrect old value|but expected|already exists", re.I)


@dataclass
class PublishResult:
    changed: bool
    attempts: int
    foreign: bool = False  # healthgrid's commits sit on history it did not write (or did not prune)


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
    remove = [valid_removal(name) for name in remove or []]
    valid_keep(keep)
    valid_branch(branch)
    register_secret(token)  # a hook or a proxy may echo it, whatever the remote
    register_url_secret(remote)
    if remote.startswith("-"):  # git would read it as an option (--upload-pack=COMMAND runs COMMAND)
        raise UsageError(f"--remote: {redact(remote)[:100]!r} is not a URL or a path (it starts with '-')")
    shown = redact(remote)
    target = github_token_target(remote) if token else None
    try:
        work = Path(tempfile.mkdtemp(prefix="healthgrid-pages-"))
    except OSError as exc:  # a full or read-only temporary folder
        raise RunError(f"publish: cannot create a working folder in {tempfile.gettempdir()}: {exc.strerror or type(exc).__name__}") from None
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


def _attempt(git: Git, files, remote, branch, path, keep, remove, message, attempt, with_index: bool, warn: _Once) -> PublishResult:
    ref, fetched_ref = f"refs/heads/{branch}", f"refs/remotes/pages/{branch}"
    tip = _remote_tip(git, remote, ref)
    index = {"GIT_INDEX_FILE": str(git.git_dir / f"index-{attempt}")}
    declared = [path] if path else list(files)  # what this commit says it touches (history.py)
    if tip:
        # keep+1 commits: enough to tell which of the newest `keep` are ours (each against its parent).
        git.run("fetch", "--quiet", "--no-tags", f"--depth={keep + 1}", remote, f"+{ref}:{fetched_ref}")
        if git.out("rev-parse", fetched_ref) != tip:
            raise _Raced()
        git.run("read-tree", tip, env=index)
    else:
        git.run("read-tree", "--empty", env=index)
        _stage(git, index, {".nojekyll": b""})  # serve files as they are
        declared.append(".nojekyll")
    for target in remove:
        git.run("rm", "-r", "--cached", "--quiet", "--ignore-unmatch", "--", target, env=index)
        declared.append(target.rstrip("/"))
    ours = {f"{path}/{name}" if path else name: content for name, content in files.items() if not (with_index and name == siteindex.INDEX)}
    occupied = _occupied(git, index)
    clash = next((target for target in ours if _clashes(target, occupied)), None)
    if clash:  # staging would silently replace someone's folder with a file, or a file with a folder
        what = "is a folder" if clash in occupied[1] else "lies under a file"
        raise RunError(f"publish: {clash!r} {what} on {branch}; it was left as it is and nothing was published")
    _stage(git, index, ours)
    folders = ([path] if files or with_index else []) + [siteindex.folder_of(target) for target in remove]
    pages = siteindex.pages(git, index, folders, path if with_index else None, lambda text: warn(text, text))
    for page in [page for page in pages if _clashes(page, occupied)]:
        warn(page, f"publish: {page} on the branch is a folder or lies under a file; the status page was left out")
        del pages[page]
    _stage(git, index, pages)
    declared += [page for page in pages if not history.covered(page, declared)]
    tree = git.out("write-tree", env=index)
    if tip and git.out("rev-parse", f"{tip}^{{tree}}") == tree:
        return PublishResult(changed=False, attempts=attempt)

    parent, base, pruning = tip, tip, False
    if tip:
        def deepen() -> bool:  # only when more of healthgrid's own commits lie past what was fetched
            if deepened:
                return False
            deepened.append(True)
            git.run("fetch", "--quiet", "--no-tags", f"--deepen={history.WALK_LIMIT + 1}", remote, f"+{ref}:{fetched_ref}")
            if git.out("rev-parse", fetched_ref) != tip:
                raise _Raced()
            return True

        deepened: list[bool] = []
        run, base = history.own_run(git, tip, keep, deepen)
        if len(run) >= keep:  # prune: the newest keep-1 of ours again on what lies below the run
            pruning, carried, dropped = True, run[: keep - 1], run[keep - 1:]
            inherited = [d for commit in dropped for d in commit.declared or ()]
            parent = base
            for i, commit in enumerate(reversed(carried)):
                # The commit now resting on `base` also stands for the dropped ones' changes.
                extra = history.cover(git, base, commit.tree, (*(commit.declared or ()), *inherited)) if i == 0 else ()
                parent = history.recommit(git, commit, parent, extra)
            if not carried:
                declared += history.cover(git, base, tree, (*declared, *inherited))
    summary = message or f"healthgrid: publish {len(files)} file(s) under /{path}" + (f", remove {', '.join(remove)}" if remove else "")
    new = git.run("commit-tree", tree, *(("-p", parent) if parent else ()), "-F", "-", input=history.message(summary, declared)).stdout.decode().strip()
    lease = [f"--force-with-lease={ref}:{tip}"] if pruning else []  # adding on top needs no force at all
    proc = git.run("push", "--quiet", "--porcelain", "--no-verify", *lease, remote, f"{new}:{ref}", check=False)
    if proc.returncode != 0:
        _push_failure(proc)
    return PublishResult(changed=True, attempts=attempt, foreign=base is not None)


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


def _occupied(git: Git, index: dict) -> tuple[set[str], set[str]]:
    """(files, folders) of the index being built."""
    listed = git.run("ls-files", "-z", env=index).stdout.decode("utf-8", "surrogateescape").split("\0")
    files = set(filter(None, listed))
    folders = {name[:i] for name in files for i in range(len(name)) if name[i] == "/"}
    return files, folders


def _clashes(target: str, occupied: tuple[set[str], set[str]]) -> bool:
    """`target` is a folder on the branch, or one of its folders is a file there."""
    files, folders = occupied
    return target in folders or any(target[:i] in files for i in range(len(target)) if target[i] == "/")


def _stage(git: Git, index: dict, entries: dict[str, bytes]) -> None:
    """Add files to the index being built, in one git process (NUL-separated: any name as it is)."""
    lines = b"".join(f"100644 {_blob(git, content)}\t".encode() + name.encode("utf-8", "surrogateescape") + b"\0"
                     for name, content in entries.items())
    if lines:
        git.run("update-index", "-z", "--index-info", input=lines, env=index)


def _blob(git: Git, content: bytes) -> str:
    return git.out("hash-object", "-w", "--stdin", input=content)


def publish_files(files: dict[str, bytes], options, console):
    """The gh-pages target: `files` under options.path on options.branch; returns
    ([Published image], changed), each image at its stable pages URL."""
    from healthgrid.credentials import pull_request_run
    from healthgrid.publish.shared import IMAGE_TYPES, Published
    from healthgrid.site.target import pages_target
    from healthgrid.site.urls import stable_url, versioned_url

    base, remote = pages_target(options)  # checked before anything is pushed
    token = options.credentials.github()
    if token and options.remote_from_config and pull_request_run():
        console.warn("publish.remote: set by the config, which this pull request can change; no credentials are sent to it")
        token = None
    result = publish(files, remote=remote, branch=options.branch, path=options.path, keep=options.keep,
                     remove=list(options.remove), token=token, message=options.message,
                     warn=console.warn, index="index.html" in files)
    console.progress(f"publish: {options.branch} {'updated' if result.changed else 'unchanged (identical files)'}"
                     + (f" in {result.attempts} attempts" if result.attempts > 1 else "")
                     + ("; commits healthgrid did not write stay below its own" if result.changed and result.foreign else ""))
    images = []
    for name, content in files.items():
        if name.endswith(IMAGE_TYPES):
            url = stable_url(base, options.path, name)
            images.append(Published(name, url, versioned_url(url, content)))
    return images, result.changed
