"""Markdown that fits GitHub's limits. A pull-request comment holds at most 65,536 characters (GitHub
answers 422 to a longer one, and there is no preview); a job summary at most 1 MiB (a longer one is
dropped whole, errors included).

Each grid's Markdown (`NAME.md`) is a heading, its image, an alt-text paragraph, then its table.
When everything does not fit, the largest tables go first, each replaced by a line that links to
the grid's own page (`NAME.html`, else `NAME.md`, beside its image) when there is one; then a
droppable block (the summary's embed snippet); then the alt-text paragraphs (the image keeps its
alt text); then whole grids from the end, named in one line. A line at the top says what was left
out. What must survive (a summary's errors, a comment's marker) goes first and is never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from healthgrid.text import md_text, md_url, plural

COMMENT_LIMIT = 65_536  # characters of a comment body, counted in UTF-16 units (never fewer than GitHub counts)
SUMMARY_LIMIT = 1 << 20  # bytes of one step's job summary
COMMENT_WHAT = "limit of 65,536 characters for a comment"
SUMMARY_WHAT = "limit of 1 MiB for a job summary"


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf8_bytes(text: str) -> int:
    return len(text.encode())


@dataclass
class GridMarkdown:
    name: str
    head: list[str]  # heading and image lines
    alt: str  # the alt-text paragraph(s)
    table: str  # the table and its legend
    link: str | None = None  # where the whole table is, when it is published


def split_grid(name: str, text: str, link: str | None = None) -> GridMarkdown:
    """NAME.md as its parts: before the first table line, headings and images are the head and the
    rest is the alt text; from the first table line on, the table."""
    lines = text.strip("\n").split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith("|")), len(lines))
    before = [line for line in lines[:start] if line.strip()]
    head = [line for line in before if line.startswith(("#", "!["))]
    alt = "\n\n".join(line for line in before if not line.startswith(("#", "![")))
    return GridMarkdown(name, head, alt, "\n".join(lines[start:]).strip("\n"), link)


def sibling(image_url: str, name: str, pages: tuple[str, ...] = (".md",)) -> str | None:
    """The URL of the grid's page beside its image, where files keep their names (gh-pages, S3):
    `…/NAME.png?v=…` -> `…/NAME.html` (the first of `pages`)."""
    match = re.match(rf"(.*/){re.escape(name)}(?:_dark)?\.(?:png|svg)(?:\?.*)?$", image_url)
    return f"{match.group(1)}{name}{pages[0]}" if match else None


def fit(first: str, grids: list[GridMarkdown], tail: str, limit: int, size: Callable[[str], int], what: str,
        tail_note: str = "", tail_name: str = "") -> str:
    """`first`, the grids, then `tail` (droppable when `tail_name` names it: `tail_note` then stands
    in for it), shortened as the module says until `size(text) <= limit`. Sizes add up part by part, so each grid is measured a
    few times at most, however large the whole."""
    plan = _Plan(first, grids, tail, size, what, tail_note, tail_name)
    by_table = sorted(range(len(grids)), key=lambda k: -size(grids[k].table))
    by_alt = sorted(range(len(grids)), key=lambda k: -size(grids[k].alt))
    for k in by_table:
        if plan.total() <= limit:
            return plan.text()
        plan.tables[k] = False
    if plan.total() > limit and tail_name:
        plan.keep_tail = False
    for k in by_alt:
        if plan.total() <= limit:
            break
        plan.alts[k] = False
    while plan.total() > limit and plan.shown > 0:
        plan.shown -= 1
    # What the later steps freed may hold some of what went first: the smallest back first.
    for flags, order in ((plan.alts, by_alt), (plan.tables, by_table)):
        for k in reversed(order):
            if k < plan.shown and not flags[k]:
                flags[k] = True
                if plan.total() > limit:
                    flags[k] = False
    return cut(plan.text(), limit, size)


class _Plan:
    """Which parts are kept; the text they make and its size."""

    def __init__(self, first, grids, tail, size, what, tail_note, tail_name):
        self.first, self.grids, self.tail, self.size, self.what = first, grids, tail, size, what
        self.tail_note, self.tail_name = tail_note, tail_name
        self.tables = [True] * len(grids)
        self.alts = [True] * len(grids)
        self.keep_tail = True
        self.shown = len(grids)
        self._sizes: dict[tuple, int] = {}

    def block(self, k: int) -> str:
        grid = self.grids[k]
        parts = list(grid.head) + ([grid.alt] if self.alts[k] and grid.alt else [])
        if self.tables[k] and grid.table:
            parts.append(grid.table)
        elif grid.table:
            where = f": [{md_text(grid.name)} in full]({md_url(grid.link)})" if grid.link else ""
            parts.append(f"_The table is left out to fit GitHub's {self.what}{where}._")
        return "\n\n".join(parts)

    def notice(self) -> str:
        notes = []
        if self.tables.count(False):
            notes.append(f"{plural(self.tables.count(False), 'table')} linked instead of shown")
        if not self.keep_tail and self.tail:
            notes.append(f"{self.tail_name} left out")
        if self.alts.count(False):
            notes.append("alt-text paragraphs left out (each image keeps its alt text)")
        if self.shown < len(self.grids):
            notes.append(f"{plural(len(self.grids) - self.shown, 'grid')} left out: " + ", ".join(md_text(g.name) for g in self.grids[self.shown:]))
        return f"**Shortened to fit GitHub's {self.what}:** " + "; ".join(notes) + "." if notes else ""

    def _parts(self, render: bool) -> list:
        """The parts in order: strings, or (for grids, when not `render`) the key of their size."""
        grids = [self.block(k) if render else (k, self.tables[k], self.alts[k]) for k in range(self.shown)]
        tail = (self.tail if self.keep_tail else self.tail_note) if self.tail else ""
        return [p for p in [self.first, self.notice(), *grids, tail] if not isinstance(p, str) or p]

    def total(self) -> int:
        sizes = []
        for part in self._parts(render=False):
            if isinstance(part, tuple):
                if part not in self._sizes:
                    self._sizes[part] = self.size(self.block(part[0]))
                sizes.append(self._sizes[part])
            else:
                sizes.append(self.size(part))
        sizes = [n for n in sizes if n]  # an empty part is left out of the text
        return sum(sizes) + self.size("\n\n") * max(0, len(sizes) - 1) + self.size("\n")

    def text(self) -> str:
        return "\n\n".join(p for p in self._parts(render=True) if p) + "\n"


def cut(text: str, limit: int, size: Callable[[str], int]) -> str:
    """`text` itself when it fits, else its start and a note, within `limit`."""
    if size(text) <= limit:
        return text
    note = "\n\n…(cut to fit GitHub's limit)\n"
    keep = limit - size(note)
    if keep < 0:  # not even the note fits: nothing does
        return ""
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits
        mid = (lo + hi + 1) // 2
        if size(text[:mid]) <= keep:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + note
