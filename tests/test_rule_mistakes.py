"""The mistakes a team makes writing rules, each exit 2 with one line naming the key and, where it
can, what to write instead: a warn on the wrong side of pass or one that never applies, conditions
written with units, decimal commas or ≤, misspelt keys, a rule beside a score, a broken rule row in a
data file; and every mistake of a row in one run."""

import json

import pytest

from conftest import NOW
from helpers import errors_of

DAYS = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28"]


WRONG_SIDE = [
    # (pass, warn): a worse value would get a better band, or no value could ever be critical.
    ("<= 2500", ">= 4000"),  # 9000 warns, 3000 is critical
    (">= 90", "<= 50"),
    ("< 5", "> 3"),  # opposite directions overlapping: nothing is ever critical
    ("< 60", ">= 60"),
    ("> 0.9", "< 0.9"),
    ("<= 0.1", ">= 0.1"),
    ("< 5", "== 7"),  # not next to pass: 6 would be critical, 7 a warning
    ("< 5", "!= 7"),
    ("< 5", "!= 3"),
    ("> 10", "== 2"),
    ("== 0", "> 5"),
    ("== 0", "< -3"),
]


@pytest.mark.parametrize("ok,warn", WRONG_SIDE)
def test_a_warn_on_the_wrong_side_of_pass_is_a_config_error(ok, warn):
    lines = errors_of({"pass": ok, "warn": warn})
    assert len(lines) == 1 and lines[0].startswith(f"grids[0].rows[0].warn: '{warn}' "), lines
    assert "a warning band lies between passing and failing values" in lines[0]


def test_the_wrong_side_error_says_which_values_would_get_which_band():
    [line] = errors_of({"pass": "<= 2500", "warn": ">= 4000"})
    assert line == ("grids[0].rows[0].warn: '>= 4000' points the other way from pass '<= 2500': 3250 would be critical but 4000, "
                    "further from passing, only a warning; a warning band lies between passing and failing values: "
                    "warn is '<' or '<=' a number above 2500, e.g. '<= 4000'")


@pytest.mark.parametrize("ok,warn", [("< 5", "< 8"), ("< 5", "<= 5"), ("< 5", "== 5"), (">= 40000", "> 30000"), ("== 0", "<= 2"),
                                     ("== 0", ">= 0"), ("== 0", "!= 0"), ("!= 0", "== 0"), ("> -0.5", "> -1.5"), ("< 5", 8)])
def test_a_warn_between_pass_and_failing_is_accepted(ok, warn):
    assert errors_of({"pass": ok, "warn": warn}) == []


def test_every_mistake_of_a_row_is_reported_at_once():
    assert errors_of({"pass": "=> 5", "warn": "≤ 8"}) == [
        "grids[0].rows[0].pass: '=> 5' is not a condition: did you mean '>= 5'? (write '>=' for '=>')",
        "grids[0].rows[0].warn: '≤ 8' is not a condition: did you mean '<= 8'? (write '<=' for '≤')"]
    lines = errors_of({"pass": "< 5 min", "score": {"good": "x", "bad": None}, "warning": "< 8"})
    assert [line.split(":")[0] for line in lines] == [
        "grids[0].rows[0].warning", "grids[0].rows[0].score.good", "grids[0].rows[0].score.bad", "grids[0].rows[0].pass",
        "grids[0].rows[0].pass"], lines
    lines = errors_of({"warn": "> x", "pass": None})
    assert [line.split(": ", 1)[1][:12] for line in lines] == ["needs pass: ", "'> x' is not"]
    # A wrong-side warn next to a pass that also has a score: both said.
    lines = errors_of({"pass": "<= 2500", "warn": ">= 4000", "score": {"good": 0, "bad": 1}})
    assert len(lines) == 2 and "cannot be used with score" in lines[0] and "points the other way" in lines[1]


