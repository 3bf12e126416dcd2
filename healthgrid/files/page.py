"""Self-contained HTML: the grid's own page, where the accessible `<table>` (colours and bands as in
the image, per-cell hover details, band words for screen readers) is the grid and the images are
downloads. No scripts, fonts, styles or images from the network, and only relative links, so the
page works offline, from file:// and on GitHub Pages under any sub-path."""

from __future__ import annotations

import math

from healthgrid.config import GridSpec
from healthgrid.files.markdown import alt_text, rule_text
from healthgrid.model.band import Band
from healthgrid.model.formatting import NO_DATA, cell_text, day_label, judged_by_rules, row_trend, rule_bands, subtitle
from healthgrid.model.grid import Grid
from healthgrid.model.numbers import exact_number
from healthgrid.model.sections import headings
from healthgrid.render.layout import shorten
from healthgrid.render.style import THEMES, colormap_and_norm, text_color_on
from healthgrid.text import html_text as escape

# A cell's hover text is written once per cell (18,000 times in a 200 × 90 grid), so it holds only
# what is short or bounded: the label is cut to this many characters, and the row's own long texts
# (description, query) are written once, on the row's label.
HOVER_LABEL_CHARS = 60


def cell_details(grid: Grid, i: int, j: int, band: str | None = None) -> str:
    """The hover text of one cell: metric (shortened), day, the exact value and band, raw value and
    unit (and the rule it was judged by, with its verdict)."""
    row = grid.rows[i]
    value = row.values[j]
    unit = f" {row.unit}" if row.unit else ""
    parts = [shorten(row.label, HOVER_LABEL_CHARS), f"{grid.days[j]:%a %Y-%m-%d}" + (" (today, partial)" if j == len(grid.days) - 1 else "")]
    if math.isnan(value):
        parts.append("no data")
    elif row.rule is not None:
        parts.append(f"{exact_number(row.raw[j])}{unit}: {row.rule.band(row.raw[j])}, {row.rule.verdict(row.raw[j])}")
    else:
        parts.append(f"FoM {exact_number(value)}" + (f" ({band})" if band else ""))
        if row.score is not None:
            parts.append(f"raw {exact_number(row.raw[j])}{unit} (good {exact_number(row.score.good)}, bad {exact_number(row.score.bad)})")
    if row.rule is not None:
        parts.append(f"rule {row.rule.text(row.unit)}")
    return " · ".join(parts)


def row_details(row) -> str:
    """The hover text of a row's label: its rule, description and query, written once for the row."""
    return " · ".join(filter(None, [rule_text(row), row.query]))


_RULES_NOTE = " Rows with a rule (under their label): good when the day's value meets it, warning when it meets only warn, else critical."
_RULE_MEANING = {Band.GOOD: "the day's value meets the rule under the row's label", Band.WARNING: "it meets only warn", Band.CRITICAL: "neither"}


def _legend(grid: Grid) -> str:
    """Bands as the grid judges them: pass / warn / fail for a grid of rule rows; the FoM bands
    otherwise, and for a mixed grid how its rule rows are judged."""
    if judged_by_rules(grid.rows):
        return "Rules: " + " · ".join(f"{b.rule_word} ({_RULE_MEANING[b]})" for b in rule_bands(grid.rows)) + " · hatched: no data."
    rules_note = _RULES_NOTE if any(r.rule for r in grid.rows) else ""
    warning, critical = exact_number(grid.bands.warning), exact_number(grid.bands.critical)
    return f"Bands: good (FoM ≥ {warning}) · warning · critical (FoM < {critical}) · hatched: no data.{rules_note}"


def _theme_props(name: str) -> str:
    t = THEMES[name]
    return f"--bg:{t.background};--fg:{t.foreground};--muted:{t.muted};--nodata:{t.nodata_fill};--hatch:{t.nodata_hatch}"


def scheme_css(theme_name: str) -> str:
    """Colours as CSS variables. The dark page is always dark; the light page follows a reader who
    prefers dark, with the same colours as the dark image."""
    if theme_name == "dark":
        return f":root{{color-scheme:dark;{_theme_props('dark')}}}\n"
    return f":root{{color-scheme:light dark;{_theme_props('light')}}}\n@media (prefers-color-scheme: dark){{:root{{{_theme_props('dark')}}}}}\n"


def document(title: str, body: str, css: str, refresh: int, scheme: str = "light dark") -> bytes:
    """A whole page: charset, viewport, optional refresh for wall screens, inline style only."""
    meta = f'<meta http-equiv="refresh" content="{int(refresh)}">' if refresh > 0 else ""
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="color-scheme" content="{scheme}">{meta}\n<title>{escape(title)}</title>\n<style>{css}</style></head><body>\n'
            f"{body}\n</body></html>\n").encode()


