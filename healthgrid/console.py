"""Where progress (stderr) and results (stdout) go, for the CLI and the Action alike."""

from __future__ import annotations

import sys
from typing import TextIO

from healthgrid.errors import HealthgridError
from healthgrid.secrets import redact
from healthgrid.text import log_line, log_lines, workflow_data, workflow_property

PROG = "healthgrid"


class Console:
    """The one way out for text: every message is redacted (known secrets and secret-shaped values)
    and made one inert line, so neither a secret nor a workflow command (`::warning::…`, `##[…]`)
    that arrived inside user text or an echoed error body can reach a log. The Action's own
    workflow commands (masks, annotations) go out here too, escaped as the runner reads them, on
    `commands` (default: `out`). Tests pass their own streams."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None, commands: TextIO | None = None):
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.commands = commands or self.out

    def mask(self, secret: str) -> None:
        """`::add-mask::` for one line of a secret: the runner hides it in every later log line.
        Never redacted: a mask of `***` would hide nothing."""
        print(f"::add-mask::{workflow_data(secret)}", file=self.commands, flush=True)

    def annotate(self, level: str, message: str, title: str | None = None) -> None:
        """A workflow annotation, `::error title=TITLE::MESSAGE` or `::warning::MESSAGE`: redacted, and
        escaped as the runner reads a command."""
        properties = f" title={workflow_property(title)}" if title else ""
        print(f"::{level}{properties}::{workflow_data(redact(message))}", file=self.commands, flush=True)

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