HINTS = [
    ("<= 2.5s", "did you mean '<= 2.5'? (drop the unit and put it in unit: 's')"),
    ("< 5%", "did you mean '< 5'? (drop the unit and put it in unit: '%')"),
    ("> 10ms", "did you mean '> 10'? (drop the unit and put it in unit: 'ms')"),
    ("< 3 min", "did you mean '< 3'? (drop the unit and put it in unit: 'min')"),
    ("< 5 requests per second", "did you mean '< 5'? (drop the unit and put it in unit: 'requests per second')"),
    ("<= 0,1", "did you mean '<= 0.1'? (write decimals with '.')"),
    (">= 40,000", "did you mean '>= 40000'? (write numbers without thousands separators)"),
    ("≤ 5", "did you mean '<= 5'? (write '<=' for '≤')"),
    ("≥ 0.95", "did you mean '>= 0.95'? (write '>=' for '≥')"),
    ("=> 5", "did you mean '>= 5'? (write '>=' for '=>')"),
    ("=< 5", "did you mean '<= 5'? (write '<=' for '=<')"),
    ("= 0", "did you mean '== 0'? (write '==' for '=')"),
    ("< −5", "did you mean '< -5'? (write '-' for '−')"),
    ("≤ 2,5 s", "did you mean '<= 2.5'? (write '<=' for '≤'; write decimals with '.'; drop the unit and put it in unit: 's')"),
]


@pytest.mark.parametrize("text,hint", HINTS, ids=[t for t, _ in HINTS])
def test_a_condition_written_as_people_write_them_gets_the_fix(text, hint):
    assert errors_of({"pass": text}) == [f"grids[0].rows[0].pass: {text!r} is not a condition: {hint}"]


def test_a_bare_warn_with_a_unit_gets_the_fix_too():
    assert errors_of({"pass": "< 5", "warn": "8 min"}) == [
        "grids[0].rows[0].warn: '8 min' is not a condition: did you mean '8'? (drop the unit and put it in unit: 'min')"]


@pytest.mark.parametrize("key,meant", [("warning", "warn"), ("passes", "pass"), ("desc", "description"), ("agg", "aggregation")])
def test_a_lengthened_or_shortened_key_gets_a_did_you_mean(key, meant):
    assert errors_of({"pass": "< 5", key: "x"}) == [f"grids[0].rows[0].{key}: unknown key (did you mean {meant!r}?)"]


# --- through the command, from a config and from a data file ---------------------------------------

ROW = "{label: A, query: 'avg:a{*}'"
BAD_RULES = [
    (ROW + ", pass: '< 5', score: {good: 1, bad: 9}}", "grids[0].rows[0].pass: cannot be used with score"),
    (ROW + ", warn: '< 8'}", "grids[0].rows[0].warn: needs pass"),
    (ROW + ", pass: '5'}", "grids[0].rows[0].pass: '5' is not a condition"),
    (ROW + ", pass: '=< 5'}", "grids[0].rows[0].pass: '=< 5' is not a condition"),
    (ROW + ", pass: '< 5 min'}", "grids[0].rows[0].pass: '< 5 min' is not a condition"),
    (ROW + ", pass: '< five'}", "grids[0].rows[0].pass: '< five' is not a condition"),
    (ROW + ", pass: '< 1e999'}", "grids[0].rows[0].pass: '< 1e999': the number must be finite"),
    (ROW + ", pass: '< 5', warn: '> x'}", "grids[0].rows[0].warn: '> x' is not a condition"),
    (ROW + ", pass: 5}", "grids[0].rows[0].pass: must be a condition in quotes"),
    (ROW + ", pass: '< 5', warn: '< 3'}", "grids[0].rows[0].warn: '< 3' never applies"),
    (ROW + ", pass: '!= 0', warn: '> 1'}", "grids[0].rows[0].warn: '> 1' never applies"),
    (ROW + ", pass: '== 0', warn: 2}", "grids[0].rows[0].warn: '2' is not a condition"),
    (ROW + ", pass: '< 5', descripton: x}", "grids[0].rows[0].descripton: unknown key (did you mean 'description'?)"),
    (ROW + "}, " + ROW + "}", "grids[0].rows[1].label: duplicate label 'A' in the rows without a group (also rows[0])"),
    ("{label: Hearts, group: T, query: 'avg:q{*}'}, {label: ' hearts ', group: T, query: 'avg:r{*}'}",
     "grids[0].rows[1].label: duplicate label ' hearts ' in group 'T'"),
]


