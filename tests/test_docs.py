"""The documentation a user reads (README.md and docs/*.md): every link and anchor resolves inside
the repository, every command shown runs as printed — or, where it needs keys or the network,
parses with healthgrid's own parser and names files that exist — the generated parts are what
their tools generate, workflow snippets use the Action's real inputs, and the README stays a
front door."""

from __future__ import annotations

import contextlib
import functools
import io
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from matplotlib.figure import Figure

from healthgrid import render
from healthgrid.cli import build_parser
from healthgrid.config import load_config
from healthgrid.errors import UsageError
from healthgrid.flags import check_argv

from conftest import ROOT, run_cli

sys.path.insert(0, str(ROOT / "tools"))

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL = ("sh", "bash", "console")
HEALTHGRID = (".venv/bin/healthgrid", "healthgrid")
SUBCOMMANDS = next(a for a in build_parser()._actions if a.dest == "command").choices


@dataclass
class Block:
    page: Path
    line: int
    lang: str
    body: str
    marker: str  # the HTML comment on the line above, e.g. "file: healthgrid.yml"


@dataclass
class Command:
    page: Path
    line: int
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    shown: list[str] = field(default_factory=list)  # the output a console block prints under it


def rel(page: Path) -> str:
    return str(page.relative_to(ROOT))


def blocks(page: Path) -> list[Block]:
    """Fenced code blocks, also those indented inside list items."""
    found, lines, i = [], page.read_text().splitlines(), 0
    while i < len(lines):
        opening = re.match(r"( *)```(\S*)", lines[i])
        if not opening:
            i += 1
            continue
        indent, start = len(opening.group(1)), i
        i += 1
        while not re.fullmatch(r" *```\s*", lines[i]):
            i += 1
        marker = re.fullmatch(r"<!-- (.*) -->", lines[start - 1].strip()) if start else None
        body = "\n".join(line[indent:] for line in lines[start + 1:i])
        found.append(Block(page, start + 1, opening.group(2), body + "\n", marker.group(1) if marker else ""))
        i += 1
    return found


def without_blocks(page: Path) -> str:
    return re.sub(r"^( *)```.*?^\1```[^\n]*$", "", page.read_text(), flags=re.M | re.S)


def prose(page: Path) -> str:
    """The page without its code blocks and inline code."""
    return re.sub(r"`[^`\n]*`", "", without_blocks(page))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    counts: dict[str, int] = {}
    found = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", without_blocks(page), re.M):
        base = slug(heading)
        found.add(f"{base}-{counts[base]}" if base in counts else base)
        counts[base] = counts.get(base, 0) + 1
    return found


def page_files(page: Path) -> dict[str, str]:
    """Files a page writes out in full for its commands (`<!-- file: NAME -->` above a block)."""
    return {b.marker.removeprefix("file: "): b.body for b in blocks(page) if b.marker.startswith("file: ")}


def commands_of(block: Block) -> list[Command]:
    text = re.sub(r"\\\n\s*", "", block.body)
    found, env = [], {}
    for offset, line in enumerate(text.splitlines()):
        if block.lang == "console" and not line.startswith("$ "):
            if found and line.strip():
                found[-1].shown.append(line)
            continue
        words = shlex.split(line.removeprefix("$ "), comments=True)
        if words[:1] == ["export"]:
            env.update(w.split("=", 1) for w in words[1:])
            continue
        local = {}
        while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
            key, value = words.pop(0).split("=", 1)
            local[key] = value
        if words:
            found.append(Command(block.page, block.line + 1 + offset, words, {**env, **local}))
    return found


def inline_commands(page: Path) -> list[Command]:
    """Commands written in running text, `.venv/bin/healthgrid ...`."""
    spans = re.findall(r"`(\.venv/bin/healthgrid [^`]+)`", without_blocks(page).replace("\n", " "))
    return [Command(page, 0, shlex.split(span)) for span in spans]


def shell_blocks() -> list[Block]:
    return [b for page in PAGES for b in blocks(page) if b.lang in SHELL]


