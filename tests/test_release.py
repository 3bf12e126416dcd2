"""The release: a digest-pinned release commit tagged and pushed while main keeps its Dockerfile, the
image built from a tree that says the release's version, both platforms, and major tags that only
move forward, even when two releases race."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import release_pin  # noqa: E402

DIGEST = "sha256:" + "ab" * 32


def test_pinned_action_changes_only_the_image_line():
    text = (ROOT / "action.yml").read_text()
    pinned = release_pin.pinned_action(text, "ghcr.io/acme/healthgrid", DIGEST)
    assert yaml.safe_load(pinned)["runs"] == {"using": "docker", "image": f"docker://ghcr.io/acme/healthgrid@{DIGEST}"}
    assert [a for a, b in zip(text.splitlines(), pinned.splitlines(), strict=False) if a != b] == ["  image: Dockerfile"]
    with pytest.raises(ValueError, match="already a release commit"):
        release_pin.pinned_action(pinned, "ghcr.io/acme/healthgrid", DIGEST)
    for image, digest in (("ghcr.io/Acme/x", DIGEST), ("ghcr.io/acme/x:v1", DIGEST), ("ghcr.io/acme/x", "sha256:abc")):
        with pytest.raises(ValueError):
            release_pin.pinned_action(text, image, digest)


def test_release_commit_is_tagged_pushed_and_main_keeps_the_dockerfile(tmp_path, monkeypatch, git):
    bare = tmp_path / "healthgrid.git"
    git("init", "--bare", "-q", "-b", "main", str(bare))
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work))
    (work / "action.yml").write_text((ROOT / "action.yml").read_text())
    (work / "Dockerfile").write_text("FROM python:3.12-slim\n")
    shutil.copytree(ROOT / "healthgrid", work / "healthgrid", ignore=shutil.ignore_patterns("__pycache__"))
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "main", cwd=work)
    git("tag", "v1.2.0", cwd=work)
    git("push", "-q", str(bare), "main", "v1.2.0", cwd=work)
    git("tag", "v1", cwd=work)  # an older major tag, to be moved
    git("remote", "add", "origin", str(bare), cwd=work)
    monkeypatch.chdir(work)
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "release_pin.py"), "--image", "ghcr.io/acme/healthgrid",
                          "--digest", DIGEST, "--tag", "v1.2.0", "--push", "origin"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    release = out.stdout.strip()
    main = git("--git-dir", str(bare), "rev-parse", "main")
    assert git("--git-dir", str(bare), "rev-parse", "v1^{commit}") == git("--git-dir", str(bare), "rev-parse", "v1.2.0^{commit}") == release
    assert git("--git-dir", str(bare), "rev-parse", f"{release}^") == main
    assert f"image: docker://ghcr.io/acme/healthgrid@{DIGEST}" in git("--git-dir", str(bare), "show", "v1:action.yml")
    assert "image: Dockerfile" in git("--git-dir", str(bare), "show", "main:action.yml")
    assert git("--git-dir", str(bare), "diff", "--name-only", "main", "v1") == "action.yml\nhealthgrid/__init__.py"
    # `healthgrid --version` from the release says the release.
    released = tmp_path / "released"
    released.mkdir()
    subprocess.run(f"git --git-dir {bare} archive v1.2.0 | tar -x -C {released}", shell=True, check=True, timeout=60)
    assert _version(released, tmp_path) == "healthgrid 1.2.0\n"


def _version(tree, cwd) -> str:
    """What `healthgrid --version` prints when the package is the one in `tree`."""
    proc = subprocess.run([sys.executable, "-m", "healthgrid", "--version"], cwd=cwd, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=60)
    return proc.stdout + proc.stderr


def test_the_image_is_built_from_a_tree_that_says_the_releases_version(tmp_path, git):
    """`--stamp` writes the release's version into the work tree the release workflow builds the
    image from, so `healthgrid --version` in the release image says the release; only that line changes."""
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work))
    shutil.copytree(ROOT / "healthgrid", work / "healthgrid", ignore=shutil.ignore_patterns("__pycache__"))
    before = (work / "healthgrid" / "__init__.py").read_text()
    pin = [sys.executable, str(ROOT / "tools" / "release_pin.py")]
    out = subprocess.run([*pin, "--stamp", "v2.0.0-rc.1"], cwd=work, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    after = (work / "healthgrid" / "__init__.py").read_text()
    assert [line for line in after.splitlines() if line not in before.splitlines()] == ['__version__ = "2.0.0-rc.1"']
    assert _version(work, tmp_path) == "healthgrid 2.0.0-rc.1\n"
    bad = subprocess.run([*pin, "--stamp", "2.0"], cwd=work, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--stamp: '2.0' must be vMAJOR.MINOR.PATCH" in bad.stderr
    bad = subprocess.run([sys.executable, str(ROOT / "tools" / "release_pin.py"), "--image", "ghcr.io/a/b", "--digest", DIGEST, "--tag", "v1"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "vMAJOR.MINOR.PATCH" in bad.stderr


def test_release_workflow_builds_both_platforms_and_pins_the_digest():
    doc = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    steps = doc["jobs"]["image"]["steps"]
    build = next(s for s in steps if s.get("uses", "").startswith("docker/build-push-action@"))
    assert set(build["with"]["platforms"].split(",")) == {"linux/amd64", "linux/arm64"} and build["with"]["push"] is True
    assert any(s.get("uses", "").startswith("docker/setup-qemu-action@") for s in steps)
    stamp = next(i for i, s in enumerate(steps) if "release_pin.py --stamp" in s.get("run", ""))
    assert stamp < steps.index(build), "the image is built from the tree that says the release's version"
    pin = next(s for s in steps if "release_pin.py" in s.get("run", "") and "--stamp" not in s["run"])
    assert pin["env"]["DIGEST"] == "${{ steps.build.outputs.digest }}" and "--push origin" in pin["run"]
    assert yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["image"] == "Dockerfile"


@pytest.fixture
def released(tmp_path, monkeypatch, git):
    """release(tag) runs release_pin for `tag` (tagged on a new commit of main) against a bare
    origin; tag_of(name) is the commit a tag names there."""
    bare, work = tmp_path / "healthgrid.git", tmp_path / "work"
    git("init", "--bare", "-q", "-b", "main", str(bare))
    git("init", "-q", "-b", "main", str(work))
    git("remote", "add", "origin", str(bare), cwd=work)
    (work / "action.yml").write_text((ROOT / "action.yml").read_text())
    (work / "healthgrid").mkdir()
    (work / "healthgrid" / "__init__.py").write_text((ROOT / "healthgrid" / "__init__.py").read_text())
    monkeypatch.chdir(work)

    def release(tag, push=True):
        (work / "CHANGES").write_text(tag)
        git("add", "-A", cwd=work)
        git("commit", "-q", "-m", tag, cwd=work)
        git("tag", "--force", tag, cwd=work)
        git("push", "-q", "--force", str(bare), "main", tag, cwd=work)
        assert release_pin.main(["--image", "ghcr.io/acme/healthgrid", "--digest", DIGEST, "--tag", tag] + (["--push", "origin"] if push else [])) == 0
        return git("--git-dir", str(bare), "rev-parse", f"{tag}^{{commit}}")

    release.tag_of = lambda name: git("--git-dir", str(bare), "rev-parse", f"{name}^{{commit}}")
    release.bare, release.work = bare, work
    return release


@pytest.mark.parametrize("order,major_at", [
    (["v1.4.0", "v1.5.0", "v1.4.1"], "v1.5.0"),  # a backport after a newer release
    (["v1.9.0", "v1.10.0"], "v1.10.0"),  # by version, not by spelling
    (["v1.2.0", "v1.3.0-rc.1", "v1.3.0-rc.2"], "v1.2.0"),  # pre-releases never move it
    (["v1.2.0", "v2.0.0", "v1.2.1"], "v1.2.1"),  # each major its own
])
def test_the_major_tag_only_moves_forward(released, capsys, order, major_at):
    commits = {tag: released(tag) for tag in order}
    assert released.tag_of(major_at.split(".")[0]) == commits[major_at]
    assert all(released.tag_of(tag) == commit for tag, commit in commits.items()), "each release tag is on its own release commit"
    if order[-1] != major_at:
        assert "stays where it is" in capsys.readouterr().err


def test_a_release_never_moves_the_major_tag_back_over_a_newer_one_that_is_only_on_the_remote(released, git):
    released("v1.4.0")
    newer = released("v1.5.0")
    git("tag", "-d", "v1.5.0", "v1", cwd=released.work)  # a CI checkout knows only the tag it builds
    released("v1.4.1")
    assert released.tag_of("v1") == newer


def test_a_major_tag_moved_meanwhile_is_read_again(released, monkeypatch, git, capsys):
    """Two releases at once: when v1 moves on the remote between reading and pushing, the lease
    fails and the newer release is seen."""
    released("v1.5.0")
    read = release_pin.tags
    calls = []

    def racing(remote=None):
        found = read(remote)
        if remote and not calls:
            calls.append(remote)
            git("push", "-q", "--force", str(released.bare), "HEAD~1:refs/tags/v1.6.0", "HEAD~1:refs/tags/v1", cwd=released.work)
        return found

    monkeypatch.setattr(release_pin, "tags", racing)
    (released.work / "CHANGES").write_text("backport")
    git("commit", "-qam", "backport", cwd=released.work)
    git("tag", "v1.5.1", cwd=released.work)
    assert release_pin.main(["--image", "ghcr.io/acme/healthgrid", "--digest", DIGEST, "--tag", "v1.5.1", "--push", "origin"]) == 0
    assert released.tag_of("v1") == released.tag_of("v1.6.0") and calls
    assert "v1 stays where it is: v1.6.0 is newer than v1.5.1" in capsys.readouterr().err
