"""The comparison picture, checked on its prepared data (as the heatmap's is), and its companion
files: NAME.json, NAME.md, the HTML page, the index entry, the badge; demo data; `--data` read back."""

import json
import math
from datetime import date, timedelta

import pytest

from healthgrid.config import GridSpec, RowSpec
from healthgrid.model.band import Bands, Score
from healthgrid.model.formatting import cell_text
from healthgrid.model.grid import Grid
from healthgrid.model.rules import Rule, parse_condition
from healthgrid.render.comparison import MAX_TAG_LABEL, prepare, shorten_tag
from healthgrid.render.heatmap import prepare as prepare_heatmap
from healthgrid.render.style import THEMES, contrast_ratio
from healthgrid.sources.rows import comparison as build

from conftest import NOW_DT

DAYS = [date(2026, 11, 22) + timedelta(days=i) for i in range(7)]
LONG = "checkout-service-with-a-very-long-name_for the payments team in europe-west"
SPECS = (
    RowSpec("Error rate", "avg:errors.rate{env:prod}", rule=Rule(parse_condition("< 1"), parse_condition("< 2")), unit="%"),
    RowSpec("P90 latency", "avg:latency.p90{env:prod}", score=Score(200, 800), unit="ms"),
    RowSpec("Apdex", "avg:apdex{env:prod}"),
)
VALUES = [  # per row: tag value -> the window's value (missing: no data)
    {"api": 0.4, "web": 1.5, "batch": 3.2, LONG: 0.999},
    {"api": 250.0, "web": 500.0, "batch": 790.0, "search": 400.0},
    {"api": 0.95, "web": 0.5, "search": 0.1, LONG: 0.8},
]


def comparison(top=20, values=VALUES, specs=SPECS, bands=Bands()):
    return build("svc", "Service health", "UTC", DAYS, NOW_DT, "service", specs, values, ["avg"] * len(specs), bands, top)


def spec_for(palette="health", bands=Bands(), rows=SPECS):
    return GridSpec(name="svc", title="Service health", rows=rows, type="comparison", days=7, palette=palette, bands=bands, by="service")


def test_tag_values_come_worst_first_and_top_keeps_the_worst():
    grid = comparison()
    # batch: critical in two rows; search: critical (Apdex 0.1, and no error rate); web: warnings; LONG and api: good.
    assert grid.tags == ["batch", "search", "web", LONG, "api"]
    assert grid.total_tags == 5
    short = comparison(top=2)
    assert short.tags == ["batch", "search"] and short.total_tags == 5
    assert [[None if math.isnan(v) else v for v in r.raw] for r in short.rows] == [[3.2, None], [790.0, 400.0], [None, 0.1]]


@pytest.mark.parametrize("passes,warn,order,bad", [("< 1", "< 5", ["e", "d", "c", "b", "a"], ["e", "d", "c"]),
                                                    ("> 1", "> 0.5", ["a", "b", "c", "d", "e"], ["a", "b"])])
def test_within_a_band_the_worse_value_by_the_rule_comes_first(passes, warn, order, bad):
    spec = RowSpec("Error rate", "avg:errors{*}", rule=Rule(parse_condition(passes), parse_condition(warn)))
    grid = comparison(values=[{"a": 0.2, "b": 0.9, "c": 2.0, "d": 4.5, "e": 9.0}], specs=(spec,))
    assert grid.tags == order
    assert [grid.tags[j] for _, j in grid.worst(5)] == bad


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("palette", ["health", "bands", "cividis"])
def test_a_bar_has_the_colour_a_heatmap_cell_of_its_value_has_and_readable_text(theme, palette):
    grid = comparison()
    spec = spec_for(palette)
    p = prepare(grid, spec, theme)
    # The same rows as a heatmap whose columns are the tag values: the colours must agree.
    heat = Grid("svc", "x", "UTC", [date(2026, 11, 1) + timedelta(days=j) for j in range(len(grid.tags))], NOW_DT, grid.rows, bands=grid.bands)
    cells = prepare_heatmap(heat, GridSpec(name="svc", title="x", rows=SPECS, days=len(grid.tags), palette=palette), theme)
    for i, panel in enumerate(p.panels):
        for bar in panel.bars:
            assert bar.text == cell_text(grid.rows[i], bar.tag, grid.bands)
            if math.isnan(grid.rows[i].raw[bar.tag]):
                assert bar.color is None and bar.text == "no data" and math.isnan(bar.value)
                assert cells.nodata[i, bar.tag]
                continue
            assert bar.color == pytest.approx(tuple(cells.cell_colors[i, bar.tag]))
            background = bar.color if bar.inside else THEMES[theme].background
            assert contrast_ratio(bar.text_color, background) >= 4.5


