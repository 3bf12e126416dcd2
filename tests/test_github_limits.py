"""GitHub's own limits: a pull-request comment of at most 65,536 characters (a longer one is refused
with 422) and a job summary of at most 1 MiB (a longer one is dropped whole, errors included).
Past them the text is shortened, says so, and links what it left out."""

import io
import re

import pytest

from healthgrid.console import Console

from helpers import make_grid

PREVIEW = "https://acme.github.io/health/previews/pr-7"


def _grid_md(tmp_path, name, rows=100, days=30, label="Metric"):
    from healthgrid.files.markdown import markdown

    grid = make_grid([(f"{label} {i}", [((i * 7 + j) % 10) / 10 for j in range(days)]) for i in range(rows)], name=name, title=name.upper())
    path = tmp_path / f"{name}.md"
    path.write_text(markdown(grid, image=f"{name}.png"), encoding="utf-8")
    return path


def test_three_100_by_30_grids_make_a_comment_github_takes(in_tmp, cli, github):
    from healthgrid.publish.comment import MARKER

    items = []
    for name in ("alpha", "beta", "gamma"):
        items += [f"{PREVIEW}/{name}.png?v=1", str(_grid_md(in_tmp, name))]
    (in_tmp / "beta.html").write_text("<table></table>")  # its page was written too: the link goes there
    assert sum(len(p.read_text()) for p in in_tmp.glob("*.md")) > 65_536
    result = cli("comment", "--repo", "acme/health", "--pr", "7", *items)
    assert result.code == 0, result.err
    (body,) = [c["body"] for c in github.comments[7]]
    assert body.startswith(MARKER) and len(body.encode("utf-16-le")) // 2 <= 65_536
    assert "**Shortened to fit GitHub's limit of 65,536 characters for a comment:**" in body
    left_out = re.findall(r"_The table is left out to fit GitHub's limit of 65,536 characters for a comment: \[(\w+) in full\]\(([^)]+)\)\._", body)
    assert left_out and len(left_out) < 3, "only as many tables go as must"
    links = dict(left_out)
    assert all(links[n] == f"{PREVIEW}/{n}{'.html' if n == 'beta' else '.md'}" for n in links)
    for name in ("alpha", "beta", "gamma"):  # every grid keeps its heading, image and alt text
        assert f"## {name.upper()}" in body and f"]({PREVIEW}/{name}.png?v=1)" in body
    kept = [n for n in ("alpha", "beta", "gamma") if n not in links]
    assert all(f"| {'Metric'} 99 |" in body.split(f"## {n.upper()}")[1].split("## ")[0] for n in kept), "a kept table is whole"


def test_a_comment_counts_characters_beyond_the_basic_plane_twice_and_still_fits(tmp_path):
    from healthgrid.publish.comment import body_for

    md = _grid_md(tmp_path, "wide", rows=60, days=30, label="\U0001F525" * 600)
    text = md.read_text(encoding="utf-8")
    assert len(text) < 65_536 < len(text.encode("utf-16-le")) // 2  # fits in code points, not in UTF-16 units
    body = body_for([f"{PREVIEW}/wide.png", str(md)])
    assert len(body.encode("utf-16-le")) // 2 <= 65_536 and "Shortened to fit" in body


def test_a_hundred_grids_with_long_titles_leave_out_whole_grids_and_name_them(tmp_path):
    from healthgrid.publish.comment import body_for

    items = []
    for k in range(100):
        md = tmp_path / f"g{k}.md"
        md.write_text(f"## {'T' * 2000}\n\n![{'alt ' * 400}](g{k}.png)\n\n{'alt ' * 400}\n\n| a |\n|---|\n| 1 |\n")
        items += [f"{PREVIEW}/g{k}.png", str(md)]
    body = body_for(items)
    assert len(body.encode("utf-16-le")) // 2 <= 65_536
    shown = re.findall(r"!\[[^\]]*\]\(" + re.escape(PREVIEW) + r"/(g\d+)\.png\)", body)
    assert shown == [f"g{k}" for k in range(len(shown))] and 0 < len(shown) < 100, "the first grids, in order"
    assert f"{100 - len(shown)} grids left out: g{len(shown)}, " in body and body.rstrip().endswith("</sub>")


