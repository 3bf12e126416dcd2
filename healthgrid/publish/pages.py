"""Where a gh-pages publish goes (this repository's origin, another remote, or another repository),
at which pages URL, and what its commit says."""

from __future__ import annotations

import os
import re

from healthgrid.errors import UsageError
from healthgrid.publish import PublishOptions
from healthgrid.text import CONTROL

MAX_MESSAGE = 2000  # characters; a commit subject and a short body


def pages_target(options: PublishOptions) -> tuple[str, str]:
    """(pages URL, git remote) from --pages-url/--remote/--repository, or a one-line usage error."""
    from healthgrid.publish.git import default_remote
    from healthgrid.urls import pages_base

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
