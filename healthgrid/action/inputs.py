"""The Action's inputs: read (in both spellings: `INPUT_DATADOG-API-KEY` as the runner sets them,
`INPUT_DATADOG_API_KEY` as some wrappers do), turned into the flags of `healthgrid run` (or, for
`remove`, `publish ghpages`) and into credentials.

An input the workflow left unset (empty) passes no flag, so the command's own order applies: the
config, then the environment, then the built-in default. Adding an input is one `Input` line in
INPUTS (and its entry in action.yml).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from healthgrid.credentials import Credentials
from healthgrid.text import CONTROL

SECRET_INPUTS = ("datadog-api-key", "datadog-app-key", "imgur-client-id", "github-token")
OUT_DIR = "healthgrid-out"
DEFAULT_TARGET = "ghpages"  # where a run publishes when neither the publish input nor the config's publish.to says


def read_input(name: str, env=None, default: str = "") -> str:
    env = os.environ if env is None else env
    for key in (f"INPUT_{name.upper()}", f"INPUT_{name.upper().replace('-', '_')}"):
        if key in env:
            return env[key].strip()
    return default


def truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def multiline_input(env) -> str | None:
    """The first input holding a control character (a line break but in a secret, which may be a
    multi-line key, or a list one name or path a line): it would end up in flags, file names and
    messages."""
    lists = {i.name for i in INPUTS if i.kind in ("names", "lines")}
    for key, value in env.items():
        name = key[6:].lower().replace("_", "-")
        if not key.startswith("INPUT_") or name in SECRET_INPUTS:
            continue
        text = value.strip()
        if name in lists:
            text = text.replace("\r\n", "\n").replace("\n", "")
        if CONTROL.search(text):
            return name
    return None


@dataclass(frozen=True)
class Input:
    """An Action input and the flag it becomes. Left unset (empty) it passes no flag, so the
    command's own order applies: the config, then the environment, then the built-in default."""

    name: str
    flag: str
    kind: str = "value"  # value: FLAG VALUE | switch: FLAG when true | names: FLAG per comma/line-separated name | lines: FLAG per line
    commands: tuple[str, ...] = ("run",)

    @property
    def dest(self) -> str:  # the parsed argument's name
        return self.flag.lstrip("-").replace("-", "_")


_BOTH = ("run", "remove")
_CHECKED = ("run", "doctor")  # what `command: doctor` takes: the grids to check, as a run would render them
INPUTS = (  # one line per input; action.yml documents them
    Input("config", "--config", commands=_CHECKED),
    Input("demo", "--demo", "switch"),
    Input("now", "--now", commands=_CHECKED),
    Input("publish", "--publish"),
    Input("pages-branch", "--branch", commands=_BOTH),
    Input("pages-path", "--path"),
    Input("pages-keep", "--keep", commands=_BOTH),
    Input("pages-url", "--pages-url", commands=_BOTH),
    Input("theme", "--theme"),
    Input("format", "--format"),
    Input("grid", "--grid", "names", commands=_CHECKED),
    Input("deadline", "--deadline"),
    Input("repository", "--repository", commands=_BOTH),
    Input("commit-message", "--message", commands=_BOTH),
    Input("remove", "--remove", "lines", commands=("remove",)),
)
COMMANDS = {"run": ["run", "--out", OUT_DIR], "remove": ["publish", "ghpages"], "doctor": ["doctor"]}


def command(env) -> str:
    """What the inputs ask for: `doctor` (input command: checks only, nothing rendered or
    published), `remove` (clean-up only: nothing is rendered), else a run."""
    from healthgrid.errors import UsageError
    from healthgrid.text import shown

    asked = read_input("command", env) or "run"
    if asked not in ("run", "doctor"):
        raise UsageError(f"input command: {shown(asked, 40)} is not a command; use run (the default) or doctor")
    if asked == "doctor" and read_input("remove", env):
        raise UsageError("input remove: removes paths in a run; with command: doctor nothing is published or removed")
    return "doctor" if asked == "doctor" else "remove" if read_input("remove", env) else "run"


def given(env, what: str) -> list[Input]:
    """The inputs of command `what` that the workflow set."""
    return [i for i in INPUTS if what in i.commands and read_input(i.name, env)]


def build_argv(env) -> list[str]:
    """The inputs as the flags of `healthgrid run` (or, for `remove`, `publish ghpages`): parsed by
    the CLI's own parser, so an input is checked, and its error worded, exactly as its flag is."""
    what = command(env)
    argv = list(COMMANDS[what])
    for spec in given(env, what):
        value = read_input(spec.name, env)
        if spec.kind == "switch":
            argv += [spec.flag] if truthy(value) else []
        elif spec.kind == "names":
            argv += [part for name in value.replace(",", "\n").split() for part in (spec.flag, name)]
        elif spec.kind == "lines":
            argv += [part for line in value.splitlines() if line.strip() for part in (spec.flag, line.strip())]
        else:
            argv += [spec.flag, value]
    return argv


def credentials(env) -> Credentials:
    """The keys and tokens the inputs give, over those of the environment (DATADOG_HOST and the
    like only come from there)."""
    base = Credentials.from_env()
    given = {field: read_input(name, env) for field, name in (
        ("datadog_api_key", "datadog-api-key"), ("datadog_app_key", "datadog-app-key"), ("datadog_site", "datadog-site"),
        ("imgur_client_id", "imgur-client-id"), ("github_token", "github-token"))}
    return replace(base, **{field: value for field, value in given.items() if value})


def removal_options(env, args, flags):
    """A removal goes where the runs publish: the config's publish: section (branch, keep, remote,
    pages URL), with the inputs the workflow set over it, as a run merges them (a `repository`
    input replaces the config's remote; a remote still the config's gets no token in a pull
    request)."""
    from healthgrid.config import PublishSpec, load_config
    from healthgrid.publish.shared import with_flags

    config = load_config(read_input("config", env) or None).publish
    spec = PublishSpec(branch=config.branch, keep=config.keep, remote=config.remote, pages_url=config.pages_url)
    inputs = {i.dest: getattr(flags, i.dest) for i in given(env, "remove") if hasattr(flags, i.dest)}
    return with_flags(spec, inputs, flags.credentials, to="ghpages", remove=flags.remove)
