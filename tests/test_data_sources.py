"""Demo data, grid data files and the calendar days they cover."""

import json
import math
from datetime import date, datetime, timezone

import pytest

from healthgrid.config import load_config, parse_config
from healthgrid.model.band import Bands
from healthgrid.model.grid import day_start, local_days
from healthgrid.sources.datafile import load_data
from healthgrid.sources.demo import demo_grid

from conftest import EXAMPLE_CONFIG, NOW, NOW_DT
from helpers import default_bands


def default_spec():
    return load_config(None).grids[0]


def test_local_days_end_with_today_in_the_zone():
    # 2026-11-28T20:00Z is already Sunday the 29th in Kolkata (UTC+5:30), still Saturday in New York.
    now = datetime(2026, 11, 28, 20, 0, tzinfo=timezone.utc)
    assert local_days(now, "UTC", 3) == [date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 28)]
    assert local_days(now, "Asia/Kolkata", 2) == [date(2026, 11, 28), date(2026, 11, 29)]
    assert local_days(now, "America/New_York", 1) == [date(2026, 11, 28)]


def test_day_starts_are_local_midnights_across_dst():
    assert day_start(date(2026, 3, 8), "America/New_York") == datetime(2026, 3, 8, 5, tzinfo=timezone.utc)  # EST
    assert day_start(date(2026, 3, 9), "America/New_York") == datetime(2026, 3, 9, 4, tzinfo=timezone.utc)  # EDT: a 23-hour day before
    assert day_start(date(2026, 11, 28), "Asia/Kolkata") == datetime(2026, 11, 27, 18, 30, tzinfo=timezone.utc)
    # Santiago skips 00:00 on its DST day: the day starts at the jump.
    assert day_start(date(2026, 9, 6), "America/Santiago") == datetime(2026, 9, 6, 4, tzinfo=timezone.utc)


def test_demo_is_deterministic_and_shows_every_state():
    spec = default_spec()
    a, b = demo_grid(spec, NOW_DT), demo_grid(spec, NOW_DT)
    assert a.to_dict() == b.to_dict()
    values = [v for row in a.rows for v in row.values]
    assert any(math.isnan(v) for v in values), "no no-data cell"
    assert any(v < 0.3 for v in values if not math.isnan(v)), "no critical cell"
    assert all(0 <= v <= 1 for v in values if not math.isnan(v))
    assert a.days[-1] == date(2026, 11, 28) and len(a.days) == 7


def test_demo_days_shift_with_now_like_real_data():
    spec = default_spec()
    today = demo_grid(spec, NOW_DT)
    tomorrow = demo_grid(spec, datetime(2026, 11, 29, 12, tzinfo=timezone.utc))
    for r1, r2 in zip(today.rows, tomorrow.rows, strict=True):
        # Same calendar day, same value (except cells the demo forces to show every state).
        same = [x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(r1.values[1:], r2.values[:-1], strict=True)]
        assert sum(same) >= len(same) - 1


def test_demo_scored_rows_show_raw_values_consistent_with_their_score():
    spec = load_config(str(EXAMPLE_CONFIG)).grids[0]
    grid = demo_grid(spec, NOW_DT)
    row = next(r for r in grid.rows if r.label == "CI P90 Duration")
    assert row.unit == "min" and row.score is not None
    for raw, fom in zip(row.raw, row.values, strict=True):
        if math.isnan(raw):
            assert math.isnan(fom)
        else:
            assert 0 <= raw <= 10 and fom == pytest.approx(row.score.fom(raw))
    counts = next(r for r in grid.rows if r.label == "Weekly Hotfixes")
    assert all(math.isnan(v) or float(v).is_integer() for v in counts.raw), "count rows are whole numbers"


def test_grid_json_round_trips_through_data_file(tmp_path):
    spec = load_config(str(EXAMPLE_CONFIG)).grids[0]
    grid = demo_grid(spec, NOW_DT)
    path = tmp_path / "g.json"
    path.write_text(json.dumps(grid.to_dict()))
    (back,) = load_data(str(path), default_bands)
    assert back.to_dict() == grid.to_dict()
    doc = grid.to_dict()
    assert doc["now"] == NOW and doc["days"][0] == "2026-11-22"
    assert None in [v for r in doc["rows"] for v in r["values"]], "no data is null, never 0"


