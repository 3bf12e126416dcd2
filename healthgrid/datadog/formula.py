"""A row's `query`: one Datadog metric query, or arithmetic over several (a formula row).

Datadog's metric query grammar, restricted to what has one meaning on a day's value:

    formula := sum
    sum     := product (('+' | '-') product)*
    product := unary (('*' | '/') unary)*
    unary   := '-' unary | atom
    atom    := NUMBER | '(' sum ')' | FUNCTION '(' sum [',' NUMBER] ')' | metric
    metric  := [AGGREGATOR ':'] NAME '{' SCOPE '}' ('.as_count()' | '.fill(null[, N])')*

A row's value for a day is the formula applied to each metric term's value for that local day
(`evaluate`); Datadog is asked for each term on its own (sources/datadog_plan.py), so a formula
holds at least one metric query. A function is allowed only when its value on a day's value is
well defined (functions.py); `.as_rate()` is refused, as it divides each bucket by its length,
which healthgrid chooses per zone. Parsing is a small recursive descent over a tokenizer: nothing is ever evaluated as Python.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from healthgrid.datadog.functions import FUNCTIONS, REFUSED

MAX_TERMS = 10  # metric queries in one row's formula
MAX_DEPTH = 10  # nesting of parentheses, function calls and unary minus
MAX_NAME = 200  # characters of a metric name (Datadog's own limit)
AGGREGATORS = ("avg", "sum", "min", "max")
_PERCENTILE_RE = re.compile(r"p(\d{1,2}(?:\.\d{1,2})?)")
_METRIC = r"(?:(?P<agg>[A-Za-z][\w.]*):)?(?P<name>[A-Za-z][\w.]*)\{(?P<scope>[^{}]*)\}"
_METRIC_RE = re.compile(_METRIC, re.ASCII)
_TOKEN_RE = re.compile(
    r"(?P<space> +)"
    r"|(?P<number>(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?)"
    rf"|(?P<metric>{_METRIC}(?:\.\w+\([^()]*\))*)"  # with its methods: .as_count() ...
    r"|(?P<word>[A-Za-z_][\w.]*)"
    r"|(?P<string>'[^']*')"  # a function's option, e.g. top(q, 5, 'mean', 'desc'): refused with the function
    r"|(?P<op>[-+*/(),.])",
    re.ASCII,
)
_METHOD_RE = re.compile(r"\.(\w+)\(([^()]*)\)", re.ASCII)
_GROUPED_RE = re.compile(r" *by *\{", re.ASCII)


class FormulaError(ValueError):
    pass


@dataclass(frozen=True)
class Metric:
    """One metric query of a formula, as it is sent (without a rollup)."""

    text: str  # exactly as the row wrote it, e.g. 'sum:errors{*}.as_count()'
    aggregator: str  # avg | sum | min | max | pNN ('avg' when the query names none)

    @property
    def percentile(self) -> bool:
        return self.aggregator.startswith("p")

    @property
    def name(self) -> str:
        """The metric's name, e.g. 'errors' of 'sum:errors{*}.as_count()'."""
        return _METRIC_RE.match(self.text).group("name")

    def with_space(self, space: str) -> str:
        """The query with another space aggregator: 'sum:errors{*}.as_count()' for 'errors{*}.as_count()'."""
        return f"{space}:{self.text[_METRIC_RE.match(self.text).start('name'):]}"


@dataclass(frozen=True)
class Formula:
    text: str
    root: tuple  # ("num", v) | ("term", i) | ("neg", node) | ("op", "+-*/", l, r) | ("call", name, node, parameter)
    metrics: tuple[Metric, ...]  # distinct terms, in order of appearance

    def evaluate(self, values) -> float:
        """The formula on one day's term values (NaN: no data). Any term without data makes the day
        no data; a division by zero raises ZeroDivisionError; a function outside its domain is NaN."""
        if any(math.isnan(v) for v in values):
            return math.nan
        return _evaluate(self.root, values)


