"""The pipeline: config -> source -> Grid -> render -> files -> publish -> report.

`run(options, console) -> RunResult` is what `healthgrid render`, `healthgrid run` and the Action
all call; they differ only in how they fill RunOptions and print the RunResult. Progress and each
failed grid's error go to `console` as they happen; the result holds everything to print after.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from healthgrid.config import Config
from healthgrid.console import Console
from healthgrid.credentials import Credentials
from healthgrid.errors import HealthgridError, RunError
from healthgrid.files.markdown import GridText
from healthgrid.net import Budget
from healthgrid.publish import PublishOptions
from healthgrid.text import log_line, plural


@dataclass
class RunOptions:
    config: Config
    now: datetime
    out: Path = Path("healthgrid-out")
    formats: tuple[str, ...] = ("png",)
    theme: str = "both"  # light | dark | both
    grids: list[str] | None = None  # names; None renders every grid of the config
    demo: bool = False
    data: str | None = None  # a grid data file instead of a source
    timeout: float = 60.0  # seconds to fetch one grid from Datadog, retries included
    deadline: float | None = None  # seconds from the run's start after which no grid starts; None: none
    publish: PublishOptions | None = None  # None: render only; no publish, no report
    credentials: Credentials = field(default_factory=Credentials, repr=False)
    debug: bool = False  # a grid's internal error also prints its traceback


@dataclass
class GridResult:
    name: str
    ok: bool
    files: list[Path] = field(default_factory=list)
    contents: dict[str, bytes] = field(default_factory=dict)
    error: str | None = None
    missing_cells: int = 0
    render_seconds: float = 0.0
    text: GridText | None = field(default=None, repr=False)  # what the grid says in words (a grid that rendered)

    def as_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "files": [str(p) for p in self.files], "missing_cells": self.missing_cells,
                "render_seconds": round(self.render_seconds, 3), **({"error": self.error} if self.error else {})}


@dataclass
class RunResult:
    grids: list[GridResult]
    files: list[Path] = field(default_factory=list)  # the run's own files (index.html), beside the grids'
    contents: dict[str, bytes] = field(default_factory=dict)
    images: list = field(default_factory=list)  # [Published]
    changed: bool = False
    publish_error: RunError | None = None
    publishing: bool = False  # the run publishes what it rendered (run, the Action), or only writes files (render)

    def all_contents(self) -> dict[str, bytes]:
        """Every file written for a grid that rendered, then the run's own: what is published."""
        return {**{name: content for r in self.grids if r.ok for name, content in r.contents.items()}, **self.contents}

    def texts(self) -> list[GridText]:
        """What each grid that rendered says in words, in the order run."""
        return [r.text for r in self.grids if r.ok and r.text is not None]

    def embeds(self) -> dict[str, str]:
        from healthgrid.files.embed import embeds

        return embeds(self.images, {t.name: t.alt for t in self.texts()})

    def end_error(self) -> RunError | None:
        """What ends the run with exit code 1, if anything: the publish, else the grids that failed,
        and what became of their files (or, in a run that publishes, of their published images)."""
        if self.publish_error:
            return self.publish_error
        failed = [r.name for r in self.grids if not r.ok]
        if failed:
            kept = "their published images were left as they were" if self.publishing else "their files were left as they were"
            return RunError(f"{len(failed)} of {plural(len(self.grids), 'grid')} failed: {', '.join(failed)}; {kept}")
        return None


def run(options: RunOptions, console: Console) -> RunResult:
    """Render every grid; then, with options.publish, publish those that rendered and report."""
    from healthgrid.site.target import check

    for warning in options.config.warnings:
        console.warn(warning)
    if options.publish:
        check(options.publish)
    deadline = Budget(options.deadline) if options.deadline else None  # counted from here, before any fetch
    result = RunResult(render_grids(options, console, deadline), publishing=options.publish is not None)
    if "html" in options.formats and any(r.ok for r in result.grids):
        _write_index(options, result, console)
    if options.publish is None:
        return result
    if any(r.ok for r in result.grids):
        from healthgrid.publish import publish

        try:
            result.images, result.changed = publish(result.all_contents(), options.publish, console)
        except RunError as exc:
            result.publish_error = exc
    from healthgrid.datadog.report import report

    report(options.config.report, result.grids, result.images, options.credentials, console)
    return result


def render_grids(options: RunOptions, console: Console, deadline: Budget | None = None) -> list[GridResult]:
    """Source -> Grid -> images and text files, one grid at a time.

    A grid whose data cannot be fetched writes nothing (its old files stay as they were). Once
    `deadline` has run out no further grid starts: those left fail, each with its line."""
    from healthgrid import process
    from healthgrid.errors import UsageError
    from healthgrid.files.outputs import THEME_CHOICES, OutDirError, describe, grid_files, make_out_dir, write_files
    from healthgrid.sources import plan

    config = options.config
    jobs = plan(config, options.grids, demo=options.demo, data=options.data, now=options.now,
                credentials=options.credentials, budget=options.timeout, warn=console.warn)
    out_dir = Path(options.out)
    if out_dir.is_symlink():  # a checked-out pull request may plant one to send our files elsewhere
        raise UsageError(f"--out: {out_dir} is a symbolic link; give the directory itself")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out: {out_dir} exists and is not a directory")
    if jobs:
        _load_renderer()
    layout = None
    if options.data is None and sum(g.type == "heatmap" for g in config.grids) > 1:
        from healthgrid.render import shared_layout

        layout = shared_layout(config.grids)  # from every grid of the config, so a matrix of --grid runs agrees
    results = []
    for k, job in enumerate(jobs):
        name = job.spec.name
        if deadline is not None and deadline.remaining() <= 0:
            results += not_started(jobs[k:], deadline, console)
            break
        try:
            grid = job.fetch()
            make_out_dir(out_dir)  # only once there is something to write; failing here fails every grid alike
            start = time.perf_counter()
            text = describe(grid, job.spec)
            files = grid_files(grid, job.spec, text, options.formats, THEME_CHOICES[options.theme], layout, config.status_page)
            paths = write_files(out_dir, files)  # all of the grid's files, or none
        except OutDirError:
            raise
        except RunError as exc:
            console.error(str(exc))
            results.append(GridResult(name, ok=False, error=log_line(str(exc))))
            continue
        except HealthgridError:
            raise
        except Exception as exc:  # a bug met by one grid's data: that grid fails, the others still render and publish
            results.append(internal_error(name, exc, console, options.debug))
            continue
        elapsed = time.perf_counter() - start
        _warn_out_of_range(grid, console)
        _warn_missing_glyphs(grid, console)
        console.progress(status_line(grid, elapsed))
        results.append(GridResult(grid.name, ok=True, files=paths, contents=files, missing_cells=grid.missing_cells, render_seconds=elapsed, text=text))
        process.tidy()
    return results


