"""Whose commits are on a pages branch, and which of them a publish may prune.

healthgrid writes its commits as the Actions bot, and ends each message with a paragraph of its own:

    Published-by: healthgrid
    Published-path: healthgrid          (one line per folder or file it wrote, removed or rebuilt)

A commit is healthgrid's own when all of these hold:
- its author and its committer are the bot (a person's cherry-pick, rebase or squash changes the
  committer);
- the last paragraph of its message carries the mark (older versions: the mark without paths, or
  before that the bot's summary `healthgrid: publish N file(s) under /PATH` alone);
- it has at most one parent (a merge is someone's);
- every path it changes against its parent lies inside a path it declares (older versions: the
  PATH and removals their summary names), and is a file healthgrid writes there: a grid's file
  or a status page, by the names of healthgrid.site.names (another workflow committing as the bot
  with a copied summary or trailer, but touching anything else, stays someone else's). A root
  commit has nothing to diff against and no one's history beneath it: the bot and the mark
  suffice (older versions cut history into such roots).
Anything else is someone else's and is never rewritten: healthgrid's commits go on top of the
newest of them, and `--keep` bounds only the run of healthgrid's own commits above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from healthgrid.publish.git import BOT_EMAIL, BOT_NAME, Git
from healthgrid.site.names import is_written_file

TRAILER = "Published-by: healthgrid"
PATH_KEY = "Published-path: "
WALK_LIMIT = 100  # healthgrid's own commits examined past --keep in one publish (more go on later runs)
_LEGACY = re.compile(r"healthgrid: publish \d+ file\(s\) under /(.*?)(?:, remove (.+))?")
_PERSON = re.compile(rb"^(author|committer) (.*) <([^<>]*)> (\d+ [+-]\d{4})$")


@dataclass
class Commit:
    sha: str
    tree: str
    parents: list[str]
    people: dict[str, tuple[str, str, str]]  # author/committer -> (name, email, raw date)
    body: bytes
    marked: bool  # the bot, and the mark (or an older version's summary)
    declared: tuple[str, ...] | None  # paths it says it touched; None: it does not say


def read_commit(git: Git, sha: str) -> Commit:
    raw = git.run("cat-file", "commit", sha).stdout
    head, _, body = raw.partition(b"\n\n")
    tree, parents, people = "", [], {}
    for line in head.split(b"\n"):
        if line.startswith(b"tree "):
            tree = line[5:].decode()
        elif line.startswith(b"parent "):
            parents.append(line[7:].decode())
        elif m := _PERSON.match(line):
            people[m.group(1).decode()] = tuple(part.decode(errors="replace") for part in m.group(2, 3, 4))
    bot = all(people.get(role, ("",) * 3)[:2] == (BOT_NAME, BOT_EMAIL) for role in ("author", "committer"))
    marked, declared = _mark(body.decode(errors="replace"))
    return Commit(sha, tree, parents, people, body, bot and marked, declared)


def _mark(message: str) -> tuple[bool, tuple[str, ...] | None]:
    paragraphs = message.strip("\n").split("\n\n")
    last = paragraphs[-1].split("\n")
    summary = _LEGACY.fullmatch(paragraphs[0])  # one line: a summary and nothing else
    if TRAILER in last:
        declared = tuple(line[len(PATH_KEY):] for line in last if line.startswith(PATH_KEY))
        # An older version wrote the mark without paths; its summary (unless --message replaced
        # it) still names them.
        return True, declared or _legacy_paths(summary)
    if summary and len(paragraphs) == 1:  # before the mark existed: the bot's summary alone
        return True, _legacy_paths(summary)
    return False, None


def _legacy_paths(summary: re.Match | None) -> tuple[str, ...] | None:
    if summary is None:
        return None
    removed = summary.group(2).split(", ") if summary.group(2) else []
    return (summary.group(1), *(r.rstrip("/") for r in removed))


def changed_paths(git: Git, old: str, new: str) -> list[str]:
    """Every file that differs between two trees or commits (NUL-separated, never quoted)."""
    out = git.run("diff-tree", "-r", "-z", "--no-renames", "--name-only", old, new).stdout.decode("utf-8", "surrogateescape")
    return [p for p in out.split("\0") if p]


def covered(path: str, declared) -> bool:
    return any(d == "" or path == d or path.startswith(d + "/") for d in declared)


def written(path: str, declared) -> bool:
    """A change a commit of healthgrid's may make: inside a path it declares, to a file of a name
    healthgrid writes (or the `.nojekyll` it puts at the root of a new branch)."""
    return covered(path, declared) and (path == ".nojekyll" or is_written_file(path.rsplit("/", 1)[-1]))


def present(git: Git, sha: str) -> bool:
    return git.run("cat-file", "-e", f"{sha}^{{commit}}", check=False).returncode == 0


def own_run(git: Git, tip: str, keep: int, deepen) -> tuple[list[Commit], str | None]:
    """The commits healthgrid wrote at the top of the branch, newest first, and the commit they
    rest on (None: the run reaches the root). `deepen()` fetches more history when the walk meets
    the edge of what was fetched; it returns False when there is no more to get."""
    run: list[Commit] = []
    sha = tip
    while True:
        commit = read_commit(git, sha)
        if not commit.marked or len(commit.parents) > 1:
            return run, sha
        if not commit.parents:
            run.append(commit)
            return run, None
        parent = commit.parents[0]
        if not present(git, parent) and (len(run) >= keep + WALK_LIMIT or not deepen()):
            return run, sha  # not examined: kept
        if commit.declared is None or not all(written(p, commit.declared) for p in changed_paths(git, parent, sha)):
            return run, sha
        run.append(commit)
        sha = parent


def cover(git: Git, base: str | None, tree: str, candidates) -> tuple[str, ...]:
    """The declared paths of pruned commits that a commit now resting on `base` needs to keep
    declaring: those covering what differs from `base` (a root-wide one becomes the files)."""
    if base is None:
        return ()
    changed = changed_paths(git, base, tree)
    out = [d for d in dict.fromkeys(candidates) if d and any(covered(p, (d,)) for p in changed)]
    if "" in candidates:
        out += [p for p in changed if not covered(p, out)]
    return tuple(out)


def message(summary: str, declared) -> bytes:
    paths = "".join(f"\n{PATH_KEY}{d}" for d in dict.fromkeys(declared))
    return f"{summary.rstrip()}\n\n{TRAILER}{paths}\n".encode()


def recommit(git: Git, commit: Commit, parent: str | None, declared: tuple[str, ...] = ()) -> str:
    """`commit` again on `parent`: same tree, message, people and dates; with `declared`, its mark
    paragraph names those paths too (what the commits it now stands for touched)."""
    body = commit.body
    if declared:
        text = body.decode(errors="replace").strip("\n")
        paragraphs = text.split("\n\n")
        if TRAILER in paragraphs[-1].split("\n") and len(paragraphs) > 1:
            paragraphs.pop()
        body = message("\n\n".join(paragraphs), (*(commit.declared or ()), *declared))
    env = {}
    for role, (name, email, date) in commit.people.items():
        env.update({f"GIT_{role.upper()}_NAME": name, f"GIT_{role.upper()}_EMAIL": email, f"GIT_{role.upper()}_DATE": date})
    args = ["commit-tree", commit.tree, *(("-p", parent) if parent else ()), "-F", "-"]
    return git.run(*args, input=body, env=env).stdout.decode().strip()
