"""`NAME.badge.json`: a shields.io endpoint document summarising today's column of a grid.

    ![health](https://img.shields.io/endpoint?url=https%3A%2F%2FOWNER.github.io%2FREPO%2Fhealthgrid%2FNAME.badge.json)

shields.io fetches the document (and caches it for at least five minutes), so a README badge
follows the grid without a new URL.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from healthgrid.model.comparison import Comparison
from healthgrid.model.grid import Grid

# shields.io colour names, worst band first; "no data" only colours a column with nothing else.
COLORS = {"critical": "red", "warning": "yellow", "good": "brightgreen", "nodata": "lightgrey"}
WORDS = {"good": "ok", "warning": "warn", "critical": "crit", "nodata": "no data"}
MAX_LABEL = 40  # shields draws the whole label; a long title makes an unreadable badge


def badge(grid: Grid | Comparison) -> dict:
    counts = grid.today_counts()
    parts = [f"{counts[b]} {WORDS[b]}" for b in ("good", "warning", "critical", "nodata") if counts[b]]
    worst = next((b for b in COLORS if counts[b]), "nodata")
    label = grid.title if len(grid.title) <= MAX_LABEL else grid.title[: MAX_LABEL - 1].rstrip() + "…"
    return {"schemaVersion": 1, "label": label, "message": " · ".join(parts) or "no rows", "color": COLORS[worst]}


def badge_json(grid: Grid | Comparison) -> str:
    return json.dumps(badge(grid), ensure_ascii=False) + "\n"


def badge_name(grid_name: str) -> str:
    return f"{grid_name}.badge.json"


def badge_markdown(document_url: str, alt: str = "health") -> str:
    """README Markdown for the badge served from `document_url`."""
    return f"![{alt}](https://img.shields.io/endpoint?url={quote(document_url, safe='')})"
