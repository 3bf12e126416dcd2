"""Every request stays within Datadog's 1,500 points per series, whatever the zone and year: the
split comes from the actual window (days longer than 25 h, 30 s buckets where a zone's midnight
falls on odd seconds), and the loopback Datadog answers 400 past the limit, so a request that
would be silently widened never passes unnoticed."""

import math
import random
from datetime import datetime, timedelta, timezone
from zoneinfo import available_timezones

import pytest

from healthgrid.config import GridSpec, RowSpec
from healthgrid.datadog.client import DatadogAuth
from healthgrid.model.grid import day_start, local_days
from healthgrid.sources.datadog import DatadogSource
from healthgrid.sources.datadog_plan import MAX_POINTS, plan_grid

from fakes.datadog import daily_truth

QUERY_PATH = "/api/v2/query/timeseries"
# Zones and moments whose days are not 24 h of whole hours: a 2 h DST shift (Antarctica/Troll),
# offsets with seconds (Africa/Monrovia until 1972: 30 s buckets), a day skipped or lived twice
# (Pacific/Apia 2011, Asia/Magadan 2014), 45-minute zones with DST, half-hour DST shifts, far years.
HARD = [
    ("Antarctica/Troll", datetime(2026, 11, 3, 12, tzinfo=timezone.utc)),
    ("Antarctica/Troll", datetime(2026, 4, 20, 12, tzinfo=timezone.utc)),
    ("Africa/Monrovia", datetime(1971, 6, 1, 12, tzinfo=timezone.utc)),
    ("Africa/Monrovia", datetime(1972, 2, 1, 12, tzinfo=timezone.utc)),
    ("Pacific/Apia", datetime(2012, 1, 20, 12, tzinfo=timezone.utc)),
    ("Asia/Magadan", datetime(2014, 12, 1, 12, tzinfo=timezone.utc)),
    ("Pacific/Chatham", datetime(2026, 4, 20, 12, tzinfo=timezone.utc)),
    ("Australia/Lord_Howe", datetime(2026, 4, 20, 12, tzinfo=timezone.utc)),
    ("Australia/Eucla", datetime(1975, 4, 20, 12, tzinfo=timezone.utc)),
    ("Asia/Kathmandu", datetime(9000, 12, 31, 23, tzinfo=timezone.utc)),
    ("America/New_York", datetime(1970, 1, 2, 0, tzinfo=timezone.utc)),
]


def check_plan(tz, now, days):
    spec = GridSpec(name="g", title="g", rows=(RowSpec("A", "avg:a{*}"), RowSpec("P", "p90:d{*} / 60")), days=days, timezone=tz)
    plan = plan_grid(spec, now)
    sub_day = [r for r in plan.requests if r.interval]
    assert all(math.ceil((r.hi - r.lo) / r.interval) <= MAX_POINTS for r in sub_day), (tz, now)
    assert all(r.lo % r.interval == 0 for r in sub_day) and all(s % plan.bucket == 0 for s in plan.starts), (tz, now)
    assert [r.lo for r in sub_day] == [plan.starts[0]] + [r.hi for r in sub_day[:-1]] and sub_day[-1].hi == plan.until
    calendar = [r for r in plan.requests if not r.interval]
    assert len(calendar) == (plan.bucket < 86400) and all(len(r.queries) == 1 for r in calendar)
    return plan


@pytest.mark.parametrize("tz,now", HARD, ids=[f"{z}-{n.year}" for z, n in HARD])
def test_hard_zones_stay_within_the_point_limit_for_90_days(tz, now):
    check_plan(tz, now, 90)


def test_every_zone_stays_within_the_point_limit():
    for tz in sorted(available_timezones()):
        for now in (datetime(1971, 3, 30, 12, tzinfo=timezone.utc), datetime(2026, 11, 3, 12, tzinfo=timezone.utc)):
            check_plan(tz, now, 90)


def irregular(variant, start, end, every):
    rng, out, t = random.Random(variant), [], start
    while t < end:
        out.append((t, round(rng.uniform(-5, 5), 3)))
        t += every + rng.randint(-every // 3, every // 3)
    return out


@pytest.mark.parametrize("tz,now,days,requests", [
    ("Africa/Monrovia", datetime(1971, 6, 1, 12, tzinfo=timezone.utc), 2, 3),  # -0:44:30: 30 s buckets, 2,880 a day
    ("Antarctica/Troll", datetime(2026, 4, 20, 12, tzinfo=timezone.utc), 30, 1),  # a 22 h day in 2 h buckets
    ("Asia/Kathmandu", datetime(2026, 11, 28, 12, tzinfo=timezone.utc), 90, 6),  # 15 min buckets over 90 days
])
def test_long_and_odd_windows_are_exact_and_every_request_is_within_the_limit(dd, tz, now, days, requests):
    ds = local_days(now, tz, days)
    b = [int(day_start(d, tz).timestamp()) for d in ds] + [int(day_start(ds[-1] + timedelta(days=1), tz).timestamp())]
    points = irregular(7, b[0] - 3600, b[-1] + 3600, every=max(60, (b[-1] - b[0]) // 4000))
    points += [(m + d, 9.0) for m in b[1:-1] for d in (-1, 0, 1)]
    dd.add_points("m", points)
    rows = [RowSpec("Mean", "avg:m{*}"), RowSpec("Low", "abs(min:m{*})", aggregation="min"), RowSpec("Sum", "sum:m{*} * 2", aggregation="sum")]
    spec = GridSpec(name="g", title="g", rows=tuple(rows), days=days, timezone=tz)
    grid = DatadogSource(DatadogAuth.from_env(), budget=30.0).fetch(spec, now)
    until = min(b[-1], math.ceil(now.timestamp()))
    upto = [(t, v) for t, v in points if t < until]
    assert grid.rows[0].raw == pytest.approx(daily_truth(upto, b, "avg"), rel=1e-9, nan_ok=True)
    assert grid.rows[1].raw == pytest.approx([abs(v) for v in daily_truth(upto, b, "min")], rel=1e-9, nan_ok=True)
    assert grid.rows[2].raw == pytest.approx([2 * v for v in daily_truth(upto, b, "sum")], rel=1e-9, nan_ok=True)
    assert len(dd.calls("POST", QUERY_PATH)) == requests  # and the stand-in refused none of them
