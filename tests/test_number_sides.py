"""A printed number never contradicts its cell's band: next to a threshold of its row (a rule's, a
band edge for FoM rows, the edge a score maps to) it gets just the digits that put it on the
value's own side, in every output; the HTML hover gives the exact value."""

import json
import math
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from healthgrid.model.band import Bands, Score
from healthgrid.model.formatting import cell_text, row_trend
from healthgrid.model.grid import Row
from healthgrid.model.numbers import exact_number, format_number, read_number
from healthgrid.model.rules import Rule, parse_condition

from conftest import NOW
from helpers import default_bands

below, above = (lambda t: math.nextafter(t, -math.inf)), (lambda t: math.nextafter(t, math.inf))


def rule_row(ok, warn=None, raw=(), unit=None):
    rule = Rule(parse_condition(ok), parse_condition(warn, parse_condition(ok).op) if warn else None)
    return Row("R", "q", [rule.fom(v, Bands()) for v in raw], list(raw), unit=unit, rule=rule)


def texts(row, bands=Bands()):
    return [cell_text(row, j, bands) for j in range(len(row.raw))]


# (pass, warn, value, what the cell says): the shortest text on the value's side of every threshold.
CASES = [
    ("< 0.125", "< 1", 0.125, "0.125"),  # fails pass: not "0.12", which passes
    ("< 0.125", "< 1", 0.1249, "0.12"),  # passes, and 0.12 passes too
    ("< 0.125", "< 1", 0.1251, "0.13"),
    ("<= 0.125", None, 0.125, "0.12"),  # meets <=: 0.12 does too
    (">= 0.142857", None, 0.142857, "0.143"),  # not "0.14", which fails
    (">= 0.142857", None, 0.14, "0.14"),
    (">= 0.142857", None, 0.1428569, "0.14"),
    (">= 0.142857", None, 0.1428571, "0.143"),  # no more digits than it takes
    ("< 5", None, 4.999, "4.999"),
    ("< 5", None, 5.0001, "5.0001"),  # fails < 5, so not the threshold "5" it does not meet
    ("<= 5", None, 4.9999, "5"),  # meets <= 5, and so does 5
    ("> 5", None, 4.9999, "4.9999"),
    (">= 5", None, 5.0001, "5"),
    ("== 5", None, 5.0001, "5.0001"),
    ("== 5", None, 5.0, "5"),
    ("!= 5", None, 4.99999, "4.99999"),
    (">= 40000", ">= 30000", 39999.5, "39999.5"),  # not "40k"
    (">= 40000", ">= 30000", 40000.5, "40k"),
    (">= 40000", ">= 30000", 29999.9, "29999.9"),
    ("< 1e9", None, 999999999.5, "999999999.5"),
    ("< 1e9", None, 1000000500, "1000000500"),  # "1G" would read as the threshold
    ("< 1e9", None, 1.5e9, "1.5G"),
    ("> -2.5e-3", None, -0.0025001, "−0.0025001"),
    ("> -2.5e-3", None, -0.0024999, "−0.0024999"),
    ("< -1000", None, -1000.4, "−1000.4"),
    ("< 1e-7", None, 1.00001e-7, "1.00001e-7"),
    ("< 1e-7", None, 9.99999e-8, "9.99999e-8"),
    ("<= 0.3", None, 0.1 + 0.2, "0.30000000000000004"),
    ("< 5", None, below(5), "4.999999999999999"),
    ("< 5", None, above(5), "5.000000000000001"),
    ("< 5", "< 8", 7.9996, "7.9996"),  # the warn threshold too
    ("< 5", "< 8", 123.4567, "123"),  # far from both: the short form
]


@pytest.mark.parametrize("ok,warn,value,expected", CASES, ids=[f"{c[2]!r} {c[0]}" for c in CASES])
def test_a_value_next_to_a_threshold_prints_on_its_own_side(ok, warn, value, expected):
    assert texts(rule_row(ok, warn, [value])) == [expected]


def test_fom_and_score_rows_print_on_their_side_of_the_band_edges():
    fom = Row("F", "q", [0.6999, 0.2999, 0.70001, 0.7, 0.30000001, 0.65], [0.0] * 6)
    assert texts(fom) == ["0.6999", "0.2999", "0.70", "0.70", "0.30", "0.65"]
    assert texts(fom, Bands(0.25, 0.69995)) == ["0.6999", "0.30", "0.70", "0.70", "0.30", "0.65"]
    # good 0, bad 10: FoM 0.7 at raw 3, 0.3 at raw 7.
    score = Score(0, 10)
    raw = [3.0001, 2.9999, 3.0, 6.9999, 7.0001, 5.0]
    scored = Row("S", "q", [score.fom(v) for v in raw], raw, score=score, unit="min")
    assert [Bands().band(v) for v in scored.values] == ["warning", "good", "good", "warning", "critical", "warning"]
    assert texts(scored) == ["3.0001 min", "3 min", "3 min", "7 min", "7.0001 min", "5 min"]  # an edge is the upper band's


