"""Command line: `healthgrid render|run|...`. Each command's docstring is its --help.

Errors are one line on stderr, `healthgrid: error: <what>`, exit 2 for usage/config and 1 for
run-time failures; `--debug` adds the traceback. Heavy modules load only in the commands that need
them, so `--help` and config errors stay fast.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from healthgrid import __version__, process
from healthgrid.config import CONTROL_RE, ConfigError, check_year, read_text, shown
from healthgrid.errors import HealthgridError, RunError, UsageError, redact
from healthgrid.escaping import log_lines, one_line

PROG = "healthgrid"


class _Names(argparse.Action):
    """`--grid a,b --grid c` -> ["a", "b", "c"]: commas split names, as in the Action's `grid` input."""

    def __call__(self, parser, namespace, values, option_string=None):
        names = list(getattr(namespace, self.dest, None) or [])
        names += [n.strip() for n in values.split(",") if n.strip()]
        setattr(namespace, self.dest, names)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage and exit; we want one line
        raise UsageError(message.replace("argument ", "", 1) if message.startswith("argument ") else message)


@dataclass
class GridResult:
    name: str
    ok: bool
    files: list[Path] = field(default_factory=list)
    contents: dict[str, bytes] = field(default_factory=dict)
    error: str | None = None
    missing_cells: int = 0
    render_seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "files": [str(p) for p in self.files], "missing_cells": self.missing_cells,
                "render_seconds": round(self.render_seconds, 3), **({"error": self.error} if self.error else {})}


def _raise_if_failed(results: list[GridResult], kept: str) -> None:
    failed = [r.name for r in results if not r.ok]
    if failed:
        raise RunError(f"{len(failed)} of {len(results)} grid(s) failed: {', '.join(failed)}; {kept}")


