"""Control characters (C0, C1, DEL, line and paragraph separators, bidi controls, zero-width marks
and the code points no XML document may hold): one set, known the same everywhere. A config, a
`--data` file, a flag, a rule's condition, a commit message or a path that holds one is refused in
one line naming the key; a log line shows them escaped; Markdown, HTML and the status page drop them."""

import json
import re
import xml.dom.minidom
from pathlib import Path

import pytest
import yaml

from healthgrid.files.page import page
from healthgrid.text import md_text, one_line

from conftest import NOW, NOW_DT, PAGES
from fakes.http import Response
from helpers import ROW, config_with, data_grid, make_grid, one_line_error, render_demo, spec_for, write_config, write_data

# --- configs and data files ------------------------------------------------------------------------

CONTROLS = {"NUL": "\\0", "ESC": "\\e", "TAB": "\\t", "LF": "\\n", "DEL": "\\x7f", "C1 NEL": "\\N",
            "LINE SEPARATOR": "\\L", "PARAGRAPH SEPARATOR": "\\P", "RLO": "\\u202e"}


@pytest.mark.parametrize("char", CONTROLS.values(), ids=CONTROLS.keys())
@pytest.mark.parametrize("key", ["title", "label", "unit", "group", "query"])
def test_control_characters_in_config_strings_are_refused(in_tmp, cli, key, char):
    value = f'"a{char}b"'  # a YAML escape, so the file itself is clean text
    if key == "title":
        text = config_with(f"    title: {value}\n")
        path = "grids[0].title"
    else:
        row = {"label": "a", "query": "'avg:m{*}'", key: value}
        text = config_with(rows="{" + ", ".join(f"{k}: {v}" for k, v in row.items()) + "}")
        path = f"grids[0].rows[0].{key}"
    line = one_line_error(render_demo(cli, write_config(in_tmp, text)), 2, f"{path}: must not contain control characters")
    assert "\x1b" not in line and "\x00" not in line


@pytest.mark.parametrize("key", ["title", "label", "unit", "group", "query"])
def test_control_characters_in_data_file_strings_are_refused(in_tmp, cli, key):
    grid = data_grid()
    if key == "title":
        grid["title"] = "a\x1b[31mb"
    else:
        grid["rows"][0][key] = "a\x1b[31mb"
    result = cli("render", "--data", write_data(in_tmp, grid), "--out", "out")
    one_line_error(result, 2, key, "must not contain control characters")


