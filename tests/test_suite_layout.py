"""The suite is grouped by behaviour: each test file is named for what it checks (never for when or
why it was written), and no test, fake or data file speaks of how the project was made."""

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))

TESTS = ROOT / "tests"


def test_each_test_file_is_named_for_the_behaviour_it_checks():
    from product_words import WHEN_WRITTEN

    names = sorted(p.name for p in TESTS.glob("test_*.py"))
    assert len(names) > 40 and not [name for name in names if WHEN_WRITTEN.search(name)]


def test_the_tests_speak_of_the_product_not_of_how_it_was_made():
    from product_words import uses

    files = sorted(p for p in TESTS.rglob("*") if p.is_file() and p.suffix in (".py", ".yml", ".yaml", ".json", ".md", ".txt")
                   and "baseline" not in p.parts and "__pycache__" not in p.parts)
    found = [f"{p.relative_to(ROOT)}:{line}: {word}" for p in files for line, word in uses(p.read_text(encoding="utf-8"))]
    assert len(files) > 60 and not found
