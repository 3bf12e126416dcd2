"""The pages branch's history: `--keep` (publish.keep, the Action's pages-keep) bounds the commits
healthgrid wrote, and only those. A branch that also holds other people's commits (Pages served from
`main`) keeps every one of theirs: healthgrid adds its own on top of anyone else's and never
force-pushes over a commit it did not write. A commit counts as healthgrid's own (and may be pruned)
only when every path it changes is a file healthgrid writes under a path it declares: a grid's file
(NAME.png, NAME_dark.png, .svg, .html, .json, .md, .badge.json) or a status page; another workflow
committing as the Actions bot, with a copied summary or trailer, keeps its commit whatever else it
touched. The real git CLI against local bare repositories."""

import os
import subprocess

import pytest

from healthgrid.publish.ghpages import publish
from healthgrid.publish.git import BOT_EMAIL, BOT_NAME, Git

from conftest import NOW, PAGES

BOT = {"GIT_AUTHOR_NAME": BOT_NAME, "GIT_AUTHOR_EMAIL": BOT_EMAIL, "GIT_COMMITTER_NAME": BOT_NAME, "GIT_COMMITTER_EMAIL": BOT_EMAIL}


@pytest.fixture
def main_repo(tmp_path, git):
    """A repository whose `main` holds five developer commits, and the developer's clone."""
    bare = tmp_path / "repo.git"
    git("init", "--bare", "-q", "-b", "main", str(bare))
    dev = tmp_path / "dev"
    git("init", "-q", "-b", "main", str(dev))
    for i in range(5):
        (dev / "src.txt").write_text(f"v{i}\n")
        git("add", "src.txt", cwd=dev)
        git("commit", "-qm", f"dev change {i}", cwd=dev)
    git("push", "-q", str(bare), "main", cwd=dev)
    return bare, dev


def history(git, bare, branch="main"):
    return git("--git-dir", str(bare), "rev-list", "--first-parent", branch).split()


def dev_commit(git, dev, bare, name, text, message=None, env=None):
    """A commit on main by someone else (pulling healthgrid's commits first)."""
    git("pull", "-q", "--rebase", str(bare), "main", cwd=dev)
    (dev / name).parent.mkdir(parents=True, exist_ok=True)
    (dev / name).write_text(text)
    git("add", name, cwd=dev)
    args = ["commit", "-qm", message or f"dev: {name}"]
    if env:
        subprocess.run(["git", *args], cwd=dev, env={**os.environ, **env}, check=True, capture_output=True)
    else:
        git(*args, cwd=dev)
    git("push", "-q", str(bare), "main", cwd=dev)
    return git("rev-parse", "HEAD", cwd=dev)


def test_publishing_to_main_keeps_every_developer_commit(tmp_path, main_repo, cli, git, show, out_dir):
    bare, _ = main_repo
    theirs = history(git, bare)
    for run in range(3):
        d = out_dir(tmp_path, content=f"png {run}".encode(), sub=f"out{run}")
        result = cli("publish", "ghpages", str(d), "--remote", str(bare), "--branch", "main", "--path", "docs/healthgrid",
                     "--pages-url", PAGES, "--keep", "1")
        assert result.code == 0, result.err
        after = history(git, bare)
        assert after[1:] == theirs, "the developer's five commits stay, with their ids; healthgrid's one goes on top"
        assert "warning" not in result.err and "commits healthgrid did not write stay below its own" in result.err
    assert show(bare, "docs/healthgrid/health_grid.png", "main") == b"png 2"
    assert show(bare, "src.txt", "main") == b"v4\n"


@pytest.mark.parametrize("keep", [1, 3])
def test_keep_bounds_only_healthgrids_own_commits_above_the_newest_foreign_one(main_repo, git, keep, show):
    bare, dev = main_repo
    for i in range(4):
        publish({"g.png": f"a{i}".encode()}, remote=str(bare), branch="main", path="site", keep=keep)
    newest_dev = dev_commit(git, dev, bare, "README", "hello\n")
    for i in range(5):
        publish({"g.png": f"b{i}".encode()}, remote=str(bare), branch="main", path="site", keep=keep)
    after = history(git, bare)
    assert after[keep] == newest_dev, "at most `keep` healthgrid commits above the developer's newest"
    assert [show(bare, "site/g.png", c) for c in after[:keep]] == [f"b{4 - n}".encode() for n in range(keep)]
    # What lies below the developer's commit is history they built on: never rewritten.
    assert git("--git-dir", str(bare), "merge-base", "--is-ancestor", newest_dev, "main") == ""
    git("--git-dir", str(bare), "fsck", "--no-progress")


