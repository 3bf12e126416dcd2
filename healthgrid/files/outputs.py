"""Write a grid's files: every image is rendered in memory first, then the grid's files replace
the old ones as a set, so a failure part-way never leaves a broken or half-written image where a
good one was, nor new images beside the previous run's NAME.json and NAME.md."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path

from healthgrid.config import GridSpec, StatusPageSpec
from healthgrid.errors import RunError
from healthgrid.files.data import grid_json
from healthgrid.files.markdown import GridText
from healthgrid.files.markdown import grid_text as markdown_text
from healthgrid.model.comparison import Comparison
from healthgrid.model.grid import Grid
from healthgrid.site.names import image_name
from healthgrid.text import shown

THEME_CHOICES = {"light": ("light",), "dark": ("dark",), "both": ("light", "dark")}


def describe(grid: Grid | Comparison, spec: GridSpec) -> GridText:
    """What the grid says in words (its alt text and Markdown table), worked out once for NAME.md
    and every place the run shows them."""
    if isinstance(grid, Comparison):
        from healthgrid.files.comparison_text import grid_text

        return grid_text(grid)
    return markdown_text(grid, trend=spec.trend_column)


def grid_files(grid: Grid | Comparison, spec: GridSpec, text: GridText, formats: tuple[str, ...], themes: tuple[str, ...], layout=None,
               status_page: StatusPageSpec = StatusPageSpec()) -> dict[str, bytes]:
    """File name -> content, images first (PNG light, PNG dark, ...), then NAME.json, NAME.md (from
    `text`, the grid's `describe`) and NAME.badge.json.
    `layout`: the sizes this grid shares with the other heatmaps of its config."""
    from healthgrid import render
    from healthgrid.files.badge import badge_json, badge_name

    files: dict[str, bytes] = {}
    images = [image_name(grid.name, theme, fmt) for fmt in formats if fmt != "html" for theme in themes]
    # One figure a theme, drawn only when an image is asked for: the HTML page is a table, not a picture.
    figures = {theme: render.figure_for(grid, spec, theme, layout) for theme in themes} if images else {}
    for fmt in formats:
        for theme in themes:
            if fmt == "html":
                from healthgrid.files.comparison_page import comparison_page
                from healthgrid.files.page import page

                page_of = comparison_page if isinstance(grid, Comparison) else page
                files[image_name(grid.name, theme, "html")] = page_of(grid, spec, theme, images, status_page.refresh_seconds)
            else:
                files[image_name(grid.name, theme, fmt)] = render.figure_bytes(figures[theme], fmt)
    for fig in figures.values():
        fig.clear()  # breaks the artists' reference cycles, so most of a figure is freed as soon as it is dropped
    first_image = next((n for n in files if n.endswith(".png")), None)
    # The status page is rebuilt from these files alone (gh-pages), so they carry what it needs.
    files[f"{grid.name}.json"] = grid_json(grid, {
        "bands": {"critical": grid.bands.critical, "warning": grid.bands.warning},
        "status_page": {"refresh_seconds": status_page.refresh_seconds, "stale_after_minutes": status_page.stale_after_minutes}}).encode()
    files[f"{grid.name}.md"] = text.markdown(first_image).encode()
    files[badge_name(grid.name)] = badge_json(grid).encode()
    return files


class OutDirError(RunError):
    """--out cannot be created: no grid can be written."""


def make_out_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutDirError(f"--out: {out_dir}: cannot create the folder: {exc.strerror or type(exc).__name__}") from None


def write_files(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write one grid's files into `out_dir` as a set: all are replaced, or (on any error) none.

    POSIX has no rename of several files at once, so "as a set" means: every new file is written
    and fsync'd in a hidden temporary folder inside `out_dir` first (ENOSPC and quota errors show
    up here, often only at fsync), then each is renamed over its old version; if a rename fails,
    the ones already renamed are put back from hard links of the old files. Each file is always
    whole; a reader listing the folder during the renames (microseconds) or a crash in between can
    see a mix of old and new complete files. Raises RunError, with nothing changed, naming the
    file (or the temporary folder) whatever the error said: a full disk often names none."""
    make_out_dir(out_dir)
    try:
        changed = {n: c for n, c in files.items() if not _same(out_dir / n, c)}
        if changed:
            with _naming("its temporary folder (.healthgrid-*)"):
                tmp = Path(tempfile.mkdtemp(prefix=".healthgrid-", dir=out_dir))
            try:
                _swap_in(out_dir, tmp, changed)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    except _Unwritable as exc:
        raise RunError(f"--out: {out_dir}: cannot write {exc.what}: {exc.reason}; its files were left as they were") from None
    return [out_dir / name for name in files]


class _Unwritable(OSError):
    """An I/O error with what it happened to, said the same way whatever the system named."""

    def __init__(self, what: str, exc: OSError):
        super().__init__(exc.errno, exc.strerror)
        self.what, self.reason = what, exc.strerror or type(exc).__name__


@contextmanager
def _naming(what: str):
    try:
        yield
    except _Unwritable:
        raise
    except OSError as exc:
        raise _Unwritable(what, exc) from exc


def _swap_in(out_dir: Path, tmp: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        with _naming(shown(name)):
            _write_file(tmp / name, content)
    for name in files:  # keep the old entries (a hard link costs no space) to put back on failure
        with _naming(shown(name)):
            if os.path.lexists(out_dir / name):
                try:
                    os.link(out_dir / name, tmp / f".old.{name}", follow_symlinks=False)
                except OSError:  # a file system without hard links: a copy (which may fail for space: nothing changed yet)
                    shutil.copy2(out_dir / name, tmp / f".old.{name}", follow_symlinks=False)
    done = []
    try:
        for name in files:
            with _naming(shown(name)):
                os.replace(tmp / name, out_dir / name)
            done.append(name)
    except _Unwritable:
        for name in done:
            old = tmp / f".old.{name}"
            with _naming(shown(name)):
                if os.path.lexists(old):
                    os.replace(old, out_dir / name)
                else:
                    (out_dir / name).unlink(missing_ok=True)
        raise


def _same(path: Path, content: bytes) -> bool:
    """An unchanged file is not rewritten, so it keeps its mtime (never read through a link)."""
    with _naming(shown(path.name)):
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return False
        return stat.S_ISREG(st.st_mode) and st.st_size == len(content) and path.read_bytes() == content


def _write_file(path: Path, content: bytes) -> None:
    """Written with no buffer in between: a buffered file flushes again as it closes, and that
    second error (naming no file) would replace the first."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb", buffering=0) as fh:
        os.fchmod(fh.fileno(), 0o644)  # readable when published, whatever the umask
        view = memoryview(content)
        while view:
            view = view[fh.write(view):]
        os.fsync(fh.fileno())
