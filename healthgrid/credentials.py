"""Keys and tokens as values: the CLI reads them from the environment, the Action from its inputs.

Each is checked (and registered for redaction) only when a stage needs it, so `--demo` runs
without any, and a missing one is a usage error naming the variable users set.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from healthgrid.secrets import secret_from_env


@dataclass(frozen=True)
class Credentials:
    datadog_api_key: str = ""
    datadog_app_key: str = ""
    datadog_site: str = ""
    datadog_host: str = ""  # a full base URL; overrides the site
    imgur_client_id: str = ""
    github_token: str = ""

    @classmethod
    def from_env(cls, env=None) -> Credentials:
        env = os.environ if env is None else env
        return cls(*(env.get(var, "") for var in _VARS))

    def _as_env(self) -> dict[str, str]:
        return dict(zip(_VARS, (self.datadog_api_key, self.datadog_app_key, self.datadog_site, self.datadog_host,
                                self.imgur_client_id, self.github_token), strict=True))

    def datadog(self, need_app_key: bool = True):
        """The checked Datadog credentials (DD_API_KEY, DD_APP_KEY, DD_SITE, DATADOG_HOST)."""
        from healthgrid.datadog.client import DatadogAuth

        return DatadogAuth.from_env(self._as_env(), need_app_key=need_app_key)

    def imgur(self) -> str:
        return secret_from_env("IMGUR_CLIENT_ID", "register an application at imgur.com and use its client id", self._as_env())

    def github(self) -> str | None:
        """The token that pushes to the pages branch; none is fine for a local or ssh remote."""
        return self.github_token or None


_VARS = ("DD_API_KEY", "DD_APP_KEY", "DD_SITE", "DATADOG_HOST", "IMGUR_CLIENT_ID", "GITHUB_TOKEN")


# Where the GitHub token may go: the run's own server, over https, to a URL git and Python read
# alike (a host name, an optional port, a plain path: no user, password, query, backslash or escape).
DEFAULT_SERVER = "https://github.com"
_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
_SERVER = re.compile(rf"https://({_HOST})(?::(\d{{1,5}}))?/?")
_REMOTE = re.compile(rf"https://({_HOST})(?::(\d{{1,5}}))?/[A-Za-z0-9._~/-]*")


def github_server(env=None) -> tuple[str, int] | None:
    """(host, port) of the GitHub server this run belongs to: GITHUB_SERVER_URL (set by the runner;
    https://github.com when unset). None when it is not a plain https://HOST[:PORT] URL."""
    env = os.environ if env is None else env
    found = _SERVER.fullmatch((env.get("GITHUB_SERVER_URL") or DEFAULT_SERVER).strip())
    return (found.group(1).lower(), int(found.group(2) or 443)) if found else None


def github_token_target(remote: str, env=None) -> str | None:
    """`https://HOST[:PORT]` when the GitHub token may be sent with git's requests to `remote`,
    else None: only an https URL on the run's own GitHub server gets it. Any other remote (plain
    http, another host, ssh or scp form, a path, a URL with a user or password) gets no credentials."""
    server = github_server(env)
    found = _REMOTE.fullmatch(remote)
    if server is None or found is None or (found.group(1).lower(), int(found.group(2) or 443)) != server:
        return None
    host, port = server
    return f"https://{host}" + ("" if port == 443 else f":{port}")


def github_api_problem(api: str) -> str | None:
    """Why the GitHub token may not be sent to the REST API at `api`, or None. The API's address is
    the runner's own GITHUB_API_URL (nothing a config or a pull request sets); the token goes to it
    over https, or over plain http only to this machine (a loopback address: a local proxy)."""
    import ipaddress
    from urllib.parse import urlsplit

    parts = urlsplit(api)
    if parts.scheme == "https":
        return None
    host = (parts.hostname or "").lower()
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    return None if parts.scheme == "http" and loopback else "is not https; the GitHub token is never sent in clear over a network"


def pull_request_run(env=None) -> bool:
    """A run for a pull request: its checkout, `healthgrid.yml` included, is the pull request's."""
    env = os.environ if env is None else env
    return (env.get("GITHUB_EVENT_NAME") or "").startswith("pull_request")
