"""What a short-lived `healthgrid` process can skip, measured in bench/bench.py.

Only the command and the Action's entry point call `start()`; a program that imports healthgrid as a
library (the tests, for one) keeps the interpreter's usual garbage collection and exit.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn

_started = False


def start() -> None:
    """Collect no garbage while matplotlib, seaborn and pandas import: they allocate about a million
    objects that live as long as the process, and scanning them as they arrive costs ~0.07 s."""
    global _started
    _started = True
    gc.disable()


def settled() -> None:
    """The heavy imports are in: keep them out of every later collection, then collect as usual, so
    a run of many large grids stays as small as with the collector always on (tested)."""
    if _started and not gc.isenabled():
        gc.freeze()
        gc.enable()


def tidy() -> None:
    """Between grids: collect the last one's leftovers now (~5 ms with the imports frozen), so peak
    memory does not depend on when the collector happens to run."""
    if _started and gc.isenabled():
        gc.collect()


def finish(code: int) -> NoReturn:
    """Leave without the interpreter's teardown, which frees every module's objects one by one
    (~0.15 s) only for the OS to reclaim the memory anyway. Our files are closed by then (`with`
    blocks, atomic renames) and no thread or atexit hook of ours is pending; the standard streams
    are the only buffers left."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away or the stream is closed: nothing to tell
            pass
    os._exit(code)


def run(main) -> NoReturn:
    """Run `main()` as the whole process and exit with its code."""
    start()
    try:
        code = main()
    except SystemExit as exc:  # argparse's --help and --version exit this way
        if not (exc.code is None or isinstance(exc.code, int)):
            raise
        code = exc.code or 0
    finish(code)
