"""Anonymous Imgur uploads: best effort. Links change with every upload and anonymous images can
be deleted when unused, so gh-pages is the stable choice; this exists for quick trials."""

from __future__ import annotations

import math
import os
import time
from typing import Callable

from healthgrid import net
from healthgrid.errors import RunError
from healthgrid.net import Budget
from healthgrid.text import CONTROL, said

DEFAULT_API = "https://api.imgur.com"
BUDGET = 60.0
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif")  # what Imgur takes of our files (not SVG)


def _reset_wait(headers) -> float | None:
    """Seconds a 429 asks us to wait, from the first reset header that says (some are epoch times)."""
    for name in ("Retry-After", "X-Post-Rate-Limit-Reset", "X-RateLimit-UserReset", "X-RateLimit-ClientReset"):
        value = headers.get(name)
        if value:
            try:
                seconds = float(value)
            except ValueError:
                continue
            if math.isfinite(seconds):
                return seconds - time.time() if seconds > 1e9 else seconds
    return None


def publish_files(files: dict[str, bytes], options, console):
    """The Imgur target: upload the images of `files` Imgur shows (PNG, JPEG, GIF); returns
    ([Published image], True), as every upload makes a new link."""
    from healthgrid.publish.shared import Published
    from healthgrid.site.urls import versioned_url

    client_id = options.credentials.imgur()
    images = []
    for name, content in files.items():
        if not name.lower().endswith(IMAGE_TYPES):
            continue
        link = upload(name, content, client_id, warn=console.warn)
        images.append(Published(name, link, versioned_url(link, content)))
    return images, True


def upload(name: str, content: bytes, client_id: str, *, api: str | None = None, budget: float | None = None,
           warn: Callable[[str], None] | None = None) -> str:
    """Upload one image; return its link. Retries 429 (waiting as its reset headers say), 5xx and
    network errors (backing off), all within `budget` seconds; each attempt gets what is left as a
    wall-clock deadline and its answer is capped at MAX_ANSWER. Redirects are not followed."""
    import requests

    budget = Budget(BUDGET if budget is None else budget)
    base = net.check_base((api or os.environ.get("IMGUR_API_URL") or DEFAULT_API).rstrip("/"), "IMGUR_API_URL")
    session = requests.Session()
    attempt = 0
    while True:
        attempt += 1
        try:
            response = net.request(session, "POST", f"{base}/3/image", deadline=budget.remaining(), connect=5.0, what="the upload",
                                       headers={"Authorization": f"Client-ID {client_id}"},
                                       files={"image": (name, content)}, data={"type": "file", "name": name})
        except net.Refused as exc:
            raise RunError(f"publish imgur: {name}: Imgur at {net.origin(base)}: {exc}") from None
        except requests.RequestException as exc:
            wait, reason = budget.wait_for(attempt), f"cannot reach Imgur at {net.origin(base)} ({type(exc).__name__})"
        else:
            status = response.status_code
            if status == 200:
                try:
                    link = response.json()["data"]["link"]
                    if isinstance(link, str) and link.startswith("https://") and len(link) < 2048 and not CONTROL.search(link):
                        return link
                except (ValueError, KeyError, TypeError):
                    pass
                raise RunError(f"publish imgur: {name}: Imgur answered 200 without a link")
            if status in (401, 403) and "client" in response.text.lower():
                raise RunError(f"publish imgur: Imgur refused the client id ({status}): check IMGUR_CLIENT_ID")
            if status == 429:
                # Only a 429 is about rate limits: Imgur sends its reset headers on every answer.
                wait = budget.wait_for(attempt, _reset_wait(response.headers))
            elif status >= 500 or status == 403:
                # 403 without a client-id complaint is Imgur's per-IP flood limit on shared runners.
                wait = budget.wait_for(attempt)
            else:
                raise RunError(f"publish imgur: {name}: Imgur answered {status}: {_error(response)}")
            reason = f"Imgur answered {status}"
        if not budget.covers(wait):
            raise RunError(f"publish imgur: {name}: {reason}; gave up after {budget.elapsed():.0f}s (budget {budget.seconds:g}s)")
        if warn:
            warn(f"publish imgur: {name}: {reason}; retrying in {wait:.1f}s")
        budget.sleep(wait)


def _error(response) -> str:
    try:
        data = response.json().get("data", {})
        text = data.get("error", data) if isinstance(data, dict) else data
    except (ValueError, AttributeError):
        text = response.text
    return said(str(text), 200)
