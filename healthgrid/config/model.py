"""The checked configuration every stage reads: grids, rows, scores, bands, publish/report/status
page settings, and the limits on what a config or data file may ask for (README, "Limits")."""

from __future__ import annotations

from dataclasses import dataclass, field

from healthgrid.errors import UsageError
from healthgrid.model.band import Bands, Score
from healthgrid.model.rules import Rule
from healthgrid.site.names import NAME_RE as NAME_RE  # the grid-name rule, where file names are made
from healthgrid.text import shown

DEFAULT_CONFIG_FILE = "healthgrid.yml"
AGGREGATIONS = ("avg", "sum", "min", "max")
GRID_TYPES = ("heatmap", "trend", "comparison")
PUBLISH_TARGETS = ("ghpages", "imgur", "s3", "none")
MAX_DAYS = 90
# Limits on what a config or data file may ask for (README, "Limits"); crossing one is a one-line error.
MAX_CONFIG_BYTES = 1 << 20
MAX_DATA_BYTES = 16 << 20  # one NAME.json of the largest grid (200 rows x 90 days, every string at its longest: ~8 MB) fits
MAX_TEXT = 2000  # characters in any one config string
MAX_UNIT = 20  # characters of a row's unit: it is written beside every value (each cell, hover, trend)
MAX_ROWS = 200  # per grid
MAX_GRIDS = 100  # per config or data file
MAX_NUMBER_TEXT = 100  # characters of one YAML number or date
MAX_YAML_NODES = 500_000  # YAML nodes, aliases expanded (a 536-byte alias bomb expands to 10**9)
MIN_YEAR, MAX_YEAR = 1970, 9000  # --now and data-file days; far enough from datetime's ends to add a zone and 90 days

# Matplotlib's colormaps that read as a scale (the qualitative ones would lie about order), plus
# the discrete band scheme and the default `health` (RdYlGn, banded: a cell's hue is its band).
# Kept here so validating a config does not import matplotlib; a test checks every name against
# the pinned matplotlib.
DEFAULT_PALETTE = "health"
_BASE_PALETTES = (
    "RdYlGn", "RdYlBu", "RdBu", "Spectral", "PiYG", "PRGn", "BrBG", "PuOr", "coolwarm",
    "cividis", "viridis", "plasma", "inferno", "magma", "turbo",
    "Greens", "Blues", "Greys", "YlGn", "YlGnBu",
)
PALETTES = (DEFAULT_PALETTE, "bands") + _BASE_PALETTES + tuple(p + "_r" for p in _BASE_PALETTES)


MAX_REFRESH_SECONDS = 24 * 3600
MAX_STALE_MINUTES = 30 * 24 * 60


@dataclass(frozen=True)
class RowSpec:
    label: str
    query: str
    group: str | None = None
    aggregation: str = "avg"
    score: Score | None = None
    unit: str | None = None
    rule: Rule | None = None  # pass/warn conditions on the day's value
    description: str | None = None


@dataclass(frozen=True)
class GridSpec:
    name: str
    title: str
    rows: tuple[RowSpec, ...]
    type: str = "heatmap"
    days: int = 7
    palette: str = DEFAULT_PALETTE
    trend_column: bool = False  # the `trend:` key: a column on the heatmap, not the `type: trend` chart
    timezone: str = "UTC"
    bands: Bands = field(default_factory=Bands)
    by: str | None = None  # type: comparison: the tag key whose values the bars compare
    top: int = 20  # type: comparison: at most this many tag values, worst first


@dataclass(frozen=True)
class PublishSpec:
    to: str = "none"
    branch: str = "gh-pages"
    path: str = "healthgrid"
    keep: int = 1
    pages_url: str | None = None
    remote: str | None = None
    bucket: str | None = None
    prefix: str = ""
    keys: tuple[str, ...] = ()  # the keys the config's publish: section set (a default elsewhere yields only to these)


@dataclass(frozen=True)
class ReportSpec:
    metrics: bool = False
    dashboard: str | None = None
    monitors: bool = False
    period: int = 60  # minutes between scheduled runs, for the staleness monitor


@dataclass(frozen=True)
class StatusPageSpec:
    """The HTML pages (`--format html`): how often a wall screen reloads, when a grid counts as stale."""
    refresh_seconds: int = 300  # 0 = no <meta http-equiv="refresh">
    stale_after_minutes: int = 120  # default: twice report.period


@dataclass(frozen=True)
class Config:
    grids: tuple[GridSpec, ...]
    publish: PublishSpec = field(default_factory=PublishSpec)
    report: ReportSpec = field(default_factory=ReportSpec)
    status_page: StatusPageSpec = field(default_factory=StatusPageSpec)
    source: str | None = None  # the file it came from; None for the built-in default
    defaults: dict = field(default_factory=dict)  # the top-level timezone/bands/days/palette, as GridSpec fields
    warnings: tuple[str, ...] = ()  # likely mistakes that are still valid config (e.g. timezone: EST)

    def grid(self, name: str) -> GridSpec | None:
        return next((g for g in self.grids if g.name == name), None)

    def style_for(self, name: str, title: str) -> GridSpec:
        """The configured grid of that name, else the top-level defaults (for `--data` grids)."""
        return self.grid(name) or GridSpec(name=name, title=title, rows=(RowSpec("-", "-"),), **self.defaults)

    def select(self, names: list[str] | None) -> tuple[GridSpec, ...]:
        if not names:
            return self.grids
        known = {g.name for g in self.grids}
        for name in names:
            if name not in known:
                raise unknown_grid(name, known)
        return tuple(g for g in self.grids if g.name in names)


def unknown_grid(name: str, have) -> UsageError:
    return UsageError(f"--grid: no grid named {shown(name)} (have: {', '.join(sorted(have))})")


# The default grid's seven CI figure-of-merit rows.
_CI_ROWS = (
    ("Tests Passing", "tests_passing"),
    ("Failing Workflows", "failing_workflows"),
    ("Hotfix Count", "hotfix_count"),
    ("Revert Count", "revert_count"),
    ("CI Duration P90", "duration_p90"),
    ("Stale PRs", "stale_prs"),
    ("PR Cycle Time", "pr_cycle_time"),
)
DEFAULT_CONFIG = {
    "grids": [
        {
            "name": "health_grid",
            "title": "System Health Rollup - 7 Day FoM Grid",
            "days": 7,
            "rows": [{"label": label, "query": f"avg:health.ci.{metric}.fom{{*}}"} for label, metric in _CI_ROWS],
        }
    ]
}
