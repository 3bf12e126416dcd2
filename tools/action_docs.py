"""Generate the README's Action inputs/outputs tables from action.yml.

    python tools/action_docs.py          # print the tables
    python tools/action_docs.py --write  # replace them in README.md (between the markers)

A test fails when README.md and action.yml drift apart.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- action-docs:start (generated from action.yml by tools/action_docs.py) -->", "<!-- action-docs:end -->"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def tables(action: dict) -> str:
    lines = ["| input | default | description |", "|---|---|---|"]
    for name, spec in action["inputs"].items():
        default = spec.get("default", "")
        lines.append(f"| `{name}` | {'`' + _cell(default) + '`' if default != '' else '(empty)'} | {_cell(spec['description'])} |")
    lines += ["", "| output | description |", "|---|---|"]
    for name, spec in action["outputs"].items():
        lines.append(f"| `{name}` | {_cell(spec['description'])} |")
    return "\n".join(lines)


def generated_section() -> str:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    return f"{START}\n{tables(action)}\n{END}"


def readme_section(text: str) -> str | None:
    match = re.search(re.escape(START) + r".*?" + re.escape(END), text, re.S)
    return match.group(0) if match else None


if __name__ == "__main__":
    readme = ROOT / "README.md"
    if "--write" in sys.argv:
        text = readme.read_text()
        current = readme_section(text)
        if current is None:
            sys.exit("README.md has no action-docs markers")
        readme.write_text(text.replace(current, generated_section()))
    else:
        print(generated_section())
