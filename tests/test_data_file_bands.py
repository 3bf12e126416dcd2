"""A `--data` row's band is exactly what its rule or score says of its value: a scored row's
figures of merit are worked out again from `raw` (the `values` written are not trusted), as a rule
row's are; a row with neither shows its `values` as they are, so a `raw` that says otherwise is refused."""

import json

import pytest

from healthgrid.model.band import Score
from healthgrid.sources.datafile import load_data

from helpers import default_bands

DAYS = ["2026-11-26", "2026-11-27", "2026-11-28"]


def write(in_tmp, row):
    (in_tmp / "g.json").write_text(json.dumps({"name": "g", "days": DAYS, "rows": [row]}))
    return str(in_tmp / "g.json")


def test_a_scored_rows_bands_are_worked_out_again_from_raw(in_tmp, cli):
    row = {"label": "Steps", "unit": "s", "score": {"good": 0, "bad": 10}, "values": [0.95, 0.95, 0.95], "raw": [9.5, 0.5, None]}
    (grid,) = load_data(write(in_tmp, row), default_bands)
    assert grid.rows[0].values[:2] == [pytest.approx(Score(0, 10).fom(9.5)), pytest.approx(Score(0, 10).fom(0.5))]
    assert [grid.rows[0].band(j, grid.bands).json for j in range(3)] == ["critical", "good", None]
    result = cli("render", "--data", str(in_tmp / "g.json"), "--out", "out", "--format", "html")
    assert result.code == 0, result.err
    written = json.loads((in_tmp / "out" / "g.json").read_text())["rows"][0]
    assert written["bands"] == ["critical", "good", None] and written["values"][0] == pytest.approx(0.05)
    assert "🔴 9.5 s" in (in_tmp / "out" / "g.md").read_text()


def test_a_scored_row_without_raw_is_refused(in_tmp, cli):
    write(in_tmp, {"label": "Steps", "score": {"good": 0, "bad": 10}, "values": [0.95, 0.95, 0.95]})
    result = cli("render", "--data", "g.json", "--out", "out")
    assert (result.code, result.err) == (2, "healthgrid: error: --data g.json: rows[0].raw: is required for a row with score\n")


def test_a_plain_rows_raw_must_be_its_values(in_tmp, cli):
    write(in_tmp, {"label": "FoM", "values": [0.9, 0.2, None], "raw": [0.9, 0.95, None]})
    result = cli("render", "--data", "g.json", "--out", "out")
    assert (result.code, result.err) == (2, "healthgrid: error: --data g.json: rows[0].raw[1]: is 0.95 but values[1] is 0.2: a row "
                                            "without score or pass shows its values as they are, so raw, when given, must equal them\n")
    write(in_tmp, {"label": "FoM", "values": [0.9, 0.2, None], "raw": [0.9, 0.2, None]})
    assert cli("render", "--data", "g.json", "--out", "out", "--format", "html").code == 0
