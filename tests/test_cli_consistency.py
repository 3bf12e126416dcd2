"""One CLI, one behaviour: --grid lists, widget JSON shape, publish options checked before any
rendering, status lines in plain words, cross-repository publishing and commit messages."""

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from healthgrid.pipeline import status_line
from healthgrid.text import plural

from conftest import EXAMPLE_CONFIG, NOW
from helpers import make_grid

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def two_grids(in_tmp):
    """The example config plus a copy of its grid under a second name."""
    doc = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    doc["grids"].append(dict(doc["grids"][0], name="second", title="Second"))
    config = in_tmp / "two.yml"
    config.write_text(yaml.safe_dump(doc, sort_keys=False))
    return config


def test_grid_takes_a_comma_separated_list_like_the_actions_input(cli, two_grids):
    both = cli("render", "--demo", "--now", NOW, "--config", str(two_grids), "--grid", "system_health,second", "--out", "a", "--json")
    repeated = cli("render", "--demo", "--now", NOW, "--config", str(two_grids), "--grid", "system_health", "--grid", "second", "--out", "b", "--json")
    assert both.code == repeated.code == 0, both.err
    assert [g["name"] for g in json.loads(both.out)["grids"]] == ["system_health", "second"]
    assert [g["name"] for g in json.loads(repeated.out)["grids"]] == ["system_health", "second"]
    unknown = cli("render", "--demo", "--config", str(two_grids), "--grid", "system_health,nope")
    assert unknown.code == 2 and unknown.err.startswith("healthgrid: error:") and "nope" in unknown.err


def test_widget_prints_a_list_for_one_grid_as_for_several(cli, two_grids):
    pages = ["--pages-url", "https://acme.github.io/health"]
    one = json.loads(cli("widget", "--config", str(two_grids), "--grid", "second", *pages).out)
    several = json.loads(cli("widget", "--config", str(two_grids), *pages).out)
    single_url = json.loads(cli("widget", "--url", "https://x/g.png", "--dark-url", "https://x/g_dark.png").out)
    assert isinstance(one, list) and isinstance(several, list) and isinstance(single_url, list)
    assert [w["definition"]["url"] for w in one] == ["https://acme.github.io/health/healthgrid/second.png"]
    assert len(several) == 2 and single_url[0]["definition"]["url_dark_theme"] == "https://x/g_dark.png"


def test_run_checks_publish_options_before_rendering(cli, in_tmp, monkeypatch):
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    result = cli("run", "--demo", "--publish", "ghpages", "--remote", str(in_tmp / "x.git"), "--out", "out")
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "healthgrid: error: --pages-url: not given and GITHUB_REPOSITORY is not set; pass e.g. --pages-url https://OWNER.github.io/REPO"]
    assert not (in_tmp / "out").exists(), "nothing is rendered when the publish options are wrong"
    bad_path = cli("run", "--demo", "--publish", "ghpages", "--pages-url", "https://a.github.io/b", "--remote", "x", "--path", "../up", "--out", "out")
    assert bad_path.code == 2 and "--path" in bad_path.err and not (in_tmp / "out").exists()
    monkeypatch.delenv("IMGUR_CLIENT_ID", raising=False)
    imgur = cli("run", "--demo", "--publish", "imgur", "--out", "out")
    assert imgur.code == 2 and "IMGUR_CLIENT_ID" in imgur.err and not (in_tmp / "out").exists()


def test_status_lines_say_one_row_one_day_and_count_cells_without_data(cli, in_tmp):
    assert plural(1, "row") == "1 row" and plural(2, "day") == "2 days" and plural(0, "cell") == "0 cells"
    grid = make_grid([("a", [float("nan")])])
    assert status_line(grid, 0.5) == "t: 1 row × 1 day, 1 of 1 cell without data, 0.50s"
    doc = {"name": "g", "title": "G", "timezone": "UTC", "days": ["2026-11-27", "2026-11-28"], "now": NOW,
           "rows": [{"label": "A", "query": "q", "values": [0.5, None], "raw": [0.5, None]}]}
    (in_tmp / "g.json").write_text(json.dumps(doc))
    result = cli("render", "--data", "g.json", "--now", NOW, "--out", "o")
    assert result.code == 0, result.err
    assert "healthgrid: g: 1 row × 2 days, 1 of 2 cells without data," in result.err


def test_repository_publishes_to_another_repositorys_branch_with_its_pages_url(cli, in_tmp, monkeypatch, git, branch_files):
    server = in_tmp / "server"
    bare = server / "acme" / "dashboards.git"
    git("init", "--bare", "-q", str(bare))
    monkeypatch.setenv("GITHUB_SERVER_URL", str(server))  # stands in for https://github.com
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/health")
    assert cli("render", "--demo", "--now", NOW, "--out", "out").code == 0
    result = cli("publish", "ghpages", "out", "--repository", "acme/dashboards", "--message", "dashboards: health grid\n\nfrom acme/health", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["images"][0]["url"] == "https://acme.github.io/dashboards/healthgrid/health_grid.png"
    assert "healthgrid/health_grid.png" in branch_files(bare)
    message = git("--git-dir", str(bare), "log", "-1", "--format=%B", "gh-pages").strip()
    assert message == ("dashboards: health grid\n\nfrom acme/health\n\n"
                       "Published-by: healthgrid\nPublished-path: healthgrid\nPublished-path: .nojekyll")


@pytest.mark.parametrize("argv, message", [
    (["--repository", "acme"], "--repository: 'acme' must be OWNER/REPO"),
    (["--repository", "acme/../x"], "must be OWNER/REPO"),
    (["--repository", "acme/x", "--remote", "y"], "--repository: give --repository or --remote, not both"),
    (["--message", "bad\x1b[31m"], "--message: must not contain control characters"),
    (["--message", "x" * 2001], "--message: 2001 characters; at most 2000"),
])
def test_repository_and_message_are_checked(cli, in_tmp, argv, message):
    (in_tmp / "out").mkdir()
    (in_tmp / "out" / "g.png").write_bytes(b"png")
    result = cli("publish", "ghpages", "out", "--pages-url", "https://a.github.io/b", *argv)
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1 and message in result.err


def test_make_demo_installs_the_runtime_only():
    proc = subprocess.run(["make", "-n", "-B", "demo"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert "requirements/runtime.txt" in proc.stdout and "test.txt" not in proc.stdout
    tests = subprocess.run(["make", "-n", "-B", "test"], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout
    assert "requirements/test.txt" in tests and "pytest" in tests


def test_readme_stays_inside_the_repository_and_commands_run_from_the_clone():
    readme = (ROOT / "README.md").read_text()
    assert "../" not in readme and "/work/" not in readme
    assert "pip install 'healthgrid[s3]'" not in readme
    blocks = [line for block in readme.split("```")[1::2] for line in block.splitlines()]
    bare = [line for line in blocks if line.startswith("healthgrid ")]
    assert not bare, f"commands that need an activated venv: {bare}"
    assert (ROOT / "examples" / "health_dashboard.yml").is_file()
