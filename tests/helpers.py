"""Small grids built by hand, for tests that need exact values; config and data files written for a
test, and the checks many tests make of what a command said."""

import json
import math
from datetime import date, timedelta
from pathlib import Path

from healthgrid.config import ConfigError, ConfigErrors, GridSpec, RowSpec, parse_config
from healthgrid.model.band import Bands, Score
from healthgrid.model.grid import Grid, Row

from conftest import NOW, NOW_DT

NAN = math.nan
ROW = "{label: a, query: 'avg:m{*}'}"


def make_grid(rows, days=None, name="t", title="Test grid", tz="UTC", bands=None):
    """rows: (label, values) or (label, values, dict(group=, unit=, score=, raw=)); judged by `bands`
    (default: the default bands)."""
    n = len(rows[0][1])
    days = days or [date(2026, 11, 28) - timedelta(days=n - 1 - i) for i in range(n)]
    out = []
    for item in rows:
        label, values = item[0], [float(v) for v in item[1]]
        extra = item[2] if len(item) > 2 else {}
        raw = [float(v) for v in extra.get("raw", values)]
        out.append(Row(label=label, query=f"avg:{label.lower().replace(' ', '_')}{{*}}", values=values, raw=raw,
                       group=extra.get("group"), unit=extra.get("unit"), score=extra.get("score")))
    return Grid(name=name, title=title, timezone=tz, days=days, now=NOW_DT, rows=out, bands=bands or Bands())


def default_bands(name, title):
    """What a data file's grid is judged by where the config says nothing of it: the default bands."""
    return Bands()


def spec_for(grid, palette="RdYlGn"):
    """The spec a grid was drawn with: its palette; its bands are the grid's own."""
    return GridSpec(name=grid.name, title=grid.title, rows=tuple(RowSpec(r.label, r.query) for r in grid.rows), palette=palette,
                    bands=grid.bands, days=len(grid.days))


__all__ = ["NAN", "Score", "default_bands", "make_grid", "spec_for"]


# --- config and data files, and what a command said about them ------------------------------------

def one_line_error(result, code: int, *needles: str) -> str:
    """The command exited `code` with one error line (no traceback, no internal error) holding each needle."""
    assert result.code == code, result.err
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("healthgrid: error: "), result.err
    assert "internal error" not in lines[0] and "Traceback" not in result.err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def write_config(tmp: Path, text: str) -> str:
    path = tmp / "hg.yml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def config_with(grid_extra: str = "", top: str = "", rows: str = ROW) -> str:
    return f"{top}grids:\n  - name: g\n    rows: [{rows}]\n{grid_extra}"


def render_demo(cli, config: str, *extra: str):
    return cli("render", "--demo", "--config", config, "--now", NOW, "--out", "out", *extra)


def data_grid(rows: int = 2, days: list[str] | None = None, **over) -> dict:
    days = days or ["2026-11-27", "2026-11-28"]
    grid = {"name": "g", "title": "G", "days": days,
            "rows": [{"label": f"r{i}", "values": [0.5] * len(days)} for i in range(rows)]}
    grid.update(over)
    return grid


def write_data(tmp: Path, doc, prefix: bytes = b"") -> str:
    path = tmp / "data.json"
    path.write_bytes(prefix + (doc if isinstance(doc, bytes) else json.dumps(doc).encode()))
    return str(path)


def errors_of(row=None, **grid) -> list[str]:
    """Every line the config check says of one grid (its fields `grid`) with one row (`row`'s fields added)."""
    doc = {"grids": [{"name": "g", **grid, "rows": [{"label": "A", "query": "avg:a{*}", **(row or {})}]}]}
    try:
        parse_config(doc, None)
    except ConfigErrors as exc:
        return exc.lines()
    except ConfigError as exc:
        return [str(exc)]
    return []
