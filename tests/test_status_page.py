"""The status page (index.html) and each grid's own page, read as HTML: what a reader and a screen
reader get, with every string from the config escaped and nothing fetched from the network."""

import json
import math
import re
from datetime import timedelta

import pytest

from healthgrid.render.heatmap import prepare

from conftest import NOW, NOW_DT, run_cli
from helpers import NAN, default_bands, make_grid
from pages import CONFIG, HOSTILE, Page

# One worker runs the module (make test's --dist loadgroup), so the site below is rendered once.
pytestmark = pytest.mark.xdist_group("status_page_site")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Two grids rendered once for the read-only tests; the config sits beside the output folder."""
    root = tmp_path_factory.mktemp("site")
    (root / "healthgrid.yml").write_text(CONFIG)
    result = run_cli("render", "--config", str(root / "healthgrid.yml"), "--demo", "--now", NOW, "--format", "png,html", "--out", str(root / "out"))
    assert result.code == 0, result.err
    return root / "out"


def band_of(value, bands: dict) -> str:
    """A figure of merit read as the docs say: below `critical` critical, below `warning` a warning."""
    if value is None:
        return "nodata"
    return "critical" if value < bands["critical"] else "warning" if value < bands["warning"] else "good"


# Today's demo cells of the two grids (NOW, the default bands 0.3 / 0.7): one has Dur 0.16 (critical),
# Tests 1.0 (good), Reverts 0.61 (warning); two has B 0.55 (warning), C 0.9 (good).
TODAY = {"one": "✓ 1 ok · ▲ 1 warning · ✖ 1 critical · ○ 0 no data", "two": "✓ 1 ok · ▲ 1 warning · ✖ 0 critical · ○ 0 no data"}


def test_index_shows_every_grid_in_the_readers_scheme_with_todays_state(site):
    html = (site / "index.html").read_text()
    page = Page(html)
    assert html.count("<picture>") == 2
    sources = page.all("source")
    assert [s["srcset"] for s in sources] == ["one_dark.png", "two_dark.png"], "in the order of the cards, worst first"
    assert all(s["media"] == "(prefers-color-scheme: dark)" for s in sources)
    assert {i["src"] for i in page.all("img")} == {"one.png", "two.png"}
    assert "color-scheme:light dark" in html and "@media (prefers-color-scheme: dark)" in html, "the page follows the scheme too"
    assert HOSTILE in page.words and "Release health" in page.words
    for name, today in TODAY.items():
        assert today in page.words, name
    assert "Data as of 2026-11-28 12:00 UTC" in page.words and 'datetime="2026-11-28T12:00:00Z"' in html
    assert "stale" not in page.words.replace("0 stale", "")
    summary = Page(html.split('<p class="summary">')[1].split("</p>")[0]).words
    assert re.search(r"^2 grids: ✖ \d critical · ▲ \d warning · ○ \d no data · ✓ \d ok · 0 stale$", summary)
    links = {a["href"] for a in page.all("a")}
    assert {"one.html", "one_dark.html", "one.json", "one.md", "one.png", "one_dark.png", "two.html", "two.md"} <= links
    assert page.all("meta")[-1] == {"http-equiv": "refresh", "content": "300"}


def test_worst_grid_comes_first_and_names_its_worst_cells(site):
    page = Page((site / "index.html").read_text())
    cards = [a["id"] for a in page.all("article")]
    assert cards == ["grid-one", "grid-two"], "one has a critical cell today, two a warning at worst"
    one = page.words.split("Worst today: ", 1)[1]
    assert one.startswith("Dur "), "its worst cell first"
    docs = {n: json.loads((site / f"{n}.json").read_text()) for n in ("one", "two")}
    assert {n: [band_of(r["values"][-1], d["bands"]) for r in d["rows"]] for n, d in docs.items()} == \
        {"one": ["critical", "good", "warning"], "two": ["warning", "good"]}, "the demo cells the cards are ranked by"


def test_nothing_on_either_page_comes_from_the_network_and_user_text_stays_text(site):
    for name in ("index.html", "one.html", "one_dark.html"):
        html = (site / name).read_text()
        page = Page(html)
        urls = [v for _, attrs in page.tags for k, v in attrs.items() if k in ("href", "src", "srcset", "action", "data")]
        assert urls and all(re.fullmatch(r"[a-z0-9_.-]+", u) for u in urls), urls
        assert "@import" not in html and "url(" not in html and "<link" not in html
        assert not re.search(r"<script[^>]*\bsrc=", html)
        assert '<img src="http://203.0.113.9' not in html and "onerror" not in {k for _, a in page.tags for k in a}
    assert "&lt;b&gt;Tests&lt;/b&gt;" in (site / "one.html").read_text()


def test_a_grid_going_stale_says_so_in_words():
    from healthgrid.files.index import build_index
    grid = make_grid([("A", [0.9, 0.2]), ("B", [0.9, 0.5]), ("C", [0.9, NAN])], name="g", title="G")
    from healthgrid.files.data import grid_json

    def files(stale_after=None):
        extra = {"bands": {"critical": 0.3, "warning": 0.7}}
        if stale_after:
            extra["status_page"] = {"refresh_seconds": 0, "stale_after_minutes": stale_after}
        data = {"g.png": b"", "g.json": grid_json(grid, extra=extra).encode()}
        return list(data), data.get

    fresh = Page(build_index(*files(), now=NOW_DT + timedelta(minutes=119)).decode())
    stale = Page(build_index(*files(), now=NOW_DT + timedelta(minutes=121)).decode())
    assert "stale" not in fresh.words.replace("0 stale", "")
    assert "stale: older than 2 h" in stale.words and "1 stale" in stale.words
    assert "today: ✓ 0 ok · ▲ 1 warning · ✖ 1 critical · ○ 1 no data" in stale.words
    assert "Worst today: A 0.20 (critical); B 0.50 (warning)" in stale.words
    grid.rows = grid.rows[2:]
    empty = Page(build_index(*files(), now=NOW_DT).decode())
    assert "○ no data · today: ✓ 0 ok · ▲ 0 warning · ✖ 0 critical · ○ 1 no data No data for today yet." in empty.words
    relaxed = build_index(*files(240), now=NOW_DT + timedelta(minutes=200)).decode()
    assert "stale:" not in Page(relaxed).words and 'http-equiv="refresh"' not in relaxed


@pytest.mark.parametrize("yaml,stale_after,refresh", [
    ("", 120, 300),
    ("report: {period: 180}\n", 360, 300),
    ("report: {period: 180}\nstatus_page: {stale_after_minutes: 30, refresh_seconds: 60}\n", 30, 60),
])
def test_staleness_threshold_and_refresh_come_from_the_config(in_tmp, cli, yaml, stale_after, refresh):
    (in_tmp / "healthgrid.yml").write_text(yaml + "grids: [{name: g, rows: [{label: A, query: 'avg:a{*}'}]}]\n")
    assert cli("render", "--demo", "--now", NOW, "--format", "html", "--theme", "light").code == 0
    doc = json.loads((in_tmp / "healthgrid-out" / "g.json").read_text())
    assert doc["status_page"] == {"refresh_seconds": refresh, "stale_after_minutes": stale_after}
    assert f'data-stale-after="{stale_after * 60}"' in (in_tmp / "healthgrid-out" / "index.html").read_text()
    assert f'<meta http-equiv="refresh" content="{refresh}">' in (in_tmp / "healthgrid-out" / "g.html").read_text()
    assert cli("render", "--data", str(in_tmp / "healthgrid-out" / "g.json"), "--out", "again", "--format", "html").code == 0, "NAME.json still reads back"


@pytest.mark.parametrize("value,message", [
    ("{refresh_seconds: 5}", "healthgrid: error: status_page.refresh_seconds: must be 0 (off) or at least 10, got 5"),
    ("{stale_after_minutes: 0}", "healthgrid: error: status_page.stale_after_minutes: must be between 1 and 43200, got 0"),
    ("{refresh: 60}", "healthgrid: error: status_page.refresh: unknown key"),
])
def test_bad_status_page_settings_are_one_line_errors(in_tmp, cli, value, message):
    (in_tmp / "healthgrid.yml").write_text(f"status_page: {value}\ngrids: [{{name: g, rows: [{{label: A, query: 'avg:a{{*}}'}}]}}]\n")
    result = cli("render", "--demo", "--now", NOW)
    assert result.code == 2 and result.err.startswith(message) and result.err.count("\n") == 1


def test_grid_page_is_the_table_once_in_the_images_colours_with_band_words(site):
    html = (site / "one.html").read_text()
    page = Page(html)
    assert "<svg" not in html and not page.all("img") and not page.all("picture"), "the grid is shown once"
    assert {"href": "index.html"} in page.all("a")
    downloads = [a["href"] for a in page.all("a") if "download" in a]
    assert downloads == ["one.png", "one_dark.png"]
    # The cells: colour exactly as in the image, band in words for screen readers.
    from healthgrid.config import load_config
    from healthgrid.sources.datafile import load_data

    grid = load_data(str(site / "one.json"), default_bands)[0]
    spec = load_config(str(site.parent / "healthgrid.yml")).grid("one")
    plotter = prepare(grid, spec, "light")
    cells = re.findall(r'<td class="([^"]+)"( style="background:(#[0-9a-f]{6});[^"]*")? title="([^"]*)"><span class="sr">(\w*) </span>', html)
    assert len(cells) == 3 * 7
    for k, (klass, _, color, title, word) in enumerate(cells):
        i, j = divmod(k, 7)
        value = grid.rows[i].values[j]
        band = band_of(None if math.isnan(value) else value, {"critical": spec.bands.critical, "warning": spec.bands.warning})
        assert klass.split()[0] == band and word == ("" if band == "nodata" else band)
        if band != "nodata":
            expected = "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in plotter.cell_colors[i, j][:3]))
            assert color == expected and f"({band})" in title
    assert "today" in cells[-1][0]


def test_unreadable_or_hostile_grid_data_on_the_branch_still_gets_a_safe_entry():
    from healthgrid.files.index import build_index

    files = {"a.png": b"", "a.json": b'{"title": "<script>x</script>", "rows": 5}',
             "b.png": b"", "b.json": b"not json", "c.svg": b"", "c.badge.json": b"{}",
             "d.png": b"", "d.json": b"[" * 100000}
    html = build_index(list(files), files.get, now=NOW_DT).decode()
    page = Page(html)
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "Health grids 4 grids:" in page.words and "? 4 unknown" in page.words
    assert {"href": "c.badge.json"} in page.all("a") and {"src": "c.svg", "alt": "c"} in page.all("img")


def test_gh_pages_index_is_the_status_page_of_every_publishers_grids(tmp_path, cli, monkeypatch):
    """Two publishers (a workflow matrix) each push their own grid; the branch's index shows both."""
    import subprocess

    from healthgrid.publish.ghpages import publish

    monkeypatch.chdir(tmp_path)
    (tmp_path / "healthgrid.yml").write_text(CONFIG)
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--bare", "-q", str(remote)], check=True)
    for name in ("one", "two"):
        # Data from 2020: stale by the time it is published, whatever the machine's clock says.
        assert cli("render", "--demo", "--now", "2020-06-01T12:00:00Z", "--format", "png,html", "--grid", name, "--out", name).code == 0
        publish({p.name: p.read_bytes() for p in (tmp_path / name).iterdir()}, remote=str(remote), index=True)
    html = subprocess.run(["git", "--git-dir", str(remote), "show", "gh-pages:healthgrid/index.html"], capture_output=True, check=True).stdout.decode()
    page = Page(html)
    assert html.count("<picture>") == 2 and "Release health" in page.words and HOSTILE in page.words
    assert len(re.findall(r"today: ✓ \d ok · ▲ \d warning · ✖ \d critical · ○ \d no data", page.words)) == 2
    assert "2 grids:" in page.words and "2 stale" in page.words, "published long after its --now, both grids say stale"


