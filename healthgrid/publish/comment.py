"""One sticky pull-request comment with the preview images, updated in place on every push."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from healthgrid import net
from healthgrid.credentials import github_api_problem
from healthgrid.errors import RunError, UsageError
from healthgrid.files.fit import GridMarkdown
from healthgrid.net import Budget
from healthgrid.secrets import secret_from_env
from healthgrid.text import md_text, md_url, said

MARKER = "<!-- healthgrid-preview -->"
DEFAULT_API = "https://api.github.com"
DEADLINE = 30.0  # seconds of wall-clock time per GitHub request
BUDGET = 120.0  # seconds for the whole comment, every page included
MAX_REQUESTS = 52  # 50 pages of 100 comments, then the edit


def body(grids: list[GridMarkdown]) -> str:
    """The comment: its marker, each grid's Markdown, a footer. Within GitHub's 65,536 characters:
    past them, tables give way to links to the grid's page beside its image (healthgrid.files.fit),
    and the text says so."""
    from healthgrid.files.fit import COMMENT_LIMIT, COMMENT_WHAT, fit, utf16_units

    footer = "<sub>Rendered by healthgrid from demo data for this pull request; updated on every push.</sub>"
    return fit(f"{MARKER}\n### healthgrid preview", grids, footer, COMMENT_LIMIT, utf16_units, COMMENT_WHAT)


def image_block(url: str) -> GridMarkdown:
    """An image shown on its own, its file name as its alt text."""
    name = url.rsplit("/", 1)[-1].split("?")[0]
    return GridMarkdown(name, [f"![{md_text(name)}]({md_url(url)})"], "", "")


def body_for(items: list[str]) -> str:
    """The comment for `healthgrid comment`'s FILE_OR_URL: each URL as an image; each local .md
    file (NAME.md, Markdown as healthgrid writes it) inlined, with its image line pointed at the
    matching URL."""
    from healthgrid.files.fit import sibling, split_grid

    urls = [i for i in items if re.match(r"https?://", i)]
    grids: list[GridMarkdown] = []
    used: set[str] = set()
    for item in items:
        if item in urls:
            continue
        try:
            text = Path(item).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"FILE_OR_URL: {item}: not a readable UTF-8 Markdown file ({type(exc).__name__})") from None
        stem = Path(item).stem
        match = next((u for u in urls if re.search(rf"/{re.escape(stem)}\.png(\?|$)", u)), None)
        lines = []
        for line in text.splitlines():
            if line.startswith("!["):
                if match:
                    line = re.sub(r"\]\([^)]*\)$", lambda _: f"]({md_url(match)})", line)  # noqa: B023 - re.sub calls it at once, in this iteration
                    used.add(match)
                else:
                    continue
            lines.append(line)
        page = ".html" if Path(item).with_suffix(".html").is_file() else ".md"  # the HTML page, when it was written too
        grids.append(split_grid(stem, "\n".join(lines), sibling(match, stem, (page,)) if match else None))
    return body(grids + [image_block(url) for url in urls if url not in used])


@dataclass(frozen=True)
class Identity:
    login: str
    id: int | None

    def wrote(self, comment: dict) -> bool:
        user = comment.get("user") or {}
        if self.id is not None and user.get("id") is not None:
            return user["id"] == self.id
        return str(user.get("login", "")).lower() == self.login.lower()


def graphql_url(base: str) -> str:
    """GitHub's GraphQL endpoint beside a REST base: api.github.com/graphql, HOST/api/graphql (GHES)."""
    return base[: -len("/v3")] + "/graphql" if base.endswith("/api/v3") else base + "/graphql"


