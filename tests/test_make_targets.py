"""The Makefile from a fresh clone: `make demo` installs the runtime only, `make test` the test set
(without seaborn or pandas, which only `make bench` installs), and `make test` leaves out the tests
marked slow unless CI is set."""

import os
import re
import subprocess

import pytest

from conftest import ROOT


def make_n(target, ci=None):
    """What `make TARGET` would run (-n: print, do not run; -B: as if nothing were installed yet)."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "MAKEFLAGS", "PYTEST_ARGS")}
    if ci is not None:
        env["CI"] = ci
    proc = subprocess.run(["make", "-n", "-B", target], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_make_demo_installs_the_runtime_only():
    demo = make_n("demo")
    assert "requirements/runtime.txt" in demo and "test.txt" not in demo
    tests = make_n("test")
    assert "requirements/test.txt" in tests and "pytest" in tests and "bench.txt" not in tests


def test_seaborn_and_pandas_are_installed_for_the_benchmark_alone():
    pinned = {path: dict(re.findall(r"^([a-z0-9_.-]+)==(\S+)$", (ROOT / "requirements" / path).read_text(), re.M))
              for path in ("runtime.txt", "test.txt", "bench.txt")}
    assert {"seaborn", "pandas"} <= set(pinned["bench.txt"])
    assert not {"seaborn", "pandas"} & (set(pinned["test.txt"]) | set(pinned["runtime.txt"]))
    shared = set(pinned["bench.txt"]) & set(pinned["test.txt"])
    assert shared and all(pinned["bench.txt"][name] == pinned["test.txt"][name] for name in shared), "the same pins as the test set"
    assert "requirements/bench.txt" in make_n("bench")


@pytest.mark.parametrize("ci,runs_slow", [(None, False), ("", False), ("false", False), ("true", True), ("1", True)])
def test_make_test_runs_the_slow_tests_only_where_ci_is_set(ci, runs_slow):
    (pytest_line,) = [line for line in make_n("test", ci).splitlines() if " -m pytest " in line]
    assert ('-m "not slow"' not in pytest_line) == runs_slow, pytest_line
