"""Sections of the docs that a tool writes: the text between a start and an end marker.

Each generating tool (action_docs.py, cli_docs.py) prints its section, or with --write puts it
between its markers in every page that holds them; a test compares the pages with the output.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent


def section(text: str, start: str, end: str) -> str | None:
    """The marked section of `text`, markers included, or None when it has none."""
    match = re.search(re.escape(start) + r".*?" + re.escape(end), text, re.S)
    return match.group(0) if match else None


def main(argv: list[str], pages: tuple[str, ...], start: str, end: str, generate: Callable[[], str]) -> int:
    """Print the generated section, or with --write replace it in each page."""
    generated = generate()
    if "--write" not in argv:
        print(generated)
        return 0
    for name in pages:
        page = ROOT / name
        text = page.read_text()
        current = section(text, start, end)
        if current is None:
            print(f"{name} has no markers {start!r}", file=sys.stderr)
            return 1
        page.write_text(text.replace(current, generated))
    return 0
