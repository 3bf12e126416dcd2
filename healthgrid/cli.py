"""Command line: `healthgrid render|run|...`. Each command's docstring is its --help.

Errors are one line on stderr, `healthgrid: error: <what>`, exit 2 for usage/config and 1 for
run-time failures; `--debug` adds the traceback. Heavy modules load only in the commands that need
them, so `--help` and config errors stay fast. The work itself is healthgrid.pipeline's.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import sys
from pathlib import Path

from healthgrid import __version__, process
from healthgrid.config import MAX_DATA_BYTES, ConfigError, read_text
from healthgrid.console import PROG, Console, failure
from healthgrid.credentials import Credentials
from healthgrid.errors import UsageError
from healthgrid.flags import (
    Parser,
    check_argv,
    comment_flags,
    dashboard_flags,
    doctor_flags,
    monitor_flags,
    parse_now,
    render_flags,
    run_flags,
    run_options,
    widget_flags,
)
from healthgrid.publish_commands import print_images, publish_targets


def _grids_json(result) -> dict:
    return {"grids": [r.as_dict() for r in result.grids], **({"files": [str(p) for p in result.files]} if result.files else {})}


def cmd_render(args: argparse.Namespace, console: Console) -> int:
    """Render grids to image and text files.

    Data comes from Datadog (DD_API_KEY, DD_APP_KEY, DD_SITE or DATADOG_HOST), from
    deterministic demo data (--demo: no network, no keys), or from a grid data file (--data).
    Writes NAME.png and NAME_dark.png (as --theme says), NAME.json, NAME.md and NAME.badge.json
    (and NAME.svg / NAME.html, with one index.html, when --format asks) for each grid into --out,
    and prints their paths.
    """
    from healthgrid.pipeline import run

    result = run(run_options(args, Credentials.from_env(), publish=False), console)
    if args.json:
        console.result(json.dumps(_grids_json(result)))
    else:
        for path in [p for r in result.grids for p in r.files] + result.files:
            console.result(str(path))
    end = result.end_error()
    if end:
        raise end
    return 0


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    """Render, publish and report, as configured: what the Action runs.

    Takes the render flags, then publishes every grid that rendered (publish: section, or
    --publish and the gh-pages flags, which override it) and reports to Datadog (report:
    section). A grid that failed keeps its published image as it was, is reported with
    generation_success 0, the other grids still go out, and the exit code is 1 at the end.
    """
    from healthgrid.pipeline import run

    result = run(run_options(args, Credentials.from_env(), publish=True), console)
    print_images(result.images, result.changed, args.json, console, {t.name: t.alt for t in result.texts()}, extra=_grids_json(result))
    end = result.end_error()
    if end:
        raise end
    return 0


def cmd_widget(args: argparse.Namespace, console: Console) -> int:
    """Print Datadog image-widget JSON for the published grids.

    Always a JSON list of widgets: with --url (and --dark-url) one, otherwise one per grid of the
    config, at the stable gh-pages URLs (--pages-url, publish.path). Paste its entries into a
    dashboard's widgets.
    """
    from healthgrid.datadog.widget import image_widget

    if args.url:
        widgets = [image_widget(args.url, args.dark_url)]
    else:
        from healthgrid.config import load_config
        from healthgrid.site.paths import valid_path
        from healthgrid.site.urls import pages_base, stable_url

        config = load_config(args.config)
        base = pages_base(args.pages_url or config.publish.pages_url)
        path = config.publish.path if args.path is None else valid_path(args.path)
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
    from healthgrid.datadog.monitors import definitions

    period = args.period or load_config(args.config).report.period
    console.result(json.dumps(definitions(period, args.notify or ""), indent=2))
    return 0


def cmd_comment(args: argparse.Namespace, console: Console) -> int:
    """Create or update one sticky pull-request comment with preview images.

    FILE_OR_URL: image URLs (shown as images) and NAME.md files (alt text and table, with the
    image pointed at the matching URL). The comment carries <!-- healthgrid-preview --> and is
    edited in place on later runs. Uses GITHUB_TOKEN and GITHUB_API_URL; without permission
    (pull requests from forks) it warns and exits 0.
    """
    from healthgrid.publish.comment import body_for, token_from_env, upsert

    if not re.fullmatch(r"[\w.-]+/[\w.-]+", args.repo):
        raise UsageError(f"--repo: {args.repo!r} must be OWNER/REPO")
    for item in args.items:
        if re.match(r"https?://", item):
            continue
        if not Path(item).is_file():
            raise UsageError(f"FILE_OR_URL: {item}: no such file (and not an http(s) URL)")
        try:
            if "\0" in read_text(item, "FILE_OR_URL", MAX_DATA_BYTES):  # the largest NAME.md written fits
                raise ConfigError("FILE_OR_URL", f"{item}: not text (holds NUL bytes)")
        except ConfigError as exc:  # e.g. NAME.png where NAME.md was meant
            raise UsageError(f"{exc}; give NAME.md files and image URLs") from None
    token = token_from_env()
    outcome = upsert(args.repo, args.pr, body_for(args.items), token, warn=console.warn)
    console.progress(f"comment: {outcome} on {args.repo}#{args.pr}")
    if args.json:
        console.result(json.dumps({"comment": outcome}))
    return 0


def cmd_dashboard(args: argparse.Namespace, console: Console) -> int:
    """Create or update one Datadog dashboard: each grid's image and its live twin.

    Per grid a group with the image widget (light and dark) and, per row, a query_value of the
    day so far coloured by the row's pass/warn rule or score bands, and a timeseries of the last
    `days` days with the thresholds as markers. The dashboard is found again by the marker line
    in its description (or --dashboard-id) and updated in place; a dashboard healthgrid did not
    make is never changed. Needs DD_API_KEY and DD_APP_KEY, except with --dry-run.
    """
    from healthgrid.config import load_config
    from healthgrid.datadog.dashboard import check_id, prepare, publish

    check_id(args.dashboard_id)
    body = prepare(load_config(args.config), args.grid, args.title, args.image_base)
    if args.dry_run:
        console.result(json.dumps(body, indent=2))
        return 0
    outcome = publish(Credentials.from_env(), body, args.dashboard_id, console.warn)
    console.progress(f"dashboard: {outcome.action} {outcome.id}")
    if args.json:
        console.result(json.dumps({"dashboard": outcome._asdict(), "title": body["title"]}))
    else:
        console.result(outcome.url)
    return 0


def cmd_doctor(args: argparse.Namespace, console: Console) -> int:
    """Check against the configured Datadog org that a run will work; writes and publishes nothing.

    Checks the API key (GET /api/v1/validate) and the application key (the query endpoint) at
    the configured site or DATADOG_HOST, sends each grid's queries as a run would, and lists rows
    without data (an unknown metric or no points in the window), percentile rows on metrics that
    are not distributions, which instant this org stamps calendar-aligned daily buckets with, and
    each grid's requests, queries and points against Datadog's limits. Exit 0 when a run would
    succeed, 1 when it would fail or lose rows, 2 for usage errors.
    """
    from healthgrid.config import load_config
    from healthgrid.doctor import diagnose

    config = load_config(args.config)
    report = diagnose(config, args.grid, parse_now(args.now), Credentials.from_env(), args.timeout, console.warn)
    console.result(report.json() if args.json else report.text())
    if report.exit_code:
        subjects = list(dict.fromkeys(f.subject for f in report.failed))
        console.error(f"doctor: {report.verdict()} ({', '.join(subjects[:5])}{', …' if len(subjects) > 5 else ''})")
    return report.exit_code


_COMMANDS = [  # name, --help (a command's docstring), what it runs (publish: its targets), its flags
    ("render", cmd_render.__doc__, cmd_render, render_flags),
    ("publish", "Publish files: `publish ghpages DIR` or `publish imgur FILE...`.", None, publish_targets),
    ("run", cmd_run.__doc__, cmd_run, run_flags),
    ("widget", cmd_widget.__doc__, cmd_widget, widget_flags),
    ("comment", cmd_comment.__doc__, cmd_comment, comment_flags),
    ("monitor", cmd_monitor.__doc__, cmd_monitor, monitor_flags),
    ("dashboard", cmd_dashboard.__doc__, cmd_dashboard, dashboard_flags),
    ("doctor", cmd_doctor.__doc__, cmd_doctor, doctor_flags),
]


def build_parser() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors")
    parser = Parser(prog=PROG, description="Datadog metrics as a health grid image at a stable URL.", parents=[common])
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name, doc, func, add_flags in _COMMANDS:
        doc = inspect.cleandoc(doc)
        p = sub.add_parser(name, help=doc.splitlines()[0], description=doc, parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter)
        add_flags(p)
        if func:
            p.set_defaults(func=func)
    return parser


def run() -> None:
    """The `healthgrid` command: `main()` as the whole process (see healthgrid.process)."""
    process.run(main)


def main(argv: list[str] | None = None, console: Console | None = None) -> int:
    console = console or Console()
    argv = sys.argv[1:] if argv is None else argv
    try:
        check_argv(argv)
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help(console.err)
            return 2
        return args.func(args, console)
    except BrokenPipeError:  # `healthgrid monitor | head`: the reader left; nothing to report (process.run quiets the stream)
        return 0
    except (Exception, KeyboardInterrupt) as exc:
        return failure(exc, console, debug="--debug" in argv)[0]
