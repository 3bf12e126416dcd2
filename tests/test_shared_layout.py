"""The sizes the heatmaps of one config share are worked out from labels alone, each distinct text
measured once, and come out exactly as each grid's own layout says: a `--grid` job of a large config
pays for its grid, and a matrix of `--grid` runs draws the same bytes as one run of every grid."""

import math
from datetime import date, datetime, timezone

import pytest

from healthgrid.config import parse_config

from conftest import NOW


def _config(grids=30, rows=50):
    return parse_config({"grids": [
        {"name": f"g{k}", "days": 90 if k % 3 else 7, "trend": k % 4 == 0,
         **({"bands": {"critical": 0.25, "warning": 0.75}} if k % 5 == 0 else {}),
         "rows": [{"label": f"Metric {i}" + (" with a longer name" * (k == 7)), "query": f"avg:m{i}{{*}}",
                   **({"group": f"Team {i // 10}"} if k % 2 else {})} for i in range(rows if k % 3 else 12)]}
        for k in range(grids)] + [{"name": "line", "type": "trend", "rows": [{"label": "W" * 300, "query": "avg:w{*}"}]}]}, "x")


def _each_grids_own_layout(specs):
    """What every grid's own full preparation says, merged: the sizes the shared layout must equal."""
    from healthgrid.model.grid import Grid, Row
    from healthgrid.render.heatmap import prepare
    from healthgrid.render.layout import Layout

    layout = Layout()
    for spec in specs:
        if spec.type == "heatmap":
            rows = [Row(r.label, r.query, [math.nan] * spec.days, [math.nan] * spec.days, group=r.group) for r in spec.rows]
            grid = Grid(spec.name, spec.title, "UTC", [date(2000, 1, 1)] * spec.days, datetime(2000, 1, 1, tzinfo=timezone.utc), rows, bands=spec.bands)
            own = prepare(grid, spec).own
            layout = layout.merge(Layout(own.label_w, own.right_w, own.cell_h if own.cell_h >= 0.4 else None))
    return layout


def test_the_shared_layout_prepares_no_grid_and_measures_each_text_once(monkeypatch):
    from healthgrid.render import heatmap, layout, shared_layout

    config = _config()
    measured = []
    real = layout.text_width

    def counting(text, *args):
        measured.append((text, *args))
        return real(text, *args)

    def no_prepare(*args, **kwargs):
        raise AssertionError("the shared layout needs label widths, not a prepared grid")

    monkeypatch.setattr(layout, "text_width", counting)
    monkeypatch.setattr(heatmap._Heatmap, "__init__", no_prepare)
    shared_layout(config.grids)
    assert len(measured) == len(set(measured)), "each distinct text at each size once"
    assert len(measured) < 160, f"{len(measured)} measurements for {sum(len(g.rows) for g in config.grids)} rows"


@pytest.mark.parametrize("pick", [slice(None), slice(0, 1), slice(5, 9), slice(28, None)])
def test_the_shared_layout_is_exactly_what_each_grids_own_layout_says(pick):
    from healthgrid.render import shared_layout

    specs = _config().grids[pick]
    assert shared_layout(specs) == _each_grids_own_layout(specs)


def test_a_grid_rendered_alone_is_byte_identical_to_the_same_grid_of_a_whole_run(in_tmp, cli):
    import yaml

    doc = {"grids": [{"name": "a", "rows": [{"label": "Short", "query": "avg:a{*}"}]},
                     {"name": "b", "trend": True, "rows": [{"label": f"A much longer label {i}", "group": "G", "query": f"avg:b{i}{{*}}"}
                                                           for i in range(14)]},
                     {"name": "c", "type": "trend", "rows": [{"label": "T", "query": "avg:t{*}"}]}]}
    (in_tmp / "healthgrid.yml").write_text(yaml.safe_dump(doc))
    assert cli("render", "--demo", "--now", NOW, "--theme", "light", "--out", "all").code == 0
    assert cli("render", "--demo", "--now", NOW, "--theme", "light", "--out", "alone", "--grid", "a").code == 0
    assert (in_tmp / "alone" / "a.png").read_bytes() == (in_tmp / "all" / "a.png").read_bytes()
