"""The keys, each on its own: the API key with `GET /api/v1/validate` (which reads no other key),
the application key with one small query on the endpoint every run uses.

Keys go to the configured host only. Which site a key belongs to cannot be known without sending
it to the others, so a refusal names the host that refused it and says where to look, never
where the key "is".
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from healthgrid.config import GridSpec, RowSpec
from healthgrid.datadog.client import SITES, DatadogAuth, Retrier, error_text
from healthgrid.datadog.formula import FormulaError, parse
from healthgrid.doctor.report import Finding
from healthgrid.errors import RunError


class KeyRefused(Exception):
    """Datadog answered 401 or 403: `status` and Datadog's own words (never a key)."""

    def __init__(self, status: int, words: str):
        super().__init__(f"{status}: {words}")
        self.status = status
        self.words = words


class Checked(Retrier):
    """A Retrier for which a refused key is an answer, not a failure: 401 and 403 come out as
    KeyRefused; everything else (429 waits, 5xx retries, the budget) as for a run. `status`: the
    HTTP status of the last error answer."""

    status: int | None = None

    def call(self, what, client, fn):
        from datadog_api_client.exceptions import ApiException

        def watched():
            try:
                return fn()
            except ApiException as exc:
                self.status = exc.status
                if exc.status in (401, 403):
                    raise KeyRefused(exc.status, error_text(exc.body)) from None
                raise

        return super().call(what, client, watched)


def host(auth: DatadogAuth) -> str:
    """Where requests go, as `api.datadoghq.com` or `127.0.0.1:8080`."""
    return urlsplit(auth.where).netloc or auth.where


def where_else(auth: DatadogAuth) -> str:
    """What to change when the configured host refuses a key."""
    if auth.host:
        return "DATADOG_HOST sends every request there (DD_SITE is not used while it is set): check that it is your org's API"
    others = ", ".join([s for s in dict.fromkeys(("datadoghq.eu", *SITES)) if s != auth.site][:3])
    return f"if your org is on another site ({others}, …), set DD_SITE (now {auth.site})"


def check_api_key(auth: DatadogAuth, client, retrier: Retrier) -> Finding:
    from datadog_api_client.v1.api.authentication_api import AuthenticationApi

    subject = f"API key at {host(auth)}"
    try:
        answer = retrier.call("checking the API key", client, lambda: AuthenticationApi(client).validate())
    except KeyRefused as exc:
        return Finding("keys", "fail", subject, f"{exc.status} from {host(auth)}: the API key is not valid there "
                                                 f"(Datadog: {exc.words}); {where_else(auth)}", {"key": "api"})
    except RunError as exc:
        return Finding("keys", "fail", subject, f"could not be checked: {exc}", {"key": "api"})
    if answer.get("valid") is not True:
        return Finding("keys", "fail", subject, f"GET /api/v1/validate at {host(auth)} did not answer valid: true", {"key": "api"})
    return Finding("keys", "ok", subject, "valid (GET /api/v1/validate)", {"key": "api"})


def probe_spec(spec: GridSpec) -> GridSpec | None:
    """One query as a run sends them, on the first metric of `spec`: the average over whole UTC
    days, since yesterday. Only whether the key is accepted matters, not the numbers."""
    try:
        metric = parse(spec.rows[0].query.strip()).metrics[0]
    except (FormulaError, IndexError):
        return None
    return GridSpec(name=spec.name, title=spec.title, rows=(RowSpec(spec.rows[0].label, f"avg:{metric.name}{{*}}"),), days=2)


def check_app_key(auth: DatadogAuth, client, retrier: Checked, spec: GridSpec, now: datetime) -> Finding:
    """One POST /api/v2/query/timeseries: a 401/403 is the application key (the API key passed
    validate); any other answer, a 400 included, means the key was accepted."""
    from healthgrid.sources.datadog import DatadogSource
    from healthgrid.sources.datadog_plan import plan_grid

    subject = f"application key at {host(auth)}"
    probe = probe_spec(spec)
    if probe is None:
        return Finding("keys", "skip", subject, "not checked: no metric query to ask with", {"key": "application"})
    plan = plan_grid(probe, now)
    source = DatadogSource(auth)
    try:
        source.ask(probe, plan, client, retrier, plan.requests[0])
    except KeyRefused as exc:
        return Finding("keys", "fail", subject, f"{exc.status} from {host(auth)} on the query endpoint (POST /api/v2/query/timeseries): "
                       f"the application key is not valid there, or lacks the timeseries_query permission (Datadog: {exc.words}); "
                       "it must belong to the same org as the API key", {"key": "application"})
    except RunError as exc:
        if retrier.status != 400:  # Datadog judged the query, so it took the key; anything else says nothing of it
            return Finding("keys", "fail", subject, f"could not be checked: {exc}", {"key": "application"})
    return Finding("keys", "ok", subject, "accepted by the query endpoint (POST /api/v2/query/timeseries)", {"key": "application"})
