"""Keys and tokens as values: the CLI reads them from the environment, the Action from its inputs.

Each is checked (and registered for redaction) only when a stage needs it, so `--demo` runs
without any, and a missing one is a usage error naming the variable users set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from healthgrid.errors import secret_from_env


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
        from healthgrid.datadog_client import DatadogAuth

        return DatadogAuth.from_env(self._as_env(), need_app_key=need_app_key)

    def imgur(self) -> str:
        return secret_from_env("IMGUR_CLIENT_ID", "register an application at imgur.com and use its client id", self._as_env())

    def github(self) -> str | None:
        """The token that pushes to the pages branch; none is fine for a local or ssh remote."""
        return self.github_token or None


_VARS = ("DD_API_KEY", "DD_APP_KEY", "DD_SITE", "DATADOG_HOST", "IMGUR_CLIENT_ID", "GITHUB_TOKEN")