def test_a_control_character_reads_the_same_in_a_config_and_a_data_file(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text(yaml.safe_dump({"grids": [{"name": "g", "rows": [{"label": "A\x1b[31m", "query": "avg:a{*}"}]}]}))
    from_config = cli("render", "--demo", "--out", "out")
    (in_tmp / "healthgrid.yml").unlink()
    (in_tmp / "g.json").write_text(json.dumps({"name": "g", "days": ["2026-11-27", "2026-11-28"], "rows": [{"label": "A\x1b[31m", "values": [0.5, 0.5]}]}))
    from_data = cli("render", "--data", "g.json", "--out", "out")
    why = "rows[0].label: must not contain control characters (found '\\x1b' at 1)\n"
    assert (from_config.code, from_config.err) == (2, f"healthgrid: error: grids[0].{why}")
    assert (from_data.code, from_data.err) == (2, f"healthgrid: error: --data g.json: {why}")
    assert not (in_tmp / "out").exists()


def test_a_name_with_a_trailing_newline_is_refused(in_tmp, cli):
    text = 'grids:\n  - name: "g\\n"\n    rows: [' + ROW + "]\n"
    one_line_error(render_demo(cli, write_config(in_tmp, text)), 2, "grids[0].name")
    path = write_data(in_tmp, data_grid(name="g\n"))
    one_line_error(cli("render", "--data", path, "--out", "out"), 2, "name")
    assert not Path("out").exists() or not any(Path("out").iterdir())


def test_unknown_keys_are_quoted_safely(in_tmp, cli):
    text = config_with() + '"x\\e[31m::warning::pwned": 1\n'
    line = one_line_error(render_demo(cli, write_config(in_tmp, text)), 2, "unknown key")
    assert "\x1b" not in line


@pytest.mark.parametrize("char", ["\ud800", "\ufffe", "\uffff"])
def test_characters_no_xml_document_may_hold_are_refused_in_labels(in_tmp, cli, char):
    doc = make_grid([("A", [0.5, 0.9])]).to_dict()
    doc["rows"][0]["label"] = f"a{char}b"
    (in_tmp / "g.json").write_text(json.dumps(doc))
    result = cli("render", "--data", "g.json", "--out", "out", "--format", "svg")
    assert result.code == 2, result.err
    assert "rows[0].label: must not contain control characters" in result.err


def test_a_label_with_ordinary_unicode_still_renders_well_formed_svg(in_tmp, cli):
    doc = make_grid([("A", [0.5, 0.9])]).to_dict()
    doc["rows"][0]["label"] = "Zürich\u00a0p99 ✓"
    (in_tmp / "g.json").write_text(json.dumps(doc))
    result = cli("render", "--data", "g.json", "--out", "out", "--format", "svg", "--theme", "light")
    assert result.code == 0, result.err
    xml.dom.minidom.parse(str(in_tmp / "out" / "t.svg"))


# A control character in a condition is no separator: the condition is refused, shown escaped.
@pytest.mark.parametrize("rule,expected", [
    ({"pass": "<\n5"}, "grids[0].rows[0].pass: '<\\n5' is not a condition"),
    ({"pass": "<\t5"}, "grids[0].rows[0].pass: '<\\t5' is not a condition"),
    ({"pass": "\u2028< 5"}, "grids[0].rows[0].pass: '\\u2028< 5' is not a condition"),
    ({"pass": "< 5", "warn": "<\x855"}, "grids[0].rows[0].warn: '<\\x855' is not a condition"),
], ids=["LF", "TAB", "LINE SEPARATOR", "C1 NEL"])
def test_a_condition_holding_a_control_character_is_not_a_condition(in_tmp, cli, rule, expected):
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "rows": [{"label": "A", "query": "avg:a{*}", **rule}]}]}))
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    assert result.code == 2 and len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith("healthgrid: error: " + expected), result.err
    assert not (in_tmp / "out").exists()


def test_a_comparison_data_files_tag_value_with_a_control_character_is_refused(in_tmp, cli):
    from healthgrid.config import RowSpec
    from healthgrid.model.band import Bands
    from healthgrid.sources.rows import comparison

    grid = make_grid([("A", [0.5])])
    doc = comparison("svc", "T", "UTC", grid.days, NOW_DT, "policy", (RowSpec("A", "avg:a{*}"),), [{"a": 0.5, "b": 0.9}], ["avg"], Bands(), 20).to_dict()
    doc["tag_values"][0] = "a\u0007b"
    (in_tmp / "g.json").write_text(json.dumps(doc))
    result = cli("render", "--data", "g.json")
    assert result.code == 2 and result.err.startswith("healthgrid: error: --data g.json: tag_values[0]: must not contain control characters"), result.err


def test_tag_values_from_datadog_that_differ_only_in_control_characters_fail_the_comparison(dd, cli, in_tmp):
    from healthgrid.model.grid import day_start

    (in_tmp / "healthgrid.yml").write_text(
        "grids:\n  - {name: evals, type: comparison, by: policy, days: 1, rows: [{label: Runs, query: 'sum:eval.runs{*}', aggregation: sum}]}\n"
        "  - {name: other, rows: [{label: A, query: 'avg:a{*}'}]}\n")
    start = int(day_start(NOW_DT.date(), "UTC").timestamp()) * 1000
    series = [{"group_tags": ["policy:a\x07"], "query_index": 0, "unit": None}, {"group_tags": ["policy:a\x08"], "query_index": 0, "unit": None}]
    dd.fail_next("/api/v2/query/timeseries", Response(200, {"data": {"id": "0", "type": "timeseries_response", "attributes": {
        "series": series, "times": [start], "values": [[1.0], [2.0]]}}}, content_type="application/vnd.api+json"))
    result = cli("render", "--now", NOW, "--format", "html")
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith("healthgrid: error: evals:")]
    assert len(errors) == 1 and "differ only in control characters" in errors[0], result.err
    assert not (in_tmp / "healthgrid-out" / "evals.json").exists() and (in_tmp / "healthgrid-out" / "other.json").exists()


