"""Generate the Action's inputs/outputs tables from action.yml, in every page that shows them.

    python tools/action_docs.py          # print the tables
    python tools/action_docs.py --write  # replace them between the markers in docs/action.md

A test fails when a page and action.yml drift apart.
"""

from __future__ import annotations

import sys

import yaml
from generated import ROOT, main, section

PAGES = ("docs/action.md",)  # each holds the tables between the markers
START, END = "<!-- action-docs:start (generated from action.yml by tools/action_docs.py) -->", "<!-- action-docs:end -->"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def tables(action: dict) -> str:
    lines = ["| input | default | description |", "|---|---|---|"]
    for name, spec in action["inputs"].items():
        default = spec.get("default", "")
        lines.append(f"| `{name}` | {'`' + _cell(default) + '`' if default != '' else '(unset)'} | {_cell(spec['description'])} |")
    lines += ["", "| output | description |", "|---|---|"]
    for name, spec in action["outputs"].items():
        lines.append(f"| `{name}` | {_cell(spec['description'])} |")
    return "\n".join(lines)


def generated_section() -> str:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    return f"{START}\n{tables(action)}\n{END}"


def page_section(text: str) -> str | None:
    return section(text, START, END)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], PAGES, START, END, generated_section))
