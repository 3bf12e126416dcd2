"""Words about how the project was made, which the docs, the examples and the tests never use: the
product speaks of itself (see docs/development.md). Tests check those files, and the test files'
names, with these patterns.

    python tools/product_words.py PATH ...   # each use, as FILE:LINE: WORD; exit 1 if there is one
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PROCESS_WORDS = re.compile(
    r"\bseed\b|original (?:plan|spec)|\bre-?check|\brooms\b|review round|\bround \d|\b(?:issue|finding) #?\d+"
    r"|^\s*# -+ \d+[a-z]?[.:]",  # a section header numbered after a list of findings
    re.I | re.M)
# In a test file's name, as a whole word between underscores: when or why it was written rather than
# what it checks (test_hostile_recheck.py, test_beyond.py, test_round2.py).
WHEN_WRITTEN = re.compile(r"(?<![a-z0-9])(?:re_?check|recheck|beyond|hostile|round(?:_?\d+)?(?!_trip)|second_pass|follow_?up"
                          r"|phase_?\d+|issue_?\d+|finding_?\d+|review)(?![a-z0-9])", re.I)


def uses(text: str) -> list[tuple[int, str]]:
    """(line number, the word) of each use in `text`."""
    return [(text.count("\n", 0, m.start()) + 1, m.group().strip()) for m in PROCESS_WORDS.finditer(text)]


def main(paths: list[str]) -> int:
    found = [f"{path}:{line}: {word}" for path in paths for line, word in uses(Path(path).read_text(encoding="utf-8"))]
    print("\n".join(found))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
