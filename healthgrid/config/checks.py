"""Checks of single config values, shared by `healthgrid.yml` and `--data` files: each takes the
value and the key path it was found at, returns the checked value or raises ConfigError."""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from healthgrid.config.errors import Collector, ConfigError, closest, join, kind
from healthgrid.config.model import MAX_ROWS, MAX_TEXT, MAX_UNIT, MAX_YEAR, MIN_YEAR, NAME_RE, PALETTES
from healthgrid.datadog.formula import FormulaError
from healthgrid.datadog.formula import parse as parse_formula
from healthgrid.model.band import Bands, Score
from healthgrid.model.rules import ConditionSyntaxError, Rule, parse_condition
from healthgrid.text import CONTROL, shown


def mapping(value: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = (), errors: Collector | None = None) -> dict:
    """Raises when `value` is not a mapping; other mistakes go to `errors` (all of them), else raise."""
    errors = errors or Collector(strict=True)
    if not isinstance(value, dict):
        raise ConfigError(path, f"must be a mapping, got {kind(value)}")
    suggested = set()
    for key in value:
        if key not in allowed:
            hint = closest(str(key), allowed) or _shortened(str(key), allowed)
            suggested.add(hint)
            errors.add(ConfigError(join(path, key), "unknown key" + (f" (did you mean {hint!r}?)" if hint else f"; allowed: {', '.join(allowed)}")))
    for key in required:
        if key not in value and key not in suggested:  # a misspelt key is one mistake, not two
            errors.add(ConfigError(join(path, key), "is required"))
    return value


def _shortened(key: str, allowed: tuple[str, ...]) -> str | None:
    """The one allowed key that `key` shortens or lengthens (`warning` for warn, `desc` for
    description), which a did-you-mean by similarity misses when the lengths differ a lot."""
    key = key.strip().lower()
    found = [a for a in allowed if len(min(key, a, key=len)) >= 3 and (a.startswith(key) or key.startswith(a))]
    return found[0] if len(found) == 1 else None


