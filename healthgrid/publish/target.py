"""Where files go: the options every target takes, and one call shape for all three.

`publish(files, options, console) -> (images, changed)` for gh-pages, Imgur and S3 alike;
`check(options)` refuses bad options before anything is fetched or rendered.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from healthgrid.config import PublishSpec
from healthgrid.credentials import Credentials
from healthgrid.errors import UsageError

MAX_MESSAGE = 2000  # characters; a commit subject and a short body
TARGETS = ("ghpages", "imgur", "s3", "none")


@dataclass(frozen=True)
class PublishOptions(PublishSpec):
    """The config's publish: section with flags and inputs applied, and the credentials."""

    repository: str | None = None  # OWNER/REPO: its pages branch instead of `remote`
    message: str | None = None
    remove: tuple[str, ...] = ()  # paths to drop from the pages branch
    credentials: Credentials = field(default_factory=Credentials, repr=False)


def publish(files: dict[str, bytes], options: PublishOptions, console):
    """Publish `files` (name -> bytes) to `options.to`; returns ([Published image], changed)."""
    if options.to == "ghpages":
        from healthgrid.publish.ghpages import publish_files
    elif options.to == "imgur":
        from healthgrid.publish.imgur import publish_files
    elif options.to == "s3":
        from healthgrid.publish.s3 import publish_files
    else:
        return [], False
    return publish_files(files, options, console)


def check(options: PublishOptions) -> None:
    """A usage error now, not after minutes of fetching and rendering."""
    if options.to == "ghpages":
        from healthgrid.publish.ghpages import valid_path

        pages_target(options)
        valid_path(options.path)
        if options.keep < 1:
            raise UsageError("--keep: must be at least 1")
    elif options.to == "imgur":
        options.credentials.imgur()
    elif options.to == "s3" and not options.bucket:
        raise UsageError("publish.bucket: is required to publish to s3 (set it in the config's publish: section)")


def pages_target(options: PublishOptions) -> tuple[str, str]:
    """(pages URL, git remote) from --pages-url/--remote/--repository, or a one-line usage error."""
    from healthgrid.publish.git import default_remote
    from healthgrid.urls import default_pages_url, pages_base

    check_message(options.message)
    if options.repository:
        if options.remote:
            raise UsageError("--repository: give --repository or --remote, not both")
        remote = repository_remote(options.repository)
        return pages_base(options.pages_url or default_pages_url({"GITHUB_REPOSITORY": options.repository})), remote
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
    if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", message):
        raise UsageError("--message: control characters are not allowed (newlines are)")
