"""The largest grid the limits allow, rendered once: wall time, peak memory and the bytes of every
file written (docs/security-and-limits.md quotes its figures).

    python bench/worst_case.py [--char CJK|astral|quote] [--format png,svg,html] [--keep DIR]

The config has 200 rows × 90 days, a title and every row's label, group, unit, description and
query as long as the limits let them be (the shared ones written once and reused by YAML alias,
so the file stays under the 1 MiB config limit), half the rows with a rule and half with a score,
and the trend column. `--char` picks the character the long strings are made of: CJK (3 UTF-8
bytes), astral (4 bytes, the most a character takes in UTF-8, JSON and Markdown) or quote (`"`:
6 bytes once HTML-escaped). Then the written NAME.json is read back with `--data`.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HG = str(Path(sys.executable).with_name("healthgrid"))
NOW = "2026-11-28T12:00:00Z"
CHARS = {"CJK": "指", "astral": "\U00020000", "quote": '"'}


def worst_config(char: str) -> str:
    from healthgrid.config.model import MAX_CONFIG_BYTES, MAX_ROWS, MAX_TEXT, MAX_UNIT

    def text(n: int, suffix: str = "") -> str:
        return json.dumps(char * (n - len(suffix)) + suffix, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar

    query = "avg:m{" + ",".join(f"t{i}:v" for i in range(MAX_TEXT // 6)) + "}"
    query = query[: MAX_TEXT - 1].rsplit(",", 1)[0] + "}"
    head = (f"grids:\n  - name: worst\n    title: {text(MAX_TEXT)}\n    days: 90\n    trend: true\n    rows:\n"
            f"      - &row {{label: {text(MAX_TEXT, ' 000')}, group: &g {text(MAX_TEXT)}, query: &q '{query}',"
            f" unit: &u {text(MAX_UNIT)}, description: &d {text(MAX_TEXT)}, pass: '< 5', warn: '< 8'}}\n")
    room = MAX_CONFIG_BYTES - len(head.encode()) - 1000
    per_row = room // (MAX_ROWS - 1) - len("      - {label: , group: *g, query: *q, unit: *u, description: *d, score: {good: 3, bad: 10}}\n") - 8
    label_chars = min(MAX_TEXT, per_row // len(text(1).encode()))
    rows = []
    for i in range(1, MAX_ROWS):
        judge = "pass: '< 5', warn: '< 8'" if i % 2 == 0 else "score: {good: 3, bad: 10}"
        rows.append(f"      - {{label: {text(label_chars, ' %03d' % i)}, group: *g, query: *q, unit: *u, description: *d, {judge}}}\n")
    return head + "".join(rows)


def measured(argv: list[str], cwd: Path) -> tuple[str, int, str]:
    """Wall and CPU seconds, peak RSS in MB (/usr/bin/time -v), and the error line when it failed.
    CPU seconds (user + system) say more than wall time on a machine shared with other work."""
    proc = subprocess.run(["/usr/bin/time", "-v", *argv], cwd=cwd, capture_output=True, text=True)
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    seconds = (int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))) if wall else float("nan")
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr))
    failed = next((line for line in proc.stderr.splitlines() if line.startswith("healthgrid: error:")), "") if proc.returncode else ""
    return f"{seconds:.1f} s ({cpu:.1f} s CPU)", int(peak.group(1)) // 1024 if peak else -1, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--char", choices=tuple(CHARS), default="CJK")
    parser.add_argument("--format", default="png,svg,html")
    parser.add_argument("--keep", metavar="DIR", help="keep the config and the files written in DIR")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="healthgrid-worst-"))
    work.mkdir(parents=True, exist_ok=True)
    config = work / "healthgrid.yml"
    config.write_text(worst_config(CHARS[args.char]), encoding="utf-8")
    print(f"config: {config.stat().st_size:,} bytes ({args.char})")
    seconds, peak, failed = measured([HG, "render", "--demo", "--now", NOW, "--config", str(config), "--out", "out",
                                 "--format", args.format], work)
    print(f"render: {seconds}, peak {peak} MB {failed}")
    for path in sorted((work / "out").iterdir()):
        print(f"  {path.name:<24} {path.stat().st_size:>13,} bytes")
    seconds, peak, failed = measured([HG, "render", "--data", "out/worst.json", "--config", str(config), "--out", "again",
                                 "--format", "png", "--theme", "light"], work)
    print(f"--data out/worst.json: {failed or 'read back and rendered'} in {seconds}, peak {peak} MB")


if __name__ == "__main__":
    main()
