"""What the publish targets share: the options, the Published image, and reading a folder safely."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from healthgrid.config import PublishSpec
from healthgrid.credentials import Credentials
from healthgrid.errors import UsageError

IMAGE_TYPES = (".png", ".svg")


@dataclass
class Published:
    file: str
    url: str
    versioned_url: str

    def __post_init__(self):  # whatever a target or an upstream answer gave: printed, embedded and sent encoded
        from healthgrid.site.urls import encode_url

        self.url, self.versioned_url = encode_url(self.url), encode_url(self.versioned_url)

    def as_dict(self) -> dict:
        return {"file": self.file, "url": self.url, "versioned_url": self.versioned_url}


@dataclass(frozen=True)
class PublishOptions(PublishSpec):
    """The config's publish: section with flags and inputs applied, and the credentials."""

    repository: str | None = None  # OWNER/REPO: its pages branch instead of `remote`
    message: str | None = None
    remove: tuple[str, ...] = ()  # paths to drop from the pages branch
    remote_from_config: bool = False  # `remote` is publish.remote of the config (a pull request can change it)
    credentials: Credentials = field(default_factory=Credentials, repr=False)


def with_flags(spec: PublishSpec, flags: dict, credentials: Credentials, **fixed) -> PublishOptions:
    """The config's publish: section with what the command line or the workflow says over it, key
    by key (flags > config): `flags` holds only what was given. `--remote` and `--repository` say
    one thing, where the branch is, so either replaces the config's `remote`; `remote_from_config`
    tells the publisher when the remote is still the config's (no credentials in a pull request)."""
    from dataclasses import asdict

    settings = asdict(spec)
    if "remote" in flags or "repository" in flags:
        settings["remote"] = None
    settings.update(flags, **fixed)
    from_config = settings["remote"] is not None and "remote" not in flags
    return PublishOptions(**settings, remote_from_config=from_config, credentials=credentials)


def read_dir(directory: str, flag: str = "DIR") -> dict[str, bytes]:
    """The regular, non-hidden files at the top of `directory`, by name, in name order.

    Only regular files are read, and no symbolic link is ever followed (a link to
    /proc/self/environ would publish the environment): a link, FIFO, socket or device at the top of
    `directory`, or `directory` itself being a link, is refused. Sub-folders are skipped."""
    root = Path(directory)
    if root.is_symlink():
        raise UsageError(f"{flag}: {directory} is a symbolic link; give the real directory")
    if not root.is_dir():
        raise UsageError(f"{flag}: {directory} is not a directory")
    from healthgrid.site.paths import path_problem

    files = {}
    for p in sorted(root.iterdir()):
        if p.name.startswith("."):
            continue
        problem = path_problem(p.name)  # it becomes a path on the branch
        if problem:
            raise UsageError(f"{flag}: {p.name[:100]!r} in {directory} cannot be published ({problem})")
        mode = p.lstat().st_mode
        if stat.S_ISDIR(mode):
            continue
        if not stat.S_ISREG(mode):
            what = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
            raise UsageError(f"{flag}: {p.name!r} in {directory} is {what}; only regular files are published")
        files[p.name] = _read_regular(p, flag)
    if not files:
        raise UsageError(f"{flag}: {directory} holds no files to publish")
    return files


def _read_regular(path: Path, flag: str) -> bytes:
    """The file's bytes, refusing it if it was swapped for a link or a FIFO since it was listed."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise UsageError(f"{flag}: {path.name!r} is not a regular file; only regular files are published")
            return f.read()
    except OSError as exc:  # opening, or reading (an I/O error): either way named
        raise UsageError(f"{flag}: {path.name!r}: cannot read ({exc.strerror or type(exc).__name__})") from None
