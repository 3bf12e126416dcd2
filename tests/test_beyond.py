"""Trend column on the heatmap, interactive HTML and index, monitors for the grid itself."""

import json
import math
import re

import pytest

from healthgrid.config import GridSpec
from healthgrid.model.formatting import trend_delta, trend_text
from healthgrid.render.heatmap import draw, prepare

from helpers import NAN, make_grid, spec_for

NOW = "2026-11-28T12:00:00Z"


@pytest.mark.parametrize("values,delta,text", [
    ([0.5, 0.7, 0.9], 0.3, "▲ 0.30"),
    ([0.9, 0.9, 0.6], -0.3, "▼ 0.30"),
    ([0.8, NAN, 0.8], 0.0, "= 0.00"),
    ([NAN, NAN, 0.8], NAN, "–"),
    ([0.8, 0.8, NAN], NAN, "–"),
    ([1.4, 0.6], -0.4, "▼ 0.40"),  # clamped like the colours
])
def test_trend_is_today_against_the_mean_of_earlier_days(values, delta, text):
    got = trend_delta(values)
    assert (math.isnan(got) and math.isnan(delta)) or got == pytest.approx(delta)
    assert trend_text(got) == text


def test_trend_column_is_drawn_with_symbols_and_colours():
    grid = make_grid([("Up", [0.2, 0.2, 0.9]), ("Down", [0.9, 0.9, 0.1], dict(group="G")), ("Gap", [0.5, 0.5, NAN], dict(group="G"))])
    spec = spec_for(grid)
    spec = GridSpec(**{**spec.__dict__, "trend_column": True})
    p = prepare(grid, spec, "light")
    assert [t for t in p.trend_texts if t] == ["▲ 0.70", "▼ 0.80", "–"]
    colors = {t: c for t, c in zip(p.trend_texts, p.trend_colors, strict=False) if t}
    assert colors["▲ 0.70"] != colors["▼ 0.80"] and colors["–"] == p.theme.muted
    drawn = {a.get_text(): a.get_color() for a in draw(p).axes[2].texts[:-1]}  # the last is the column's caption
    assert drawn == colors
    assert prepare(grid, spec_for(grid), "light").figure_size[0] < p.figure_size[0], "the column adds width"


def test_trend_column_in_markdown(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, trend: true, rows: [{label: A, query: 'avg:a{*}'}]}\n")
    assert cli("render", "--demo", "--now", NOW, "--theme", "light").code == 0
    md = (in_tmp / "healthgrid-out" / "g.md").read_text()
    header = next(line for line in md.splitlines() if line.startswith("| Metric"))
    assert header.endswith("| vs. avg of earlier days |")
    row = next(line for line in md.splitlines() if line.startswith("| A |"))
    assert re.search(r"\| (▲ \d\.\d\d|▼ \d\.\d\d|= 0\.00|–) \|$", row)


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
    klass, title, band, text = cells[0]
    assert title.startswith("Dur · Sun 2026-11-22")
    assert '<th scope="row" title="avg:ci.p90{*}">Dur</th>' in html, "the query once, on the row's label"
    if "nodata" not in klass:
        assert "raw " in title and " min (good 3, bad 10)" in title and text.strip().endswith("min")
        assert band.strip() in ("good", "warning", "critical") and band.strip() in klass
    assert "today" in cells[-1][0]
    index = (out / "index.html").read_text()
    assert 'href="one.html"' in index and 'href="two.html"' in index and 'src="one.png"' in index
    assert "healthgrid-out/index.html" in result.out.splitlines()


def test_monitor_definitions_are_accepted_by_the_clients_model(in_tmp, cli):
    from datadog_api_client.v1.model.monitor import Monitor

    from healthgrid.datadog.monitors import _model_args

    result = cli("monitor", "--period", "30", "--notify", "@slack-platform")
    monitors = json.loads(result.out)
    assert [m["name"] for m in monitors] == ["healthgrid: a grid failed to render", "healthgrid: a grid stopped updating"]
    failed, stale = monitors
    assert failed["query"] == "min(last_30m):min:healthgrid.generation_success{*} by {grid} < 1"
    assert stale["query"].startswith("max(last_60m):max:healthgrid.updated_at{*} by {grid}")
    assert stale["options"]["notify_no_data"] is True and stale["options"]["no_data_timeframe"] == 60
    assert all(m["message"].endswith("@slack-platform") for m in monitors)
    for m in monitors:
        assert Monitor(**_model_args(m)).to_dict()["query"] == m["query"]


def test_report_monitors_creates_then_changes_nothing(in_tmp, cli, dd):
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\nreport: {monitors: true, period: 60}\n")
    first = cli("run", "--demo", "--now", NOW)
    assert first.code == 0, first.err
    assert len(dd.monitors) == 2 and "report: monitors created" in first.err
    posts = len(dd.calls("POST", "/api/v1/monitor"))
    second = cli("run", "--demo", "--now", NOW)
    assert second.code == 0 and "unchanged: 'healthgrid: a grid failed to render'" in second.err
    assert len(dd.calls("POST", "/api/v1/monitor")) == posts and dd.calls("PUT", f"/api/v1/monitor/{min(dd.monitors)}") == []
    # A changed period updates in place.
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\nreport: {monitors: true, period: 15}\n")
    third = cli("run", "--demo", "--now", NOW)
    assert third.code == 0 and "updated" in third.err and len(dd.monitors) == 2
    assert any("last_15m" in m["query"] for m in dd.monitors.values())
