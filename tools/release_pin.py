"""Make a release commit whose action.yml runs a prebuilt image, tag it, and move the major tag.

    python tools/release_pin.py --stamp v1.2.3     # before the image is built: the version, in the work tree
    python tools/release_pin.py --image ghcr.io/OWNER/healthgrid --digest sha256:<64 hex> --tag v1.2.3 [--push origin]

On main, action.yml says `image: Dockerfile`, so `uses: ./` always tests the code under change.
A release commit (child of HEAD, on no branch) says `image: docker://IMAGE@sha256:<digest>`
instead, and carries the release's version (1.2.3) in healthgrid/__init__.py, the one place it is
written; `--stamp` writes it there in the work tree first, so the image built from it (and
`healthgrid --version` in it) says the release too. `--tag` (vX.Y.Z, or a pre-release vX.Y.Z-rc.1)
is moved to the release commit, and with --push
force-pushed. The major tag (vX) moves only forward: to a release that is no older, by version,
than every other vX.Y.Z tag (here and, with --push, on the remote), so a backport v1.4.1 after
v1.5.0 leaves v1 on v1.5.0; a pre-release never moves it. It is pushed with a lease on the
commit it was read at, so two releases at once cannot move it back either. The release workflow
runs this after pushing the multi-arch image; `make e2e` runs the very same script against a
loopback registry. Prints the release commit's id. Only the real git CLI is used, and only
HEAD's tree is read: the working tree is not touched.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

BOT = ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com")
_IMAGE_LINE = re.compile(r"(?m)^(  image:[ \t]*)(\S.*?)[ \t]*$")
_TAG = re.compile(r"v(\d{1,9})\.(\d{1,9})\.(\d{1,9})(-[0-9A-Za-z][0-9A-Za-z.-]{0,63})?")
_VERSION_LINE = re.compile(r'(?m)^__version__ = "[^"\n]*"$')
VERSION_FILE = "healthgrid/__init__.py"
LEASE_ATTEMPTS = 3


def pinned_action(text: str, image: str, digest: str) -> str:
    """action.yml with `runs.image` replaced by the digest-pinned image (nothing else changes)."""
    if not re.fullmatch(r"[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+", image):
        raise ValueError(f"--image: {image!r} must be a lower-case registry/owner/name without a tag")
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
        raise ValueError(f"--digest: {digest!r} must be sha256:<64 hex digits>")
    lines = _IMAGE_LINE.findall(text)
    if len(lines) != 1 or lines[0][1].strip("'\"") != "Dockerfile":
        raise ValueError("action.yml: expected exactly one `  image: Dockerfile` under runs (is this already a release commit?)")
    return _IMAGE_LINE.sub(lambda m: f"{m.group(1)}docker://{image}@{digest}", text)


def stamped(text: str, tag: str) -> str:
    """healthgrid/__init__.py with the version of release `tag` (v1.2.3 -> 1.2.3) on its one
    `__version__ = "..."` line (nothing else changes)."""
    if not _TAG.fullmatch(tag):
        raise ValueError(f"--tag: {tag!r} must be vMAJOR.MINOR.PATCH or vMAJOR.MINOR.PATCH-PRERELEASE")
    if len(_VERSION_LINE.findall(text)) != 1:
        raise ValueError(f"{VERSION_FILE}: expected exactly one `__version__ = \"...\"` line")
    return _VERSION_LINE.sub(lambda _: f'__version__ = "{tag[1:]}"', text)


def _git(*args: str, env: dict | None = None, input: bytes | None = None) -> str:
    proc = subprocess.run(["git", *args], capture_output=True, input=input, env={**os.environ, **(env or {})}, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"git {args[0]} failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout.decode().strip()


def release_commit(image: str, digest: str, tag: str) -> str:
    """A child of HEAD whose action.yml runs the pinned image and whose healthgrid/__init__.py says the release's version."""
    text = _git("show", "HEAD:action.yml")
    pinned = pinned_action(text + "\n", image, digest)
    blob = _git("hash-object", "-w", "--stdin", input=pinned.encode())
    version = _git("hash-object", "-w", "--stdin", input=stamped(_git("show", f"HEAD:{VERSION_FILE}") + "\n", tag).encode())
    identity = {"GIT_AUTHOR_NAME": BOT[0], "GIT_AUTHOR_EMAIL": BOT[1], "GIT_COMMITTER_NAME": BOT[0], "GIT_COMMITTER_EMAIL": BOT[1]}
    identity = {k: os.environ.get(k, v) for k, v in identity.items()}
    with tempfile.TemporaryDirectory() as tmp:
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        _git("read-tree", "HEAD", env=index)
        _git("update-index", "--add", "--cacheinfo", f"100644,{blob},action.yml", env=index)
        _git("update-index", "--add", "--cacheinfo", f"100644,{version},{VERSION_FILE}", env=index)
        tree = _git("write-tree", env=index)
    message = f"Release {tag}: run the prebuilt image\n\naction.yml: image: docker://{image}@{digest}\n{VERSION_FILE}: {tag[1:]}\n"
    return _git("commit-tree", tree, "-p", "HEAD", "-F", "-", env=identity, input=message.encode())


