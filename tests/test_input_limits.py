"""Limits on what comes in: a config or `--data` file that is too large, too deep, too long, holds
too many grids, rows or days, an alias bomb, numbers and dates YAML cannot build, instants outside
the supported years, a FIFO, or a numeric flag out of range ends as one line with the documented exit
code, quickly; the largest input within the limits is accepted."""

import json
import os
import time
from pathlib import Path

import pytest

from helpers import ROW, config_with, data_grid, default_bands, make_grid, one_line_error, render_demo, write_config, write_data

# --- alias bombs ---------------------------------------------------------------------------------

def alias_bomb(levels: int) -> str:
    """A flow list whose items are anchors, each a list of ten aliases of the one before:
    10**levels leaves in a few hundred bytes, usable as any key's value."""
    items = ["&a0 [lol]"] + [f"&a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels + 1)]
    return "[" + ", ".join(items) + "]"


@pytest.mark.parametrize("where", ["aggregation", "type", "palette", "publish.to"])
def test_an_alias_bomb_is_refused_in_well_under_a_second(in_tmp, cli, where):
    bomb = alias_bomb(9)
    if where == "aggregation":
        text = config_with(rows=f"{{label: a, query: 'avg:m{{*}}', aggregation: {bomb}}}")
    elif where == "publish.to":
        text = config_with() + f"publish: {{to: {bomb}}}\n"
    else:
        text = config_with(f"    {where}: {bomb}\n")
    assert len(text.encode()) < 700  # a few hundred bytes that would expand to 10**9 nodes
    start = time.thread_time()  # the work done, whatever else the machine is running
    result = render_demo(cli, write_config(in_tmp, text))
    assert time.thread_time() - start < 0.5
    line = one_line_error(result, 2, "YAML nodes")
    assert len(line) < 300


def test_a_choice_error_quotes_at_most_a_short_repr(in_tmp, cli):
    # 10**4 leaves: under the node limit, so the choice check itself must not print them all.
    text = config_with(rows=f"{{label: a, query: 'avg:m{{*}}', aggregation: {alias_bomb(4)}}}")
    line = one_line_error(render_demo(cli, write_config(in_tmp, text)), 2, "grids[0].rows[0].aggregation: must be one of")
    assert len(line) < 300
    long_word = "x" * 100_000
    for extra, key in ((f"    type: {long_word}\n", "grids[0].type"), (f"    palette: {long_word}\n", "grids[0].palette"),
                       (f"    timezone: {long_word}\n", "grids[0].timezone")):
        line = one_line_error(render_demo(cli, write_config(in_tmp, config_with(extra))), 2, key)
        assert len(line) < 300


def test_an_alias_that_contains_itself_is_refused(in_tmp, cli):
    text = "x: &a [*a]\n" + config_with()
    one_line_error(render_demo(cli, write_config(in_tmp, text)), 2, "contains it")


def test_aliases_within_the_limits_still_work(in_tmp, cli):
    text = config_with(rows="{label: a, query: 'avg:m{*}', score: &s {good: 1, bad: 0}}, {label: b, query: 'avg:n{*}', score: *s}")
    assert render_demo(cli, write_config(in_tmp, text), "--format", "html").code == 0


# --- sizes and counts ----------------------------------------------------------------------------

def test_config_from_dev_zero_stops_at_the_cap(in_tmp, cli):
    start = time.thread_time()
    one_line_error(render_demo(cli, "/dev/zero"), 2, "--config", "1 MiB")
    assert time.thread_time() - start < 1


def test_a_config_over_one_mib_is_refused(in_tmp, cli):
    text = config_with() + "#" + "x" * (1 << 20) + "\n"
    one_line_error(render_demo(cli, write_config(in_tmp, text)), 2, "--config", "larger than the 1 MiB limit")


def test_a_data_file_over_its_limit_is_refused(in_tmp, cli):
    from healthgrid.config import MAX_DATA_BYTES

    path = write_data(in_tmp, json.dumps(data_grid()).encode() + b" " * MAX_DATA_BYTES)
    one_line_error(cli("render", "--data", path, "--out", "out"), 2, "--data", "larger than the 16 MiB limit")


def test_an_overlong_config_string_is_refused(in_tmp, cli):
    line = one_line_error(render_demo(cli, write_config(in_tmp, config_with(f"    title: {'T' * 2001}\n"))), 2, "grids[0].title")
    assert "limit is 2,000" in line and len(line) < 200


def test_a_one_mb_data_file_with_12000_rows_is_refused_quickly(in_tmp, cli):
    grid = data_grid(rows=12_000, days=["2026-11-28"])
    for row in grid["rows"]:
        row["query"] = "avg:ci.pipeline.duration{env:prod}"
    path = write_data(in_tmp, grid)
    assert 0.5e6 < os.path.getsize(path) <= 1 << 20
    start = time.thread_time()
    one_line_error(cli("render", "--data", path, "--out", "out"), 2, "rows", "limit is 200")
    assert time.thread_time() - start < 1


@pytest.mark.parametrize("what", ["config rows", "data rows", "config grids", "data grids", "data days"])
def test_counts_over_the_limits_are_refused(in_tmp, cli, what):
    if what == "config rows":
        result = render_demo(cli, write_config(in_tmp, config_with(rows=", ".join([ROW] * 201))))
        needle = "grids[0].rows: has 201 rows; the limit is 200"
    elif what == "config grids":
        grids = "".join(f"  - name: g{i}\n    rows: [{ROW}]\n" for i in range(101))
        result = render_demo(cli, write_config(in_tmp, "grids:\n" + grids))
        needle = "grids: has 101 grids; the limit is 100"
    elif what == "data rows":
        result = cli("render", "--data", write_data(in_tmp, data_grid(rows=201)), "--out", "out")
        needle = "rows: has 201 rows; the limit is 200"
    elif what == "data grids":
        doc = [data_grid(name=f"g{i}") for i in range(101)]
        result = cli("render", "--data", write_data(in_tmp, doc), "--out", "out")
        needle = "holds 101 grids; the limit is 100"
    else:
        from datetime import date, timedelta

        days = [(date(2026, 8, 1) + timedelta(i)).isoformat() for i in range(91)]
        result = cli("render", "--data", write_data(in_tmp, data_grid(days=days)), "--out", "out")
        needle = "days: has 91 days; the limit is 90"
    one_line_error(result, 2, needle)
    assert not Path("out").exists()


def test_the_largest_grid_in_limits_is_accepted_from_yaml_and_from_its_json(in_tmp):
    """200 rows × 90 days, every string as long as allowed and of 4-byte characters (the most
    UTF-8 and JSON spend on one), the longest numbers: its NAME.json reads back with --data."""
    from healthgrid.config import MAX_DATA_BYTES, MAX_TEXT, load_config
    from healthgrid.config.model import MAX_UNIT
    from healthgrid.files.data import grid_json
    from healthgrid.sources.datafile import load_data
    from healthgrid.sources.demo import demo_grid

    from conftest import NOW_DT

    def text(n, tail=""):
        return json.dumps("\U00020000" * (n - len(tail)) + tail, ensure_ascii=False)

    seen = set()

    def anchored(kind, k, value):
        key = f"{kind}{k}"
        if key in seen:
            return f"*{key}"
        seen.add(key)
        return f"&{key} {value}"

    # Every (group, label) pair differs, but each long string is written once and then aliased,
    # so the file stays under the 1 MiB config limit.
    rows = ", ".join(
        f"{{label: {anchored('l', i % 15, text(MAX_TEXT, f'{i % 15:03}'))}, group: {anchored('g', i // 15, text(MAX_TEXT, f'{i // 15:03}'))}, "
        f"query: {anchored('q', 0, json.dumps('avg:a.b{t:' + chr(0x20000) * (MAX_TEXT - 11) + '}', ensure_ascii=False))}, "
        f"unit: {anchored('u', 0, text(MAX_UNIT))}, description: {anchored('d', 0, text(MAX_TEXT))}, score: {{good: 3, bad: 10}}}}"
        for i in range(200))
    spec = load_config(write_config(in_tmp, config_with(f"    days: 90\n    title: {text(MAX_TEXT)}\n", rows=rows))).grids[0]
    assert len(spec.rows) == 200 and spec.days == 90
    grid = demo_grid(spec, NOW_DT)
    for row in grid.rows:  # the longest numbers JSON can hold
        row.values = [-1.2345678901234567e-100] * 90
        row.raw = list(row.values)
    (in_tmp / "g.json").write_text(grid_json(grid), encoding="utf-8")
    assert (in_tmp / "g.json").stat().st_size > 6_000_000, "every string made it in, at 4 bytes a character"
    assert (in_tmp / "g.json").stat().st_size < MAX_DATA_BYTES
    assert len(load_data(str(in_tmp / "g.json"), default_bands)[0].rows) == 200
    from healthgrid.files.index import build_index

    files = {"g.png": b"", "g.json": (in_tmp / "g.json").read_bytes()}
    page = build_index(list(files), files.get, NOW_DT).decode()
    assert "200 metrics over 90 days" in page and "? 1 unknown" not in page, "the status page reads it too"


# --- nesting, numbers, instants, FIFOs ------------------------------------------------------------

def test_deeply_nested_input_is_a_clean_error(in_tmp, cli):
    path = write_data(in_tmp, b"[" * 100_000 + b"]" * 100_000)
    one_line_error(cli("render", "--data", path, "--out", "out"), 2, "--data", "nested too deeply")
    text = "[" * 100_000 + "]" * 100_000
    one_line_error(render_demo(cli, write_config(in_tmp, text)), 2, "hg.yml")


@pytest.mark.parametrize("now", ["0001-01-01T00:00:00Z", "9999-12-31T23:00:00-05:00", "1969-12-31T23:00:00Z"])
def test_now_outside_the_supported_years_is_exit_2(in_tmp, cli, now):
    one_line_error(cli("render", "--demo", "--now", now, "--out", "out"), 2, "--now", "outside 1970..9000")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_data_days_outside_the_supported_years_are_exit_2(in_tmp, cli, day):
    grid = data_grid(days=[day], timezone="America/New_York")
    one_line_error(cli("render", "--data", write_data(in_tmp, grid), "--out", "out"), 2, "days[0]", "outside 1970..9000")


def test_an_integer_beyond_any_float_in_a_data_file_is_a_data_error(in_tmp, cli):
    doc = make_grid([("A", [0.5, 0.9])]).to_dict()
    doc["rows"][0].update(values=[10**400, 0.5], raw=[10**400, 0.5])
    (in_tmp / "g.json").write_text(json.dumps(doc))
    result = cli("render", "--data", "g.json", "--out", "out")
    assert result.code == 2, result.err
    assert result.err.startswith("healthgrid: error: --data g.json: rows[0].values[0]: must be a number") and "internal" not in result.err


@pytest.mark.parametrize("yaml_text, expected", [
    ("days: " + "9" * 5000, "healthgrid.yml:1:7: a whole number is at most 100 characters; this one has 5,000"),
    ("days: 1" + ":59" * 3000, "healthgrid.yml:1:7: a whole number is at most 100 characters; this one has 9,001"),
    ("timezone: 2001-13-45", "healthgrid.yml:1:11: '2001-13-45' is not a date (month must be in 1..12)"),
    ("timezone: 0x_", "healthgrid.yml:1:11: '0x_' is not a whole number (invalid literal for int() with base 16: '')"),
])
def test_numbers_and_dates_yaml_cannot_build_are_config_errors(in_tmp, cli, yaml_text, expected):
    (in_tmp / "healthgrid.yml").write_text(yaml_text + "\ngrids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\n")
    result = cli("render", "--demo", "--out", "out")
    assert result.code == 2
    assert result.err.strip() == f"healthgrid: error: {expected}"


@pytest.mark.parametrize("flag", ["--config", "--data"])
def test_a_fifo_nobody_writes_to_is_an_empty_file_not_a_hang(in_tmp, cli, flag):
    import threading

    fifo = in_tmp / "cfg"
    os.mkfifo(fifo)
    results = []
    worker = threading.Thread(target=lambda: results.append(cli("render", flag, str(fifo), "--out", "out")), daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():  # release the blocked open, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(10)
        pytest.fail(f"{flag} on a FIFO blocked")
    assert results[0].code == 2, results[0].err


# --- numeric flags ---------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [["monitor", "--period", "999999999999"], ["monitor", "--period", "0"],
                                  ["comment", "--repo", "o/r", "--pr", "-1", "x.md"]])
def test_numeric_flags_are_bounded(in_tmp, cli, argv):
    one_line_error(cli(*argv), 2, argv[-2] if argv[0] != "comment" else "--pr", "must be between")