# --- flags, paths and commit messages --------------------------------------------------------------

def test_control_characters_in_flags_are_refused(in_tmp, cli):
    line = one_line_error(cli("render", "--demo", "--now", NOW, "--out", "out\x1b[31m\n::warning::x"), 2, "--out")
    assert "\x1b" not in line
    assert not any(p.name.startswith("out") for p in in_tmp.iterdir())


@pytest.mark.parametrize("path,shown", [("a\tb", "\\t"), ("a\nb", "\\n")])
def test_a_pages_path_with_a_control_character_is_refused_before_any_work(in_tmp, remote, cli, git, path, shown):
    before = git("--git-dir", str(remote), "rev-parse", "gh-pages")
    flag = cli("publish", "ghpages", "not-there", "--remote", str(remote), "--pages-url", PAGES, "--path", path)
    assert (flag.code, flag.err) == (2, f"healthgrid: error: --path: must not contain control characters (found '{shown}')\n")
    (in_tmp / "healthgrid.yml").write_text(yaml.safe_dump({
        "grids": [{"name": "g", "rows": [{"label": "A", "query": "avg:a{*}"}]}], "publish": {"to": "ghpages", "path": path}}))
    key = cli("render", "--demo", "--now", NOW, "--out", "out")
    assert (key.code, key.err) == (2, f"healthgrid: error: publish.path: must not contain control characters (found '{shown}' at 1)\n")
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages") == before and not (in_tmp / "out").exists()


def test_a_commit_message_with_control_characters_is_refused(cli, in_tmp):
    (in_tmp / "out").mkdir()
    (in_tmp / "out" / "g.png").write_bytes(b"png")
    result = cli("publish", "ghpages", "out", "--pages-url", "https://a.github.io/b", "--message", "bad\x1b[31m")
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1 and "--message: must not contain control characters" in result.err


# --- what a log line, Markdown and HTML make of them -------------------------------------------------

def test_one_line_shows_control_characters_and_defuses_legacy_commands():
    assert one_line("a\nb\r\x1b[31m\u2028##[warning]x") == "a\\nb\\r\\x1b[31m\\u2028##\\u005bwarning]x"


# One set of control characters everywhere: what a config refuses is what a log line shows escaped,
# what Markdown and HTML drop, what an Action input, a commit message and a published name refuse.
@pytest.mark.parametrize("char", ["\x1b", "\x85", "\u202e", "\u2066", "\ufeff", "\u061c"])
def test_every_place_knows_the_same_control_characters(char, tmp_path):
    from healthgrid.action.inputs import multiline_input
    from healthgrid.config import ConfigError, parse_config
    from healthgrid.errors import UsageError
    from healthgrid.files.index import entries
    from healthgrid.site.target import check_message
    from healthgrid.text import html_text

    with pytest.raises(ConfigError, match="control characters"):
        parse_config({"grids": [{"name": "g", "title": f"a{char}b", "rows": [{"label": "l", "query": "avg:m{*}"}]}]}, None)
    assert one_line(f"a{char}b") == f"a\\{'x' if ord(char) < 0x100 else 'u'}{ord(char):0{2 if ord(char) < 0x100 else 4}x}b"
    assert char not in md_text(f"a{char}b") and char not in html_text(f"a{char}b")
    assert multiline_input({"INPUT_PAGES-PATH": f"a{char}b"}) == "pages-path"
    with pytest.raises(UsageError, match="control characters"):
        check_message(f"fix{char}\nbody")
    assert [e.name for e in entries([f"g{char}.png", "h.png"], lambda name: None)] == ["h"]


def test_html_page_has_no_control_characters_and_escapes_markup():
    grid = make_grid([("A\x1b[31m<script>", [0.5, 0.6], dict(group='"><!--'))], title="T\x00\x08<b>")
    body = page(grid, spec_for(grid), "light", [f"{grid.name}.png"]).decode()
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", body)
    assert "<script>" not in body and '"><!--' not in body and "<b>" not in body
