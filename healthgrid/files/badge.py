"""`NAME.badge.json`: a shields.io endpoint document summarising today's column of a grid.

    ![health](https://img.shields.io/endpoint?url=https%3A%2F%2FOWNER.github.io%2FREPO%2Fhealthgrid%2FNAME.badge.json)

shields.io fetches the document (and caches it for at least five minutes), so a README badge
follows the grid without a new URL.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from healthgrid.model.band import Band
from healthgrid.model.comparison import Comparison
from healthgrid.model.grid import Grid

MAX_LABEL = 40  # shields draws the whole label; a long title makes an unreadable badge


def badge(grid: Grid | Comparison) -> dict:
    counts = grid.today_counts()
    parts = [f"{counts[b]} {b.badge_word}" for b in (Band.GOOD, Band.WARNING, Band.CRITICAL, Band.NODATA) if counts[b]]
    worst = next((b for b in Band if counts[b]), Band.NODATA)  # "no data" colours only a column with nothing else
    label = grid.title if len(grid.title) <= MAX_LABEL else grid.title[: MAX_LABEL - 1].rstrip() + "…"
    return {"schemaVersion": 1, "label": label, "message": " · ".join(parts) or "no rows", "color": worst.badge_color}


def badge_json(grid: Grid | Comparison) -> str:
    return json.dumps(badge(grid), ensure_ascii=False) + "\n"


def badge_name(grid_name: str) -> str:
    return f"{grid_name}.badge.json"


def badge_markdown(document_url: str, alt: str = "health") -> str:
    """README Markdown for the badge served from `document_url`."""
    return f"![{alt}](https://img.shields.io/endpoint?url={quote(document_url, safe='')})"
