"""How values, days and the data window read in every output (image, Markdown, JSON summary)."""

from __future__ import annotations

import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

from healthgrid.config import clamp_fom
from healthgrid.grid import Grid, Row

NO_DATA = "no data"
_SUFFIXES = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))


def format_number(v: float) -> str:
    """Short and true: 3 significant digits from 10,000 up with k/M/G/T (12.3k, 41.2k, 1M), plain
    below (7.25, 48.3, 1234), 2 significant digits under 1 (0.35, 0.0012), scientific beyond
    999T and under 0.0001 (1.2e15, 1.2e-6). Never `0` for a value that is not zero; always within
    5% of the value."""
    if math.isnan(v):
        return NO_DATA
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    sign = "−" if v < 0 else ""
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 9999.5:  # would print as five or more digits: shorten
        rounded = float(f"{a:.3g}")  # rounding first, so 999,999 reads 1M and not 1000k
        for scale, suffix in _SUFFIXES:
            if rounded >= scale and rounded / scale < 1000:
                return f"{sign}{_trim(rounded / scale, 2)}{suffix}"
        return f"{sign}{_scientific(a, 3)}"
    if a >= 100:
        return f"{sign}{a:.0f}"
    if a >= 10:
        return f"{sign}{_trim(a, 1)}"
    if a >= 1:
        return f"{sign}{_trim(a, 2)}"
    return f"{sign}{_scientific(a, 2)}"


def _scientific(a: float, digits: int) -> str:
    """`digits` significant digits; plain down to 0.0001, then 1.2e-6 (no `+`, no leading zeros)."""
    text = f"{a:.{digits}g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}"


def _trim(v: float, decimals: int) -> str:
    text = f"{v:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def cell_text(row: Row, j: int) -> str:
    """A FoM as two decimals; a scored or rule row as its raw value with the unit (e.g. `7.2 min`)."""
    value = row.values[j]
    if math.isnan(value):
        return NO_DATA
    if not row.shows_raw:
        if value == 0 or 0.1 <= abs(value) < 1e4:  # a figure of merit (or near one): two decimals
            return f"{value + 0.0:.2f}"  # + 0.0: a FoM of -0.0 reads 0.00
        return format_number(value)  # tiny, huge or infinite: two decimals would lie
    text = _off_threshold(row, row.raw[j]) if row.rule else format_number(row.raw[j])
    return f"{text} {row.unit}" if row.unit else text


def _off_threshold(row: Row, value: float) -> str:
    """A rule row's value, with more decimals where the short form would read as a threshold it is
    not (4.999 under `< 5` is good and must not say `5`); `≈5` when even 6 decimals would."""
    text = format_number(value)
    for condition in (row.rule.passes, row.rule.warn):
        if condition is None or value == condition.threshold or text != format_number(condition.threshold):
            continue
        sign = "−" if value < 0 else ""
        for digits in range(3, 7):
            finer = _trim(abs(value), digits)
            if finer != _trim(abs(condition.threshold), digits):
                return sign + finer
        return "≈" + text
    return text


def day_label(day: date, today: bool, note: bool = True) -> tuple[str, str]:
    """(first line, second line) for a column; `note` says "(partial)" under today."""
    if today:
        return "Today", f"{day:%b} {day.day}" + (" (partial)" if note else "")
    return f"{day:%a}", f"{day:%b} {day.day}"


def window_text(grid: Grid) -> str:
    first, last = grid.days[0], grid.days[-1]
    span = f"{first:%a %b} {first.day} – {last:%a %b} {last.day}, {last.year}" if len(grid.days) > 1 else f"{last:%a %b} {last.day}, {last.year}"
    return f"{span} ({grid.timezone} days)"


def as_of_text(now: datetime, tz_name: str) -> str:
    local = now.astimezone(ZoneInfo(tz_name))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def subtitle(grid: Grid, today_mark: str = "", scale: bool = True) -> str:
    """The line under a grid's title in every picture and page: what the numbers are, the window,
    and that today is partial. `today_mark`: how the picture marks today (" (dashed)"); `scale`:
    say which end of 0..1 is good (a chart with a 0..1 axis and band backgrounds shows it)."""
    what = "Daily figure of merit, 0 bad … 1 good" if scale else "Daily figure of merit"
    return f"{what} · {window_text(grid)} · today{today_mark} is partial, as of {as_of_text(grid.now, grid.timezone)}"


TREND_FLAT = 0.005  # |change| below this shows as unchanged


def _today_minus_mean(values: list[float]) -> float:
    """Today (the last value) minus the mean of the earlier days with data; NaN when undefined."""
    earlier = [v for v in values[:-1] if not math.isnan(v)]
    today = values[-1] if values else math.nan
    if math.isnan(today) or not earlier or not math.isfinite(today) or not all(math.isfinite(v) for v in earlier):
        return math.nan
    return today - sum(earlier) / len(earlier)


def trend_delta(values: list[float]) -> float:
    """Today's FoM minus the mean of the earlier days' FoM, each clamped to [0, 1] as for colour."""
    return _today_minus_mean([clamp_fom(v) if math.isfinite(v) else v for v in values])


def trend_text(delta: float) -> str:
    if math.isnan(delta):
        return "–"
    if abs(delta) < TREND_FLAT:
        return "= 0.00"
    return f"{'▲' if delta > 0 else '▼'} {abs(delta):.2f}"


def row_trend(row: Row) -> tuple[float, str]:
    """A row's trend column: (how much better (+) or worse (-) today is; 0 flat or no direction, NaN
    undefined, the text).

    FoM and scored rows: the change of the FoM, `▲ 0.42` (▲ better). Rule rows: today's raw value
    minus the mean of the earlier days' raw values, signed and in the row's unit, `▼ +1.5 min`;
    the arrow says better (▲) or worse (▼) by the rule's comparator: lower is better for `<`/`<=`,
    higher for `>`/`>=`; `==`/`!=` have no better side, so their change has no arrow."""
    if row.rule is None:
        delta = trend_delta(row.values)
        return delta, trend_text(delta)
    change = _today_minus_mean(row.raw)
    if math.isnan(change):
        return math.nan, trend_text(math.nan)
    size = format_number(abs(change))
    if size == "0" or abs(change) <= 1e-9 * abs(row.raw[-1]):  # nothing a reader could see, or float noise
        return 0.0, "= 0"
    signed = f"{'+' if change > 0 else '−'}{size}{' ' + row.unit if row.unit else ''}"
    better = change * row.rule.better
    if better == 0:
        return 0.0, signed
    return better, f"{'▲' if better > 0 else '▼'} {signed}"
