"""A `--data` file (a NAME.json, or a list of grids) is read as strictly as a config: the same mistake
in `healthgrid.yml` and in a data file is refused with the same words at the same key, every mistake
of every row and grid is named, one line each (fixing one never reveals another that was there all
along), a row is built as a source builds it, and a file a config would accept (a byte-order mark)
is accepted.

A row's band is exactly what its rule or score says of its value: a scored row's figures of merit
are worked out again from `raw` (the `values` written are not trusted), as a rule row's are; a row
with neither shows its `values` as they are, so a `raw` that says otherwise is refused."""

import json

import pytest
import yaml

from healthgrid.config import RowSpec
from healthgrid.config.checks import row_rule
from healthgrid.model.band import Bands, Score
from healthgrid.sources.datafile import load_data
from healthgrid.sources.rows import make_row

from helpers import default_bands

DAYS = ["2026-11-27", "2026-11-28"]
THREE_DAYS = ["2026-11-26", "2026-11-27", "2026-11-28"]

# (where, the mistake as a grid field or a row field, the message after the key path)
MISTAKES = [
    ("grid", {"name": "Bad Name"}, "name: 'Bad Name' must match [a-z0-9_-]{1,100} (lower-case letters, digits, '_' and '-')"),
    ("grid", {"title": ""}, "title: must not be empty"),
    ("grid", {"timezone": "EST5"}, "timezone: unknown IANA time zone 'EST5' (e.g. UTC, Europe/Berlin, America/New_York)"),
    ("grid", {"titel": "x"}, "titel: unknown key (did you mean 'title'?)"),
    ("grid", {"bands": {"critical": 0.8, "warning": 0.5}}, "bands: need 0 < critical < warning < 1, got critical=0.8, warning=0.5"),
    ("grid", {"rows": []}, "rows: must list at least one row"),
    ("row", {"group": 3}, "rows[0].group: must be a string, got a number (3)"),
    ("row", {"unit": ""}, "rows[0].unit: must not be empty"),
    ("row", {"score": {"good": 2, "bad": 2}, "raw": [1, 2]}, "rows[0].score.good: must differ from bad (both 2)"),
    ("row", {"score": {"good": 2}, "raw": [1, 2]}, "rows[0].score.bad: is required"),
    ("row", {"sorce": {"good": 2, "bad": 1}}, "rows[0].sorce: unknown key (did you mean 'score'?)"),
    ("row", {"pass": "<< 5", "raw": [1, 2]}, "rows[0].pass: "),
    ("row", {"warn": "< 9"}, "rows[0].warn: needs pass: on the same row"),
    ("row", {"pass": "< 5", "score": {"good": 2, "bad": 1}, "raw": [1, 2]}, "rows[0].pass: cannot be used with score on the same row"),
    ("rows", [{"label": "A"}, {"label": " a "}], "rows[1].label: duplicate label ' a ' in the rows without a group (also rows[0])"),
]


def config_error(in_tmp, cli, where, mistake):
    rows = [dict(r, query="avg:a{*}") for r in mistake] if where == "rows" else [{"label": "A", "query": "avg:a{*}"}]
    if where == "row":
        rows = [{**rows[0], **{k: v for k, v in mistake.items() if k != "raw"}}]
    grid = {"name": "g", "rows": rows, **(mistake if where == "grid" else {})}
    (in_tmp / "healthgrid.yml").write_text(yaml.safe_dump({"grids": [grid]}))
    result = cli("render", "--demo", "--out", "out")
    assert result.code == 2, result.err
    return result.err.removeprefix("healthgrid: error: ").removeprefix("grids[0].")


def data_error(in_tmp, cli, where, mistake):
    rows = [dict(r, values=[0.5, 0.5]) for r in mistake] if where == "rows" else [{"label": "A", "values": [0.5, 0.5]}]
    if where == "row":
        rows = [{**rows[0], **mistake}]
    grid = {"name": "g", "days": DAYS, "rows": rows, **(mistake if where == "grid" else {})}
    (in_tmp / "healthgrid.yml").unlink(missing_ok=True)
    (in_tmp / "g.json").write_text(json.dumps(grid))
    result = cli("render", "--data", "g.json", "--out", "out")
    assert result.code == 2, result.err
    return result.err.removeprefix("healthgrid: error: --data g.json: ")


@pytest.mark.parametrize("where,mistake,expected", MISTAKES, ids=[e.split(":")[0] + "-" + str(i) for i, (_, _, e) in enumerate(MISTAKES)])
def test_a_mistake_reads_the_same_in_a_config_and_a_data_file(in_tmp, cli, where, mistake, expected):
    from_config = config_error(in_tmp, cli, where, mistake)
    from_data = data_error(in_tmp, cli, where, mistake)
    assert from_config.startswith(expected), from_config
    assert from_data == from_config
    assert not (in_tmp / "out").exists()


