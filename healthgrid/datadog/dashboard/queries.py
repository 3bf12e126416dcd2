"""A row's query in the widgets' formulas-and-queries form: named metric queries and one formula.

`max:a{*}` is query q1 and formula `q1`; `sum:err{*}.as_count() / sum:req{*}.as_count() * 100` is
q1, q2 and `q1 / q2 * 100`; `abs(min:x{*})` is q1 and `abs(q1)`. Each metric query is rolled up
into the grid's local days (`.rollup(AGG, 86400)` where local days are UTC days, else Datadog's
calendar-aligned `.rollup(AGG, daily, 12am, 'ZONE')`), so a formula is applied to each term's value
for a day, as healthgrid's own day values are. A term the grid pools (`avg:a{*}` with `aggregation:
avg`: every point of the day alike, healthgrid.datadog.rollups) is pooled here too: `sum:a{*}` rolled
up with `sum` and with `count`, q1sum / q1count, so the live twin reads the day as the image does.
The query is read by the same parser the config check uses (healthgrid.datadog.formula), so the
widgets and the grid agree on what the terms are.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from healthgrid.datadog.formula import FormulaError, parse
from healthgrid.datadog.rollups import POOLED, asked_as


class Split(NamedTuple):
    terms: list[tuple[str, str, str | None]]  # (name, metric query as sent, rollup method or None: the row's)
    formula: str  # over the terms' names


def split(query: str, aggregation: str = "avg") -> Split | None:
    """The row's metric queries and its formula over q1, q2, ... (the config has already checked
    the query: None only for a text no config accepts)."""
    try:
        formula = parse(query)
    except FormulaError:
        return None
    pooled = {i for i, m in enumerate(formula.metrics) if asked_as(m.aggregator, aggregation) == POOLED}
    terms: list[tuple[str, str, str | None]] = []
    for i, metric in enumerate(formula.metrics, start=1):
        if i - 1 in pooled:
            terms += [(f"q{i}{method}", metric.with_space("sum"), method) for method in ("sum", "count")]
        else:
            terms.append((f"q{i}", metric.text, None))
    return Split(terms, _text(formula.root, pooled=pooled))


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def _text(node: tuple, outer: int = 0, right: bool = False, pooled: frozenset | set = frozenset()) -> str:
    """A parsed formula written back over q1, q2, ... with only the parentheses it needs; a pooled
    term i is q{i}sum / q{i}count."""
    kind = node[0]
    if kind == "term":
        name = f"q{node[1] + 1}"
        if node[1] not in pooled:
            return name
        text = f"{name}sum / {name}count"
        return f"({text})" if _PRECEDENCE["/"] < outer or (right and _PRECEDENCE["/"] == outer) else text
    if kind == "num":
        return _number(node[1])
    if kind == "neg":
        return "-" + _text(node[1], 3, pooled=pooled)
    if kind == "call":
        parameter = "" if node[3] is None else f", {_number(node[3])}"
        return f"{node[1]}({_text(node[2], pooled=pooled)}{parameter})"
    own = _PRECEDENCE[node[1]]
    text = f"{_text(node[2], own, pooled=pooled)} {node[1]} {_text(node[3], own, right=True, pooled=pooled)}"
    return f"({text})" if own < outer or (right and own == outer) else text


def _number(value: float) -> str:
    """Plain decimal digits (no exponent, which formulas may not read), as short as round-trips."""
    text = format(Decimal(repr(value)), "f")
    return text.removesuffix(".0")


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
    """The widget request's `queries`: q1, q2, ... (q1sum, q1count for a pooled term) each rolled up into local days."""
    out = []
    for name, term, method in parts.terms:
        query = {"data_source": "metrics", "name": name, "query": daily(term, method or aggregation, zone)}
        if aggregator:
            query["aggregator"] = aggregator
        out.append(query)
    return out