ALL_COMMANDS = [c for b in shell_blocks() for c in commands_of(b)] + [c for page in PAGES for c in inline_commands(page)]


def parse(argv: list[str]):
    """healthgrid's own parser on argv; None for --help and --version, which print and stop."""
    check_argv(argv)
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            return build_parser().parse_args(argv)
        except SystemExit as stop:
            assert stop.code == 0, argv
            return None


def fails(command: Command) -> bool:
    """The page shows the command failing (its printed output is errors)."""
    return any(line.startswith("healthgrid: error:") for line in command.shown)


@functools.cache
def in_repository(path: str) -> bool:
    """A file of the repository itself, not one a run left in the clone (`healthgrid-out/`)."""
    ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT, timeout=30).returncode == 0
    return (ROOT / path).exists() and not ignored


def locate(path: str, written: Path) -> Path:
    return ROOT / path if in_repository(path) else written / path


def produced(args, written: Path) -> set[str]:
    """The paths a render or run writes: OUT/NAME.* for each grid it draws."""
    if args is None or getattr(args, "out", None) is None:
        return set()
    if args.data:
        names = [Path(args.data).name.removesuffix(".json")]
    else:
        names = [g.name for g in load_config(str(locate(args.config, written)) if args.config else None).select(args.grid)]
    out = args.out.rstrip("/")
    return {out} | {f"{out}/{n}{s}" for n in names for s in (".png", "_dark.png", ".svg", ".html", "_dark.html", ".json", ".md", ".badge.json")}


def check_healthgrid(command: Command, have: set[str], written: Path) -> None:
    """Flags and sub-commands exist; every file the command reads exists (in the repository,
    written out by its page, or written by an earlier command of its page); its config loads."""
    argv = command.argv[1:]
    args = parse(argv)
    if args is None:
        return
    named = [getattr(args, k) for k in ("config", "data", "dir") if getattr(args, k, None)]
    named += list(getattr(args, "files", None) or []) + [i for i in getattr(args, "items", None) or [] if not re.match(r"https?://", i)]
    for path in named:
        assert in_repository(path) or path in have, f"{rel(command.page)}:{command.line}: {' '.join(command.argv)}: no file {path}"
    if getattr(args, "config", None) and not fails(command):
        load_config(str(locate(args.config, written))).select(getattr(args, "grid", None))


def check_other(command: Command) -> None:
    program, *argv = command.argv
    where = f"{rel(command.page)}:{command.line}: {' '.join(command.argv)}"
    if program == "make":
        assert all(re.search(rf"^{re.escape(t)}:", (ROOT / "Makefile").read_text(), re.M) for t in argv), where
    elif program == ".venv/bin/python" and argv[:2] == ["-m", "pip"]:
        extras = re.findall(r"\.\[(\w+)\]", " ".join(argv))
        assert extras and all(re.search(rf"^{e} = ", (ROOT / "pyproject.toml").read_text(), re.M) for e in extras), where
    elif program == ".venv/bin/python":
        paths = argv[2:] if argv[:2] == ["-m", "pytest"] else argv[:1]
        assert all((ROOT / p.split("::")[0]).exists() for p in paths if not p.startswith("-")), where
    elif program == "git":
        assert argv[0] in ("init", "--git-dir"), where
    else:
        assert program in (".", ".venv/bin/ruff"), f"{where}: a program this test does not know"


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda c: f"{rel(c.page)}:{c.line}:{' '.join(c.argv[:3])}")
def test_every_documented_command_parses_and_names_files_that_exist(command, tmp_path):
    files = page_files(command.page)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    if command.argv[0] not in HEALTHGRID:
        check_other(command)
        return
    have = set(files)  # a page is read top to bottom: what its earlier commands wrote is there
    for earlier in ALL_COMMANDS:
        if earlier.page == command.page and 0 < earlier.line < command.line and earlier.argv[0] in HEALTHGRID and earlier.argv[1:2] != ["doctor"]:
            with contextlib.suppress(UsageError):  # its own test names it
                have |= produced(parse(earlier.argv[1:]), tmp_path)
    check_healthgrid(command, have, tmp_path)


