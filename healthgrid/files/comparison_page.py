"""A comparison's own HTML page: the accessible table of its bars (one line per tag value, one column
per metric) in the picture's colours, the band in words for screen readers, details on hover. Same
frame as a heatmap's page (`gridpage.document`): self-contained, relative links only, every string
escaped (tag values come from Datadog)."""

from __future__ import annotations

from healthgrid.config import GridSpec
from healthgrid.files.comparison_text import alt_text, judged_by
from healthgrid.files.page import _GRID_CSS, color_style, document, scheme_css
from healthgrid.model.comparison import Comparison
from healthgrid.model.formatting import NO_DATA, as_of_text, cell_text, window_text
from healthgrid.render.style import colormap_and_norm
from healthgrid.text import html_text as escape


def bar_details(grid: Comparison, i: int, j: int, band: str) -> str:
    """The hover text of one bar: metric, tag value, value and band (and the rule's verdict), how the
    row is judged, its description and query."""
    row = grid.rows[i]
    value = cell_text(row, j, grid.bands)
    verdict = f", {row.rule.verdict(row.raw[j])}" if row.rule is not None and value != NO_DATA else ""
    parts = [row.name, f"{grid.by}: {grid.tags[j]}", f"{value}" + (f": {band}{verdict}" if value != NO_DATA else ""),
             judged_by(row, grid.aggregations[i])]
    if row.description:
        parts.append(row.description)
    parts.append(row.query)
    return " · ".join(parts)


def _table(grid: Comparison, spec: GridSpec) -> str:
    cmap, norm = colormap_and_norm(spec.palette, grid.bands)
    head = "".join(f'<th scope="col" title="{escape(judged_by(row, agg))}">{escape(row.name)}</th>'
                   for row, agg in zip(grid.rows, grid.aggregations, strict=True))
    body = []
    for j, tag in enumerate(grid.tags):
        cells = []
        for i, row in enumerate(grid.rows):
            text, band = cell_text(row, j, grid.bands), row.band(j, grid.bands)
            if text == NO_DATA:
                classes, style = "nodata", ""
            else:  # the very colour the picture gives this bar
                classes, style = band, color_style(cmap(norm(row.shade(j, grid.bands))))
            word = band.word if band.json else ""
            cells.append(f'<td class="{classes}"{style} title="{escape(bar_details(grid, i, j, band))}"><span class="sr">{word} </span>'
                         f"{escape(text)}</td>")
        body.append(f'<tr><th scope="row">{escape(tag)}</th>{"".join(cells)}</tr>')
    return (f'<table class="grid"><caption>{escape(alt_text(grid))} Hover a value for its details.</caption>\n'
            f'<thead><tr><th scope="col">{escape(grid.by)}</th>{head}</tr></thead>\n<tbody>{"".join(body)}</tbody></table>')


def comparison_page(grid: Comparison, spec: GridSpec, theme_name: str, downloads: list[str], refresh: int = 300) -> bytes:
    """`downloads`: the image files written beside the page (same folder), offered as downloads."""
    links = " · ".join(f'<a href="{escape(name)}" download>{escape(name)}</a>' for name in downloads)
    sub = f"Each value: the metric for one {grid.by} over {window_text(grid)}, up to {as_of_text(grid.now, grid.timezone)}"
    body = f"""<nav><a href="index.html">← All grids</a></nav>
<h1>{escape(grid.title)}</h1>
<p class="sub">{escape(sub)}</p>
{_table(grid, spec)}
<p>Bands: good (FoM ≥ {grid.bands.warning:g}) · warning · critical (FoM &lt; {grid.bands.critical:g}) · hatched: no data. \
A rule row is good when its value meets the rule, warning when it meets only warn. Screen readers hear the band before each value.</p>
""" + (f'<p class="downloads">Download the image: {links}</p>' if links else "")
    return document(grid.title, body, scheme_css(theme_name) + _GRID_CSS, refresh, "dark" if theme_name == "dark" else "light dark")
