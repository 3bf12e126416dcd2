"""Load and validate `healthgrid.yml`.

Every key is checked whatever the data source, so a typo fails a demo run in a pull request
before it can fail the hourly Datadog run. Errors name the key's path, e.g.
`grids[0].rows[2].score.good: must be a number`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from healthgrid.errors import UsageError

DEFAULT_CONFIG_FILE = "healthgrid.yml"
NAME_RE = re.compile(r"^[a-z0-9_-]+$")
AGGREGATIONS = ("avg", "sum", "min", "max")
GRID_TYPES = ("heatmap", "trend")
PUBLISH_TARGETS = ("ghpages", "imgur", "s3", "none")
MAX_DAYS = 90

# Matplotlib's colormaps that read as a scale (the qualitative ones would lie about order), plus
# the discrete band scheme. Kept here so validating a config does not import matplotlib; a test
# checks every name against the pinned matplotlib.
_BASE_PALETTES = (
    "RdYlGn", "RdYlBu", "RdBu", "Spectral", "PiYG", "PRGn", "BrBG", "PuOr", "coolwarm",
    "cividis", "viridis", "plasma", "inferno", "magma", "turbo",
    "Greens", "Blues", "Greys", "YlGn", "YlGnBu",
)
PALETTES = ("bands",) + _BASE_PALETTES + tuple(p + "_r" for p in _BASE_PALETTES)


class ConfigError(UsageError):
    def __init__(self, path: str, why: str):
        super().__init__(f"{path}: {why}" if path else why)
        self.path = path
        self.why = why


@dataclass(frozen=True)
class Score:
    """Linear raw -> FoM mapping, clamped: `good` scores 1.0, `bad` 0.0."""

    good: float
    bad: float

    def fom(self, raw: float) -> float:
        if math.isnan(raw):
            return math.nan
        value = (raw - self.bad) / (self.good - self.bad)
        return min(1.0, max(0.0, value))


@dataclass(frozen=True)
class Bands:
    critical: float = 0.3
    warning: float = 0.7

    def band(self, value: float) -> str:
        if math.isnan(value):
            return "nodata"
        if value < self.critical:
            return "critical"
        if value < self.warning:
            return "warning"
        return "good"


@dataclass(frozen=True)
class RowSpec:
    label: str
    query: str
    group: str | None = None
    aggregation: str = "avg"
    score: Score | None = None
    unit: str | None = None


@dataclass(frozen=True)
class GridSpec:
    name: str
    title: str
    rows: tuple[RowSpec, ...]
    type: str = "heatmap"
    days: int = 7
    palette: str = "RdYlGn"
    trend: bool = False
    timezone: str = "UTC"
    bands: Bands = field(default_factory=Bands)


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


@dataclass(frozen=True)
class ReportSpec:
    metrics: bool = False
    dashboard: str | None = None
    monitors: bool = False
    period: int = 60  # minutes between scheduled runs, for the staleness monitor


@dataclass(frozen=True)
class Config:
    grids: tuple[GridSpec, ...]
    publish: PublishSpec = field(default_factory=PublishSpec)
    report: ReportSpec = field(default_factory=ReportSpec)
    source: str | None = None  # the file it came from; None for the built-in default
    defaults: dict = field(default_factory=dict)  # validated top-level timezone/bands/days/palette

    def grid(self, name: str) -> GridSpec | None:
        return next((g for g in self.grids if g.name == name), None)

    def style_for(self, name: str, title: str) -> GridSpec:
        """The configured grid of that name, else the top-level defaults (for `--data` grids)."""
        return self.grid(name) or _grid({"name": name, "title": title, "rows": [{"label": "-", "query": "-"}]}, "", self.defaults)

    def select(self, names: list[str] | None) -> tuple[GridSpec, ...]:
        if not names:
            return self.grids
        known = {g.name for g in self.grids}
        for name in names:
            if name not in known:
                raise unknown_grid(name, known)
        return tuple(g for g in self.grids if g.name in names)


def unknown_grid(name: str, have) -> UsageError:
    return UsageError(f"--grid: no grid named {name!r} (have: {', '.join(sorted(have))})")


# The seed plan's seven CI figure-of-merit rows.
_SEED_ROWS = (
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
            "rows": [{"label": label, "query": f"avg:health.ci.{metric}.fom{{*}}"} for label, metric in _SEED_ROWS],
        }
    ]
}


def load_config(path: str | None) -> Config:
    """`path` given: that file. Otherwise ./healthgrid.yml when present, else the built-in default."""
    if path is None:
        if not Path(DEFAULT_CONFIG_FILE).is_file():
            return parse_config(DEFAULT_CONFIG, source=None)
        path = DEFAULT_CONFIG_FILE
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"--config: {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--config: {path}: cannot read: {exc}") from None
    return parse_config(load_yaml(text, path), source=path)


def load_yaml(text: str, name: str) -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc,valid-type]
        pass

    def construct_mapping(loader, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise UsageError(f"{name}:{mark.line + 1}:{mark.column + 1}: duplicate key {key!r}")
            seen.add(key)
        return loader.construct_mapping(node, deep=deep)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        raise UsageError(f"{where}: invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"{name}: invalid YAML: {exc}") from None


# --- validation helpers: each takes the value and the path it was found at ---------------------


def _mapping(value: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(path, f"must be a mapping, got {_kind(value)}")
    for key in value:
        if key not in allowed:
            hint = _closest(str(key), allowed)
            raise ConfigError(_join(path, key), "unknown key" + (f" (did you mean {hint!r}?)" if hint else f"; allowed: {', '.join(allowed)}"))
    for key in required:
        if key not in value:
            raise ConfigError(_join(path, key), "is required")
    return value


def _string(value: Any, path: str, *, pattern: re.Pattern | None = None, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise ConfigError(path, f"must be a string, got {_kind(value)}")
    if not allow_empty and not value.strip():
        raise ConfigError(path, "must not be empty")
    if pattern and not pattern.match(value):
        raise ConfigError(path, f"{value!r} must match {pattern.pattern} (lower-case letters, digits, '_' and '-')")
    return value


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(path, f"must be a number, got {_kind(value)}")
    if not math.isfinite(value):
        raise ConfigError(path, "must be a finite number")
    return float(value)


def _integer(value: Any, path: str, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(path, f"must be a whole number, got {_kind(value)}")
    if value < lo or (hi is not None and value > hi):
        raise ConfigError(path, f"must be between {lo} and {hi}, got {value}" if hi is not None else f"must be at least {lo}, got {value}")
    return value


def _boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(path, f"must be true or false, got {_kind(value)}")
    return value


def _choice(value: Any, path: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        hint = _closest(str(value), choices) if isinstance(value, str) else None
        extra = f" (did you mean {hint!r}?)" if hint else ""
        shown = ", ".join(choices) if len(choices) <= 8 else ", ".join(choices[:8]) + ", ..."
        raise ConfigError(path, f"must be one of {shown}; got {value!r}{extra}")
    return value


def check_timezone(value: Any, path: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = _string(value, path)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(path, f"unknown IANA time zone {name!r} (e.g. UTC, Europe/Berlin, America/New_York)") from None
    return name


def _bands(value: Any, path: str) -> Bands:
    _mapping(value, path, ("critical", "warning"), required=("critical", "warning"))
    critical = _number(value["critical"], _join(path, "critical"))
    warning = _number(value["warning"], _join(path, "warning"))
    if not 0 < critical < warning < 1:
        raise ConfigError(path, f"need 0 < critical < warning < 1, got critical={critical:g}, warning={warning:g}")
    return Bands(critical, warning)


def _score(value: Any, path: str) -> Score:
    _mapping(value, path, ("good", "bad"), required=("good", "bad"))
    good = _number(value["good"], _join(path, "good"))
    bad = _number(value["bad"], _join(path, "bad"))
    if good == bad:
        raise ConfigError(_join(path, "good"), f"must differ from bad (both {good:g})")
    return Score(good, bad)


def _row(value: Any, path: str) -> RowSpec:
    _mapping(value, path, ("label", "group", "query", "aggregation", "score", "unit"), required=("label", "query"))
    query = _string(value["query"], _join(path, "query"))
    if ".rollup(" in query.replace(" ", ""):
        raise ConfigError(_join(path, "query"), "must not use .rollup(): healthgrid sets the rollup so buckets meet local midnights; "
                          "choose aggregation: avg|sum|min|max")
    if re.search(r"\bby\s*\{", query):
        raise ConfigError(_join(path, "query"), "must not group ('by {...}'): a row is one series; aggregate across tags instead, e.g. avg:metric{env:prod}")
    return RowSpec(
        label=_string(value["label"], _join(path, "label")),
        query=query,
        group=_optional(value, "group", path, _string),
        aggregation=_choice(value.get("aggregation", "avg"), _join(path, "aggregation"), AGGREGATIONS),
        score=_optional(value, "score", path, _score),
        unit=_optional(value, "unit", path, _string),
    )


_DEFAULTABLE = ("timezone", "bands", "days", "palette")


def _grid(value: Any, path: str, defaults: dict) -> GridSpec:
    _mapping(value, path, ("name", "type", "title", "rows", "trend") + _DEFAULTABLE, required=("name", "rows"))
    name = _string(value["name"], _join(path, "name"), pattern=NAME_RE)
    rows_path = _join(path, "rows")
    rows = value["rows"]
    if not isinstance(rows, list):
        raise ConfigError(rows_path, f"must be a list of rows, got {_kind(rows)}")
    if not rows:
        raise ConfigError(rows_path, "must list at least one row")
    merged = {**defaults, **{k: value[k] for k in _DEFAULTABLE if k in value}}
    grid_type = _choice(value.get("type", "heatmap"), _join(path, "type"), GRID_TYPES)
    trend = _boolean(value.get("trend", False), _join(path, "trend"))
    if trend and grid_type != "heatmap":
        raise ConfigError(_join(path, "trend"), "only applies to type: heatmap")
    where = lambda key: _join(path if key in value else "", key)  # noqa: E731 - blame the key where it was set
    return GridSpec(
        name=name,
        title=_string(value["title"], _join(path, "title")) if "title" in value else name.replace("_", " ").replace("-", " ").title(),
        rows=tuple(_row(row, f"{rows_path}[{i}]") for i, row in enumerate(rows)),
        type=grid_type,
        days=_integer(merged.get("days", 7), where("days"), 1, MAX_DAYS),
        palette=_choice(merged.get("palette", "RdYlGn"), where("palette"), PALETTES),
        trend=trend,
        timezone=check_timezone(merged.get("timezone", "UTC"), where("timezone")),
        bands=_bands(merged["bands"], where("bands")) if "bands" in merged else Bands(),
    )


def _publish(value: Any, path: str) -> PublishSpec:
    keys = ("to", "branch", "path", "keep", "pages_url", "remote", "bucket", "prefix")
    _mapping(value, path, keys)
    to = _choice(value.get("to", "none"), _join(path, "to"), PUBLISH_TARGETS)
    spec = PublishSpec(
        to=to,
        branch=_string(value.get("branch", "gh-pages"), _join(path, "branch")),
        path=_string(value.get("path", "healthgrid"), _join(path, "path"), allow_empty=True).strip("/"),
        keep=_integer(value.get("keep", 1), _join(path, "keep"), 1, 1000),
        pages_url=_optional(value, "pages_url", path, _string),
        remote=_optional(value, "remote", path, _string),
        bucket=_optional(value, "bucket", path, _string),
        prefix=_string(value.get("prefix", ""), _join(path, "prefix"), allow_empty=True),
    )
    if to == "s3" and not spec.bucket:
        raise ConfigError(_join(path, "bucket"), "is required when to: s3")
    return spec


def _report(value: Any, path: str) -> ReportSpec:
    _mapping(value, path, ("metrics", "dashboard", "monitors", "period"))
    return ReportSpec(
        metrics=_boolean(value.get("metrics", False), _join(path, "metrics")),
        dashboard=_optional(value, "dashboard", path, _string),
        monitors=_boolean(value.get("monitors", False), _join(path, "monitors")),
        period=_integer(value.get("period", 60), _join(path, "period"), 5, 7 * 24 * 60),
    )


def parse_config(data: Any, source: str | None) -> Config:
    if data is None:
        raise ConfigError(source or "config", "is empty; expected a mapping with a 'grids' list")
    _mapping(data, "", ("grids", "publish", "report") + _DEFAULTABLE, required=("grids",))
    defaults = {k: data[k] for k in _DEFAULTABLE if k in data}
    grids = data["grids"]
    if not isinstance(grids, list):
        raise ConfigError("grids", f"must be a list of grids, got {_kind(grids)}")
    if not grids:
        raise ConfigError("grids", "must list at least one grid")
    specs = []
    seen: dict[str, int] = {}
    for i, grid in enumerate(grids):
        spec = _grid(grid, f"grids[{i}]", defaults)
        if spec.name in seen:
            raise ConfigError(f"grids[{i}].name", f"duplicate grid name {spec.name!r} (also grids[{seen[spec.name]}])")
        seen[spec.name] = i
        specs.append(spec)
    # Top-level defaults must be valid even when every grid overrides them.
    for key, check in (("timezone", check_timezone), ("bands", _bands)):
        if key in data:
            check(data[key], key)
    if "days" in data:
        _integer(data["days"], "days", 1, MAX_DAYS)
    if "palette" in data:
        _choice(data["palette"], "palette", PALETTES)
    return Config(
        grids=tuple(specs),
        publish=_publish(data["publish"], "publish") if "publish" in data else PublishSpec(),
        report=_report(data["report"], "report") if "report" in data else ReportSpec(),
        source=source,
        defaults=defaults,
    )


def _optional(value: dict, key: str, path: str, check):
    return None if value.get(key) is None else check(value[key], _join(path, key))


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "a mapping"}.get(
        type(value), type(value).__name__
    ) + (f" ({value!r})" if isinstance(value, (bool, int, float, str)) and len(repr(value)) < 40 else "")


def _closest(word: str, choices: tuple[str, ...]) -> str | None:
    import difflib

    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.75)
    return match[0] if match else None