def test_data_file_may_hold_a_list_of_grids(tmp_path):
    g = {"name": "a", "days": ["2026-11-27", "2026-11-28"], "rows": [{"label": "x", "values": [0.5, None]}]}
    path = tmp_path / "grids.json"
    path.write_text(json.dumps([g, dict(g, name="b")]))
    a, b = load_data(str(path), default_bands)
    assert (a.name, b.name) == ("a", "b")
    assert a.rows[0].raw[0] == 0.5 and math.isnan(a.rows[0].raw[1])


GOOD = {"name": "g", "days": ["2026-11-27", "2026-11-28"], "rows": [{"label": "x", "values": [0.5, 0.6]}]}
BAD_DATA = [
    ("{", "--data bad.json:1:2: invalid JSON"),
    ("[]", "--data bad.json: the list holds no grid"),
    ('"x"', "--data bad.json: (top level): a grid must be a JSON object"),
    (dict(GOOD, rows=[{"label": "x", "values": [0.5]}]), "--data bad.json: rows[0].values: has 1 entry but there are 2 days"),
    (dict(GOOD, rows=[{"label": "x", "values": [0.5, "high"]}]), "--data bad.json: rows[0].values[1]: must be a number or null, got 'high'"),
    (dict(GOOD, rows=[{"label": "x", "values": [0.5, True]}]), "--data bad.json: rows[0].values[1]: must be a number or null"),
    ('{"name": "g", "days": ["2026-11-27", "2026-11-28"], "rows": [{"label": "x", "values": [NaN, 1]}]}',
     "--data bad.json: NaN is not a number healthgrid accepts"),
    (dict(GOOD, rows=[{"label": "x", "values": [0.5, 0.6], "raw": [1]}]), "--data bad.json: rows[0].raw: has 1 entry"),
    (dict(GOOD, days=["2026-11-28", "2026-11-27"]), "--data bad.json: days[1]: days must be consecutive"),
    (dict(GOOD, days=["yesterday", "2026-11-28"]), "--data bad.json: days[0]: must be a date YYYY-MM-DD"),
    (dict(GOOD, name="Bad Name"), "--data bad.json: name: 'Bad Name' must match [a-z0-9_-]{1,100}"),
    (dict(GOOD, rows=[]), "--data bad.json: rows: must list at least one row"),
    (dict(GOOD, colour="red"), "--data bad.json: colour: unknown key"),
    (dict(GOOD, rows=[{"values": [1, 1]}]), "--data bad.json: rows[0].label: is required"),
    (dict(GOOD, timezone="Nowhere/City"), "--data bad.json: timezone: unknown IANA time zone"),
    (dict(GOOD, now="2026-12-25T00:00:00Z"), "--data bad.json: now: falls on 2026-12-25 in UTC, but the last day is 2026-11-28"),
    ([GOOD, GOOD], "--data bad.json: duplicate grid name 'g'"),
]


@pytest.mark.parametrize("content,expected", BAD_DATA, ids=[e for _, e in BAD_DATA])
def test_bad_data_file_is_exit_2(in_tmp, cli, content, expected):
    (in_tmp / "bad.json").write_text(content if isinstance(content, str) else json.dumps(content))
    result = cli("render", "--data", "bad.json", "--out", "out")
    assert result.code == 2
    assert result.err.splitlines() == [result.err.rstrip("\n")]
    assert result.err.startswith("healthgrid: error: " + expected), result.err
    assert not (in_tmp / "out").exists()


def test_data_grid_takes_its_style_from_the_config_grid_of_that_name(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text("palette: cividis\ngrids:\n  - {name: g, palette: bands, rows: [{label: x, query: 'avg:q{*}'}]}\n")
    config = load_config(None)
    assert config.style_for("g", "G").palette == "bands"
    assert config.style_for("other", "Other").palette == "cividis"
    # Without top-level defaults, a --data grid no config grid names gets the built-in style and keeps its own title.
    plain = parse_config({"grids": [{"name": "g", "palette": "bands", "rows": [{"label": "x", "query": "avg:q{*}"}]}]}, None).style_for("other", "Their grid")
    assert (plain.title, plain.palette, plain.timezone, plain.days, plain.bands) == ("Their grid", "health", "UTC", 7, Bands())
