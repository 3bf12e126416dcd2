"""Every I/O error names the file it happened to: a write, an fsync or a rename in --out, the
temporary folder, the NAME.json files read for index.html, a file of `publish ghpages DIR`, the
publisher's working folder. A full disk often reports no file name at all."""

import errno
import os
import subprocess
import sys
import tempfile

import pytest

from healthgrid.errors import RunError, UsageError
from healthgrid.files import index, outputs
from healthgrid.files.outputs import write_files
from healthgrid.publish import ghpages, shared

NO_SPACE = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as a full disk reports it: no file name

# A file-size limit makes write() fail the way a full disk does, part-way through a file.
_SMALL_FILE_LIMIT = """
import resource, signal, sys
from pathlib import Path
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
from healthgrid.files.outputs import write_files
try:
    write_files(Path(sys.argv[1]), {"g.md": b"x" * 500, "index.html": b"y" * 3000})
except Exception as exc:
    print(f"{type(exc).__name__}: {exc}")
"""


def test_a_write_that_fails_part_way_names_its_file(tmp_path):
    proc = subprocess.run([sys.executable, "-c", _SMALL_FILE_LIMIT, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert proc.stdout == f"RunError: --out: {tmp_path}: cannot write 'index.html': File too large; its files were left as they were\n", proc.stderr
    assert sorted(os.listdir(tmp_path)) == []


def fail_for(monkeypatch, module, name, target=None):
    """module.os.<name> fails as a full disk does (for `target` only, when given)."""
    real = getattr(os, name)

    def fake(*args, **kwargs):
        if target is None or any(str(a).endswith("/" + target) for a in args):
            raise NO_SPACE
        return real(*args, **kwargs)

    monkeypatch.setattr(module.os, name, fake)


def test_a_rename_that_fails_names_its_file_and_changes_nothing(tmp_path, monkeypatch):
    (tmp_path / "g.png").write_bytes(b"old")
    fail_for(monkeypatch, outputs, "replace", "g.json")
    with pytest.raises(RunError) as caught:
        write_files(tmp_path, {"g.png": b"new", "g.json": b"{}"})
    assert str(caught.value) == f"--out: {tmp_path}: cannot write 'g.json': No space left on device; its files were left as they were"
    assert (tmp_path / "g.png").read_bytes() == b"old" and not (tmp_path / "g.json").exists()


def test_the_temporary_folder_is_named(tmp_path, monkeypatch):
    def mkdtemp(*args, **kwargs):
        raise NO_SPACE

    monkeypatch.setattr(outputs.tempfile, "mkdtemp", mkdtemp)
    with pytest.raises(RunError) as caught:
        write_files(tmp_path, {"g.png": b"new"})
    assert "cannot write its temporary folder (.healthgrid-*): No space left on device" in str(caught.value)


def test_grid_data_that_cannot_be_read_for_the_index_is_a_warning_naming_it(tmp_path, monkeypatch):
    (tmp_path / "g.png").write_bytes(b"png")
    (tmp_path / "g.json").write_text("{}")
    real = os.fdopen

    def fdopen(fd, *args, **kwargs):
        fh = real(fd, *args, **kwargs)
        if os.readlink(f"/proc/self/fd/{fd}").endswith("/g.json"):
            def read(*_):
                raise OSError(errno.EIO, os.strerror(errno.EIO))
            fh.read = read
        return fh

    monkeypatch.setattr(index.os, "fdopen", fdopen)
    warnings = []
    names, read = index.folder_files(tmp_path, warnings.append)
    assert read("g.json") is None
    assert warnings == [f"index.html: cannot read 'g.json' in {tmp_path} (Input/output error); its grid is listed as unknown"]


def test_a_file_of_dir_that_cannot_be_read_is_named(tmp_path, monkeypatch):
    (tmp_path / "g.png").write_bytes(b"png")
    real = os.fdopen

    def fdopen(fd, *args, **kwargs):
        fh = real(fd, *args, **kwargs)

        def read(*_):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        fh.read = read
        return fh

    monkeypatch.setattr(shared.os, "fdopen", fdopen)
    with pytest.raises(UsageError) as caught:
        shared.read_dir(str(tmp_path))
    assert str(caught.value) == "DIR: 'g.png': cannot read (Input/output error)"


def test_the_publishers_working_folder_is_named(tmp_path, monkeypatch):
    def mkdtemp(*args, **kwargs):
        raise NO_SPACE

    monkeypatch.setattr(ghpages.tempfile, "mkdtemp", mkdtemp)
    with pytest.raises(RunError) as caught:
        ghpages.publish({"g.png": b"x"}, remote=str(tmp_path / "r.git"))
    assert str(caught.value) == f"publish: cannot create a working folder in {tempfile.gettempdir()}: No space left on device"