_GRID_CSS = """
body{background:var(--bg);color:var(--fg);font-family:"DejaVu Sans",system-ui,sans-serif;margin:1.5rem}
a{color:inherit} h1{font-size:1.4rem;margin:0 0 .2rem} .sub,nav,.downloads{color:var(--muted);margin:0 0 1rem}
table.grid{border-collapse:separate;border-spacing:3px;font-size:.85rem}
table.grid caption{text-align:left;color:var(--muted);padding-bottom:.5rem;max-width:60rem}
table.grid td{text-align:center;padding:.45rem .6rem;border-radius:2px;min-width:3.2rem}
table.grid td.nodata{background:repeating-linear-gradient(135deg,var(--nodata) 0 6px,var(--hatch) 6px 7px);color:var(--fg);font-style:italic}
table.grid td.today{outline:2px dashed var(--fg);outline-offset:-1px}
table.grid th{font-weight:normal;padding:.2rem .5rem} table.grid th[scope=row]{text-align:right}
table.grid tr.group th{text-align:left;font-weight:bold;padding-top:.7rem}
table.grid th .rule{display:block;font-size:.75rem;color:var(--muted)}
td:hover{filter:brightness(1.12)} .sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
"""


def color_style(color) -> str:
    """` style="…"` for a cell in `color` (RGBA), its text black or white by contrast, as in the picture."""
    hex_color = "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in color[:3]))
    return f" style=\"background:{hex_color};color:{text_color_on(color)}\""


def _table(grid: Grid, spec: GridSpec) -> str:
    cmap, norm = colormap_and_norm(spec.palette, grid.bands)
    n = len(grid.days)
    head = "".join(f"<th scope=\"col\">{escape(' '.join(day_label(d, j == n - 1)))}</th>" for j, d in enumerate(grid.days))
    if spec.trend_column:
        head += "<th scope=\"col\">vs. avg of earlier days</th>"
    body, heading_at = [], headings(grid)
    for i, row in enumerate(grid.rows):
        if i in heading_at:
            body.append(f"<tr class=\"group\"><th scope=\"rowgroup\" colspan=\"{n + 1 + spec.trend_column}\">{escape(heading_at[i])}</th></tr>")
        cells = []
        for j in range(len(row.values)):
            text = cell_text(row, j, grid.bands)
            band = row.band(j, grid.bands)
            classes = [band] + (["today"] if j == n - 1 else [])
            if text == NO_DATA:
                classes.append("nodata")
                style = ""
            else:  # the very colour the image gives this cell
                style = color_style(cmap(norm(row.shade(j, grid.bands))))
            word = band.word if band.json else ""
            cells.append(f"<td class=\"{' '.join(classes)}\"{style} title=\"{escape(cell_details(grid, i, j, word or None))}\">"
                         f"<span class=\"sr\">{word} </span>{escape(text)}</td>")
        if spec.trend_column:
            cells.append(f"<td>{escape(row_trend(row)[1])}</td>")
        # The rule shows under the label; the description and query on hover (the description to screen readers too).
        rule = f"<span class=\"rule\">{escape(row.rule.text(row.unit))}</span>" if row.rule else ""
        about = f"<span class=\"sr\"> {escape(row.description)}</span>" if row.description else ""
        title = f" title=\"{escape(row_details(row))}\"" if row_details(row) else ""
        body.append(f"<tr><th scope=\"row\"{title}>{escape(row.label)}{rule}{about}</th>{''.join(cells)}</tr>")
    return (f"<table class=\"grid\"><caption>{escape(alt_text(grid))} Hover a cell for its details.</caption>\n"
            f"<thead><tr><th scope=\"col\">Metric</th>{head}</tr></thead>\n<tbody>{''.join(body)}</tbody></table>")


def page(grid: Grid, spec: GridSpec, theme_name: str, downloads: list[str], refresh: int = 300) -> bytes:
    """`downloads`: the image files written beside the page (same folder), offered as downloads."""
    links = " · ".join(f'<a href="{escape(name)}" download>{escape(name)}</a>' for name in downloads)
    body = f"""<nav><a href="index.html">← All grids</a></nav>
<h1>{escape(grid.title)}</h1>
<p class="sub">{escape(subtitle(grid))}</p>
{_table(grid, spec)}
<p>{escape(_legend(grid))} Screen readers hear the band before each value.</p>
""" + (f'<p class="downloads">Download the image: {links}</p>' if links else "")
    return document(grid.title, body, scheme_css(theme_name) + _GRID_CSS, refresh, "dark" if theme_name == "dark" else "light dark")
