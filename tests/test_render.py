"""The prepared data behind the heatmap, and the artists drawn from it (seaborn-style tests: the
prepared object is checked without drawing; the few drawing checks compare artists with it)."""

import math
from dataclasses import replace

import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgba

from healthgrid.model.band import Band, Bands
from healthgrid.render.heatmap import draw, prepare
from healthgrid.render.style import contrast_ratio

from helpers import NAN, Score, make_grid, spec_for

VALUES = [0.0, 0.12, 0.3, 0.5, 0.69, 0.7, 0.93, 1.0]


def plotter(grid, palette="RdYlGn", theme="light", bands=None):
    grid = grid if bands is None else replace(grid, bands=bands)
    return prepare(grid, spec_for(grid, palette), theme)


def cells_axes(p):
    """The drawn heatmap's cell axes, after a real draw (a mesh takes its colours then): its mesh is `collections[0]`."""
    fig = draw(p)
    fig.canvas.draw()
    return fig.axes[0]


def cell_texts(ax):
    """The texts drawn in the cells (group headings sit in the label column, on another transform)."""
    return [t for t in ax.texts if t.get_transform() is ax.transData]


def test_cell_colours_equal_the_colormap_at_the_value():
    import matplotlib

    p = plotter(make_grid([("A", VALUES)]))
    cmap = matplotlib.colormaps["RdYlGn"]
    for j, v in enumerate(VALUES):
        assert to_hex(p.cell_colors[0, j]) == to_hex(cmap(v))
    # ...and the drawn mesh carries exactly those colours.
    drawn = cells_axes(p).collections[0].get_facecolors().reshape(1, len(VALUES), 4)
    assert np.allclose(drawn[0], p.cell_colors[0])


def test_cividis_palette_is_honoured():
    import matplotlib

    p = plotter(make_grid([("A", VALUES)]), palette="cividis")
    assert [to_hex(c) for c in p.cell_colors[0]] == [to_hex(matplotlib.colormaps["cividis"](v)) for v in VALUES]


def test_bands_palette_is_discrete_at_the_thresholds():
    p = plotter(make_grid([("A", [0.0, 0.299, 0.3, 0.699, 0.7, 1.0])]), palette="bands")
    expected = ["critical", "critical", "warning", "warning", "good", "good"]
    assert [to_hex(c) for c in p.cell_colors[0]] == [Band(b).color.lower() for b in expected]
    assert [name for *_, name in p.cbar_bands] == ["critical", "warning", "good"]


def test_custom_bands_move_the_thresholds():
    p = plotter(make_grid([("A", [0.45, 0.55, 0.95])]), palette="bands", bands=Bands(0.5, 0.9))
    assert [to_hex(c) for c in p.cell_colors[0]] == [b.color.lower() for b in (Band.CRITICAL, Band.WARNING, Band.GOOD)]


@pytest.mark.parametrize("palette", ["RdYlGn", "cividis", "bands", "viridis"])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_text_colour_is_black_or_white_with_contrast_at_least_4_5(palette, theme):
    values = list(np.linspace(0, 1, 41))
    p = plotter(make_grid([("A", values), ("B", [NAN] * 41)]), palette=palette, theme=theme)
    for r in range(2):
        for j in range(41):
            color = p.text_colors[r, j]
            assert color in ("#000000", "#ffffff")
            background = p.cell_colors[r, j] if not p.nodata[r, j] else to_rgba(p.theme.nodata_fill)
            assert contrast_ratio(color, background) >= 4.5


def test_drawn_texts_match_prepared_texts_and_colours():
    grid = make_grid([("A", [0.934, NAN, 0.1]), ("Dur", [1.0, 0.5, NAN], dict(score=Score(3, 10), unit="min", raw=[3.0, 6.5, NAN]))])
    p = plotter(grid)
    assert p.cell_texts.tolist() == [["0.93", "no data", "0.10"], ["3 min", "6.5 min", "no data"]]
    drawn = {(t.get_position()[1] - 0.5, t.get_position()[0] - 0.5): (t.get_text(), to_hex(t.get_color())) for t in cell_texts(cells_axes(p))}
    for (r, j), (text, color) in drawn.items():
        assert text == p.cell_texts[int(r), int(j)]
        assert color == p.text_colors[int(r), int(j)]
    assert len(drawn) == 6