def string(value: Any, path: str, *, pattern: re.Pattern | None = None, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise ConfigError(path, f"must be a string, got {kind(value)}")
    if not allow_empty and not value.strip():
        raise ConfigError(path, "must not be empty")
    if len(value) > MAX_TEXT:
        raise ConfigError(path, f"is {len(value):,} characters long; the limit is {MAX_TEXT:,}")
    bad = CONTROL.search(value)
    if bad:
        raise ConfigError(path, f"must not contain control characters (found {shown(bad.group())} at {bad.start()})")
    if pattern and not pattern.fullmatch(value):
        raise ConfigError(path, f"{shown(value)} must match {pattern.pattern} (lower-case letters, digits, '_' and '-')")
    return value


def unit(value: Any, path: str) -> str:
    """A row's unit: a string short enough to stand beside every value of the row."""
    text = string(value, path)
    if len(text) > MAX_UNIT:
        raise ConfigError(path, f"is {len(text):,} characters long; a unit is at most {MAX_UNIT} (it is written beside every value)")
    return text


def check_year(moment, path: str):
    """A date or datetime within MIN_YEAR..MAX_YEAR, so day arithmetic in any zone cannot overflow."""
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ConfigError(path, f"year {moment.year} is outside {MIN_YEAR}..{MAX_YEAR}")
    return moment


_EXPONENT_RE = re.compile(r"\s*([-+]?)(\d+)(?:\.(\d*))?[eE]([-+]?)(\d+)\s*")


def number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(path, f"must be a number, got {kind(value)}{_yaml_number_hint(value)}")
    if not math.isfinite(value):
        raise ConfigError(path, "must be a finite number")
    return float(value)


def _yaml_number_hint(value: Any) -> str:
    """YAML 1.1 (what PyYAML reads) takes a number in exponent form only with a '.' and a signed
    exponent, so `1e-9` and `1.5e9` arrive as text: say how to write them."""
    match = _EXPONENT_RE.fullmatch(value) if isinstance(value, str) else None
    if not match:
        return ""
    sign, whole, fraction, exp_sign, exponent = match.groups()
    return f"; YAML 1.1 reads {value.strip()} as text: write {sign}{whole}.{fraction or '0'}e{exp_sign or '+'}{exponent}"


def integer(value: Any, path: str, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(path, f"must be a whole number, got {kind(value)}")
    if value < lo or (hi is not None and value > hi):
        raise ConfigError(path, f"must be between {lo} and {hi}, got {shown(value)}" if hi is not None else f"must be at least {lo}, got {shown(value)}")
    return value


def boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(path, f"must be true or false, got {kind(value)}")
    return value


def choice(value: Any, path: str, choices: tuple[str, ...], hints: tuple[str, ...] | None = None) -> str:
    if not isinstance(value, str) or value not in choices:
        hint = closest(str(value), hints or choices) if isinstance(value, str) else None
        extra = f" (did you mean {hint!r}?)" if hint else ""
        listed = ", ".join(choices) if len(choices) <= 8 else ", ".join(choices[:8]) + ", ..."
        raise ConfigError(path, f"must be one of {listed}; got {shown(value)}{extra}")
    return value


def palette(value: Any, path: str) -> str:
    # A reversed map makes red mean good, so `RdYlGr` must not suggest `RdYlGn_r`: reversed
    # names are suggested only when `_r` was typed.
    reversed_ = isinstance(value, str) and value.lower().endswith("_r")
    return choice(value, path, PALETTES, tuple(p for p in PALETTES if p.endswith("_r") == reversed_))


def rows(value: Any, path: str) -> list:
    """A grid's list of rows (each checked on its own)."""
    if not isinstance(value, list):
        raise ConfigError(path, f"must be a list of rows, got {kind(value)}")
    if not value:
        raise ConfigError(path, "must list at least one row")
    if len(value) > MAX_ROWS:
        raise ConfigError(path, f"has {len(value)} rows; the limit is {MAX_ROWS} per grid")
    return value


def grid_name(value: Any, path: str) -> str:
    return string(value, path, pattern=NAME_RE)


def timezone(value: Any, path: str) -> str:
    """A zone of tzdata's list, by its exact name. Python also opens files that are no place's zone,
    which Datadog would not know and which read days wrongly (`right/America/New_York` counts leap
    seconds, `posix/…` copies, `localtime` is the machine's own, `Factory` has no offset rules):
    they are refused."""
    name = string(value, path)
    # Names are case-sensitive, as in tzdata: `europe/berlin` is refused with the spelling meant,
    # also where a case-insensitive file system would find it (the name shows in every output).
    if name in _zone_spellings().values():
        return name
    bare = re.sub(r"^(right|posix)/", "", name.strip())
    meant = _ABBREVIATIONS.get(bare.upper()) or _zone_spellings().get(bare.casefold())
    case = " Zone names are case-sensitive." if meant and meant != bare and meant.casefold() == bare.casefold() else ""
    hint = f" (did you mean {meant}?{case})" if meant else " (e.g. UTC, Europe/Berlin, America/New_York)"
    why = _NOT_PLACES.get(name.strip()) or ("a variant file, not on tzdata's list of zone names" if bare != name.strip() else "")
    raise ConfigError(path, f"unknown IANA time zone {shown(name)}" + (f": {why}" if why else "") + hint)


_NOT_PLACES = {"localtime": "the machine's own zone, not a name Datadog or another machine knows",
               "Factory": "tzdata's placeholder for a zone not yet set", "posixrules": "a file of rules, not a zone"}


@functools.lru_cache(maxsize=1)
def _zone_spellings() -> dict[str, str]:
    """Every zone name tzdata lists that names a place's time (not localtime, Factory, right/…,
    posix/…), by its case-folded form."""
    from zoneinfo import available_timezones  # zone files it found readable, by their names

    return {zone.casefold(): zone for zone in sorted(available_timezones())
            if zone not in _NOT_PLACES and not zone.startswith(("right/", "posix/"))}


def bands(value: Any, path: str) -> Bands:
    mapping(value, path, ("critical", "warning"), required=("critical", "warning"))
    critical = number(value["critical"], join(path, "critical"))
    warning = number(value["warning"], join(path, "warning"))
    if not 0 < critical < warning < 1:
        raise ConfigError(path, f"need 0 < critical < warning < 1, got critical={critical:g}, warning={warning:g}")
    return Bands(critical, warning)


def score(value: Any, path: str, errors: Collector | None = None) -> Score | None:
    """`good` and `bad`; every mistake of both goes to `errors`, else the first is raised."""
    errors = errors or Collector(strict=True)
    before = errors.count
    mapping(value, path, ("good", "bad"), required=("good", "bad"), errors=errors)
    good, bad = (errors.run(number, value[key], join(path, key)) if key in value else None for key in ("good", "bad"))
    if good is not None and good == bad:
        errors.add(ConfigError(join(path, "good"), f"must differ from bad (both {good:g})"))
    return Score(good, bad) if errors.count == before else None


def query(value: Any, path: str) -> str:
    """A metric query or a formula over metric queries (healthgrid.datadog.formula), each term in Datadog's
    grammar and each function one whose value on a day's value is well defined."""
    query = string(value, path)
    if ".rollup(" in query.replace(" ", ""):
        raise ConfigError(path, "must not use .rollup(): healthgrid sets the rollup so buckets meet local midnights; choose aggregation: avg|sum|min|max")
    if re.search(r"\bby\s*\{", query):
        raise ConfigError(path, "must not group ('by {...}'): a row is one series; aggregate across tags instead, e.g. avg:metric{env:prod}")
    try:
        parse_formula(query.strip())
    except FormulaError as exc:
        raise ConfigError(path, str(exc)) from None
    return query


def condition(value: Any, path: str, implied: str | None = None):
    """`implied`: the operator a bare number takes (a warn takes pass's)."""
    if implied and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ConfigError(path, f"must be a condition in quotes, OP NUMBER such as '< 5' or '>= 40000', got {kind(value)}")
    try:
        return parse_condition(value, implied)
    except ConditionSyntaxError as exc:
        raise ConfigError(path, str(exc)) from None


def row_rule(value: dict, path: str, errors: Collector | None = None) -> Rule | None:
    """`pass` (and optionally `warn`) conditions; never together with `score`. Every mistake of the
    two keys goes to `errors` (a bad pass does not hide a bad warn), else the first is raised."""
    errors = errors or Collector(strict=True)
    before = errors.count
    has_pass, has_warn = value.get("pass") is not None, value.get("warn") is not None
    passes = errors.run(condition, value["pass"], join(path, "pass")) if has_pass else None
    if has_pass and value.get("score") is not None:
        errors.add(ConfigError(join(path, "pass"), "cannot be used with score on the same row: judge a row by pass/warn conditions or by a score, not both"))
    if has_warn and not has_pass:
        errors.add(ConfigError(join(path, "warn"), "needs pass: on the same row (warn is the second chance for a value that fails pass), e.g. pass: '< 5'"))
    # A bare-number warn takes pass's operator; with pass unreadable, only an OP NUMBER warn can be checked.
    implied = passes.op if passes else None
    warn = errors.run(condition, value["warn"], join(path, "warn"), implied) if has_warn and (passes or not _bare(value["warn"])) else None
    if passes is None or (has_warn and warn is None):
        return None
    rule = Rule(passes, warn)
    problem = rule.warn_problem()
    if problem:
        errors.add(ConfigError(join(path, "warn"), problem))
    return rule if errors.count == before else None


def _bare(value: Any) -> bool:
    """A warn written as a number alone (8, '8'), which takes the operator of pass."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) or isinstance(value, str) and bool(re.fullmatch(r" *[-+]?[\d.eE+-]+ *", value))


# Zone abbreviations people write for a place's local time. Those tzdata knows (EST, CET, ...) are
# fixed offsets or legacy names, so they are accepted with a warning; the others are errors.
_ABBREVIATIONS = {
    "EST": "America/New_York", "EDT": "America/New_York", "EST5EDT": "America/New_York",
    "CST": "America/Chicago", "CDT": "America/Chicago", "CST6CDT": "America/Chicago",
    "MST": "America/Denver", "MDT": "America/Denver", "MST7MDT": "America/Denver",
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles", "PST8PDT": "America/Los_Angeles",
    "AKST": "America/Anchorage", "AKDT": "America/Anchorage",
    "WET": "Europe/Lisbon", "WEST": "Europe/Lisbon", "BST": "Europe/London",
    "CET": "Europe/Berlin", "CEST": "Europe/Berlin", "MET": "Europe/Berlin", "MEST": "Europe/Berlin",
    "EET": "Europe/Athens", "EEST": "Europe/Athens", "MSK": "Europe/Moscow",
    "IST": "Asia/Kolkata", "JST": "Asia/Tokyo", "KST": "Asia/Seoul", "SGT": "Asia/Singapore", "HKT": "Asia/Hong_Kong",
    "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney", "NZST": "Pacific/Auckland", "NZDT": "Pacific/Auckland",
}


def zone(value: Any, path: str, errors: Collector) -> str | None:
    zone = errors.run(timezone, value, path)
    if zone:
        errors.warn(timezone_warning(zone, path))
    return zone


def timezone_warning(name: str, path: str) -> str | None:
    """For a valid but abbreviated zone (EST, CET, ...): which place's zone was probably meant."""
    meant = _ABBREVIATIONS.get(name.upper())
    if meant is None:
        return None
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(name)
    offsets = {datetime(2026, month, 1, tzinfo=zone).utcoffset() for month in (1, 7)}
    kind = "a fixed offset all year, with no daylight-saving time" if len(offsets) == 1 else "a legacy abbreviation, not a place"
    return f"{path}: {name!r} is {kind}; you probably mean {meant} (a place's zone follows its daylight-saving rules)"


def optional(value: dict, key: str, path: str, check):
    return None if value.get(key) is None else check(value[key], join(path, key))
