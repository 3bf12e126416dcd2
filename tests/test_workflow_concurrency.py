"""Each workflow has the concurrency it needs: GitHub keeps one running and one pending run per
group and a new run cancels the pending one, so workflows that share a group drop each other's runs."""

from pathlib import Path

import yaml

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"


def groups(name: str) -> dict[str, list[tuple[str, bool]]]:
    """Job -> the (group, cancel-in-progress) it runs under: the workflow's and its own."""
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    outer = [doc["concurrency"]] if "concurrency" in doc else []
    out = {}
    for job, spec in doc["jobs"].items():
        levels = outer + ([spec["concurrency"]] if "concurrency" in spec else [])
        out[job] = [(c, False) if isinstance(c, str) else (c["group"], c.get("cancel-in-progress", False)) for c in levels]
    return out


def test_no_two_workflows_share_a_concurrency_group():
    seen: dict[str, str] = {}
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for job, levels in groups(path.name).items():
            for group, _ in levels:
                assert seen.setdefault(group, path.name) == path.name, f"{path.name}:{job} shares {group!r} with {seen[group]}"


def test_previews_are_grouped_per_pull_request_and_a_newer_push_cancels_the_older():
    (level,) = groups("preview.yml")["preview"]
    assert "github.event.pull_request.number" in level[0] and level[1] is True


def test_nothing_can_cancel_the_removal_of_a_preview():
    assert groups("preview.yml")["remove-preview"] == []


def test_the_hourly_publish_is_never_cancelled_in_progress():
    assert all(levels and not any(cancel for _, cancel in levels) for levels in groups("healthgrid.yml").values())


def test_each_release_tag_has_its_own_group():
    """A backport and a release tagged together must both run; neither may be dropped as pending."""
    assert all(levels and all("github.ref_name" in group and not cancel for group, cancel in levels) for levels in groups("release.yml").values())


def test_a_preview_published_after_its_pull_request_closed_is_removed():
    doc = yaml.safe_load((WORKFLOWS / "preview.yml").read_text())
    steps = doc["jobs"]["preview"]["steps"]
    publish = next(i for i, s in enumerate(steps) if s.get("id") == "grid")
    check = next(i for i, s in enumerate(steps) if s.get("id") == "state")
    removal = next(s for s in steps[check:] if s.get("with", {}).get("remove"))
    assert publish < check and removal["if"] == "steps.state.outputs.state == 'closed'"
    assert removal["with"]["remove"] == "previews/pr-${{ github.event.pull_request.number }}"
