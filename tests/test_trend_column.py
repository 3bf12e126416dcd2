"""`trend: true`: a column beside the heatmap with today's value against the mean of the earlier days,
drawn with an arrow and its colour, and a column of NAME.md's table."""

import math
import re

import pytest

from healthgrid.config import GridSpec
from healthgrid.model.formatting import trend_delta, trend_text
from healthgrid.render.heatmap import draw, prepare

from conftest import NOW
from helpers import NAN, make_grid, spec_for


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
