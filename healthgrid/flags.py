"""The command line's flags, how their values are checked (argparse set up to fail in one line), and
the options a command's flags make (`run_options`, `publish_options`)."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

from healthgrid.config import check_year
from healthgrid.credentials import Credentials
from healthgrid.errors import UsageError
from healthgrid.text import CONTROL, shown


class Names(argparse.Action):
    """`--grid a,b --grid c` -> ["a", "b", "c"]: commas split names, as in the Action's `grid` input."""

    def __call__(self, parser, namespace, values, option_string=None):
        names = list(getattr(namespace, self.dest, None) or [])
        names += [n.strip() for n in values.split(",") if n.strip()]
        setattr(namespace, self.dest, names)


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage and exit; we want one line
        raise UsageError(message.replace("argument ", "", 1) if message.startswith("argument ") else message)


def parse_now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--now: {shown(value)} is not an ISO 8601 date-time (e.g. 2026-11-28T12:00:00Z)") from None
    return check_year(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc), "--now")


def parse_formats(value: str) -> tuple[str, ...]:
    from healthgrid.site.names import FORMATS

    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    if not formats:
        raise UsageError("--format: give at least one of " + ", ".join(FORMATS))
    for f in formats:
        if f not in FORMATS:
            raise UsageError(f"--format: unknown format {f!r}; choose from {', '.join(FORMATS)}")
    return formats


def whole(lo: int, hi: int):
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{shown(value)} is not a whole number") from None
        if not lo <= number <= hi:
            raise argparse.ArgumentTypeError(f"must be between {lo} and {hi}, got {shown(value, 30, quote=False)}")
        return number

    return parse


def positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not 1 <= seconds <= 3600:
        raise argparse.ArgumentTypeError(f"must be between 1 and 3600 seconds, got {value}")
    return seconds


def check_argv(argv: list[str]) -> None:
    """No control characters in any argument (but newlines in --message): they would reach file
    names, Markdown and logs."""
    for i, arg in enumerate(argv):
        if i and argv[i - 1] == "--message" or arg.startswith("--message="):
            arg = arg.replace("\n", " ")  # a commit message may have a body; git gets it as typed
        if arg.startswith("--") and arg.partition("=")[2] == "--":  # argparse would hand the flag an empty list
            raise UsageError(f"{shown(arg.partition('=')[0], 40, quote=False)}: '--' is not a value")
        bad = CONTROL.search(arg)
        if bad:
            flag = arg.split("=", 1)[0] if arg.startswith("--") and "=" in arg else (argv[i - 1] if i and argv[i - 1].startswith("-") else f"argument {i + 1}")
            raise UsageError(f"{shown(flag, 40, quote=False)}: must not contain control characters (found {shown(bad.group())})")


def render_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="PATH", help="config file (default: ./healthgrid.yml if present, else the built-in seven CI rows)")
    p.add_argument("--grid", metavar="NAME[,NAME]", action=Names, help="render only these grids (comma-separated or repeated)")
    data = p.add_mutually_exclusive_group()
    data.add_argument("--demo", action="store_true", help="deterministic demo data: no network, no keys")
    data.add_argument("--data", metavar="PATH", help="a grid data file (NAME.json as healthgrid writes it; one grid or a list)")
    p.add_argument("--out", metavar="DIR", default="healthgrid-out", help="output directory (default: %(default)s)")
    p.add_argument("--now", metavar="ISO8601", help="the instant taken as now (default: the clock; no offset means UTC)")
    p.add_argument("--format", metavar="LIST", default="png", help="comma-separated: png, svg, html (default: %(default)s)")
    p.add_argument("--theme", choices=("light", "dark", "both"), default="both", help="light, dark (for Datadog's dark mode) or both (default)")
    p.add_argument("--timeout", metavar="SECONDS", type=positive_seconds, default=60.0,
                   help="time allowed to fetch one grid from Datadog, retries included (default: %(default)g)")
    p.add_argument("--deadline", metavar="SECONDS", type=whole(1, 86400),
                   help="no grid starts later than this after the run starts; those left fail, the others are written (and published by run)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout instead of file paths")


def publish_flags(p: argparse.ArgumentParser, defaults: bool) -> None:
    d = (lambda value: value) if defaults else (lambda value: None)
    p.add_argument("--remote", metavar="URL|PATH", help="git remote (default: origin of the current repository)")
    p.add_argument("--branch", default=d("gh-pages"), help="branch to publish to (default: gh-pages)")
    p.add_argument("--path", default=d("healthgrid"), help="folder on the branch (default: healthgrid)")
    p.add_argument("--keep", type=int, default=d(1), metavar="N", help="healthgrid's own commits the branch keeps (default: 1)")
    p.add_argument("--pages-url", metavar="URL", help="site URL (default: https://OWNER.github.io/REPO from GITHUB_REPOSITORY; "
                   "https://HOST/pages/OWNER/REPO when GITHUB_SERVER_URL is a GitHub Enterprise Server)")
    p.add_argument("--repository", metavar="OWNER/REPO", help="publish to this repository's branch instead of --remote "
                   "(GITHUB_SERVER_URL/OWNER/REPO.git; its pages URL becomes the default --pages-url)")
    p.add_argument("--message", metavar="TEXT", help="commit message for the publish commit")