def test_no_data_is_a_slot_that_says_so_never_a_bar_at_zero():
    p = prepare(comparison(), spec_for())
    nodata = [bar for panel in p.panels for bar in panel.bars if bar.color is None]
    assert len(nodata) == 3  # search has no error rate, LONG no latency, batch no Apdex
    assert all(bar.text == "no data" and math.isnan(bar.value) for bar in nodata)
    zero = prepare(comparison(values=[{"api": 0.0}, {"api": 200.0}, {"api": 0.0}]), spec_for())
    assert [bar.text for bar in zero.panels[0].bars] == ["0 %"] and zero.panels[0].bars[0].color is not None


def test_reference_lines_are_the_rows_thresholds_on_its_own_scale():
    p = prepare(comparison(bands=Bands(0.25, 0.75)), spec_for())
    rule, score, fom = p.panels
    assert rule.lines == [(1.0, "dashed", "pass < 1 %"), (2.0, "dotted", "warn < 2 %")]
    # FoM 0.75 and 0.25 on a 200 (good) .. 800 (bad) ms score: 350 ms and 650 ms.
    assert score.lines == [(pytest.approx(350.0), "dashed", "good ≤ 350 ms"), (pytest.approx(650.0), "dotted", "critical > 650 ms")]
    assert fom.lines == [(0.75, "dashed", "good ≥ 0.75"), (0.25, "dotted", "critical < 0.25")]
    for panel in p.panels:  # every line and every bar inside the panel's range, with room for the values past a bar
        lo, hi = panel.xlim
        assert all(lo <= x <= hi for x, _, _ in panel.lines)
        assert all(lo <= bar.value <= hi and lo <= bar.text_x <= hi for bar in panel.bars if bar.color is not None)


def test_values_sit_inside_a_long_bar_and_past_a_short_one():
    p = prepare(comparison(), spec_for())
    score = p.panels[1]
    longest = max((b for b in score.bars if b.color is not None), key=lambda b: b.value)
    shortest = min((b for b in score.bars if b.color is not None), key=lambda b: b.value)
    assert longest.inside and longest.text_x < longest.value and longest.ha == "right"
    assert not prepare(comparison(values=[{"a": 0.01, "b": 3.0}, {"a": 200.0}, {"a": 0.5}]), spec_for()).panels[0].bars[1].inside
    assert shortest.text_x != shortest.value


def test_long_tag_values_are_shortened_at_word_boundaries():
    assert shorten_tag("short-one") == "short-one"
    cut = shorten_tag(LONG)
    assert len(cut) <= MAX_TAG_LABEL and "…" in cut
    head, tail = cut.split("…")
    assert LONG.startswith(head) and LONG.endswith(tail)
    assert head.endswith(("-", "_", " ", "/", ".", ":")) or LONG[len(head)] in "-_ /.:"  # cut between words
    assert tail == "europe-west" or LONG[-len(tail) - 1] in "-_ /.:"
    assert len(shorten_tag("x" * 90)) == MAX_TAG_LABEL  # one long word loses its middle
    assert prepare(comparison(), spec_for()).tags[3] == cut


