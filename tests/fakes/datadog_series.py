"""How the loopback Datadog turns one metric query's raw points into buckets, as Datadog documents:
each series (one set of tags) in the scope rolled up in time, then the bucket's series combined by
the space aggregator; a percentile of every raw point of the bucket."""

from __future__ import annotations

import math
import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

SIMPLE_SCOPE_RE = re.compile(r"\*|[^\s,!()]+(?:\s*,\s*[^\s,!()]+)*")


class QueryError(ValueError):
    """Datadog's 400: the text goes into {"errors": ["Error(s) found in query:\\n" + text]}."""


def percentile(values: list[float], p: float) -> float:
    """Linear between closest ranks (numpy's default)."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = math.floor(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def aggregate(values: list[float], method: str) -> float:
    if method.startswith("p"):
        return percentile(values, float(method[1:]))
    if method == "count":
        return float(len(values))
    return {"avg": lambda v: sum(v) / len(v), "sum": sum, "min": min, "max": max}[method](values)


def local_midnight(t: int, zone: str) -> int:
    day = datetime.fromtimestamp(t, ZoneInfo(zone)).date()
    return int(datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).timestamp())


def utc_midnight_of_local_date(t: int, zone: str) -> int:
    """A calendar bucket stamped at 00:00 UTC of its local date (a way Datadog might stamp it)."""
    day = datetime.fromtimestamp(t, ZoneInfo(zone)).date()
    return int(datetime.combine(day, time(0), tzinfo=ZoneInfo("UTC")).timestamp())


def in_scope(tags: frozenset, scope: str, text: str) -> bool:
    """Whether a series with `tags` is in `scope` (`*`, or tags it must all carry)."""
    if scope.strip() == "*":
        return True
    if not SIMPLE_SCOPE_RE.fullmatch(scope.strip()):
        raise QueryError(f"Error parsing query: scope {{{scope}}} of {text} is not modelled by this stand-in")
    return all(part.strip() in tags for part in scope.split(","))


def rolled_up(series: dict, space: str, method: str, bucket_of, seconds_of=None) -> dict[int, float | None]:
    """{bucket start: value}: each series rolled up in time by `method` (divided by the bucket's
    seconds for `.as_rate()`), then the bucket's series combined by the space aggregator; a
    percentile is of every raw point of the bucket. A bucket holding only nulls is None."""
    rolled: dict[int, list[float]] = {}
    for points in series.values():
        buckets: dict[int, list[float]] = {}
        for t, v in points:
            values = buckets.setdefault(bucket_of(t), [])
            if v is not None:
                values.append(v)
        for start, values in buckets.items():
            mine = rolled.setdefault(start, [])
            if values and space.startswith("p"):
                mine.extend(values)
            elif values:
                mine.append(aggregate(values, method) / (seconds_of(start) if seconds_of else 1))
    return {t: (aggregate(values, space) if values else None) for t, values in rolled.items()}
