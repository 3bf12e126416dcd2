"""Load and validate `healthgrid.yml`.

Every key is checked whatever the data source, so a typo fails a demo run in a pull request
before it can fail the hourly Datadog run. Errors name the key's path, e.g.
`grids[0].rows[2].score.good: must be a number`.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from healthgrid.errors import UsageError
from healthgrid.rules import ConditionSyntaxError, Rule, parse_condition

DEFAULT_CONFIG_FILE = "healthgrid.yml"
NAME_RE = re.compile(r"[a-z0-9_-]{1,100}")  # always fullmatch: `$` would let "g\n" through
AGGREGATIONS = ("avg", "sum", "min", "max")
GRID_TYPES = ("heatmap", "trend")
PUBLISH_TARGETS = ("ghpages", "imgur", "s3", "none")
MAX_DAYS = 90
# Limits on what a config or data file may ask for (README, "Limits"); crossing one is a one-line error.
MAX_CONFIG_BYTES = 1 << 20
MAX_DATA_BYTES = 4 << 20  # one NAME.json of the largest grid (200 rows x 90 days, long strings) fits
MAX_TEXT = 2000  # characters in any one config string
MAX_ROWS = 200  # per grid
MAX_GRIDS = 100  # per config or data file
MAX_NUMBER_TEXT = 100  # characters of one YAML number or date
MAX_YAML_NODES = 500_000  # YAML nodes, aliases expanded (a 536-byte alias bomb expands to 10**9)
MIN_YEAR, MAX_YEAR = 1970, 9000  # --now and data-file days; far enough from datetime's ends to add a zone and 90 days
# Refused in every config string: C0 (tab and newline too), DEL, C1, line/paragraph separators and
# bidi controls; also lone surrogates and U+FFFE/U+FFFF, which no XML document may hold. They break
# SVG/XML, reach Markdown/HTML/terminals, or hide what a label says.
CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff\ufffe\uffff]")

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


class ConfigError(UsageError):
    def __init__(self, path: str, why: str):
        super().__init__(f"{path}: {why}" if path else why)
        self.path = path
        self.why = why


MAX_ERRORS = 20  # errors reported for one config file; past it, a count of the rest


class ConfigErrors(UsageError):
    """Several mistakes in one config: printed one `healthgrid: error: key: why` line each."""

    def __init__(self, errors: list[ConfigError], total: int):
        self.errors = errors
        self.lines = [str(e) for e in errors]
        if total > len(errors):
            self.lines.append(f"{total - len(errors)} more config error(s) not shown; fix these first")
        super().__init__("\n".join(self.lines))


class _Errors:
    """Collects config errors so one run reports all of a file's mistakes (strict: raise at once)."""

    def __init__(self, strict: bool = False):
        self.strict = strict
        self.found: list[ConfigError] = []
        self.warnings: list[str] = []
        self._said: set[str] = set()

    @property
    def count(self) -> int:
        return len(self.found)

    def add(self, error: ConfigError) -> None:
        if self.strict:
            raise error
        if str(error) not in self._said:  # an inherited default fails once, not once per grid
            self._said.add(str(error))
            self.found.append(error)

    def warn(self, message: str | None) -> None:
        if message and message not in self.warnings:
            self.warnings.append(message)

    def run(self, check, *args, default=None, **kwargs):
        try:
            return check(*args, **kwargs)
        except ConfigError as exc:
            self.add(exc)
            return default

    def raise_any(self) -> None:
        if len(self.found) == 1:
            raise self.found[0]
        if self.found:
            raise ConfigErrors(self.found[:MAX_ERRORS], len(self.found))


def clamp_fom(value: float) -> float:
    """A FoM forced into [0, 1] (for scores, colours and trends); NaN (no data) stays NaN."""
    return value if math.isnan(value) else min(1.0, max(0.0, value))


