"""Where a grid's numbers come from: demo data, a grid data file, or Datadog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from healthgrid.config import Config, GridSpec, unknown_grid
from healthgrid.credentials import Credentials
from healthgrid.model.grid import Grid


@dataclass
class Job:
    """One grid to produce: its style, and how to get its data (called once; may raise)."""

    spec: GridSpec
    fetch: Callable[[], Grid]


def plan(config: Config, names: list[str] | None, *, demo: bool, data: str | None, now: datetime,
         credentials: Credentials | None = None, budget: float = 60.0, warn: Callable[[str], None] | None = None) -> list[Job]:
    """The grids to produce; Datadog's credentials (default: from the environment) are checked here,
    before anything is fetched, and only when Datadog is the source."""
    if data is not None:
        from healthgrid.sources.comparison_file import parse_any
        from healthgrid.sources.datafile import load_data

        grids = load_data(data, lambda name, title: config.style_for(name, title).bands, parse_any)
        if names:
            unknown = sorted(set(names) - {g.name for g in grids})
            if unknown:
                raise unknown_grid(unknown[0], [g.name for g in grids])
            grids = [g for g in grids if g.name in names]
        return [Job(config.style_for(g.name, g.title), (lambda g=g: g)) for g in grids]
    specs = config.select(names)
    if demo:
        from healthgrid.sources.comparison_demo import demo_comparison
        from healthgrid.sources.demo import demo_grid

        return [Job(spec, (lambda spec=spec: (demo_comparison if spec.type == "comparison" else demo_grid)(spec, now))) for spec in specs]
    from healthgrid.sources.datadog import DatadogSource
    from healthgrid.sources.grouped import GroupedSource

    auth = (credentials or Credentials.from_env()).datadog()
    source = DatadogSource(auth, budget=budget, warn=warn)
    grouped = GroupedSource(auth, budget=budget, warn=warn)
    return [Job(spec, (lambda spec=spec: (grouped if spec.type == "comparison" else source).fetch(spec, now))) for spec in specs]


