"""The picture says what the rules say: colours agree with bands, and the picture's own defects
(clipped subtitle, outline across headings, ambiguous alt text, mid-word cuts, misaligned grids).

Checked on the renderer's prepared data and the artists drawn from it; one golden image."""

import colorsys
import io
import re

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

from healthgrid.config import DEFAULT_CONFIG, ConfigError, GridSpec, RowSpec, load_config, parse_config
from healthgrid.files.markdown import alt_text
from healthgrid.files.page import page
from healthgrid.model.band import Bands
from healthgrid.render import render
from healthgrid.render.heatmap import draw, prepare
from healthgrid.render.style import contrast_ratio

from conftest import NOW_DT
from helpers import NAN, make_grid

# Hue (degrees) a reader names each band by.
HUES = {"critical": "red", "warning": "amber/yellow", "good": "green"}


def hue_name(color) -> str:
    h, s, _ = colorsys.rgb_to_hsv(*to_rgb(color))
    h *= 360
    if s < 0.2:
        return "grey"
    if h >= 340 or h <= 15:
        return "red"
    if 28 <= h <= 60:
        return "amber/yellow"
    if 85 <= h <= 165:
        return "green"
    return f"hue {h:.0f}"


def default_spec(grid):
    spec = load_config(None).grids[0]
    return GridSpec(name=grid.name, title=grid.title, rows=tuple(RowSpec(r.label, r.query, group=r.group) for r in grid.rows),
                    days=len(grid.days), palette=spec.palette, bands=grid.bands)


def plotter(grid, spec=None, theme="light"):
    return prepare(grid, spec or default_spec(grid), theme)


def sweep(bands):
    """Many values in each band, the edges and a hair either side of them included."""
    values = list(np.linspace(0, 1, 201)) + [bands.critical, bands.warning, np.nextafter(bands.critical, 0), np.nextafter(bands.warning, 0), 1.0]
    return sorted(set(float(v) for v in values))


# --- requirement 4: colours agree with bands ----------------------------------------------------


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("bands", [Bands(), Bands(0.5, 0.9), Bands(0.1, 0.2)])
def test_default_palette_hue_is_the_cells_band(theme, bands):
    values = sweep(bands)
    grid = make_grid([("A", values)], bands=bands)
    p = plotter(grid, default_spec(grid), theme)
    wrong = [(v, bands.band(v), hue_name(p.cell_colors[0, j])) for j, v in enumerate(values) if hue_name(p.cell_colors[0, j]) != HUES[bands.band(v)]]
    assert wrong == []
    assert min(contrast_ratio(t, c) for t, c in zip(p.text_colors[0], p.cell_colors[0], strict=False)) >= 4.5, "labels stay readable"


def test_warning_cells_at_0_6_are_amber_by_default_and_continuous_rdylgn_stays_by_name():
    """The issue's case: with the old default, 0.59-0.65 warnings were #bfe47a next to good cells."""
    import matplotlib

    values = [0.59, 0.62, 0.65, 0.69, 0.7]
    grid = make_grid([("A", values)])
    p = plotter(grid)
    assert [hue_name(c) for c in p.cell_colors[0]] == ["amber/yellow"] * 4 + ["green"]
    # Whoever wrote `palette: RdYlGn` keeps the continuous map.
    config = parse_config({**DEFAULT_CONFIG, "palette": "RdYlGn"}, "x")
    spec = GridSpec(**{**default_spec(grid).__dict__, "palette": config.grids[0].palette})
    assert np.allclose(plotter(grid, spec).cell_colors[0], matplotlib.colormaps["RdYlGn"](values))


def test_shading_within_a_band_darkens_toward_its_worse_end():
    grid = make_grid([("A", [0.0, 0.29, 0.3, 0.69, 0.7, 1.0])])
    lum = [sum(to_rgb(c)) for c in plotter(grid).cell_colors[0]]
    assert lum[0] < lum[1] and lum[2] < lum[3] and lum[4] > lum[5]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_html_cell_colours_agree_with_their_band(theme):
    values = sweep(Bands())
    grid = make_grid([("A", values)])
    html = page(grid, default_spec(grid), theme, b"<svg></svg>").decode()
    cells = re.findall(r'<td class="(critical|warning|good)[^"]*" style="background:(#[0-9a-f]{6})', html)
    assert len(cells) == len(values)
    assert [(band, hue_name(color)) for band, color in cells if hue_name(color) != HUES[band]] == []


