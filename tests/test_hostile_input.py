"""Hostile and broken configs, data files, flags and output folders (issue 12, findings 7, 9, 10,
12, 17): each ends as a one-line error with the documented exit code, quickly, or is accepted."""

import errno
import json
import os
import time
from pathlib import Path

import pytest

from healthgrid.files import outputs

from conftest import NOW
from helpers import default_bands

ROW = "{label: a, query: 'avg:m{*}'}"


def one_line_error(result, code: int, *needles: str) -> str:
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


def render(cli, config: str, *extra: str):
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


# --- 9: alias bombs -----------------------------------------------------------------------------

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
    assert len(text.encode()) < 700  # the 536-byte class of file
    start = time.perf_counter()
    result = render(cli, write_config(in_tmp, text))
    assert time.perf_counter() - start < 0.5
    line = one_line_error(result, 2, "YAML nodes")
    assert len(line) < 300


def test_a_choice_error_quotes_at_most_a_short_repr(in_tmp, cli):
    # 10**4 leaves: under the node limit, so the choice check itself must not print them all.
    text = config_with(rows=f"{{label: a, query: 'avg:m{{*}}', aggregation: {alias_bomb(4)}}}")
    line = one_line_error(render(cli, write_config(in_tmp, text)), 2, "grids[0].rows[0].aggregation: must be one of")
    assert len(line) < 300
    long_word = "x" * 100_000
    for extra, key in ((f"    type: {long_word}\n", "grids[0].type"), (f"    palette: {long_word}\n", "grids[0].palette"),
                       (f"    timezone: {long_word}\n", "grids[0].timezone")):
        line = one_line_error(render(cli, write_config(in_tmp, config_with(extra))), 2, key)
        assert len(line) < 300


def test_an_alias_that_contains_itself_is_refused(in_tmp, cli):
    text = "x: &a [*a]\n" + config_with()
    one_line_error(render(cli, write_config(in_tmp, text)), 2, "contains it")


def test_aliases_within_the_limits_still_work(in_tmp, cli):
    text = config_with(rows="{label: a, query: 'avg:m{*}', score: &s {good: 1, bad: 0}}, {label: b, query: 'avg:n{*}', score: *s}")
    assert render(cli, write_config(in_tmp, text)).code == 0


# --- 10: sizes and counts -----------------------------------------------------------------------

def test_config_from_dev_zero_stops_at_the_cap(in_tmp, cli):
    start = time.perf_counter()
    one_line_error(render(cli, "/dev/zero"), 2, "--config", "1 MiB")
    assert time.perf_counter() - start < 1


def test_a_config_over_one_mib_is_refused(in_tmp, cli):
    text = config_with() + "#" + "x" * (1 << 20) + "\n"
    one_line_error(render(cli, write_config(in_tmp, text)), 2, "--config", "larger than the 1 MiB limit")


def test_a_data_file_over_its_limit_is_refused(in_tmp, cli):
    from healthgrid.config import MAX_DATA_BYTES

    path = write_data(in_tmp, json.dumps(data_grid()).encode() + b" " * MAX_DATA_BYTES)
    one_line_error(cli("render", "--data", path, "--out", "out"), 2, "--data", "larger than the 16 MiB limit")


def test_an_overlong_config_string_is_refused(in_tmp, cli):
    line = one_line_error(render(cli, write_config(in_tmp, config_with(f"    title: {'T' * 2001}\n"))), 2, "grids[0].title")
    assert "limit is 2,000" in line and len(line) < 200


def test_a_one_mb_data_file_with_12000_rows_is_refused_quickly(in_tmp, cli):
    grid = data_grid(rows=12_000, days=["2026-11-28"])
    for row in grid["rows"]:
        row["query"] = "avg:ci.pipeline.duration{env:prod}"
    path = write_data(in_tmp, grid)
    assert 0.5e6 < os.path.getsize(path) <= 1 << 20
    start = time.perf_counter()
    one_line_error(cli("render", "--data", path, "--out", "out"), 2, "rows", "limit is 200")
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize("what", ["config rows", "data rows", "config grids", "data grids", "data days"])
def test_counts_over_the_limits_are_refused(in_tmp, cli, what):
    if what == "config rows":
        result = render(cli, write_config(in_tmp, config_with(rows=", ".join([ROW] * 201))))
        needle = "grids[0].rows: has 201 rows; the limit is 200"
    elif what == "config grids":
        grids = "".join(f"  - name: g{i}\n    rows: [{ROW}]\n" for i in range(101))
        result = render(cli, write_config(in_tmp, "grids:\n" + grids))
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


# --- 12: strings, keys, nesting, instants --------------------------------------------------------

