"""The job summary: errors first, then each grid's Markdown, then the embed snippet, within
GitHub's limit of 1 MiB."""

from __future__ import annotations

import os
from pathlib import Path

from healthgrid.action.runner import append

SUMMARY_ERRORS_LIMIT = 4000  # characters of error text quoted in the job summary


def embed_block(embed: str) -> str:
    """The embed as a fenced code block: copied, not rendered. The fence is longer than any run
    of backticks inside (alt text comes from user titles), so nothing can close it early."""
    import re

    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", embed)), default=0))
    return f"Embed (follows light/dark mode; versioned URLs beat caches):\n\n{fence}html\n{embed}\n{fence}"


def summary(path: str | None, markdown: list[tuple[str, Path]], images: list, embed: str, errors: list[str]) -> None:
    """The job summary: errors first, then each grid's Markdown, then the embed snippet, within
    GitHub's 1 MiB (a longer summary is dropped whole): past it, tables give way to links
    (healthgrid.mdfit) and the text says so; the errors always stay."""
    from healthgrid.files.fit import SUMMARY_LIMIT, SUMMARY_WHAT, fit, sibling, split_grid, utf8_bytes
    from healthgrid.text import md_code_block, md_url

    if not path:
        return
    by_file = {i.file: i for i in images}
    grids = []
    for name, md_path in markdown:
        if not md_path.is_file():
            continue
        image = by_file.get(f"{name}.png") or by_file.get(f"{name}_dark.png")
        # The Markdown points at the image by file name; in a summary it must be a URL, or go.
        lines = [(line.replace(f"]({name}.png)", f"]({md_url(image.versioned_url)})") if image else "")
                 if line.startswith("![") else line for line in md_path.read_text(encoding="utf-8").splitlines()]
        page = ".html" if md_path.with_suffix(".html").is_file() else ".md"
        grids.append(split_grid(name, "\n".join(lines), sibling(image.url, name, (page,)) if image else None))
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
        append(path, text, "GITHUB_STEP_SUMMARY")
