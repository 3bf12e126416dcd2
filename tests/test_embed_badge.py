"""Embeds that follow the reader's theme and beat caches, and the shields.io badge document."""

import json
import math
import re
from dataclasses import replace

import pytest

from healthgrid.files.badge import badge, badge_markdown
from healthgrid.files.embed import embeds, picture
from healthgrid.model.band import Bands
from healthgrid.publish import Published

from conftest import NOW
from helpers import make_grid

NAN = math.nan
PAGES = "https://acme.github.io/health"


def test_badge_counts_todays_bands_and_takes_the_worst_colour():
    grid = make_grid([("a", [0.1, 0.9]), ("b", [0.9, 0.95]), ("c", [0.2, 0.5]), ("d", [0.9, 0.1]), ("e", [0.9, NAN])])
    assert badge(grid) == {"schemaVersion": 1, "label": "Test grid", "message": "2 ok · 1 warn · 1 crit · 1 no data", "color": "red"}
    calm = make_grid([("a", [0.1, 0.8]), ("b", [0.1, 0.5])])
    assert badge(calm)["color"] == "yellow"  # yesterday's critical cells are not today's state
    assert badge(make_grid([("a", [0.9, NAN])])) == {"schemaVersion": 1, "label": "Test grid", "message": "1 no data", "color": "lightgrey"}


def test_each_file_says_a_band_in_its_own_public_words():
    """NAME.json, the badge, NAME.md, the grid's page and the status page each name the bands as
    they always have; the Band type is where those words live."""
    from healthgrid.files.data import grid_json
    from healthgrid.files.index import build_index
    from healthgrid.files.markdown import markdown
    from healthgrid.files.page import page

    from helpers import spec_for

    grid = make_grid([("c", [0.1]), ("w", [0.5]), ("g", [0.9]), ("n", [NAN])])
    assert [r["bands"][0] for r in grid.to_dict()["rows"]] == ["critical", "warning", "good", None]
    assert badge(grid)["message"] == "1 ok · 1 warn · 1 crit · 1 no data"
    md = markdown(grid)
    assert [line.split(" | ")[1].rstrip(" |") for line in md.splitlines() if line.startswith("| ") and "Metric" not in line] == \
        ["🔴 0.10", "🟡 0.50", "🟢 0.90", "⚪ no data"]
    assert "Today so far: 1 critical, 1 warning, 1 good, 1 with no data." in md
    html = page(grid, spec_for(grid), "light", []).decode()
    assert [w for w in ("critical ", "warning ", "good ") if f'<span class="sr">{w}</span>' in html] == ["critical ", "warning ", "good "]
    index = build_index(["t.png", "t.json"], {"t.json": grid_json(grid).encode()}.get).decode()
    assert "<strong>critical</strong>" in index and "✓</span> 1 ok · " in index and "▲</span> 1 warning" in index and "○</span> 1 no data" in index


def test_badge_label_is_bounded_and_bands_follow_the_config():
    grid = make_grid([("a", [0.5])], title="A very long title that would make an unreadable badge on any README")
    doc = badge(replace(grid, bands=Bands(critical=0.6, warning=0.9)))
    assert doc["message"] == "1 crit" and doc["color"] == "red"
    assert len(doc["label"]) <= 40 and doc["label"].endswith("…")


def test_badge_markdown_encodes_the_document_url():
    md = badge_markdown(f"{PAGES}/healthgrid/health_grid.badge.json")
    assert md == "![health](https://img.shields.io/endpoint?url=https%3A%2F%2Facme.github.io%2Fhealth%2Fhealthgrid%2Fhealth_grid.badge.json)"


def test_render_writes_a_valid_shields_endpoint_document(cli, in_tmp):
    result = cli("render", "--demo", "--now", NOW, "--out", "out", "--format", "html")  # the badge is written whatever the format
    assert result.code == 0, result.err
    doc = json.loads((in_tmp / "out" / "health_grid.badge.json").read_text())
    assert set(doc) == {"schemaVersion", "label", "message", "color"} and doc["schemaVersion"] == 1
    data = json.loads((in_tmp / "out" / "health_grid.json").read_text())
    assert doc["label"] == data["title"]
    counted = sum(int(part.split()[0]) for part in doc["message"].split(" · "))
    assert counted == len(data["rows"])