@pytest.mark.parametrize("keep", [1, 2], ids=["pruning-push", "adding-push"])
def test_a_commit_pushed_between_fetch_and_push_survives(main_repo, git, monkeypatch, keep):
    bare, dev = main_repo
    publish({"g.png": b"1"}, remote=str(bare), branch="main", path="site", keep=keep)
    pushed = []
    real_run = Git.run

    def run(self, *args, **kwargs):
        if args[0] == "push" and not pushed:
            pushed.append(dev_commit(git, dev, bare, "late.txt", "late\n"))
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(Git, "run", run)
    result = publish({"g.png": b"2"}, remote=str(bare), branch="main", path="site", keep=keep)
    assert result.changed and result.attempts == 2
    after = history(git, bare)
    assert after[1] == pushed[0], "the late commit is kept, healthgrid's goes on top of it"
    assert git("--git-dir", str(bare), "show", "main:late.txt") == "late"


@pytest.mark.parametrize("how", ["developer-copies-the-message", "bot-touches-other-paths", "merge"])
def test_commits_that_only_look_like_healthgrids_are_kept(main_repo, git, how, tmp_path):
    bare, dev = main_repo
    publish({"g.png": b"1"}, remote=str(bare), branch="main", path="site", keep=1)
    mimic = "healthgrid: publish 1 file(s) under /site\n\nPublished-by: healthgrid\nPublished-path: site"
    if how == "developer-copies-the-message":  # a cherry-pick or squash carries the message, not the author
        kept = dev_commit(git, dev, bare, "site/g.png", "dev's own", message=mimic)
    elif how == "bot-touches-other-paths":  # another workflow committing as the Actions bot
        kept = dev_commit(git, dev, bare, "src.txt", "bot edit\n", message=mimic, env=BOT)
    else:
        git("pull", "-q", "--rebase", str(bare), "main", cwd=dev)
        git("checkout", "-qb", "topic", cwd=dev)
        (dev / "topic.txt").write_text("t")
        git("add", "topic.txt", cwd=dev)
        git("commit", "-qm", "topic", cwd=dev)
        git("checkout", "-q", "main", cwd=dev)
        git("merge", "-q", "--no-ff", "-m", mimic, "topic", cwd=dev, check=True)
        git("push", "-q", str(bare), "main", cwd=dev)
        kept = git("rev-parse", "HEAD", cwd=dev)
    publish({"g.png": b"2"}, remote=str(bare), branch="main", path="site", keep=1)
    after = history(git, bare)
    assert after[1] == kept


def test_other_healthgrid_publishers_commits_are_pruned_and_their_files_kept(remote, git, branch_files, show):
    bare = remote.parent / "fresh.git"
    git("init", "--bare", "-q", str(bare))
    for path in ("alpha", "beta", "previews/pr-1"):
        publish({"g.png": path.encode()}, remote=str(bare), path=path, keep=1)
    publish({}, remote=str(bare), remove=["previews/pr-1"], keep=1)
    publish({"g.png": b"alpha 2"}, remote=str(bare), path="alpha", keep=1)
    assert len(history(git, bare, "gh-pages")) == 1, "a branch only healthgrid wrote stays at --keep commits"
    assert branch_files(bare) == [".nojekyll", "alpha/g.png", "beta/g.png"]
    assert show(bare, "beta/g.png") == b"beta"


def _bot_commit(git, work, message):
    git("add", "-A", cwd=work)
    subprocess.run(["git", "commit", "-qm", message], cwd=work, env={**os.environ, **BOT}, check=True)


