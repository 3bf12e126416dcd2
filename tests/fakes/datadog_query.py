"""Datadog's metric query grammar and its evaluation over raw points, for the loopback Datadog.

Written from Datadog's docs (REFERENCE.md, "Datadog's metric query grammar"), independently of
healthgrid's own parser:

    expr   := term (('+' | '-') term)*          term := unary (('*' | '/') unary)*
    unary  := '-' unary | atom                   atom := NUMBER | '(' expr ')' | FUNC '(' expr (',' NUMBER)* ')'
                                                         | metric | NAME (a query named in a v2 formula)
    metric := [AGG ':'] NAME '{' SCOPE '}' [' by {' TAGS '}'] ('.' METHOD '(' ARGS ')')*

`.rollup()` is a method of a metric query: after a number or a ')' it is a parse error, with the
shape of Datadog's ("Rule 'scope_expr' didn't match"). Each metric query is bucketed as its
rollup says: N seconds aligned to the epoch, or calendar days (`daily, 12am, 'ZONE'`); without a
rollup, the request's interval with the avg aggregator (sum for `.as_count()`).

As Datadog does, each series (one set of tags) in the scope is rolled up in time first, then the
series of each bucket are combined by the space aggregator (`max:` the greatest of the series'
values; `avg:` their mean). A percentile aggregator (`p90:`) is the percentile of the bucket's raw
points of every series; its rollup aggregator is ignored, as Datadog documents for distributions.
`.as_count()` reads points as they are; `.as_rate()` divides each series' rolled-up bucket by the
bucket's length in seconds (Datadog's "Metric Type Modifiers"), so its value depends on the bucket.
A scope is `*` or tags separated by commas that a series must all carry; points stored without
tags form one series that every scope selects. Functions are applied bucket by bucket after the
rollup; arithmetic pairs buckets with the same time (a bucket missing on one side is missing).
Not modelled (answered 400 "not modelled"): other scope syntax on tagged points, grouping (the
loopback server answers `by {…}` queries itself), fills other than null, calendar rollups other
than daily at 12am.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fakes.datadog_series import QueryError, aggregate, in_scope, local_midnight, percentile, rolled_up, utc_midnight_of_local_date

__all__ = ["Evaluator", "QueryError", "aggregate", "in_scope", "local_midnight", "percentile", "rolled_up"]

MAX_POINTS = 1500
FUNCTIONS = {"abs": abs, "log2": math.log2, "log10": math.log10, "clamp_min": max, "clamp_max": min,
             "cutoff_min": lambda v, n: v if v >= n else None, "cutoff_max": lambda v, n: v if v <= n else None}
WINDOW_FUNCTIONS = {"cumsum"}
KNOWN_UNMODELLED = {"integral", "timeshift", "hour_before", "day_before", "week_before", "month_before", "per_second",
                    "per_minute", "per_hour", "diff", "derivative", "monotonic_diff", "ewma_3", "ewma_5", "median_3",
                    "top", "anomalies", "outliers", "forecast", "moving_rollup", "default_zero", "count_nonzero"}
TOKEN_RE = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
                      r"|(?P<metric>(?:(?:avg|sum|min|max|p\d+(?:\.\d+)?):)?[A-Za-z][\w.]*\{[^{}]*\}(?: by \{[^{}]*\})?)"
                      r"|(?P<name>[A-Za-z_]\w*)|(?P<method>\.\w+\([^()]*\))|(?P<op>[-+*/(),]))", re.ASCII)
METRIC_RE = re.compile(r"(?:(avg|sum|min|max|p\d+(?:\.\d+)?):)?([A-Za-z][\w.]*)\{([^{}]*)\}( by \{[^{}]*\})?", re.ASCII)
CALENDAR_RE = re.compile(r"(avg|sum|min|max|count), *daily, *12am, *'([^']+)'")
FIXED_RE = re.compile(r"(avg|sum|min|max|count)(?:, *(\d+))?")


class Evaluator:
    """Evaluates one query (or v2 formula) to {bucket start (s): value} for a request's window."""

    def __init__(self, metrics: dict[str, list[tuple[int, float | None]]], lo: int, hi: int, interval: int | None,
                 calendar_stamp: str = "local", named: dict | None = None, tagged: dict | None = None):
        self.metrics, self.lo, self.hi = metrics, lo, hi
        self.tagged = tagged or {}  # metric -> [(t, value, frozenset of "key:value" tags)]
        self.interval = interval or 3600
        self.calendar_stamp, self.named = calendar_stamp, named or {}

    def evaluate(self, text: str) -> dict[int, float | None]:
        self.text, self.tokens, self.i = text, _tokens(text), 0
        result = self.expr()
        if self.i < len(self.tokens):
            kind, value, at = self.tokens[self.i]
            if kind == "method":
                raise self.error(at)
            raise QueryError(f"Error parsing query: unable to parse {text}: unexpected {value!r} at column {at + 1}")
        return result

    def error(self, at: int) -> QueryError:
        return QueryError(f"Error parsing query: \nunable to parse {self.text}: Rule 'scope_expr' didn't match at "
                          f"'{self.text[at:at + 30]}' (line 1, column {at + 1}).")

    def peek(self, *ops: str):
        token = self.tokens[self.i] if self.i < len(self.tokens) else None
        return token if token and (not ops or (token[0] == "op" and token[1] in ops)) else None

    def expr(self):
        left = self.term()
        while token := self.peek("+", "-"):
            self.i += 1
            left = _combine(left, self.term(), token[1])
        return left

    def term(self):
        left = self.unary()
        while token := self.peek("*", "/"):
            self.i += 1
            left = _combine(left, self.unary(), token[1])
        return left

    def unary(self):
        if self.peek("-"):
            self.i += 1
            return _combine(-1.0, self.unary(), "*")
        return self.atom()

    def atom(self):
        if self.i >= len(self.tokens):
            raise QueryError(f"Error parsing query: unable to parse {self.text}: unexpected end")
        kind, value, at = self.tokens[self.i]
        self.i += 1
        if kind == "number":
            return float(value)
        if kind == "metric":
            methods = []
            while self.peek() and self.peek()[0] == "method":
                methods.append(self.peek()[1])
                self.i += 1
            return self.metric(value, methods)
        if kind == "op" and value == "(":
            inner = self.expr()
            self.expect(")")
            return inner
        if kind == "name" and self.peek("("):
            return self.call(value)
        if kind == "name" and value in self.named:
            return self.named[value]
        raise QueryError(f"Error parsing query: unable to parse {self.text}: unexpected {value!r} at column {at + 1}")

    def expect(self, op: str):
        if not self.peek(op):
            raise QueryError(f"Error parsing query: unable to parse {self.text}: expected {op!r}")
        self.i += 1

    def call(self, name: str):
        if name not in FUNCTIONS and name not in WINDOW_FUNCTIONS:
            why = "not modelled by this stand-in" if name in KNOWN_UNMODELLED else "unknown function"
            raise QueryError(f"Error parsing query: unable to parse {self.text}: {why} '{name}'")
        self.i += 1
        inner = self.expr()
        arguments = []
        while self.peek(","):
            self.i += 1
            sign = -1.0 if self.peek("-") else 1.0
            self.i += sign < 0
            token = self.peek()
            if not token or token[0] != "number":
                raise QueryError(f"Error parsing query: unable to parse {self.text}: {name}() takes numbers after the query")
            arguments.append(sign * float(token[1]))
            self.i += 1
        self.expect(")")
        if isinstance(inner, float):
            raise QueryError(f"Error parsing query: unable to parse {self.text}: {name}() needs a query")
        if name == "cumsum":
            total, out = 0.0, {}
            for t in sorted(inner):
                total += inner[t] or 0.0
                out[t] = total
            return out
        function = FUNCTIONS[name]
        return {t: (None if v is None else _safe(function, v, *arguments)) for t, v in inner.items()}

    def metric(self, text: str, methods: list[str]):
        aggregator, name, scope, grouped = METRIC_RE.fullmatch(text).groups()
        if grouped:
            raise QueryError(f"grouped queries are not modelled by this stand-in: {text}")
        space, rollup, modifier = aggregator or "avg", None, None
        for method in methods:
            call, arguments = method[1:].split("(", 1)
            arguments = arguments[:-1].strip()
            if call == "rollup":
                rollup = arguments
            elif call in ("as_count", "as_rate") and not arguments:
                modifier = call
            elif call == "fill" and arguments.split(",")[0].strip() == "null":
                continue
            else:
                raise QueryError(f"Error parsing query: unable to parse {self.text}: unknown or unmodelled method .{call}({arguments})")
        method, bucket_of, seconds_of = self.rollup(rollup, modifier)
        return rolled_up(self.series(name, scope), space, method, bucket_of, seconds_of if modifier == "as_rate" else None)

    def series(self, name: str, scope: str) -> dict[frozenset, list[tuple[int, float | None]]]:
        """The points in [lo, hi) of each series of `name` that `scope` selects, by its tags."""
        raw = self.metrics.get(name, [])
        out = {frozenset(): raw[bisect_left(raw, (self.lo,)):bisect_left(raw, (self.hi,))]} if raw else {}
        for t, v, tags in self.tagged.get(name, []):
            if self.lo <= t < self.hi and in_scope(tags, scope, self.text):
                out.setdefault(tags, []).append((t, v))
        return out

    def rollup(self, arguments: str | None, modifier: str | None):
        """(aggregator, bucket start of a time, seconds in the bucket starting at a time) for a
        metric query's rollup; 400 past MAX_POINTS."""
        default = "sum" if modifier == "as_count" else "avg"
        calendar = CALENDAR_RE.fullmatch(arguments or "")
        if calendar:
            try:
                zone = ZoneInfo(calendar.group(2))
            except (ZoneInfoNotFoundError, ValueError):
                raise QueryError(f"Error parsing query: unknown timezone '{calendar.group(2)}'") from None
            days = (datetime.fromtimestamp(self.hi - 1, zone).date() - datetime.fromtimestamp(self.lo, zone).date()).days + 1
            self.check_points(days)
            stamp = local_midnight if self.calendar_stamp == "local" else utc_midnight_of_local_date
            return (calendar.group(1), lambda t: stamp(t, calendar.group(2)),
                    lambda start: local_midnight(start + 86400 + 7200, calendar.group(2)) - local_midnight(start + 7200, calendar.group(2)))
        fixed = FIXED_RE.fullmatch(arguments or "avg")
        if arguments is not None and not fixed:
            raise QueryError(f"Error parsing query: unable to parse {self.text}: .rollup({arguments}) is not modelled")
        size = int(fixed.group(2) or self.interval) if arguments is not None else self.interval
        if size <= 0:
            raise QueryError(f"Error parsing query: invalid rollup interval {size}")
        self.check_points((self.hi - 1) // size - self.lo // size + 1)
        return (fixed.group(1) if arguments is not None else default), (lambda t: t - t % size), (lambda start: size)

    def check_points(self, points: int) -> None:
        if points > MAX_POINTS:
            raise QueryError(f"Query {self.text} would return {points} points per series; the maximum is {MAX_POINTS}")


def _safe(function, value, *arguments):
    try:
        return function(value, *arguments)
    except (ValueError, OverflowError):
        return None


def _combine(left, right, op: str):
    """Arithmetic between series ({t: v}) and numbers, bucket by bucket."""
    if isinstance(left, float) and isinstance(right, float):
        return _apply(left, right, op)
    if isinstance(left, float):
        return {t: _apply(left, v, op) for t, v in right.items()}
    if isinstance(right, float):
        return {t: _apply(v, right, op) for t, v in left.items()}
    return {t: _apply(left[t], right[t], op) for t in left.keys() & right.keys()}


def _apply(a, b, op: str):
    if a is None or b is None:
        return None
    if op == "/" and b == 0:
        return math.nan if a == 0 else math.copysign(math.inf, a)
    return {"+": a + b, "-": a - b, "*": a * b}[op] if op != "/" else a / b


def _tokens(text: str) -> list[tuple[str, str, int]]:
    tokens, at = [], 0
    while at < len(text.rstrip()):
        match = TOKEN_RE.match(text, at)
        if not match or match.end() == at:
            raise QueryError(f"Error parsing query: unable to parse {text}: unexpected {text[at:at + 20]!r} at column {at + 1}")
        kind = match.lastgroup
        start = match.start(kind)
        if kind == "method" and (not tokens or tokens[-1][0] not in ("metric", "method")):
            raise QueryError(f"Error parsing query: \nunable to parse {text}: Rule 'scope_expr' didn't match at "
                             f"'{text[start:start + 30]}' (line 1, column {start + 1}).")
        tokens.append((kind, match.group(kind), start))
        at = match.end()
    return tokens