def test_no_data_cells_are_hatched_grey_and_never_coloured():
    p = plotter(make_grid([("A", [NAN, 0.0, NAN])]))
    assert p.nodata.tolist() == [[True, False, True]]
    assert (p.cell_colors[0, 0] == 0).all() and (p.cell_colors[0, 2] == 0).all()
    ax = cells_axes(p)
    hatched = [patch for patch in ax.patches if patch.get_hatch()]
    assert len(hatched) == 2
    assert {round(patch.get_x()) for patch in hatched} == {0, 2}
    assert all(to_hex(patch.get_facecolor()) == p.theme.nodata_fill for patch in hatched)
    # 0.0 is a value (red), not no data
    assert to_hex(p.cell_colors[0, 1]) == to_hex(p.cmap(0.0))
    # ...and so is what the mesh draws: only the 0.0 cell is painted, the no-data cells stay transparent under the hatch.
    mesh = ax.collections[0]
    assert np.ma.getmaskarray(mesh.get_array()).ravel().tolist() == [True, False, True]
    painted = mesh.get_facecolors()
    assert to_hex(painted[1]) == to_hex(p.cmap(0.0)) and painted[0][3] == 0 and painted[2][3] == 0


def test_out_of_range_values_are_clamped_for_colour_but_labelled_truly():
    p = plotter(make_grid([("A", [1.7, -0.4, math.inf])]))
    assert to_hex(p.cell_colors[0, 0]) == to_hex(p.cmap(1.0))
    assert to_hex(p.cell_colors[0, 1]) == to_hex(p.cmap(0.0))
    assert p.cell_texts[0].tolist() == ["1.70", "-0.40", "∞"]
    assert len(p.out_of_range) == 3


def test_groups_get_heading_rows_and_rows_keep_their_order():
    grid = make_grid([("a", [1]), ("b", [1], dict(group="Training")), ("c", [1], dict(group="Training")), ("d", [1], dict(group="CI/CD"))])
    p = plotter(grid)
    assert [(k, t) for k, _, t in p.display] == [("row", "a"), ("group", "Training"), ("row", "b"), ("row", "c"), ("group", "CI/CD"), ("row", "d")]
    assert p.ylabels == ["a", "", "b", "c", "", "d"]
    assert p.headings == [(1, "Training"), (4, "CI/CD")]
    assert not p.nodata[1].any() and np.isnan(p.values[1]).all(), "a heading row is neither data nor no-data"
    assert {t.get_text() for t in cells_axes(p).texts} >= {"Training", "CI/CD"}


def test_labels_are_horizontal_and_columns_name_weekday_and_date_with_today_partial():
    p = plotter(make_grid([("Tests Passing", [0.5] * 7)]))
    assert p.xlabels[0] == "Sun\nNov 22" and p.xlabels[-1] == "Today\nNov 28 (partial)"
    ax = cells_axes(p)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Tests Passing"]
    assert all(t.get_rotation() == 0 for t in ax.get_yticklabels() + ax.get_xticklabels())
    assert ax.get_xticklabels()[-1].get_fontweight() == "bold"


def test_title_and_subtitle_name_window_timezone_and_time():
    grid = make_grid([("A", [0.5] * 7)], tz="America/New_York")
    p = plotter(grid)
    assert p.title == "Test grid"
    assert "Sun Nov 22 – Sat Nov 28, 2026 (America/New_York days)" in p.subtitle
    assert "as of 2026-11-28 07:00 EST" in p.subtitle
    fig_texts = [t.get_text() for t in draw(p).texts]
    assert fig_texts == [p.title, p.subtitle]


def test_many_days_rotate_labels_and_tiny_cells_drop_text():
    big = make_grid([(f"row {i}", list(np.linspace(0, 1, 90))) for i in range(100)])
    p = plotter(big)
    assert p.rotated and not p.show_cell_text
    assert cell_texts(cells_axes(p)) == []
    small = plotter(make_grid([("A", [0.5] * 7)]))
    assert small.show_cell_text and small.cell_font >= 9


def test_figure_size_is_fixed_by_the_grid_shape():
    a = plotter(make_grid([("A", [0.1] * 7)]))
    b = plotter(make_grid([("A", [0.9] * 7)]))
    assert a.figure_size == b.figure_size and a.dpi == b.dpi == 150
    fig = draw(a)
    assert tuple(fig.get_size_inches()) == a.figure_size and fig.dpi == 150


def test_dollar_signs_are_literal_not_mathtext():
    p = plotter(make_grid([("Cost $ per $run", [0.5], dict(score=Score(0, 10), unit="$", raw=[5]))], title="$$ spend $x$"))
    assert p.cell_texts[0, 0] == "5 $"
    ax = cells_axes(p)
    ax.figure.canvas.draw()  # mathtext would raise or swallow the dollars here
    assert ax.get_yticklabels()[0].get_text() == r"Cost \$ per \$run"


def test_rendering_leaves_global_rcparams_alone():
    import matplotlib

    before = dict(matplotlib.rcParams)
    draw(plotter(make_grid([("A", [0.5])]), theme="dark"))
    assert dict(matplotlib.rcParams) == before
