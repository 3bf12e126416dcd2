"""A grid's rows in sections, the one way every output (the heatmap, the trend chart, the Markdown
table, the HTML page) groups them.

A section is a run of consecutive rows of the same `group:`, in config order; a group named again
further down starts a new section. Rows without a group at the top form an untitled section; rows
without a group after a grouped row are titled "Other", so they never read as part of the group
above them.
"""

from __future__ import annotations

from typing import NamedTuple

from healthgrid.model.grid import Grid

OTHER = "Other"


class Section(NamedTuple):
    heading: str | None  # None: the untitled rows at the top (or every row, when none has a group)
    rows: list[int]  # indices into grid.rows


def sections(grid: Grid) -> list[Section]:
    out: list[Section] = []
    for i, row in enumerate(grid.rows):
        heading = row.group or (OTHER if out and out[-1].heading is not None else None)
        if out and out[-1].heading == heading:
            out[-1].rows.append(i)
        else:
            out.append(Section(heading, [i]))
    return out


def headings(grid: Grid) -> dict[int, str]:
    """Row index -> the heading shown just above that row, for outputs that walk the rows in order."""
    return {rows[0]: heading for heading, rows in sections(grid) if heading is not None}
