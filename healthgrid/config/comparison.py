"""`type: comparison` grids: the tag key the bars compare (`by`), how many of its values are shown
(`top`), and rows that are one metric query each (healthgrid adds `by {KEY}` and the rollup).

A row that shorter buckets cannot rebuild (healthgrid.datadog.rollups: a percentile, or e.g.
`max:cpu{*}` averaged over the window) is asked as one bucket that is the whole window. Datadog
documents calendar-aligned rollups for a local day and for a week starting on a chosen weekday,
so such a row needs `days: 1` or `days: 7`; other windows are refused here, before anything is fetched.
"""

from __future__ import annotations

import re
from typing import Any

import healthgrid.config.checks as checks
from healthgrid.config.errors import Collector, ConfigError, join
from healthgrid.config.model import RowSpec
from healthgrid.datadog.rollups import WHOLE, asked_as, whole_reason
from healthgrid.text import shown

MAX_TOP = 50  # tag values shown in one grid
MAX_COMPARISON_ROWS = 12  # panels in one picture
MAX_TAG_CHARS = 200  # Datadog's own limit on a tag
# Datadog's `by {KEY}`: tag keys are lower case (Datadog lowers them), start with a letter and hold
# letters, digits, `_`, `.`, `-` and `/`; a `:` would start the value.
TAG_KEY_RE = re.compile(r"[a-z][a-z0-9_.\-/]{0,199}")
# One metric query: an optional space aggregator or percentile, the metric name (ASCII letters,
# digits, `_` and `.`, starting with a letter), its scope, and optionally `.as_count()` (`.as_rate()` is
# refused with every query: healthgrid.datadog.formula).
METRIC_QUERY_RE = re.compile(r"\s*(?:(?P<space>avg|sum|min|max|p\d+(?:\.\d+)?):)?(?P<metric>[A-Za-z][A-Za-z0-9_.]{0,199})"
                             r"\{(?P<scope>[^{}]*)\}(?P<methods>\.as_count\(\))?\s*")
# Windows (in local days) for which Datadog documents a calendar rollup: a day from local midnight,
# a week from local midnight of a chosen weekday.
PERCENTILE_WINDOWS = {1: "daily", 7: "weekly"}
_FORMULA_RE = re.compile(r"[-+*/(]")  # outside scopes and method calls: arithmetic or a function


def tag_key(value: Any, path: str) -> str:
    key = checks.string(value, path)
    if not TAG_KEY_RE.fullmatch(key):
        raise ConfigError(path, f"{shown(key)} is not a Datadog tag key: lower-case letters, digits and _ . - /, starting with a letter, "
                                f"at most {MAX_TAG_CHARS} characters (the KEY of 'by {{KEY}}', e.g. by: service)")
    return key


def is_percentile_query(query: str) -> bool:
    match = METRIC_QUERY_RE.fullmatch(query)
    return bool(match and match["space"] and match["space"].startswith("p"))


def window_aggregation(row: RowSpec) -> str:
    """How a comparison row's window is aggregated: its percentile (`p90`), else its `aggregation`."""
    return METRIC_QUERY_RE.fullmatch(row.query)["space"] if is_percentile_query(row.query) else row.aggregation


def metric_query(query: str, path: str, label: str, days: int | None, aggregation: str = "avg") -> str:
    """The row's query, when it is one metric query a comparison can group and ask over `days`; else
    a ConfigError naming the row and why."""
    match = METRIC_QUERY_RE.fullmatch(query)
    if not match:
        outside = re.sub(r"\.\w+\([^()]*\)", "", re.sub(r"\{[^{}]*\}", "{}", query))  # scopes may hold any character
        if _FORMULA_RE.search(outside):
            raise ConfigError(path, f"row {label!r}: formulas are not supported in comparison grids: a comparison row is one metric "
                                    "query, e.g. 'avg:eval.score{suite:nav}' (arithmetic and functions between queries work in heatmaps)")
        raise ConfigError(path, f"row {label!r}: {shown(query)} is not one metric query: write [AGGREGATOR:]METRIC{{SCOPE}}, "
                                "e.g. 'avg:eval.score{suite:nav}', optionally with .as_count()")
    space = match["space"]
    if asked_as(space, aggregation) == WHOLE and days is not None and days not in PERCENTILE_WINDOWS:
        what = f"a percentile ({space}:)" if is_percentile_query(query) else f"{space or 'avg'}: with aggregation: {aggregation}"
        raise ConfigError(path, f"row {label!r}: {what} over {days} local days cannot be asked exactly: {whole_reason(space, aggregation)}, "
                                "and Datadog documents calendar rollups only for a local day and a week; use days: 1 or days: 7 for this "
                                "grid, or a query that shorter buckets add up to (avg: with aggregation: avg, or sum:, min: or max: with "
                                "the same aggregation)")
    return query


def comparison_fields(value: dict, path: str, grid_type: str | None, days: int | None, rows: list[RowSpec | None],
                      errors: Collector) -> dict:
    """`by` and `top` for a comparison grid (and a mistake where another type has them); each row's
    query checked as a comparison needs it. `rows`: the grid's parsed rows (None: already reported)."""
    if grid_type != "comparison":
        for key in ("by", "top"):
            if key in value:
                errors.add(ConfigError(join(path, key), "only applies to type: comparison"))
        return {}
    if "by" not in value:
        errors.add(ConfigError(join(path, "by"), "is required for type: comparison: the tag key whose values the bars compare, e.g. by: service"))
    by = errors.run(tag_key, value["by"], join(path, "by")) if "by" in value else None
    top = errors.run(checks.integer, value.get("top", 20), join(path, "top"), 1, MAX_TOP)
    if len(rows) > MAX_COMPARISON_ROWS:
        errors.add(ConfigError(join(path, "rows"), f"has {len(rows)} rows; a comparison grid draws one panel per row, "
                                                   f"at most {MAX_COMPARISON_ROWS}: split it into several grids"))
    for i, row in enumerate(rows):
        if row is not None:
            errors.run(metric_query, row.query, f"{join(path, 'rows')}[{i}].query", row.label, days, row.aggregation)
    return {"by": by, "top": top}
