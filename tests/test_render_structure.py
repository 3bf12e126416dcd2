"""One sectioning for every output, each image rendered once, and a render package without circles."""

import ast
import re
from pathlib import Path

import pytest

from healthgrid.config import GridSpec
from healthgrid.files.markdown import markdown
from healthgrid.files.page import page
from healthgrid.model.sections import sections
from healthgrid.render import figure_for
from healthgrid.render.heatmap import prepare

from helpers import make_grid, spec_for

# Ungrouped at the top, a group, an ungrouped row after it, another group, the first group again.
ROWS = [("Top", [0.5, 0.6]), ("A", [0.5, 0.6], dict(group="G1")), ("B", [0.5, 0.6], dict(group="G1")),
        ("Loose", [0.5, 0.6]), ("C", [0.5, 0.6], dict(group="G2")), ("D", [0.5, 0.6], dict(group="G1"))]
# Each row's heading above it: the one answer all four outputs must give.
EXPECTED = {"Top": None, "A": "G1", "B": "G1", "Loose": "Other", "C": "G2", "D": "G1"}


def under(lines):
    """(heading or row label) items in display order -> {row label: heading above it}."""
    out, current = {}, None
    for kind, text in lines:
        if kind == "heading":
            current = text
        else:
            out[text] = current
    return out


def test_sections_are_runs_of_a_group_and_ungrouped_rows_after_a_group_are_other():
    grid = make_grid(ROWS)
    assert sections(grid) == [(None, [0]), ("G1", [1, 2]), ("Other", [3]), ("G2", [4]), ("G1", [5])]
    assert sections(make_grid([("x", [1]), ("y", [1])])) == [(None, [0, 1])], "no groups: no headings"


def test_heatmap_trend_markdown_and_html_put_every_row_under_the_same_heading():
    grid = make_grid(ROWS)
    spec = spec_for(grid)
    p = prepare(grid, spec)
    heatmap = under(("heading" if kind == "group" else "row", text) for kind, _, text in p.display)

    fig = figure_for(grid, GridSpec(**{**spec.__dict__, "type": "trend"}), "light")
    trend = {}
    for ax in fig.axes:
        for label in ax.get_legend().get_texts():
            trend[label.get_text()] = ax.get_title(loc="left") or None

    md = markdown(grid)
    md_lines = [("heading", m[1]) if (m := re.match(r"\| \*\*(.+?)\*\* \|", line)) else ("row", line.split(" | ")[0][2:])
                for line in md.splitlines() if line.startswith("| ") and not line.startswith("| Metric")]
    markdown_under = under(md_lines)

    html = page(grid, spec, "light", []).decode()
    html_lines = [("heading", h) if h else ("row", r) for h, r in
                  re.findall(r'<th scope="rowgroup"[^>]*>([^<]+)</th>|<th scope="row"[^>]*>([^<]+)</th>', html)]
    html_under = under(html_lines)

    assert heatmap == EXPECTED
    assert trend == EXPECTED
    assert markdown_under == EXPECTED
    assert html_under == EXPECTED


@pytest.mark.parametrize("formats,drawn", [(("png", "svg", "html"), 2), (("svg", "html"), 2), (("html",), 0)])
def test_each_theme_is_drawn_once_and_an_html_page_alone_draws_nothing(monkeypatch, formats, drawn):
    from healthgrid import render
    from healthgrid.files.outputs import describe, grid_files

    calls = []
    real = render.figure_for
    monkeypatch.setattr(render, "figure_for", lambda *a, **k: calls.append(a[2]) or real(*a, **k))
    grid = make_grid([("A", [0.5, 0.6])])
    files = grid_files(grid, spec_for(grid), describe(grid, spec_for(grid)), formats, ("light", "dark"))
    assert sorted(calls) == sorted(["light", "dark"][:drawn])
    assert [n for n in files if n.endswith((".png", ".svg", ".html"))] == [f"t{'_dark' if t == 'dark' else ''}.{f}" for f in formats for t in ("light", "dark")]


def test_render_modules_import_no_sibling_chart_and_form_no_circle():
    package = Path(__file__).resolve().parents[1] / "healthgrid" / "render"
    imports = {}
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text())
        names = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        imports[path.stem] = {n.rsplit(".", 1)[1] for n in names if n.startswith("healthgrid.render.")}
        if path.stem != "__init__":  # the package imports its modules, never the reverse
            assert "healthgrid.render" not in names, path.name
    parts = {"style", "layout", "trend_column", "heatmap_size", "value_text"}  # pieces of a chart, no charts
    assert imports["heatmap"] <= parts and imports["trend"] <= {"style", "layout"}, "charts never import each other"
    assert imports["comparison"] <= parts and imports["value_text"] <= {"style", "layout"} and imports["heatmap_size"] <= parts - {"value_text"}
    assert imports["style"] == set() and imports["layout"] <= {"style"} and imports["png"] <= {"style"}
    assert imports["trend_column"] <= {"style", "layout"}, "the heatmap's trend column is its own part, no chart"
