"""Where published images live: stable URLs, and content-hashed `?v=` versions of them.

Stable URLs go in READMEs and status pages; versioned ones where a cache (GitHub's image proxy,
Datadog's image widget) would otherwise keep showing an old picture.
"""

from __future__ import annotations

import hashlib
import os

from healthgrid.errors import UsageError


def default_pages_url(env=None) -> str | None:
    env = os.environ if env is None else env
    repo = env.get("GITHUB_REPOSITORY", "")
    if "/" not in repo:
        return None
    owner, name = repo.split("/", 1)
    if name.lower() == f"{owner.lower()}.github.io":  # a user/organisation site lives at the root
        return f"https://{owner.lower()}.github.io"
    return f"https://{owner.lower()}.github.io/{name}"


def pages_base(explicit: str | None, flag: str = "--pages-url") -> str:
    base = explicit or default_pages_url()
    if not base:
        raise UsageError(f"{flag}: not given and GITHUB_REPOSITORY is not set; pass e.g. {flag} https://OWNER.github.io/REPO")
    if not base.startswith(("http://", "https://")):
        raise UsageError(f"{flag}: {base!r} must start with https://")
    return base.rstrip("/")


def stable_url(base: str, path: str, filename: str) -> str:
    return "/".join(p for p in (base.rstrip("/"), path.strip("/"), filename) if p)


def content_version(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:12]


def versioned_url(url: str, content: bytes) -> str:
    return f"{url}{'&' if '?' in url else '?'}v={content_version(content)}"
