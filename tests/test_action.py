"""The Docker action's contract, run the way the runner runs it: outputs, the job summary, masks,
annotations, the pull-request comment, publishing to another repository with a commit message, a
removal that renders nothing, the embed output; and the linters of action.yml, the workflows and
the Dockerfile."""

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from healthgrid.action.summary import embed_block

from conftest import NOW
from fakes.github import TOKEN, FakeGitHub

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv's tools: actionlint, hadolint, check-jsonschema
# One small grid, for the runs whose checks are about the Action rather than the picture.
SMALL = "grids:\n  - {name: health_grid, title: Small grid, days: 2, rows: [{label: A, query: 'avg:a{*}'}]}\n"
SECRETS = {
    "INPUT_DATADOG-API-KEY": "ddapikey-0123456789abcdef",
    "INPUT_DATADOG_APP_KEY": "ddappkey-fedcba9876543210",  # the underscore spelling is read too
    "INPUT_IMGUR-CLIENT-ID": "imgurclient-42424242",
    "INPUT_GITHUB-TOKEN": "ghs_runnertoken_0123456789",
}


def test_demo_publish_to_the_workspaces_origin(runner, branch_files):
    (runner.workspace / "healthgrid.yml").write_text(SMALL)
    proc, outputs, summary = runner({"INPUT_DEMO": "true", "INPUT_PUBLISH": "ghpages", "INPUT_NOW": NOW, **SECRETS})
    assert proc.returncode == 0, proc.stderr
    assert outputs["image-url"] == "https://acme.github.io/health/healthgrid/health_grid.png"
    assert outputs["dark-image-url"] == "https://acme.github.io/health/healthgrid/health_grid_dark.png"
    assert outputs["changed"] == "true"
    images = json.loads(outputs["images"])
    assert [i["file"] for i in images] == ["health_grid.png", "health_grid_dark.png"]
    assert "healthgrid/health_grid.png" in branch_files(runner.bare)
    assert summary.startswith("## Small grid\n")
    assert f"]({images[0]['versioned_url']})" in summary and "| Metric |" in summary
    again = runner({"INPUT_DEMO": "true", "INPUT_PUBLISH": "ghpages", "INPUT_NOW": NOW})
    assert again[0].returncode == 0 and again[1]["changed"] == "false"


def test_a_dark_only_runs_summary_shows_its_image_at_the_published_url(runner):
    """The summary is built from what the run says in words, its image pointed at the URL the image
    was published at (NAME.md names it by file, which means nothing in a summary), whichever theme."""
    (runner.workspace / "healthgrid.yml").write_text(SMALL)
    proc, outputs, summary = runner({"INPUT_DEMO": "true", "INPUT_PUBLISH": "ghpages", "INPUT_NOW": NOW, "INPUT_THEME": "dark"})
    assert proc.returncode == 0, proc.stderr
    (image,) = json.loads(outputs["images"])
    assert image["file"] == "health_grid_dark.png"
    assert f"]({image['versioned_url']})" in summary and "](health_grid_dark.png)" not in summary


def test_each_secret_appears_only_in_its_mask_line_before_anything_else(runner, git):
    (runner.workspace / "healthgrid.yml").write_text(SMALL)
    proc, outputs, summary = runner({"INPUT_DEMO": "true", "INPUT_PUBLISH": "ghpages", "INPUT_NOW": NOW, "INPUT_THEME": "light", **SECRETS})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    masks = [line for line in lines if line.startswith("::add-mask::")]
    assert lines[: len(masks)] == masks, "masks come first"
    everything = proc.stdout + proc.stderr + json.dumps(outputs) + summary
    for secret in SECRETS.values():
        assert everything.count(secret) == 1 and f"::add-mask::{secret}" in masks
    assert "ddapikey" not in git("--git-dir", str(runner.bare), "log", "-p", "--all")


def test_failures_are_error_annotations_and_a_summary_line(runner):
    proc, outputs, summary = runner({"INPUT_PUBLISH": "none", "INPUT_DATADOG-API-KEY": "", "INPUT_DATADOG-APP-KEY": ""})
    assert proc.returncode == 2
    assert "::error title=healthgrid::DD_API_KEY: not set" in proc.stdout
    assert "**healthgrid failed:**\n\n```text\nDD_API_KEY: not set" in summary
    assert outputs["changed"] == "false" and outputs["image-url"] == ""


def test_grid_input_selects_grids_and_pr_comment_posts_once(runner, tmp_path):
    (runner.workspace / "healthgrid.yml").write_text(
        "grids:\n" + "".join(f"  - {{name: {n}, rows: [{{label: A, query: 'avg:a{{*}}'}}]}}\n" for n in ("one", "two", "three")))
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 12}}))
    gh = FakeGitHub().start()
    try:
        env = {"GITHUB_API_URL": gh.url, "GITHUB_EVENT_PATH": str(event)}
        inputs = {"INPUT_DEMO": "true", "INPUT_PUBLISH": "ghpages", "INPUT_GRID": "one, three", "INPUT_PR-COMMENT": "true",
                  "INPUT_PAGES-PATH": "previews/pr-12", "INPUT_GITHUB-TOKEN": TOKEN, "INPUT_THEME": "light"}
        proc, outputs, _ = runner(inputs, env)
        assert proc.returncode == 0, proc.stderr
        assert [i["file"] for i in json.loads(outputs["images"])] == ["one.png", "three.png"]
        assert outputs["image-url"] == "https://acme.github.io/health/previews/pr-12/one.png"
        (comment,) = gh.comments[12]
        assert "<!-- healthgrid-preview -->" in comment["body"] and "previews/pr-12/three.png?v=" in comment["body"]
    finally:
        gh.stop()


