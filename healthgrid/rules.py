"""Rule rows: `pass: "< 5"` and optionally `warn: "< 8"`, judged on the day's aggregated value.

A value that satisfies `pass` is good, else one that satisfies `warn` is warning, else critical;
without `warn` a rule is pass/fail. Comparisons are exact float comparisons against the number as
written: no epsilon, so `< 5` fails at 5 and `<= 5` passes at 5.

The band is the rule's alone: the `bands` thresholds of a grid never change it. For the colour
scale (and anything else that wants a figure of merit), a rule cell sits in the middle of its
band's FoM range (`Rule.fom`), so every palette shows it inside its band.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from dataclasses import dataclass

MAX_CONDITION_CHARS = 40  # the number is shown as written, in every output
OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne}
# Spaces only: a newline, tab or other control character in a condition is a mistake, refused as in labels.
_CONDITION_RE = re.compile(r" *(<=|>=|==|!=|<|>)? *([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?) *", re.ASCII)
# Which way is better for the trend column: +1 higher, -1 lower, 0 neither (== and !=).
_BETTER = {"<": -1, "<=": -1, ">": 1, ">=": 1, "==": 0, "!=": 0}
_DIRECTED = ("<", "<=", ">", ">=")


class ConditionSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Condition:
    op: str
    number: str  # as written (e.g. "40000", "1e-3"): what every output shows

    @functools.cached_property
    def threshold(self) -> float:
        return float(self.number)

    def holds(self, value: float) -> bool:
        return not math.isnan(value) and OPERATORS[self.op](value, self.threshold)

    def __str__(self) -> str:
        return f"{self.op} {self.number}"


def parse_condition(text: str, implied: str | None = None) -> Condition:
    """`OP NUMBER`, or a bare NUMBER taking the `implied` operator (how a warn written `8` takes the
    `<` of pass `< 5`, as teams write "< 5, warn 8"); raises ConditionSyntaxError saying what is wrong."""
    if len(text) > MAX_CONDITION_CHARS:
        raise ConditionSyntaxError(f"a condition is OP NUMBER, at most {MAX_CONDITION_CHARS} characters; this one has {len(text)}")
    match = _CONDITION_RE.fullmatch(text)
    if not match or (match.group(1) is None and implied not in _DIRECTED):
        raise ConditionSyntaxError(f"{text!r} is not a condition: write OP NUMBER, e.g. '< 5' or '>= 40000' (OP one of {', '.join(OPERATORS)})")
    op, number = match.group(1) or implied, match.group(2)
    if not math.isfinite(float(number)):
        raise ConditionSyntaxError(f"{text!r}: the number must be finite")
    return Condition(op, number)


@dataclass(frozen=True)
class Rule:
    passes: Condition
    warn: Condition | None = None

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return (self.passes,) if self.warn is None else (self.passes, self.warn)

    def band(self, value: float) -> str:
        if math.isnan(value):
            return "nodata"
        if self.passes.holds(value):
            return "good"
        if self.warn is not None and self.warn.holds(value):
            return "warning"
        return "critical"

    def fom(self, value: float, bands) -> float:
        """The middle of the value's band on the FoM scale of `bands` (NaN for no data)."""
        return band_middle(self.band(value), bands)

    @property
    def better(self) -> int:
        """+1 when higher values are better, -1 when lower are, 0 when the rule has no direction."""
        return _BETTER[self.passes.op]

    def text(self, unit: str | None = None) -> str:
        """`< 5 min (warn < 8)`: how every output states the rule."""
        return f"{self.passes}{' ' + unit if unit else ''}" + (f" (warn {self.warn})" if self.warn else "")

    def verdict(self, value: float) -> str:
        """Why a value got its band, for hover texts: `fails < 5, meets warn < 8`."""
        if math.isnan(value):
            return "no data"
        if self.passes.holds(value):
            return f"meets {self.passes}"
        if self.warn is None:
            return f"fails {self.passes}"
        return f"fails {self.passes}, {'meets' if self.warn.holds(value) else 'fails'} warn {self.warn}"

    def empty_warning_band(self) -> bool:
        """True when no value fails `pass` yet meets `warn` (a warn that can never show)."""
        if self.warn is None:
            return False
        return not any(not self.passes.holds(x) and self.warn.holds(x) for x in probe_points(self))


def probe_points(rule: Rule) -> list[float]:
    """One value in every stretch of the number line the rule's thresholds cut it into, and the
    thresholds themselves: every region of a rule holds at least one of them."""
    ts = sorted({rule.passes.threshold} | ({rule.warn.threshold} if rule.warn else set()))
    span = max(1.0, ts[-1] - ts[0], abs(ts[0]), abs(ts[-1]))
    between = [(a + b) / 2 for a, b in zip(ts, ts[1:], strict=False)]
    return [ts[0] - span, *ts, *between, ts[-1] + span]


def band_middle(band: str, bands) -> float:
    """The middle of `band`'s range on the FoM scale [0, 1] cut at bands.critical / bands.warning."""
    if band == "critical":
        return bands.critical / 2
    if band == "warning":
        return (bands.critical + bands.warning) / 2
    if band == "good":
        return (bands.warning + 1.0) / 2
    return math.nan
