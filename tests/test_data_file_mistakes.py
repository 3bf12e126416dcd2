"""A `--data` file names every mistake of every row, one line each, as a config does: fixing one
never reveals another that was there all along."""

import json

DAYS = ["2026-11-27", "2026-11-28"]


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