def _big_md(tmp_path, name, table_bytes):
    row = "| Metric | " + " | ".join(["🟢 0.91"] * 30) + " |\n"
    table = "| Metric | " + " | ".join(f"d{j}" for j in range(30)) + " |\n|---|" + "---:|" * 30 + "\n" + row * (table_bytes // len(row.encode()))
    path = tmp_path / f"{name}.md"
    path.write_text(f"## {name}\n\n![alt of {name}]({name}.png)\n\nalt of {name}\n\n{table}\nlegend\n", encoding="utf-8")
    return path


def _big_result(name, table_bytes, pages=()):
    """A grid that rendered, as the Action's summary sees it: what it says in words and its files."""
    from healthgrid.files.markdown import GridText
    from healthgrid.pipeline import GridResult

    row = "| Metric | " + " | ".join(["🟢 0.91"] * 30) + " |\n"
    table = "| Metric | " + " | ".join(f"d{j}" for j in range(30)) + " |\n|---|" + "---:|" * 30 + "\n" + row * (table_bytes // len(row.encode()))
    text = GridText(name, name, f"alt of {name}", f"{table}\nlegend")
    return GridResult(name, ok=True, contents={f"{name}.md": b"", **{f"{name}{p}": b"" for p in pages}}, text=text)


def test_a_summary_over_one_mib_keeps_the_errors_first_and_links_the_tables(tmp_path):
    from healthgrid.action.summary import grid_blocks
    from healthgrid.action.summary import summary as write_summary
    from healthgrid.publish import Published

    summary = tmp_path / "summary.md"
    summary.write_text("x" * 1000)  # what the step wrote before counts too
    grids = [_big_result(f"g{k}", 400_000 if k == 3 else 300_000, (".html",) if k == 3 else ()) for k in range(5)]  # g3 wrote its page too
    images = [Published(f"g{k}.png", f"https://acme.github.io/health/healthgrid/g{k}.png", f"https://acme.github.io/health/healthgrid/g{k}.png?v=1")
              for k in range(5)]
    errors = ["g5: Datadog answered 500 Internal Server Error; gave up after 60s"]
    write_summary(str(summary), grid_blocks(grids, images), "<picture>embed</picture>", errors, Console(io.StringIO(), io.StringIO()))
    text = summary.read_text(encoding="utf-8")[1000:]
    assert len(summary.read_bytes()) <= 1 << 20
    assert text.startswith("**healthgrid failed:**\n\n```text\ng5: Datadog answered 500"), "errors first"
    assert "**Shortened to fit GitHub's limit of 1 MiB for a job summary:** 2 tables linked instead of shown." in text
    assert "[g3 in full](https://acme.github.io/health/healthgrid/g3.html)" in text, "the largest table goes first, linked to its page"
    assert "[g0 in full](https://acme.github.io/health/healthgrid/g0.md)" in text and "| Metric | 🟢" in text.split("## g4")[1]
    assert all(f"![alt of g{k}](https://acme.github.io/health/healthgrid/g{k}.png?v=1)" in text for k in range(5))
    assert "<picture>embed</picture>" in text


def test_a_summary_puts_errors_before_the_grids(tmp_path):
    from healthgrid.action.summary import grid_blocks
    from healthgrid.action.summary import summary as write_summary

    summary = tmp_path / "summary.md"
    errors = ["h: Datadog answered 429; gave up after 60s"]
    write_summary(str(summary), grid_blocks([_big_result("g", 1000)], []), "", errors, Console(io.StringIO(), io.StringIO()))
    assert summary.read_text().startswith("**healthgrid failed:**")
    assert "## g" in summary.read_text() and "Shortened" not in summary.read_text()


@pytest.mark.parametrize("grids", [1, 3])
def test_what_fits_is_written_as_it_was(tmp_path, grids):
    from healthgrid.publish.comment import body_for

    items = [str(_grid_md(tmp_path, f"s{k}", rows=5, days=7)) for k in range(grids)]
    body = body_for([f"{PREVIEW}/s{k}.png" for k in range(grids)] + items)
    assert "Shortened" not in body and body.count("| Metric 4 |") == grids
    for k in range(grids):
        table = [line for line in (tmp_path / f"s{k}.md").read_text(encoding="utf-8").splitlines() if line.startswith("|")]
        assert len(table) == 2 + 5 and "\n".join(table) in body, "each table as it was written"


def test_the_comment_command_takes_the_largest_grids_markdown(in_tmp, cli, github):
    md = _big_md(in_tmp, "huge", 3_000_000)  # the largest grid's NAME.md is about 4 MB
    result = cli("comment", "--repo", "acme/health", "--pr", "7", f"{PREVIEW}/huge.png", str(md))
    assert result.code == 0, result.err
    (body,) = [c["body"] for c in github.comments[7]]
    assert len(body) <= 65_536 and f"[huge in full]({PREVIEW}/huge.md)" in body


def test_a_summary_leaves_out_an_embed_too_large_for_it_and_points_at_the_output(tmp_path):
    from healthgrid.action.summary import grid_blocks
    from healthgrid.action.summary import summary as write_summary

    summary = tmp_path / "summary.md"
    embed = "\n".join(f'<picture><img src="https://x/g{k}.png" alt="{"a" * 20_000}"></picture>' for k in range(60))
    write_summary(str(summary), grid_blocks([_big_result("g", 1000)], []), embed, [], Console(io.StringIO(), io.StringIO()))
    text = summary.read_text()
    assert len(summary.read_bytes()) <= 1 << 20 and "| Metric | 🟢" in text, "the small table stays"
    assert "the embed snippet left out" in text and text.rstrip().endswith("The embed snippet is left out here: the `embed` output holds it.")
