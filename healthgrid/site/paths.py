"""Paths inside a published site (a pages branch): one rule for `--path`, `publish.path`,
`publish.prefix`, `--remove`, `widget --path`, the folder of `dashboard --image-base` and every
file name published, checked before anything is fetched or rendered, so git never gets to refuse
one after minutes of work. The branch they are on follows git's own rule for branch names
(`branch_problem`), checked as early.

A path is folders joined by single `/`; each part is printable text without a leading or trailing
space, never `.`, `..` or git's own folder in any spelling a checkout might turn into `.git`
(`.GIT`, `.git.`, `.git ` and the 8.3 short name `git~1`, as git itself refuses them)."""

from __future__ import annotations

import re

from healthgrid.errors import UsageError
from healthgrid.text import CONTROL

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


# git's pseudo-refs, read from the top of .git before any branch of that name: FETCH_HEAD, ORIG_HEAD, ...
_PSEUDO_REF = re.compile(r"[A-Z_]*HEAD")
# What git's check_refname_format refuses anywhere in a ref name besides control characters (text.CONTROL)
_REF_SPECIALS = re.compile(r"[ ~^:?*\[\\]")


def branch_problem(name: str) -> str | None:
    """Why `name` is not a usable branch name, or None.

    Exactly what `git check-ref-format --branch` refuses (a part beginning with `.` or ending in
    `.lock`, `..`, `@{`, a control character, space, `~ ^ : ? * [ \\`, an empty part (`//`, a
    leading or trailing `/`), a trailing `.`, a leading `-`, `HEAD`), and besides: `@` (git's
    name for HEAD), a name beginning with `refs/` (it would become refs/heads/refs/...), git's
    pseudo-refs (FETCH_HEAD, ORIG_HEAD, ...), a first part `heads`, `tags` or `remotes` (git reads
    `heads/x` as refs/heads/x), any other invisible character, and parts longer than 255 bytes (a
    ref is a file on the remote)."""
    if not name:
        return "it is empty"
    if name.startswith("-"):
        return "it begins with '-'"
    if name in ("HEAD", "@"):
        return f"{name!r} is git's name for the current commit, not a branch"
    if name.startswith("refs/"):
        return "give the branch's own name, without 'refs/' (refs/heads/ is added)"
    if _PSEUDO_REF.fullmatch(name):
        return f"{name!r} is one of git's own refs (FETCH_HEAD, ORIG_HEAD, ...), not a branch"
    if name.split("/", 1)[0] in ("heads", "tags", "remotes"):
        return f"git would read {name!r} as refs/{name}, not as the branch refs/heads/{name}"
    bad = CONTROL.search(name) or _REF_SPECIALS.search(name)
    char = bad.group() if bad else next((c for c in name if not c.isprintable()), None)
    if char is not None:
        return f"{'a space' if char == ' ' else repr(char) if char.isprintable() else f'U+{ord(char):04X}'} is not allowed in a branch name"
    if ".." in name:
        return "it has '..'"
    if "@{" in name:
        return "it has '@{'"
    if len(name.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return f"it is longer than {MAX_BYTES} bytes"
    for part in name.split("/"):
        if not part:
            return "it begins or ends with '/' or has an empty part ('//')"
        if part.startswith("."):
            return f"{_shown(part)} begins with '.'"
        if part.endswith(".lock"):
            return f"{_shown(part)} ends with '.lock'"
        if len(part.encode("utf-8", "surrogatepass")) > MAX_PART_BYTES:
            return f"it has a part longer than {MAX_PART_BYTES} bytes"
    if name.endswith("."):
        return "it ends with '.'"
    return None


def valid_branch(name: str, flag: str = "--branch") -> str:
    problem = branch_problem(name)
    if problem:
        raise UsageError(f"{flag}: {_shown(name, 60)} is not a usable branch name ({problem})")
    return name
