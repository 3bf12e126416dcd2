"""Golden images (pytest-mpl, --mpl always on) and byte-for-byte determinism.

Each test returns a figure holding exactly the pixels of the PNG healthgrid writes, so the
baselines guard the published files themselves, not a re-render under pytest-mpl's own style.
"""

import io
from datetime import timedelta

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from healthgrid.config import GridSpec, RowSpec, load_config
from healthgrid.render import figure_bytes, render
from healthgrid.render.heatmap import heatmap_figure
from healthgrid.render.png import png_bytes, rendered_pixels
from healthgrid.sources.demo import demo_grid

from conftest import EXAMPLE_CONFIG, NOW_DT
from helpers import NAN, Score, make_grid, spec_for

# Rendering is pinned (matplotlib, FreeType in its wheel, DejaVu Sans); the tolerance is pytest-mpl's
# default RMS of 2, which the 256-colour PNG stays under, while one recoloured cell or missing
# labels score 8 to 20.
TOLERANCE = 2
IMAGE = dict(tolerance=TOLERANCE, savefig_kwargs={"dpi": 100}, style="default")


def as_figure(png: bytes) -> Figure:
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    height, width = pixels.shape[:2]
    fig = Figure(figsize=(width / 100, height / 100), dpi=100)
    fig.figimage(pixels, 0, 0, origin="upper", resize=False)
    return fig


def default_demo():
    spec = load_config(None).grids[0]
    return demo_grid(spec, NOW_DT), spec


def mixed_grid():
    """Groups, no-data cells, scored rows with units, out-of-range and a 'today' with gaps."""
    score_min = dict(group="CI/CD", unit="min", score=Score(3, 10))
    grid = make_grid([
        ("Run Success", [0.98, 0.91, NAN, 0.97, 0.42, 0.88, 0.95], dict(group="Training")),
        ("Checkpoint at 10k", [0.2, 0.25, 0.31, 0.75, 1.0, NAN, NAN], dict(group="Training")),
        ("Tests Passing", [1, 1, 0, 1, 1, 1, 1], dict(group="CI/CD")),
        ("CI P90 Duration", [1.0, 0.9, 0.5, 0.2, 0.0, 0.6, NAN], dict(score_min, raw=[2.5, 3.7, 6.5, 8.6, 14.0, 5.8, NAN])),
        ("PR Cycle Time", [0.6, 0.7, 0.1, 0.9, 0.75, 0.5, 0.55],
         dict(group="CI/CD", unit="h", score=Score(24, 72), raw=[43.2, 38.4, 67.2, 28.8, 36, 48, 45.6])),
        ("Remote Eval - Hearts Accuracy", [0.71, 0.69, 0.3, 0.29, 0.7, 0.68, 0.72], dict(group="Eval")),
    ], title="Groups, gaps and raw units")
    return grid, spec_for(grid)


def rows_35():
    rows = tuple(RowSpec(f"Metric {i:02d} - {'x' * (i % 9)}", f"avg:m{i}{{*}}", group=f"Section {i // 12 + 1}") for i in range(35))
    spec = GridSpec(name="big", title="35 rows, 14 days, cividis", rows=rows, days=14, palette="cividis")
    return demo_grid(spec, NOW_DT), spec


@pytest.mark.mpl_image_compare(**IMAGE)
def test_demo_light():
    grid, spec = default_demo()
    return as_figure(render(grid, spec, "light", "png"))


@pytest.mark.mpl_image_compare(**IMAGE)
def test_demo_dark():
    grid, spec = default_demo()
    return as_figure(render(grid, spec, "dark", "png"))


@pytest.mark.mpl_image_compare(**IMAGE)
def test_groups_nodata_raw_units_bands():
    grid, spec = mixed_grid()
    spec = spec_for(grid, palette="bands")
    return as_figure(render(grid, spec, "light", "png"))


@pytest.mark.slow  # the largest picture: 490 cells of text, ~3 s to draw, encode and compare
@pytest.mark.mpl_image_compare(**IMAGE)
def test_35_rows():
    grid, spec = rows_35()
    return as_figure(render(grid, spec, "light", "png"))


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_identical_data_gives_identical_bytes(fmt):
    grid, spec = mixed_grid()
    first = render(grid, spec, "dark", fmt)
    second = render(grid, spec, "dark", fmt)
    assert first == second
    assert b"Matplotlib" not in first and b"matplotlib.org" not in first, "version strings would change bytes on upgrade"
    if fmt == "svg":
        assert b"<dc:date>" not in first


@pytest.mark.parametrize("make", [default_demo, mixed_grid, pytest.param(rows_35, marks=pytest.mark.slow)])
def test_the_paletted_png_stays_within_tolerance_of_the_full_colour_render(make):
    """The pixels drawn once, then written as render() writes them (png_bytes is figure_bytes' encoder)."""
    grid, spec = make()
    pixels = rendered_pixels(heatmap_figure(grid, spec, "dark"))
    png = Image.open(io.BytesIO(png_bytes(pixels)))
    assert png.mode == "P"
    shown = np.asarray(png.convert("RGB")).astype(float)
    full = pixels.astype(float)
    assert shown.shape == full.shape
    rms = float(np.sqrt(((full - shown) ** 2).mean()))
    assert rms < TOLERANCE, rms


