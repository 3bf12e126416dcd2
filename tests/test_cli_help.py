"""What a first-time user reads: `render --help` and the README match what the tool does."""

import re

from healthgrid.cli import build_parser

from conftest import NOW, ROOT


def test_render_help_names_every_file_it_writes(in_tmp, cli):
    result = cli("render", "--demo", "--now", NOW, "--format", "png,svg,html", "--out", "o")
    assert result.code == 0, result.err
    written = {re.sub(r"^health_grid(_dark)?", "NAME", p.name) for p in (in_tmp / "o").iterdir()}
    assert "NAME.badge.json" in written and "index.html" in written
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    help_ = sub.choices["render"].format_help()
    named = {n.replace("_dark", "") for n in re.findall(r"(?:NAME|index)[\w.]*\.\w+", help_)}
    assert written <= named, f"render --help leaves out {sorted(written - named)}"


def test_readme_links_only_inside_the_repository():
    """Where each link lands (file and anchor) is test_docs.py's; here: none leaves the repository."""
    prose = "".join((ROOT / "README.md").read_text().split("```")[0::2])
    outside = re.findall(r"\]\((?!#)([^)]*)\)", prose)
    assert outside and not [target for target in outside if re.match(r"\w+:", target)], outside
