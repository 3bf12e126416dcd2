"""Read back a comparison grid's `NAME.json` (`--data`, the status page): the same picture again.

Everything is checked as a config or a heatmap's data file is (same words at the same key); the
tag values are kept in the order written (the order shown), and each bar's band is worked out
again from the row's rule, score or figure of merit rather than taken from the file.
"""

from __future__ import annotations

import math
import re
from typing import Any

import healthgrid.config.checks as checks
from healthgrid.config import AGGREGATIONS, RowSpec
from healthgrid.config.comparison import MAX_COMPARISON_ROWS, MAX_TOP, tag_key
from healthgrid.config.errors import Collector, join
from healthgrid.config.validate import check_labels, row_fields
from healthgrid.model.band import Band, Bands
from healthgrid.model.comparison import Comparison
from healthgrid.model.grid import Grid, day_start, format_instant
from healthgrid.sources.datafile import BandsFor, DataError, _is_number, grid_fields, parse_grid
from healthgrid.sources.rows import make_row
from healthgrid.text import shown

_KEYS = ("name", "type", "title", "timezone", "by", "days", "from", "now", "tag_values", "tag_values_total", "rows", "bands", "status_page")
_ROW_KEYS = ("label", "group", "query", "aggregation", "unit", "score", "pass", "warn", "description", "bars")
_BAR_KEYS = ("tag", "value", "band", "fom")
_BAND_NAMES = tuple(b.json for b in Band)  # as NAME.json writes them
MAX_TOTAL = 10_000_000
_PERCENTILE_RE = re.compile(r"p\d{1,3}(?:\.\d{1,2})?")


def parse_any(doc: Any, base: str, bands_for: BandsFor, errors: Collector | None = None) -> Grid | Comparison | None:
    """A grid object of a data file: a comparison when it says `"type": "comparison"`, else a heatmap's
    grid; judged by `bands_for(name, title)`. Each row's mistakes go to `errors` (None: raise the first)."""
    if isinstance(doc, dict) and doc.get("type") == "comparison":
        return parse_comparison(doc, base, bands_for, errors)
    return parse_grid(doc, base, bands_for, errors)


def parse_comparison(doc: dict, base: str, bands_for: BandsFor, errors: Collector | None = None) -> Comparison | None:
    errors = errors or Collector(strict=True)
    before = errors.count
    checks.mapping(doc, base, _KEYS, required=("name", "by", "days", "tag_values", "rows"), errors=errors)
    name, title, tz, days, now = grid_fields(doc, base, errors)
    by = errors.run(tag_key, doc["by"], join(base, "by")) if "by" in doc else None
    start = format_instant(day_start(days[0], tz)) if days and tz else None
    if start and doc.get("from") is not None and doc["from"] != start:
        errors.add(DataError(join(base, "from"), f"must be local midnight of the first day in {tz}, {start}"))
    tags = errors.run(_tags, doc["tag_values"], join(base, "tag_values")) if "tag_values" in doc else None
    total = doc.get("tag_values_total", len(tags or ()))
    if tags is not None:
        errors.run(checks.integer, total, join(base, "tag_values_total"), len(tags), MAX_TOTAL)
    rows_path = join(base, "rows")
    rows_doc = errors.run(checks.rows, doc["rows"], rows_path) if "rows" in doc else None
    if rows_doc is not None and len(rows_doc) > MAX_COMPARISON_ROWS:
        errors.add(DataError(rows_path, f"has {len(rows_doc)} rows; a comparison has at most {MAX_COMPARISON_ROWS}"))
        rows_doc = None
    if tags is None or rows_doc is None:
        return None
    bands = bands_for(name or "", title or "")
    parsed = [_row(r, f"{rows_path}[{i}]", tags, bands, errors) for i, r in enumerate(rows_doc)]
    check_labels(rows_doc, rows_path, errors)
    if errors.count > before:
        return None
    return Comparison(name=name, title=title, timezone=tz, days=days, now=now, by=by, tags=tags, rows=[r for r, _ in parsed],
                      aggregations=[a for _, a in parsed], total_tags=total, bands=bands)


def _tags(value: Any, path: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise DataError(path, "must be a non-empty list of tag values")
    if len(value) > MAX_TOP:
        raise DataError(path, f"has {len(value)} tag values; a comparison shows at most {MAX_TOP}")
    tags = [checks.string(v, f"{path}[{j}]") for j, v in enumerate(value)]
    for j, tag in enumerate(tags):
        if tag in tags[:j]:
            raise DataError(f"{path}[{j}]", f"duplicate tag value {shown(tag)}")
    return tags


def _row(doc: Any, path: str, tags: list[str], bands: Bands, errors: Collector):
    """(the row, its aggregation), or None with the row's mistakes (all of them) in `errors`."""
    if not isinstance(doc, dict):
        errors.add(DataError(path, "a row must be a JSON object"))
        return None
    before = errors.count
    checks.mapping(doc, path, _ROW_KEYS, required=("label", "bars"), errors=errors)
    fields = row_fields(doc, path, errors)
    query = "" if doc.get("query") is None else errors.run(checks.string, doc["query"], join(path, "query"), allow_empty=True)
    aggregation = doc.get("aggregation", "avg")
    if not (aggregation in AGGREGATIONS or (isinstance(aggregation, str) and _PERCENTILE_RE.fullmatch(aggregation))):
        errors.add(DataError(join(path, "aggregation"), f"must be one of {', '.join(AGGREGATIONS)} or a percentile such as p90, "
                                                        f"got {shown(aggregation)}"))
    raw = errors.run(_bars, doc.get("bars"), join(path, "bars"), tags) if "bars" in doc else None
    if errors.count > before or raw is None:
        return None
    return make_row(RowSpec(query=query or "", **fields), raw, bands), aggregation


def _bars(bars: Any, path: str, tags: list[str]) -> list[float]:
    """Each bar's value (NaN: no data); its band is worked out again from the row."""
    if not isinstance(bars, list) or len(bars) != len(tags):
        raise DataError(path, f"must list one bar for each of the {len(tags)} tag values")
    raw = []
    for j, bar in enumerate(bars):
        where = f"{path}[{j}]"
        if not isinstance(bar, dict):
            raise DataError(where, "a bar must be a JSON object")
        checks.mapping(bar, where, _BAR_KEYS, required=("tag", "value"), errors=Collector(strict=True))
        if bar["tag"] != tags[j]:
            raise DataError(join(where, "tag"), f"must be {shown(tags[j])}, the tag value listed at tag_values[{j}]")
        if bar.get("band") not in _BAND_NAMES:
            raise DataError(join(where, "band"), "must be good, warning, critical or null")
        for key in ("value", "fom"):
            if bar.get(key) is not None and not _is_number(bar[key]):
                raise DataError(join(where, key), f"must be a number or null, got {shown(bar[key])}")
        raw.append(math.nan if bar["value"] is None else float(bar["value"]))
    return raw
