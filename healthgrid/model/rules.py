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

from healthgrid.model.band import Band, Bands, band_middle
from healthgrid.model.numbers import exact_number

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
        raise ConditionSyntaxError(f"{text!r} is not a condition: " + (condition_hint(text, implied)
                                   or f"write OP NUMBER, e.g. '< 5' or '>= 40000' (OP one of {', '.join(OPERATORS)})"))
    op, number = match.group(1) or implied, match.group(2)
    if not math.isfinite(float(number)):
        raise ConditionSyntaxError(f"{text!r}: the number must be finite")
    return Condition(op, number)


# How people write a comparator that is not one (≤, =>, =), and the one meant.
_OPERATOR_SPELLINGS = {"≤": "<=", "⩽": "<=", "=<": "<=", "≥": ">=", "⩾": ">=", "=>": ">=", "=": "==", "≠": "!=", "<>": "!=", "=!": "!="}
_LOOSE_RE = re.compile(r" *(<=|>=|==|!=|=<|=>|<>|=!|[<>=≤≥⩽⩾≠])? *([-+−]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?) *"
                       r"([^\W\d_][\w/%°µ.]*(?: [^\W\d_][\w/%°µ.]*)*|%|°\w*)? *")
_THOUSANDS_RE = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+")


def condition_hint(text: str, implied: str | None = None) -> str | None:
    """For a condition written the way people write them (`≤ 2,5`, `< 5%`, `=> 10 ms`): the condition
    meant and what to change, e.g. "did you mean '<= 2.5'? (write '<=' for '≤'; ...)"; None when
    the mistake is not one of those."""
    match = _LOOSE_RE.fullmatch(text)
    if not match:
        return None
    op, number, unit = match.groups()
    notes = []
    if op in _OPERATOR_SPELLINGS:
        notes.append(f"write {_OPERATOR_SPELLINGS[op]!r} for {op!r}")
        op = _OPERATOR_SPELLINGS[op]
    if "−" in number:
        notes.append("write '-' for '−'")
        number = number.replace("−", "-")
    if "," in number:
        if _THOUSANDS_RE.fullmatch(number.lstrip("+-").split(".")[0]):
            notes.append("write numbers without thousands separators")
            number = number.replace(",", "")
        elif number.count(",") == 1 and "." not in number:
            notes.append("write decimals with '.'")
            number = number.replace(",", ".")
        else:
            return None
    if unit:
        notes.append(f"drop the unit and put it in unit: {unit!r}")
    if op is None and implied not in _DIRECTED:
        return None
    if not notes:
        return None
    meant = f"{op} {number}" if op else number
    try:
        parse_condition(meant, implied)
    except ConditionSyntaxError:
        return None
    return f"did you mean {meant!r}? ({'; '.join(notes)})"


@dataclass(frozen=True)
class Rule:
    passes: Condition
    warn: Condition | None = None

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return (self.passes,) if self.warn is None else (self.passes, self.warn)

    def band(self, value: float) -> Band:
        if math.isnan(value):
            return Band.NODATA
        if self.passes.holds(value):
            return Band.GOOD
        if self.warn is not None and self.warn.holds(value):
            return Band.WARNING
        return Band.CRITICAL

    def fom(self, value: float, bands: Bands) -> float:
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

    def warn_problem(self) -> str | None:
        """Why `warn` cannot mean what it says, or None. A warning band lies between passing and
        failing values: it applies somewhere, sits next to pass, and (for `<`, `<=`, `>`, `>=`)
        points the same way and leaves the far side critical. Else a worse value could get a
        better band (`<= 2500` with warn `>= 4000`: 9000 warns while 3000 is critical)."""
        if self.warn is None:
            return None
        points = sorted(set(probe_points(self)))
        bands = [self.band(x) for x in points]
        warn, passes = f"'{self.warn}'", f"pass '{self.passes}'"
        if Band.WARNING not in bands:
            return f"{warn} never applies: every value it accepts already meets {passes}"
        opposite = self.better and _BETTER[self.warn.op] == -self.better
        what = f"{warn} points the other way from {passes}" if opposite else f"{warn} is on the wrong side of {passes}"
        worse = _better_further_out(points, bands)
        if worse:
            critical, warning = (exact_number(x) for x in worse)
            return f"{what}: {critical} would be critical but {warning}, further from passing, only a warning; {self._warn_advice()}"
        if self.better and bands[-1 if self.better < 0 else 0] is not Band.CRITICAL:
            return f"{what}: every value that fails pass would only warn, however far off; {self._warn_advice()}"
        return None

    def _warn_advice(self) -> str:
        advice = "a warning band lies between passing and failing values"
        if not self.better:
            return advice + f", next to the value pass '{self.passes}' accepts"
        ops, side = ("'<' or '<='", "above") if self.better < 0 else ("'>' or '>='", "below")
        advice += f": warn is {ops} a number {side} {self.passes.number}"
        beyond = (self.warn.threshold - self.passes.threshold) * -self.better > 0
        return advice + (f", e.g. '{self.passes.op} {self.warn.number}'" if beyond else "")


def _better_further_out(points: list[float], bands: list[Band]) -> tuple[float, float] | None:
    """(a critical value, a warning value further from the passing ones) if there are such, walking
    out from the passing values on either side."""
    good = [i for i, band in enumerate(bands) if band is Band.GOOD]
    for stretch in (range(good[0] - 1, -1, -1), range(good[-1] + 1, len(bands))):
        worst = None
        for i in stretch:
            if worst is not None and bands[i].rank > bands[worst].rank:  # a better band further out
                return points[worst], points[i]
            if worst is None or bands[i].rank < bands[worst].rank:
                worst = i
    return None


def probe_points(rule: Rule) -> list[float]:
    """One value in every stretch of the number line the rule's thresholds cut it into, and the
    thresholds themselves: every region of a rule holds at least one of them."""
    ts = sorted({rule.passes.threshold} | ({rule.warn.threshold} if rule.warn else set()))
    span = max(1.0, ts[-1] - ts[0], abs(ts[0]), abs(ts[-1]))
    between = [(a + b) / 2 for a, b in zip(ts, ts[1:], strict=False)]
    return [ts[0] - span, *ts, *between, ts[-1] + span]
