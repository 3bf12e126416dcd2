"""A commit counts as healthgrid's own (and may be pruned) only when every path it changes is a
file healthgrid writes under a path it declares: a grid's file (NAME.png, NAME_dark.png, .svg,
.html, .json, .md, .badge.json) or a status page. Another workflow committing as the Actions bot,
with a copied summary or trailer, keeps its commit whatever else it touched."""

import os
import subprocess

import pytest

from healthgrid.publish.ghpages import publish
from healthgrid.publish.git import BOT_EMAIL, BOT_NAME

BOT = {"GIT_AUTHOR_NAME": BOT_NAME, "GIT_AUTHOR_EMAIL": BOT_EMAIL, "GIT_COMMITTER_NAME": BOT_NAME, "GIT_COMMITTER_EMAIL": BOT_EMAIL}


@pytest.fixture
def main(tmp_path, git):
    """`main` with a developer's commit and healthgrid's, and the developer's clone."""
    bare = tmp_path / "repo.git"
    git("init", "--bare", "-q", "-b", "main", str(bare))
    dev = tmp_path / "dev"
    git("init", "-q", "-b", "main", str(dev))
    (dev / "src.txt").write_text("v0\n")
    git("add", "src.txt", cwd=dev)
    git("commit", "-qm", "dev", cwd=dev)
    git("push", "-q", str(bare), "main", cwd=dev)
    publish({"g.png": b"1"}, remote=str(bare), branch="main", path="site", keep=1)
    git("pull", "-q", "--rebase", str(bare), "main", cwd=dev)
    return bare, dev


def bot_commit(git, dev, bare, files: dict, message: str) -> str:
    for name, text in files.items():
        (dev / name).parent.mkdir(parents=True, exist_ok=True)
        (dev / name).write_text(text)
        git("add", name, cwd=dev)
    subprocess.run(["git", "commit", "-qm", message], cwd=dev, env={**os.environ, **BOT}, check=True)
    git("push", "-q", str(bare), "main", cwd=dev)
    return git("rev-parse", "HEAD", cwd=dev)


@pytest.mark.parametrize("files, message", [
    ({"src.txt": "bot edit\n"}, "healthgrid: publish 1 file(s) under /"),  # an older version's summary, whole branch
    ({"src.txt": "bot edit\n"}, "deploy\n\nPublished-by: healthgrid\nPublished-path: src.txt"),  # a copied trailer
    ({"site/notes.txt": "x"}, "healthgrid: publish 1 file(s) under /site\n\nPublished-by: healthgrid\nPublished-path: site"),
    ({"site/g.png": "x", "site/run.sh": "x"}, "healthgrid: publish 2 file(s) under /site"),
    ({"site/G.png": "x"}, "healthgrid: publish 1 file(s) under /site"),  # no grid is named so
    ({"site/g.png.bak": "x"}, "healthgrid: publish 1 file(s) under /site"),
], ids=["legacy-root-summary", "copied-trailer", "other-file-in-declared-folder", "one-of-two", "upper-case", "suffix"])
def test_a_bot_commit_touching_anything_else_is_someone_elses(main, git, files, message):
    bare, dev = main
    theirs = bot_commit(git, dev, bare, files, message)
    publish({"g.png": b"2"}, remote=str(bare), branch="main", path="site", keep=1)
    history = git("--git-dir", str(bare), "rev-list", "main").split()
    assert history[1] == theirs, "kept, with healthgrid's commit on top"


@pytest.mark.parametrize("files, message", [
    ({"site/g.png": "x", "site/g_dark.png": "x", "site/g.svg": "x", "site/g_dark.svg": "x", "site/g.html": "x",
      "site/g_dark.html": "x", "site/g.json": "{}", "site/g.md": "x", "site/g.badge.json": "{}", "site/index.html": "x"},
     "healthgrid: publish 10 file(s) under /site\n\nPublished-by: healthgrid\nPublished-path: site"),
    ({"other/a-b_c.png": "x"}, "healthgrid: publish 1 file(s) under /"),  # an older version's summary, whole branch
])
def test_a_commit_of_healthgrids_own_files_is_still_pruned(main, git, files, message):
    bare, dev = main
    before = git("--git-dir", str(bare), "rev-list", "main").split()
    bot_commit(git, dev, bare, files, message)
    publish({"g.png": b"2"}, remote=str(bare), branch="main", path="site", keep=1)
    history = git("--git-dir", str(bare), "rev-list", "main").split()
    assert history[1:] == before[1:], "healthgrid's commits above the developer's are one again"
