"""Where published images live: stable URLs, and content-hashed `?v=` versions of them.

Stable URLs go in READMEs and status pages; versioned ones where a cache (GitHub's image proxy,
Datadog's image widget) would otherwise keep showing an old picture. Every URL made here is
percent-encoded: a folder `previews/fix#12` is `previews/fix%2312` (not a fragment), a space is
`%20` (it would split a `srcset`), so the URL printed, embedded or sent is the file's address.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from healthgrid.errors import UsageError
from healthgrid.site.paths import path_problem

_SUB_DELIMS = "!$&'()*+,;="
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _quote(part: str, safe: str) -> str:
    return quote(_LONE_PERCENT.sub("%25", part), safe=safe + "%")


def encode_url(url: str) -> str:
    """The same address with every character a URL may not hold percent-encoded (spaces, quotes,
    `<>`, control and non-ASCII characters, a `%` that starts no escape); its structure (`/`, `?`,
    `&`, `#`) and existing `%XX` escapes stay as they are, so encoding twice changes nothing."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if not netloc.isascii():
        try:
            netloc = netloc.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    return urlunsplit((parts.scheme, _quote(netloc, _SUB_DELIMS + ":@[]"), _quote(parts.path, _SUB_DELIMS + ":@/"),
                       _quote(parts.query, _SUB_DELIMS + ":@/?"), _quote(parts.fragment, _SUB_DELIMS + ":@/?")))


def url_path(path: str) -> str:
    """A file's path as a URL path: each `/`-separated part percent-encoded whole, so `#`, `?`, `%`
    and spaces in a folder or file name stay part of the name."""
    return "/".join(quote(part, safe="") for part in path.split("/"))


def default_pages_url(env=None, repository: str | None = None) -> str | None:
    """The GitHub Pages URL of `repository` (default GITHUB_REPOSITORY) on the server the workflow
    runs on (GITHUB_SERVER_URL): github.com -> https://OWNER.github.io/REPO; GitHub Enterprise
    Server -> https://HOST/pages/OWNER/REPO (its address without subdomain isolation; with it, pass
    https://pages.HOST/OWNER/REPO). None when there is no repository or the URL cannot be known
    (GHE.com)."""
    env = os.environ if env is None else env
    repo = repository or env.get("GITHUB_REPOSITORY", "")
    if "/" not in repo:
        return None
    owner, name = repo.split("/", 1)
    server = urlsplit(env.get("GITHUB_SERVER_URL", "").strip())
    host = (server.hostname or "").lower()
    if server.scheme in ("http", "https") and host and host not in ("github.com", "www.github.com"):
        if host == "ghe.com" or host.endswith(".ghe.com"):
            return None
        if name.lower() == f"{owner}.{host}".lower():  # a user or organisation site
            return encode_url(f"{server.scheme}://{server.netloc}/pages/{owner}")
        return encode_url(f"{server.scheme}://{server.netloc}/pages/{owner}/{name}")
    if name.lower() == f"{owner.lower()}.github.io":  # a user/organisation site lives at the root
        return f"https://{owner.lower()}.github.io"
    return encode_url(f"https://{owner.lower()}.github.io/{name}")


def pages_base(explicit: str | None, flag: str = "--pages-url", repository: str | None = None) -> str:
    """The site's base URL, checked and encoded: `explicit`, else derived from the environment."""
    base = (explicit or "").strip() or default_pages_url(repository=repository)
    if not base:
        if repository or os.environ.get("GITHUB_REPOSITORY"):
            raise UsageError(f"{flag}: not given, and GITHUB_SERVER_URL ({os.environ.get('GITHUB_SERVER_URL', '')}) has no pages URL "
                             f"that can be derived; pass the site's address with {flag} (the Action's pages-url input)")
        raise UsageError(f"{flag}: not given and GITHUB_REPOSITORY is not set; pass e.g. {flag} https://OWNER.github.io/REPO")
    return base_url(base, flag)


def base_url(base: str, flag: str) -> str:
    """A site's address that file names are appended to, checked (`base_problem`) and encoded."""
    problem = base_problem(base)
    if problem:
        raise UsageError(f"{flag}: {base if len(base) <= 100 else base[:97] + '...'!r} {problem}")
    return encode_url(base).rstrip("/")


def base_problem(base: str) -> str | None:
    """One rule for every target's base URL (the gh-pages URL, S3's pages_url or bucket URL,
    `dashboard --image-base`), applied before any work: an http(s) URL naming a host (no user or
    password, a valid port), without query or fragment (a file name added after `?` or `#` would
    not be part of the path), whose folder follows the path rule of healthgrid.site.paths (no `.`,
    `..`, `//` or `.git` part). What is wrong, worded to follow the URL, or None."""
    try:
        parts = urlsplit(base)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if parts is None or parts.scheme not in ("http", "https") or not _is_host(parts.hostname or "") or not port_ok:
        return "must start with https:// and name a host"
    if parts.query or parts.fragment or "?" in base or "#" in base:
        return "must not have a query or fragment (? or #): file names are added to its path"
    if "@" in parts.netloc:
        return "must not hold a user or password (it would be shown in every image URL)"
    folder = unquote(parts.path).strip("/")
    problem = path_problem(folder) if folder else None
    return f"must name a plain folder ({problem})" if problem else None


def _is_host(host: str) -> bool:
    """A DNS name (any script: as IDNA), or an IP address."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        name = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return bool(re.fullmatch(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?", name)) and ".." not in name


def stable_url(base: str, path: str, filename: str) -> str:
    return "/".join(p for p in (base.rstrip("/"), url_path(path.strip("/")) if path.strip("/") else "", url_path(filename)) if p)


def content_version(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:12]


def versioned_url(url: str, content: bytes) -> str:
    """`url` with `v=<content hash>` added to its query (before any fragment)."""
    parts = urlsplit(url)
    version = f"v={content_version(content)}"
    return urlunsplit(parts._replace(query=f"{parts.query}&{version}" if parts.query else version))
