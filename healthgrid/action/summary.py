"""The job summary: errors first, then each grid's Markdown, then the embed snippet, within
GitHub's limit of 1 MiB."""

from __future__ import annotations

import os

from healthgrid.action.runner import append
from healthgrid.files.fit import GridMarkdown

SUMMARY_ERRORS_LIMIT = 4000  # characters of error text quoted in the job summary


def embed_block(embed: str) -> str:
    """The embed as a fenced code block: copied, not rendered. The fence is longer than any run
    of backticks inside (alt text comes from user titles), so nothing can close it early."""
    import re

    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", embed)), default=0))
    return f"Embed (follows light/dark mode; versioned URLs beat caches):\n\n{fence}html\n{embed}\n{fence}"


def grid_blocks(grids: list, images: list) -> list[GridMarkdown]:
    """The Markdown of each grid that rendered (a GridResult, with what the grid says in words), its
    image at its versioned URL (NAME.md names it by file, which means nothing in a summary or a
    comment) and, should its table be left out, a link to the grid's page beside its image."""
    from healthgrid.files.fit import sibling

    blocks = []
    for r in grids:
        image = grid_image(r.name, images)
        page = ".html" if f"{r.name}.html" in r.contents else ".md"
        blocks.append(r.text.block(image.versioned_url if image else None, sibling(image.url, r.name, (page,)) if image else None))
    return blocks


def grid_image(name: str, images: list):
    """The image shown under a grid's title: its light PNG, else its dark one (a dark-only run)."""
    by_file = {i.file: i for i in images}
    return by_file.get(f"{name}.png") or by_file.get(f"{name}_dark.png")


def summary(path: str | None, grids: list[GridMarkdown], embed: str, errors: list[str], console) -> None:
    """The job summary: errors first, then each grid's Markdown, then the embed snippet, within
    GitHub's 1 MiB (a longer summary is dropped whole): past it, tables give way to links
    (healthgrid.files.fit) and the text says so; the errors always stay."""
    from healthgrid.files.fit import SUMMARY_LIMIT, SUMMARY_WHAT, fit, utf8_bytes
    from healthgrid.text import md_code_block

    if not path:
        return
    # Quoted verbatim but inert: they may echo Datadog's or a proxy's error body.
    first = "**healthgrid failed:**\n\n" + md_code_block("\n".join(errors), limit=SUMMARY_ERRORS_LIMIT) if errors else ""
    tail = embed_block(embed) if embed else ""
    if not (first or grids or tail):
        return
    try:
        room = SUMMARY_LIMIT - os.path.getsize(path)  # the file is the step's; anything already in it counts
    except OSError:
        room = SUMMARY_LIMIT
    if room > 0:
        text = fit(first, grids, tail, room, utf8_bytes, SUMMARY_WHAT, tail_note="The embed snippet is left out here: the `embed` output holds it.",
                   tail_name="the embed snippet")
        append(path, text, "GITHUB_STEP_SUMMARY", console)


def doctor_summary(path: str | None, report, console) -> None:
    """`command: doctor`: its table, within what is left of the step's summary."""
    from healthgrid.files.fit import SUMMARY_LIMIT

    if not path:
        return
    try:
        room = SUMMARY_LIMIT - os.path.getsize(path)  # the file is the step's; anything already in it counts
    except OSError:
        room = SUMMARY_LIMIT
    append(path, report.markdown(room), "GITHUB_STEP_SUMMARY", console)
