"""The status page (`index.html`) where grids are published, rebuilt from what the site holds after
the change, never from one run's files: a matrix of publishers and a removal both leave a page
listing exactly the grids there.

A page is rebuilt in the folder a run publishes its grids to, when the run writes one (`--format
html`), and in every folder a publish adds to or removes from that already holds healthgrid's
status page. Someone else's `index.html` is never replaced."""

from __future__ import annotations

from healthgrid.files.data import MAX_JSON_BYTES
from healthgrid.files.index import MAX_READS, is_status_page
from healthgrid.publish.git import Git, GitError

INDEX = "index.html"
_REGULAR = ("100644", "100755")


def folder_of(path: str) -> str:
    return path.rstrip("/").rpartition("/")[0]


def listed(git: Git, env: dict, folder: str) -> dict[str, str]:
    """Name -> blob id of the regular files directly in `folder` of the index being built
    (NUL-separated: a name git would quote, `état` or `a"b`, reads as it is)."""
    prefix = f"{folder}/" if folder else ""
    out = git.run("ls-files", "-z", "--stage", *(("--", folder) if folder else ()), env=env).stdout.decode("utf-8", "surrogateescape")
    files = {}
    for entry in filter(None, out.split("\0")):
        meta, _, path = entry.partition("\t")
        mode, sha, _ = meta.split(" ", 2)
        name = path[len(prefix):]
        if mode in _REGULAR and path.startswith(prefix) and "/" not in name:
            files[name] = sha
    return files


def read_blobs(git: Git, shas: list[str], limit: int) -> dict[str, bytes]:
    """The blobs of at most `limit` bytes each, in two git processes whatever their number."""
    if not shas:
        return {}
    checked = git.run("cat-file", "--batch-check", input="\n".join(shas).encode() + b"\n").stdout.decode().split("\n")
    small = [parts[0] for parts in map(str.split, checked) if len(parts) == 3 and parts[1] == "blob" and int(parts[2]) <= limit]
    if not small:
        return {}
    raw = git.run("cat-file", "--batch", input="\n".join(small).encode() + b"\n").stdout
    blobs, at = {}, 0
    while at < len(raw):
        end = raw.index(b"\n", at)
        sha, _, size = raw[at:end].decode().split(" ")
        blobs[sha] = raw[end + 1:end + 1 + int(size)]
        at = end + 2 + int(size)
    return blobs


def pages(git: Git, env: dict, folders: list[str], wanted: str | None, warn) -> dict[str, bytes]:
    """The status page of each of `folders` that holds one of healthgrid's (and of `wanted`, where
    this run writes one), by path. A page that cannot be built is a warning, never a failed publish."""
    from healthgrid.files.index import build_index

    out = {}
    for folder in dict.fromkeys(folders):
        path = f"{folder}/{INDEX}" if folder else INDEX
        try:
            files = listed(git, env, folder)
            current = read_blobs(git, [files[INDEX]], MAX_JSON_BYTES).get(files[INDEX]) if INDEX in files else None
            if INDEX in files and not is_status_page(current):
                if folder == wanted:
                    warn(f"publish: {path} on the branch is not a healthgrid status page; it was left as it is")
                continue
            if INDEX not in files and folder != wanted:
                continue
            jsons = [name for name in files if name.endswith(".json")][:MAX_READS]
            blobs = read_blobs(git, [files[n] for n in jsons], MAX_JSON_BYTES)
            out[path] = build_index(list(files), lambda name, blobs=blobs, files=files: blobs.get(files.get(name, "")))
        except GitError as exc:
            warn(f"publish: {path}: cannot rebuild the status page ({exc.reason()}); the grids are published without it")
    return out
