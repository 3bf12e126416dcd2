"""A self-contained HTML page per grid: the SVG image inline, the data as an accessible table with
per-cell hover details, no scripts or styles from the network."""

from __future__ import annotations

from html import escape

from healthgrid.config import GridSpec
from healthgrid.formatting import NO_DATA, cell_text, day_label, format_number
from healthgrid.grid import Grid
from healthgrid.render import THEMES
from healthgrid.textout import SYMBOLS, alt_text


def page(grid: Grid, spec: GridSpec, theme: str, svg: bytes) -> bytes:
    colors = THEMES[theme]
    svg_text = svg.decode()
    svg_text = svg_text[svg_text.index("<svg"):]  # drop the XML prolog and doctype inside HTML
    alt = alt_text(grid, spec.bands)
    head = "".join(f"<th scope=\"col\">{escape(' '.join(day_label(d, j == len(grid.days) - 1)))}</th>" for j, d in enumerate(grid.days))
    body = []
    for row in grid.rows:
        cells = []
        for j, v in enumerate(row.values):
            text = cell_text(row, j)
            band = spec.bands.band(v)
            detail = f"{row.label} · {grid.days[j]:%a %Y-%m-%d} · FoM {'none' if text == NO_DATA else format_number(v)}"
            if row.score is not None and text != NO_DATA:
                detail += f" · raw {format_number(row.raw[j])}{' ' + row.unit if row.unit else ''}"
            detail += f" · {row.query}"
            cells.append(f"<td class=\"{band}\" title=\"{escape(detail)}\">{SYMBOLS[band]} {escape(text)}</td>")
        group = f"<span class=\"group\">{escape(row.group)}</span> " if row.group else ""
        body.append(f"<tr><th scope=\"row\">{group}{escape(row.label)}</th>{''.join(cells)}</tr>")
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(grid.title)}</title>
<style>
body{{background:{colors.background};color:{colors.foreground};font-family:"DejaVu Sans",system-ui,sans-serif;margin:1.5rem}}
figure{{margin:0 0 1rem}} svg{{max-width:100%;height:auto}}
table{{border-collapse:collapse;font-size:.9rem}} th,td{{padding:.25rem .5rem;border:1px solid {colors.muted}}}
td{{text-align:right}} th[scope=row]{{text-align:left}} .group{{color:{colors.muted};font-weight:normal}}
</style></head><body>
<h1>{escape(grid.title)}</h1>
<figure role="img" aria-label="{escape(alt)}">{svg_text}</figure>
<p>{escape(alt)}</p>
<table><caption>{escape(grid.title)} (hover a cell for details)</caption>
<thead><tr><th scope="col">Metric</th>{head}</tr></thead>
<tbody>{''.join(body)}</tbody></table>
</body></html>
"""
    return html.encode()
