"""What a run writes into `--out`: a grid's files are replaced together or not at all (a failed
write or rename puts the previous set back, and leaves no temporary), a link planted in `--out` is
replaced and never followed, and an `--out` that cannot be used is one line before anything is
written."""

import errno
import os
from pathlib import Path

import pytest

from healthgrid.errors import RunError
from healthgrid.files import outputs

from conftest import NOW
from helpers import one_line_error

SMALL = "grids:\n  - {name: health_grid, days: 3, rows: [" + ", ".join(f"{{label: {r}, query: 'avg:{r}{{*}}'}}" for r in "abcdef") + "]}\n"


# --- an --out that cannot be used ------------------------------------------------------------------

def test_out_must_be_a_directory(in_tmp, cli):
    (in_tmp / "file").write_text("x")
    result = cli("render", "--demo", "--out", "file")
    assert (result.code, result.err) == (2, "healthgrid: error: --out: file exists and is not a directory\n")


@pytest.mark.parametrize("out", ["a-file/sub", "/proc/self/nope/out"])
def test_an_unwritable_out_is_exit_1_in_one_line(in_tmp, cli, out):
    (in_tmp / "a-file").write_text("x")
    one_line_error(cli("render", "--demo", "--now", NOW, "--out", out), 1, "--out")


def test_out_that_is_a_symbolic_link_is_refused_before_anything_is_written(in_tmp, cli):
    # A pull request's checkout can plant `healthgrid-out -> ../elsewhere` before the Action renders.
    (in_tmp / "elsewhere").mkdir()
    (in_tmp / "healthgrid-out").symlink_to(in_tmp / "elsewhere")
    result = cli("render", "--demo")
    assert result.code == 2 and result.err == "healthgrid: error: --out: healthgrid-out is a symbolic link; give the directory itself\n"
    assert list((in_tmp / "elsewhere").iterdir()) == []


# --- a grid's files are replaced together or not at all -------------------------------------------

def out_files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir())}


@pytest.fixture
def previous_run(in_tmp, cli):
    """A first run's files (one day earlier, so every file of the second run differs), of a small
    grid named as the demo's."""
    (in_tmp / "healthgrid.yml").write_text(SMALL)
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
    with pytest.raises(RunError) as info:
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
