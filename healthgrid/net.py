"""Network calls within bounds: every call has a wall-clock deadline, a cap on the answer's size,
and follows no redirect; retries share one time budget.

Socket timeouts bound each read, not the call: a server that trickles a byte a second never trips
them. So the call runs in a worker thread and the caller waits at most `deadline` seconds; the
worker reads the answer in chunks and stops at the size cap, or as soon as the caller has given
up. Redirects are never followed, so an API key or token can only reach the origin it was
configured for; a 3xx is a one-line error naming where it pointed.

Retries (Datadog, Imgur, GitHub) follow one schedule within one `Budget`: the backoff, what is left
of the budget, and the clock and sleep the waits are taken on (tests pass their own).
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, TypeVar
from urllib.parse import urlsplit

MAX_ANSWER = 16 * 1024 * 1024  # bytes of one JSON answer (Datadog, Imgur, GitHub), after decompression
CHUNK = 64 * 1024
T = TypeVar("T")


class Refused(Exception):
    """The call broke a limit (deadline, size, redirect) or the answer cannot be read; not retried.
    The message is one line without the caller's name, which the caller puts in front."""


class TimedOut(Refused):
    """The deadline passed."""


def origin(url: str) -> str:
    """scheme://host:port of a URL, without userinfo, path or query: safe to print."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "an unreadable URL"
    return f"{parts.scheme}://{host}{port}" if parts.scheme and host else "a relative URL"


def check_base(url: str, name: str) -> str:
    """`url` when it is an http(s) URL with a host, else a usage error naming the variable: requests
    would refuse it on every retry (file://, ftp://, a typo) and the budget would run out for nothing."""
    from healthgrid.errors import UsageError

    try:
        parts = urlsplit(url)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 1) > 0  # .port raises on a bad one
    except ValueError:
        usable = False
    if not usable:
        raise UsageError(f"{name}: must be an http:// or https:// base URL with a host (e.g. https://api.example.com or http://127.0.0.1:8080)")
    return url


def redirect_refused(status: int, location: str | None) -> Refused:
    where = origin(location) if location else "nowhere"
    return Refused(f"the server answered {status} redirecting to {where}; redirects are not followed, "
                   "so credentials never leave the configured host: point the URL at the final address")


def within(deadline: float, fn: Callable[[threading.Event], T], what: str = "the call") -> T:
    """`fn(cancelled)` in a worker thread; at most `deadline` seconds of wall-clock time.

    On time-out `cancelled` is set (the worker's read loop stops at its next chunk) and Refused
    is raised; the daemon worker is left to end on its own."""
    cancelled = threading.Event()
    done = threading.Event()
    outcome: dict = {}

    def work():
        try:
            outcome["value"] = fn(cancelled)
        except BaseException as exc:  # handed to the caller's thread as it is
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name="healthgrid-http", daemon=True).start()
    if not done.wait(max(0.0, deadline)):
        cancelled.set()
        raise TimedOut(f"{what} did not finish within {deadline:.1f}s of wall-clock time")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def read_capped(chunks: Iterable[bytes], cancelled: threading.Event, cap: int = MAX_ANSWER) -> bytes:
    """Join `chunks` until the end, `cap` bytes (Refused) or cancellation (Refused)."""
    parts, size = [], 0
    for chunk in chunks:
        if cancelled.is_set():
            raise Refused("cancelled at the deadline")
        size += len(chunk)
        if size > cap:
            raise Refused(f"the answer is larger than {cap // (1024 * 1024)} MiB (the size cap); not read further")
        parts.append(chunk)
    return b"".join(parts)


@dataclass
class Answer:
    """A fully read `requests` answer: what the callers used of requests.Response."""

    status_code: int
    headers: dict
    content: bytes
    links: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self):
        try:
            return json.loads(self.content)
        except RecursionError:  # callers treat any unreadable answer as a ValueError
            raise ValueError("the JSON is nested too deeply") from None


def request(session, method: str, url: str, *, deadline: float, connect: float = 10.0, cap: int = MAX_ANSWER,
            what: str = "the request", **kwargs) -> Answer:
    """One `requests` call within `deadline` seconds and `cap` bytes, no redirect followed.

    Raises Refused for a broken limit or a 3xx; requests' own exceptions pass through."""
    def call(cancelled: threading.Event) -> Answer:
        timeout = (min(connect, deadline), max(0.1, deadline))
        with session.request(method, url, stream=True, allow_redirects=False, timeout=timeout, **kwargs) as response:
            if 300 <= response.status_code < 400:
                raise redirect_refused(response.status_code, response.headers.get("Location"))
            body = read_capped(response.iter_content(CHUNK), cancelled, cap)
            return Answer(response.status_code, dict(response.headers), body, response.links)

    return within(deadline, call, what)


FIRST_WAIT = 0.5  # seconds; also the least we wait when a server asks for less
MAX_WAIT = 8.0


def backoff(attempt: int) -> float:
    """Seconds to wait after failed attempt `attempt` (1, 2, ...): 0.5, 1, 2, 4, 8, 8, ... plus up
    to 25% jitter, so runs that failed together do not retry together."""
    return min(MAX_WAIT, FIRST_WAIT * 2 ** (attempt - 1)) * (1 + random.random() * 0.25)


class Budget:
    """One time budget shared by every attempt of a call (or of several calls)."""

    def __init__(self, seconds: float, *, sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.sleep = sleep
        self.clock = clock
        self.started = clock()

    def elapsed(self) -> float:
        return self.clock() - self.started

    def remaining(self) -> float:
        return self.seconds - self.elapsed()

    def wait_for(self, attempt: int, asked: float | None = None) -> float:
        """What to wait after failed attempt `attempt`: what the server `asked` (a 429's reset), at
        least FIRST_WAIT, else the backoff. An endless wait (inf) is never covered: the call gives up."""
        if asked is None or math.isnan(asked):
            return backoff(attempt)
        return max(FIRST_WAIT, asked)

    def covers(self, seconds: float) -> bool:
        """Whether waiting `seconds` still leaves time for another attempt."""
        return seconds < self.remaining()