def test_a_name_with_a_trailing_newline_is_refused(in_tmp, cli):
    text = 'grids:\n  - name: "g\\n"\n    rows: [' + ROW + "]\n"
    one_line_error(render(cli, write_config(in_tmp, text)), 2, "grids[0].name")
    path = write_data(in_tmp, data_grid(name="g\n"))
    one_line_error(cli("render", "--data", path, "--out", "out"), 2, "name")
    assert not Path("out").exists() or not any(Path("out").iterdir())


CONTROLS = {"NUL": "\\0", "ESC": "\\e", "TAB": "\\t", "LF": "\\n", "DEL": "\\x7f", "C1 NEL": "\\N",
            "LINE SEPARATOR": "\\L", "PARAGRAPH SEPARATOR": "\\P", "RLO": "\\u202e"}


@pytest.mark.parametrize("char", CONTROLS.values(), ids=CONTROLS.keys())
@pytest.mark.parametrize("key", ["title", "label", "unit", "group", "query"])
def test_control_characters_in_config_strings_are_refused(in_tmp, cli, key, char):
    value = f'"a{char}b"'  # a YAML escape, so the file itself is clean text
    if key == "title":
        text = config_with(f"    title: {value}\n")
        path = "grids[0].title"
    else:
        row = {"label": "a", "query": "'avg:m{*}'", key: value}
        text = config_with(rows="{" + ", ".join(f"{k}: {v}" for k, v in row.items()) + "}")
        path = f"grids[0].rows[0].{key}"
    line = one_line_error(render(cli, write_config(in_tmp, text)), 2, f"{path}: must not contain control characters")
    assert "\x1b" not in line and "\x00" not in line


@pytest.mark.parametrize("key", ["title", "label", "unit", "group", "query"])
def test_control_characters_in_data_file_strings_are_refused(in_tmp, cli, key):
    grid = data_grid()
    if key == "title":
        grid["title"] = "a\x1b[31mb"
    else:
        grid["rows"][0][key] = "a\x1b[31mb"
    result = cli("render", "--data", write_data(in_tmp, grid), "--out", "out")
    one_line_error(result, 2, key, "must not contain control characters")


def test_a_list_as_a_yaml_key_is_a_config_error(in_tmp, cli):
    text = config_with() + "? [a, b]\n: 1\n"
    one_line_error(render(cli, write_config(in_tmp, text)), 2, "hg.yml:4:3", "a key must be a plain word")


def test_unknown_keys_are_quoted_safely(in_tmp, cli):
    text = config_with() + '"x\\e[31m::warning::pwned": 1\n'
    line = one_line_error(render(cli, write_config(in_tmp, text)), 2, "unknown key")
    assert "\x1b" not in line


def test_deeply_nested_input_is_a_clean_error(in_tmp, cli):
    path = write_data(in_tmp, b"[" * 100_000 + b"]" * 100_000)
    one_line_error(cli("render", "--data", path, "--out", "out"), 2, "--data", "nested too deeply")
    text = "[" * 100_000 + "]" * 100_000
    one_line_error(render(cli, write_config(in_tmp, text)), 2, "hg.yml")


@pytest.mark.parametrize("now", ["0001-01-01T00:00:00Z", "9999-12-31T23:00:00-05:00", "1969-12-31T23:00:00Z"])
def test_now_outside_the_supported_years_is_exit_2(in_tmp, cli, now):
    one_line_error(cli("render", "--demo", "--now", now, "--out", "out"), 2, "--now", "outside 1970..9000")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_data_days_outside_the_supported_years_are_exit_2(in_tmp, cli, day):
    grid = data_grid(days=[day], timezone="America/New_York")
    one_line_error(cli("render", "--data", write_data(in_tmp, grid), "--out", "out"), 2, "days[0]", "outside 1970..9000")


def test_publish_s3_without_a_bucket_names_the_key(in_tmp, cli):
    result = cli("run", "--demo", "--publish", "s3", "--now", NOW, "--out", "out")
    one_line_error(result, 2, "publish.bucket")
    assert not Path("out").exists()


def test_comment_with_a_png_where_markdown_is_expected(in_tmp, cli, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "tok-not-used")
    png = in_tmp / "g.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    result = cli("comment", "--repo", "o/r", "--pr", "1", str(png))
    one_line_error(result, 2, "FILE_OR_URL", "g.png", "NAME.md")


@pytest.mark.parametrize("out", ["a-file/sub", "/proc/self/nope/out"])
def test_an_unwritable_out_is_exit_1_in_one_line(in_tmp, cli, out):
    (in_tmp / "a-file").write_text("x")
    one_line_error(cli("render", "--demo", "--now", NOW, "--out", out), 1, "--out")


def test_a_data_file_with_a_bom_is_accepted_like_a_config(in_tmp, cli):
    path = write_data(in_tmp, data_grid(), prefix=b"\xef\xbb\xbf")
    result = cli("render", "--data", path, "--out", "out")
    assert result.code == 0, result.err
    assert (in_tmp / "out" / "g.png").is_file()


