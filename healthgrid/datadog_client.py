"""Datadog credentials, the official client, and calls with bounded retries.

Retries are ours rather than the client's (`enable_retry`), because the client would sleep for as
long as a 429's reset header says; here every call shares one time budget and gives up with a
clear message when the budget cannot cover the next wait.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass
from typing import Callable, TypeVar
from urllib.parse import urlparse

from healthgrid.errors import RunError, UsageError, quote_body, register_secret

SITES = (
    "datadoghq.com", "us3.datadoghq.com", "us5.datadoghq.com", "ap1.datadoghq.com", "ap2.datadoghq.com",
    "uk1.datadoghq.com", "datadoghq.eu", "ddog-gov.com", "us2.ddog-gov.com",
)
DEFAULT_BUDGET = 60.0
T = TypeVar("T")


@dataclass(frozen=True)
class DatadogAuth:
    api_key: str
    app_key: str | None
    site: str = "datadoghq.com"
    host: str | None = None  # DATADOG_HOST: a full base URL; overrides the site

    @property
    def where(self) -> str:
        return self.host or f"https://api.{self.site}"

    @classmethod
    def from_env(cls, env=None, need_app_key: bool = True) -> "DatadogAuth":
        env = os.environ if env is None else env
        api_key = env.get("DD_API_KEY", "").strip()
        app_key = env.get("DD_APP_KEY", "").strip()
        register_secret(api_key)
        register_secret(app_key)
        if not api_key:
            raise UsageError("DD_API_KEY: not set; Datadog needs an API key (or use --demo / --data)")
        if need_app_key and not app_key:
            raise UsageError("DD_APP_KEY: not set; reading metrics needs an application key (or use --demo / --data)")
        site = env.get("DD_SITE", "").strip() or "datadoghq.com"
        site = site.removeprefix("https://").removeprefix("app.").removeprefix("api.").rstrip("/")
        if site not in SITES:
            raise UsageError(f"DD_SITE: unknown Datadog site {site!r}; one of {', '.join(SITES)}")
        host = env.get("DATADOG_HOST", "").strip().rstrip("/") or None
        if host:
            parsed = urlparse(host)
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                raise UsageError(f"DATADOG_HOST: {host!r} must be a base URL such as https://api.datadoghq.eu or http://127.0.0.1:8080")
        return cls(api_key, app_key or None, site, host)

    def client(self):
        from datadog_api_client import ApiClient, Configuration

        config = Configuration(host=self.host) if self.host else Configuration()
        if not self.host:
            config.server_variables["site"] = self.site
        config.api_key["apiKeyAuth"] = self.api_key
        if self.app_key:
            config.api_key["appKeyAuth"] = self.app_key
        config.enable_retry = False
        return ApiClient(config)


def _header(headers: dict | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def error_text(body) -> str:
    """Datadog's own words from an error body ({"errors": [...]}), kept short."""
    if isinstance(body, dict) and body.get("errors"):
        text = "; ".join(str(e) for e in body["errors"])
    elif isinstance(body, (bytes, str)):
        text = body.decode(errors="replace") if isinstance(body, bytes) else body
    else:
        text = str(body or "")
    return quote_body(text, 300)


class Retrier:
    """Runs API calls within one time budget: waits out 429s, backs off on 5xx and network errors."""

    def __init__(self, auth: DatadogAuth, budget: float = DEFAULT_BUDGET, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, warn: Callable[[str], None] | None = None):
        self.auth = auth
        self.budget = budget
        self.sleep = sleep
        self.clock = clock
        self.warn = warn or (lambda message: None)
        self.started = clock()
        self.requests = 0

    def remaining(self) -> float:
        return self.budget - (self.clock() - self.started)

    def call(self, what: str, client, fn: Callable[[], T]) -> T:
        """`fn()` makes one request through `client`, whose timeout is set to what the budget
        leaves; `what` names it in messages ("querying grid X")."""
        from datadog_api_client.exceptions import ApiException
        from urllib3.exceptions import HTTPError as Urllib3Error

        attempt = 0
        while True:
            attempt += 1
            remaining = self.remaining()
            if remaining <= 0:
                raise RunError(f"{what}: gave up after {self.budget:g}s (the fetch budget; see --timeout)")
            timeout = (min(10.0, remaining), max(1.0, min(30.0, remaining)))
            self.requests += 1
            client.configuration.request_timeout = timeout
            try:
                return fn()
            except ApiException as exc:
                status = exc.status or 0
                if status in (401, 403):
                    raise RunError(
                        f"{what}: Datadog refused the credentials ({status} {exc.reason}) at {self.auth.where}: "
                        f"check DD_API_KEY, DD_APP_KEY and DD_SITE (now {self.auth.site})"
                    ) from None
                if status == 429:
                    reset = _header(exc.headers, "X-RateLimit-Reset")
                    try:
                        wait = max(0.5, float(reset)) if reset is not None else self._backoff(attempt)
                    except ValueError:
                        wait = self._backoff(attempt)
                    name = _header(exc.headers, "X-RateLimit-Name") or "rate limit"
                    self._wait(what, wait, f"Datadog rate limit ({name}) hit; retrying in {wait:.0f}s")
                    continue
                if status >= 500:
                    wait = self._backoff(attempt)
                    self._wait(what, wait, f"Datadog answered {status} {exc.reason}; retrying in {wait:.1f}s",
                               last=f"Datadog kept answering {status} {exc.reason}")
                    continue
                if status == 404:
                    raise RunError(f"{what}: Datadog answered 404 Not Found at {self.auth.where}: check DD_SITE / DATADOG_HOST") from None
                raise  # 400 and other client errors: the caller knows which row they concern
            except (Urllib3Error, OSError) as exc:
                wait = self._backoff(attempt)
                reason = type(exc).__name__
                self._wait(what, wait, f"cannot reach Datadog at {self.auth.where} ({reason}); retrying in {wait:.1f}s",
                           last=f"cannot reach Datadog at {self.auth.where} ({reason})")

    def _backoff(self, attempt: int) -> float:
        return min(8.0, 0.5 * 2 ** (attempt - 1)) * (1 + random.random() * 0.25)

    def _wait(self, what: str, seconds: float, message: str, last: str | None = None) -> None:
        if seconds >= self.remaining():
            raise RunError(f"{what}: {last or message.split(';')[0]}; gave up after {self.clock() - self.started:.0f}s "
                           f"(budget {self.budget:g}s, see --timeout)") from None
        self.warn(f"{what}: {message}")
        self.sleep(seconds)
