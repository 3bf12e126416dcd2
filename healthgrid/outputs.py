"""Write a grid's files: every image is rendered in memory first, then all are written atomically,
so a failure part-way never leaves a broken or half-written image where a good one was."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from healthgrid.config import GridSpec
from healthgrid.grid import Grid
from healthgrid.textout import grid_json, markdown

FORMATS = ("png", "svg", "html")
THEME_CHOICES = {"light": ("light",), "dark": ("dark",), "both": ("light", "dark")}


def image_name(name: str, theme: str, fmt: str) -> str:
    return f"{name}{'_dark' if theme == 'dark' else ''}.{fmt}"


def grid_files(grid: Grid, spec: GridSpec, formats: tuple[str, ...], themes: tuple[str, ...]) -> dict[str, bytes]:
    """File name -> content, images first (PNG light, PNG dark, ...), then NAME.json, NAME.md and
    NAME.badge.json."""
    from healthgrid import render
    from healthgrid.badge import badge_json, badge_name

    files: dict[str, bytes] = {}
    figures = {theme: render.figure_for(grid, spec, theme) for theme in themes}
    for fmt in formats:
        for theme in themes:
            if fmt == "html":
                from healthgrid.html import page

                files[image_name(grid.name, theme, "html")] = page(grid, spec, theme, render.figure_bytes(figures[theme], "svg"))
            else:
                files[image_name(grid.name, theme, fmt)] = render.figure_bytes(figures[theme], fmt)
    for fig in figures.values():
        fig.clear()  # breaks the artists' reference cycles, so most of a figure is freed as soon as it is dropped
    first_image = next((n for n in files if n.endswith(".png")), None)
    files[f"{grid.name}.json"] = grid_json(grid).encode()
    files[f"{grid.name}.md"] = markdown(grid, spec.bands, image=first_image, trend=spec.trend).encode()
    files[badge_name(grid.name)] = badge_json(grid, spec.bands).encode()
    return files


def write_files(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        path = out_dir / name
        if not (path.is_file() and path.read_bytes() == content):  # unchanged files keep their mtime
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=out_dir)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(content)
                os.chmod(tmp, 0o644)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        written.append(path)
    return written
