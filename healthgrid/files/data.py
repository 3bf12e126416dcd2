"""`NAME.json`, a grid's data: written (`grid_json`) and read back as the grid it holds
(`read_grid`), by the status page and by the embeds of files on disk. Every NAME.json read is
untrusted: one too big, not JSON or not grid data holds no grid."""

from __future__ import annotations

import json
import math

from healthgrid.config import MAX_DATA_BYTES, ConfigError
from healthgrid.model.band import Bands
from healthgrid.model.comparison import Comparison
from healthgrid.model.grid import Grid

MAX_JSON_BYTES = MAX_DATA_BYTES  # a larger NAME.json is not read: --data would refuse it too


def grid_json(grid: Grid | Comparison, extra: dict | None = None) -> str:
    """`extra`: top-level keys written after the grid's own (the bands and status-page settings)."""
    return json.dumps({**grid.to_dict(), **(extra or {})}, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def read_grid(raw: bytes | None) -> Grid | Comparison | None:
    """The grid a NAME.json holds, judged by the bands it states; None when it holds none (too big,
    not JSON, not grid data)."""
    doc = read_document(raw)
    return grid_of(doc) if doc is not None else None


def read_document(raw: bytes | None) -> dict | None:
    """A NAME.json's JSON object, or None (too big, not JSON, not an object, NaN or Infinity in it)."""
    if not raw or len(raw) > MAX_JSON_BYTES:
        return None
    try:
        doc = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return doc if isinstance(doc, dict) else None


def grid_of(doc: dict) -> Grid | Comparison | None:
    """The grid a NAME.json document holds, judged by the bands it states; None when it holds none."""
    from healthgrid.sources.comparison_file import parse_any

    bands = stated_bands(doc.get("bands"))
    try:
        return parse_any(doc, "", lambda name, title: bands)
    except (ConfigError, RecursionError):
        return None


def _no_constant(name: str):
    raise ValueError(name)


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def stated_bands(doc) -> Bands:
    """The bands a NAME.json states; the default ones where it states none a grid could have."""
    if isinstance(doc, dict) and _number(doc.get("critical")) and _number(doc.get("warning")) and 0 < doc["critical"] < doc["warning"] < 1:
        return Bands(float(doc["critical"]), float(doc["warning"]))
    return Bands()