@dataclass(frozen=True)
class Score:
    """Linear raw -> FoM mapping, clamped: `good` scores 1.0, `bad` 0.0."""

    good: float
    bad: float

    def fom(self, raw: float) -> float:
        if math.isnan(raw):
            return math.nan
        return clamp_fom((raw - self.bad) / (self.good - self.bad))


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
    defaults: dict = field(default_factory=dict)  # validated top-level timezone/bands/days/palette
    warnings: tuple[str, ...] = ()  # likely mistakes that are still valid config (e.g. timezone: EST)

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
    return UsageError(f"--grid: no grid named {shown(name)} (have: {', '.join(sorted(have))})")


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
    return parse_config(load_yaml(read_text(path, "--config"), path), source=path)


def read_text(path: str, flag: str, limit: int = MAX_CONFIG_BYTES) -> str:
    """A UTF-8 file (a BOM is allowed) of at most `limit` bytes, read without ever holding more
    than one byte past it (`--config /dev/zero` stops there)."""
    try:
        # Opened without blocking: opening a FIFO nobody writes to would wait forever; read as
        # usual afterwards (such a FIFO then reads as empty, a pipe on stdin as what it carries).
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(fd, True)
        with open(fd, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise ConfigError(flag, f"{path}: no such file") from None
    except OSError as exc:
        raise ConfigError(flag, f"{path}: cannot read: {exc.strerror or type(exc).__name__}") from None
    if len(data) > limit:
        raise ConfigError(flag, f"{path}: larger than the {limit >> 20} MiB limit")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(flag, f"{path}: not UTF-8 text (byte {exc.start})") from None


def load_yaml(text: str, name: str) -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc,valid-type]
        pass

    def at(mark) -> str:
        return f"{name}:{mark.line + 1}:{mark.column + 1}"

    def construct_mapping(loader, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):  # `? [a, b]`: a list or mapping as a key
                raise UsageError(f"{at(key_node.start_mark)}: a key must be a plain word, not a {key_node.id}")
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise UsageError(f"{at(key_node.start_mark)}: duplicate key {shown(key)}")
            seen.add(key)
        return loader.construct_mapping(node, deep=deep)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)

    def scalar(kind: str):
        """YAML 1.1 reads `1:00:00` as base 60, so a long number costs quadratic time; and int()
        or a date can fail: a number or date is at most MAX_NUMBER_TEXT characters and a usage error."""
        construct = getattr(yaml.constructor.SafeConstructor, f"construct_yaml_{kind}")
        what = {"int": "a whole number", "float": "a number", "timestamp": "a date"}[kind]

        def checked(loader, node):
            if len(node.value) > MAX_NUMBER_TEXT:
                raise UsageError(f"{at(node.start_mark)}: {what} is at most {MAX_NUMBER_TEXT} characters; this one has {len(node.value):,}")
            try:
                return construct(loader, node)
            except (ValueError, OverflowError) as exc:
                raise UsageError(f"{at(node.start_mark)}: {shown(node.value)} is not {what} ({shown(str(exc), 80, quote=False)})") from None
        return checked

    for kind in ("int", "float", "timestamp"):
        Loader.add_constructor(f"tag:yaml.org,2002:{kind}", scalar(kind))
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        # Aliases share nodes, so composing is cheap; what explodes is everything that walks the
        # expanded tree afterwards (validation, repr). Count the expanded size before constructing.
        _check_expansion(node, name, at)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise UsageError(f"{at(mark) if mark else name}: invalid YAML: {shown(exc.problem, 200, quote=False)}{yaml_hint(text, exc)}") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"{name}: invalid YAML: {shown(str(exc), 200, quote=False)}") from None
    except RecursionError:
        raise UsageError(f"{name}: invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()


def _check_expansion(root, name: str, at) -> None:
    """Refuse a document whose tree, with every alias expanded, has more than MAX_YAML_NODES nodes
    (or that contains itself). Linear in the distinct nodes, however many aliases point at them."""
    import yaml

    size: dict[int, int] = {}
    open_: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
            size[key] = 1 + sum(size[id(c)] for c in children)
            if size[key] > MAX_YAML_NODES:
                raise UsageError(f"{at(node.start_mark)}: expands to more than {MAX_YAML_NODES:,} YAML nodes (aliases *name included)")
            continue
        if key in size:
            continue
        if key in open_:
            raise UsageError(f"{at(node.start_mark)}: an alias refers to a node that contains it")
        if isinstance(node, yaml.ScalarNode):
            size[key] = 1
            continue
        open_.add(key)
        stack.append((node, True))
        children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
        stack.extend((c, False) for c in children)


def shown(value: Any, limit: int = 60, quote: bool = True) -> str:
    """User text for an error message: repr (control characters escaped), at most `limit`
    characters. reprlib never builds the whole repr of a huge or alias-expanded object."""
    import reprlib

    short = reprlib.Repr()
    short.maxstring = short.maxother = limit
    short.maxlist = short.maxdict = short.maxlevel = 4
    text = short.repr(value)
    if not quote and isinstance(value, str):
        text = text[1:-1]
    return text if len(text) <= limit else text[: limit - 3] + "..."


def yaml_hint(text: str, exc) -> str:
    """A likely cause of a YAML syntax error, for the usual mistakes in a healthgrid.yml."""
    lines = text.splitlines()

    def line(mark) -> str:
        return lines[mark.line] if mark is not None and mark.line < len(lines) else ""

    here, context = line(exc.problem_mark), line(getattr(exc, "context_mark", None))
    problem, during = exc.problem or "", exc.context or ""
    indent = here[: len(here) - len(here.lstrip())]
    if "\\t" in problem or "\t" in indent:
        hint = "a tab: YAML indents with spaces only"
    elif "block scalar" in during:
        hint = "a value starting with '>' or '|' begins a block of text; quote conditions, e.g. pass: \">= 40000\""
    elif any(re.search(r"[{}\[\],#]|:\s", q) for q in re.findall(r"\bquery\s*:\s*([^\s'\"].*)", here + "\n" + context)):
        hint = "quote the query, e.g. query: 'avg:metric{env:prod}' ('{', '}' and ': ' are YAML syntax)"
    elif "alias" in problem or "anchor" in problem:
        hint = "a value starting with '*' or '&' is YAML syntax; quote it"
    elif "flow" in during or "mapping values are not allowed" in problem:
        hint = "quote values that contain '{', '}', '[', ']', ',' or ': '"
    elif "block end" in problem or "expected key" in problem or "block" in during:
        hint = "check the indentation: keys of one mapping start in the same column, list items with '- '"
    else:
        return ""
    return f" (hint: {hint})"


# --- validation helpers: each takes the value and the path it was found at ---------------------


def _mapping(value: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = (), errors: _Errors | None = None) -> dict:
    """Raises when `value` is not a mapping; other mistakes go to `errors` (all of them), else raise."""
    errors = errors or _Errors(strict=True)
    if not isinstance(value, dict):
        raise ConfigError(path, f"must be a mapping, got {_kind(value)}")
    suggested = set()
    for key in value:
        if key not in allowed:
            hint = _closest(str(key), allowed)
            suggested.add(hint)
            errors.add(ConfigError(_join(path, key), "unknown key" + (f" (did you mean {hint!r}?)" if hint else f"; allowed: {', '.join(allowed)}")))
    for key in required:
        if key not in value and key not in suggested:  # a misspelt key is one mistake, not two
            errors.add(ConfigError(_join(path, key), "is required"))
    return value


def _string(value: Any, path: str, *, pattern: re.Pattern | None = None, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise ConfigError(path, f"must be a string, got {_kind(value)}")
    if not allow_empty and not value.strip():
        raise ConfigError(path, "must not be empty")
    if len(value) > MAX_TEXT:
        raise ConfigError(path, f"is {len(value):,} characters long; the limit is {MAX_TEXT:,}")
    bad = CONTROL_RE.search(value)
    if bad:
        raise ConfigError(path, f"must not contain control characters (found {shown(bad.group())} at {bad.start()})")
    if pattern and not pattern.fullmatch(value):
        raise ConfigError(path, f"{shown(value)} must match {pattern.pattern} (lower-case letters, digits, '_' and '-')")
    return value


check_string = _string  # for the data-file reader: one set of string rules for both sources


def check_year(moment, path: str):
    """A date or datetime within MIN_YEAR..MAX_YEAR, so day arithmetic in any zone cannot overflow."""
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ConfigError(path, f"year {moment.year} is outside {MIN_YEAR}..{MAX_YEAR}")
    return moment


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
        raise ConfigError(path, f"must be between {lo} and {hi}, got {shown(value)}" if hi is not None else f"must be at least {lo}, got {shown(value)}")
    return value


def _boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(path, f"must be true or false, got {_kind(value)}")
    return value


def _choice(value: Any, path: str, choices: tuple[str, ...], hints: tuple[str, ...] | None = None) -> str:
    if not isinstance(value, str) or value not in choices:
        hint = _closest(str(value), hints or choices) if isinstance(value, str) else None
        extra = f" (did you mean {hint!r}?)" if hint else ""
        listed = ", ".join(choices) if len(choices) <= 8 else ", ".join(choices[:8]) + ", ..."
        raise ConfigError(path, f"must be one of {listed}; got {shown(value)}{extra}")
    return value


def _palette(value: Any, path: str) -> str:
    # A reversed map makes red mean good, so `RdYlGr` must not suggest `RdYlGn_r`: reversed
    # names are suggested only when `_r` was typed.
    reversed_ = isinstance(value, str) and value.lower().endswith("_r")
    return _choice(value, path, PALETTES, tuple(p for p in PALETTES if p.endswith("_r") == reversed_))


def check_timezone(value: Any, path: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = _string(value, path)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file name
        meant = _ABBREVIATIONS.get(name.strip().upper())
        hint = f" (did you mean {meant}?)" if meant else " (e.g. UTC, Europe/Berlin, America/New_York)"
        raise ConfigError(path, f"unknown IANA time zone {shown(name)}{hint}") from None
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


def _query(value: Any, path: str) -> str:
    query = _string(value, path)
    if ".rollup(" in query.replace(" ", ""):
        raise ConfigError(path, "must not use .rollup(): healthgrid sets the rollup so buckets meet local midnights; choose aggregation: avg|sum|min|max")
    if re.search(r"\bby\s*\{", query):
        raise ConfigError(path, "must not group ('by {...}'): a row is one series; aggregate across tags instead, e.g. avg:metric{env:prod}")
    return query


def _condition(value: Any, path: str, implied: str | None = None):
    """`implied`: the operator a bare number takes (a warn takes pass's)."""
    if implied and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ConfigError(path, f"must be a condition in quotes, OP NUMBER such as '< 5' or '>= 40000', got {_kind(value)}")
    try:
        return parse_condition(value, implied)
    except ConditionSyntaxError as exc:
        raise ConfigError(path, str(exc)) from None


def row_rule(value: dict, path: str) -> Rule | None:
    """`pass` (and optionally `warn`) conditions; never together with `score`."""
    if value.get("pass") is None:
        if value.get("warn") is not None:
            raise ConfigError(_join(path, "warn"), "needs pass: on the same row (warn is the second chance for a value that fails pass), e.g. pass: '< 5'")
        return None
    if value.get("score") is not None:
        raise ConfigError(_join(path, "pass"), "cannot be used with score on the same row: judge a row by pass/warn conditions or by a score, not both")
    passes = _condition(value["pass"], _join(path, "pass"))
    rule = Rule(passes, _optional(value, "warn", path, lambda v, p: _condition(v, p, implied=passes.op)))
    if rule.empty_warning_band():
        raise ConfigError(_join(path, "warn"), f"'{rule.warn}' never applies: every value it accepts already meets pass '{rule.passes}'")
    return rule


_ROW_KEYS = ("label", "group", "query", "aggregation", "score", "unit", "pass", "warn", "description")


def _row(value: Any, path: str, errors: _Errors | None = None) -> RowSpec | None:
    """The row, or None when `errors` (non-strict) got this row's mistakes."""
    errors = errors or _Errors(strict=True)
    before = errors.count
    _mapping(value, path, _ROW_KEYS, required=("label", "query"), errors=errors)
    spec = RowSpec(
        label=errors.run(_string, value["label"], _join(path, "label")) if "label" in value else "",
        query=errors.run(_query, value["query"], _join(path, "query")) if "query" in value else "",
        group=errors.run(_optional, value, "group", path, _string),
        aggregation=errors.run(_choice, value.get("aggregation", "avg"), _join(path, "aggregation"), AGGREGATIONS),
        score=errors.run(_optional, value, "score", path, _score),
        unit=errors.run(_optional, value, "unit", path, _string),
        rule=errors.run(row_rule, value, path),
        description=errors.run(_optional, value, "description", path, _string),
    )
    return spec if errors.count == before else None


def _check_labels(rows: list, rows_path: str, errors: _Errors) -> None:
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


def _zone(value: Any, path: str, errors: _Errors) -> str | None:
    zone = errors.run(check_timezone, value, path)
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


_DEFAULTABLE = ("timezone", "bands", "days", "palette")


def _grid(value: Any, path: str, defaults: dict, errors: _Errors | None = None) -> GridSpec | None:
    """The grid, or None when `errors` (non-strict) got this grid's mistakes."""
    errors = errors or _Errors(strict=True)
    before = errors.count
    _mapping(value, path, ("name", "type", "title", "rows", "trend") + _DEFAULTABLE, required=("name", "rows"), errors=errors)
    name = errors.run(_string, value["name"], _join(path, "name"), pattern=NAME_RE) if "name" in value else None
    rows_path = _join(path, "rows")
    rows: list[RowSpec | None] = []
    if "rows" in value:
        if not isinstance(value["rows"], list):
            errors.add(ConfigError(rows_path, f"must be a list of rows, got {_kind(value['rows'])}"))
        elif not value["rows"]:
            errors.add(ConfigError(rows_path, "must list at least one row"))
        elif len(value["rows"]) > MAX_ROWS:
            errors.add(ConfigError(rows_path, f"has {len(value['rows'])} rows; the limit is {MAX_ROWS} per grid"))
        else:
            rows = [errors.run(_row, row, f"{rows_path}[{i}]", errors) for i, row in enumerate(value["rows"])]
            _check_labels(value["rows"], rows_path, errors)
    merged = {**defaults, **{k: value[k] for k in _DEFAULTABLE if k in value}}
    grid_type = errors.run(_choice, value.get("type", "heatmap"), _join(path, "type"), GRID_TYPES)
    trend = errors.run(_boolean, value.get("trend", False), _join(path, "trend"))
    if trend and grid_type == "trend":
        errors.add(ConfigError(_join(path, "trend"), "only applies to type: heatmap"))
    where = lambda key: _join(path if key in value else "", key)  # noqa: E731 - blame the key where it was set
    timezone = _zone(merged.get("timezone", "UTC"), where("timezone"), errors)
    spec = GridSpec(
        name=name or "",
        title=errors.run(_string, value["title"], _join(path, "title")) if "title" in value else (name or "").replace("_", " ").replace("-", " ").title(),
        rows=tuple(rows),
        type=grid_type,
        days=errors.run(_integer, merged.get("days", 7), where("days"), 1, MAX_DAYS),
        palette=errors.run(_palette, merged.get("palette", DEFAULT_PALETTE), where("palette")),
        trend_column=trend,
        timezone=timezone,
        bands=errors.run(_bands, merged["bands"], where("bands")) if "bands" in merged else Bands(),
    )
    return spec if errors.count == before else None


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


MAX_REFRESH_SECONDS = 24 * 3600
MAX_STALE_MINUTES = 30 * 24 * 60


def _status_page(value: Any, path: str, period: int) -> StatusPageSpec:
    _mapping(value, path, ("refresh_seconds", "stale_after_minutes"))
    refresh = _integer(value.get("refresh_seconds", 300), _join(path, "refresh_seconds"), 0, MAX_REFRESH_SECONDS)
    if 0 < refresh < 10:
        raise ConfigError(_join(path, "refresh_seconds"), f"must be 0 (off) or at least 10, got {refresh}")
    stale = _integer(value.get("stale_after_minutes", 2 * period), _join(path, "stale_after_minutes"), 1, MAX_STALE_MINUTES)
    return StatusPageSpec(refresh_seconds=refresh, stale_after_minutes=stale)


def parse_config(data: Any, source: str | None) -> Config:
    """A checked Config; every mistake found (up to MAX_ERRORS) is reported at once."""
    if data is None:
        raise ConfigError(source or "config", "is empty; expected a mapping with a 'grids' list")
    errors = _Errors()
    _mapping(data, "", ("grids", "publish", "report", "status_page") + _DEFAULTABLE, required=("grids",), errors=errors)
    defaults = {k: data[k] for k in _DEFAULTABLE if k in data}
    grids = data.get("grids", [])
    if not isinstance(grids, list):
        errors.add(ConfigError("grids", f"must be a list of grids, got {_kind(grids)}"))
        grids = []
    elif not grids and "grids" in data:
        errors.add(ConfigError("grids", "must list at least one grid"))
    elif len(grids) > MAX_GRIDS:
        errors.add(ConfigError("grids", f"has {len(grids)} grids; the limit is {MAX_GRIDS}"))
        grids = []
    specs = []
    seen: dict[str, int] = {}
    for i, grid in enumerate(grids):
        spec = errors.run(_grid, grid, f"grids[{i}]", defaults, errors)
        if spec is None:
            continue
        if spec.name in seen:
            errors.add(ConfigError(f"grids[{i}].name", f"duplicate grid name {spec.name!r} (also grids[{seen[spec.name]}])"))
        seen[spec.name] = i
        specs.append(spec)
    # Top-level defaults must be valid even when every grid overrides them.
    if "timezone" in data:
        _zone(data["timezone"], "timezone", errors)
    if "bands" in data:
        errors.run(_bands, data["bands"], "bands")
    if "days" in data:
        errors.run(_integer, data["days"], "days", 1, MAX_DAYS)
    if "palette" in data:
        errors.run(_palette, data["palette"], "palette")
    publish = errors.run(_publish, data["publish"], "publish") if "publish" in data else PublishSpec()
    report = errors.run(_report, data["report"], "report") if "report" in data else ReportSpec()
    period = report.period if report else ReportSpec().period
    status_page = errors.run(_status_page, data["status_page"] if "status_page" in data else {}, "status_page", period)
    errors.raise_any()
    return Config(grids=tuple(specs), publish=publish, report=report, status_page=status_page, source=source, defaults=defaults,
                  warnings=tuple(errors.warnings))


def _optional(value: dict, key: str, path: str, check):
    return None if value.get(key) is None else check(value[key], _join(path, key))


def _join(path: str, key: Any) -> str:
    if not (isinstance(key, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,40}", key)):
        key = shown(key, 40)  # an unknown key is user text too
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "a mapping"}.get(
        type(value), type(value).__name__
    ) + (f" ({value!r})" if isinstance(value, (bool, int, float, str)) and len(repr(value)) < 40 else "")


def _closest(word: str, choices: tuple[str, ...]) -> str | None:
    import difflib

    folded = {c.lower(): c for c in choices}  # `rdylgn` means RdYlGn
    match = difflib.get_close_matches(word.lower(), list(folded), n=1, cutoff=0.75)
    return folded[match[0]] if match else None