@pytest.mark.parametrize("palette", ["health", "RdYlGn", "bands", "cividis"])
def test_colour_bar_ticks_sit_on_the_band_edges_and_names_inside_their_bands(palette):
    bands = Bands(0.4, 0.8)
    grid = make_grid([("A", [0.5] * 7)], bands=bands)
    spec = GridSpec(**{**default_spec(grid).__dict__, "palette": palette})
    p = plotter(grid, spec)
    cax = draw(p).axes[1]
    assert list(cax.get_yticks()) == [0.0, 0.4, 0.8, 1.0]
    assert [t.get_text() for t in cax.get_yticklabels()] == ["0", "0.4", "0.8", "1"]
    names = {t.get_text(): y for t, y in zip(cax.get_yticklabels(minor=True), cax.get_yticks(minor=True), strict=False)}
    assert set(names) == {"critical", "warning", "good"}
    assert 0 < names["critical"] < 0.4 < names["warning"] < 0.8 < names["good"] < 1


# --- requirement 7: the picture's own defects ---------------------------------------------------


@pytest.mark.parametrize("days", [1, 2])
def test_title_and_subtitle_stay_inside_narrow_figures(days):
    grid = make_grid([("Tests Passing", [0.9] * days), ("Failing Workflows", [0.2] * days)], tz="America/New_York")
    p = plotter(grid)
    fig = draw(p)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = fig.texts
    assert texts, "title and subtitle are figure texts"
    for text in texts:
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width, (text.get_text(), box.x1, fig.bbox.width)
        assert text.get_fontsize() >= 8
    drawn = " ".join(t.get_text() for t in texts)
    assert "as of 2026-11-28 07:00 EST" in drawn
    assert " · ".join(p.subtitle_lines) == p.subtitle


def test_today_outline_never_crosses_a_group_heading():
    grid = make_grid([("a", [1, 1]), ("b", [1, 1], dict(group="Training")), ("c", [1, 1], dict(group="Training")),
                      ("d", [1, NAN], dict(group="CI/CD"))])
    p = plotter(grid)
    headings = {r for r, _ in p.headings}
    outlines = [patch for patch in draw(p).axes[0].patches if not patch.get_fill()]
    covered = set()
    for patch in outlines:
        assert patch.get_x() == 1 and patch.get_linestyle() == (0, (4, 2))
        rows = set(range(round(patch.get_y()), round(patch.get_y() + patch.get_height())))
        assert not rows & headings, f"outline over heading rows {rows & headings}"
        covered |= rows
    assert covered == {r for r, (kind, _, _) in enumerate(p.display) if kind == "row"}


def test_alt_text_names_the_group_of_rows_with_the_same_label():
    grid = make_grid([("Hearts", [0.9, 0.1], dict(group="Training")), ("Hearts", [0.9, 0.2], dict(group="Eval")), ("Loss", [0.9, 0.25])])
    alt = alt_text(grid)
    assert "Hearts (Training) 0.10 (critical)" in alt and "Hearts (Eval) 0.20 (critical)" in alt
    assert "Loss 0.25 (critical)" in alt


def test_what_the_outputs_count_reads_in_the_singular_for_one():
    from healthgrid.files.comparison_text import alt_text as comparison_alt
    from healthgrid.pipeline import status_line
    from healthgrid.sources.rows import comparison

    grid = make_grid([("Only", [0.9])])
    assert alt_text(grid).startswith("Test grid: 1 metric over 1 day, ")
    assert status_line(grid, 0.5) == "t: 1 row × 1 day, 0 of 1 cell without data, 0.50s"
    spec = default_spec(grid)
    one = comparison("c", "C", "UTC", grid.days, grid.now, "svc", spec.rows, [{"api": 0.9}], ["avg"], grid.bands, 20)
    assert comparison_alt(one).startswith("C: 1 metric compared across 1 value of svc, ")
    assert "2 metrics over 2 days, " in alt_text(make_grid([("a", [0.9, 0.8]), ("b", [0.9, 0.8])]))


def test_palette_typos_suggest_a_reversed_map_only_when_r_was_typed():
    for typed, suggested in (("RdYlGr", "RdYlGn"), ("RdYIGn", "RdYlGn"), ("RdYlGr_r", "RdYlGn_r"), ("rdylgn_R", "RdYlGn_r"), ("Cividis", "cividis")):
        for data in ({**DEFAULT_CONFIG, "palette": typed}, {"grids": [{**DEFAULT_CONFIG["grids"][0], "palette": typed}]}):
            with pytest.raises(ConfigError) as err:
                parse_config(data, "x")
            assert str(err.value).endswith(f"got {typed!r} (did you mean {suggested!r}?)"), str(err.value)


