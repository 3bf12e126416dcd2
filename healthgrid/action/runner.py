"""The runner's side of a step: workflow-command escaping, and the files it reads after the step
(GITHUB_OUTPUT, GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

import sys
import uuid


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def append(path: str | None, text: str, what: str) -> None:
    """Append to a runner file command; a missing file is a warning, never a crash."""
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        print(f"::warning::healthgrid: cannot write {what} ({exc.strerror})", file=sys.stdout)


def write_output(path: str | None, name: str, value: str) -> None:
    delimiter = f"healthgrid_{uuid.uuid4().hex}"
    append(path, f"{name}<<{delimiter}\n{value}\n{delimiter}\n", "GITHUB_OUTPUT")