def runnable(command: Command) -> bool:
    """What runs without keys, network or the clone's own state: help, JSON printers, dry runs,
    demo and data-file renders, publishes to a local repository, and git on it."""
    program, *argv = command.argv
    if program == "git":
        return True
    if program not in HEALTHGRID or not argv or argv[0] not in SUBCOMMANDS or "DD_API_KEY" in command.env:
        return False
    try:
        args = parse(argv)
    except UsageError:
        return False  # the parse test names it
    if args is None or argv[0] in ("widget", "monitor"):
        return True
    local = bool(getattr(args, "remote", None)) and not re.match(r"\w+://|[\w.-]+@", args.remote)
    return {"dashboard": lambda: args.dry_run, "render": lambda: args.demo or args.data,
            "run": lambda: (args.demo or args.data) and (args.publish == "none" or args.publish == "ghpages" and local),
            "publish": lambda: args.target == "ghpages" and local}.get(argv[0], lambda: False)()


RUNNABLE = [b for b in shell_blocks() if commands_of(b) and all(runnable(c) for c in commands_of(b))]


def shown_in(shown: str, lines: list[str]) -> bool:
    pattern = ".*".join(map(re.escape, shown.split("…")))
    return any(re.fullmatch(pattern, line) for line in lines)


@pytest.mark.parametrize("block", RUNNABLE, ids=lambda b: f"{rel(b.page)}:{b.line}")
def test_documented_commands_that_need_no_keys_run_as_printed(block, tmp_path, monkeypatch):
    """Each command of the block in turn, in an empty folder with the examples and the page's files.
    The pictures themselves are left undrawn (the golden-image tests guard them): everything else —
    flags, configs, data, files written and read, publishing, exit codes, output — runs as printed."""
    monkeypatch.setattr(render, "figure_for", lambda grid, spec, theme, layout=None: Figure())
    monkeypatch.setattr(render, "figure_bytes", lambda figure, fmt: f"an undrawn {fmt}".encode())
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    for name, text in page_files(block.page).items():
        (tmp_path / name).write_text(text)
    for command in commands_of(block):
        argv = [a.replace("/tmp/", f"{tmp_path}/") for a in command.argv]
        with monkeypatch.context() as env:
            for key, value in command.env.items():
                env.setenv(key, value)
            if argv[0] == "git":
                proc = subprocess.run(argv, capture_output=True, text=True, timeout=30)
                code, output = proc.returncode, proc.stdout + proc.stderr
            else:
                result = run_cli(*argv[1:])
                code, output = result.code, result.out + result.err
        assert (code != 0) == fails(command), f"{rel(block.page)}:{command.line}: {' '.join(command.argv)} exited {code}:\n{output}"
        missing = [line for line in command.shown if not shown_in(line, output.splitlines())]
        assert not missing, f"{rel(block.page)}:{command.line}: printed {missing}, not:\n{output}"


def test_the_cheap_commands_are_run_and_not_only_parsed():
    ran = {c.argv[1] for b in RUNNABLE for c in commands_of(b) if c.argv[0] in HEALTHGRID}
    assert {"render", "publish", "widget", "dashboard", "run"} <= ran


def test_every_relative_link_and_anchor_resolves_inside_the_repository():
    broken = []
    for page in PAGES:
        for target in re.findall(r"\]\(([^)\s]+)(?: \"[^\"]*\")?\)", prose(page)):
            if re.match(r"\w+:", target):
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            inside = file.is_relative_to(ROOT) and "shared" not in file.relative_to(ROOT).parts
            if not (inside and file.exists() and (not anchor or file.suffix != ".md" or anchor in anchors(file))):
                broken.append(f"{rel(page)}: {target}")
    assert not broken


def test_no_page_points_outside_the_repository_for_project_files():
    for page in PAGES:
        text = page.read_text()
        assert "../shared" not in text and "/work/" not in text, rel(page)


def test_the_docs_speak_of_the_product_not_of_how_it_was_made():
    from product_words import uses

    shown = PAGES + sorted((ROOT / "examples").glob("*.yml"))
    found = [f"{rel(p)}:{line}: {word}" for p in shown for line, word in uses(p.read_text())]
    assert not found


