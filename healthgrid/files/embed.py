"""Ready-to-paste `<picture>` embeds for published grids.

A `(prefers-color-scheme: dark)` source carries the dark image and the `<img>` the light one, both
at content-versioned (`?v=`) URLs: GitHub Pages serves images with a ten-minute cache and GitHub's
image proxy caches by URL, so only a new URL shows a new picture at once. The alt text is the
sentence healthgrid writes into NAME.md.
"""

from __future__ import annotations

import html
import re

_PREFERRED = (".png", ".svg")  # what a README or a web page shows best


def picture(light_url: str | None, dark_url: str | None, alt: str) -> str:
    """`<picture>` with a dark source when there is a dark image; every value escaped for an
    HTML attribute (alt text comes from user titles and labels), every URL percent-encoded. In a
    `srcset` whitespace separates candidates and a trailing comma ends one, so neither is left in
    its URL."""
    from healthgrid.site.urls import encode_url

    def attr(value: str) -> str:
        return html.escape(value, quote=True)

    img = light_url or dark_url
    if not img:
        raise ValueError("picture() needs at least one image URL")
    srcset = encode_url(dark_url).replace(",", "%2C") if light_url and dark_url else ""
    source = f'<source media="(prefers-color-scheme: dark)" srcset="{attr(srcset)}">' if srcset else ""
    img = encode_url(img)
    return f'<picture>{source}<img src="{attr(img)}" alt="{attr(alt)}"></picture>'


def alt_from_markdown(markdown: str, image_name: str | None = None) -> str:
    """The alt text of NAME.md's image line (`![ALT](NAME.png)`), un-escaped; else its first
    paragraph after the title (written when there was no image)."""
    lines = markdown.splitlines()
    for line in lines:
        match = re.fullmatch(r"!\[(.*)\]\(([^()\s]*)\)", line)
        if match and (image_name is None or match.group(2) == image_name):
            return match.group(1).replace("\\|", "|")
    paragraphs = [line for line in lines if line.strip() and not line.startswith(("#", "!", "|"))]
    return paragraphs[0] if paragraphs else ""


def embeds(images, files: dict[str, bytes]) -> dict[str, str]:
    """Grid name -> `<picture>` for every grid (a NAME.md among `files`) with a published image.

    `images` are `Published` entries (file, url, versioned_url)."""
    by_file = {i.file: i.versioned_url for i in images}
    snippets = {}
    for name in sorted(files):
        if not name.endswith(".md"):
            continue
        grid = name[: -len(".md")]
        light = next((by_file[f"{grid}{ext}"] for ext in _PREFERRED if f"{grid}{ext}" in by_file), None)
        dark = next((by_file[f"{grid}_dark{ext}"] for ext in _PREFERRED if f"{grid}_dark{ext}" in by_file), None)
        if light or dark:
            alt = alt_from_markdown(files[name].decode("utf-8", errors="replace"))
            snippets[grid] = picture(light, dark, alt)
    return snippets