def upsert(repo: str, pr: int, body: str, token: str, *, api: str | None = None, warn: Callable[[str], None]) -> str:
    """Create or edit our comment carrying MARKER; returns "created", "updated", "unchanged" or "skipped".

    "Ours" means written by the account the token acts as, found by asking GitHub (never by a
    guessed login): `GET /user` for a personal token; an Actions or App installation token gets 403
    there, so the GraphQL `viewer` (which answers both kinds, e.g. `github-actions[bot]`) decides.
    Anyone else's comment that merely contains the marker is never edited."""
    import requests

    base = net.check_base((api or os.environ.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/"), "GITHUB_API_URL")
    problem = github_api_problem(base)
    if problem:  # the same rule as the pages push: the token travels over https only
        raise UsageError(f"GITHUB_API_URL: {net.origin(base)} {problem}")
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
                            "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "healthgrid"})

    calls = 0
    budget = Budget(BUDGET)

    def call(method: str, url: str, **kwargs):
        nonlocal calls
        calls += 1
        if calls > MAX_REQUESTS:  # a server whose "next" page never ends
            raise RunError(f"comment: gave up after {MAX_REQUESTS} requests to GitHub (pages of comments on {repo}#{pr})")
        if budget.remaining() <= 0:  # a server that answers each page just inside DEADLINE
            raise RunError(f"comment: gave up after {BUDGET:g}s of requests to GitHub (pages of comments on {repo}#{pr})")
        if net.origin(url) != net.origin(base):  # a Link header may name any host: the token stays home
            raise RunError(f"comment: GitHub's next page is at {net.origin(url)}, not {net.origin(base)}; not followed")
        try:
            response = net.request(session, method, url, deadline=min(DEADLINE, budget.remaining()), what="the request", **kwargs)
        except net.Refused as exc:
            if isinstance(exc, net.TimedOut) and budget.remaining() <= 0:
                raise RunError(f"comment: gave up after {BUDGET:g}s of requests to GitHub (pages of comments on {repo}#{pr})") from None
            raise RunError(f"comment: GitHub at {net.origin(base)}: {exc}") from None
        except requests.RequestException as exc:
            raise RunError(f"comment: cannot reach {net.origin(base)} ({type(exc).__name__})") from None
        if response.status_code == 403 or (response.status_code == 404 and method != "GET"):
            return None  # no permission: fork pull requests get a read-only token
        if response.status_code >= 400:
            raise RunError(f"comment: GitHub answered {response.status_code} for {method} {url.removeprefix(base)[:100]}: "
                           f"{said(response.text, 200)}")
        return response

    me = _identity(call, base)
    if me is None:
        warn(f"comment: cannot tell which account the token acts as (GET /user and the GraphQL viewer both failed); "
             f"not touching comments on {repo}#{pr}")
        return "skipped"
    existing = None
    url = f"{base}/repos/{repo}/issues/{pr}/comments?per_page=100"
    while url and existing is None:
        response = call("GET", url)
        if response is None:
            warn(f"comment: no permission to read comments on {repo}#{pr} (a fork's pull request?); skipped")
            return "skipped"
        existing = next((c for c in _json(response, list) if isinstance(c, dict) and me.wrote(c)
                         and str(c.get("body") or "").startswith(MARKER)), None)
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


def _json(response, kind: type):
    try:
        doc = response.json()
    except ValueError:
        doc = None
    if not isinstance(doc, kind):
        raise RunError(f"comment: GitHub answered {response.status_code} with something other than a JSON {kind.__name__}")
    return doc


def _identity(call, base: str) -> Identity | None:
    response = call("GET", f"{base}/user")
    if response is not None:
        user = _json(response, dict)
        if user.get("login"):
            return Identity(str(user["login"]), user.get("id") if isinstance(user.get("id"), int) else None)
    try:
        response = call("POST", graphql_url(base), json={"query": "query { viewer { login databaseId } }"})
    except RunError:
        return None
    if response is None:
        return None
    try:
        viewer = ((_json(response, dict).get("data") or {}).get("viewer")) or {}
    except RunError:
        return None
    if not isinstance(viewer, dict) or not viewer.get("login"):
        return None
    return Identity(str(viewer["login"]), viewer.get("databaseId") if isinstance(viewer.get("databaseId"), int) else None)


def token_from_env(env=None) -> str:
    return secret_from_env("GITHUB_TOKEN", "the comment needs a token with pull-requests: write", env)