def test_cli_palette_typo_is_one_line_exit_2(cli, in_tmp):
    (in_tmp / "healthgrid.yml").write_text("palette: RdYlGr\ngrids:\n  - {name: g, rows: [{label: x, query: 'avg:x{*}'}]}\n")
    result = cli("render", "--demo")
    assert result.code == 2
    assert result.err.strip() == ("healthgrid: error: palette: must be one of health, bands, RdYlGn, RdYlBu, RdBu, Spectral, PiYG, PRGn, ...; "
                                  "got 'RdYlGr' (did you mean 'RdYlGn'?)")


LONG = "Nightly training data pipeline freshness for the shared feature store workflow labels end"


def test_long_labels_keep_their_end_and_whole_words():
    grid = make_grid([(LONG, [0.5, 0.5], dict(group=LONG + " group")), ("Short", [0.5, 0.5], dict(group=LONG + " group"))])
    p = plotter(grid)
    label, heading = p.ylabels[1], p.headings[0][1]
    assert label.endswith("workflow labels end") and heading.endswith("labels end group")
    for text in (label, heading):
        assert len(text) <= 60 and "…" in text
        assert all(word in (LONG + " group").split() for word in text.split() if word != "…"), text
    assert [t.get_text() for t in draw(p).axes[0].get_yticklabels()][1] == label
    # One word longer than the limit has nowhere else to be cut: its middle goes.
    word = "x" * 30 + "y" * 40 + "z" * 30
    (only,) = plotter(make_grid([(word, [0.5])])).ylabels
    assert len(only) == 60 and only.startswith("x" * 30) and only.endswith("z" * 29) and "…" in only


def two_grid_config():
    short = [{"label": "Tests", "query": "avg:a{*}"}]
    long_ = [{"label": f"Remote evaluation accuracy {i}", "group": "Eval", "query": f"avg:b{i}{{*}}"} for i in range(14)]
    return {"timezone": "UTC", "grids": [{"name": "ci", "rows": short, "trend": True},
                                         {"name": "eval", "rows": long_, "bands": {"critical": 0.25, "warning": 0.75}}]}


def test_grids_of_one_config_share_label_column_cells_and_width():
    from healthgrid.render import shared_layout

    config = parse_config(two_grid_config(), "x")
    layout = shared_layout(config.grids)
    from healthgrid.sources.demo import demo_grid

    geometry = []
    for spec in config.grids:
        p = prepare(demo_grid(spec, NOW_DT), spec, "light", layout)
        fig = draw(p)
        ax = fig.axes[0]
        box = ax.get_position()
        fig_w, fig_h = fig.get_size_inches()
        geometry.append(dict(left=round(box.x0 * fig_w, 6), cell_w=round(box.width * fig_w / len(p.grid.days), 6),
                             cell_h=round(box.height * fig_h / len(p.display), 6), width=round(fig_w, 6), dpi=fig.dpi))
    assert geometry[0] == geometry[1]


def test_rendered_grids_of_one_config_have_one_width_whichever_grid_a_run_renders(cli, in_tmp):
    import yaml

    (in_tmp / "healthgrid.yml").write_text(yaml.safe_dump(two_grid_config()))
    assert cli("render", "--demo", "--theme", "light", "--now", "2026-11-28T12:00:00Z").code == 0
    assert cli("render", "--demo", "--theme", "light", "--grid", "ci", "--out", "alone", "--now", "2026-11-28T12:00:00Z").code == 0
    widths = {name: Image.open(in_tmp / name).size[0] for name in ("healthgrid-out/ci.png", "healthgrid-out/eval.png", "alone/ci.png")}
    assert len(set(widths.values())) == 1, widths


# --- one golden image: all of the above in one picture --------------------------------------------


@pytest.mark.mpl_image_compare(tolerance=2, savefig_kwargs={"dpi": 100}, style="default")
def test_two_days_groups_long_label_default_palette():
    from test_images import as_figure

    grid = make_grid([
        ("Tests Passing", [0.95, 0.62], dict(group="CI/CD")),
        ("Failing Workflows", [0.31, 0.12], dict(group="CI/CD")),
        (LONG, [0.69, 0.7], dict(group="Training")),
        ("Hearts", [NAN, 0.29], dict(group="Training")),
    ], title="Two days, default palette", tz="America/New_York")
    png = render(grid, default_spec(grid), "light", "png")
    assert Image.open(io.BytesIO(png)).mode == "P"
    return as_figure(png)