def test_html_is_self_contained_with_hover_details_and_an_index(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text(
        "grids:\n  - {name: one, rows: [{label: Dur, query: 'avg:ci.p90{*}', score: {good: 3, bad: 10}, unit: min}]}\n"
        "  - {name: two, rows: [{label: B, query: 'avg:b{*}'}]}\n")
    result = cli("render", "--demo", "--now", NOW, "--format", "png,html", "--theme", "light")
    assert result.code == 0, result.err
    out = in_tmp / "healthgrid-out"
    html = (out / "one.html").read_text()
    assert "<table class=\"grid\">" in html and "<svg" not in html, "the table is the grid, shown once"
    assert not re.search(r"(src|href)=\"https?://", html) and "<script" not in html and "@import" not in html
    cells = re.findall(r"<td class=\"([^\"]+)\"[^>]*title=\"([^\"]+)\"><span class=\"sr\">(\w* )</span>([^<]*)</td>", html)
    assert len(cells) == 7
    assert cells[0][1].startswith("Dur · Sun 2026-11-22")
    assert '<th scope="row" title="avg:ci.p90{*}">Dur</th>' in html, "the query once, on the row's label"
    dur = [c for c in cells if c[1].startswith("Dur · ")]
    assert len(dur) == 7 and any("nodata" not in c[0] for c in dur)
    for klass, title, band, text in dur:
        if "nodata" in klass:
            assert band.strip() == "" and text == "no data" and title.endswith(" · no data"), (klass, title, band, text)
            continue
        assert "raw " in title and " min (good 3, bad 10)" in title and text.strip().endswith("min")
        assert band.strip() in ("good", "warning", "critical") and band.strip() in klass
    assert "today" in cells[-1][0]
    index = (out / "index.html").read_text()
    assert 'href="one.html"' in index and 'href="two.html"' in index and 'src="one.png"' in index
    assert "healthgrid-out/index.html" in result.out.splitlines()
