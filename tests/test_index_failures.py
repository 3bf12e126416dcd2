"""The run's own status page (index.html in --out) never holds the grids back: it cannot be
written (a folder in its place, a full disk) is a warning naming it and the grids still publish;
it is built without following any link planted in --out; every I/O error names its file."""

import errno
import json
import os
import subprocess

import pytest

from healthgrid.errors import RunError
from healthgrid.files.outputs import write_files

from conftest import NOW, PAGES

CONFIG = "grids:\n  - {name: g, title: Gee, rows: [{label: A, query: 'avg:a{*}'}]}\n"


def run(cli, remote, *extra):
    return cli("run", "--demo", "--now", NOW, "--format", "png,html", "--theme", "light", "--publish", "ghpages",
               "--remote", str(remote), "--pages-url", PAGES, "--out", "out", *extra)


def on_branch(remote):
    out = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "-r", "-z", "--name-only", "gh-pages"], capture_output=True).stdout
    return set(out.decode().split("\0")) - {""}


def full_disk_for(monkeypatch, name):
    """fsync of `name` fails as a full disk does: ENOSPC, and no file name in the error."""
    real = os.fsync

    def fsync(fd):
        if os.readlink(f"/proc/self/fd/{fd}").endswith("/" + name):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd)

    monkeypatch.setattr("healthgrid.files.outputs.os.fsync", fsync)


def test_a_folder_where_index_html_goes_is_a_warning_and_the_grids_publish(in_tmp, cli, remote):
    (in_tmp / "healthgrid.yml").write_text(CONFIG)
    (in_tmp / "out" / "index.html").mkdir(parents=True)
    result = run(cli, remote)
    assert result.code == 0, result.err
    warning = next(line for line in result.err.splitlines() if "warning" in line)
    assert "'index.html'" in warning and "the grids go out all the same" in warning
    assert {"healthgrid/g.png", "healthgrid/g.html", "healthgrid/g.json", "healthgrid/index.html"} <= on_branch(remote)


def test_a_full_disk_at_index_html_is_a_warning_naming_it(in_tmp, cli, remote, monkeypatch):
    (in_tmp / "healthgrid.yml").write_text(CONFIG)
    full_disk_for(monkeypatch, "index.html")
    result = run(cli, remote)
    assert result.code == 0, result.err
    assert "cannot write 'index.html': No space left on device" in result.err
    assert "healthgrid/g.png" in on_branch(remote)


def test_a_full_disk_names_the_file_it_stopped_at(tmp_path, monkeypatch):
    full_disk_for(monkeypatch, "g_dark.png")
    with pytest.raises(RunError) as caught:
        write_files(tmp_path, {"g.png": b"a", "g_dark.png": b"b"})
    assert "cannot write 'g_dark.png': No space left on device; its files were left as they were" in str(caught.value)
    assert not (tmp_path / "g.png").exists()


def test_links_fifos_and_huge_files_in_out_are_never_followed_or_read_whole(in_tmp, cli):
    out = in_tmp / "out"
    out.mkdir()
    secret = in_tmp / "secret.json"
    secret.write_text(json.dumps({"title": "LEAKED TITLE"}))
    for stem in ("mem", "fifo", "huge", "leak"):
        (out / f"{stem}.png").write_bytes(b"png")
    (out / "mem.json").symlink_to("/proc/self/mem")
    os.mkfifo(out / "fifo.json")
    with open(out / "huge.json", "wb") as fh:
        fh.truncate(50_000_000)  # sparse: costs no disk
    (out / "leak.json").symlink_to(secret)
    (out / "elsewhere.png").symlink_to(in_tmp / "nowhere.png")
    result = cli("render", "--demo", "--now", NOW, "--format", "png,html", "--theme", "light", "--out", "out")
    assert result.code == 0, result.err
    page = (out / "index.html").read_text()
    assert "LEAKED" not in page and "elsewhere" not in page
    assert '<p class="summary">5 grids:' in page, "health_grid and the four planted ones, those without data as unknown"
    assert page.count("no readable") == 4


def test_a_file_name_that_is_not_text_in_out_is_not_a_grid(in_tmp, cli):
    out = in_tmp / "out"
    out.mkdir()
    with open(bytes(out) + b"/bad\xff.png", "wb") as fh:
        fh.write(b"png")
    result = cli("render", "--demo", "--now", NOW, "--format", "html", "--theme", "light", "--out", "out")
    assert result.code == 0, result.err
    assert '<p class="summary">1 grid:' in (out / "index.html").read_text()