def _evaluate(node: tuple, values) -> float:
    kind = node[0]
    if kind == "term":
        return values[node[1]]
    if kind == "num":
        return node[1]
    if kind == "neg":
        return -_evaluate(node[1], values)
    if kind == "op":
        left, right = _evaluate(node[2], values), _evaluate(node[3], values)
        if node[1] == "+":
            return left + right
        if node[1] == "-":
            return left - right
        if node[1] == "*":
            return left * right
        return left / right
    value = _evaluate(node[2], values)
    return math.nan if math.isnan(value) else FUNCTIONS[node[1]][0](value, node[3])


def parse(text: str) -> Formula:
    """The row's query as a formula; FormulaError says what is wrong and where (1-based column)."""
    return _Parser(text).formula()


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.metrics: list[Metric] = []
        self.terms = 0

    def formula(self) -> Formula:
        if not self.tokens:
            raise FormulaError("is empty; write a metric query such as avg:app.latency{*}")
        root = self.sum(0)
        if self.i < len(self.tokens):
            kind, value, at = self.tokens[self.i]
            raise FormulaError(f"unexpected {value!r} at column {at + 1}" + (
                ": methods such as .as_count() follow a metric query, never a number or ')'" if value == "." else ""))
        if not self.metrics:  # nothing would be asked: the row would read the same number every day
            raise FormulaError("holds no metric query, so no day would depend on Datadog's data; "
                               "write at least one, e.g. avg:app.latency{*} * 1000")
        return Formula(self.text, root, tuple(self.metrics))

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str) -> bool:
        token = self.peek()
        if token and token[0] == "op" and token[1] == value:
            self.i += 1
            return True
        return False

    def expect(self, value: str, after: str) -> None:
        if not self.take(value):
            token = self.peek()
            found = f"{token[1]!r} at column {token[2] + 1}" if token else "the end"
            raise FormulaError(f"expected {value!r} after {after}, found {found}")

    def sum(self, depth: int) -> tuple:
        node = self.product(depth)
        while (token := self.peek()) and token[0] == "op" and token[1] in "+-":
            self.i += 1
            node = ("op", token[1], node, self.product(depth))
        return node

    def product(self, depth: int) -> tuple:
        node = self.unary(depth)
        while (token := self.peek()) and token[0] == "op" and token[1] in "*/":
            self.i += 1
            node = ("op", token[1], node, self.unary(depth))
        return node

    def unary(self, depth: int) -> tuple:
        if depth > MAX_DEPTH:
            raise FormulaError(f"nests deeper than {MAX_DEPTH} levels (parentheses, functions, signs)")
        if self.take("-"):
            return ("neg", self.unary(depth + 1))
        return self.atom(depth)

    def atom(self, depth: int) -> tuple:
        token = self.peek()
        if token is None:
            raise FormulaError("ends where a metric query, number or '(' is expected")
        kind, value, at = token
        self.i += 1
        if kind == "number":
            return ("num", float(value))
        if kind == "metric":
            return ("term", self.metric(value, at))
        if kind == "op" and value == "(":
            node = self.sum(depth + 1)
            self.expect(")", f"the group opened at column {at + 1}")
            return node
        if kind == "word":
            return self.call(value, at, depth)
        raise FormulaError(f"unexpected {value!r} at column {at + 1}: expected a metric query, number or '('")

    def call(self, name: str, at: int, depth: int) -> tuple:
        if not self.take("("):
            raise FormulaError(f"{name!r} at column {at + 1} is neither a function call nor a metric query "
                               f"[aggregator:]metric.name{{scope}}, e.g. avg:{name}{{*}}")
        if name not in FUNCTIONS:
            why = REFUSED.get(name.lower())
            allowed = ", ".join(FUNCTIONS)
            raise FormulaError(f"function {name}() cannot be computed per local day: {why}" if why else
                               f"unknown function {name}(); functions on a day's value: {allowed}")
        node = self.sum(depth + 1)
        parameter = None
        if FUNCTIONS[name][1]:
            self.expect(",", f"{name}'s first argument (it takes a threshold, e.g. {name}(avg:m{{*}}, 100))")
            sign = -1.0 if self.take("-") else 1.0
            token = self.peek()
            if not token or token[0] != "number":
                raise FormulaError(f"{name}() takes a number as its second argument")
            self.i += 1
            parameter = sign * float(token[1])
        self.expect(")", f"the arguments of {name}() opened at column {at + 1}")
        return ("call", name, node, parameter)

    def metric(self, source: str, at: int) -> int:
        match = _METRIC_RE.match(source)
        aggregator, name, scope = match.group("agg"), match.group("name"), match.group("scope")
        where = f"the metric query at column {at + 1}"
        aggregator = _aggregator(aggregator, where)
        if len(name) > MAX_NAME:
            raise FormulaError(f"{where}: the metric name is {len(name)} characters long; Datadog's limit is {MAX_NAME}")
        if not scope.strip():
            raise FormulaError(f"{where}: empty scope {{}}; write {{*}} for every source")
        _methods(source[len(match.group(0)):], where)
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise FormulaError(f"has more than {MAX_TERMS} metric queries; the limit is {MAX_TERMS} per row")
        metric = Metric(source, aggregator)
        if metric not in self.metrics:
            self.metrics.append(metric)
        return self.metrics.index(metric)


