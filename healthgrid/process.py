"""`healthgrid` as a short-lived process: the collector while the libraries import, and a quiet exit.

Only the command and the Action's entry point call `run()`; the pipeline calls `settled()` once the
drawing libraries are in and `tidy()` between grids. A program that imports healthgrid as a library
(the tests, for one) keeps the interpreter's usual garbage collection: both do nothing there.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn

_started = False


def settled() -> None:
    """The heavy imports are in: keep their objects (about a million that live as long as the
    process) out of every later collection, and collect as usual from here on. Before this, in a
    process started by `run()`, the collector is off: scanning those objects as they arrive costs
    ~0.07 s (bench/bench.py)."""
    if _started and not gc.isenabled():
        gc.freeze()
        gc.enable()


def tidy() -> None:
    """Between grids: collect the last one's leftovers now (~5 ms with the imports frozen), so peak
    memory does not depend on when the collector happens to run."""
    if _started and gc.isenabled():
        gc.collect()


def _flush(stream) -> None:
    """Flush a standard stream; if its reader went away (`healthgrid monitor | head`), point it at
    /dev/null so the interpreter's own flush at exit has nothing to complain about."""
    try:
        stream.flush()
    except (OSError, ValueError):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass


def run(main) -> NoReturn:
    """Run `main()` as the whole process and exit with its code."""
    global _started
    _started = True
    gc.disable()
    try:
        code = main()
    except SystemExit as exc:  # argparse's --help and --version exit this way
        if not (exc.code is None or isinstance(exc.code, int)):
            raise
        code = exc.code or 0
    for stream in (sys.stdout, sys.stderr):
        _flush(stream)
    sys.exit(code)
