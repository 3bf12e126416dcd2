"""Where a publish goes: for gh-pages, this repository's origin, another remote or another
repository, at which pages URL, and what its commit says; for every target, the options refused
before anything is fetched or rendered (`check`)."""

from __future__ import annotations

import os
import re
import subprocess

from healthgrid.errors import UsageError
from healthgrid.site.paths import valid_keep, valid_path, valid_removal
from healthgrid.site.urls import pages_base
from healthgrid.text import CONTROL

MAX_MESSAGE = 2000  # characters; a commit subject and a short body


def pages_target(options) -> tuple[str, str]:
    """(pages URL, git remote) of gh-pages publish options (PublishOptions) from
    --pages-url/--remote/--repository, or a one-line usage error."""
    check_message(options.message)
    if options.repository:
        if options.remote:
            raise UsageError("--repository: give --repository or --remote, not both")
        remote = repository_remote(options.repository)
        return pages_base(options.pages_url, repository=options.repository), remote
    return pages_base(options.pages_url), options.remote or default_remote()


def repository_remote(repository: str, env=None) -> str:
    """OWNER/REPO -> its git URL on GITHUB_SERVER_URL (https://github.com unless the runner says
    otherwise, e.g. GitHub Enterprise). The token travels as a header, never in this URL."""
    env = os.environ if env is None else env
    if not re.fullmatch(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+", repository) or repository.split("/")[1] in (".", ".."):
        raise UsageError(f"--repository: {repository!r} must be OWNER/REPO")
    server = (env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")
    return f"{server}/{repository}.git"


def check_message(message: str | None) -> None:
    if message is None:
        return
    if not message.strip():
        raise UsageError("--message: must not be empty")
    if len(message) > MAX_MESSAGE:
        raise UsageError(f"--message: {len(message)} characters; at most {MAX_MESSAGE}")
    if CONTROL.search(message.replace("\n", "")):
        raise UsageError("--message: control characters are not allowed (newlines are)")


def default_remote(cwd: str | None = None) -> str:
    """`origin` of the repository we run in (the Actions workspace, or a developer's clone)."""
    try:
        proc = subprocess.run(["git", "-c", "safe.directory=*", "remote", "get-url", "origin"], cwd=cwd, capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        proc = None
    if proc is None or proc.returncode != 0:
        raise UsageError("--remote: not given, and this directory is not a git repository with an 'origin' remote")
    return proc.stdout.strip()


def check(options) -> None:
    """The publish options (PublishOptions) refused now, not after minutes of fetching and rendering."""
    if options.to == "ghpages":
        valid_path(options.path)
        for path in options.remove:
            valid_removal(path)
        valid_keep(options.keep)
        pages_target(options)
    elif options.to == "imgur":
        options.credentials.imgur()
    elif options.to == "s3" and not options.bucket:
        raise UsageError("publish.bucket: is required to publish to s3 (set it in the config's publish: section)")
