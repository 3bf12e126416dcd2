"""The functions a formula row may apply to a day's value, and why the others are refused.

A function is allowed only when its value on a day's value is well defined (FUNCTIONS); those whose
meaning depends on the window, on neighbouring points or on other series are refused with the
reason (REFUSED), which the parser (formula.py) quotes.
"""

from __future__ import annotations

import math


def _log(base_log):
    def log(x: float, _=None) -> float:
        return base_log(x) if x > 0 else (-math.inf if x == 0 else math.nan)
    return log


# name -> (function of the day's value and its numeric parameter, number of numeric parameters)
FUNCTIONS = {
    "abs": (lambda x, _: abs(x), 0),
    "log2": (_log(math.log2), 0),
    "log10": (_log(math.log10), 0),
    "clamp_min": (lambda x, n: max(x, n), 1),
    "clamp_max": (lambda x, n: min(x, n), 1),
    "cutoff_min": (lambda x, n: x if x >= n else math.nan, 1),
    "cutoff_max": (lambda x, n: x if x <= n else math.nan, 1),
}
_WINDOW = "its value depends on the time window shown, not on the day alone"
_NEIGHBOURS = "its value depends on neighbouring points or buckets, whose size healthgrid chooses per zone"
_SERIES = "it chooses or counts among several series, and a row is one series"
REFUSED = {
    **dict.fromkeys(("cumsum", "integral"), _WINDOW),
    **dict.fromkeys(("timeshift", "calendar_shift", "hour_before", "day_before", "week_before", "month_before"),
                    "it shifts the series in time; a row's day is that day's own points"),
    **dict.fromkeys(("per_second", "per_minute", "per_hour", "dt", "diff", "derivative", "monotonic_diff", "rate",
                     "ewma_3", "ewma_5", "ewma_7", "ewma_10", "ewma_20", "median_3", "median_5", "median_7", "median_9",
                     "autosmooth", "trend_line", "robust_trend", "piecewise_constant", "default_zero", "default",
                     "anomalies", "outliers", "forecast"), _NEIGHBOURS),
    **dict.fromkeys(("top", "top_offset", "bottom", "top5", "top10", "top15", "top20", "bottom5", "bottom10",
                     "bottom15", "bottom20", "count_nonzero", "count_not_null", "exclude_null"), _SERIES),
    **dict.fromkeys(("rollup", "moving_rollup"), "healthgrid sets the rollup itself so that buckets meet local midnights"),
}
