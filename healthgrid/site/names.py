"""The names of the files a grid writes, and of the run's own: one place, so a config (or a `--data`
file) whose grids would overwrite each other's files is refused before anything is written.

A grid NAME writes, in every format and theme a run may ask for: NAME.png, NAME_dark.png, NAME.svg,
NAME_dark.svg, NAME.html, NAME_dark.html, then NAME.json, NAME.md and NAME.badge.json. The run
writes index.html beside them. Nothing else is healthgrid's (`is_written_file`)."""

from __future__ import annotations

import re

NAME_RE = re.compile(r"[a-z0-9_-]{1,100}")  # a grid's name; always fullmatch: `$` would let "g\n" through
FORMATS = ("png", "svg", "html")
THEMES = ("light", "dark")
RUN_FILES = {"index.html": "the status page"}


def image_name(name: str, theme: str, fmt: str) -> str:
    return f"{name}{'_dark' if theme == 'dark' else ''}.{fmt}"


def grid_files(name: str, formats: tuple[str, ...] = FORMATS, themes: tuple[str, ...] = THEMES) -> dict[str, str]:
    """File name -> what it is, for every file the grid writes with these formats and themes."""
    files = {}
    for fmt in formats:
        for theme in themes:
            files[image_name(name, theme, fmt)] = f"{theme} {'HTML page' if fmt == 'html' else fmt.upper() + ' image'}"
    files[f"{name}.json"] = "data"
    files[f"{name}.md"] = "Markdown"
    files[f"{name}.badge.json"] = "badge"
    return files


def collisions(names: list[str]) -> list[tuple[int, int | None, str, str, str]]:
    """Each grid (by position) whose files would overwrite another's, once per pair:
    (i, j, file, what it is to grid i, what it is to grid j), j < i; j is None for a run file.

    File names are compared case-insensitively: on a case-insensitive file system (macOS, Windows)
    or behind a case-insensitive URL, `A.png` and `a.png` are one file. Grids with the same name
    are left out (that is its own, plainer error)."""
    owners: dict[str, tuple[int | None, str, str]] = {f.casefold(): (None, f, what) for f, what in RUN_FILES.items()}
    found = []
    for i, name in enumerate(names):
        reported: set[int | None] = set()
        for file, what in grid_files(name).items():
            j, _, theirs = owners.setdefault(file.casefold(), (i, file, what))
            if j != i and j not in reported and (j is None or names[j] != name):
                reported.add(j)
                found.append((i, j, file, what, theirs))
    return found


def is_written_file(file_name: str) -> bool:
    """Whether `file_name` (one name, no folder) is one healthgrid writes: a grid's file in any
    format and theme (NAME by the grid-name rule) or the run's own."""
    if file_name in RUN_FILES:
        return True
    endings = [name[1:] for name in grid_files("x")]  # .png, _dark.png, ..., .badge.json
    return any(file_name.endswith(end) and NAME_RE.fullmatch(file_name[: -len(end)]) for end in endings)
