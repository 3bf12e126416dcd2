"""A grid's time zone is one of tzdata's zone names, spelt exactly. Python also opens files that
name no place's time (`right/…` counts leap seconds, `posix/…` copies, `localtime` is the machine's
own, `Factory` is a placeholder): Datadog would not know them and some read days wrongly, so they
are refused, in a config and in a `--data` file alike, with the name meant where there is one."""

import json
import zoneinfo

import pytest

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
