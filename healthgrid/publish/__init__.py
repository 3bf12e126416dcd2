"""Publishing targets: a gh-pages branch (stable URLs, bounded history), Imgur, S3."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from healthgrid.errors import UsageError

IMAGE_TYPES = (".png", ".svg")


@dataclass
class Published:
    file: str
    url: str
    versioned_url: str

    def as_dict(self) -> dict:
        return {"file": self.file, "url": self.url, "versioned_url": self.versioned_url}


def read_dir(directory: str, flag: str = "DIR") -> dict[str, bytes]:
    """The regular, non-hidden files at the top of `directory`, by name, in name order."""
    root = Path(directory)
    if not root.is_dir():
        raise UsageError(f"{flag}: {directory} is not a directory")
    files = {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.is_file() and not p.name.startswith(".")}
    if not files:
        raise UsageError(f"{flag}: {directory} holds no files to publish")
    return files