def version(tag: str) -> tuple[int, int, int] | None:
    """(major, minor, patch) of a release tag vX.Y.Z; None for a pre-release or anything else."""
    match = _TAG.fullmatch(tag)
    return tuple(int(n) for n in match.groups()[:3]) if match and not match.group(4) else None


def tags(remote: str | None = None) -> dict[str, str]:
    """Tag name -> the object its ref holds: the remote's tags, or without `remote` the local ones."""
    if not remote:
        return dict(line.split(" ", 1)[::-1] for line in _git("for-each-ref", "--format=%(objectname) %(refname:strip=2)", "refs/tags").splitlines())
    found = {}
    for line in _git("ls-remote", "--tags", remote).splitlines():
        sha, ref = line.split("\t", 1)
        if not ref.endswith("^{}"):
            found[ref.removeprefix("refs/tags/")] = sha
    return found


def moves_major(tag: str, known: dict[str, str]) -> bool:
    """Whether the major tag may move to `tag`: a release, and none of its major is newer."""
    mine = version(tag)
    if mine is None:
        return False
    same_major = [v for v in (version(name) for name in known) if v and v[0] == mine[0]]
    return all(v <= mine for v in same_major)


def _move_major(major: str, tag: str, commit: str, remote: str | None) -> str:
    """Move (and push) the major tag to `commit` if `tag` is the newest release; says what it did."""
    for _ in range(LEASE_ATTEMPTS):
        there = tags(remote) if remote else {}
        known = {**tags(), **there}  # a CI checkout fetches few tags: the remote's count too
        if not moves_major(tag, known):
            newest = max((n for n in known if version(n) and version(n)[0] == version(tag)[0]), key=version) if version(tag) else None
            return f"{major} stays where it is: {tag} is a pre-release" if newest is None else f"{major} stays where it is: {newest} is newer than {tag}"
        _git("tag", "--force", major, commit)
        if not remote:
            return f"{major} -> {tag}"
        try:
            _git("push", f"--force-with-lease=refs/tags/{major}:{there.get(major, '')}", remote, f"refs/tags/{major}")
            return f"{major} -> {tag}"
        except RuntimeError as exc:
            if "stale info" not in str(exc):  # only a lost race is retried
                raise
    raise RuntimeError(f"{major} kept moving on {remote} while this release tried to move it; run the release again")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stamp", metavar="TAG", help="only write the version of release TAG into the work tree's healthgrid/__init__.py "
                                                          "(before the image is built), and stop")
    parser.add_argument("--image", help="e.g. ghcr.io/acme/healthgrid (no tag)")
    parser.add_argument("--digest", help="the pushed image's (multi-arch index) digest, sha256:...")
    parser.add_argument("--tag", help="the release tag, vMAJOR.MINOR.PATCH (or a pre-release, vMAJOR.MINOR.PATCH-rc.1)")
    parser.add_argument("--push", metavar="REMOTE", help="force-push the release tag, and push the major tag when it moves, to this remote")
    args = parser.parse_args(argv)
    tag = args.stamp or args.tag or ""
    match = _TAG.fullmatch(tag)
    if not match:
        print(f"release_pin: error: {'--stamp' if args.stamp else '--tag'}: {tag!r} must be vMAJOR.MINOR.PATCH or vMAJOR.MINOR.PATCH-PRERELEASE",
              file=sys.stderr)
        return 2
    if args.stamp:
        try:
            path = Path(_git("rev-parse", "--show-toplevel")) / VERSION_FILE
            path.write_text(stamped(path.read_text(), tag))
        except (ValueError, RuntimeError, OSError) as exc:
            print(f"release_pin: error: {exc}", file=sys.stderr)
            return 1
        print(f"release_pin: {VERSION_FILE} says {tag[1:]}", file=sys.stderr)
        return 0
    if not (args.image and args.digest):
        print("release_pin: error: --image and --digest are required to make the release commit", file=sys.stderr)
        return 2
    major = f"v{match.group(1)}"
    try:
        commit = release_commit(args.image, args.digest, args.tag)
        _git("tag", "--force", args.tag, commit)
        if args.push:
            _git("push", "--force", args.push, f"refs/tags/{args.tag}")
        print(f"release_pin: {_move_major(major, args.tag, commit, args.push)}", file=sys.stderr)
    except (ValueError, RuntimeError) as exc:
        print(f"release_pin: error: {exc}", file=sys.stderr)
        return 1
    print(commit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
