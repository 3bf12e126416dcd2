"""A row's query in the widgets' formulas-and-queries form: named metric queries and one formula.

`avg:a{*}` is queries q1 and formula `q1`; `sum:err{*}.as_count() / sum:req{*}.as_count() * 100` is
q1, q2 and `q1 / q2 * 100`; `abs(avg:x{*})` is q1 and `abs(q1)`. Each metric query is rolled up
into the grid's local days (`.rollup(AGG, 86400)` where local days are UTC days, else Datadog's
calendar-aligned `.rollup(AGG, daily, 12am, 'ZONE')`), so a formula is applied to each term's value
for a day, as healthgrid's own day values are. The query is read by the same parser the config
check uses (healthgrid.datadog.formula), so the widgets and the grid agree on what the terms are.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from healthgrid.datadog.formula import FormulaError, parse


class Split(NamedTuple):
    terms: list[str]  # distinct metric queries as written, in order
    formula: str  # over q1, q2, ...


def split(query: str) -> Split | None:
    """The row's metric queries and its formula over q1, q2, ... (the config has already checked
    the query: None only for a text no config accepts)."""
    try:
        formula = parse(query)
    except FormulaError:
        return None
    return Split([m.text for m in formula.metrics], _text(formula.root))


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def _text(node: tuple, outer: int = 0, right: bool = False) -> str:
    """A parsed formula written back over q1, q2, ... with only the parentheses it needs."""
    kind = node[0]
    if kind == "term":
        return f"q{node[1] + 1}"
    if kind == "num":
        return _number(node[1])
    if kind == "neg":
        return "-" + _text(node[1], 3)
    if kind == "call":
        parameter = "" if node[3] is None else f", {_number(node[3])}"
        return f"{node[1]}({_text(node[2])}{parameter})"
    own = _PRECEDENCE[node[1]]
    text = f"{_text(node[2], own)} {node[1]} {_text(node[3], own, right=True)}"
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
    """The widget request's `queries`: q1, q2, ... each rolled up into local days."""
    out = []
    for i, term in enumerate(parts.terms, start=1):
        query = {"data_source": "metrics", "name": f"q{i}", "query": daily(term, aggregation, zone)}
        if aggregator:
            query["aggregator"] = aggregator
        out.append(query)
    return out
