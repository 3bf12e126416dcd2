"""The files the runner reads after the step (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY): appended to, and
a file that cannot be written is a warning, never a crash."""

from __future__ import annotations

import uuid


def append(path: str | None, text: str, what: str, console) -> None:
    """Append to a runner file command (`what` names it in the warning)."""
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        console.annotate("warning", f"healthgrid: cannot write {what} ({exc.strerror})")


def write_output(path: str | None, name: str, value: str, console) -> None:
    """One step output, its value between delimiters no value can hold."""
    delimiter = f"healthgrid_{uuid.uuid4().hex}"
    append(path, f"{name}<<{delimiter}\n{value}\n{delimiter}\n", "GITHUB_OUTPUT", console)
