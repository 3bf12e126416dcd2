"""Ready-to-paste `<picture>` embeds for published grids.

A `(prefers-color-scheme: dark)` source carries the dark image and the `<img>` the light one, both
at content-versioned (`?v=`) URLs: GitHub Pages serves images with a ten-minute cache and GitHub's
image proxy caches by URL, so only a new URL shows a new picture at once. The alt text is the
sentence healthgrid writes into NAME.md, taken as data (never read back out of NAME.md, where it is
escaped for Markdown) and escaped for the HTML attribute alone.
"""

from __future__ import annotations

from healthgrid.files.markdown import alt_text
from healthgrid.site.urls import encode_url
from healthgrid.text import html_text as attr

_PREFERRED = (".png", ".svg")  # what a README or a web page shows best


def picture(light_url: str | None, dark_url: str | None, alt: str) -> str:
    """`<picture>` with a dark source when there is a dark image; every value escaped for an
    HTML attribute (alt text comes from user titles and labels), every URL percent-encoded. In a
    `srcset` whitespace separates candidates and a trailing comma ends one, so neither is left in
    its URL."""
    img = light_url or dark_url
    if not img:
        raise ValueError("picture() needs at least one image URL")
    srcset = encode_url(dark_url).replace(",", "%2C") if light_url and dark_url else ""
    source = f'<source media="(prefers-color-scheme: dark)" srcset="{attr(srcset)}">' if srcset else ""
    img = encode_url(img)
    return f'<picture>{source}<img src="{attr(img)}" alt="{attr(alt)}"></picture>'


def embeds(images, alts: dict[str, str]) -> dict[str, str]:
    """Grid name -> `<picture>` for every grid in `alts` (name -> its alt text) with a published image.

    `images` are `Published` entries (file, url, versioned_url)."""
    by_file = {i.file: i.versioned_url for i in images}
    snippets = {}
    for grid in sorted(alts):
        light = next((by_file[f"{grid}{ext}"] for ext in _PREFERRED if f"{grid}{ext}" in by_file), None)
        dark = next((by_file[f"{grid}_dark{ext}"] for ext in _PREFERRED if f"{grid}_dark{ext}" in by_file), None)
        if light or dark:
            snippets[grid] = picture(light, dark, alts[grid])
    return snippets


def alts_from_files(files: dict[str, bytes]) -> dict[str, str]:
    """Grid name -> alt text for every grid data file (NAME.json) among `files`: the grid read back
    from its data, judged by the bands it states; a file that is no grid's data has none."""
    from healthgrid.files.data import read_grid
    from healthgrid.model.comparison import Comparison

    alts = {}
    for name, content in files.items():
        grid = read_grid(content) if name.endswith(".json") and not name.endswith(".badge.json") else None
        if grid is None or f"{grid.name}.json" != name:
            continue
        if isinstance(grid, Comparison):
            from healthgrid.files.comparison_text import alt_text as comparison_alt

            alts[grid.name] = comparison_alt(grid)
        else:
            alts[grid.name] = alt_text(grid)
    return alts
