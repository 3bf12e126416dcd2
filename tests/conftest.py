import io
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from healthgrid.cli import Console, main

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
# A copy of ../shared/examples/health_dashboard.yml, so the suite runs from any clone.
EXAMPLE_CONFIG = ROOT / "tests" / "data" / "health_dashboard.yml"
NOW = "2026-11-28T12:00:00Z"
NOW_DT = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(*argv: str) -> Result:
    """The CLI in-process, with its own stdout/stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Console(out, err))
    return Result(code, out.getvalue(), err.getvalue())


def run_process(*argv: str, cwd=None, env=None) -> Result:
    """The installed console script as a separate process, the way users and workflows run it."""
    exe = Path(sys.executable).with_name("healthgrid")
    proc = subprocess.run([str(exe), *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in an empty directory (no ./healthgrid.yml)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(autouse=True)
def _no_datadog_env(monkeypatch):
    for var in ("DD_API_KEY", "DD_APP_KEY", "DD_SITE", "DATADOG_HOST"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def dd(monkeypatch):
    """A loopback Datadog, with the program's environment pointed at it."""
    from fakes.datadog import API_KEY, APP_KEY, FakeDatadog

    server = FakeDatadog().start()
    monkeypatch.setenv("DD_API_KEY", API_KEY)
    monkeypatch.setenv("DD_APP_KEY", APP_KEY)
    monkeypatch.setenv("DATADOG_HOST", server.url)
    yield server
    server.stop()