def test_name_json_has_each_tag_values_value_and_band():
    doc = comparison().to_dict()
    assert doc["type"] == "comparison" and doc["by"] == "service" and doc["tag_values_total"] == 5
    assert doc["from"] == "2026-11-22T00:00:00Z" and doc["now"] == "2026-11-28T12:00:00Z"
    rule, score, fom = doc["rows"]
    assert rule["bars"][0] == {"tag": "batch", "value": 3.2, "band": "critical"}
    assert rule["bars"][1] == {"tag": "search", "value": None, "band": None}
    assert score["bars"][0] == {"tag": "batch", "value": 790.0, "band": "critical", "fom": pytest.approx(10 / 600)}
    assert [b["band"] for b in fom["bars"]] == [None, "critical", "warning", "good", "good"]
    assert rule["pass"] == "< 1" and rule["warn"] == "< 2" and score["score"] == {"good": 200.0, "bad": 800.0}


def test_markdown_names_the_worst_values_and_tabulates_every_bar():
    from healthgrid.files.comparison_text import markdown

    md = markdown(comparison(), image="svc.png")
    alt = md.splitlines()[2]
    assert alt.startswith("![Service health: 3 metrics compared across 5 values of service")
    # Critical first, then the lowest figure of merit (a rule's critical bar sits at the middle of its band, 0.15).
    assert "Worst: P90 latency for batch 790 ms (critical); Apdex for search 0.10 (critical); Error rate for batch 3.2 % (critical)." in alt
    table = [line for line in md.splitlines() if line.startswith("| ")]
    assert table[0] == "| service | Error rate | P90 latency | Apdex |"
    assert table[1] == "| batch | 🔴 3.2 % | 🔴 790 ms | ⚪ no data |"
    assert len(table) == 6
    assert "- **Error rate**: avg over the window; < 1 % (warn < 2)" in md.replace("\\<", "<")


def test_html_page_and_index_entry(tmp_path):
    from healthgrid.files.comparison_page import comparison_page
    from healthgrid.files.index import build_index
    from healthgrid.files.outputs import describe, grid_files

    grid = comparison()
    html = comparison_page(grid, spec_for(), "light", ["svc.png"]).decode()
    assert html.count('<th scope="row">') == 5 and 'title="Error rate · service: batch · 3.2 %: critical, fails &lt; 1, fails warn &lt; 2' in html
    files = grid_files(grid, spec_for(), describe(grid, spec_for()), ("html",), ("light",))
    index = build_index(list(files), lambda name: files.get(name), NOW_DT).decode()
    assert "<strong>critical</strong> · bars:" in index and "Worst: P90 latency for batch 790 ms (critical);" in index
    badge = json.loads(files["svc.badge.json"])
    assert badge["message"] == "5 ok · 4 warn · 3 crit · 3 no data" and badge["color"] == "red"
    from healthgrid.files.embed import alts_from_files, embeds
    from healthgrid.publish import Published

    shown = [Published(f"svc{s}.png", f"https://p/svc{s}.png", f"https://p/svc{s}.png?v=1") for s in ("", "_dark")]
    assert alts_from_files(files) == {"svc": describe(grid, spec_for()).alt}, "read back from NAME.json, the same sentence"
    snippet = embeds(shown, alts_from_files(files))["svc"]
    assert snippet.startswith('<picture><source media="(prefers-color-scheme: dark)" srcset="https://p/svc_dark.png?v=1">')
    assert 'alt="Service health: 3 metrics compared across 5 values of service' in snippet


