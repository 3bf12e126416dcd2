"""Time zones are IANA names, spelt exactly: an abbreviation that tzdata knows (EST, CET …) is a
fixed offset all year and warns naming the zone probably meant; one it lacks, or a name in the wrong
case, is refused naming the spelling to use, in a config, a grid and a data file alike. Python also
opens files that name no place's time (`right/…` counts leap seconds, `posix/…` copies, `localtime` is
the machine's own, `Factory` is a placeholder): Datadog would not know them and some read days
wrongly, so they are refused too, with the name meant where there is one."""

import json
import zoneinfo

import pytest

from conftest import NOW
from helpers import errors_of


@pytest.mark.parametrize("zone,meant", [("EST", "America/New_York"), ("MST", "America/Denver"), ("CET", "Europe/Berlin"), ("EET", "Europe/Athens")])
def test_timezone_abbreviations_warn_naming_the_zone_probably_meant(in_tmp, cli, zone, meant):
    (in_tmp / "healthgrid.yml").write_text(f"timezone: {zone}\ngrids:\n  - {{name: g, rows: [{{label: A, query: 'avg:q{{*}}'}}]}}\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW, "--format", "html")
    assert result.code == 0
    warnings = [line for line in result.err.splitlines() if "warning" in line]
    assert len(warnings) == 1, result.err
    assert warnings[0].startswith(f"healthgrid: warning: timezone: '{zone}' is ") and f"you probably mean {meant}" in warnings[0]


def test_a_grids_own_abbreviated_zone_is_blamed_on_the_grid(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, timezone: EST, rows: [{label: A, query: 'avg:q{*}'}]}\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW, "--format", "html")
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


DAYS = ["2026-11-27", "2026-11-28"]
EXAMPLES = " (e.g. UTC, Europe/Berlin, America/New_York)"
VARIANT = ": a variant file, not on tzdata's list of zone names"
NOT_PLACES = [  # (name, what follows the name in the message)
    ("right/America/New_York", f"{VARIANT} (did you mean America/New_York?)"),
    ("posix/Asia/Kolkata", f"{VARIANT} (did you mean Asia/Kolkata?)"),
    ("right/UTC", f"{VARIANT} (did you mean UTC?)"),
    ("posix/europe/berlin", f"{VARIANT} (did you mean Europe/Berlin? Zone names are case-sensitive.)"),
    ("localtime", f": the machine's own zone, not a name Datadog or another machine knows{EXAMPLES}"),
    ("Factory", f": tzdata's placeholder for a zone not yet set{EXAMPLES}"),
    ("posixrules", f": a file of rules, not a zone{EXAMPLES}"),
]


@pytest.mark.parametrize("name,says", NOT_PLACES)
def test_a_zone_file_that_names_no_place_is_refused_in_a_config(in_tmp, cli, name, says):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "timezone": name, "rows": [{"label": "A", "query": "avg:a{*}"}]}]}))
    result = cli("render", "--demo", "--out", "out")
    assert (result.code, result.err) == (2, f"healthgrid: error: grids[0].timezone: unknown IANA time zone '{name}'{says}\n")
    assert not (in_tmp / "out").exists()


@pytest.mark.parametrize("name,says", NOT_PLACES)
def test_a_zone_file_that_names_no_place_is_refused_in_a_data_file(in_tmp, cli, name, says):
    (in_tmp / "g.json").write_text(json.dumps({"name": "g", "timezone": name, "days": DAYS, "rows": [{"label": "A", "values": [0.5, 0.5]}]}))
    result = cli("render", "--data", "g.json", "--out", "out")
    assert (result.code, result.err) == (2, f"healthgrid: error: --data g.json: timezone: unknown IANA time zone '{name}'{says}\n")


@pytest.mark.parametrize("name", ["UTC", "Etc/GMT+5", "America/Argentina/Buenos_Aires", "Asia/Kathmandu", "EST"])
def test_tzdata_zone_names_still_load(in_tmp, cli, name):
    assert name in zoneinfo.available_timezones()
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "timezone": name, "days": 2, "rows": [{"label": "A", "query": "avg:a{*}"}]}]}))
    result = cli("render", "--demo", "--out", "out", "--format", "html")
    assert result.code == 0, result.err