@pytest.mark.parametrize("row,expected", [
    ({"label": "x", "pass": "< 5", "raw": None}, "rows[0].raw: is required for a row with pass"),
    ({"label": "x", "values": None}, "rows[0].values: is required"),
])
def test_a_data_row_with_a_null_series_is_a_usage_error(in_tmp, cli, row, expected):
    (in_tmp / "g.json").write_text(json.dumps({"name": "g", "days": DAYS, "rows": [row]}))
    result = cli("render", "--data", "g.json", "--out", "out")
    assert (result.code, result.err) == (2, f"healthgrid: error: --data g.json: {expected}\n")


def test_a_data_file_row_is_built_as_a_source_builds_it(in_tmp):
    doc = {"label": "P90", "pass": "< 5", "warn": "< 8", "raw": [4.0, 9.0], "values": [0.0, 0.0], "unit": "min"}
    (in_tmp / "g.json").write_text(json.dumps({"name": "g", "days": DAYS, "rows": [doc]}))
    (row,) = load_data(str(in_tmp / "g.json"), default_bands)[0].rows
    spec = RowSpec(label="P90", query="", unit="min", rule=row_rule(doc, "rows[0]"))
    assert row == make_row(spec, [4.0, 9.0], Bands()), "the written values of a rule row are worked out again from raw"


def test_a_data_file_with_a_bom_is_accepted_like_a_config(in_tmp, cli):
    grid = {"name": "g", "title": "G", "days": DAYS, "rows": [{"label": f"r{i}", "values": [0.5, 0.5]} for i in range(2)]}
    (in_tmp / "data.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(grid).encode())
    result = cli("render", "--data", "data.json", "--out", "out")
    assert result.code == 0, result.err
    assert (in_tmp / "out" / "g.png").is_file()


def test_every_mistake_of_a_data_row_is_reported(in_tmp, cli):
    rows = [{"label": "P90", "pass": "<= 2.5s", "warning": "<= 5", "raw": [1, 2]},
            {"label": "Fine", "values": [0.5, 0.5]},
            {"label": "Score", "score": {"good": "1e-9", "bad": 1}, "raw": [1, "two"]}]
    (in_tmp / "g.json").write_text(json.dumps({"name": "g", "days": DAYS, "rows": rows}))
    result = cli("render", "--data", "g.json", "--out", "out")
    assert result.code == 2
    lines = result.err.splitlines()
    keys = [line.removeprefix("healthgrid: error: --data g.json: ").split(": ")[0] for line in lines]
    assert keys == ["rows[0].warning", "rows[0].pass", "rows[2].score.good", "rows[2].raw[1]"], lines
    assert all(line.startswith("healthgrid: error: --data g.json: rows[") for line in lines)
    assert "unknown key (did you mean 'warn'?)" in lines[0] and "did you mean '<= 2.5'?" in lines[1]
    assert not (in_tmp / "out").exists()


def test_the_same_row_reads_the_same_mistakes_in_a_config(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "rows": [
        {"label": "P90", "query": "avg:a{*}", "pass": "<= 2.5s", "warning": "<= 5"}]}]}))
    config = cli("render", "--demo", "--out", "out").err.replace("grids[0].", "")
    (in_tmp / "healthgrid.yml").unlink()
    (in_tmp / "g.json").write_text(json.dumps({"name": "g", "days": DAYS, "rows": [{"label": "P90", "pass": "<= 2.5s", "warning": "<= 5",
                                                                                    "raw": [1, 2]}]}))
    data = cli("render", "--data", "g.json", "--out", "out").err.replace("--data g.json: ", "")
    assert data == config and len(data.splitlines()) == 2, data


def test_every_mistake_of_a_data_grid_is_reported_with_its_rows(in_tmp, cli):
    grids = [{"name": "Bad Name", "timezone": "right/UTC", "titel": "x", "days": DAYS, "rows": [{"label": "A", "values": [0.5]}]},
             {"name": "c", "type": "comparison", "by": "Policy", "days": DAYS, "tag_values": ["a", "a"],
              "rows": [{"label": "B", "aggregation": "mean", "bars": [{"tag": "a", "value": 1}]}]}]
    (in_tmp / "g.json").write_text(json.dumps(grids))
    result = cli("render", "--data", "g.json", "--out", "out")
    assert result.code == 2
    keys = [line.removeprefix("healthgrid: error: --data g.json: ").split(": ")[0] for line in result.err.splitlines()]
    assert keys == ["[0].titel", "[0].name", "[0].timezone", "[0].rows[0].values", "[1].by", "[1].tag_values[1]"], result.err


def write(in_tmp, row):
    (in_tmp / "g.json").write_text(json.dumps({"name": "g", "days": THREE_DAYS, "rows": [row]}))
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