def test_picture_escapes_alt_text_and_urls_for_attributes():
    html = picture("https://x/a.png?v=1&b=2", "https://x/a_dark.png?v=2", 'Grid "7" <script>alert(1)</script> & more')
    assert html == ('<picture><source media="(prefers-color-scheme: dark)" srcset="https://x/a_dark.png?v=2">'
                    '<img src="https://x/a.png?v=1&amp;b=2" alt="Grid &quot;7&quot; &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"></picture>')
    assert picture("https://x/a.png", None, "alt") == '<picture><img src="https://x/a.png" alt="alt"></picture>'
    assert picture(None, "https://x/a_dark.png", "alt") == '<picture><img src="https://x/a_dark.png" alt="alt"></picture>'


def test_embeds_pair_each_grid_with_its_dark_image():
    images = [Published("g.png", f"{PAGES}/g.png", f"{PAGES}/g.png?v=aaa"), Published("g_dark.png", f"{PAGES}/g_dark.png", f"{PAGES}/g_dark.png?v=bbb"),
              Published("h.svg", f"{PAGES}/h.svg", f"{PAGES}/h.svg?v=ccc")]
    assert embeds(images, {"g": "G alt", "h": "H alt", "x": "no image"}) == {
        "g": f'<picture><source media="(prefers-color-scheme: dark)" srcset="{PAGES}/g_dark.png?v=bbb"><img src="{PAGES}/g.png?v=aaa" alt="G alt"></picture>',
        "h": f'<picture><img src="{PAGES}/h.svg?v=ccc" alt="H alt"></picture>',
    }


def test_publish_ghpages_json_prints_a_picture_embed_at_versioned_urls(cli, in_tmp, git, branch_files):
    assert cli("render", "--demo", "--now", NOW, "--out", "out").code == 0
    bare = in_tmp / "pages.git"
    git("init", "--bare", "-q", str(bare))
    result = cli("publish", "ghpages", "out", "--remote", str(bare), "--pages-url", PAGES, "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    by_file = {i["file"]: i["versioned_url"] for i in doc["images"]}
    embed = re.fullmatch(r'<picture><source media="\(prefers-color-scheme: dark\)" srcset="([^"]+)"><img src="([^"]+)" alt="([^"]+)"></picture>',
                         doc["embed"])
    assert embed and embed.groups()[:2] == (by_file["health_grid_dark.png"], by_file["health_grid.png"]), doc["embed"]
    assert embed.group(3).startswith("System Health Rollup - 7 Day FoM Grid: 7 metrics over 7 days, "), "the grid's sentence, as NAME.md says it"
    assert "?v=" in by_file["health_grid.png"] and doc["embeds"] == {"health_grid": doc["embed"]}
    assert "healthgrid/health_grid.badge.json" in branch_files(bare)  # published beside the images


@pytest.mark.parametrize("how", ["run", "publish ghpages"])
def test_an_embeds_alt_text_is_the_sentence_escaped_for_html_alone(cli, in_tmp, git, how):
    """Markdown escapes (`\\_`, `\\*`, `\\&`) belong to NAME.md; in the embed's alt attribute a title
    with _ & * < reads as written, escaped for HTML only."""
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - name: ci\n    title: 'CI_health & *core* <x>'\n    rows:\n"
                                           "      - {label: Tests, query: 'avg:t{*}'}\n")
    bare = in_tmp / "pages.git"
    git("init", "--bare", "-q", str(bare))
    flags = ["--remote", str(bare), "--pages-url", PAGES, "--json"]
    if how == "run":
        result = cli("run", "--demo", "--now", NOW, "--out", "out", "--publish", "ghpages", *flags)
    else:
        assert cli("render", "--demo", "--now", NOW, "--out", "out").code == 0
        result = cli("publish", "ghpages", "out", *flags)
    assert result.code == 0, result.err
    alt = re.search(r'alt="([^"]*)"', json.loads(result.out)["embed"]).group(1)
    assert alt.startswith("CI_health &amp; *core* &lt;x&gt;: 1 metric over 7 days, "), alt
    assert "\\" not in alt
