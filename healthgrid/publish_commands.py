"""The `publish` command's targets (`publish ghpages DIR`, `publish imgur FILE...`) and how a
command prints the images it published. Each target's docstring is its --help."""

from __future__ import annotations

import argparse
import inspect
import json
from pathlib import Path

from healthgrid.console import Console
from healthgrid.credentials import Credentials
from healthgrid.errors import UsageError
from healthgrid.flags import Parser, publish_flags, publish_options


def print_images(images, changed: bool, as_json: bool, console: Console, alts: dict[str, str], extra: dict | None = None) -> None:
    """Each image's URL, or with --json one object with the images and their embed snippets (`alts`:
    each grid's alt text, by name)."""
    if as_json:
        from healthgrid.files.embed import embeds

        snippets = embeds(images, alts)
        console.result(json.dumps({**(extra or {}), "images": [i.as_dict() for i in images], "changed": changed,
                                   "embed": "\n".join(snippets.values()), "embeds": snippets}))
    else:
        for image in images:
            console.result(image.url)


def cmd_publish_ghpages(args: argparse.Namespace, console: Console) -> int:
    """Publish the files of DIR to a gh-pages branch and print each image's stable URL.

    Files go under --path on --branch of --remote (default: the origin of the current repository,
    authenticated with GITHUB_TOKEN when set). Other files on the branch are kept; identical files
    make no commit; --keep bounds healthgrid's own commits (anyone else's stay); concurrent
    publishers all succeed. URLs are --pages-url (default https://OWNER.github.io/REPO from
    GITHUB_REPOSITORY, or https://HOST/pages/OWNER/REPO on a GitHub Enterprise Server) + /PATH/FILE,
    percent-encoded; --json adds content-hashed ?v= versions.
    """
    from healthgrid.files.embed import alts_from_files
    from healthgrid.publish import publish, read_dir
    from healthgrid.site.target import check

    if not args.dir and not args.remove:
        raise UsageError("DIR: give a directory to publish (or --remove PATH)")
    options = publish_options(args, Credentials.from_env())
    check(options)  # flags first: nothing is read before they are known to be usable
    files = read_dir(args.dir) if args.dir else {}
    images, changed = publish(files, options, console)
    print_images(images, changed, args.json, console, alts_from_files(files))
    return 0


def cmd_publish_imgur(args: argparse.Namespace, console: Console) -> int:
    """Upload images anonymously to Imgur (IMGUR_CLIENT_ID) and print each link.

    Imgur links change with every upload and anonymous uploads can be deleted when unused:
    use gh-pages for a URL that stays put. IMGUR_API_URL overrides https://api.imgur.com.
    """
    from healthgrid.files.embed import alts_from_files
    from healthgrid.publish import PublishOptions, publish
    from healthgrid.publish.imgur import IMAGE_TYPES

    paths = [Path(f) for f in args.files]
    for path in paths:
        if not path.is_file():
            raise UsageError(f"FILE: {path}: no such file")
        if not path.name.lower().endswith(IMAGE_TYPES):
            raise UsageError(f"FILE: {path}: Imgur takes {', '.join(t[1:] for t in IMAGE_TYPES)} images")
    if len({p.name for p in paths}) < len(paths):
        raise UsageError("FILE: two files have the same name; their links could not be told apart")
    options = PublishOptions("imgur", credentials=Credentials.from_env())
    images, changed = publish({p.name: p.read_bytes() for p in paths}, options, console)
    beside = {p.parent / f"{p.stem.removesuffix('_dark')}.json" for p in paths}  # each grid's data: the embeds' alt text
    print_images(images, changed, args.json, console, alts_from_files({data.name: data.read_bytes() for data in beside if data.is_file()}))
    return 0


def publish_targets(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="target", metavar="TARGET", required=True, parser_class=Parser)
    for name, func, help in (("ghpages", cmd_publish_ghpages, "a gh-pages branch (stable URLs)"),
                             ("imgur", cmd_publish_imgur, "anonymous Imgur upload (links change per upload)")):
        target = sub.add_parser(name, help=help, description=inspect.cleandoc(func.__doc__),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
        if name == "ghpages":
            target.add_argument("dir", metavar="DIR", nargs="?", help="directory whose files to publish")
            publish_flags(target, defaults=True)
            target.add_argument("--remove", metavar="PATH", action="append", help="also remove this path from the branch (repeatable)")
        else:
            target.add_argument("files", metavar="FILE", nargs="+", help="image files")
        target.add_argument("--json", action="store_true", help="print one JSON object")
        target.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        target.set_defaults(func=func)
