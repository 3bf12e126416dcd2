"""Datadog credentials, the official client, and calls with bounded retries.

Retries are ours rather than the client's (`enable_retry`), because the client would sleep for as
long as a 429's reset header says; here every call shares one time budget and gives up with a
clear message when the budget cannot cover the next wait.

The client's urllib3 pool is wrapped (`_BoundedPool`) so that each attempt has a wall-clock
deadline (what the budget leaves), the answer is read in chunks up to MAX_ANSWER, and no redirect
is followed: the keys travel in DD-API-KEY / DD-APPLICATION-KEY headers, which urllib3 would
forward to whatever host a redirect names.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from typing import Callable, TypeVar
from urllib.parse import urlparse

from healthgrid.errors import RunError, UsageError
from healthgrid.net import CHUNK, MAX_ANSWER, Budget, Refused, TimedOut, origin, read_capped, redirect_refused, within
from healthgrid.secrets import register_secret
from healthgrid.text import said

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
        """The base URL for messages, without any user:password@ part."""
        return origin(self.host) if self.host else f"https://api.{self.site}"

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
        api_client = ApiClient(config)
        api_client.rest_client.pool_manager = _BoundedPool(api_client.rest_client.pool_manager)
        return api_client


class _BoundedPool:
    """Stands in for the client's urllib3 PoolManager: no redirects, no urllib3 retries (ours are
    in Retrier), the body read in chunks up to MAX_ANSWER and dropped once the caller gave up."""

    def __init__(self, inner, cap: int = MAX_ANSWER):
        self.inner = inner
        self.cap = cap
        self.cancelled = threading.Event()

    def request(self, method, url, preload_content=True, **kwargs):
        import urllib3

        response = self.inner.request(method, url, preload_content=False, redirect=False, retries=False, **kwargs)
        try:
            if 300 <= response.status < 400:
                raise redirect_refused(response.status, response.headers.get("Location"))
            body = read_capped(response.stream(CHUNK), self.cancelled, self.cap)
        finally:
            response.release_conn()
        if not 200 <= response.status < 300:  # the client decodes error bodies as UTF-8 without a fallback
            body = body.decode("utf-8", errors="replace").encode()
        return urllib3.HTTPResponse(body=body, headers=response.headers, status=response.status, reason=response.reason,
                                    preload_content=True, decode_content=False, request_method=method, request_url=url)

    def clear(self):
        self.inner.clear()


def _header(headers: dict | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def error_text(body) -> str:
    """Datadog's own words from an error body ({"errors": [...]}), kept short."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors:  # documented as a list of strings; a 200's may be one string
        text = "; ".join(str(e) for e in errors) if isinstance(errors, list) else str(errors)
    elif isinstance(body, (bytes, str)):
        text = body.decode(errors="replace") if isinstance(body, bytes) else body
    else:
        text = str(body or "")
    return said(text, 300)


