"""A second adversarial pass over issue 12: variants of the reported cases that were not listed."""

import json
import xml.dom.minidom

import pytest

from helpers import make_grid


def _data_file(in_tmp, mutate):
    doc = make_grid([("A", [0.5, 0.9])]).to_dict()
    mutate(doc)
    (in_tmp / "g.json").write_text(json.dumps(doc))
    return "g.json"


def test_an_integer_beyond_any_float_in_a_data_file_is_a_data_error(in_tmp, cli):
    path = _data_file(in_tmp, lambda d: d["rows"][0].update(values=[10**400, 0.5], raw=[10**400, 0.5]))
    result = cli("render", "--data", path, "--out", "out")
    assert result.code == 2, result.err
    assert result.err.startswith("healthgrid: error: --data g.json: rows[0].values[0]: must be a number") and "internal" not in result.err


@pytest.mark.parametrize("char", ["\ud800", "\ufffe", "\uffff"])
def test_characters_no_xml_document_may_hold_are_refused_in_labels(in_tmp, cli, char):
    path = _data_file(in_tmp, lambda d: d["rows"][0].update(label=f"a{char}b"))
    result = cli("render", "--data", path, "--out", "out", "--format", "svg")
    assert result.code == 2, result.err
    assert "rows[0].label: must not contain control characters" in result.err


def test_a_label_with_ordinary_unicode_still_renders_well_formed_svg(in_tmp, cli):
    path = _data_file(in_tmp, lambda d: d["rows"][0].update(label="Zürich\u00a0p99 ✓"))
    result = cli("render", "--data", path, "--out", "out", "--format", "svg", "--theme", "light")
    assert result.code == 0, result.err
    xml.dom.minidom.parse(str(in_tmp / "out" / "t.svg"))
