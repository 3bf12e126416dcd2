"""One sticky pull-request comment with the preview images, updated in place on every push."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable

from healthgrid import bounded
from healthgrid.errors import RunError, secret_from_env

MARKER = "<!-- healthgrid-preview -->"
DEFAULT_API = "https://api.github.com"
DEADLINE = 30.0  # seconds of wall-clock time per GitHub request
MAX_REQUESTS = 52  # 50 pages of 100 comments, then the edit


def body_for(items: list[str]) -> str:
    """Markdown for the comment: each URL as an image; each local .md file (NAME.md) inlined, with
    its image line pointed at the matching URL."""
    urls = [i for i in items if re.match(r"https?://", i)]
    parts = [MARKER, "### healthgrid preview", ""]
    used: set[str] = set()
    for item in items:
        if item in urls:
            continue
        text = Path(item).read_text(encoding="utf-8")
        stem = Path(item).stem
        match = next((u for u in urls if re.search(rf"/{re.escape(stem)}\.png(\?|$)", u)), None)
        lines = []
        for line in text.splitlines():
            if line.startswith("!["):
                if match:
                    line = re.sub(r"\]\([^)]*\)$", f"]({match})", line)
                    used.add(match)
                else:
                    continue
            lines.append(line)
        parts += ["\n".join(lines), ""]
    for url in urls:
        if url not in used:
            name = url.rsplit("/", 1)[-1].split("?")[0]
            parts += [f"![{name}]({url})", ""]
    parts.append("<sub>Rendered by healthgrid from demo data for this pull request; updated on every push.</sub>")
    return "\n".join(parts) + "\n"


def upsert(repo: str, pr: int, body: str, token: str, *, api: str | None = None, warn: Callable[[str], None]) -> str:
    """Create or edit the comment carrying MARKER; returns "created", "updated", "unchanged" or "skipped"."""
    import requests

    base = (api or os.environ.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/")
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
                            "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "healthgrid"})

    calls = 0

    def call(method: str, url: str, **kwargs):
        nonlocal calls
        calls += 1
        if calls > MAX_REQUESTS:  # a server whose "next" page never ends
            raise RunError(f"comment: gave up after {MAX_REQUESTS} requests to GitHub (pages of comments on {repo}#{pr})")
        if bounded.origin(url) != bounded.origin(base):  # a Link header may name any host: the token stays home
            raise RunError(f"comment: GitHub's next page is at {bounded.origin(url)}, not {bounded.origin(base)}; not followed")
        try:
            response = bounded.request(session, method, url, deadline=DEADLINE, what="the request", **kwargs)
        except bounded.Refused as exc:
            raise RunError(f"comment: GitHub at {bounded.origin(base)}: {exc}") from None
        except requests.RequestException as exc:
            raise RunError(f"comment: cannot reach {bounded.origin(base)} ({type(exc).__name__})") from None
        if response.status_code == 403 or (response.status_code == 404 and method != "GET"):
            return None  # no permission: fork pull requests get a read-only token
        if response.status_code >= 400:
            raise RunError(f"comment: GitHub answered {response.status_code} for {method} {url.removeprefix(base)[:100]}: "
                           f"{bounded.one_line(response.text, 200)}")
        if method == "GET" and not _comment_list(response):
            raise RunError(f"comment: GitHub at {bounded.origin(base)} answered {response.status_code} with something "
                           "that is not a JSON list of comments")
        return response

    existing = None
    url = f"{base}/repos/{repo}/issues/{pr}/comments?per_page=100"
    while url and existing is None:
        response = call("GET", url)
        if response is None:
            warn(f"comment: no permission to read comments on {repo}#{pr} (a fork's pull request?); skipped")
            return "skipped"
        existing = next((c for c in response.json() if MARKER in (c.get("body") or "")), None)
        url = response.links.get("next", {}).get("url")
    if existing and existing.get("body") == body:
        return "unchanged"
    if existing:
        response = call("PATCH", f"{base}/repos/{repo}/issues/comments/{existing['id']}", json={"body": body})
        verb = "updated"
    else:
        response = call("POST", f"{base}/repos/{repo}/issues/{pr}/comments", json={"body": body})
        verb = "created"
    if response is None:
        warn(f"comment: no permission to comment on {repo}#{pr} (a fork's pull request?); skipped")
        return "skipped"
    return verb


def _comment_list(response) -> bool:
    try:
        value = response.json()
    except ValueError:
        return False
    return isinstance(value, list) and all(isinstance(c, dict) and isinstance(c.get("body") or "", str) for c in value)


def token_from_env(env=None) -> str:
    return secret_from_env("GITHUB_TOKEN", "the comment needs a token with pull-requests: write", env)
