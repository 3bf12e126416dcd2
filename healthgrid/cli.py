"""Command line: `healthgrid render|run|...`. Each command's docstring is its --help.

Errors are one line on stderr, `healthgrid: error: <what>`, exit 2 for usage/config and 1 for
run-time failures; `--debug` adds the traceback. Heavy modules load only in the commands that need
them, so `--help` and config errors stay fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from healthgrid import __version__
from healthgrid.errors import HealthgridError, RunError, UsageError, redact

PROG = "healthgrid"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage and exit; we want one line
        raise UsageError(message.replace("argument ", "", 1) if message.startswith("argument ") else message)


@dataclass
class GridResult:
    name: str
    ok: bool
    files: list[Path] = field(default_factory=list)
    error: str | None = None
    missing_cells: int = 0
    render_seconds: float = 0.0


class Console:
    """Where progress (stderr) and results (stdout) go; tests pass their own streams."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None):
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def progress(self, message: str) -> None:
        print(f"{PROG}: {message}", file=self.err, flush=True)

    def warn(self, message: str) -> None:
        print(f"{PROG}: warning: {message}", file=self.err, flush=True)

    def result(self, line: str) -> None:
        print(line, file=self.out, flush=True)


def parse_now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--now: {value!r} is not an ISO 8601 date-time (e.g. 2026-11-28T12:00:00Z)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def parse_formats(value: str) -> tuple[str, ...]:
    from healthgrid.outputs import FORMATS

    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    if not formats:
        raise UsageError("--format: give at least one of " + ", ".join(FORMATS))
    for f in formats:
        if f not in FORMATS:
            raise UsageError(f"--format: unknown format {f!r}; choose from {', '.join(FORMATS)}")
    return formats


def render_grids(args: argparse.Namespace, console: Console) -> tuple[list[GridResult], object]:
    """Config -> source -> Grid -> images and text files, one grid at a time.

    A grid whose data cannot be fetched writes nothing (its old files stay as they were)."""
    from healthgrid.config import load_config
    from healthgrid.outputs import THEME_CHOICES, grid_files, write_files
    from healthgrid.sources import plan

    now = parse_now(args.now)
    formats = parse_formats(args.format)
    config = load_config(args.config)
    jobs = plan(config, args.grid, demo=args.demo, data=args.data, now=now, budget=args.timeout, warn=console.warn)
    out_dir = Path(args.out)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out: {out_dir} exists and is not a directory")
    results = []
    for job in jobs:
        name = job.spec.name
        start = time.perf_counter()
        try:
            grid = job.fetch()
        except RunError as exc:
            console.progress(f"error: {exc}")
            results.append(GridResult(name, ok=False, error=str(exc)))
            continue
        files = grid_files(grid, job.spec, formats, THEME_CHOICES[args.theme])
        paths = write_files(out_dir, files)
        elapsed = time.perf_counter() - start
        _warn_out_of_range(grid, console)
        console.progress(f"{grid.name}: {len(grid.rows)} rows × {len(grid.days)} days, {grid.missing_cells} without data, {elapsed:.2f}s")
        results.append(GridResult(grid.name, ok=True, files=paths, missing_cells=grid.missing_cells, render_seconds=elapsed))
    return results, config


def _warn_out_of_range(grid, console: Console) -> None:
    import math

    for row in grid.rows:
        if row.score is None:
            bad = [(d, v) for d, v in zip(grid.days, row.values) if not math.isnan(v) and not 0 <= v <= 1]
            if bad:
                day, value = bad[0]
                more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
                console.warn(f"{grid.name}: {row.label!r} on {day}: FoM {value:g} is outside [0, 1]; clamped for colour{more}")


def _report_results(results: list[GridResult], as_json: bool, console: Console) -> int:
    if as_json:
        console.result(json.dumps({
            "grids": [
                {"name": r.name, "ok": r.ok, "files": [str(p) for p in r.files], "missing_cells": r.missing_cells,
                 "render_seconds": round(r.render_seconds, 3), **({"error": r.error} if r.error else {})}
                for r in results
            ]
        }))
    else:
        for r in results:
            for path in r.files:
                console.result(str(path))
    failed = [r.name for r in results if not r.ok]
    if failed:
        raise RunError(f"{len(failed)} of {len(results)} grid(s) failed: {', '.join(failed)}; their files were left as they were")
    return 0


def cmd_render(args: argparse.Namespace, console: Console) -> int:
    """Render grids to image and text files.

    Data comes from Datadog (DD_API_KEY, DD_APP_KEY, DD_SITE or DATADOG_HOST), from
    deterministic demo data (--demo: no network, no keys), or from a grid data file (--data).
    Writes NAME.png, NAME_dark.png, NAME.json and NAME.md (and NAME.svg / NAME.html when asked)
    for each grid into --out, and prints their paths.
    """
    results, _ = render_grids(args, console)
    return _report_results(results, args.json, console)


def _add_render_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="PATH", help="config file (default: ./healthgrid.yml if present, else the built-in seven CI rows)")
    p.add_argument("--grid", metavar="NAME", action="append", help="render only this grid (repeatable)")
    data = p.add_mutually_exclusive_group()
    data.add_argument("--demo", action="store_true", help="deterministic demo data: no network, no keys")
    data.add_argument("--data", metavar="PATH", help="a grid data file (NAME.json as healthgrid writes it; one grid or a list)")
    p.add_argument("--out", metavar="DIR", default="healthgrid-out", help="output directory (default: %(default)s)")
    p.add_argument("--now", metavar="ISO8601", help="the instant taken as now (default: the clock; no offset means UTC)")
    p.add_argument("--format", metavar="LIST", default="png", help="comma-separated: png, svg, html (default: %(default)s)")
    p.add_argument("--theme", choices=("light", "dark", "both"), default="both", help="light, dark (for Datadog's dark mode) or both (default)")
    p.add_argument("--timeout", metavar="SECONDS", type=_positive_seconds, default=60.0,
                   help="time allowed to fetch one grid from Datadog, retries included (default: %(default)g)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout instead of file paths")


def _positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not 1 <= seconds <= 3600:
        raise argparse.ArgumentTypeError(f"must be between 1 and 3600 seconds, got {value}")
    return seconds


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors")
    parser = _Parser(prog=PROG, description="Datadog metrics as a health grid image at a stable URL.", parents=[common])
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, func, add_flags in _COMMANDS:
        doc = func.__doc__ or ""
        p = sub.add_parser(name, help=doc.splitlines()[0], description=doc, parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter)
        add_flags(p)
        p.set_defaults(func=func)
    return parser


_COMMANDS = [
    ("render", cmd_render, _add_render_flags),
]


def main(argv: list[str] | None = None, console: Console | None = None) -> int:
    console = console or Console()
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help(console.err)
            return 2
        return args.func(args, console)
    except HealthgridError as exc:
        if debug:
            import traceback

            console.err.write(redact(traceback.format_exc()))
        print(redact(f"{PROG}: error: {exc}"), file=console.err, flush=True)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: error: interrupted", file=console.err)
        return 130
    except Exception as exc:  # a bug: still one line unless --debug
        if debug:
            import traceback

            console.err.write(redact(traceback.format_exc()))
        print(redact(f"{PROG}: error: internal error: {type(exc).__name__}: {exc}" + ("" if debug else " (run with --debug for details)")), file=console.err, flush=True)
        return 1
