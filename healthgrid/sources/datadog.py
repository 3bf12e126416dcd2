"""Datadog source (placeholder until the Datadog issue lands)."""

from __future__ import annotations

import os

from healthgrid.errors import RunError, UsageError


class DatadogSource:
    @classmethod
    def from_env(cls) -> "DatadogSource":
        for var in ("DD_API_KEY", "DD_APP_KEY"):
            if not os.environ.get(var):
                raise UsageError(f"{var}: not set; Datadog needs an API key and an application key (or use --demo / --data)")
        return cls()

    def fetch(self, spec, now):
        raise RunError(f"{spec.name}: the Datadog source is not implemented yet")
