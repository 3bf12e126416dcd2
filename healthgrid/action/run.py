"""One run of the Action: inputs -> the pipeline (as `healthgrid run`) -> outputs, the pull-request
comment, the job summary (summary.py) and annotations.

Secrets are masked with `::add-mask::` before anything else is printed; the runner then hides
them in every later log line. How inputs become flags and credentials is inputs.py.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from healthgrid.action.inputs import DEFAULT_TARGET, SECRET_INPUTS, build_argv, credentials, multiline_input, read_input, removal_options, truthy
from healthgrid.action.runner import write_output
from healthgrid.action.summary import doctor_summary, grid_blocks, grid_image, summary
from healthgrid.console import Console
from healthgrid.credentials import Credentials
from healthgrid.publish.comment import image_block


def main(env=None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    from healthgrid.publish.git import basic_credentials
    from healthgrid.secrets import register_secret, register_secret_lines

    env = os.environ if env is None else env
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr

    # Progress and errors on stderr; results (the step outputs) go to the runner's files, workflow
    # commands to stdout.
    console = Console(stderr, stderr, commands=stdout)
    # Masks first: nothing may mention a secret before the runner knows to hide it. The runner
    # masks a value line by line only when told each line, and un-escapes %25, %0D, %0A first.
    for name in SECRET_INPUTS:
        value = read_input(name, env)
        lines = register_secret_lines(value)
        if name == "github-token" and value:  # the form git sends it in, should it ever surface
            lines.append(basic_credentials(value))
            register_secret(lines[-1])
        for line in lines:
            console.mask(line)
    keys = credentials(env)
    code, outcome = _run(env, keys, console)
    images = outcome.images
    light = next((i for i in images if i.file.endswith(".png") and not i.file.endswith("_dark.png")), None)
    dark = next((i for i in images if i.file.endswith("_dark.png")), None)
    embed = "\n".join(outcome.embeds.values())
    output_file = env.get("GITHUB_OUTPUT")
    write_output(output_file, "image-url", light.url if light else "", console)
    write_output(output_file, "dark-image-url", dark.url if dark else "", console)
    write_output(output_file, "images", json.dumps([i.as_dict() for i in images]), console)
    write_output(output_file, "changed", "true" if outcome.changed else "false", console)
    write_output(output_file, "embed", embed, console)

    blocks = grid_blocks(outcome.grids, images)
    if truthy(read_input("pr-comment", env, "false")) and images:
        shown = [grid_image(r.name, images) for r in outcome.grids]
        _comment(env, blocks + [image_block(i.versioned_url) for i in images if i not in shown], keys.github_token, console)
    for message in outcome.errors:
        console.annotate("error", message, title="healthgrid")
    if outcome.doctor is not None:
        doctor_summary(env.get("GITHUB_STEP_SUMMARY"), outcome.doctor, console)
    else:
        summary(env.get("GITHUB_STEP_SUMMARY"), blocks, embed, outcome.errors, console)
    return code


@dataclass
class _Outcome:
    """What the outputs, the summary and the annotations are made of."""

    images: list = field(default_factory=list)  # [Published]
    changed: bool = False
    embeds: dict[str, str] = field(default_factory=dict)
    grids: list = field(default_factory=list)  # [GridResult] of each grid that rendered
    errors: list[str] = field(default_factory=list)  # one line each, as the log shows them
    doctor: object | None = None  # `command: doctor`: its Report, for the job summary


def _run(env, keys: Credentials, console: Console) -> tuple[int, _Outcome]:
    """The inputs checked as the CLI checks its flags, then the pipeline (or, for `remove`, the
    gh-pages publisher alone)."""
    from healthgrid.cli import build_parser
    from healthgrid.console import failure
    from healthgrid.errors import UsageError
    from healthgrid.flags import check_argv, publish_options, run_options

    outcome = _Outcome()
    try:
        broken = multiline_input(env)
        if broken:
            raise UsageError(f"input {broken}: has a line break or control character; give it on one line")
        argv = build_argv(env)
        check_argv(argv)
        args = build_parser().parse_args(argv)
        if args.command == "publish":  # removal only
            from healthgrid.publish import publish
            from healthgrid.site.target import check

            options = removal_options(env, args, publish_options(args, keys))
            check(options)
            outcome.images, outcome.changed = publish({}, options, console)
            return 0, outcome
        if args.command == "doctor":
            return _doctor(args, keys, console, outcome)
        from healthgrid.pipeline import run

        options = run_options(args, keys, publish=True, default_to=DEFAULT_TARGET)
        dashboard = truthy(read_input("dashboard", env, "false"))
        if dashboard:
            from healthgrid.datadog.dashboard import check_before_run

            check_before_run(options.publish.to, keys)
        result = run(options, console)
        outcome.images, outcome.changed = result.images, result.changed
        outcome.embeds = result.embeds()
        outcome.grids = [r for r in result.grids if r.ok and r.text is not None]
        outcome.errors = [r.error for r in result.grids if r.error]  # each shown as its grid failed
        end = result.end_error()
        if end:
            raise end
        if dashboard:  # after a good publish only: a failed grid would show an old image beside a live twin
            from healthgrid.datadog.dashboard import after_publish

            done = after_publish(options.config, args.grid, result.images, keys, console.warn)
            console.progress(f"dashboard: {done.action} {done.id} {done.url}")
    except (Exception, KeyboardInterrupt) as exc:
        code, lines = failure(exc, console)
        outcome.errors += lines
        return code, outcome
    return 0, outcome


def _doctor(args, keys: Credentials, console: Console, outcome: _Outcome) -> tuple[int, _Outcome]:
    """`command: doctor`: the checks instead of a run; the table to the log and the job summary,
    one annotation per problem, exit 1 (a failed step) when a run would fail or lose rows."""
    from healthgrid.config import load_config
    from healthgrid.doctor import diagnose
    from healthgrid.flags import parse_now
    from healthgrid.text import log_line

    report = diagnose(load_config(args.config), args.grid, parse_now(args.now), keys, args.timeout, console.warn)
    console.result(report.text())
    outcome.doctor = report
    outcome.errors = [log_line(f"doctor: {f.subject}: {f.detail}") for f in report.failed]
    return report.exit_code, outcome


def _comment(env, blocks: list, token: str, console: Console) -> None:
    """The sticky preview comment; a missing permission is a warning annotation (fork pull requests)."""
    from healthgrid.errors import HealthgridError
    from healthgrid.publish.comment import body, upsert

    def warn(message: str) -> None:
        console.annotate("warning", message)

    try:
        event = json.loads(Path(env.get("GITHUB_EVENT_PATH", "")).read_text(encoding="utf-8"))
        number = int(event["pull_request"]["number"])
    except (OSError, ValueError, KeyError, TypeError):
        warn("pr-comment: not a pull_request event; no comment")
        return
    text = body(blocks)
    try:
        upsert(env.get("GITHUB_REPOSITORY", ""), number, text, token, api=env.get("GITHUB_API_URL"), warn=warn)
    except HealthgridError as exc:
        warn(f"pr-comment: {exc}")
