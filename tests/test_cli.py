"""`healthgrid render` as users run it: files, flags, exit codes, --json."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from healthgrid import __version__
from healthgrid.cli import build_parser

from conftest import EXAMPLE_CONFIG, NOW, run_process


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


def test_rerender_with_same_now_is_byte_identical(in_tmp, cli):
    cli("render", "--demo", "--now", NOW, "--config", str(EXAMPLE_CONFIG), "--format", "png,svg")
    first = {p.name: p.read_bytes() for p in (in_tmp / "healthgrid-out").iterdir()}
    cli("render", "--demo", "--now", NOW, "--config", str(EXAMPLE_CONFIG), "--format", "png,svg")
    assert {p.name: p.read_bytes() for p in (in_tmp / "healthgrid-out").iterdir()} == first


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


def test_out_must_be_a_directory(in_tmp, cli):
    (in_tmp / "file").write_text("x")
    result = cli("render", "--demo", "--out", "file")
    assert (result.code, result.err) == (2, "healthgrid: error: --out: file exists and is not a directory\n")


def test_every_command_has_help_from_its_docstring():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        assert p.description and "usage:" in p.format_help(), name


def test_console_script_and_module_run_as_processes(in_tmp):
    result = run_process("render", "--demo", "--now", NOW, "--theme", "light", "--out", "o", cwd=in_tmp)
    assert result.code == 0 and result.out.strip().splitlines()[0] == "o/health_grid.png"
    help_ = run_process("--help", cwd=in_tmp)
    assert help_.code == 0 and "render" in help_.out
    bad = run_process("render", "--demo", "--config", "nope.yml", cwd=in_tmp)
    assert bad.code == 2 and bad.err == "healthgrid: error: --config: nope.yml: no such file\n"


def test_a_process_prints_everything_before_it_exits(in_tmp):
    """Everything buffered arrives: the grids' files, and the run's own (index.html) beside them."""
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
