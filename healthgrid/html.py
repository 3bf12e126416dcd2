"""Self-contained HTML: the grid as a coloured, accessible `<table>` with per-cell hover details,
the SVG image inline, and an index page for all grids. No scripts, fonts or styles from the
network: the page works offline and on GitHub Pages next to the PNG."""

from __future__ import annotations

import math

from healthgrid.config import GridSpec
from healthgrid.escaping import html_text as escape
from healthgrid.formatting import NO_DATA, as_of_text, cell_text, day_label, format_number, trend_delta, trend_text, window_text
from healthgrid.grid import Grid
from healthgrid.render import THEMES, colormap_and_norm, text_color_on
from healthgrid.textout import alt_text


def cell_details(grid: Grid, i: int, j: int) -> str:
    """The hover text of one cell: metric, day, value, raw value and unit, query."""
    row = grid.rows[i]
    value = row.values[j]
    parts = [row.label, f"{grid.days[j]:%a %Y-%m-%d}" + (" (today, partial)" if j == len(grid.days) - 1 else "")]
    if math.isnan(value):
        parts.append("no data")
    else:
        parts.append(f"FoM {value:.3f}")
        if row.score is not None:
            parts.append(f"raw {format_number(row.raw[j])}{' ' + row.unit if row.unit else ''} (good {row.score.good:g}, bad {row.score.bad:g})")
    parts.append(row.query)
    return " · ".join(parts)


def _style(theme) -> str:
    return f"""
body{{background:{theme.background};color:{theme.foreground};font-family:"DejaVu Sans",system-ui,sans-serif;margin:1.5rem}}
a{{color:inherit}} h1{{font-size:1.4rem;margin:0 0 .2rem}} .sub{{color:{theme.muted};margin:0 0 1rem}}
table.grid{{border-collapse:separate;border-spacing:3px;font-size:.85rem}}
table.grid td{{text-align:center;padding:.45rem .6rem;border-radius:2px;min-width:3.2rem}}
table.grid td.nodata{{background:repeating-linear-gradient(135deg,{theme.nodata_fill} 0 6px,{theme.nodata_hatch} 6px 7px);font-style:italic}}
table.grid td.today{{outline:2px dashed {theme.foreground};outline-offset:-1px}}
table.grid th{{font-weight:normal;padding:.2rem .5rem}} table.grid th[scope=row]{{text-align:right}}
table.grid tr.group th{{text-align:left;font-weight:bold;padding-top:.7rem}}
td:hover{{filter:brightness(1.12)}} .sr{{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}} figure{{margin:1.5rem 0}} svg{{max-width:100%;height:auto}}
"""  # noqa: E501 - the stylesheet's bytes are the page's; wrapping would change them


def page(grid: Grid, spec: GridSpec, theme_name: str, svg: bytes) -> bytes:
    theme = THEMES[theme_name]
    cmap, norm = colormap_and_norm(spec.palette, spec.bands)
    svg_text = svg.decode()
    svg_text = svg_text[svg_text.index("<svg"):]  # the XML prolog and doctype don't belong inside HTML
    alt = alt_text(grid, spec.bands)
    n = len(grid.days)
    head = "".join(f"<th scope=\"col\">{escape(' '.join(day_label(d, j == n - 1)))}</th>" for j, d in enumerate(grid.days))
    if spec.trend:
        head += "<th scope=\"col\">vs. avg of earlier days</th>"
    body, group = [], None
    for i, row in enumerate(grid.rows):
        if row.group and row.group != group:
            body.append(f"<tr class=\"group\"><th scope=\"rowgroup\" colspan=\"{n + 1 + spec.trend}\">{escape(row.group)}</th></tr>")
            group = row.group
        cells = []
        for j, value in enumerate(row.values):
            text = cell_text(row, j)
            band = spec.bands.band(value)
            classes = [band] + (["today"] if j == n - 1 else [])
            if text == NO_DATA:
                classes.append("nodata")
                style = ""
            else:
                color = cmap(norm(min(1.0, max(0.0, value))))
                hex_color = "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in color[:3]))
                style = f" style=\"background:{hex_color};color:{text_color_on(color)}\""
            cells.append(f"<td class=\"{' '.join(classes)}\"{style} title=\"{escape(cell_details(grid, i, j))}\">"
                         f"<span class=\"sr\">{band if band != 'nodata' else ''} </span>{escape(text)}</td>")
        if spec.trend:
            cells.append(f"<td>{escape(trend_text(trend_delta(row.values)))}</td>")
        body.append(f"<tr><th scope=\"row\">{escape(row.label)}</th>{''.join(cells)}</tr>")
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(grid.title)}</title>
<style>{_style(theme)}</style></head><body>
<h1>{escape(grid.title)}</h1>
<p class="sub">Daily figure of merit, 0 bad … 1 good · {escape(window_text(grid))} · today is partial, as of {escape(as_of_text(grid.now, grid.timezone))}</p>
<table class="grid"><caption>{escape(alt)} Hover a cell for its details.</caption>
<thead><tr><th scope="col">Metric</th>{head}</tr></thead>
<tbody>{''.join(body)}</tbody></table>
<p>Bands: good (FoM ≥ {spec.bands.warning:g}) · warning · critical (FoM &lt; {spec.bands.critical:g}) · hatched: no data. Screen readers hear the band before each value.</p>
<figure role="img" aria-label="{escape(alt)}">{svg_text}</figure>
</body></html>
"""  # noqa: E501 - the page's own text; wrapping would change its bytes
    return html.encode()
