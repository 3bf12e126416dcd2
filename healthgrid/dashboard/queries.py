"""A row's query in the widgets' formulas-and-queries form: named metric queries and one formula.

`avg:a{*}` is queries q1 and formula `q1`; `sum:err{*}.as_count() / sum:req{*}.as_count() * 100` is
q1, q2 and `q1 / q2 * 100`; `abs(avg:x{*})` is q1 and `abs(q1)`. Each metric query is rolled up
into the grid's local days (`.rollup(AGG, 86400)` where local days are UTC days, else Datadog's
calendar-aligned `.rollup(AGG, daily, 12am, 'ZONE')`), so a formula is applied to each term's value
for a day, as healthgrid's own day values are. What is left once the metric queries are taken out
must be arithmetic (numbers, + - * /, parentheses and function calls); anything else is not split.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

# One metric query: an optional space aggregator (or percentile), the metric, its scope and the
# methods that belong to the metric query. `.rollup()` and `by {…}` are refused by the config.
_TERM_RE = re.compile(
    r"(?<![\w.:])(?:(?:avg|sum|min|max|p\d+(?:\.\d+)?)\s*:\s*)?[A-Za-z][\w.]*\s*\{[^{}]*\}"
    r"(?:\s*\.\s*(?:as_count|as_rate)\s*\(\s*\)|\s*\.\s*fill\s*\(\s*[\w.,\s]*\))*"
)
# The tokens of a formula once its metric queries are placeholders: numbers, operators,
# parentheses, commas, placeholders and function names (a name followed by "(").
_FORMULA_TOKEN = re.compile(r"\s*(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|[-+*/(),]|\0\d+\0|[a-z_][a-z0-9_]*(?=\s*\())")
MAX_TERMS = 10  # metric queries in one row's formula


class Split(NamedTuple):
    terms: list[str]  # metric queries as written, in order
    formula: str  # over q1, q2, ...


def split(query: str) -> Split | None:
    """The row's metric queries and its formula, or None when the query is not metric queries
    joined by arithmetic (it is then shown in the image only)."""
    terms: list[str] = []

    # Each metric query becomes a NUL-quoted placeholder: config text holds no NUL, so a stray
    # "q1" in the query is not taken for one of ours.
    def name(match: re.Match) -> str:
        terms.append(match.group().strip())
        return f"\0{len(terms)}\0"

    formula = _TERM_RE.sub(name, query.strip())
    if not terms or len(terms) > MAX_TERMS or not _arithmetic(formula):
        return None
    return Split(terms, re.sub(r"\0(\d+)\0", r"q\1", " ".join(formula.split())))


def _arithmetic(formula: str) -> bool:
    """True when `formula` is arithmetic: sums of products of numbers, query names, signed or
    parenthesised operands and function calls with arguments (what Datadog's formulas take)."""
    tokens, position = [], 0
    while position < len(formula.rstrip()):
        match = _FORMULA_TOKEN.match(formula, position)
        if not match:
            return False
        tokens.append(match.group(1))
        position = match.end()
    return _Formula(tokens).whole()


class _Formula:
    """A recursive-descent reading of expr := term (+|- term)*; term := factor (*|/ factor)*;
    factor := (+|-) factor | number | query | name "(" expr ("," expr)* ")" | "(" expr ")"."""

    def __init__(self, tokens: list[str]):
        self.tokens, self.i = tokens, 0

    def whole(self) -> bool:
        return self.expr() and self.i == len(self.tokens)

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, *wanted: str) -> bool:
        if self.peek() in wanted:
            self.i += 1
            return True
        return False

    def expr(self) -> bool:
        return self.term() and all(self.term() for _ in iter(lambda: self.take("+", "-"), False))

    def term(self) -> bool:
        return self.factor() and all(self.factor() for _ in iter(lambda: self.take("*", "/"), False))

    def factor(self) -> bool:
        token = self.peek()
        if token is None or self.i > 200:  # a formula of a row is short; depth stays bounded
            return False
        if self.take("+", "-"):
            return self.factor()
        self.i += 1
        if token == "(":
            return self.expr() and self.take(")")
        if token[0].isdigit() or token[0] in ".\0":
            return True
        if re.fullmatch(r"[a-z_][a-z0-9_]*", token) and self.take("("):
            return self.expr() and all(self.expr() for _ in iter(lambda: self.take(","), False)) and self.take(")")
        return False


def utc_days(zone: str) -> bool:
    """True when the zone's days are UTC days all year (no offset, ever, in the years around now)."""
    tz = ZoneInfo(zone)
    year = datetime.now().year
    return all(datetime(y, m, 1, tzinfo=tz).utcoffset().total_seconds() == 0 for y in (year - 1, year, year + 1) for m in range(1, 13))


def daily(term: str, aggregation: str, zone: str) -> str:
    """`term` rolled up into local days of `zone` with the row's aggregation."""
    if utc_days(zone):
        return f"{term}.rollup({aggregation}, 86400)"
    return f"{term}.rollup({aggregation}, daily, 12am, '{zone}')"


def metric_queries(parts: Split, aggregation: str, zone: str, aggregator: str | None = None) -> list[dict]:
    """The widget request's `queries`: q1, q2, ... each rolled up into local days."""
    out = []
    for i, term in enumerate(parts.terms, start=1):
        query = {"data_source": "metrics", "name": f"q{i}", "query": daily(term, aggregation, zone)}
        if aggregator:
            query["aggregator"] = aggregator
        out.append(query)
    return out
