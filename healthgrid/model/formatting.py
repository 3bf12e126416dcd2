"""How values, days and the data window read in every output (image, Markdown, JSON summary)."""

from __future__ import annotations

import functools
import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

from healthgrid.model.band import Band, Bands, clamp_fom
from healthgrid.model.grid import Grid, Row
from healthgrid.model.numbers import format_number, read_number, sided
from healthgrid.model.rules import Condition

NO_DATA = "no data"


def cell_text(row: Row, j: int, bands: Bands) -> str:
    """A FoM as two decimals; a scored or rule row as its raw value with the unit (e.g. `7.2 min`).
    Next to a threshold of its row (a rule's, or a band edge of `bands`), just the digits that keep
    the number on the value's side of it: 0.125 under `< 0.125` never reads `0.12`."""
    value = row.values[j]
    if math.isnan(value):
        return NO_DATA
    if row.shows_raw:
        text = value_text(row, row.raw[j], bands)
    elif value == 0 or 0.1 <= abs(value) < 1e4:  # a figure of merit (or near one): two decimals
        text = _sided(value, f"{value + 0.0:.2f}", _fom_sides(bands), _same)  # + 0.0: -0.0 reads 0.00
    else:
        text = _sided(value, format_number(value), _fom_sides(bands), _same)  # tiny, huge or infinite: two decimals would lie
    return f"{text} {row.unit}" if row.unit else text


def value_text(row: Row, value: float, bands: Bands) -> str:
    """A rule or scored row's raw value, without its unit, on its own side of every threshold."""
    if row.rule is not None:
        return _rule_text(row, value)
    if row.score is not None:
        return _sided(value, format_number(value), _fom_sides(bands), row.score.fom)  # judged as the FoM it scores
    return format_number(value)


def _rule_text(row: Row, value: float) -> str:
    """A rule row's value on its own side of the rule's thresholds (the grid's bands do not judge it)."""
    return _sided(value, format_number(value), row.rule.conditions, _same)


def _same(x: float) -> float:
    return x


@functools.lru_cache(maxsize=16)
def _fom_sides(bands: Bands) -> tuple[Condition, ...]:
    """The band edges as conditions: good is `>= warning`, critical fails `>= critical`."""
    return Condition(">=", repr(bands.warning)), Condition(">=", repr(bands.critical))


def _sided(value: float, base: str, sides, measure) -> str:
    """`base`, or where it would read on the other side of a condition of `sides` (or as a threshold
    the value does not meet, 5.0001 under `< 5` as `5`), the fewest digits that read on the value's
    side of every one; `measure` turns a number into what the conditions judge (a score's FoM)."""
    if not math.isfinite(value):
        return base
    truth = measure(value)

    def fits(text: str) -> bool:
        read = measure(read_number(text))
        lo, hi = (read, truth) if read < truth else (truth, read)
        if not any(lo <= c.threshold <= hi for c in sides):  # no threshold between them: the same side of all
            return True
        for c in sides:
            meets = c.holds(truth)
            if c.holds(read) != meets or (read == c.threshold != truth and not meets):
                return False
        return True

    return base if fits(base) else sided(value, base, fits)


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


def judged_by_rules(rows) -> bool:
    """Every row (Row or RowSpec) has a rule: the grid speaks of pass / warn / fail, not of a figure of merit."""
    return bool(rows) and all(row.rule is not None for row in rows)


def rule_bands(rows) -> tuple[Band, ...]:
    """The bands the rows' rules can give, best first: warning only where some rule has a warn."""
    warns = any(row.rule is not None and row.rule.warn is not None for row in rows)
    return (Band.GOOD, Band.WARNING, Band.CRITICAL) if warns else (Band.GOOD, Band.CRITICAL)


def subtitle(grid: Grid, today_mark: str = "", scale: bool = True) -> str:
    """The line under a grid's title in every picture and page: what the numbers are, the window,
    and that today is partial. `today_mark`: how the picture marks today (" (dashed)"); `scale`:
    say which end of 0..1 is good (a chart with a 0..1 axis and band backgrounds shows it). A grid
    of rule rows says so; a grid mixing rule and FoM rows says both."""
    words = " / ".join(b.rule_word for b in rule_bands(grid.rows))
    if judged_by_rules(grid.rows):
        what = f"Daily values judged by each row's rule: {words}"
    else:
        what = "Daily figure of merit, 0 bad … 1 good" if scale else "Daily figure of merit"
        if any(row.rule is not None for row in grid.rows):
            what += f"; rows with a rule: {words}"
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
    if change == 0 or (abs(change) <= 1e-9 * abs(row.raw[-1]) and _cells_read_alike(row)):  # float noise no cell shows
        return 0.0, "= 0"
    signed = f"{'+' if change > 0 else '−'}{format_number(abs(change))}{' ' + row.unit if row.unit else ''}"
    better = change * row.rule.better
    if better == 0:
        return 0.0, signed
    return better, f"{'▲' if better > 0 else '▼'} {signed}"


def _cells_read_alike(row: Row) -> bool:
    """Today's cell and the earlier days' with data print the same number."""
    return len({_rule_text(row, v) for v in row.raw if not math.isnan(v)}) == 1
