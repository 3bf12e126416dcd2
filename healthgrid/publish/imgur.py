"""Anonymous Imgur uploads: best effort. Links change with every upload and anonymous images can
be deleted when unused, so gh-pages is the stable choice; this exists for quick trials."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Callable

from healthgrid.errors import RunError, quote_body, secret_from_env

DEFAULT_API = "https://api.imgur.com"
BUDGET = 60.0


def client_id_from_env(env=None) -> str:
    return secret_from_env("IMGUR_CLIENT_ID", "register an application at imgur.com and use its client id", env)


def _retry_after(headers) -> float | None:
    for name in ("Retry-After", "X-Post-Rate-Limit-Reset", "X-RateLimit-UserReset", "X-RateLimit-ClientReset"):
        value = headers.get(name)
        if value:
            try:
                seconds = float(value)
            except ValueError:
                continue
            return seconds - time.time() if seconds > 1e9 else seconds  # some are epoch times
    return None


def upload(path: Path, client_id: str, *, api: str | None = None, budget: float = BUDGET,
           warn: Callable[[str], None] | None = None, sleep: Callable[[float], None] = time.sleep) -> str:
    """Upload one image; return its link. Retries 429 (as the reset headers say) and 5xx."""
    import requests

    base = (api or os.environ.get("IMGUR_API_URL") or DEFAULT_API).rstrip("/")
    content = path.read_bytes()
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        remaining = budget - (time.monotonic() - started)
        try:
            response = requests.post(f"{base}/3/image", headers={"Authorization": f"Client-ID {client_id}"},
                                     files={"image": (path.name, content)}, data={"type": "file", "name": path.name},
                                     timeout=(5, max(1.0, min(60.0, remaining))))
        except requests.RequestException as exc:
            wait, reason = min(8.0, 2 ** attempt * 0.5), f"cannot reach Imgur at {base} ({type(exc).__name__})"
        else:
            if response.status_code == 200:
                try:
                    return response.json()["data"]["link"]
                except (ValueError, KeyError, TypeError):
                    raise RunError(f"publish imgur: {path.name}: Imgur answered 200 without a link") from None
            if response.status_code in (401, 403) and "client" in response.text.lower():
                raise RunError(f"publish imgur: Imgur refused the client id ({response.status_code}): check IMGUR_CLIENT_ID")
            if response.status_code == 429 or response.status_code >= 500 or response.status_code == 403:
                # 403 without a client-id complaint is Imgur's per-IP flood limit on shared runners.
                wait = _retry_after(response.headers) or min(8.0, 2 ** attempt * 0.5)
                reason = f"Imgur answered {response.status_code}"
            else:
                raise RunError(f"publish imgur: {path.name}: Imgur answered {response.status_code}: {_error(response)}")
        wait = max(0.2, wait) * (1 + random.random() * 0.2)
        if wait >= budget - (time.monotonic() - started):
            raise RunError(f"publish imgur: {path.name}: {reason}; gave up after {time.monotonic() - started:.0f}s")
        if warn:
            warn(f"publish imgur: {path.name}: {reason}; retrying in {wait:.1f}s")
        sleep(wait)


def _error(response) -> str:
    try:
        data = response.json().get("data", {})
        return quote_body(str(data.get("error", data)), 200)
    except ValueError:
        return quote_body(response.text, 200)
