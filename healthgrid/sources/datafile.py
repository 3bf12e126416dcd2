"""Read grid data files (`NAME.json`, the format healthgrid writes) for `--data`."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from healthgrid.config import NAME_RE, ConfigError, Score, check_timezone
from healthgrid.grid import Grid, Row

_GRID_KEYS = ("name", "title", "timezone", "days", "now", "rows")
_ROW_KEYS = ("label", "group", "query", "unit", "score", "values", "raw")


class DataError(ConfigError):
    pass


def load_data(path: str) -> list[Grid]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError("--data", f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError("--data", f"{path}: cannot read: {exc}") from None
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise DataError(f"--data {path}:{exc.lineno}:{exc.colno}", f"invalid JSON: {exc.msg}") from None
    except ValueError as exc:
        raise DataError(f"--data {path}", str(exc)) from None
    docs = doc if isinstance(doc, list) else [doc]
    if not docs:
        raise DataError(f"--data {path}", "the list holds no grid")
    try:
        grids = [parse_grid(d, f"[{i}]" if isinstance(doc, list) else "") for i, d in enumerate(docs)]
    except ConfigError as exc:
        raise DataError(f"--data {path}: {exc.path}", exc.why) from None
    names = [g.name for g in grids]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataError(f"--data {path}", f"duplicate grid name {dupes[0]!r}")
    return grids


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number healthgrid accepts (use null for no data)")


def parse_grid(doc: Any, base: str = "") -> Grid:
    """One grid object; `base` is its place in the file ("" or "[i]"), for error paths."""
    where = lambda key: f"{base}.{key}" if base else key  # noqa: E731 - a one-line path builder, like config.py's
    if not isinstance(doc, dict):
        raise DataError(base or "(top level)", "a grid must be a JSON object")
    for key in doc:
        if key not in _GRID_KEYS:
            raise DataError(where(key), f"unknown key; allowed: {', '.join(_GRID_KEYS)}")
    for key in ("name", "days", "rows"):
        if key not in doc:
            raise DataError(where(key), "is required")
    name = doc["name"]
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise DataError(where("name"), "must be a name of lower-case letters, digits, '_' and '-'")
    title = doc.get("title", name)
    if not isinstance(title, str):
        raise DataError(where("title"), "must be a string")
    tz = check_timezone(doc.get("timezone", "UTC"), where("timezone"))
    days = _days(doc["days"], where("days"))
    now = _now(doc.get("now"), where("now"), days, tz)
    rows_doc = doc["rows"]
    if not isinstance(rows_doc, list) or not rows_doc:
        raise DataError(where("rows"), "must be a non-empty list")
    rows = [_row(r, f"{where('rows')}[{i}]", len(days)) for i, r in enumerate(rows_doc)]
    return Grid(name=name, title=title, timezone=tz, days=days, now=now, rows=rows)


def _days(value: Any, path: str) -> list[date]:
    if not isinstance(value, list) or not value:
        raise DataError(path, "must be a non-empty list of dates (YYYY-MM-DD)")
    days = []
    for i, item in enumerate(value):
        try:
            days.append(date.fromisoformat(item))
        except (TypeError, ValueError):
            raise DataError(f"{path}[{i}]", f"must be a date YYYY-MM-DD, got {item!r}") from None
    for i in range(1, len(days)):
        if (days[i] - days[i - 1]).days != 1:
            raise DataError(f"{path}[{i}]", "days must be consecutive, oldest first")
    return days


def _now(value: Any, path: str, days: list[date], tz: str) -> datetime:
    from zoneinfo import ZoneInfo

    if value is None:  # no instant given: the end of the last day
        return datetime.combine(days[-1], datetime.max.time(), tzinfo=ZoneInfo(tz)).replace(microsecond=0).astimezone(timezone.utc)
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise DataError(path, f"must be an ISO 8601 instant, got {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if moment.astimezone(ZoneInfo(tz)).date() != days[-1]:
        raise DataError(path, f"falls on {moment.astimezone(ZoneInfo(tz)).date()} in {tz}, but the last day is {days[-1]}")
    return moment


def _row(doc: Any, path: str, n_days: int) -> Row:
    if not isinstance(doc, dict):
        raise DataError(path, "a row must be a JSON object")
    for key in doc:
        if key not in _ROW_KEYS:
            raise DataError(f"{path}.{key}", f"unknown key; allowed: {', '.join(_ROW_KEYS)}")
    for key in ("label", "values"):
        if key not in doc:
            raise DataError(f"{path}.{key}", "is required")
    strings = {}
    for key in ("label", "group", "query", "unit"):
        value = doc.get(key)
        if value is not None and not isinstance(value, str):
            raise DataError(f"{path}.{key}", "must be a string")
        strings[key] = value
    score = None
    if doc.get("score") is not None:
        s = doc["score"]
        if not isinstance(s, dict) or set(s) != {"good", "bad"} or not all(_is_number(s[k]) for k in s) or s["good"] == s["bad"]:
            raise DataError(f"{path}.score", "must be {\"good\": number, \"bad\": number} with good != bad")
        score = Score(float(s["good"]), float(s["bad"]))
    values = _series(doc["values"], f"{path}.values", n_days)
    raw = _series(doc["raw"], f"{path}.raw", n_days) if doc.get("raw") is not None else list(values)
    return Row(label=strings["label"], query=strings["query"] or "", group=strings["group"], unit=strings["unit"], score=score, values=values, raw=raw)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _series(value: Any, path: str, n_days: int) -> list[float]:
    if not isinstance(value, list):
        raise DataError(path, "must be a list of numbers or null")
    if len(value) != n_days:
        raise DataError(path, f"has {len(value)} entries but there are {n_days} days")
    out = []
    for i, v in enumerate(value):
        if v is None:
            out.append(math.nan)
        elif _is_number(v):
            out.append(float(v))
        else:
            raise DataError(f"{path}[{i}]", f"must be a number or null, got {v!r}")
    return out
