"""Check a whole config (the parsed YAML) and build the model from it. Every mistake is collected,
so one run names all of a file's errors by key path, e.g. `grids[0].rows[2].score.good: must be a number`.
Every key is checked whatever the data source, so a typo fails a demo run in a pull request before it
can fail the hourly Datadog run."""

from __future__ import annotations

from typing import Any

import healthgrid.config.checks as checks
from healthgrid.config.comparison import comparison_fields
from healthgrid.config.errors import Collector, ConfigError, join, kind
from healthgrid.config.model import (
    AGGREGATIONS,
    DEFAULT_PALETTE,
    GRID_TYPES,
    MAX_DAYS,
    MAX_GRIDS,
    MAX_REFRESH_SECONDS,
    MAX_STALE_MINUTES,
    PUBLISH_TARGETS,
    Config,
    GridSpec,
    PublishSpec,
    ReportSpec,
    RowSpec,
    StatusPageSpec,
)
from healthgrid.model.band import Bands
from healthgrid.site.paths import branch_problem
from healthgrid.site.target import bucket_problem, prefix_problem
from healthgrid.site.urls import base_problem
from healthgrid.text import shown

_ROW_KEYS = ("label", "group", "query", "aggregation", "score", "unit", "pass", "warn", "description")


def _row(value: Any, path: str, errors: Collector | None = None) -> RowSpec | None:
    """The row, or None when `errors` (non-strict) got this row's mistakes."""
    errors = errors or Collector(strict=True)
    before = errors.count
    checks.mapping(value, path, _ROW_KEYS, required=("label", "query"), errors=errors)
    spec = RowSpec(
        query=errors.run(checks.query, value["query"], join(path, "query")) if "query" in value else "",
        aggregation=errors.run(checks.choice, value.get("aggregation", "avg"), join(path, "aggregation"), AGGREGATIONS),
        **row_fields(value, path, errors),
    )
    return spec if errors.count == before else None


def row_fields(value: dict, path: str, errors: Collector) -> dict:
    """The fields a row has in `healthgrid.yml` and in a `--data` file alike, checked the same way:
    label, group, unit, description, score, and the pass/warn rule."""
    return dict(
        label=errors.run(checks.string, value["label"], join(path, "label")) if "label" in value else "",
        group=errors.run(checks.optional, value, "group", path, checks.string),
        score=errors.run(checks.score, value["score"], join(path, "score"), errors) if value.get("score") is not None else None,
        unit=errors.run(checks.optional, value, "unit", path, checks.unit),
        rule=checks.row_rule(value, path, errors),
        description=errors.run(checks.optional, value, "description", path, checks.string),
    )


def check_labels(rows: list, rows_path: str, errors: Collector) -> None:
    """Two rows of one group with the same label cannot be told apart in any output (checked on the
    rows as written, so a row with another mistake still counts)."""
    seen: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        label, group = (row.get("label"), row.get("group")) if isinstance(row, dict) else (None, None)
        if not isinstance(label, str) or not (group is None or isinstance(group, str)):
            continue
        key = (" ".join((group or "").split()).casefold(), " ".join(label.split()).casefold())
        if key in seen:
            where = f"group {group!r}" if group else "the rows without a group"
            errors.add(ConfigError(f"{rows_path}[{i}].label", f"duplicate label {label!r} in {where} (also rows[{seen[key]}]); "
                                   "readers could not tell the rows apart: rename one or put it in another group"))
        else:
            seen[key] = i


def file_collisions(grids: list[tuple[str, str]]) -> list[ConfigError]:
    """One error for each pair of grids (given as (key path, name)) whose files would overwrite each
    other (`a` and `a_dark` both write a_dark.png), and for a grid that would overwrite a file of
    the run (`index` and index.html): derived from every file a grid writes in any format and theme."""
    from healthgrid.site.names import collisions

    out = []
    for i, j, file, mine, theirs in collisions([name for _, name in grids]):
        path, name = grids[i]
        if j is None:
            why = f"grid {name!r} would write {file} (its {mine}), the file name of {theirs}: rename the grid"
        else:
            other = grids[j][1]
            why = (f"grids {name!r} and {other!r} ({grids[j][0]}) both write {file} ({name}'s {mine}, {other}'s {theirs}): "
                   "one would overwrite the other; rename one")
        out.append(ConfigError(join(path, "name"), why))
    return out


