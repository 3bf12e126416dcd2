"""Whatever values and labels arrive, the renderer draws something sane and never crashes."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from healthgrid.files.markdown import markdown
from healthgrid.render import figure_bytes
from healthgrid.render.heatmap import draw, prepare
from healthgrid.render.png import rendered_pixels

from helpers import make_grid, spec_for

values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e300, max_value=1e300),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, 1.0, -0.0, 1e308, -1e308, 0.3, 0.7]),
)
labels = st.text(min_size=1, max_size=200).filter(lambda s: s.strip())


@st.composite
def grids(draw):
    n_days = draw(st.integers(1, 9))
    n_rows = draw(st.integers(1, 5))
    rows = []
    for _ in range(n_rows):
        group = draw(st.one_of(st.none(), labels))
        unit = draw(st.one_of(st.none(), st.text(max_size=5)))
        rows.append((draw(labels), draw(st.lists(values, min_size=n_days, max_size=n_days)), {"group": group, "unit": unit}))
    return make_grid(rows, title=draw(labels))


# Each example draws a whole figure, so the edges are given explicitly and the search is kept short.
EDGES = make_grid([("Edges " * 40, [math.nan, math.inf, -math.inf, -0.0, 1e308, -1e308, 0.3], {"group": "G" * 200, "unit": "ms"}),
                   ("No data", [math.nan] * 7, {"group": None, "unit": None}),
                   ("\u202e\u0000 ", [1.0, 0.0, 0.7, math.nan, 2.5, -3.0, 0.69999], {"group": "G" * 200, "unit": "\U0001f525"})], title="T" * 200)
TINY = make_grid([("x", [math.nan])], title="x")


def check(grid, pixels_of):
    p = prepare(grid, spec_for(grid))
    fig = draw(p)
    pixels_of(fig)
    assert np.isfinite(p.cell_colors).all()
    for r, (kind, index, _) in enumerate(p.display):
        for j in range(len(grid.days)):
            if kind == "row" and math.isnan(grid.rows[index].values[j]):
                assert p.nodata[r, j] and (p.cell_colors[r, j] == 0).all()
            elif kind == "row":
                assert p.cell_colors[r, j, 3] == 1.0 and 0.0 <= p.values[r, j] <= 1.0
    drawn = fig.axes[0].collections[0].get_facecolors()
    assert np.isfinite(drawn).all()
    markdown(grid)


def png(fig):
    assert figure_bytes(fig, "png").startswith(b"\x89PNG")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids())
@example(EDGES)
@example(TINY)
def test_any_grid_is_drawn_whole_and_never_colours_nan(grid):
    """Drawn to the pixels a PNG is made of; the slow test below also encodes them, over a longer search."""
    check(grid, rendered_pixels)


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids())
@example(EDGES)
@example(TINY)
def test_renderer_never_crashes_and_never_colours_nan(grid):
    check(grid, png)