def test_control_characters_in_flags_are_refused(in_tmp, cli):
    line = one_line_error(cli("render", "--demo", "--now", NOW, "--out", "out\x1b[31m\n::warning::x"), 2, "--out")
    assert "\x1b" not in line
    assert not any(p.name.startswith("out") for p in in_tmp.iterdir())


# --- 17: bounded flags ---------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [["monitor", "--period", "999999999999"], ["monitor", "--period", "0"],
                                  ["comment", "--repo", "o/r", "--pr", "-1", "x.md"]])
def test_numeric_flags_are_bounded(in_tmp, cli, argv):
    one_line_error(cli(*argv), 2, argv[-2] if argv[0] != "comment" else "--pr", "must be between")


# --- 7: a grid's files are replaced together or not at all ---------------------------------------

def out_files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir())}


@pytest.fixture
def previous_run(in_tmp, cli):
    """A first run's files (one day earlier, so every file of the second run differs)."""
    assert cli("render", "--demo", "--now", "2026-11-27T12:00:00Z", "--out", "out", "--format", "png,svg", "--theme", "light").code == 0
    return out_files(in_tmp / "out")


def fail_nth(n: int, real, err=errno.ENOSPC):
    calls = []

    def fake(*args, **kwargs):
        calls.append(args)
        if len(calls) == n:
            raise OSError(err, os.strerror(err), str(args[0]))
        return real(*args, **kwargs)

    return fake


@pytest.mark.parametrize("n", [2, 4])
def test_a_failed_write_keeps_the_whole_previous_set(in_tmp, cli, previous_run, monkeypatch, n):
    """ENOSPC at the n-th file written: no new PNG beside the old .json/.md, no temporary left."""
    real_fdopen = os.fdopen
    written = []

    def fdopen(fd, *args, **kwargs):
        target = os.readlink(f"/proc/self/fd/{fd}")
        fh = real_fdopen(fd, *args, **kwargs)
        if str(in_tmp / "out") in target:
            written.append(target)
            if len(written) == n:
                def write(_data):
                    raise OSError(errno.ENOSPC, "No space left on device")
                fh.write = write
        return fh

    monkeypatch.setattr(os, "fdopen", fdopen)
    result = cli("render", "--demo", "--now", NOW, "--out", "out", "--format", "png,svg", "--theme", "light")
    assert out_files(in_tmp / "out") == previous_run
    one_line = [line for line in result.err.splitlines() if "error" in line]
    assert result.code == 1 and "No space left on device" in result.err, result.err
    assert "internal error" not in result.err and len(one_line) == 2  # the grid's line and the summary


@pytest.mark.parametrize("n", [1, 3])
def test_a_failed_rename_puts_back_the_files_already_renamed(in_tmp, cli, previous_run, monkeypatch, n):
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", fail_nth(n, os.replace, errno.EIO))
        result = cli("render", "--demo", "--now", NOW, "--out", "out", "--format", "png,svg", "--theme", "light")
    assert out_files(in_tmp / "out") == previous_run
    assert result.code == 1 and "internal error" not in result.err, result.err


def test_a_successful_write_replaces_the_set_and_leaves_no_temporary(in_tmp, cli, previous_run):
    assert cli("render", "--demo", "--now", NOW, "--out", "out", "--format", "png,svg", "--theme", "light").code == 0
    now = out_files(in_tmp / "out")
    assert set(now) == set(previous_run) and all(now[k] != previous_run[k] for k in now if k.endswith((".json", ".md")))
    assert not [p for p in (in_tmp / "out").iterdir() if p.name.startswith(".")]
    assert all((in_tmp / "out" / k).stat().st_mode & 0o777 == 0o644 for k in now)


def test_write_files_reports_the_file_and_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "_write_file", fail_nth(2, outputs._write_file), raising=False)
    with pytest.raises(Exception) as info:
        outputs.write_files(tmp_path, {"a.png": b"1", "a.json": b"2"})
    assert "a.json" in str(info.value) and "No space left on device" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_links_in_out_are_replaced_never_followed(in_tmp, cli, monkeypatch):
    victim = in_tmp / "victim.png"
    victim.write_bytes(b"not ours")
    (in_tmp / "out").mkdir()
    (in_tmp / "out" / "health_grid.png").symlink_to(victim)
    (in_tmp / "out" / "health_grid.json").symlink_to("/dev/zero")  # never read to compare
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", fail_nth(3, os.replace, errno.EIO))
        assert cli("render", "--demo", "--now", NOW, "--out", "out", "--theme", "light").code == 1
    assert (in_tmp / "out" / "health_grid.png").is_symlink() and victim.read_bytes() == b"not ours"
    assert cli("render", "--demo", "--now", NOW, "--out", "out", "--theme", "light").code == 0
    assert not (in_tmp / "out" / "health_grid.png").is_symlink() and victim.read_bytes() == b"not ours"
    assert not (in_tmp / "out" / "health_grid.json").is_symlink()