def test_action_publishes_to_another_repository_with_a_commit_message(runner, tmp_path, git, branch_files):
    server = tmp_path / "server"
    other = server / "acme" / "dashboards.git"
    git("init", "--bare", "-q", str(other))
    proc, outputs, summary = runner({"INPUT_DEMO": "true", "INPUT_PUBLISH": "ghpages", "INPUT_NOW": NOW, "INPUT_REPOSITORY": "acme/dashboards",
                                     "INPUT_COMMIT-MESSAGE": "dashboards: hourly grid"}, {"GITHUB_SERVER_URL": str(server)})
    assert proc.returncode == 0, proc.stderr
    assert outputs["image-url"] == "https://acme.github.io/dashboards/healthgrid/health_grid.png"
    assert "healthgrid/health_grid.badge.json" in branch_files(other)
    assert git("--git-dir", str(other), "log", "-1", "--format=%s", "gh-pages") == "dashboards: hourly grid"
    assert git("--git-dir", str(runner.bare), "branch", "--list", "gh-pages") == ""  # this repository untouched
    images = {i["file"]: i["versioned_url"] for i in json.loads(outputs["images"])}
    assert outputs["embed"].startswith(f'<picture><source media="(prefers-color-scheme: dark)" srcset="{images["health_grid_dark.png"]}">')
    assert f'<img src="{images["health_grid.png"]}" alt="System Health Rollup' in outputs["embed"]
    assert f"```html\n{outputs['embed']}\n```" in summary  # shown for copy-paste, not rendered


def test_action_remove_deletes_only_that_path_and_renders_nothing(runner, git, branch_files, cli, out_dir, tmp_path):
    for path in ("previews/pr-7", "previews/pr-70"):  # two previews already published
        published = cli("publish", "ghpages", str(out_dir(tmp_path)), "--remote", str(runner.bare), "--path", path,
                        "--pages-url", "https://acme.github.io/health")
        assert published.code == 0, published.err
    proc, outputs, _ = runner({"INPUT_REMOVE": "previews/pr-7\n", "INPUT_COMMIT-MESSAGE": "preview: remove pr-7"})
    assert proc.returncode == 0, proc.stderr
    files = branch_files(runner.bare)
    assert not any(f.startswith("previews/pr-7/") for f in files) and "previews/pr-70/health_grid.png" in files
    assert not (runner.workspace / "healthgrid-out").exists() and outputs["image-url"] == ""
    assert git("--git-dir", str(runner.bare), "log", "-1", "--format=%s", "gh-pages") == "preview: remove pr-7"


def test_embed_block_fence_outlasts_backticks_in_alt_text():
    block = embed_block('<picture><img src="u" alt="a ```` b"></picture>')
    fence = re.search(r"^(`{3,})html$", block, re.M).group(1)
    assert len(fence) == 5 and block.endswith("\n" + fence)


# --- lint, as tests -------------------------------------------------------------------------------


def _tool(name):
    return str(BIN / name)


def test_action_and_workflows_match_githubs_schemas():
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert len(workflows) == 4
    for schema, files in (("vendor.github-actions", [str(ROOT / "action.yml")]), ("vendor.github-workflows", workflows)):
        proc = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", schema, *files], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_passes():
    proc = subprocess.run([_tool("actionlint"), "-no-color"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hadolint_passes_at_warning_level():
    proc = subprocess.run([_tool("hadolint"), "--failure-threshold", "warning", str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_dockerfile_follows_the_docker_action_rules():
    text = (ROOT / "Dockerfile").read_text()
    instructions = [line.split()[0] for line in text.splitlines() if line and not line.startswith(("#", " "))]
    assert "FROM python:3.12-slim" in text and "USER" not in instructions and "WORKDIR" not in instructions
    for var in ("PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1", "PIP_NO_CACHE_DIR=1"):
        assert var in text
    assert text.index("requirements/runtime.txt") < text.index("COPY healthgrid"), "dependencies before code, for the layer cache"
    assert 'ENTRYPOINT ["python", "/app/entrypoint.py"]' in text and "git" in text
    assert "test.txt" not in text


def test_action_inputs_and_outputs():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"] == {"using": "docker", "image": "Dockerfile"}
    expected = {"config", "demo", "now", "datadog-api-key", "datadog-app-key", "datadog-site", "publish", "pages-branch",
                "pages-path", "pages-keep", "imgur-client-id", "github-token", "theme", "format", "grid"}
    assert expected <= set(action["inputs"])
    assert set(action["outputs"]) == {"image-url", "dark-image-url", "images", "changed", "embed"}
    for name, spec in action["inputs"].items():
        assert spec.get("description") and "default" in spec, name
    assert action["branding"]["icon"] and action["branding"]["color"]


def test_workflows_have_timeouts_least_permissions_and_pinned_actions():
    for path in (ROOT / ".github" / "workflows").glob("*.yml"):
        doc = yaml.safe_load(path.read_text())
        assert doc["permissions"] == {}, path.name
        for name, job in doc["jobs"].items():
            assert "timeout-minutes" in job and "permissions" in job, f"{path.name}:{name}"
            for step in job["steps"]:
                uses = step.get("uses", "")
                if uses and not uses.startswith("./"):
                    assert re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", uses), f"{path.name}: {uses} is not pinned to a commit"


def test_the_documented_tables_are_generated_from_action_yml():
    sys.path.insert(0, str(ROOT / "tools"))
    import action_docs

    assert set(action_docs.PAGES) == {"docs/action.md"}
    for page in action_docs.PAGES:
        assert action_docs.page_section((ROOT / page).read_text()) == action_docs.generated_section(), \
            f"{page} drifted from action.yml: run `python tools/action_docs.py --write`"
