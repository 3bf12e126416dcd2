"""`make bench`: healthgrid side by side with the reference renderer (a plain seaborn heatmap), in one run on this machine.

Prints medians (runs alternate between the two programs so drift hits both alike), ratios and the
targets. Nothing here fails on timing; it reports.

    python bench/bench.py [--runs N] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
PY = sys.executable
HG = str(Path(PY).with_name("healthgrid"))
NOW = "2026-11-28T12:00:00Z"


def run_measured(argv: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read().decode()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed:\n{err}")
    return elapsed, usage.ru_maxrss // 1024


def config_for(rows: int, days: int, path: Path) -> Path:
    lines = ["grids:", "  - name: bench", f"    days: {days}", "    rows:"]
    lines += [f"      - {{label: 'Metric {i}', query: 'avg:m{i}{{*}}'}}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def alternate(label: str, ours: list[str], ref: list[str], runs: int, cwd: Path) -> dict:
    t_ours, t_ref, m_ours, m_ref = [], [], [], []
    run_measured(ours, cwd), run_measured(ref, cwd)  # warm caches (font list, .pyc) for both
    for _ in range(runs):
        t, m = run_measured(ours, cwd)
        t_ours.append(t), m_ours.append(m)
        t, m = run_measured(ref, cwd)
        t_ref.append(t), m_ref.append(m)
    result = {"case": label, "healthgrid_s": statistics.median(t_ours), "reference_s": statistics.median(t_ref),
              "healthgrid_peak_mb": max(m_ours), "reference_peak_mb": max(m_ref)}
    result["ratio"] = result["healthgrid_s"] / result["reference_s"]
    return result


def in_process_render_times(runs: int) -> list[tuple[str, float, int]]:
    from healthgrid.config import GridSpec, RowSpec
    from healthgrid.render import figure_bytes, figure_for
    from healthgrid.sources.demo import demo_grid

    from conftest import NOW_DT

    out = []
    for rows, days in ((7, 7), (35, 7), (100, 30)):
        spec = GridSpec(name="b", title=f"{rows}x{days}", rows=tuple(RowSpec(f"Metric {i}", f"avg:m{i}{{*}}") for i in range(rows)), days=days)
        grid = demo_grid(spec, NOW_DT)
        figure_bytes(figure_for(grid, spec, "light"), "png")  # warm: imports, font cache
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            png = figure_bytes(figure_for(grid, spec, "light"), "png")
            times.append(time.perf_counter() - start)
        out.append((f"{rows}x{days}", statistics.median(times), len(png)))
    return out


def png_stats(path: Path) -> tuple[int, int, float]:
    from PIL import Image

    with Image.open(path) as image:
        pixels = image.size[0] * image.size[1]
    size = path.stat().st_size
    return size, pixels, size / pixels


def query_requests() -> int:
    from healthgrid.config import load_config
    from healthgrid.datadog.client import DatadogAuth
    from healthgrid.sources.datadog import DatadogSource

    from conftest import EXAMPLE_CONFIG
    from fakes.datadog import API_KEY, APP_KEY, FakeDatadog

    server = FakeDatadog().start()
    try:
        auth = DatadogAuth(API_KEY, APP_KEY, host=server.url)
        spec = load_config(str(EXAMPLE_CONFIG)).grids[0]
        DatadogSource(auth).fetch(spec, datetime(2026, 11, 28, 12, tzinfo=timezone.utc))
        return len(server.calls("POST", "/api/v2/query/timeseries")), len(spec.rows), spec.days
    finally:
        server.stop()


def repo_bytes(bare: Path) -> int:
    subprocess.run(["git", "--git-dir", str(bare), "gc", "--quiet", "--prune=now"], check=True)  # as the host's GC would
    return sum(f.stat().st_size for f in bare.rglob("*") if f.is_file())


def pages_growth(publishes: int, work: Path) -> tuple[int, int, float]:
    from healthgrid.config import load_config
    from healthgrid.publish.ghpages import publish
    from healthgrid.render import render
    from healthgrid.sources.demo import demo_grid

    spec = load_config(None).grids[0]
    sizes = {}
    bare = work / "pages.git"
    subprocess.run(["git", "init", "--bare", "-q", str(bare)], check=True)
    start = time.perf_counter()
    for i in range(publishes):
        # A changing grid each hour, as a year of hourly runs would publish.
        grid = demo_grid(spec, datetime(2026, 1, 1, tzinfo=timezone.utc).replace(hour=i % 24, day=1 + i // 24))
        publish({"health_grid.png": render(grid, spec, "light", "png"), "health_grid_dark.png": render(grid, spec, "dark", "png")},
                remote=str(bare), keep=1)
        if i == 0:
            sizes["one"] = repo_bytes(bare)
    per_publish = (time.perf_counter() - start) / publishes
    return sizes["one"], repo_bytes(bare), per_publish


def import_totals() -> list[tuple[str, float, list[str]]]:
    heavy = ("datadog_api_client", "matplotlib", "seaborn", "pandas", "numpy")
    cases = {
        "healthgrid --help": ["--help"],
        "config error": ["render", "--demo", "--config", "missing.yml"],
    }
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, argv in cases.items():
            proc = subprocess.run([PY, "-X", "importtime", "-m", "healthgrid", *argv], cwd=tmp, capture_output=True, text=True)
            total, loaded = _importtime(proc.stderr, heavy)
            out.append((name, total, loaded))
        d = Path(tmp) / "out"
        d.mkdir()
        (d / "g.png").write_bytes(b"png")
        subprocess.run(["git", "init", "--bare", "-q", f"{tmp}/r.git"], check=True)
        proc = subprocess.run([PY, "-X", "importtime", "-m", "healthgrid", "publish", "ghpages", str(d), "--remote", f"{tmp}/r.git",
                               "--pages-url", "https://a.github.io/b"], cwd=tmp, capture_output=True, text=True)
        total, loaded = _importtime(proc.stderr, heavy)
        out.append(("publish ghpages", total, loaded))
    return out


def _importtime(stderr: str, heavy) -> tuple[float, list[str]]:
    total, loaded = 0.0, set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            parts = line.split("|")
            try:
                total += int(parts[0].split(":")[1]) / 1e6  # self times add up to the whole
            except ValueError:
                continue
            name = parts[2].strip()
            if name.split(".")[0] in heavy:
                loaded.add(name.split(".")[0])
    return total, sorted(loaded)


def image_size() -> str:
    if not shutil.which("podman"):
        return "n/a (run make e2e first)"
    env = {**os.environ, "CONTAINERS_STORAGE_CONF": str(ROOT / "e2e" / "storage.conf")}
    proc = subprocess.run(["podman", "image", "inspect", "--format", "{{.Size}}", "localhost/healthgrid-action:e2e", "docker.io/library/python:3.12-slim"],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        return "n/a (run make e2e first)"
    image, base = (int(x) for x in proc.stdout.split())
    return f"{image / 1e6:.0f} MB ({(image - base) / 1e6:.0f} MB over the base)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="fewer runs and publishes (a smoke test)")
    args = parser.parse_args()
    runs = 2 if args.quick else args.runs
    publishes = 10 if args.quick else 100
    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print(f"healthgrid bench — {runs} alternating runs per case, medians; reference = bench/reference_render.py (a seaborn heatmap)\n")
        print(f"{'whole process':<34}{'healthgrid':>12}{'ref':>10}{'ratio':>8}{'target':>9}{'peak MB hg/ref':>18}")
        cases = [("7x7 render --demo --theme light", 7, 7, 0.8), ("100x30 render --demo --theme light", 100, 30, 0.25)]
        report["whole_process"] = []
        for label, rows, days, target in cases:
            cfg = config_for(rows, days, tmp / f"c{rows}.yml") if rows != 7 else None
            ours = [HG, "render", "--demo", "--theme", "light", "--now", NOW, "--out", str(tmp / "out")] + (["--config", str(cfg)] if cfg else [])
            ref = [PY, str(ROOT / "bench" / "reference_render.py"), str(tmp / f"ref{rows}.png"), str(rows), str(days)]
            r = alternate(label, ours, ref, runs if rows == 7 else max(1, runs // 3), tmp)
            report["whole_process"].append(r)
            ok = "ok" if r["ratio"] <= target else "MISSED"
            print(f"{label:<34}{r['healthgrid_s']:>11.2f}s{r['reference_s']:>9.2f}s{r['ratio']:>8.2f}{'≤' + str(target):>7} {ok:<6}"
                  f"{r['healthgrid_peak_mb']:>6}/{r['reference_peak_mb']}")

        print(f"\n{'render in process (no imports)':<34}{'seconds':>12}{'PNG bytes':>12}")
        for case, seconds, size in in_process_render_times(max(3, runs)):
            print(f"{case:<34}{seconds:>11.3f}s{size:>12,}")
            report.setdefault("render", []).append({"case": case, "seconds": seconds, "png_bytes": size})

        subprocess.run([HG, "render", "--demo", "--theme", "light", "--now", NOW, "--out", str(tmp / "px")], check=True, capture_output=True)
        subprocess.run([PY, str(ROOT / "bench" / "reference_render.py"), str(tmp / "ref-px.png")], check=True)
        ours, ref = png_stats(tmp / "px" / "health_grid.png"), png_stats(tmp / "ref-px.png")
        ratio = ours[2] / ref[2]
        print(f"\nPNG 7x7: healthgrid {ours[0]:,} B for {ours[1]:,} px = {ours[2]:.4f} B/px; ref {ref[0]:,} B for {ref[1]:,} px = "
              f"{ref[2]:.4f} B/px; ratio {ratio:.2f} (target ≤ 0.6: {'ok' if ratio <= 0.6 else 'MISSED'})")
        report["png"] = {"healthgrid": ours, "ref": ref, "ratio": ratio}

        requests, rows, days = query_requests()
        print(f"Datadog query requests per grid ({rows} rows × {days} days): healthgrid {requests} (target 1: {'ok' if requests == 1 else 'MISSED'}); "
              f"a per-cell collector: {rows * days} (one per metric per day)")
        report["requests"] = requests

        one, after, per = pages_growth(publishes, tmp)
        growth = after / one
        print(f"gh-pages remote after {publishes} changing publishes (--keep 1, after git gc): {after / 1024:.0f} KiB vs {one / 1024:.0f} KiB "
              f"after one = {growth:.2f}× (target ≤ 2: {'ok' if growth <= 2 else 'MISSED'}); {per:.2f}s per publish")
        report["pages"] = {"one": one, "after": after, "ratio": growth}

    print("\nimports (python -X importtime, sum of self times):")
    for name, total, loaded in import_totals():
        print(f"  {name:<20}{total:>7.3f}s  heavy modules: {', '.join(loaded) or 'none'}")
    print(f"\nDocker image: {image_size()}")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
