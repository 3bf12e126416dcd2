"""Config errors: the exception, the collector that lets one run report all of a file's mistakes,
and the helpers that word a mistake (`kind`, the did-you-mean `closest`)."""

from __future__ import annotations

import re
from typing import Any

from healthgrid.errors import UsageError
from healthgrid.text import plural, shown


class ConfigError(UsageError):
    def __init__(self, path: str, why: str):
        super().__init__(f"{path}: {why}" if path else why)
        self.path = path
        self.why = why


MAX_ERRORS = 20  # errors reported for one config file; past it, a count of the rest


class ConfigErrors(UsageError):
    """Several mistakes in one config: printed one `healthgrid: error: key: why` line each."""

    def __init__(self, errors: list[ConfigError], total: int):
        self.errors = errors
        self._lines = [str(e) for e in errors]
        if total > len(errors):
            self._lines.append(f"{plural(total - len(errors), 'more config error')} not shown; fix these first")
        super().__init__("\n".join(self._lines))

    def lines(self) -> list[str]:
        return list(self._lines)


class Collector:
    """Collects config errors so one run reports all of a file's mistakes (strict: raise at once)."""

    def __init__(self, strict: bool = False):
        self.strict = strict
        self.found: list[ConfigError] = []
        self.warnings: list[str] = []
        self._said: set[str] = set()

    @property
    def count(self) -> int:
        return len(self.found)

    def add(self, error: ConfigError) -> None:
        if self.strict:
            raise error
        if str(error) not in self._said:  # an inherited default fails once, not once per grid
            self._said.add(str(error))
            self.found.append(error)

    def warn(self, message: str | None) -> None:
        if message and message not in self.warnings:
            self.warnings.append(message)

    def run(self, check, *args, default=None, **kwargs):
        try:
            return check(*args, **kwargs)
        except ConfigError as exc:
            self.add(exc)
            return default

    def raise_any(self) -> None:
        if len(self.found) == 1:
            raise self.found[0]
        if self.found:
            raise ConfigErrors(self.found[:MAX_ERRORS], len(self.found))


def join(path: str, key: Any) -> str:
    if not (isinstance(key, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,40}", key)):
        key = shown(key, 40)  # an unknown key is user text too
    return f"{path}.{key}" if path else key


def kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "a mapping"}.get(
        type(value), type(value).__name__
    ) + (f" ({value!r})" if isinstance(value, (bool, int, float, str)) and len(repr(value)) < 40 else "")


def closest(word: str, choices: tuple[str, ...]) -> str | None:
    import difflib

    folded = {c.lower(): c for c in choices}  # `rdylgn` means RdYlGn
    match = difflib.get_close_matches(word.lower(), list(folded), n=1, cutoff=0.75)
    return folded[match[0]] if match else None