def test_an_image_of_256_colours_or_fewer_is_stored_exactly():
    rng = np.random.default_rng(1)
    colours = rng.integers(0, 256, (256, 3), dtype=np.uint8)
    colours[1] = colours[0] + 1  # neighbours a level apart stay apart
    pixels = colours[np.arange(256 * 8).reshape(32, 64) % 256]
    png = Image.open(io.BytesIO(png_bytes(pixels)))
    assert png.mode == "P"
    np.testing.assert_array_equal(np.asarray(png.convert("RGB")), pixels)


def test_different_data_gives_different_bytes():
    grid, spec = mixed_grid()
    before = render(grid, spec, "light", "png")
    grid.rows[0].values[0] = 0.5
    assert render(grid, spec, "light", "png") != before


def test_example_dashboard_renders_both_themes():
    spec = load_config(str(EXAMPLE_CONFIG)).grids[0]
    grid = demo_grid(spec, NOW_DT)
    for theme in ("light", "dark"):
        height, width, _ = rendered_pixels(heatmap_figure(grid, spec, theme)).shape
        assert height > width * 0.8  # 24 rows + 3 headings: tall


def trend_grid():
    rows = (RowSpec("Tests Passing", "avg:a{*}", group="CI"), RowSpec("Duration", "avg:b{*}", group="CI", score=Score(3, 10), unit="min"),
            RowSpec("Accuracy", "avg:c{*}", group="Eval"))
    spec = GridSpec(name="trendy", title="Trend: two panels, gaps, partial today", rows=rows, days=14, type="trend")
    return demo_grid(spec, NOW_DT), spec


@pytest.mark.mpl_image_compare(**IMAGE)
def test_trend_light():
    from healthgrid.render import figure_for

    grid, spec = trend_grid()
    return as_figure(figure_bytes(figure_for(grid, spec, "light"), "png"))


def test_trend_lines_leave_gaps_for_missing_days():
    from healthgrid.render import figure_for

    grid, spec = trend_grid()
    fig = figure_for(grid, spec, "light")
    ci, ev = [ax for ax in fig.axes]
    assert [ax.get_title(loc="left") for ax in (ci, ev)] == ["CI", "Eval"]
    for ax, rows in ((ci, grid.rows[:2]), (ev, grid.rows[2:])):
        solid = [line for line in ax.get_lines() if line.get_linestyle() == "-" and len(line.get_xdata()) > 1]
        for line, row in zip(solid, rows, strict=True):
            y = np.asarray(line.get_ydata(), dtype=float)
            assert np.array_equal(np.isnan(y), np.isnan(row.values[:-1])), "a no-data day must be a gap, not bridged"


@pytest.mark.parametrize("fmt", ["png", "svg"])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_trend_charts_are_deterministic_in_both_themes(fmt, theme):
    from healthgrid.render import figure_for

    grid, spec = trend_grid()
    assert figure_bytes(figure_for(grid, spec, theme), fmt) == figure_bytes(figure_for(grid, spec, theme), fmt)


@pytest.mark.mpl_image_compare(**IMAGE)
def test_trend_dark():
    from healthgrid.render import figure_for

    grid, spec = trend_grid()
    return as_figure(figure_bytes(figure_for(grid, spec, "dark"), "png"))


@pytest.mark.mpl_image_compare(**IMAGE)
def test_heatmap_trend_column_dark():
    grid, spec = mixed_grid()
    spec = GridSpec(**{**spec.__dict__, "trend_column": True})
    return as_figure(render(grid, spec, "dark", "png"))


def comparison_grid():
    """`type: comparison`: a rule row with warn and a scored row, five values of the tag (one long,
    one without data in a row), in the default palette."""
    from healthgrid.model.rules import Rule, parse_condition
    from healthgrid.sources.rows import comparison

    rows = (RowSpec("Eval score", "avg:eval.score{suite:nav}", rule=Rule(parse_condition(">= 0.8"), parse_condition(">= 0.6"))),
            RowSpec("Episode length", "avg:eval.steps{suite:nav}", score=Score(200, 1000), unit="steps"))
    spec = GridSpec(name="evals", title="Eval score by policy, last 7 days", rows=rows, days=7, type="comparison", by="policy", top=4)
    values = [{"ppo": 0.91, "sac": 0.64, "dqn": 0.42, "ppo-with-a-rather-long-name for nightly runs": 0.85, "random": 0.1},
              {"ppo": 310.0, "sac": 720.0, "ppo-with-a-rather-long-name for nightly runs": 450.0, "random": 990.0}]
    days = [NOW_DT.date() - timedelta(days=6 - i) for i in range(7)]
    return comparison("evals", spec.title, "UTC", days, NOW_DT, "policy", rows, values, ["avg", "avg"], spec.bands, spec.top), spec


@pytest.mark.mpl_image_compare(**IMAGE)
def test_comparison_light():
    grid, spec = comparison_grid()
    return as_figure(render(grid, spec, "light", "png"))


@pytest.mark.mpl_image_compare(**IMAGE)
def test_comparison_dark():
    grid, spec = comparison_grid()
    return as_figure(render(grid, spec, "dark", "png"))


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_comparisons_are_deterministic(fmt):
    grid, spec = comparison_grid()
    assert render(grid, spec, "dark", fmt) == render(comparison_grid()[0], spec, "dark", fmt)