class Console:
    """Where progress (stderr) and results (stdout) go; tests pass their own streams.

    The one way out for text: every message is redacted (known secrets and secret-shaped values)
    and made one inert line, so neither a secret nor a workflow command (`::warning::…`, `##[…]`)
    that arrived inside user text or an echoed error body can reach a log."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None):
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def progress(self, message: str) -> None:
        print(f"{PROG}: {one_line(redact(message))}", file=self.err, flush=True)

    def warn(self, message: str) -> None:
        self.progress(f"warning: {message}")

    def error(self, message: str) -> None:
        self.progress(f"error: {message}")

    def debug(self, text: str) -> None:
        self.err.write(log_lines(redact(text)))

    def result(self, text: str) -> None:
        print(log_lines(redact(text)), file=self.out, flush=True)


def parse_now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--now: {shown(value)} is not an ISO 8601 date-time (e.g. 2026-11-28T12:00:00Z)") from None
    return check_year(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc), "--now")


def parse_formats(value: str) -> tuple[str, ...]:
    from healthgrid.outputs import FORMATS

    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    if not formats:
        raise UsageError("--format: give at least one of " + ", ".join(FORMATS))
    for f in formats:
        if f not in FORMATS:
            raise UsageError(f"--format: unknown format {f!r}; choose from {', '.join(FORMATS)}")
    return formats


def render_grids(args: argparse.Namespace, console: Console, config=None) -> tuple[list[GridResult], object]:
    """Config -> source -> Grid -> images and text files, one grid at a time.

    A grid whose data cannot be fetched writes nothing (its old files stay as they were)."""
    from healthgrid.config import load_config
    from healthgrid.outputs import THEME_CHOICES, OutDirError, grid_files, make_out_dir, write_files
    from healthgrid.sources import plan

    now = parse_now(args.now)
    formats = parse_formats(args.format)
    config = config or load_config(args.config)
    for warning in config.warnings:
        console.warn(warning)
    if getattr(args, "publish", None) == "s3" and not config.publish.bucket:
        raise UsageError("publish.bucket: is required to publish to s3 (set it in the config's publish: section)")
    jobs = plan(config, args.grid, demo=args.demo, data=args.data, now=now, budget=args.timeout, warn=console.warn)
    out_dir = Path(args.out)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out: {out_dir} exists and is not a directory")
    layout = None
    if args.data is None and sum(g.type == "heatmap" for g in config.grids) > 1:
        from healthgrid.render import shared_layout

        layout = shared_layout(config.grids)  # from every grid of the config, so a matrix of --grid runs agrees
    results = []
    for job in jobs:
        name = job.spec.name
        try:
            grid = job.fetch()
            make_out_dir(out_dir)  # only once there is something to write; failing here fails every grid alike
            start = time.perf_counter()
            files = grid_files(grid, job.spec, formats, THEME_CHOICES[args.theme], layout, config.status_page)
            paths = write_files(out_dir, files)  # all of the grid's files, or none
        except OutDirError:
            raise
        except RunError as exc:
            console.error(str(exc))
            results.append(GridResult(name, ok=False, error=one_line(redact(str(exc)))))
            continue
        elapsed = time.perf_counter() - start
        _warn_out_of_range(grid, console)
        console.progress(status_line(grid, elapsed))
        results.append(GridResult(grid.name, ok=True, files=paths, contents=files, missing_cells=grid.missing_cells, render_seconds=elapsed))
        process.tidy()
    if "html" in formats and any(r.ok for r in results):
        from healthgrid.index import build_index

        names = [p.name for p in out_dir.iterdir() if p.is_file()]
        index = build_index(names, lambda name: (out_dir / name).read_bytes(), now)
        first = next(r for r in results if r.ok)
        first.files += write_files(out_dir, {"index.html": index})
        first.contents["index.html"] = index  # published with the grids
    return results, config


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def status_line(grid, seconds: float) -> str:
    """`NAME: 7 rows × 7 days, 2 of 49 cells without data, 0.41s`."""
    cells = len(grid.rows) * len(grid.days)
    return (f"{grid.name}: {plural(len(grid.rows), 'row')} × {plural(len(grid.days), 'day')}, "
            f"{grid.missing_cells} of {plural(cells, 'cell')} without data, {seconds:.2f}s")


def _warn_out_of_range(grid, console: Console) -> None:
    from itertools import groupby

    for _, cells in groupby(grid.out_of_range(), key=lambda cell: id(cell[0])):
        (row, day, value), *more = cells
        if row.score is None:
            extra = f" (and {len(more)} more)" if more else ""
            console.warn(f"{grid.name}: {row.label!r} on {day}: FoM {value:g} is outside [0, 1]; clamped for colour{extra}")


def _report_results(results: list[GridResult], as_json: bool, console: Console) -> int:
    if as_json:
        console.result(json.dumps({"grids": [r.as_dict() for r in results]}))
    else:
        for r in results:
            for path in r.files:
                console.result(str(path))
    _raise_if_failed(results, "their files were left as they were")
    return 0


def _publish_ghpages(files: dict[str, bytes], opts: dict, console: Console):
    """Publish `files` to gh-pages; returns ([Published image], changed)."""
    from healthgrid.publish import IMAGE_TYPES, Published
    from healthgrid.publish.ghpages import publish
    from healthgrid.urls import stable_url, versioned_url

    base, remote = _ghpages_target(opts)  # checked before anything is pushed
    token = os.environ.get("GITHUB_TOKEN") or None
    result = publish(files, remote=remote, branch=opts["branch"], path=opts["path"], keep=opts["keep"],
                     remove=opts.get("remove"), token=token, message=opts.get("message"), warn=console.warn,
                     index="index.html" in files)
    console.progress(f"publish: {opts['branch']} {'updated' if result.changed else 'unchanged (identical files)'}"
                     + (f" in {result.attempts} attempts" if result.attempts > 1 else ""))
    images = []
    for name, content in files.items():
        if name.endswith(IMAGE_TYPES):
            url = stable_url(base, opts["path"], name)
            images.append(Published(name, url, versioned_url(url, content)))
    return images, result.changed


def _ghpages_target(opts: dict) -> tuple[str, str]:
    """(pages URL, git remote) from --pages-url/--remote/--repository, or a one-line usage error."""
    from healthgrid.publish.ghpages import default_remote
    from healthgrid.publish.target import check_message, repository_remote
    from healthgrid.urls import default_pages_url, pages_base

    check_message(opts.get("message"))
    repository = opts.get("repository")
    if repository:
        if opts.get("remote"):
            raise UsageError("--repository: give --repository or --remote, not both")
        remote = repository_remote(repository)
        return pages_base(opts.get("pages_url") or default_pages_url({"GITHUB_REPOSITORY": repository})), remote
    return pages_base(opts.get("pages_url")), opts.get("remote") or default_remote()


def _publish_imgur(paths: list[Path], console: Console):
    from healthgrid.publish import Published
    from healthgrid.publish.imgur import client_id_from_env, upload
    from healthgrid.urls import versioned_url

    client_id = client_id_from_env()
    images = []
    for path in paths:
        link = upload(path, client_id, warn=console.warn)
        images.append(Published(path.name, link, versioned_url(link, path.read_bytes())))
    return images, True


def _print_images(images, changed: bool, as_json: bool, console: Console, extra: dict | None = None,
                  files: dict[str, bytes] | None = None) -> None:
    if as_json:
        from healthgrid.embed import embeds

        snippets = embeds(images, files or {})
        console.result(json.dumps({**(extra or {}), "images": [i.as_dict() for i in images], "changed": changed,
                                   "embed": "\n".join(snippets.values()), "embeds": snippets}))
    else:
        for image in images:
            console.result(image.url)


def cmd_publish_ghpages(args: argparse.Namespace, console: Console) -> int:
    """Publish the files of DIR to a gh-pages branch and print each image's stable URL.

    Files go under --path on --branch of --remote (default: the origin of the current repository,
    authenticated with GITHUB_TOKEN when set). Other files on the branch are kept; identical files
    make no commit; the branch never holds more than --keep commits; concurrent publishers all
    succeed. URLs are --pages-url (default https://OWNER.github.io/REPO from GITHUB_REPOSITORY)
    + /PATH/FILE; --json adds content-hashed ?v= versions.
    """
    from healthgrid.publish import read_dir

    if not args.dir and not args.remove:
        raise UsageError("DIR: give a directory to publish (or --remove PATH)")
    files = read_dir(args.dir) if args.dir else {}
    images, changed = _publish_ghpages(files, vars(args), console)
    _print_images(images, changed, args.json, console, files=files)
    return 0


def cmd_publish_imgur(args: argparse.Namespace, console: Console) -> int:
    """Upload images anonymously to Imgur (IMGUR_CLIENT_ID) and print each link.

    Imgur links change with every upload and anonymous uploads can be deleted when unused:
    use gh-pages for a URL that stays put. IMGUR_API_URL overrides https://api.imgur.com.
    """
    paths = [Path(f) for f in args.files]
    for path in paths:
        if not path.is_file():
            raise UsageError(f"FILE: {path}: no such file")
    images, changed = _publish_imgur(paths, console)
    beside = {p.parent / f"{p.stem.removesuffix('_dark')}.md" for p in paths}  # alt text for the embeds
    _print_images(images, changed, args.json, console, files={md.name: md.read_bytes() for md in beside if md.is_file()})
    return 0


def _publish_flags(p: argparse.ArgumentParser, defaults: bool) -> None:
    d = (lambda value: value) if defaults else (lambda value: None)
    p.add_argument("--remote", metavar="URL|PATH", help="git remote (default: origin of the current repository)")
    p.add_argument("--branch", default=d("gh-pages"), help="branch to publish to (default: gh-pages)")
    p.add_argument("--path", default=d("healthgrid"), help="folder on the branch (default: healthgrid)")
    p.add_argument("--keep", type=int, default=d(1), metavar="N", help="commits the branch keeps (default: 1)")
    p.add_argument("--pages-url", metavar="URL", help="site URL (default: https://OWNER.github.io/REPO from GITHUB_REPOSITORY)")
    p.add_argument("--repository", metavar="OWNER/REPO", help="publish to this repository's branch instead of --remote "
                   "(GITHUB_SERVER_URL/OWNER/REPO.git; its pages URL becomes the default --pages-url)")
    p.add_argument("--message", metavar="TEXT", help="commit message for the publish commit")


def _add_publish_flags(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="target", metavar="TARGET", required=True, parser_class=_Parser)
    gh = sub.add_parser("ghpages", help="a gh-pages branch (stable URLs)", description=inspect.cleandoc(cmd_publish_ghpages.__doc__),
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    gh.add_argument("dir", metavar="DIR", nargs="?", help="directory whose files to publish")
    _publish_flags(gh, defaults=True)
    gh.add_argument("--remove", metavar="PATH", action="append", help="also remove this path from the branch (repeatable)")
    gh.add_argument("--json", action="store_true", help="print one JSON object")
    gh.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    gh.set_defaults(func=cmd_publish_ghpages)
    im = sub.add_parser("imgur", help="anonymous Imgur upload (links change per upload)", description=inspect.cleandoc(cmd_publish_imgur.__doc__),
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    im.add_argument("files", metavar="FILE", nargs="+", help="image files")
    im.add_argument("--json", action="store_true", help="print one JSON object")
    im.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    im.set_defaults(func=cmd_publish_imgur)


def cmd_publish(args: argparse.Namespace, console: Console) -> int:
    """Publish files: `publish ghpages DIR` or `publish imgur FILE...`."""
    raise UsageError("TARGET: choose ghpages or imgur")


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    """Render, publish and report, as configured: what the Action runs.

    Takes the render flags, then publishes every grid that rendered (publish: section, or
    --publish and the gh-pages flags, which override it) and reports to Datadog (report:
    section). A grid that failed keeps its published image as it was, is reported with
    generation_success 0, the other grids still go out, and the exit code is 1 at the end.
    """
    from dataclasses import asdict

    from healthgrid.config import load_config

    config = load_config(args.config)
    target = args.publish or config.publish.to
    opts = {**asdict(config.publish), **{k: v for k, v in vars(args).items()
                                         if k in ("remote", "branch", "path", "keep", "pages_url", "repository", "message") and v is not None}}
    _check_publish(target, opts)  # a usage error now, not after minutes of fetching and rendering
    results, config = render_grids(args, console, config)
    ok = [r for r in results if r.ok]
    images, changed = [], False
    publish_error = None
    files = {name: content for r in ok for name, content in r.contents.items()}
    try:
        if ok and target == "ghpages":
            images, changed = _publish_ghpages(files, opts, console)
        elif ok and target == "imgur":
            images, changed = _publish_imgur([p for r in ok for p in r.files if p.suffix == ".png"], console)
        elif ok and target == "s3":
            from healthgrid.publish.s3 import publish_s3

            images, changed = publish_s3(files, config.publish, console)
    except RunError as exc:
        publish_error = exc
    _report(config, results, images, console)
    _print_images(images, changed, args.json, console, extra={"grids": [r.as_dict() for r in results]}, files=files)
    if publish_error:
        raise publish_error
    _raise_if_failed(results, "their published images were left as they were")
    return 0


def _check_publish(target: str | None, opts: dict) -> None:
    from healthgrid.publish.ghpages import _valid_path

    if target == "ghpages":
        _ghpages_target(opts)
        _valid_path(opts["path"])
        if opts["keep"] < 1:
            raise UsageError("--keep: must be at least 1")
    elif target == "imgur":
        from healthgrid.publish.imgur import client_id_from_env

        client_id_from_env()


def _report(config, results, images, console: Console) -> None:
    if not (config.report.metrics or config.report.dashboard or config.report.monitors):
        return
    from healthgrid.datadog_client import DatadogAuth
    from healthgrid.report import submit_metrics, update_dashboard

    try:
        auth = DatadogAuth.from_env(need_app_key=bool(config.report.dashboard or config.report.monitors))
    except UsageError as exc:
        console.warn(f"report: {exc}; not reporting")
        return
    if config.report.metrics and submit_metrics(auth, results, console.warn):
        console.progress(f"report: submitted healthgrid.* gauges for {len(results)} grid(s)")
    if config.report.monitors:
        from healthgrid.monitors import definitions, ensure

        outcome = ensure(auth, definitions(config.report.period), console.warn)
        if outcome:
            console.progress("report: monitors " + ", ".join(f"{v}: {k!r}" for k, v in outcome.items()))
    if config.report.dashboard and images:
        changed = update_dashboard(auth, config.report.dashboard, {i.url: i.versioned_url for i in images}, console.warn)
        if changed:
            console.progress(f"report: repointed {changed} image widget URL(s) on dashboard {config.report.dashboard}")


def _add_run_flags(p: argparse.ArgumentParser) -> None:
    _add_render_flags(p)
    p.add_argument("--publish", choices=("ghpages", "imgur", "s3", "none"), help="where to publish (default: the config's publish.to, else none)")
    _publish_flags(p, defaults=False)


def cmd_widget(args: argparse.Namespace, console: Console) -> int:
    """Print Datadog image-widget JSON for the published grids.

    Always a JSON list of widgets: with --url (and --dark-url) one, otherwise one per grid of the
    config, at the stable gh-pages URLs (--pages-url, publish.path). Paste its entries into a
    dashboard's widgets.
    """
    from healthgrid.widget import image_widget

    if args.url:
        widgets = [image_widget(args.url, args.dark_url)]
    else:
        from healthgrid.config import load_config
        from healthgrid.urls import pages_base, stable_url

        config = load_config(args.config)
        base = pages_base(args.pages_url or config.publish.pages_url)
        path = config.publish.path if args.path is None else args.path
        widgets = [image_widget(stable_url(base, path, f"{g.name}.png"), stable_url(base, path, f"{g.name}_dark.png")) for g in config.select(args.grid)]
    console.result(json.dumps(widgets, indent=2))  # a list even for one grid: one shape to parse
    return 0


def cmd_monitor(args: argparse.Namespace, console: Console) -> int:
    """Print Datadog monitor definitions that watch the grids themselves.

    One alerts when a grid failed to render (healthgrid.generation_success below 1), one when a
    grid went stale (no healthgrid.updated_at for two schedule periods). Both group by grid.
    Create them in Datadog, or let `report: {monitors: true}` keep them up to date.
    """
    from healthgrid.config import load_config
    from healthgrid.monitors import definitions

    period = args.period or load_config(args.config).report.period
    console.result(json.dumps(definitions(period, args.notify or ""), indent=2))
    return 0


def _add_monitor_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="PATH", help="config file (its report.period is the default period)")
    p.add_argument("--period", type=_whole(5, 7 * 24 * 60), metavar="MINUTES",
                   help="minutes between scheduled runs, 5..10080 (default: report.period, else 60)")
    p.add_argument("--notify", metavar="HANDLES", help="appended to the messages, e.g. '@slack-platform @pagerduty'")


def _add_widget_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", help="the light image's URL")
    p.add_argument("--dark-url", help="the dark image's URL (url_dark_theme)")
    p.add_argument("--config", metavar="PATH", help="config file (default: ./healthgrid.yml if present)")
    p.add_argument("--grid", metavar="NAME[,NAME]", action=_Names, help="only these grids (comma-separated or repeated)")
    p.add_argument("--pages-url", metavar="URL", help="site URL (default: from GITHUB_REPOSITORY)")
    p.add_argument("--path", help="folder on the branch (default: publish.path)")


def cmd_comment(args: argparse.Namespace, console: Console) -> int:
    """Create or update one sticky pull-request comment with preview images.

    FILE_OR_URL: image URLs (shown as images) and NAME.md files (alt text and table, with the
    image pointed at the matching URL). The comment carries <!-- healthgrid-preview --> and is
    edited in place on later runs. Uses GITHUB_TOKEN and GITHUB_API_URL; without permission
    (pull requests from forks) it warns and exits 0.
    """
    from healthgrid.comment import body_for, token_from_env, upsert

    if not re.fullmatch(r"[\w.-]+/[\w.-]+", args.repo):
        raise UsageError(f"--repo: {args.repo!r} must be OWNER/REPO")
    for item in args.items:
        if re.match(r"https?://", item):
            continue
        if not Path(item).is_file():
            raise UsageError(f"FILE_OR_URL: {item}: no such file (and not an http(s) URL)")
        try:
            if "\0" in read_text(item, "FILE_OR_URL"):
                raise ConfigError("FILE_OR_URL", f"{item}: not text (holds NUL bytes)")
        except ConfigError as exc:  # e.g. NAME.png where NAME.md was meant
            raise UsageError(f"{exc}; give NAME.md files and image URLs") from None
    token = token_from_env()
    outcome = upsert(args.repo, args.pr, body_for(args.items), token, warn=console.warn)
    console.progress(f"comment: {outcome} on {args.repo}#{args.pr}")
    if args.json:
        console.result(json.dumps({"comment": outcome}))
    return 0


def _add_comment_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--repo", required=True, metavar="OWNER/REPO")
    p.add_argument("--pr", required=True, type=_whole(1, 10**9), metavar="N")
    p.add_argument("items", metavar="FILE_OR_URL", nargs="+")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def cmd_render(args: argparse.Namespace, console: Console) -> int:
    """Render grids to image and text files.

    Data comes from Datadog (DD_API_KEY, DD_APP_KEY, DD_SITE or DATADOG_HOST), from
    deterministic demo data (--demo: no network, no keys), or from a grid data file (--data).
    Writes NAME.png, NAME_dark.png, NAME.json and NAME.md (and NAME.svg / NAME.html when asked)
    for each grid into --out, and prints their paths.
    """
    results, _ = render_grids(args, console)
    return _report_results(results, args.json, console)


def _add_render_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="PATH", help="config file (default: ./healthgrid.yml if present, else the built-in seven CI rows)")
    p.add_argument("--grid", metavar="NAME[,NAME]", action=_Names, help="render only these grids (comma-separated or repeated)")
    data = p.add_mutually_exclusive_group()
    data.add_argument("--demo", action="store_true", help="deterministic demo data: no network, no keys")
    data.add_argument("--data", metavar="PATH", help="a grid data file (NAME.json as healthgrid writes it; one grid or a list)")
    p.add_argument("--out", metavar="DIR", default="healthgrid-out", help="output directory (default: %(default)s)")
    p.add_argument("--now", metavar="ISO8601", help="the instant taken as now (default: the clock; no offset means UTC)")
    p.add_argument("--format", metavar="LIST", default="png", help="comma-separated: png, svg, html (default: %(default)s)")
    p.add_argument("--theme", choices=("light", "dark", "both"), default="both", help="light, dark (for Datadog's dark mode) or both (default)")
    p.add_argument("--timeout", metavar="SECONDS", type=_positive_seconds, default=60.0,
                   help="time allowed to fetch one grid from Datadog, retries included (default: %(default)g)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout instead of file paths")


def _whole(lo: int, hi: int):
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{shown(value)} is not a whole number") from None
        if not lo <= number <= hi:
            raise argparse.ArgumentTypeError(f"must be between {lo} and {hi}, got {shown(value, 30, quote=False)}")
        return number

    return parse


def _check_argv(argv: list[str]) -> None:
    """No control characters in any argument (but newlines in --message): they would reach file
    names, Markdown and logs."""
    for i, arg in enumerate(argv):
        if arg.startswith("--") and arg.partition("=")[2] == "--":  # argparse would hand the flag an empty list
            raise UsageError(f"{shown(arg.partition('=')[0], 40, quote=False)}: '--' is not a value")
        if i and argv[i - 1] == "--message" or arg.startswith("--message="):
            arg = arg.replace("\n", " ")  # a commit message may have a body; git gets it as typed
        bad = CONTROL_RE.search(arg)
        if bad:
            flag = arg.split("=", 1)[0] if arg.startswith("--") and "=" in arg else (argv[i - 1] if i and argv[i - 1].startswith("-") else f"argument {i + 1}")
            raise UsageError(f"{shown(flag, 40, quote=False)}: must not contain control characters (found {shown(bad.group())})")


def _positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not 1 <= seconds <= 3600:
        raise argparse.ArgumentTypeError(f"must be between 1 and 3600 seconds, got {value}")
    return seconds


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors")
    parser = _Parser(prog=PROG, description="Datadog metrics as a health grid image at a stable URL.", parents=[common])
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, func, add_flags in _COMMANDS:
        doc = inspect.cleandoc(func.__doc__ or "")
        p = sub.add_parser(name, help=doc.splitlines()[0], description=doc, parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter)
        add_flags(p)
        p.set_defaults(func=func)
    return parser


_COMMANDS = [
    ("render", cmd_render, _add_render_flags),
    ("publish", cmd_publish, _add_publish_flags),
    ("run", cmd_run, _add_run_flags),
    ("widget", cmd_widget, _add_widget_flags),
    ("comment", cmd_comment, _add_comment_flags),
    ("monitor", cmd_monitor, _add_monitor_flags),
]


def run() -> None:
    """The `healthgrid` command: `main()` as a short-lived process (see healthgrid.process)."""
    process.run(main)


def main(argv: list[str] | None = None, console: Console | None = None) -> int:
    console = console or Console()
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        _check_argv(argv)
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help(console.err)
            return 2
        return args.func(args, console)
    except HealthgridError as exc:
        if debug:
            import traceback

            console.debug(traceback.format_exc())
        for line in getattr(exc, "lines", None) or [str(exc)]:  # several config errors: one line each
            console.error(line)
        return exc.exit_code
    except BrokenPipeError:  # `healthgrid monitor | head`: the reader left; nothing to report
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's final flush quiet
        return 0
    except KeyboardInterrupt:
        console.error("interrupted")
        return 130
    except Exception as exc:  # a bug: still one line unless --debug
        if debug:
            import traceback

            console.debug(traceback.format_exc())
        console.error(f"internal error: {type(exc).__name__}: {exc}" + ("" if debug else " (run with --debug for details)"))
        return 1
