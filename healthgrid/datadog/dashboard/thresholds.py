"""A row's bands as Datadog conditional formats (query_value) and markers (timeseries).

Datadog compares the widget's raw value with `>`, `>=`, `<` or `<=` only and takes the first
format that matches, top to bottom. So a row's formats are: good first, then warning, then a
format that catches every value left (critical). Each row is checked against its own band
function at every threshold, its neighbouring floats and the stretches between before it is
used: a row whose bands cannot be written that way (a rule with `==` or `!=`) gets no formats at
all and is named in a note, never a colour its rule would not give.

- Rule rows (`pass`/`warn`): pass, then warn, then the complement of pass.
- Scored rows (`score: {good, bad}`): the grid's FoM band edges mapped back to raw values,
  raw = bad + fom * (good - bad). A FoM exactly at an edge belongs to the upper band (the bands
  cut with `<`), so the edges take `>=` when higher is better and `<=` when lower is; each edge is
  the exact float where healthgrid's own scoring changes band, not a rounded neighbour.
- Plain FoM rows: the FoM is the raw value, so the edges are the grid's bands themselves.
"""

from __future__ import annotations

import math
from typing import Callable

from healthgrid.model.band import Band, Bands, Score
from healthgrid.model.rules import Rule

PALETTES = {Band.GOOD: "white_on_green", Band.WARNING: "white_on_yellow", Band.CRITICAL: "white_on_red"}  # Datadog's names
_BAND_OF_PALETTE = {palette: band for band, palette in PALETTES.items()}
_COMPLEMENT = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}
_EDGE_STEPS = 64  # floats walked from the computed edge to the exact one (a few at most in practice)


def true_band(row, bands: Bands) -> Callable[[float], Band]:
    """The band healthgrid gives a row's raw daily value (as grid.Row.band does)."""
    if row.rule is not None:
        return row.rule.band
    if row.score is not None:
        score = row.score
        return lambda raw: bands.band(score.fom(raw))
    return bands.band


def first_match(formats: list[dict], value: float) -> Band | None:
    """The band Datadog shows for `value`: the first format whose comparison holds."""
    for f in formats:
        if _COMPARE[f["comparator"]](value, f["value"]):
            return _BAND_OF_PALETTE[f["palette"]]
    return None


def _format(comparator: str, value: float, band: Band) -> dict:
    return {"comparator": comparator, "value": float(value), "palette": PALETTES[band]}


def _rule_formats(rule: Rule) -> list[dict] | None:
    conditions = [rule.passes] + ([rule.warn] if rule.warn else [])
    if any(c.op not in _COMPLEMENT for c in conditions):
        return None
    formats = [_format(rule.passes.op, rule.passes.threshold, Band.GOOD)]
    if rule.warn:
        formats.append(_format(rule.warn.op, rule.warn.threshold, Band.WARNING))
    formats.append(_format(_COMPLEMENT[rule.passes.op], rule.passes.threshold, Band.CRITICAL))
    return formats


def score_edge(score: Score, fom: float) -> float | None:
    """The raw value where `score.fom(raw) >= fom` starts to hold (higher-is-better scores: the
    smallest such float) or stops holding (lower-is-better: the largest such float)."""
    up = score.good > score.bad
    meets = lambda x: score.fom(x) >= fom  # noqa: E731 - the predicate the walk below inverts
    away = -math.inf if up else math.inf  # the direction in which values stop meeting it
    x = score.bad + fom * (score.good - score.bad)
    if not math.isfinite(x):
        return None
    for _ in range(_EDGE_STEPS):
        if meets(x):
            beyond = math.nextafter(x, away)
            if not meets(beyond):
                return x
            x = beyond
        else:
            x = math.nextafter(x, -away)
    return None


def _fom_formats(score: Score, bands: Bands) -> list[dict] | None:
    good, warning = score_edge(score, bands.warning), score_edge(score, bands.critical)
    if good is None or warning is None:
        return None
    at_least = ">=" if score.good > score.bad else "<="
    return [_format(at_least, good, Band.GOOD), _format(at_least, warning, Band.WARNING),
            _format(_COMPLEMENT[at_least], warning, Band.CRITICAL)]


def conditional_formats(row, bands: Bands) -> list[dict] | None:
    """The row's formats in the order Datadog must read them, or None when its bands cannot be
    written as Datadog conditional formats."""
    if row.rule is not None:
        formats = _rule_formats(row.rule)
    else:
        formats = _fom_formats(row.score or Score(1.0, 0.0), bands)
    if formats is None or not agrees(formats, true_band(row, bands)):
        return None
    return formats


def agrees(formats: list[dict], band: Callable[[float], Band]) -> bool:
    """True when the formats give every value the band `band` gives it: checked at each threshold,
    the floats on either side of it, between thresholds and far beyond them."""
    edges = sorted({f["value"] for f in formats})
    span = max(1.0, edges[-1] - edges[0], abs(edges[0]), abs(edges[-1]))
    probes = [edges[0] - span, edges[-1] + span, *((a + b) / 2 for a, b in zip(edges, edges[1:], strict=False))]
    for t in edges:
        probes += [math.nextafter(t, -math.inf), t, math.nextafter(t, math.inf)]
    return all(first_match(formats, x) == band(x) for x in probes)


def number_text(value: float, digits: int = 17) -> str:
    """A number in plain positional notation (`0.0000001`, `40000`), as marker values are written,
    with at most `digits` significant digits."""
    from decimal import Decimal

    text = format(Decimal(repr(float(f"{value:.{digits}g}"))).normalize(), "f")
    return "0" if text in ("-0", "") else text


def markers(row, bands: Bands) -> list[dict]:
    """Horizontal lines at the row's thresholds for its timeseries (they colour nothing)."""
    if row.rule is not None:
        lines = [(row.rule.passes, "ok dashed", "pass")] + ([(row.rule.warn, "warning dashed", "warn")] if row.rule.warn else [])
        return [{"value": f"y = {number_text(c.threshold)}", "display_type": kind, "label": f"{word} {c}"} for c, kind, word in lines]
    score = row.score or Score(1.0, 0.0)
    up = score.good > score.bad
    out = []
    for fom, kind, word in ((bands.warning, "ok dashed", "good"), (bands.critical, "warning dashed", "warning")):
        edge = score.bad + fom * (score.good - score.bad)
        shown = number_text(edge, 10)
        out.append({"value": f"y = {shown}", "display_type": kind, "label": f"{word} {'>=' if up else '<='} {shown}"})
    return out
