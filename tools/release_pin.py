"""Make a release commit whose action.yml runs a prebuilt image, tag it, and move the major tag.

    python tools/release_pin.py --image ghcr.io/OWNER/healthgrid --digest sha256:<64 hex> --tag v1.2.3 [--push origin]

On main, action.yml says `image: Dockerfile`, so `uses: ./` always tests the code under change.
A release commit (child of HEAD, on no branch) says `image: docker://IMAGE@sha256:<digest>`
instead; `--tag` (vX.Y.Z) and its major tag (vX) are moved to it, and with --push both are
force-pushed. The release workflow runs this after pushing the multi-arch image; `make e2e`
runs the very same script against a loopback registry. Prints the release commit's id.
Only the real git CLI is used, and only HEAD's tree is read: the working tree is not touched.
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


def _git(*args: str, env: dict | None = None, input: bytes | None = None) -> str:
    proc = subprocess.run(["git", *args], capture_output=True, input=input, env={**os.environ, **(env or {})}, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"git {args[0]} failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout.decode().strip()


def release_commit(image: str, digest: str, tag: str) -> str:
    text = _git("show", "HEAD:action.yml")
    pinned = pinned_action(text + "\n", image, digest)
    blob = _git("hash-object", "-w", "--stdin", input=pinned.encode())
    identity = {"GIT_AUTHOR_NAME": BOT[0], "GIT_AUTHOR_EMAIL": BOT[1], "GIT_COMMITTER_NAME": BOT[0], "GIT_COMMITTER_EMAIL": BOT[1]}
    identity = {k: os.environ.get(k, v) for k, v in identity.items()}
    with tempfile.TemporaryDirectory() as tmp:
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        _git("read-tree", "HEAD", env=index)
        _git("update-index", "--add", "--cacheinfo", f"100644,{blob},action.yml", env=index)
        tree = _git("write-tree", env=index)
    message = f"Release {tag}: run the prebuilt image\n\naction.yml: image: docker://{image}@{digest}\n"
    return _git("commit-tree", tree, "-p", "HEAD", "-F", "-", env=identity, input=message.encode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", required=True, help="e.g. ghcr.io/acme/healthgrid (no tag)")
    parser.add_argument("--digest", required=True, help="the pushed image's (multi-arch index) digest, sha256:...")
    parser.add_argument("--tag", required=True, help="the release tag, vMAJOR.MINOR.PATCH")
    parser.add_argument("--push", metavar="REMOTE", help="force-push the release tag and the major tag to this remote")
    args = parser.parse_args(argv)
    match = re.fullmatch(r"(v\d+)\.\d+\.\d+", args.tag)
    if not match:
        print(f"release_pin: error: --tag: {args.tag!r} must be vMAJOR.MINOR.PATCH", file=sys.stderr)
        return 2
    major = match.group(1)
    try:
        commit = release_commit(args.image, args.digest, args.tag)
        for tag in (args.tag, major):
            _git("tag", "--force", tag, commit)
        if args.push:
            _git("push", "--force", args.push, f"refs/tags/{args.tag}", f"refs/tags/{major}")
    except (ValueError, RuntimeError) as exc:
        print(f"release_pin: error: {exc}", file=sys.stderr)
        return 1
    print(commit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
