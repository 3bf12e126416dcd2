"""GitHub Action glue: inputs -> the pipeline (as `healthgrid run`) -> outputs, job summary and annotations.

Secrets are masked with `::add-mask::` before anything else is printed; the runner then hides
them in every later log line. How inputs become flags and credentials is healthgrid.action_inputs.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from healthgrid.action_inputs import DEFAULT_TARGET, SECRET_INPUTS, build_argv, credentials, multiline_input, read_input, removal_options, truthy
from healthgrid.console import Console
from healthgrid.credentials import Credentials

SUMMARY_ERRORS_LIMIT = 4000  # characters of error text quoted in the job summary


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _append(path: str | None, text: str, what: str) -> None:
    """Append to a runner file command; a missing file is a warning, never a crash."""
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        print(f"::warning::healthgrid: cannot write {what} ({exc.strerror})", file=sys.stdout)


def _write_output(path: str | None, name: str, value: str) -> None:
    delimiter = f"healthgrid_{uuid.uuid4().hex}"
    _append(path, f"{name}<<{delimiter}\n{value}\n{delimiter}\n", "GITHUB_OUTPUT")


def main(env=None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    from healthgrid.publish.git import basic_credentials
    from healthgrid.secrets import register_secret, register_secret_lines

    env = os.environ if env is None else env
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr

    # Masks first: nothing may mention a secret before the runner knows to hide it. The runner
    # masks a value line by line only when told each line, and un-escapes %25, %0D, %0A first.
    for name in SECRET_INPUTS:
        value = read_input(name, env)
        lines = register_secret_lines(value)
        if name == "github-token" and value:  # the form git sends it in, should it ever surface
            lines.append(basic_credentials(value))
            register_secret(lines[-1])
        for line in lines:
            print(f"::add-mask::{_escape_data(line)}", file=stdout, flush=True)

    console = Console(stderr, stderr)  # progress and errors; the outputs below are the results
    keys = credentials(env)
    code, outcome = _run(env, keys, console)
    images = outcome.images
    light = next((i for i in images if i.file.endswith(".png") and not i.file.endswith("_dark.png")), None)
    dark = next((i for i in images if i.file.endswith("_dark.png")), None)
    embed = "\n".join(outcome.embeds.values())
    output_file = env.get("GITHUB_OUTPUT")
    _write_output(output_file, "image-url", light.url if light else "")
    _write_output(output_file, "dark-image-url", dark.url if dark else "")
    _write_output(output_file, "images", json.dumps([i.as_dict() for i in images]))
    _write_output(output_file, "changed", "true" if outcome.changed else "false")
    _write_output(output_file, "embed", embed)

    if truthy(read_input("pr-comment", env, "false")) and images:
        _comment(env, outcome.markdown, images, keys.github_token, stderr)
    for message in outcome.errors:
        print(f"::error title={_escape_property('healthgrid')}::{_escape_data(message)}", file=stdout, flush=True)
    _summary(env.get("GITHUB_STEP_SUMMARY"), outcome.markdown, images, embed, outcome.errors)
    return code


@dataclass
class _Outcome:
    """What the outputs, the summary and the annotations are made of."""

    images: list = field(default_factory=list)  # [Published]
    changed: bool = False
    embeds: dict[str, str] = field(default_factory=dict)
    markdown: list[tuple[str, Path]] = field(default_factory=list)  # (grid name, NAME.md) of each grid that rendered
    errors: list[str] = field(default_factory=list)  # one line each, as the log shows them


def _run(env, keys: Credentials, console: Console) -> tuple[int, _Outcome]:
    """The inputs checked as the CLI checks its flags, then the pipeline (or, for `remove`, the
    gh-pages publisher alone)."""
    from healthgrid.cli import build_parser, publish_options, run_options
    from healthgrid.console import failure
    from healthgrid.flags import check_argv
    from healthgrid.text import log_line

    outcome = _Outcome()
    broken = multiline_input(env)
    if broken:
        message = f"input {broken}: has a line break or control character; give it on one line"
        console.error(message)
        outcome.errors.append(log_line(message))
        return 2, outcome
    try:
        argv = build_argv(env)
        check_argv(argv)
        args = build_parser().parse_args(argv)
        if args.command == "publish":  # removal only
            from healthgrid.publish import publish

            outcome.images, outcome.changed = publish({}, removal_options(env, args, publish_options(args, keys)), console)
            return 0, outcome
        from healthgrid.pipeline import run

        options = run_options(args, keys, publish=True, default_to=DEFAULT_TARGET)
        dashboard = truthy(read_input("dashboard", env, "false"))
        if dashboard:
            from healthgrid.datadog.dashboard import check_before_run

            check_before_run(options.publish.to, keys)
        result = run(options, console)
    except (Exception, KeyboardInterrupt) as exc:
        code, outcome.errors = failure(exc, console)
        return code, outcome
    outcome.images, outcome.changed = result.images, result.changed
    outcome.embeds = result.embeds()
    outcome.markdown = [(r.name, p) for r in result.grids if r.ok for p in r.files if p.suffix == ".md"]
    kept = "their published images were left as they were"
    outcome.errors = result.errors(kept)
    end = result.failure(kept)
    if end:
        console.error(str(end))
    elif dashboard:  # after a good publish only: a failed grid would show an old image beside a live twin
        try:
            from healthgrid.datadog.dashboard import after_publish

            done = after_publish(options.config, args.grid, result.images, keys, console.warn)
            console.progress(f"dashboard: {done.action} {done.id} {done.url}")
        except (Exception, KeyboardInterrupt) as exc:
            code, outcome.errors = failure(exc, console)
            return code, outcome
    return (end.exit_code if end else 0), outcome


def _comment(env, markdown: list[tuple[str, Path]], images: list, token: str, stderr: TextIO) -> None:
    """The sticky preview comment; a missing permission is a warning (fork pull requests)."""
    from healthgrid.errors import HealthgridError
    from healthgrid.publish.comment import body_for, upsert
    from healthgrid.secrets import redact

    try:
        event = json.loads(Path(env.get("GITHUB_EVENT_PATH", "")).read_text(encoding="utf-8"))
        number = int(event["pull_request"]["number"])
    except (OSError, ValueError, KeyError, TypeError):
        print("::warning::pr-comment: not a pull_request event; no comment", file=stderr)
        return
    body = body_for([i.versioned_url for i in images] + [str(path) for _, path in markdown])
    warn = lambda message: print(f"::warning::{_escape_data(redact(message))}", file=stderr)  # noqa: E731 - one line, read where it is used
    try:
        upsert(env.get("GITHUB_REPOSITORY", ""), number, body, token, api=env.get("GITHUB_API_URL"), warn=warn)
    except HealthgridError as exc:
        warn(f"pr-comment: {exc}")


def embed_block(embed: str) -> str:
    """The embed as a fenced code block: copied, not rendered. The fence is longer than any run
    of backticks inside (alt text comes from user titles), so nothing can close it early."""
    import re

    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", embed)), default=0))
    return f"Embed (follows light/dark mode; versioned URLs beat caches):\n\n{fence}html\n{embed}\n{fence}"


def _summary(path: str | None, markdown: list[tuple[str, Path]], images: list, embed: str, errors: list[str]) -> None:
    """The job summary: errors first, then each grid's Markdown, then the embed snippet, within
    GitHub's 1 MiB (a longer summary is dropped whole): past it, tables give way to links
    (healthgrid.mdfit) and the text says so; the errors always stay."""
    from healthgrid.files.fit import SUMMARY_LIMIT, SUMMARY_WHAT, fit, sibling, split_grid, utf8_bytes
    from healthgrid.text import md_code_block, md_url

    if not path:
        return
    by_file = {i.file: i for i in images}
    grids = []
    for name, md_path in markdown:
        if not md_path.is_file():
            continue
        image = by_file.get(f"{name}.png") or by_file.get(f"{name}_dark.png")
        # The Markdown points at the image by file name; in a summary it must be a URL, or go.
        lines = [(line.replace(f"]({name}.png)", f"]({md_url(image.versioned_url)})") if image else "")
                 if line.startswith("![") else line for line in md_path.read_text(encoding="utf-8").splitlines()]
        page = ".html" if md_path.with_suffix(".html").is_file() else ".md"
        grids.append(split_grid(name, "\n".join(lines), sibling(image.url, name, (page,)) if image else None))
    # Quoted verbatim but inert: they may echo Datadog's or a proxy's error body.
    first = "**healthgrid failed:**\n\n" + md_code_block("\n".join(errors), limit=SUMMARY_ERRORS_LIMIT) if errors else ""
    tail = embed_block(embed) if embed else ""
    if not (first or grids or tail):
        return
    try:
        room = SUMMARY_LIMIT - os.path.getsize(path)  # the file is the step's; anything already in it counts
    except OSError:
        room = SUMMARY_LIMIT
    if room > 0:
        text = fit(first, grids, tail, room, utf8_bytes, SUMMARY_WHAT, tail_note="The embed snippet is left out here: the `embed` output holds it.",
                   tail_name="the embed snippet")
        _append(path, text, "GITHUB_STEP_SUMMARY")
