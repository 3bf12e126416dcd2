"""How one metric term's value over a local day (a heatmap's cell) or a window (a comparison's bar)
is asked of Datadog, the same way in every zone.

Datadog rolls each series up in time with the rollup's aggregator, then combines the series of each
bucket with the query's space aggregator (`max:cpu{*}`: the greatest of the hosts' values). A
term's value for a day is Datadog's own reading of the term rolled up into that day, except that an
`avg` (or unprefixed) term with `aggregation: avg` pools every point of the day across the series
in scope: Σ sums / Σ counts, asked with the space aggregator `sum:`, so every point weighs the same.

Shorter buckets rebuild the day exactly only for those pooled terms (POOLED) and where the space and
time aggregations are the same associative one (BUCKETS): a sum of sums, the greatest of maxima, the
least of minima. Every other pairing (`max:cpu{*}` averaged over the day, `avg:x{*}` summed,
percentiles) is asked in whole local days or windows (WHOLE), so Datadog computes each series' day
first, then the space aggregation.
"""

from __future__ import annotations

POOLED, BUCKETS, WHOLE = "pooled", "buckets", "whole"
_EXACT = {("sum", "sum"), ("max", "max"), ("min", "min")}


def asked_as(space: str | None, aggregation: str) -> str:
    """POOLED, BUCKETS or WHOLE for a term with this space aggregator (None or 'avg' when the query
    names none; 'p90' for a percentile) and the row's aggregation."""
    if space in (None, "avg") and aggregation == "avg":
        return POOLED
    return BUCKETS if (space, aggregation) in _EXACT else WHOLE


def whole_reason(space: str | None, aggregation: str) -> str:
    """Why a WHOLE term cannot be rebuilt from shorter buckets, for messages that refuse a window."""
    if space and space.startswith("p"):
        return "a window's percentile is no mean, sum or maximum of shorter buckets' percentiles"
    return (f"it is each series' {aggregation} over the window, then the {space or 'avg'} across the series, which no "
            "combination of shorter buckets gives")
