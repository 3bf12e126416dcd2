"""Paths inside a published site (a pages branch): one rule for `--path`, `publish.path`,
`--remove` and every file name published, checked before anything is fetched or rendered, so git never gets to refuse one after
minutes of work.

A path is folders joined by single `/`; each part is printable text without a leading or trailing
space, never `.`, `..` or git's own folder in any spelling a checkout might turn into `.git`
(`.GIT`, `.git.`, `.git ` and the 8.3 short name `git~1`, as git itself refuses them)."""

from __future__ import annotations

from healthgrid.errors import UsageError

MAX_BYTES = 1024  # the whole path, UTF-8
MAX_PART_BYTES = 255  # one folder or file name (the usual file-system limit)


def path_problem(path: str) -> str | None:
    """What makes `path` (already without a leading or trailing `/`) not one plain relative path,
    worded to follow "must be a plain folder inside the branch", or None."""
    if not path:
        return "it is empty"
    if len(path.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return f"it is longer than {MAX_BYTES} bytes"
    bad = next((c for c in path if not c.isprintable()), None)
    if bad is not None:
        return f"U+{ord(bad):04X} is a control or invisible character"
    if "\\" in path:
        return "'\\' does not separate folders; use '/'"
    for part in path.split("/"):
        if part == "":
            return "it has an empty part ('//')"
        if part in (".", ".."):
            return f"it has a {part!r} part"
        if part != part.strip():
            return f"{_shown(part)} begins or ends with a space"
        if part.split(":", 1)[0].rstrip(". ").casefold() in (".git", "git~1"):
            return f"{_shown(part)} is git's own folder"
        if len(part.encode("utf-8", "surrogatepass")) > MAX_PART_BYTES:
            return f"it has a part longer than {MAX_PART_BYTES} bytes"
    return None


def _shown(part: str, limit: int = 40) -> str:
    return repr(part if len(part) <= limit else part[: limit - 3] + "...")


def valid_path(path: str, flag: str = "--path") -> str:
    """The folder files go to, without a leading or trailing '/' ('' is the branch root)."""
    path = path.strip("/")
    problem = path_problem(path) if path else None
    if problem:
        raise UsageError(f"{flag}: {_shown(path, 60)} must be a plain folder inside the branch ({problem})")
    return path


def valid_keep(keep: int) -> int:
    if keep < 1:
        raise UsageError("--keep: must be at least 1")
    if keep > 1000:  # as `publish.keep` in a config
        raise UsageError(f"--keep: must be at most 1000, got {keep}")
    return keep


def valid_removal(path: str) -> str:
    """One literal path inside the branch: never the whole branch, never outside it. A trailing
    `/` keeps its meaning: `x/` is the folder x, never a file named x."""
    target = path[:-1] if path.endswith("/") else path
    problem = "it is absolute" if path.startswith("/") else path_problem(target)
    if problem:
        raise UsageError(f"--remove: {_shown(path, 60)} must be one relative path inside the branch ({problem})")
    return path