@pytest.mark.parametrize("rows,expected", BAD_RULES, ids=[e for _, e in BAD_RULES])
def test_rule_mistakes_are_exit_2_naming_the_key(in_tmp, cli, rows, expected):
    (in_tmp / "healthgrid.yml").write_text(f"grids:\n  - name: g\n    rows: [{rows}]\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    assert result.code == 2
    assert result.err.splitlines() == [result.err.strip()], "one line"
    assert result.err.startswith("healthgrid: error: " + expected), result.err
    assert not (in_tmp / "out").exists()


CONFIG_MISTAKES = [
    ({"pass": "< 5", "score": {"good": 0, "bad": 10}}, ["grids[0].rows[0].pass: cannot be used with score"]),
    ({"pass": "≤ 5"}, ["grids[0].rows[0].pass: '≤ 5' is not a condition"]),
    ({"pass": "<< 5"}, ["grids[0].rows[0].pass: '<< 5' is not a condition"]),
    ({"pass": "< 5;"}, ["grids[0].rows[0].pass: '< 5;' is not a condition"]),
    ({"pass": "> nan"}, ["grids[0].rows[0].pass: '> nan' is not a condition"]),
    ({"pass": "< inf"}, ["grids[0].rows[0].pass: '< inf' is not a condition"]),
    ({"pass": "< 0x10"}, ["grids[0].rows[0].pass: '< 0x10' is not a condition"]),
    ({"pass": "< 1_000"}, ["grids[0].rows[0].pass: '< 1_000' is not a condition"]),
    ({"pass": "> -1e400"}, ["grids[0].rows[0].pass: '> -1e400': the number must be finite"]),
    ({"pass": ""}, ["grids[0].rows[0].pass: '' is not a condition"]),
    # A digit that is not ASCII is no number.
    ({"pass": "< \u0665"}, ["grids[0].rows[0].pass: '< \u0665' is not a condition"]),
    ({"pass": "=> 5", "warn": "<> 8"}, ["grids[0].rows[0].pass: '=> 5' is not a condition: did you mean '>= 5'?",
                                        "grids[0].rows[0].warn: '<> 8' is not a condition: did you mean '!= 8'?"]),
    ({"warn": "< 5", "description": "d"}, ["grids[0].rows[0].warn: needs pass"]),
    ({"pass": "> 0", "description": ["not", "text"]}, ["grids[0].rows[0].description: must be a string"]),
]


@pytest.mark.parametrize("extra,expected", CONFIG_MISTAKES, ids=[repr(e) for e, _ in CONFIG_MISTAKES])
def test_rule_mistakes_exit_2_with_one_line_per_error(in_tmp, cli, extra, expected):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "rows": [
        {"label": "A", "query": "avg:a{*}", **extra}]}]}))
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    lines = result.err.splitlines()
    assert result.code == 2, result.err
    assert len(lines) == len(expected), result.err
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith("healthgrid: error: " + start), line
        assert "Traceback" not in line
    assert not (in_tmp / "out").exists()


DATA_MISTAKES = [
    ({"pass": "< 5", "values": [1, 2, 3, 4, 5, 6]}, "rows[0].raw: is required for a row with pass"),
    ({"pass": "< 5", "raw": [1] * 6, "score": {"good": 0, "bad": 9}}, "rows[0].pass: cannot be used with score"),
    ({"pass": "5 <", "raw": [1] * 6}, "rows[0].pass: '5 <' is not a condition"),
    ({"pass": "< " + "1" * 40, "raw": [1] * 6}, "rows[0].pass: a condition is OP NUMBER, at most 40 characters"),
    ({"warn": "< 5", "values": [1] * 6}, "rows[0].warn: needs pass"),
    ({"pass": "< 5", "raw": [1] * 6, "bands": ["good"] * 5}, "rows[0].bands: must list 6 of good, warning, critical or null"),
    ({"values": [1] * 6, "bands": ["good"] * 5 + ["fine"]}, "rows[0].bands: must list 6 of good, warning, critical or null"),
    ({"pass": "< 5", "raw": [1] * 6, "description": 7}, "rows[0].description: must be a string"),
]


@pytest.mark.parametrize("row,expected", DATA_MISTAKES, ids=[e for _, e in DATA_MISTAKES])
def test_grid_data_with_a_broken_rule_row_is_exit_2_naming_it(in_tmp, cli, row, expected):
    doc = {"name": "rules", "title": "Rules", "timezone": "UTC", "days": DAYS, "now": NOW, "rows": [{"label": "A", **row}]}
    (in_tmp / "in.json").write_text(json.dumps(doc))
    result = cli("render", "--data", "in.json", "--out", "out")
    assert result.code == 2 and result.err.startswith(f"healthgrid: error: --data in.json: {expected}"), result.err
    assert not (in_tmp / "out").exists()