def test_demo_data_is_deterministic_and_shows_every_state(cli, in_tmp):
    (in_tmp / "healthgrid.yml").write_text(
        "grids:\n  - name: evals\n    type: comparison\n    by: policy\n    top: 5\n    rows:\n"
        "      - {label: Nav, query: 'avg:eval.score{suite:nav}', pass: '>= 0.8', warn: '>= 0.6'}\n"
        "      - {label: Combat, query: 'avg:eval.score{suite:combat}', score: {good: 1, bad: 0}}\n")
    for out in ("a", "b"):
        assert cli("render", "--demo", "--now", "2026-11-28T12:00:00Z", "--theme", "dark", "--format", "png,svg", "--out", out).code == 0
    for name in ("evals_dark.png", "evals_dark.svg", "evals.json"):
        assert (in_tmp / "a" / name).read_bytes() == (in_tmp / "b" / name).read_bytes(), name
    doc = json.loads((in_tmp / "a" / "evals.json").read_text())
    bands = [b["band"] for row in doc["rows"] for b in row["bars"]]
    assert "critical" in bands and None in bands
    assert len(doc["tag_values"]) == 5 and doc["tag_values_total"] == 7


def test_a_name_json_read_with_data_renders_the_same_picture(cli, in_tmp):
    (in_tmp / "healthgrid.yml").write_text(
        "timezone: America/New_York\npalette: cividis\ngrids:\n  - name: evals\n    type: comparison\n    by: policy\n    days: 7\n    top: 3\n    rows:\n"
        "      - {label: Nav, query: 'avg:eval.score{suite:nav}', pass: '>= 0.8', warn: '>= 0.6', description: 'mean score'}\n"
        "      - {label: Latency, query: 'p90:eval.latency{*}', unit: s, score: {good: 1, bad: 5}}\n"
        "      - {label: FoM, query: 'avg:eval.fom{*}'}\n")
    assert cli("render", "--demo", "--now", "2026-11-28T12:00:00Z", "--theme", "dark", "--format", "png,svg", "--out", "first").code == 0
    assert cli("render", "--data", "first/evals.json", "--theme", "dark", "--format", "png,svg", "--out", "again").code == 0
    for name in ("evals_dark.png", "evals_dark.svg", "evals.json", "evals.md", "evals.badge.json"):
        assert (in_tmp / "first" / name).read_bytes() == (in_tmp / "again" / name).read_bytes(), name


@pytest.mark.parametrize("change,error", [
    (lambda d: d["rows"][0]["bars"][0].update(tag="other"), "rows[0].bars[0].tag: must be"),
    (lambda d: d["rows"][0]["bars"].pop(), "rows[0].bars: must list one bar for each of the"),
    (lambda d: d["rows"][0]["bars"][0].update(value="7"), "rows[0].bars[0].value: must be a number or null"),
    (lambda d: d.update(by="Policy"), "by: 'Policy' is not a Datadog tag key"),
    (lambda d: d.update(tag_values_total=1), "tag_values_total: must be between"),
])
def test_a_bad_comparison_data_file_is_one_line_naming_the_key(cli, in_tmp, change, error):
    doc = comparison().to_dict()
    doc["by"] = "policy"
    change(doc)
    (in_tmp / "g.json").write_text(json.dumps(doc))
    result = cli("render", "--data", "g.json")
    assert result.code == 2 and result.err.startswith(f"healthgrid: error: --data g.json: {error}"), result.err


def test_every_output_of_a_comparison_reads_its_values_by_the_grids_own_bands(tmp_path):
    """A figure of merit of 0.7499 is a warning where warning starts at 0.75: no output may print it
    as 0.75, which would read as good (the picture, NAME.md, the HTML page and the alt text alike)."""
    from healthgrid.files.outputs import describe, grid_files

    fom = RowSpec("Apdex", "avg:apdex{env:prod}")
    grid = comparison(values=[{"api": 0.7499, "web": 0.9}], specs=(fom,), bands=Bands(0.25, 0.75))
    spec = spec_for(bands=grid.bands, rows=(fom,))
    files = grid_files(grid, spec, describe(grid, spec), ("html",), ("light",))
    md, html = files["svc.md"].decode(), files["svc.html"].decode()
    assert "| api | 🟡 0.7499 |" in md and "Apdex for api 0.7499 (warning)" in md
    assert "<span class=\"sr\">warning </span>0.7499</td>" in html
    assert [b.text for b in prepare(grid, spec_for(bands=grid.bands, rows=(fom,))).panels[0].bars] == ["0.7499", "0.90"]
