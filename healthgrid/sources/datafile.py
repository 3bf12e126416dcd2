"""Read grid data files (`NAME.json`, the format healthgrid writes) for `--data`."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timezone
from typing import Any, Callable

import healthgrid.config.checks as checks
from healthgrid.config import MAX_DATA_BYTES, MAX_DAYS, MAX_GRIDS, ConfigError, RowSpec, check_year, read_text
from healthgrid.config.errors import Collector, join
from healthgrid.config.validate import check_labels, file_collisions, row_fields
from healthgrid.model.band import Band, Bands
from healthgrid.model.grid import Grid, Row
from healthgrid.sources.rows import make_row
from healthgrid.text import plural, shown

# `bands` and `status_page` are written for the status page; on input the config's settings rule
# (`bands` is still checked, as the config checks it).
_GRID_KEYS = ("name", "title", "timezone", "days", "now", "rows", "bands", "status_page")
_ROW_KEYS = ("label", "group", "query", "unit", "score", "values", "raw", "pass", "warn", "description", "bands")
_BAND_NAMES = tuple(b.json for b in Band)  # as NAME.json writes them


class DataError(ConfigError):
    pass


BandsFor = Callable[[str, str], Bands]  # a grid's bands by its name and title


def load_data(path: str, bands_for: BandsFor, parse: Callable[..., Any] | None = None) -> list[Grid]:
    """The grids of a data file, each judged by `bands_for(name, title)` (the config's bands for a
    grid of that name); `parse(doc, base, bands_for, errors)` reads each grid object (default: a
    heatmap's). Every mistake of every row is reported, as a config's are."""
    parse = parse or parse_grid
    text = read_text(path, "--data", MAX_DATA_BYTES)
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise DataError(f"--data {path}:{exc.lineno}:{exc.colno}", f"invalid JSON: {exc.msg}") from None
    except ValueError as exc:
        raise DataError(f"--data {path}", str(exc)) from None
    except RecursionError:
        raise DataError(f"--data {path}", "invalid JSON: nested too deeply") from None
    docs = doc if isinstance(doc, list) else [doc]
    if not docs:
        raise DataError(f"--data {path}", "the list holds no grid")
    if len(docs) > MAX_GRIDS:
        raise DataError(f"--data {path}", f"holds {len(docs)} grids; the limit is {MAX_GRIDS}")
    errors = Collector()
    grids = [errors.run(parse, d, f"[{i}]" if isinstance(doc, list) else "", bands_for, errors) for i, d in enumerate(docs)]
    if errors.found:
        found = Collector()
        for exc in errors.found:
            found.add(DataError(f"--data {path}: {exc.path}", exc.why))
        found.raise_any()
    names = [g.name for g in grids]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataError(f"--data {path}", f"duplicate grid name {dupes[0]!r}")
    for clash in file_collisions([(f"[{i}]" if isinstance(doc, list) else "", g.name) for i, g in enumerate(grids)])[:1]:
        raise DataError(f"--data {path}: {clash.path}", clash.why)
    return grids


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number healthgrid accepts (use null for no data)")


def parse_grid(doc: Any, base: str, bands_for: BandsFor, errors: Collector | None = None) -> Grid | None:
    """One grid object; `base` is its place in the file ("" or "[i]"), for error paths. The fields a
    config grid has too are checked as the config checks them; values, raw, days and now are data's
    own. Every mistake goes to `errors` (None: raise the first); None when any was found."""
    errors = errors or Collector(strict=True)
    if not isinstance(doc, dict):
        raise DataError(base or "(top level)", "a grid must be a JSON object")
    before = errors.count
    checks.mapping(doc, base, _GRID_KEYS, required=("name", "days", "rows"), errors=errors)
    name, title, tz, days, now = grid_fields(doc, base, errors)
    rows_path = join(base, "rows")
    rows_doc = errors.run(checks.rows, doc["rows"], rows_path) if "rows" in doc else None
    if rows_doc is None or days is None:
        return None
    bands = bands_for(name or "", title or "")
    rows = [_row(r, f"{rows_path}[{i}]", len(days), bands, errors) for i, r in enumerate(rows_doc)]
    check_labels(rows_doc, rows_path, errors)
    if errors.count > before:
        return None
    return Grid(name=name, title=title, timezone=tz, days=days, now=now, rows=rows, bands=bands)


def grid_fields(doc: dict, base: str, errors: Collector | None = None) -> tuple:
    """Name, title, time zone, days and now of a grid object (its bands checked too), for every grid
    type; each mistake goes to `errors` (None: raise the first) and leaves its field None."""
    errors = errors or Collector(strict=True)
    name = errors.run(checks.grid_name, doc["name"], join(base, "name")) if "name" in doc else None
    title = errors.run(checks.string, doc.get("title", name), join(base, "title")) if "title" in doc or name else None
    tz = errors.run(checks.timezone, doc.get("timezone", "UTC"), join(base, "timezone"))
    if doc.get("bands") is not None:
        errors.run(checks.bands, doc["bands"], join(base, "bands"))
    days = errors.run(_days, doc["days"], join(base, "days")) if "days" in doc else None
    now = errors.run(_now, doc.get("now"), join(base, "now"), days, tz) if days and tz else None
    return name, title, tz, days, now


def _days(value: Any, path: str) -> list[date]:
    if not isinstance(value, list) or not value:
        raise DataError(path, "must be a non-empty list of dates (YYYY-MM-DD)")
    if len(value) > MAX_DAYS:
        raise DataError(path, f"has {len(value)} days; the limit is {MAX_DAYS}")
    days = []
    for i, item in enumerate(value):
        try:
            days.append(check_year(date.fromisoformat(item), f"{path}[{i}]"))
        except (TypeError, ValueError):
            raise DataError(f"{path}[{i}]", f"must be a date YYYY-MM-DD, got {shown(item)}") from None
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
        raise DataError(path, f"must be an ISO 8601 instant, got {shown(value)}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    check_year(moment, path)
    if moment.astimezone(ZoneInfo(tz)).date() != days[-1]:
        raise DataError(path, f"falls on {moment.astimezone(ZoneInfo(tz)).date()} in {tz}, but the last day is {days[-1]}")
    return moment


def _row(doc: Any, path: str, n_days: int, bands: Bands, errors: Collector) -> Row | None:
    """A row, or None with its mistakes (all of them) in `errors`.

    A row's band must be what its rule or score says of its value: a rule or score row is judged
    on `raw`, which it needs, and its `values` (the place on the FoM scale) are worked out again from
    it, so they may be left out; a row with neither shows its `values` as they are, so its `raw`,
    when given, must equal them."""
    if not isinstance(doc, dict):
        errors.add(DataError(path, "a row must be a JSON object"))
        return None
    before = errors.count
    judged = doc.get("pass") is not None or doc.get("score") is not None
    series = "raw" if judged else "values"
    checks.mapping(doc, path, _ROW_KEYS, required=("label",), errors=errors)
    if doc.get(series) is None:
        errors.add(DataError(f"{path}.{series}", "is required" + (f" for a row with {'pass' if doc.get('pass') is not None else 'score'}"
                                                                   if judged else "")))
    fields = row_fields(doc, path, errors)
    query = "" if doc.get("query") is None else errors.run(checks.string, doc["query"], f"{path}.query", allow_empty=True)
    if doc.get("bands") is not None:  # written by healthgrid for readers; checked, then worked out again
        if not isinstance(doc["bands"], list) or len(doc["bands"]) != n_days or any(b not in _BAND_NAMES for b in doc["bands"]):
            errors.add(DataError(f"{path}.bands", f"must list {n_days} of good, warning, critical or null"))
    values = errors.run(_series, doc["values"], f"{path}.values", n_days) if doc.get("values") is not None else None
    raw = errors.run(_series, doc["raw"], f"{path}.raw", n_days) if doc.get("raw") is not None else values
    if not judged and raw is not None and values is not None:
        for j, (r, v) in enumerate(zip(raw, values, strict=True)):
            if not (r == v or (math.isnan(r) and math.isnan(v))):
                errors.add(DataError(f"{path}.raw[{j}]", f"is {_json(r)} but values[{j}] is {_json(v)}: a row without score or pass "
                                                         "shows its values as they are, so raw, when given, must equal them"))
                break
    if errors.count > before or raw is None:
        return None
    # A rule or score row's FoMs are worked out again from `raw`; the others' are taken as written.
    return make_row(RowSpec(query=query or "", **fields), raw, bands, values=None if judged else values)


def _json(v: float) -> str:
    return "null" if math.isnan(v) else repr(v)


def _is_number(v: Any) -> bool:
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return False
    try:
        return math.isfinite(float(v))
    except OverflowError:  # an integer beyond any float, e.g. 10**400
        return False


def _series(value: Any, path: str, n_days: int) -> list[float]:
    if not isinstance(value, list):
        raise DataError(path, "must be a list of numbers or null")
    if len(value) != n_days:
        raise DataError(path, f"has {plural(len(value), 'entry', 'entries')} but there are {plural(n_days, 'day')}")
    out = []
    for i, v in enumerate(value):
        if v is None:
            out.append(math.nan)
        elif _is_number(v):
            out.append(float(v))
        else:
            raise DataError(f"{path}[{i}]", f"must be a number or null, got {shown(v)}")
    return out