@pytest.mark.parametrize("keep", [1, 2])
def test_a_branch_an_older_healthgrid_wrote_keeps_working_and_stays_bounded(remote, git, tmp_path, keep, show, commit_count):
    """Older versions cut history to one root commit holding every file (someone else's index.html
    included), marked with the trailer but without Published-path; before the trailer, only the
    bot's summary line said whose a commit was."""
    work = tmp_path / "legacy"
    git("clone", "-q", "-b", "gh-pages", str(remote), str(work))
    git("checkout", "-q", "--orphan", "cut", cwd=work)
    (work / "healthgrid").mkdir()
    (work / "healthgrid" / "g.png").write_text("old")
    _bot_commit(git, work, "healthgrid: publish 1 file(s) under /healthgrid\n\nPublished-by: healthgrid")
    (work / "healthgrid" / "g.png").write_text("old 2")
    _bot_commit(git, work, "healthgrid: publish 1 file(s) under /healthgrid")
    git("push", "-qf", str(remote), "cut:gh-pages", cwd=work)
    assert commit_count(remote) == 2
    for i in range(3):
        assert publish({"g.png": f"new {i}".encode()}, remote=str(remote), keep=keep).changed
    assert commit_count(remote) == keep, "an older healthgrid's commits are healthgrid's: pruned as before"
    assert show(remote, "index.html") == b"<h1>someone else's page</h1>\n"
    assert show(remote, "healthgrid/g.png") == b"new 2"


def test_someone_elses_gh_pages_commit_stays_under_healthgrids(remote, git, commit_count, tmp_path, cli, out_dir):
    theirs = git("--git-dir", str(remote), "rev-parse", "gh-pages")
    for i in range(3):
        result = cli("publish", "ghpages", str(out_dir(tmp_path, content=f"{i}".encode(), sub=f"o{i}")), "--remote", str(remote),
                     "--pages-url", PAGES)
        assert result.code == 0, result.err
    assert commit_count(remote) == 2 and git("--git-dir", str(remote), "rev-parse", "gh-pages~1") == theirs


def test_each_commit_says_whose_it_is_and_which_paths_it_touched(main_repo, git):
    bare, _ = main_repo
    publish({"g.png": b"1"}, remote=str(bare), branch="main", path="site", keep=5, remove=["old"])
    message = git("--git-dir", str(bare), "log", "-1", "--format=%B", "main")
    assert message.splitlines()[-3:] == ["Published-by: healthgrid", "Published-path: site", "Published-path: old"]


@pytest.mark.parametrize("foreign_base", [False, True])
def test_lowering_keep_prunes_the_older_own_commits_beyond_what_was_fetched(remote, git, foreign_base, show):
    bare = remote
    if not foreign_base:
        bare = remote.parent / "fresh.git"
        git("init", "--bare", "-q", str(bare))
    for i in range(6):
        publish({"g.png": f"{i}".encode()}, remote=str(bare), keep=6)
    publish({"g.png": b"last"}, remote=str(bare), keep=1)
    assert len(history(git, bare, "gh-pages")) == 1 + foreign_base
    assert show(bare, "healthgrid/g.png") == b"last"


# --- healthgrid's own commits on a branch it alone writes ---------------------------------------------

def publish_cli(cli, d, remote, *argv):
    return cli("publish", "ghpages", str(d), "--remote", str(remote), "--pages-url", PAGES, *argv)


@pytest.mark.parametrize("keep", [1, 3])
def test_history_is_bounded_by_keep(tmp_path, remote, keep, git, branch_files, commit_count, show):
    for i in range(keep + 2):
        publish({"g.png": f"image {i}".encode()}, remote=str(remote), keep=keep)
    assert commit_count(remote) == keep + 1, "healthgrid's newest `keep` commits, on the commit someone else wrote"
    # The branch holds the newest `keep` versions, newest first; older ones are gone.
    assert [show(remote, "healthgrid/g.png", f"gh-pages~{n}") for n in range(keep)] == [f"image {keep + 1 - n}".encode() for n in range(keep)]
    assert "index.html" in branch_files(remote)
    git("--git-dir", str(remote), "fsck", "--no-progress")  # the repository is still sound (check=True raises otherwise)


def test_history_within_the_bound_is_not_rewritten(tmp_path, remote, git):
    publish({"g.png": b"1"}, remote=str(remote), keep=5)
    before = git("--git-dir", str(remote), "rev-list", "gh-pages").splitlines()
    publish({"g.png": b"2"}, remote=str(remote), keep=5)
    after = git("--git-dir", str(remote), "rev-list", "gh-pages").splitlines()
    assert after[1:] == before, "older commits keep their ids while the history fits"


