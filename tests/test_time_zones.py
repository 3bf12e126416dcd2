"""Time zones are IANA names, spelt exactly: an abbreviation that tzdata knows (EST, CET …) is a
fixed offset all year and warns naming the zone probably meant; one it lacks, or a name in the wrong
case, is refused naming the spelling to use, in a config, a grid and a data file alike."""

import pytest

from healthgrid.config import ConfigError, ConfigErrors, parse_config

from conftest import NOW


def errors_of(**grid):
    doc = {"grids": [{"name": "g", **grid, "rows": [{"label": "A", "query": "avg:a{*}"}]}]}
    try:
        parse_config(doc, None)
    except ConfigErrors as exc:
        return exc.lines()
    except ConfigError as exc:
        return [str(exc)]
    return []


@pytest.mark.parametrize("zone,meant", [("EST", "America/New_York"), ("MST", "America/Denver"), ("CET", "Europe/Berlin"), ("EET", "Europe/Athens")])
def test_timezone_abbreviations_warn_naming_the_zone_probably_meant(in_tmp, cli, zone, meant):
    (in_tmp / "healthgrid.yml").write_text(f"timezone: {zone}\ngrids:\n  - {{name: g, rows: [{{label: A, query: 'avg:q{{*}}'}}]}}\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW, "--theme", "light")
    assert result.code == 0
    warnings = [line for line in result.err.splitlines() if "warning" in line]
    assert len(warnings) == 1, result.err
    assert warnings[0].startswith(f"healthgrid: warning: timezone: '{zone}' is ") and f"you probably mean {meant}" in warnings[0]


def test_a_grids_own_abbreviated_zone_is_blamed_on_the_grid(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, timezone: EST, rows: [{label: A, query: 'avg:q{*}'}]}\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW, "--theme", "light")
    assert ("healthgrid: warning: grids[0].timezone: 'EST' is a fixed offset all year, with no daylight-saving time; "
            "you probably mean America/New_York") in result.err


def test_an_abbreviation_tzdata_lacks_suggests_the_zone(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text("timezone: PST\ngrids:\n  - {name: g, rows: [{label: A, query: 'avg:q{*}'}]}\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    assert result.code == 2
    assert result.err == "healthgrid: error: timezone: unknown IANA time zone 'PST' (did you mean America/Los_Angeles?)\n"


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