class Retrier:
    """Runs API calls within one time budget: waits out 429s, backs off on 5xx and network errors."""

    def __init__(self, auth: DatadogAuth, budget: float = DEFAULT_BUDGET, warn: Callable[[str], None] | None = None):
        self.auth = auth
        self.budget = Budget(budget)
        self.warn = warn or (lambda message: None)

    def call(self, what: str, client, fn: Callable[[], T]) -> T:
        """`fn()` makes one request through `client`, whose timeout is set to what the budget
        leaves; `what` names it in messages ("querying grid X")."""
        from datadog_api_client.exceptions import ApiException, OpenApiException
        from urllib3.exceptions import HTTPError as Urllib3Error

        attempt = 0
        while True:
            attempt += 1
            remaining = self.budget.remaining()
            if remaining <= 0:
                raise RunError(f"{what}: gave up after {self.budget.seconds:g}s (the fetch budget; see --timeout)")
            # Socket timeouts a little past the deadline, so the wall-clock deadline is what speaks.
            client.configuration.request_timeout = (min(10.0, remaining), remaining + 1.0)
            pool = client.rest_client.pool_manager

            def attempt_once(cancelled: threading.Event, pool=pool):
                pool.cancelled = cancelled
                return fn()

            try:
                return within(remaining, attempt_once, "the request")
            except Refused as exc:
                budget = f", what was left of the {self.budget.seconds:g}s budget" if isinstance(exc, TimedOut) else ""
                raise RunError(f"{what}: Datadog at {self.auth.where}: {exc}{budget}") from None
            except ApiException as exc:
                status = exc.status or 0
                reason = said(exc.reason or "", 60)
                if status == 0:  # the client's wrapping of a TLS failure
                    raise RunError(f"{what}: cannot reach Datadog at {self.auth.where} ({said(exc.reason or 'TLS error', 120)})") from None
                if status in (401, 403):
                    raise RunError(
                        f"{what}: Datadog refused the credentials ({status} {reason}) at {self.auth.where}: "
                        f"check DD_API_KEY, DD_APP_KEY and DD_SITE (now {self.auth.site})"
                    ) from None
                if status == 429:
                    wait = self.budget.wait_for(attempt, _seconds(_header(exc.headers, "X-RateLimit-Reset")))
                    name = said(_header(exc.headers, "X-RateLimit-Name") or "rate limit", 60)
                    self._wait(what, wait, f"Datadog rate limit ({name}) hit; retrying in {wait:.0f}s")
                    continue
                if status >= 500:
                    wait = self.budget.wait_for(attempt)
                    self._wait(what, wait, f"Datadog answered {status} {reason}; retrying in {wait:.1f}s", last=f"Datadog kept answering {status} {reason}")
                    continue
                if status == 404:
                    raise RunError(f"{what}: Datadog answered 404 Not Found at {self.auth.where}: check DD_SITE / DATADOG_HOST") from None
                raise  # 400 and other client errors: the caller knows which row they concern
            except (Urllib3Error, OSError) as exc:
                wait = self.budget.wait_for(attempt)
                reason = type(exc).__name__
                self._wait(what, wait, f"cannot reach Datadog at {self.auth.where} ({reason}); retrying in {wait:.1f}s",
                           last=f"cannot reach Datadog at {self.auth.where} ({reason})")
            except (OpenApiException, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
                # The client could not read a 2xx answer as its API documents it (HTML from a proxy,
                # truncated JSON, wrong types): not worth retrying, and not a reason to stop other grids.
                raise RunError(f"{what}: the answer from {self.auth.where} is not what its API documents "
                               f"({type(exc).__name__}: {said(exc, 100)})") from None

    def _wait(self, what: str, seconds: float, message: str, last: str | None = None) -> None:
        if not self.budget.covers(seconds):
            raise RunError(f"{what}: {last or message.split(';')[0]}; gave up after {self.budget.elapsed():.0f}s "
                           f"(budget {self.budget.seconds:g}s, see --timeout)") from None
        self.warn(f"{what}: {message}")
        self.budget.sleep(seconds)


def _seconds(text: str | None) -> float | None:
    """A number of seconds from a header; None when absent or not a number."""
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def query_timeseries(api_client, retrier: Retrier, what: str, lo: int, hi: int, interval: int | None, queries: list[str]):
    """One POST /api/v2/query/timeseries from `lo` to `hi` (seconds): the metric `queries` named q0,
    q1, ... and one formula each, so an answer's query_index is the query's position. `interval`:
    seconds per bucket, or None where the queries' own rollup says what a bucket is.

    Returns the answer as its JSON document, not yet checked (sources/datadog_answer.py checks it):
    the client's models are not asked to read it, since they would refuse a 200 that Datadog words
    otherwise than its API documents (`"errors"` as a list) with their own internals, and walking them
    costs as much as the request."""
    from datadog_api_client.v2.api.metrics_api import MetricsApi
    from datadog_api_client.v2.model.metrics_data_source import MetricsDataSource
    from datadog_api_client.v2.model.metrics_timeseries_query import MetricsTimeseriesQuery
    from datadog_api_client.v2.model.query_formula import QueryFormula
    from datadog_api_client.v2.model.timeseries_formula_query_request import TimeseriesFormulaQueryRequest
    from datadog_api_client.v2.model.timeseries_formula_request import TimeseriesFormulaRequest
    from datadog_api_client.v2.model.timeseries_formula_request_attributes import TimeseriesFormulaRequestAttributes
    from datadog_api_client.v2.model.timeseries_formula_request_queries import TimeseriesFormulaRequestQueries
    from datadog_api_client.v2.model.timeseries_formula_request_type import TimeseriesFormulaRequestType

    names = [f"q{k}" for k in range(len(queries))]
    body = TimeseriesFormulaQueryRequest(data=TimeseriesFormulaRequest(
        type=TimeseriesFormulaRequestType.TIMESERIES_REQUEST,
        attributes=TimeseriesFormulaRequestAttributes(
            _from=lo * 1000, to=hi * 1000,
            queries=TimeseriesFormulaRequestQueries([MetricsTimeseriesQuery(data_source=MetricsDataSource.METRICS, name=name, query=text)
                                                     for name, text in zip(names, queries, strict=True)]),
            formulas=[QueryFormula(formula=name) for name in names],
            **({"interval": interval * 1000} if interval else {}),
        ),
    ))
    api = MetricsApi(api_client)

    def send():  # the raw answer, read below as JSON; set by each attempt, put back once all are over
        api_client.configuration.preload_content = False
        return api.query_timeseries_data(body=body)

    try:
        response = retrier.call(what, api_client, send)
    finally:
        api_client.configuration.preload_content = True
    try:
        return json.loads(response.data)
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise RunError(f"{what}: the answer from {retrier.auth.where} is not what its API documents (not JSON: {said(exc, 80)})") from None