def _aggregator(aggregator: str | None, where: str) -> str:
    if aggregator is None:
        return "avg"  # Datadog's default space aggregation
    if aggregator in AGGREGATORS:
        return aggregator
    percentile = _PERCENTILE_RE.fullmatch(aggregator)
    if percentile and 0 < float(percentile.group(1)) < 100:
        return aggregator
    lower = aggregator.lower()
    if lower in AGGREGATORS or (_PERCENTILE_RE.fullmatch(lower) and 0 < float(lower[1:]) < 100):
        raise FormulaError(f"{where}: write the aggregator in lower case, {lower + ':'!r} (Datadog's aggregators are lower case)")
    raise FormulaError(f"{where}: unknown aggregator {aggregator + ':'!r}; one of avg:, sum:, min:, max: "
                       "or a percentile such as p90: or p99.9: on a distribution metric")


def _methods(tail: str, where: str) -> None:
    """A metric query's methods: .as_count(), .fill(null[, N]); .rollup() is healthgrid's, .as_rate() is refused."""
    for match in _METHOD_RE.finditer(tail):
        name, arguments = match.group(1), [a.strip() for a in match.group(2).split(",")]
        if name == "rollup":
            raise FormulaError("must not use .rollup(): healthgrid sets the rollup so buckets meet local midnights; "
                               "choose aggregation: avg|sum|min|max")
        if name == "as_rate" and arguments == [""]:
            raise FormulaError(f"{where}: .as_rate() divides each bucket by its length, which healthgrid chooses per zone "
                               "(a day, an hour, 30 minutes), so the day's value would depend on the zone; use .as_count() "
                               "with aggregation: sum and divide by the seconds you want, e.g. sum:requests{*}.as_count() / 86400 "
                               "(a comparison row, one query, shows the count)")
        if name == "fill":
            if arguments[0] != "null" or len(arguments) > 2 or (len(arguments) == 2 and not arguments[1].isdigit()):
                raise FormulaError(f"{where}: .fill({match.group(2)}) fills gaps between buckets, whose size healthgrid "
                                   "chooses per zone, so the day's value would depend on the zone; only .fill(null) is allowed")
        elif not (name == "as_count" and arguments == [""]):
            raise FormulaError(f"{where}: unknown method .{name}({match.group(2)}); a metric query takes "
                               ".as_count() or .fill(null)")


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, column) tokens; a metric token carries its methods (`.as_count()` ...)."""
    tokens, at = [], 0
    while at < len(text):
        match = _TOKEN_RE.match(text, at)
        if not match:
            raise FormulaError(f"unexpected {text[at]!r} at column {at + 1}")
        kind = next(k for k in ("space", "number", "metric", "word", "string", "op") if match.group(k) is not None)
        end = match.end()
        if kind == "metric":
            if _GROUPED_RE.match(text, end):
                raise FormulaError("must not group ('by {...}'): a row is one series; aggregate across tags instead, e.g. avg:metric{env:prod}")
        elif kind == "word" and text.startswith(":", end):
            raise FormulaError(f"column {at + 1}: {text[at:end + 1]!r} does not start a metric query "
                               "[aggregator:]metric.name{scope} (e.g. avg:app.latency{env:prod}): "
                               "a metric name is letters, digits, '_' and '.', directly followed by {scope}")
        if kind != "space":
            tokens.append((kind, text[at:end], at))
        at = end
    return tokens
