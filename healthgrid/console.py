"""Where progress (stderr) and results (stdout) go, for the CLI and the Action alike."""

from __future__ import annotations

import sys
from typing import TextIO

from healthgrid.errors import HealthgridError
from healthgrid.text import log_line, log_lines

PROG = "healthgrid"


class Console:
    """The one way out for text: every message is redacted (known secrets and secret-shaped values)
    and made one inert line, so neither a secret nor a workflow command (`::warning::…`, `##[…]`)
    that arrived inside user text or an echoed error body can reach a log. Tests pass their own
    streams."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None):
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def progress(self, message: str) -> None:
        print(f"{PROG}: {log_line(message)}", file=self.err, flush=True)

    def warn(self, message: str) -> None:
        self.progress(f"warning: {message}")

    def error(self, message: str) -> None:
        self.progress(f"error: {message}")

    def debug(self, text: str) -> None:
        self.err.write(log_lines(text))

    def result(self, text: str) -> None:
        print(log_lines(text), file=self.out, flush=True)


def failure(exc: BaseException, console: Console, debug: bool = False) -> tuple[int, list[str]]:
    """The one catch of a command (and of the Action): the exception that ended it presents itself,
    one line each, the traceback only with `debug`; an interruption and a bug are one line too.
    Returns the exit code and the lines as shown."""
    if isinstance(exc, KeyboardInterrupt):
        error, code = HealthgridError("interrupted"), 130
    elif isinstance(exc, HealthgridError):
        error, code = exc, exc.exit_code
    else:  # a bug: still one line unless --debug
        error, code = HealthgridError(f"internal error: {type(exc).__name__}: {exc}" + ("" if debug else " (run with --debug for details)")), 1
    if debug and not isinstance(exc, KeyboardInterrupt):
        import traceback

        console.debug("".join(traceback.format_exception(exc)))
    error.show(console)
    return code, [log_line(line) for line in error.lines()]