def run_flags(p: argparse.ArgumentParser) -> None:
    render_flags(p)
    p.add_argument("--publish", choices=("ghpages", "imgur", "s3", "none"), help="where to publish (default: the config's publish.to, else none)")
    publish_flags(p, defaults=False)


def monitor_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="PATH", help="config file (its report.period is the default period)")
    p.add_argument("--period", type=whole(5, 7 * 24 * 60), metavar="MINUTES",
                   help="minutes between scheduled runs, 5..10080 (default: report.period, else 60)")
    p.add_argument("--notify", metavar="HANDLES", help="appended to the messages, e.g. '@slack-platform @pagerduty'")


def widget_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", help="the light image's URL")
    p.add_argument("--dark-url", help="the dark image's URL (url_dark_theme)")
    p.add_argument("--config", metavar="PATH", help="config file (default: ./healthgrid.yml if present)")
    p.add_argument("--grid", metavar="NAME[,NAME]", action=Names, help="only these grids (comma-separated or repeated)")
    p.add_argument("--pages-url", metavar="URL", help="site URL (default: from GITHUB_REPOSITORY)")
    p.add_argument("--path", help="folder on the branch (default: publish.path)")


def dashboard_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="PATH", help="config file (default: ./healthgrid.yml if present)")
    p.add_argument("--grid", metavar="NAME[,NAME]", action=Names, help="only these grids (comma-separated or repeated)")
    p.add_argument("--title", help="the dashboard's title (default: the grid's title, or the grids' titles)")
    p.add_argument("--image-base", metavar="URL", help="URL of the folder holding NAME.png and NAME_dark.png "
                   "(default: from the publish: settings, as `healthgrid widget` says)")
    p.add_argument("--dashboard-id", metavar="ID", help="update this dashboard (it must be one healthgrid made) "
                   "instead of finding ours by its marker")
    p.add_argument("--dry-run", action="store_true", help="print the dashboard body as JSON; no keys, no network")
    p.add_argument("--json", action="store_true", help="print one JSON object (id, url, created or updated)")


def doctor_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="PATH", help="config file (default: ./healthgrid.yml if present, else the built-in seven CI rows)")
    p.add_argument("--grid", metavar="NAME[,NAME]", action=Names, help="check only these grids (comma-separated or repeated)")
    p.add_argument("--now", metavar="ISO8601", help="the instant taken as now (default: the clock; no offset means UTC)")
    p.add_argument("--timeout", metavar="SECONDS", type=positive_seconds, default=120.0,
                   help="time allowed for the whole check, every request and retry included (default: %(default)g)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")


def comment_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--repo", required=True, metavar="OWNER/REPO")
    p.add_argument("--pr", required=True, type=whole(1, 10**9), metavar="N")
    p.add_argument("items", metavar="FILE_OR_URL", nargs="+")
    p.add_argument("--json", action="store_true", help="print one JSON object")


_RUN_FLAGS = ("remote", "branch", "path", "keep", "pages_url", "repository", "message")


def run_options(args: argparse.Namespace, credentials: Credentials, publish: bool, default_to: str = "none"):
    """RunOptions from `render`/`run` flags; with `publish`, the config's publish: section with the
    flags applied (a `run`). `default_to`: the target when neither --publish nor publish.to says."""
    from healthgrid.config import load_config
    from healthgrid.pipeline import RunOptions
    from healthgrid.publish.shared import with_flags

    config = load_config(args.config)
    options = RunOptions(config, parse_now(args.now), Path(args.out), parse_formats(args.format), args.theme, args.grid,
                         args.demo, args.data, args.timeout, credentials=credentials, deadline=args.deadline,
                         debug=getattr(args, "debug", False))
    if publish:
        flags = {k: v for k, v in vars(args).items() if k in _RUN_FLAGS and v is not None}
        to = args.publish or (config.publish.to if "to" in config.publish.keys else default_to)
        options.publish = with_flags(config.publish, flags, credentials, to=to)
    return options


def publish_options(args: argparse.Namespace, credentials: Credentials):
    """PublishOptions from `publish ghpages` flags."""
    from healthgrid.publish import PublishOptions

    return PublishOptions("ghpages", args.branch, args.path, args.keep, args.pages_url, args.remote, repository=args.repository,
                          message=args.message, remove=tuple(args.remove or ()), credentials=credentials)