def test_the_readme_is_a_front_door():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 220
    first = blocks(ROOT / "README.md")[0]
    workflow = yaml.safe_load(first.body)
    assert first.lang == "yaml" and workflow[True]["schedule"], "the first code block is the workflow a team copies"
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    assert any(s.get("uses", "").startswith("OWNER/healthgrid@v") for s in steps)
    assert "make demo" in readme and "make test" in readme
    headings = [h.lower() for h in re.findall(r"^## (.+)$", readme, re.M)]
    order = [next(i for i, h in enumerate(headings) if word in h) for word in ("workflow", "doctor", "locally", "inputs", "documentation")]
    assert order == sorted(order), headings
    picture = re.search(r"!\[[^\]]+\]\(([^)]+)\)", readme).group(1)
    assert (ROOT / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    linked = set(re.findall(r"\]\((docs/[\w-]+\.md)", readme))
    assert {rel(p) for p in PAGES[1:]} <= linked, "every docs page is linked from the README"


def test_the_readmes_outputs_are_the_actions():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    section = (ROOT / "README.md").read_text().split("| output |", 1)[1].split("\n\n", 1)[0]
    named = {name for first in re.findall(r"^\| ([^|]+) \|", section, re.M) for name in re.findall(r"`([\w-]+)`", first)}
    assert named == set(action["outputs"])


def test_every_docs_page_has_one_title():
    for page in PAGES[1:]:
        assert re.match(r"# \S", page.read_text()) and len(re.findall(r"^# ", prose(page), re.M)) == 1, rel(page)


def test_example_blocks_are_the_example_files():
    examples = [b for page in PAGES for b in blocks(page) if b.marker.startswith("example: ")]
    assert examples
    for block in examples:
        assert block.body == (ROOT / block.marker.removeprefix("example: ")).read_text(), f"{rel(block.page)}:{block.line}"


def _tool(name: str):
    sys.path.insert(0, str(ROOT / "tools"))
    return __import__(name)


def test_every_commands_help_in_the_docs_is_what_the_parser_prints():
    cli_docs = _tool("cli_docs")
    generated = _tool("generated")
    for page in cli_docs.PAGES:
        current = generated.section((ROOT / page).read_text(), cli_docs.START, cli_docs.END)
        assert current == cli_docs.generated_section(), f"{page} drifted from the parser: run `.venv/bin/python tools/cli_docs.py --write`"


def _healthgrid_steps(node):
    if isinstance(node, dict):
        if re.match(r"([\w-]+/healthgrid@|\./$)", str(node.get("uses", ""))):
            yield node
        for value in node.values():
            yield from _healthgrid_steps(value)
    elif isinstance(node, list):
        for item in node:
            yield from _healthgrid_steps(item)


def test_documented_workflows_use_inputs_and_outputs_the_action_has():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = 0
    for block in (b for page in PAGES for b in blocks(page) if b.lang == "yaml" and "uses:" in b.body):
        for step in _healthgrid_steps(yaml.safe_load(textwrap.dedent(block.body))):
            unknown = set(step.get("with", {})) - set(action["inputs"])
            assert not unknown, f"{rel(block.page)}:{block.line}: no such input {sorted(unknown)}"
            steps += 1
        outputs = set(re.findall(r"steps\.\w+\.outputs\.([\w-]+)", block.body))
        assert outputs <= set(action["outputs"]), f"{rel(block.page)}:{block.line}"
    assert steps >= 5


def test_readme_stays_inside_the_repository_and_commands_run_from_the_clone():
    readme = (ROOT / "README.md").read_text()
    assert "../" not in readme and "/work/" not in readme
    assert "pip install 'healthgrid[s3]'" not in readme
    blocks = [line for block in readme.split("```")[1::2] for line in block.splitlines()]
    bare = [line for line in blocks if line.startswith("healthgrid ")]
    assert not bare, f"commands that need an activated venv: {bare}"
    assert (ROOT / "examples" / "health_dashboard.yml").is_file()
