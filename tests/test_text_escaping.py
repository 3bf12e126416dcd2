"""User text says only what the grid says wherever it lands: NAME.md and the pull-request comment
(rendered by GitHub's own cmark-gfm), the job summary and the HTML page. Titles, labels, groups,
units and upstream error bodies cannot add links, images, mentions, HTML, math or table cells."""

import io
import re

import cmarkgfm
from cmarkgfm.cmark import Options

from healthgrid.action.summary import summary as write_summary
from healthgrid.console import Console
from healthgrid.files.markdown import markdown
from healthgrid.publish.comment import body_for
from healthgrid.text import md_code_block, md_text

from helpers import make_grid

HOSTILE_TITLE = "Title\n<img src=https://evil.example/p.png>\n@octocat\n::error::x\n- item"
HOSTILE_LABEL = "Lbl](https://evil.example) ![x"


def html_of(md: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(md, options=Options.CMARK_OPT_UNSAFE)


def hostile_grid():
    return make_grid([
        (HOSTILE_LABEL, [0.2, 0.9], dict(group="CI | <!-- hide")),
        ("split\rrow", [0.5, 0.1], dict(group="CI | <!-- hide", unit="s|x", raw=[3, 4], score=None)),
        ("$x$ *b* `c` <b>&amp;", [0.8, 0.95]),
    ], title=HOSTILE_TITLE)


def test_markdown_renders_only_what_the_grid_says():
    grid = hostile_grid()
    md = markdown(grid, image="t.png")
    html = html_of(md)
    tags = set(re.findall(r"<([a-z0-9]+)", html))
    assert tags <= {"h2", "p", "img", "table", "thead", "tbody", "tr", "th", "td", "strong"}, tags
    assert html.count("<img") == 1 and 'src="t.png"' in html and "evil.example/p.png" not in re.findall(r'src="([^"]*)"', html)[0]
    assert "<!--" not in html and "<a " not in html and "<em>" not in html and "<code>" not in html
    assert html.count("<tr>") == 1 + 2 + 3  # header, the group's heading and "Other", three rows
    assert all(row.count("<td") == 3 for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:])
    assert "@\u2060octocat" in md and not any(line.startswith(("::", "@", "<", "- ")) for line in md.splitlines())
    assert "$x$" in html  # shown as typed, not as math
    alt = re.search(r'alt="([^"]*)"', html).group(1)
    assert alt.startswith("Title &lt;img src=https://evil.example/p.png&gt; @\u2060octocat ::error::x - item: 3 metrics")


def test_md_text_neutralises_each_construct():
    for hostile in ("](https://evil) ![x", "CI | <!-- hide", "a\rb\nc", "1. list", "# h", "> q", "<script>", "&lt;", "~~s~~"):
        html = html_of(f"| h |\n|---|\n| {md_text(hostile)} |\n")
        assert html.count("<td>") == 1 and "<a" not in html and "<!--" not in html and "<script" not in html and "<del" not in html
        assert html_of(md_text(hostile)).count("<p>") == 1


def test_summary_quotes_error_bodies_inert_and_truncated(tmp_path):
    summary = tmp_path / "summary.md"
    body = "```\n</details><img src=https://evil.example/x.png> @octocat ::error::x " + "y" * 9000
    write_summary(str(summary), [], "", [body], Console(io.StringIO(), io.StringIO()))
    html = html_of(summary.read_text())
    assert "<img" not in html and "<details" not in html.replace("&lt;/details&gt;", "")
    assert "<pre lang=\"text\"><code>```" in html and "(truncated)" in html and len(summary.read_text()) < 6000


def test_md_code_block_fence_outlasts_backticks_inside():
    block = md_code_block("a ```` b\n``` c")
    assert block.startswith("`````text\n") and block.endswith("\n`````")


def test_comment_body_keeps_urls_inside_their_image(tmp_path):
    md = tmp_path / "g.md"
    md.write_text("## G\n\n![alt](g.png)\n")
    url = "https://x.example/g.png?v=1) ![pwn](https://evil.example/p.png"
    html = html_of(body_for([url, str(md)]))
    assert html.count("<img") == 1 and re.search(r'<img src="https://x.example/g.png\?v=1%29%20[^" ]*" alt="alt"', html)