_DEFAULTABLE = ("timezone", "bands", "days", "palette")


def _grid(value: Any, path: str, defaults: dict, errors: Collector | None = None) -> GridSpec | None:
    """The grid, or None when `errors` (non-strict) got this grid's mistakes."""
    errors = errors or Collector(strict=True)
    before = errors.count
    checks.mapping(value, path, ("name", "type", "title", "rows", "trend", "by", "top") + _DEFAULTABLE, required=("name", "rows"), errors=errors)
    name = errors.run(checks.grid_name, value["name"], join(path, "name")) if "name" in value else None
    rows_path = join(path, "rows")
    rows: list[RowSpec | None] = []
    if "rows" in value:
        if errors.run(checks.rows, value["rows"], rows_path):
            rows = [errors.run(_row, row, f"{rows_path}[{i}]", errors) for i, row in enumerate(value["rows"])]
            check_labels(value["rows"], rows_path, errors)
    merged = {**defaults, **{k: value[k] for k in _DEFAULTABLE if k in value}}
    grid_type = errors.run(checks.choice, value.get("type", "heatmap"), join(path, "type"), GRID_TYPES)
    trend = errors.run(checks.boolean, value.get("trend", False), join(path, "trend"))
    if trend and grid_type in ("trend", "comparison"):
        errors.add(ConfigError(join(path, "trend"), "only applies to type: heatmap"))
    where = lambda key: join(path if key in value else "", key)  # noqa: E731 - blame the key where it was set
    timezone = checks.zone(merged.get("timezone", "UTC"), where("timezone"), errors)
    days = errors.run(checks.integer, merged.get("days", 7), where("days"), 1, MAX_DAYS)
    spec = GridSpec(
        name=name or "",
        title=errors.run(checks.string, value["title"], join(path, "title")) if "title" in value else (name or "").replace("_", " ").replace("-", " ").title(),
        rows=tuple(rows),
        type=grid_type,
        days=days,
        palette=errors.run(checks.palette, merged.get("palette", DEFAULT_PALETTE), where("palette")),
        trend_column=trend,
        timezone=timezone,
        bands=errors.run(checks.bands, merged["bands"], where("bands")) if "bands" in merged else Bands(),
        **comparison_fields(value, path, grid_type, days, rows, errors),
    )
    return spec if errors.count == before else None


def _publish(value: Any, path: str) -> PublishSpec:
    keys = ("to", "branch", "path", "keep", "pages_url", "remote", "bucket", "prefix")
    checks.mapping(value, path, keys)
    to = checks.choice(value.get("to", "none"), join(path, "to"), PUBLISH_TARGETS)
    spec = PublishSpec(
        to=to,
        branch=_checked(branch_problem, "is not a usable branch name")(value.get("branch", "gh-pages"), join(path, "branch")),
        path=_site_path(value.get("path", "healthgrid"), join(path, "path")),
        keep=checks.integer(value.get("keep", 1), join(path, "keep"), 1, 1000),
        pages_url=checks.optional(value, "pages_url", path, _checked(base_problem, None)),
        remote=checks.optional(value, "remote", path, checks.string),
        bucket=checks.optional(value, "bucket", path, _checked(bucket_problem)),
        prefix=_checked(prefix_problem, allow_empty=True)(value.get("prefix", ""), join(path, "prefix")),
        keys=tuple(k for k in keys if k in value),
    )
    if to == "s3" and not spec.bucket:
        raise ConfigError(join(path, "bucket"), "is required when to: s3")
    return spec


def _site_path(value: Any, key: str) -> str:
    """A folder inside the pages branch ('' or '/': its root), by the rule --path follows."""
    from healthgrid.site.paths import path_problem

    folder = checks.string(value, key, allow_empty=True).strip("/")
    problem = path_problem(folder) if folder else None
    if problem:
        raise ConfigError(key, f"{shown(folder)} must be a plain folder inside the branch ({problem})")
    return folder


