"""What is written stays bounded: text repeated in every cell is short or cut, a row's long texts
are written once per row, and a unit longer than the limit is refused before any work."""

import json
import re

import pytest

from conftest import NOW
from helpers import make_grid, spec_for

LONG = '"' * 2000  # the longest string a config allows, of the character HTML spends most on (&quot;)


def _long_grid(days=90):
    from healthgrid.model.rules import Rule, parse_condition

    grid = make_grid([("a" + LONG[1:], [0.5] * days), ("b" + LONG[1:], [5.0] * days)])
    for row in grid.rows:
        row.description, row.query, row.group = LONG, "avg:m{t:" + LONG[:1990] + "}", LONG
    grid.rows[1].rule, grid.rows[1].unit = Rule(parse_condition("< 5"), parse_condition("< 8")), "min"
    return grid


def test_a_rows_long_texts_are_written_once_per_row_in_the_html_page_not_once_per_cell():
    from healthgrid.files.page import page

    grid = _long_grid()
    html = page(grid, spec_for(grid), "light", ["t.png"]).decode()
    escaped = LONG.replace('"', "&quot;")
    # Each row's description and query are there (on the row's label), once each, not in 90 cells.
    assert html.count(escaped) <= 2 * 5, "label, group heading, description (shown and on hover), query per row"
    assert len(html) < 400_000, f"{len(html):,} bytes for 2 rows × 90 days"
    cells = re.findall(r'<td class="[^"]*"[^>]* title="([^"]*)">', html)
    assert len(cells) == 180
    assert all(len(title) < 800 for title in cells), max(len(t) for t in cells)
    assert cells[-1].startswith("b" + "&quot;" * 25) and "…" in cells[-1], "the label, cut, names the row in each cell"
    assert "5 min: warning, fails &lt; 5, meets warn &lt; 8 · rule &lt; 5 min (warn &lt; 8)" in cells[-1]
    row_titles = re.findall(r'<th scope="row" title="([^"]*)">', html)
    assert len(row_titles) == 2 and all(escaped in t and "avg:m{t:" in t for t in row_titles)


def test_the_markdown_table_grows_by_the_cells_and_not_by_the_rows_long_texts():
    from healthgrid.files.markdown import markdown

    short, long = markdown(_long_grid(2)), markdown(_long_grid(90))
    per_cell = (len(long.encode()) - len(short.encode())) / (2 * 88)
    assert per_cell < 40, f"{per_cell:.0f} bytes a cell"


@pytest.mark.parametrize("unit, ok", [("x" * 20, True), ("requests per second", True), ("x" * 21, False), ("指" * 21, False)])
def test_a_unit_longer_than_twenty_characters_is_refused_before_any_work(in_tmp, cli, unit, ok):
    (in_tmp / "healthgrid.yml").write_text(
        f"grids:\n  - name: g\n    rows: [{{label: A, query: 'avg:a{{*}}', unit: {json.dumps(unit, ensure_ascii=False)}, pass: '< 5'}}]\n",
        encoding="utf-8")
    result = cli("render", "--demo", "--now", NOW, "--out", "out", "--format", "html")
    if ok:
        assert result.code == 0, result.err
        return
    assert result.code == 2 and result.err.count("\n") == 1
    assert result.err.startswith("healthgrid: error: grids[0].rows[0].unit: is 21 characters long; a unit is at most 20")
    assert not (in_tmp / "out").exists()


def test_a_data_file_with_a_long_unit_is_refused_alike(in_tmp, cli):
    doc = {"name": "g", "days": ["2026-11-28"], "rows": [{"label": "A", "unit": "x" * 21, "values": [0.5]}]}
    (in_tmp / "g.json").write_text(json.dumps(doc))
    result = cli("render", "--data", "g.json", "--out", "out")
    assert result.code == 2 and "rows[0].unit: is 21 characters long; a unit is at most 20" in result.err
