"""`healthgrid render` and `run` as users run them: files, flags, exit codes, status lines, --json,
as a process and as the console script."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from healthgrid import __version__
from healthgrid.cli import build_parser
from healthgrid.pipeline import status_line
from healthgrid.text import plural

from conftest import NOW, run_process
from helpers import make_grid


def test_render_demo_writes_the_documented_files(in_tmp, cli):
    result = cli("render", "--demo", "--now", NOW)
    assert result.code == 0, result.err
    out = in_tmp / "healthgrid-out"
    assert sorted(p.name for p in out.iterdir()) == ["health_grid.badge.json", "health_grid.json", "health_grid.md", "health_grid.png", "health_grid_dark.png"]
    names = ("health_grid.png", "health_grid_dark.png", "health_grid.json", "health_grid.md", "health_grid.badge.json")
    assert result.out.splitlines() == [str(out.relative_to(in_tmp) / n) for n in names]
    assert "health_grid: 7 rows × 7 days" in result.err
    md = (out / "health_grid.md").read_text()
    assert md.startswith("## System Health Rollup - 7 Day FoM Grid\n\n![System Health Rollup")
    assert "(health_grid.png)" in md


def test_theme_and_format_choose_the_files(in_tmp, cli):
    result = cli("render", "--demo", "--now", NOW, "--theme", "dark", "--format", "svg,png,html", "--out", "o")
    assert result.code == 0, result.err
    assert sorted(p.name for p in (in_tmp / "o").iterdir()) == [
        "health_grid.badge.json", "health_grid.json", "health_grid.md", "health_grid_dark.html", "health_grid_dark.png", "health_grid_dark.svg", "index.html"]
    html = (in_tmp / "o" / "health_grid_dark.html").read_text()
    assert "<table class=\"grid\">" in html and "http://" not in html
    assert '<a href="health_grid_dark.png" download>' in html and '<a href="health_grid_dark.svg" download>' in html, "images are downloads"


def test_json_output_is_one_object(in_tmp, cli):
    result = cli("render", "--demo", "--now", NOW, "--json", "--theme", "light")
    doc = json.loads(result.out)
    (grid,) = doc["grids"]
    assert grid["name"] == "health_grid" and grid["ok"] is True
    assert grid["files"][0].endswith("health_grid.png") and grid["missing_cells"] >= 1


def test_grid_flag_selects_grids(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text(
        "grids:\n" + "".join(f"  - {{name: {n}, rows: [{{label: A, query: 'avg:q{{*}}'}}]}}\n" for n in ("alpha", "beta", "gamma")))
    result = cli("render", "--demo", "--now", NOW, "--grid", "gamma", "--grid", "alpha", "--theme", "light")
    assert result.code == 0
    assert sorted(p.name for p in (in_tmp / "healthgrid-out").glob("*.png")) == ["alpha.png", "gamma.png"]
    bad = cli("render", "--demo", "--grid", "delta")
    assert (bad.code, bad.err) == (2, "healthgrid: error: --grid: no grid named 'delta' (have: alpha, beta, gamma)\n")


def test_grid_takes_a_comma_separated_list_like_the_actions_input(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text(
        "grids:\n" + "".join(f"  - {{name: {n}, days: 2, rows: [{{label: A, query: 'avg:q{{*}}'}}]}}\n" for n in ("system_health", "second", "third")))
    fast = ["--demo", "--now", NOW, "--format", "html", "--theme", "light", "--json"]  # the selection, not the pictures, is what is checked
    both = cli("render", *fast, "--grid", "system_health,second", "--out", "a")
    repeated = cli("render", *fast, "--grid", "system_health", "--grid", "second", "--out", "b")
    assert both.code == repeated.code == 0, both.err
    assert [g["name"] for g in json.loads(both.out)["grids"]] == ["system_health", "second"]
    assert [g["name"] for g in json.loads(repeated.out)["grids"]] == ["system_health", "second"]
    assert sorted(p.name for p in (in_tmp / "a").glob("*.html")) == sorted(p.name for p in (in_tmp / "b").glob("*.html")) == \
        ["index.html", "second.html", "system_health.html"]
    unknown = cli("render", "--demo", "--grid", "system_health,nope")
    assert (unknown.code, unknown.err) == (2, "healthgrid: error: --grid: no grid named 'nope' (have: second, system_health, third)\n")


def test_rerender_with_same_now_is_byte_identical(in_tmp, cli):
    """Every file of a run, through the command: the same --now and data give the same bytes."""
    (in_tmp / "healthgrid.yml").write_text(
        "grids:\n  - {name: g, days: 3, rows: [{label: A, group: G, query: 'avg:a{*}'}, "
        "{label: B, query: 'avg:b{*}', score: {good: 3, bad: 10}, unit: min}, {label: C, query: 'avg:c{*}', pass: '< 5'}]}\n")
    argv = ["render", "--demo", "--now", NOW, "--format", "png,svg,html", "--theme", "light"]
    assert cli(*argv, "--out", "first").code == 0
    assert cli(*argv, "--out", "again").code == 0
    first = {p.name: p.read_bytes() for p in (in_tmp / "first").iterdir()}
    assert len(first) == 7 and {p.name: p.read_bytes() for p in (in_tmp / "again").iterdir()} == first


BAD_FLAGS = [
    (["render", "--theme", "sepia"], "healthgrid: error: --theme: invalid choice: 'sepia'"),
    (["render", "--format", "gif"], "healthgrid: error: --format: unknown format 'gif'; choose from png, svg, html"),
    (["render", "--format", ","], "healthgrid: error: --format: give at least one of"),
    (["render", "--now", "yesterday"], "healthgrid: error: --now: 'yesterday' is not an ISO 8601 date-time"),
    (["render", "--demo", "--data", "x.json"], "healthgrid: error: --data: not allowed with argument --demo"),
    (["render", "--bogus"], "healthgrid: error: unrecognized arguments: --bogus"),
    (["frobnicate"], "healthgrid: error: COMMAND: invalid choice: 'frobnicate'"),
    (["render", "--data", "missing.json"], "healthgrid: error: --data: missing.json: no such file"),
    (["render"], "healthgrid: error: DD_API_KEY: not set"),
]


@pytest.mark.parametrize("argv,expected", BAD_FLAGS, ids=[" ".join(a) for a, _ in BAD_FLAGS])
def test_bad_flags_are_exit_2_with_one_line(in_tmp, cli, argv, expected):
    result = cli(*argv)
    assert result.code == 2
    assert len(result.err.splitlines()) == 1 and result.err.startswith(expected), result.err
    assert not (in_tmp / "healthgrid-out").exists()


@pytest.mark.parametrize("argv", [
    ["render", "--demo", "--config=--"], ["render", "--demo", "--now=--"], ["render", "--demo", "--grid=--"],
    ["publish", "ghpages", "out", "--remove=--"], ["publish", "ghpages", "out", "--message=--"],
])
def test_a_flag_given_the_value_double_dash_is_a_usage_error(in_tmp, cli, argv):
    result = cli(*argv)
    assert result.code == 2
    flag = argv[-1].split("=")[0]
    assert result.err.strip() == f"healthgrid: error: {flag}: '--' is not a value"


def test_every_command_has_help_from_its_docstring():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        assert p.description and "usage:" in p.format_help(), name


# One small grid for the tests that start a process: what they check is the process, not the picture.
SMALL = "grids:\n  - {name: health_grid, days: 2, rows: [{label: A, query: 'avg:a{*}'}]}\n"


def test_console_script_and_module_run_as_processes(in_tmp):
    (in_tmp / "healthgrid.yml").write_text(SMALL)
    result = run_process("render", "--demo", "--now", NOW, "--theme", "light", "--out", "o", cwd=in_tmp)
    assert result.code == 0 and result.out.strip().splitlines()[0] == "o/health_grid.png"
    help_ = run_process("--help", cwd=in_tmp)
    assert help_.code == 0 and "render" in help_.out
    bad = run_process("render", "--demo", "--config", "nope.yml", cwd=in_tmp)
    assert bad.code == 2 and bad.err == "healthgrid: error: --config: nope.yml: no such file\n"


def test_a_process_prints_everything_before_it_exits(in_tmp):
    """Everything buffered arrives: the grids' files, and the run's own (index.html) beside them."""
    (in_tmp / "healthgrid.yml").write_text(SMALL)
    proc = subprocess.run([sys.executable, "-m", "healthgrid", "render", "--demo", "--now", NOW, "--format", "png,svg,html", "--json", "--out", "o"],
                          cwd=in_tmp, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    files = {Path(f).name for grid in result["grids"] for f in grid["files"]} | {Path(f).name for f in result["files"]}
    assert {"health_grid.png", "health_grid_dark.svg", "health_grid.html", "index.html"} <= files
    assert all((in_tmp / "o" / name).stat().st_size > 0 for name in files)
    version = run_process("--version", cwd=in_tmp)
    assert (version.code, version.out) == (0, f"healthgrid {__version__}\n")


def test_a_reader_that_leaves_early_gets_no_traceback(in_tmp):
    """`healthgrid render ... | head -0`: the pipe closes before the output is flushed."""
    (in_tmp / "healthgrid.yml").write_text(SMALL)
    exe = Path(sys.executable).with_name("healthgrid")
    read, write = os.pipe()
    os.close(read)
    proc = subprocess.run([str(exe), "render", "--demo", "--now", NOW, "--json", "--out", "o"], cwd=in_tmp, stdout=write, stderr=subprocess.PIPE,
                          text=True, timeout=120)
    os.close(write)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert (in_tmp / "o" / "health_grid.png").is_file()


def _peak_mb(*argvs: list[str], cwd) -> list[int]:
    """Each command's peak resident memory; they run side by side (peaks are per process)."""
    procs = [subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for argv in argvs]
    peaks = []
    for proc in procs:
        _, status, usage = os.wait4(proc.pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        peaks.append(usage.ru_maxrss // 1024)
    return peaks


def test_a_run_turns_the_collector_back_on_once_the_libraries_are_in_and_collects_between_grids(in_tmp, cli, monkeypatch):
    """A run started as the command (process.run) imports with the collector off; the pipeline must
    turn it back on and collect after each grid, or every grid's figure would stay in memory (the
    test below measures that with real processes)."""
    import gc

    from healthgrid import process

    collected = []
    real_collect = gc.collect
    monkeypatch.setattr(process, "_started", True)
    monkeypatch.setattr(gc, "collect", lambda *args: collected.append(args) or real_collect(*args))
    (in_tmp / "healthgrid.yml").write_text("grids:\n" + "".join(f"  - {{name: g{k}, days: 2, rows: [{{label: A, query: 'avg:a{{*}}'}}]}}\n" for k in range(3)))
    gc.disable()
    try:
        assert cli("render", "--demo", "--now", NOW, "--theme", "light", "--out", "o").code == 0
        assert gc.isenabled(), "the collector is back on"
    finally:
        gc.enable()
        gc.unfreeze()
    assert len(collected) >= 3, "a collection after each grid"


@pytest.mark.slow
def test_memory_does_not_grow_with_the_number_of_grids(in_tmp):
    """The command turns the collector off while the libraries import; it must come back on, or
    every grid's figure would stay in memory (~15 MB each at this size)."""
    def config(grids: int) -> Path:
        lines = ["grids:"]
        for g in range(grids):
            lines += [f"  - name: g{g}", "    days: 14", "    rows:"] + [f"      - {{label: 'Metric {i}', query: 'avg:m{i}{{*}}'}}" for i in range(80)]
        path = in_tmp / f"c{grids}.yml"
        path.write_text("\n".join(lines) + "\n")
        return path

    exe = str(Path(sys.executable).with_name("healthgrid"))
    one, five = _peak_mb([exe, "render", "--demo", "--theme", "light", "--now", NOW, "--config", str(config(1)), "--out", "o1"],
                         [exe, "render", "--demo", "--theme", "light", "--now", NOW, "--config", str(config(5)), "--out", "o5"], cwd=in_tmp)
    assert five < one + 25, (one, five)


def test_fom_outside_0_to_1_is_rendered_with_one_warning_per_row(in_tmp, cli):
    rows = [{"label": "Ratio", "values": [1.7, -0.4, 0.5]}, {"label": "Fine", "values": [0.2, None, 1.0]}, {"label": "Over", "values": [0.5, 0.5, 2.0]}]
    (in_tmp / "g.json").write_text(json.dumps({"name": "g", "days": ["2026-11-26", "2026-11-27", "2026-11-28"], "rows": rows}))
    result = cli("render", "--data", "g.json", "--now", NOW, "--theme", "light", "--out", "o")
    assert result.code == 0
    warnings = [line for line in result.err.splitlines() if "warning" in line]
    assert warnings == [
        "healthgrid: warning: g: 'Ratio' on 2026-11-26: FoM 1.7 is outside [0, 1]; clamped for colour (and 1 more)",
        "healthgrid: warning: g: 'Over' on 2026-11-28: FoM 2 is outside [0, 1]; clamped for colour",
    ]


def test_debug_shows_the_traceback(in_tmp, cli):
    result = cli("render", "--demo", "--config", "nope.yml", "--debug")
    assert result.code == 2 and "Traceback" in result.err and result.err.endswith("healthgrid: error: --config: nope.yml: no such file\n")


def test_status_lines_say_one_row_one_day_and_count_cells_without_data(cli, in_tmp):
    assert plural(1, "row") == "1 row" and plural(2, "day") == "2 days" and plural(0, "cell") == "0 cells"
    grid = make_grid([("a", [float("nan")])])
    assert status_line(grid, 0.5) == "t: 1 row × 1 day, 1 of 1 cell without data, 0.50s"
    doc = {"name": "g", "title": "G", "timezone": "UTC", "days": ["2026-11-27", "2026-11-28"], "now": NOW,
           "rows": [{"label": "A", "query": "q", "values": [0.5, None], "raw": [0.5, None]}]}
    (in_tmp / "g.json").write_text(json.dumps(doc))
    result = cli("render", "--data", "g.json", "--now", NOW, "--out", "o")
    assert result.code == 0, result.err
    assert "healthgrid: g: 1 row × 2 days, 1 of 2 cells without data," in result.err


def test_run_checks_publish_options_before_rendering(cli, in_tmp, monkeypatch):
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    result = cli("run", "--demo", "--publish", "ghpages", "--remote", str(in_tmp / "x.git"), "--out", "out")
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "healthgrid: error: --pages-url: not given and GITHUB_REPOSITORY is not set; pass e.g. --pages-url https://OWNER.github.io/REPO"]
    assert not (in_tmp / "out").exists(), "nothing is rendered when the publish options are wrong"
    bad_path = cli("run", "--demo", "--publish", "ghpages", "--pages-url", "https://a.github.io/b", "--remote", "x", "--path", "../up", "--out", "out")
    assert bad_path.code == 2 and "--path" in bad_path.err and not (in_tmp / "out").exists()
    monkeypatch.delenv("IMGUR_CLIENT_ID", raising=False)
    imgur = cli("run", "--demo", "--publish", "imgur", "--out", "out")
    assert imgur.code == 2 and "IMGUR_CLIENT_ID" in imgur.err and not (in_tmp / "out").exists()
