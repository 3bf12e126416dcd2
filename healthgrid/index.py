"""`index.html`: every grid in a folder, linked with its image. Built from file names (and the
titles in NAME.json), so gh-pages can rebuild it from the whole branch after each publish and a
matrix of publishers ends up with one index listing all their grids."""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Callable

from healthgrid.escaping import html_text as escape

_STYLE = ('body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:1.5rem;color:#1f2328}'
          "li{margin:0 0 1.5rem} img{max-width:100%;height:auto} a{color:inherit}")


def entries(names: list[str], read: Callable[[str], bytes | None]) -> list[tuple[str, str, list[str]]]:
    """(grid name, title, its files) for the grids among `names` (file names in one folder)."""
    stems = sorted({PurePosixPath(n).stem.removesuffix("_dark") for n in names if n.endswith((".png", ".html")) and n != "index.html"})
    out = []
    for stem in stems:
        files = sorted(n for n in names if PurePosixPath(n).stem in (stem, f"{stem}_dark"))
        title = stem
        if f"{stem}.json" in files:
            try:
                title = json.loads(read(f"{stem}.json") or b"{}").get("title") or stem
            except (ValueError, AttributeError):
                pass
        out.append((stem, title, files))
    return out


def index_page(grids: list[tuple[str, str, list[str]]]) -> bytes:
    items = []
    for name, title, files in grids:
        links = " · ".join(f'<a href="{escape(f)}">{escape(f)}</a>' for f in files)
        target = f"{name}.html" if f"{name}.html" in files else f"{name}.png"
        preview = f'<br><a href="{escape(target)}"><img src="{escape(name)}.png" alt="{escape(title)}" width="480"></a>' if f"{name}.png" in files else ""
        items.append(f"<li><strong>{escape(title)}</strong> ({links}){preview}</li>")
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Health grids</title>'
            f"<style>{_STYLE}</style></head><body>\n<h1>Health grids</h1>\n<ul>{''.join(items)}</ul>\n</body></html>\n").encode()
