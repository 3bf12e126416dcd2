"""Two grids whose files would overwrite each other (`a` and `a_dark`, a grid named `index`) are a
config error naming both, in a config and in a `--data` file alike, before anything is written."""

import json

import pytest

from healthgrid.config import GRID_TYPES, GridSpec, RowSpec
from healthgrid.site.names import FORMATS, THEMES, collisions, grid_files

from helpers import make_grid

ROW = "rows: [{label: A, query: 'avg:a{*}'}]"


def config(*names):
    return "grids:\n" + "".join(f"  - {{name: {n}, {ROW}}}\n" for n in names)


@pytest.mark.parametrize("names,expected", [
    (("a", "a_dark"), ["grids[1].name: grids 'a_dark' and 'a' (grids[0]) both write a_dark.png (a_dark's light PNG image, a's dark PNG image)"]),
    (("cpu_dark", "ok", "cpu"),
     ["grids[2].name: grids 'cpu' and 'cpu_dark' (grids[0]) both write cpu_dark.png (cpu's dark PNG image, cpu_dark's light PNG image)"]),
    (("index",), ["grids[0].name: grid 'index' would write index.html (its light HTML page), the file name of the status page"]),
    (("x", "x_dark", "x_dark_dark"), ["grids[1].name: grids 'x_dark' and 'x' (grids[0]) both write x_dark.png",
                                      "grids[2].name: grids 'x_dark_dark' and 'x_dark' (grids[1]) both write x_dark_dark.png"]),
])
def test_grids_whose_files_collide_are_one_error_each_naming_both(in_tmp, cli, names, expected):
    (in_tmp / "healthgrid.yml").write_text(config(*names))
    result = cli("render", "--demo", "--out", "out", "--now", "2026-11-28T12:00:00Z", "--theme", "light")
    assert result.code == 2 and not (in_tmp / "out").exists()
    lines = result.err.splitlines()
    assert len(lines) == len(expected)
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith("healthgrid: error: " + start), line
        two_grids = start.split(": ", 1)[1].startswith("grids ")
        assert line.endswith("): one would overwrite the other; rename one" if two_grids else ", the file name of the status page: rename the grid"), line


@pytest.mark.parametrize("names", [("a", "a_darker", "dark", "a-dark", "index_dark", "indexes", "badge", "a_json")])
def test_names_that_only_look_alike_are_fine(in_tmp, cli, names):
    (in_tmp / "healthgrid.yml").write_text(config(*names))
    result = cli("render", "--demo", "--out", "out", "--now", "2026-11-28T12:00:00Z", "--theme", "light", "--format", "html")
    assert result.code == 0, result.err


def _data(name):
    grid = make_grid([("A", [0.5, 0.9])], name=name)
    return {"name": grid.name, "title": grid.title, "timezone": "UTC", "now": "2026-11-28T12:00:00+00:00",
            "days": [d.isoformat() for d in grid.days], "rows": [{"label": "A", "query": "avg:a{*}", "values": [0.5, 0.9]}]}


def test_data_files_are_checked_too(in_tmp, cli):
    (in_tmp / "two.json").write_text(json.dumps([_data("report"), _data("report_dark")]))
    result = cli("render", "--data", "two.json", "--out", "out")
    assert result.code == 2 and not (in_tmp / "out").exists()
    assert result.err.startswith("healthgrid: error: --data two.json: [1].name: grids 'report_dark' and 'report' ([0]) both write report_dark.png")
    (in_tmp / "one.json").write_text(json.dumps(_data("index")))
    result = cli("render", "--data", "one.json", "--out", "out")
    assert result.code == 2 and result.err.startswith("healthgrid: error: --data one.json: name: grid 'index' would write index.html")


def test_names_are_compared_without_case():
    """Grid names are lower case, but a case-insensitive file system or URL would still join them."""
    assert [(i, j, f) for i, j, f, *_ in collisions(["Report", "report_DARK", "INDEX"])] == [(1, 0, "report_DARK.png"), (2, None, "INDEX.html")]


@pytest.mark.parametrize("grid_type", GRID_TYPES)
def test_the_names_checked_are_the_files_a_grid_writes(grid_type):
    """The check works from the names the renderer uses, for every format and theme."""
    from healthgrid.files.outputs import describe
    from healthgrid.files.outputs import grid_files as written

    grid = make_grid([("A", [0.5, 0.9])], name="g")
    spec = GridSpec(name="g", title="g", rows=(RowSpec("A", "avg:a{*}"),), type=grid_type, days=2)
    assert set(written(grid, spec, describe(grid, spec), FORMATS, THEMES)) == set(grid_files("g"))
    assert set(written(grid, spec, describe(grid, spec), ("svg",), ("dark",))) == set(grid_files("g", ("svg",), ("dark",)))


def test_a_grid_named_like_a_dark_image_is_one_entry_on_the_status_page(in_tmp, cli):
    """cpu_dark's dark image is cpu_dark_dark.png; its light one, cpu_dark.png, is no grid 'cpu'."""
    (in_tmp / "healthgrid.yml").write_text(config("cpu_dark"))
    result = cli("render", "--demo", "--out", "out", "--now", "2026-11-28T12:00:00Z", "--format", "png,html")
    assert result.code == 0, result.err
    page = (in_tmp / "out" / "index.html").read_text()
    assert page.count("<h2>") == 1 and "<h2>Cpu Dark</h2>" in page
    assert 'srcset="cpu_dark_dark.png"' in page and 'src="cpu_dark.png"' in page
