"""The mistakes a team makes writing rules, each named with what to write instead: a warn on the wrong
side of pass, conditions written with units, decimal commas or ≤, misspelt keys and zone names;
and every mistake of a row in one run."""

import pytest

from healthgrid.config import ConfigError, ConfigErrors, parse_config

from conftest import NOW


def errors_of(row=None, **grid):
    doc = {"grids": [{"name": "g", **grid, "rows": [{"label": "A", "query": "avg:a{*}", **(row or {})}]}]}
    try:
        parse_config(doc, None)
    except ConfigErrors as exc:
        return exc.lines()
    except ConfigError as exc:
        return [str(exc)]
    return []


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


@pytest.mark.parametrize("zone,meant", [("europe/berlin", "Europe/Berlin"), ("AMERICA/NEW_YORK", "America/New_York"), ("utc", "UTC"),
                                        ("etc/gmt+5", "Etc/GMT+5")])
def test_a_zone_name_in_the_wrong_case_is_refused_with_its_spelling(zone, meant):
    assert errors_of(timezone=zone) == [f"grids[0].timezone: unknown IANA time zone {zone!r} (did you mean {meant}? Zone names are case-sensitive.)"]


def test_a_zone_name_in_the_wrong_case_is_refused_from_the_command_line_and_in_data_files(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text("timezone: europe/berlin\ngrids:\n  - {name: g, rows: [{label: A, query: 'avg:q{*}'}]}\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    assert result.code == 2
    assert result.err == "healthgrid: error: timezone: unknown IANA time zone 'europe/berlin' (did you mean Europe/Berlin? Zone names are case-sensitive.)\n"
    (in_tmp / "in.json").write_text('{"name": "g", "timezone": "europe/berlin", "days": ["2026-11-28"], "rows": [{"label": "A", "values": [1]}]}')
    result = cli("render", "--data", "in.json", "--out", "out")
    assert result.code == 2 and "timezone: unknown IANA time zone 'europe/berlin' (did you mean Europe/Berlin?" in result.err
