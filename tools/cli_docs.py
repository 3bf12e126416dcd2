"""Generate every command's --help, as `healthgrid COMMAND --help` prints it, into docs/cli.md.

    python tools/cli_docs.py          # print the section
    python tools/cli_docs.py --write  # replace it between the markers in docs/cli.md

The texts come from the parser itself (each command's docstring and flags), at a fixed width of
100 columns, so a test can compare the page with the parser and they never drift apart.
"""

from __future__ import annotations

import argparse
import os
import sys

from generated import ROOT, main

sys.path.insert(0, str(ROOT))

PAGES = ("docs/cli.md",)
START, END = "<!-- cli-docs:start (generated from healthgrid's parser by tools/cli_docs.py) -->", "<!-- cli-docs:end -->"
COLUMNS = "100"


def _commands(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()):
    """(words, parser) for the parser and each of its sub-commands, depth first, in parser order."""
    yield words, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*words, name))


def generated_section() -> str:
    from healthgrid.cli import build_parser

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = COLUMNS  # argparse wraps at the terminal's width; the page has one width
    try:
        parts = [START]
        for words, parser in _commands(build_parser()):
            command = " ".join(("healthgrid", *words))
            parts += ["", f"### `{command}`", "", "```text", parser.format_help().rstrip(), "```"]
        parts += ["", END]
        return "\n".join(parts)
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], PAGES, START, END, generated_section))