def sides_agree(conditions, value, text):
    read = read_number(text)
    for c in conditions:
        if c.holds(read) != c.holds(value):
            return False
        if read == c.threshold != value and not c.holds(value):
            return False
    return True


thresholds = st.one_of(
    st.sampled_from([0.125, 0.142857, 5.0, 40000.0, 1e9, 2.5e-3, 1e-7, 0.3, 99.95, 9999.5, 1e15]),
    st.floats(min_value=1e-9, max_value=1e14).map(lambda t: float(f"{t:.{7}g}")),
).flatmap(lambda t: st.sampled_from([t, -t]))
nudges = st.sampled_from([0.0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-6, 1e-9, 1e-12, 1e-15, -1e-1, -1e-3, -1e-6, -1e-9, -1e-15])


@settings(max_examples=300, deadline=None)
@given(thresholds, nudges, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), st.booleans())
@example(0.125, 0.0, "<", False)
@example(0.142857, 0.0, ">=", False)
def test_no_printed_number_contradicts_its_band_and_none_is_longer_than_exact(threshold, nudge, op, step):
    value = below(threshold) if step and nudge < 0 else above(threshold) if step else threshold * (1 + nudge)
    row = rule_row(f"{op} {exact_number(threshold).replace('−', '-')}", None, [value])
    text = cell_text(row, 0, Bands())
    assert sides_agree([row.rule.passes], value, text), (op, threshold, value, text)
    assert len(text) <= max(len(format_number(value)), len(exact_number(value))), text
    if sides_agree([row.rule.passes], value, format_number(value)):
        assert text == format_number(value), "digits only where needed"


def test_every_output_prints_the_same_sided_number_and_the_hover_the_exact_one(in_tmp, cli):
    doc = {"name": "sides", "title": "Sides", "timezone": "UTC", "days": ["2026-11-26", "2026-11-27", "2026-11-28"], "now": NOW,
           "rows": [{"label": "Error rate", "pass": "< 0.125", "warn": "< 1", "unit": "%", "raw": [0.1249, 0.5, 0.125]},
                    {"label": "SPS", "pass": ">= 40000", "warn": ">= 30000", "raw": [41000, 40000.5, 39999.5]}]}
    (in_tmp / "in.json").write_text(json.dumps(doc))
    assert cli("render", "--data", "in.json", "--out", "out", "--format", "png,html", "--theme", "light").code == 0
    md = (in_tmp / "out" / "sides.md").read_text()
    html = (in_tmp / "out" / "sides.html").read_text()
    index = (in_tmp / "out" / "index.html").read_text()
    assert "| 🟢 0.12 % | 🟡 0.5 % | 🟡 0.125 % |" in md
    assert "| 🟢 41k | 🟢 40k | 🟡 39999.5 |" in md
    assert "Worst today: Error rate 0.125 % (warning); SPS 39999.5 (warning)." in md  # the alt text
    assert re.search(r'title="Error rate · Sat 2026-11-28 \(today, partial\) · 0\.125 %: warning, fails &lt; 0\.125, meets warn &lt; 1', html)
    assert ">0.125 %</td>" in html and ">39999.5</td>" in html
    assert 'title="SPS · Fri 2026-11-27 · 40000.5: good' in html, "the hover gives the exact value"
    assert "Error rate 0.125 % (warning)" in index
    from healthgrid.config import GridSpec, RowSpec
    from healthgrid.render.heatmap import prepare
    from healthgrid.sources.datafile import load_data

    grid = load_data(str(in_tmp / "in.json"), default_bands)[0]
    prepared = prepare(grid, GridSpec("sides", "Sides", (RowSpec("Error rate", "q"),), days=3))
    assert [list(r) for r in prepared.cell_texts] == [["0.12 %", "0.5 %", "0.125 %"], ["41k", "40k", "39999.5"]]


def test_the_trend_of_a_rule_row_says_no_change_only_when_no_cell_shows_one():
    # Float noise below every printed digit: no change.
    assert row_trend(rule_row("< 5", None, [2.0000000001, 2.0000000001, 2.0]))[1] == "= 0"
    # The same size of noise where the cells show it, 0.3 passing and 0.30000000000000004 failing.
    row = rule_row("<= 0.3", None, [0.3, 0.3, 0.1 + 0.2])
    assert texts(row) == ["0.3", "0.3", "0.30000000000000004"]
    delta, text = row_trend(row)
    assert delta < 0 and text == "▼ +5.6e-17"