@pytest.mark.parametrize("keep", [1, 3])
def test_keep_never_drops_someone_elses_history(tmp_path, remote, cli, keep, git, commit_count, show, out_dir):
    theirs = tmp_path / "theirs"  # the clone the `remote` fixture pushed their page from
    for i in range(4):
        (theirs / "index.html").write_text(f"page {i}")
        git("commit", "-qam", f"their change {i}", cwd=theirs)
    git("push", "-q", str(remote), "gh-pages", cwd=theirs)
    their_commits = git("--git-dir", str(remote), "rev-list", "gh-pages").split()
    for run in range(keep + 2):
        result = publish_cli(cli, out_dir(tmp_path, content=f"run {run}".encode()), remote, "--keep", str(keep))
        assert result.code == 0 and "warning" not in result.err, result.err
    assert commit_count(remote) == 5 + keep
    assert git("--git-dir", str(remote), "rev-list", f"gh-pages~{keep}").split() == their_commits, "their five commits, ids unchanged"
    assert show(remote, "index.html") == b"page 3", "their files stay"


def test_keep_prunes_its_own_commits_silently(tmp_path, remote, cli, commit_count, out_dir):
    publish({"g.png": b"1"}, remote=str(remote), keep=1)
    publish({"g.png": b"2"}, remote=str(remote), keep=2)
    result = publish_cli(cli, out_dir(tmp_path), remote, "--keep", "1")
    assert result.code == 0 and "warning" not in result.err and commit_count(remote) == 2


# --- the bound itself -------------------------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [
    ("0", "healthgrid: error: --keep: must be at least 1"),
    ("99999999999999999999", "healthgrid: error: --keep: must be at most 1000, got 99999999999999999999"),
])
def test_keep_outside_its_bounds_is_a_usage_error_and_nothing_is_pushed(tmp_path, remote, cli, git, out_dir, value, expected):
    before = git("--git-dir", str(remote), "rev-parse", "gh-pages")
    result = publish_cli(cli, out_dir(tmp_path), remote, "--keep", value)
    assert (result.code, result.err) == (2, expected + "\n")
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages") == before


def test_publish_keep_in_the_config_is_read_and_bounded(in_tmp, cli):
    from healthgrid.config import DEFAULT_CONFIG, parse_config

    assert parse_config(dict(DEFAULT_CONFIG, publish={"to": "ghpages", "keep": 3}), "x").publish.keep == 3
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\npublish: {to: ghpages, keep: 0}\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    assert result.code == 2 and result.err.startswith("healthgrid: error: publish.keep: must be between 1 and 1000"), result.err
    assert len(result.err.splitlines()) == 1 and not (in_tmp / "out").exists()


@pytest.fixture
def published_main(main_repo, git):
    """`main` with the developers' commits and healthgrid's on top, and the developer's clone."""
    bare, dev = main_repo
    publish({"g.png": b"1"}, remote=str(bare), branch="main", path="site", keep=1)
    git("pull", "-q", "--rebase", str(bare), "main", cwd=dev)
    return bare, dev


def bot_commit_of(git, dev, bare, files: dict, message: str) -> str:
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
def test_a_bot_commit_touching_anything_else_is_someone_elses(published_main, git, files, message):
    bare, dev = published_main
    theirs = bot_commit_of(git, dev, bare, files, message)
    publish({"g.png": b"2"}, remote=str(bare), branch="main", path="site", keep=1)
    after = history(git, bare)
    assert after[1] == theirs, "kept, with healthgrid's commit on top"


@pytest.mark.parametrize("files, message", [
    ({"site/g.png": "x", "site/g_dark.png": "x", "site/g.svg": "x", "site/g_dark.svg": "x", "site/g.html": "x",
      "site/g_dark.html": "x", "site/g.json": "{}", "site/g.md": "x", "site/g.badge.json": "{}", "site/index.html": "x"},
     "healthgrid: publish 10 file(s) under /site\n\nPublished-by: healthgrid\nPublished-path: site"),
    ({"other/a-b_c.png": "x"}, "healthgrid: publish 1 file(s) under /"),  # an older version's summary, whole branch
])
def test_a_commit_of_healthgrids_own_files_is_still_pruned(published_main, git, files, message):
    bare, dev = published_main
    before = history(git, bare)
    bot_commit_of(git, dev, bare, files, message)
    publish({"g.png": b"2"}, remote=str(bare), branch="main", path="site", keep=1)
    after = history(git, bare)
    assert after[1:] == before[1:], "healthgrid's commits above the developer's are one again"
