"""A value shown is the real value: in a cell, the Markdown table, the HTML and the alt text, at
every magnitude, with at least two significant digits; no data stays no data and −0 reads 0."""

import json
import math
import re

from hypothesis import given
from hypothesis import strategies as st

from healthgrid.model.formatting import cell_text, format_number

from helpers import NAN, Score, make_grid

SUFFIX = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
NUMBER = re.compile(r"^(−|-)?(\d+(?:\.\d+)?(?:e-?\d+)?)([kMGT]?)$")


def parse(text: str) -> float:
    match = NUMBER.fullmatch(text)
    assert match, f"{text!r} does not read as a number"
    sign, digits, suffix = match.groups()
    return (-1 if sign else 1) * float(digits) * SUFFIX[suffix]


def assert_true_value(shown: str, v: float) -> None:
    back = parse(shown)
    assert back != 0 and (back < 0) == (v < 0), (v, shown)
    assert abs(back - v) <= 0.05 * abs(v), (v, shown)  # within 5%
    half_second_digit = 0.5 * 10 ** (math.floor(math.log10(abs(v))) - 1)
    assert abs(back - v) <= half_second_digit * (1 + 1e-9), (v, shown)  # at least two significant digits
    assert len(shown) <= 8, shown  # still fits a cell


magnitudes = st.floats(min_value=-6, max_value=15).map(lambda e: 10 ** e)
values = st.tuples(magnitudes, st.sampled_from([1, -1])).map(lambda t: t[0] * t[1])


@given(values)
def test_format_number_reads_back_as_the_value(v):
    assert_true_value(format_number(v), v)


@given(values)
def test_an_unscored_cell_reads_back_as_the_value(v):
    grid = make_grid([("A", [v])])
    assert_true_value(cell_text(grid.rows[0], 0, grid.bands), v)


def test_numbers_people_read_at_a_glance():
    cases = {12_300: "12.3k", 40_000: "40k", 123_456: "123k", 999_999: "1M", 41_230: "41.2k", 0.0012: "0.0012",
             1.2e-06: "1.2e-6", 9_999: "9999", 2.5e15: "2.5e15", -41_230: "−41.2k", 0: "0"}
    assert {v: format_number(v) for v in cases} == cases


def test_data_file_values_read_true_in_markdown_html_and_alt_text(in_tmp, cli):
    sps = dict(unit="steps/s", score=Score(200_000, 10_000), raw=[12_300, 999_999, 41_230])
    grid = make_grid([
        ("SPS", [0.012, 1.0, 0.164], sps),  # today critical, so the alt text names it
        ("Loss", [0.0012, 1.2e-06, 0.0008]),
    ], title="Numbers")
    (in_tmp / "g.json").write_text(json.dumps(grid.to_dict()))
    result = cli("render", "--data", "g.json", "--format", "png,html", "--theme", "light", "--out", "out")
    assert result.code == 0, result.err
    md = (in_tmp / "out" / "t.md").read_text()
    html = (in_tmp / "out" / "t.html").read_text()
    for shown in ("12.3k steps/s", "1M steps/s", "41.2k steps/s", "0.0012", "1.2e-6", "0.0008"):
        assert shown in md and shown in html, shown
    alt = re.search(r"^!\[(.*)\]\(t\.png\)$", md, re.M).group(1)
    assert "SPS 41.2k steps/s (critical)" in alt and "Loss 0.0008 (critical)" in alt
    assert "4.1k" not in md + html and "0.00 " not in md


def test_no_data_stays_no_data():
    grid = make_grid([("A", [NAN])])
    assert cell_text(grid.rows[0], 0, grid.bands) == "no data"


def test_a_fom_of_minus_zero_reads_zero(in_tmp, cli):
    doc = make_grid([("A", [0.5, -0.0])]).to_dict()
    (in_tmp / "g.json").write_text(json.dumps(doc))
    assert cli("render", "--data", "g.json", "--out", "out").code == 0
    assert "-0.00" not in (in_tmp / "out" / "t.md").read_text() and "0.00" in (in_tmp / "out" / "t.md").read_text()