def _checked(problem_of, wording: str | None = "cannot be used", allow_empty: bool = False):
    """A check of a string by a rule of healthgrid.site (`problem_of(text)`: why not, or None)."""
    def check(value: Any, key: str) -> str:
        text = checks.string(value, key, allow_empty=allow_empty)
        problem = problem_of(text)
        if problem:
            raise ConfigError(key, f"{shown(text)} {wording} ({problem})" if wording else f"{shown(text)} {problem}")
        return text

    return check


def _report(value: Any, path: str) -> ReportSpec:
    checks.mapping(value, path, ("metrics", "dashboard", "monitors", "period"))
    return ReportSpec(
        metrics=checks.boolean(value.get("metrics", False), join(path, "metrics")),
        dashboard=checks.optional(value, "dashboard", path, checks.string),
        monitors=checks.boolean(value.get("monitors", False), join(path, "monitors")),
        period=checks.integer(value.get("period", 60), join(path, "period"), 5, 7 * 24 * 60),
    )


def _status_page(value: Any, path: str, period: int) -> StatusPageSpec:
    checks.mapping(value, path, ("refresh_seconds", "stale_after_minutes"))
    refresh = checks.integer(value.get("refresh_seconds", 300), join(path, "refresh_seconds"), 0, MAX_REFRESH_SECONDS)
    if 0 < refresh < 10:
        raise ConfigError(join(path, "refresh_seconds"), f"must be 0 (off) or at least 10, got {refresh}")
    stale = checks.integer(value.get("stale_after_minutes", 2 * period), join(path, "stale_after_minutes"), 1, MAX_STALE_MINUTES)
    return StatusPageSpec(refresh_seconds=refresh, stale_after_minutes=stale)


def parse_config(data: Any, source: str | None) -> Config:
    """A checked Config; every mistake found (up to MAX_ERRORS) is reported at once."""
    if data is None:
        raise ConfigError(source or "config", "is empty; expected a mapping with a 'grids' list")
    errors = Collector()
    checks.mapping(data, "", ("grids", "publish", "report", "status_page") + _DEFAULTABLE, required=("grids",), errors=errors)
    defaults = {k: data[k] for k in _DEFAULTABLE if k in data}
    grids = data.get("grids", [])
    if not isinstance(grids, list):
        errors.add(ConfigError("grids", f"must be a list of grids, got {kind(grids)}"))
        grids = []
    elif not grids and "grids" in data:
        errors.add(ConfigError("grids", "must list at least one grid"))
    elif len(grids) > MAX_GRIDS:
        errors.add(ConfigError("grids", f"has {len(grids)} grids; the limit is {MAX_GRIDS}"))
        grids = []
    specs = []
    seen: dict[str, int] = {}
    named: list[tuple[str, str]] = []
    for i, grid in enumerate(grids):
        spec = errors.run(_grid, grid, f"grids[{i}]", defaults, errors)
        if spec is None:
            continue
        if spec.name in seen:
            errors.add(ConfigError(f"grids[{i}].name", f"duplicate grid name {spec.name!r} (also grids[{seen[spec.name]}])"))
        seen[spec.name] = i
        specs.append(spec)
        named.append((f"grids[{i}]", spec.name))
    for error in file_collisions(named):
        errors.add(error)
    # Top-level defaults must be valid even when every grid overrides them.
    if "timezone" in data:
        checks.zone(data["timezone"], "timezone", errors)
    if "bands" in data:
        errors.run(checks.bands, data["bands"], "bands")
    if "days" in data:
        errors.run(checks.integer, data["days"], "days", 1, MAX_DAYS)
    if "palette" in data:
        errors.run(checks.palette, data["palette"], "palette")
    publish = errors.run(_publish, data["publish"], "publish") if "publish" in data else PublishSpec()
    report = errors.run(_report, data["report"], "report") if "report" in data else ReportSpec()
    period = report.period if report else ReportSpec().period
    status_page = errors.run(_status_page, data["status_page"] if "status_page" in data else {}, "status_page", period)
    errors.raise_any()
    # What a `--data` grid with no configured grid of its name is drawn with.
    style = _grid({"name": "default", "rows": [{"label": "-", "query": "avg:none{*}"}]}, "", defaults)
    return Config(grids=tuple(specs), publish=publish, report=report, status_page=status_page, source=source,
                  defaults={k: getattr(style, k) for k in ("timezone", "bands", "days", "palette")},
                  warnings=tuple(errors.warnings))
