"""The largest grid the limits allow, rendered once: wall time, peak memory and the bytes of every
file written (docs/security-and-limits.md quotes its figures).

    python bench/worst_case.py [--char CJK|astral|quote] [--format png,svg,html] [--keep DIR]

The config has 200 rows × 90 days, a title and every row's label, group, unit, description and
query as long as the limits let them be (15 labels × 14 groups, so no two rows read alike; each
long string is written once and reused by YAML alias, so the file stays under the 1 MiB config
limit), half the rows with a rule and half with a score, and the trend column. `--char` picks the character the long strings are made of: CJK (3 UTF-8
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
    from healthgrid.config.model import MAX_ROWS, MAX_TEXT, MAX_UNIT

    def text(n: int, suffix: str = "") -> str:
        return json.dumps(char * (n - len(suffix)) + suffix, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar

    seen: set[str] = set()

    def once(anchor: str, value: str) -> str:
        """The value with an anchor the first time, an alias after: each long string is in the file once."""
        if anchor in seen:
            return f"*{anchor}"
        seen.add(anchor)
        return f"&{anchor} {value}"

    # Every (group, label) pair differs (15 labels × 14 groups), every string is as long as allowed.
    query = json.dumps("avg:m{t:" + char * (MAX_TEXT - 9) + "}", ensure_ascii=False)
    rows = []
    for i in range(MAX_ROWS):
        label, group = i % 15, i // 15
        judge = "pass: '< 5', warn: '< 8'" if i % 2 == 0 else "score: {good: 3, bad: 10}"
        rows.append(f"      - {{label: {once(f'l{label}', text(MAX_TEXT, f' {label:02}'))}, group: {once(f'g{group}', text(MAX_TEXT, f' {group:02}'))}, "
                    f"query: {once('q', query)}, "
                    f"unit: {once('u', text(MAX_UNIT))}, description: {once('d', text(MAX_TEXT))}, {judge}}}\n")
    return f"grids:\n  - name: worst\n    title: {text(MAX_TEXT)}\n    days: 90\n    trend: true\n    rows:\n" + "".join(rows)


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