def internal_error(name: str, exc: Exception, console: Console, debug: bool) -> GridResult:
    """One grid's bug as the one line a command's bug gets (healthgrid.console.failure), naming the grid."""
    message = f"{name}: internal error: {type(exc).__name__}: {exc}" + ("" if debug else " (run with --debug for details)")
    if debug:
        import traceback

        console.debug("".join(traceback.format_exception(exc)))
    console.error(message)
    return GridResult(name, ok=False, error=log_line(message))


def not_started(jobs, deadline: Budget, console: Console) -> list[GridResult]:
    """The grids a run had no time left for: each failed, with the same line."""
    results = []
    for job in jobs:
        message = f"{job.spec.name}: not rendered: the run's --deadline of {deadline.seconds:g}s had passed"
        console.error(message)
        results.append(GridResult(job.spec.name, ok=False, error=log_line(message)))
    return results


def _load_renderer() -> None:
    """Import the drawing libraries before the first grid, then let the process keep them out of
    every later collection (healthgrid.process: ~0.1 s of a short run)."""
    from healthgrid import process, render  # noqa: F401 - imported for its libraries: matplotlib, numpy

    process.settled()


def _write_index(options: RunOptions, result: RunResult, console: Console) -> None:
    """index.html: every grid in --out, this run's and earlier ones', published with the grids.
    The run's own page never holds the grids back: a failure here is a warning."""
    from healthgrid.files.index import build_index, folder_files
    from healthgrid.files.outputs import write_files

    out_dir = Path(options.out)
    try:
        names, read = folder_files(out_dir, console.warn)
    except OSError as exc:
        console.warn(f"--out: {out_dir}: cannot list the folder ({exc.strerror}); no index.html, the grids go out without it")
        return
    result.contents["index.html"] = build_index(names, read, options.now)
    try:
        result.files += write_files(out_dir, {"index.html": result.contents["index.html"]})
    except RunError as exc:
        console.warn(f"{exc}; the grids go out all the same")


def status_line(grid, seconds: float) -> str:
    """`NAME: 7 rows × 7 days, 2 of 49 cells without data, 0.41s` (a comparison: `2 rows × 12 values of
    policy, 1 of 24 bars without data`)."""
    if getattr(grid, "type", None) == "comparison":
        bars = len(grid.rows) * len(grid.tags)
        return (f"{grid.name}: {plural(len(grid.rows), 'row')} × {plural(len(grid.tags), 'value')} of {grid.by}, "
                f"{grid.missing_cells} of {plural(bars, 'bar')} without data, {seconds:.2f}s")
    cells = len(grid.rows) * len(grid.days)
    return (f"{grid.name}: {plural(len(grid.rows), 'row')} × {plural(len(grid.days), 'day')}, "
            f"{grid.missing_cells} of {plural(cells, 'cell')} without data, {seconds:.2f}s")


def _warn_out_of_range(grid, console: Console) -> None:
    from itertools import groupby

    for _, cells in groupby(grid.out_of_range(), key=lambda cell: id(cell[0])):
        (row, day, value), *more = cells
        if row.score is None:
            extra = f" (and {len(more)} more)" if more else ""
            where = f"for {day}" if isinstance(day, str) else f"on {day}"  # a comparison's tag value, or a day
            console.warn(f"{grid.name}: {row.label!r} {where}: FoM {value:g} is outside [0, 1]; clamped for colour{extra}")


def _warn_missing_glyphs(grid, console: Console) -> None:
    """Text the picture's font has no glyphs for is drawn as boxes; the text files carry it as written."""
    from healthgrid.render.style import FONT, missing_glyphs

    texts = {"title": grid.title}
    for row in grid.rows:
        texts.update({f"row {row.label!r}": row.label, f"group {row.group!r}": row.group or "", f"unit {row.unit!r}": row.unit or ""})
    texts.update({f"{grid.by} {tag!r}": tag for tag in getattr(grid, "tags", [])})
    missing = {where: chars for where, text in texts.items() if (chars := missing_glyphs(text))}
    if missing:
        chars = list(dict.fromkeys(c for cs in missing.values() for c in cs))
        shown = ", ".join(repr(c) for c in chars[:8]) + (f" and {len(chars) - 8} more" if len(chars) > 8 else "")
        where = ", ".join(list(missing)[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        console.warn(f"{grid.name}: the picture's font ({FONT}) has no glyph for {shown} ({where}): drawn as boxes in the images; "
                     "the Markdown, HTML and JSON carry the text as written")
