"""What `healthgrid doctor` found, and the three ways it is shown: a table for a terminal, Markdown
for a job summary (every cell escaped: labels and metric names are user text), JSON for machines.

A finding is `fail` when a run would fail or lose rows (exit 1), `note` when a person should know
but a run would still work, `skip` when it could not be checked because of a failure reported
beside it, `ok` otherwise. Rows that are fine are counted per grid rather than listed in the
table and the summary; --json lists every finding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from healthgrid.secrets import redact
from healthgrid.text import md_text

STATUSES = ("fail", "note", "skip", "ok")
CLOSING_ROOM = 300  # bytes kept for the line that says findings were left out
SUBJECT_WIDTH = 40  # the table's subject column pads up to this; longer subjects push the detail right


@dataclass
class Finding:
    check: str  # keys | config | grid | row | rows | calendar | limits | metadata | time
    status: str  # fail | note | skip | ok
    subject: str  # what it is about, as a person reads it (grid / group / label, a zone, a host)
    detail: str
    fields: dict = field(default_factory=dict)  # grid, group, row, metric, zone, reading, figures: for --json

    def as_dict(self) -> dict:
        return {"check": self.check, "status": self.status, "subject": self.subject, "detail": self.detail,
                **{k: v for k, v in self.fields.items() if v is not None}}


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else words or word + 's'}"


@dataclass
class Report:
    where: str  # Datadog's base URL (no credentials)
    now: datetime
    findings: list[Finding] = field(default_factory=list)

    @property
    def failed(self) -> list[Finding]:
        """The problems: every failing finding but the lines that count a grid's rows."""
        return [f for f in self.findings if f.status == "fail" and f.check != "rows"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def verdict(self) -> str:
        if not self.failed:
            return "a run would succeed: every check passed"
        return f"a run would fail or lose rows: {plural(len(self.failed), 'problem')}"

    def listed(self) -> list[Finding]:
        """The table's lines: every finding but rows that are fine or were not checked (each
        grid's `rows` line counts those)."""
        return [f for f in self.findings if f.check != "row" or f.status in ("fail", "note")]

    def heading(self) -> str:
        return f"healthgrid doctor: Datadog at {self.where}, now {self.now.strftime('%Y-%m-%dT%H:%M:%SZ')}"

    def text(self) -> str:
        lines = self.listed()
        width = min(SUBJECT_WIDTH, max([len(f.subject) for f in lines] + [7]))
        check = max([len(f.check) for f in lines] + [5])
        out = [self.heading(), "", f"{'STATUS':<6}  {'CHECK':<{check}}  {'SUBJECT':<{width}}  DETAIL"]
        for f in lines:
            out.append(f"{f.status.upper() if f.status == 'fail' else f.status:<6}  {f.check:<{check}}  {f.subject:<{width}}  {f.detail}")
        out += ["", f"{self.verdict()} (exit {self.exit_code})"]
        return "\n".join(out)

    def as_dict(self) -> dict:
        return {"ok": not self.failed, "exit_code": self.exit_code, "verdict": self.verdict(), "where": self.where,
                "now": self.now.strftime("%Y-%m-%dT%H:%M:%SZ"), "findings": [f.as_dict() for f in self.findings]}

    def json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False)

    def markdown(self, room: int) -> str:
        """The job summary's section, at most `room` bytes of UTF-8: past it the table stops with a
        line saying how many findings are left out (the log and --json have them all); "" when not
        even the heading fits."""
        head = "\n".join([
            f"## healthgrid doctor\n\nDatadog at `{md_text(self.where)}`, now {self.now.strftime('%Y-%m-%dT%H:%M:%SZ')}: "
            f"**{md_text(self.verdict())}** (exit {self.exit_code}).\n", "| status | check | subject | detail |", "|---|---|---|---|"])
        rows = [redact(f"| {'**fail**' if f.status == 'fail' else f.status} | {f.check} | {md_text(f.subject)} | {md_text(f.detail)} |")
                for f in self.listed()]
        kept, used, budget = 0, 0, room - len(head.encode()) - CLOSING_ROOM
        if len(head.encode()) + sum(len(row.encode()) + 1 for row in rows) + 2 <= room:
            kept = len(rows)
        else:
            for row in rows:
                used += len(row.encode()) + 1
                if used > budget:
                    break
                kept += 1
        left = len(rows) - kept
        closing = (f"\n\n{left:,} more finding(s) are left out to keep the job summary within GitHub's limit; the step's "
                   "log lists them all, and `healthgrid doctor --json` prints them." if left else "")
        text = "\n".join([head, *rows[:kept]]) + closing + "\n\n"
        return text if len(text.encode()) <= room else ""
