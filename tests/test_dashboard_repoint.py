"""`report: {dashboard: ID}`: after a publish, the dashboard's image widgets showing our images are
repointed to their versioned URLs (a dark image adds url_dark_theme), and nothing else changes:
widgets, fields and values the pinned Datadog client does not know come back as Datadog sent them.
A dashboard without such a widget, an answer that is not a dashboard, or any failure is a warning."""

import copy
import json
from pathlib import Path

import pytest
import yaml

from healthgrid.datadog.report import repoint_widgets

from conftest import PAGES
from fakes.datadog import API_KEY, APP_KEY
from fakes.http import Response

NOW = "2026-11-28T12:00:00Z"
FIXTURES = Path(__file__).parent / "data" / "datadog"
OURS = f"{PAGES}/healthgrid/g.png"
IMAGES = {OURS: f"{OURS}?v=new", f"{PAGES}/healthgrid/g_dark.png": f"{PAGES}/healthgrid/g_dark.png?v=new"}


def _image(url, **extra):
    return {"id": 11, "definition": {"type": "image", "url": url, **extra}, "layout": {"x": 0, "y": 0, "width": 4, "height": 3}}


def _group(*widgets, **extra):
    return {"id": 12, "definition": {"type": "group", "layout_type": "ordered", "widgets": list(widgets), **extra}}


def _board(*widgets, **extra):
    return {"id": "abc-def-ghi", "title": "Health", "layout_type": "ordered", "author_handle": "someone@example.com",
            "widgets": list(widgets), **extra}


NOTE_WITH_NEW_ENUM = {"id": 13, "definition": {"type": "note", "content": "runbook", "text_align": "justify-all",
                                               "tick_edge": "diagonal", "background_color": "ultraviolet"}}
UNKNOWN_TYPE = {"id": 14, "definition": {"type": "holo_chart", "requests": [{"q": "avg:x{*}", "beam": {"hue": 3}}]}}
DASHBOARDS = {
    "a note with an unknown enum value inside a group": _board(_group(NOTE_WITH_NEW_ENUM, _image(OURS))),
    "nested groups": _board(_group(_group(_group(_image(OURS), NOTE_WITH_NEW_ENUM), title="inner", banner_img="x.png"))),
    "an unknown widget type beside ours": _board(UNKNOWN_TYPE, _image(OURS), NOTE_WITH_NEW_ENUM),
    "extra fields everywhere": _board(_group(_image(OURS, sizing="zoom", glow={"on": True}), future_key=[1, 2.5, None]),
                                      tabs=[{"name": "main", "widget_ids": [11]}], reflow_type="cosmic", is_shared="maybe"),
}


def _expected(board):
    """The board with only our image widgets' url fields changed."""
    want = copy.deepcopy(board)
    stack = [want["widgets"]]
    while stack:
        for widget in stack.pop():
            definition = widget["definition"]
            if definition["type"] == "group":
                stack.append(definition["widgets"])
            elif definition["type"] == "image" and definition["url"] == OURS:
                definition.update(url=IMAGES[OURS], url_dark_theme=IMAGES[f"{PAGES}/healthgrid/g_dark.png"])
    return want


@pytest.mark.parametrize("case", list(DASHBOARDS))
def test_widgets_the_client_does_not_know_survive_a_repoint_unchanged(dd, case):
    from healthgrid.datadog.client import DatadogAuth
    from healthgrid.datadog.report import update_dashboard

    board = DASHBOARDS[case]
    dd.dashboards["abc-def-ghi"] = copy.deepcopy(board)
    warnings = []
    assert update_dashboard(DatadogAuth.from_env(), "abc-def-ghi", IMAGES, warnings.append) == 2, warnings
    assert warnings == []
    (put,) = dd.calls("PUT", "/api/v1/dashboard/abc-def-ghi")
    assert put.json() == _expected(board)


def test_a_dashboard_the_client_cannot_parse_is_repointed_through_the_action(runner, dd):
    (runner.workspace / "healthgrid.yml").write_text(
        "grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\nreport: {dashboard: abc-def-ghi}\n")
    board = DASHBOARDS["a note with an unknown enum value inside a group"]
    dd.dashboards["abc-def-ghi"] = copy.deepcopy(board)
    inputs = {"INPUT_DEMO": "true", "INPUT_PUBLISH": "ghpages", "INPUT_NOW": NOW, "INPUT_THEME": "both",
              "INPUT_DATADOG-API-KEY": API_KEY, "INPUT_DATADOG-APP-KEY": APP_KEY}
    proc, outputs, _ = runner(inputs, {"DATADOG_HOST": dd.url})
    assert proc.returncode == 0, proc.stderr
    assert outputs["image-url"] == OURS and outputs["changed"] == "true"
    versioned = {i["url"]: i["versioned_url"] for i in json.loads(outputs["images"])}
    (put,) = dd.calls("PUT", "/api/v1/dashboard/abc-def-ghi")
    group = put.json()["widgets"][0]["definition"]
    assert group["widgets"][0] == NOTE_WITH_NEW_ENUM
    assert group["widgets"][1]["definition"]["url"] == versioned[OURS]
    assert "internal error" not in proc.stderr


def test_any_failure_of_a_report_part_is_a_warning_after_the_images_are_out(in_tmp, cli, dd, monkeypatch, bare_pages):
    from healthgrid.datadog import report

    def broken(*args, **kwargs):
        raise AttributeError("'dict' object has no attribute 'definition'")

    monkeypatch.setattr(report, "update_dashboard", broken)
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\n"
                                           "report: {metrics: true, dashboard: abc-def-ghi}\n")
    result = cli("run", "--demo", "--now", NOW, "--publish", "ghpages", "--remote", str(bare_pages), "--pages-url", PAGES,
                 "--theme", "light", "--json")
    assert result.code == 0, result.err
    assert [i["file"] for i in json.loads(result.out)["images"]] == ["g.png"]
    assert "healthgrid: warning: report.dashboard abc-def-ghi: failed (AttributeError: " in result.err
    assert "the run itself succeeded" in result.err and len(dd.submitted) == 1, "the other report parts still ran"


@pytest.fixture
def bare_pages(tmp_path, git):
    path = tmp_path / "pages.git"
    git("init", "--bare", "-q", str(path))
    return path


def _recorded_dashboard(url, dark=None):
    recorded = yaml.safe_load((FIXTURES / "v1__cassettes__test_scenarios__test_create_a_new_dashboard_with_image_widget.yaml").read_text())
    board = json.loads(recorded["interactions"][0]["response"]["body"]["string"])
    board["widgets"][0]["definition"]["url"] = url
    if dark:
        board["widgets"][0]["definition"]["url_dark_theme"] = dark
    board["widgets"].append({"definition": {"type": "note", "content": "keep me"}, "layout": {"x": 0, "y": 12, "width": 4, "height": 2}, "id": 1})
    return board


def test_dashboard_image_widgets_are_repointed_to_versioned_urls(in_tmp, cli, dd, bare_pages):
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\nreport: {dashboard: pep-4f2-6my}\n")
    dd.dashboards["pep-4f2-6my"] = _recorded_dashboard(f"{PAGES}/healthgrid/g.png?v=old", f"{PAGES}/healthgrid/g_dark.png")
    result = cli("run", "--demo", "--now", NOW, "--publish", "ghpages", "--remote", str(bare_pages), "--pages-url", PAGES, "--json")
    assert result.code == 0, result.err
    images = {i["file"]: i["versioned_url"] for i in json.loads(result.out)["images"]}
    (put,) = dd.calls("PUT", "/api/v1/dashboard/pep-4f2-6my")
    widget = put.json()["widgets"][0]["definition"]
    assert widget["url"] == images["g.png"] and widget["url_dark_theme"] == images["g_dark.png"]
    assert put.json()["widgets"][1]["definition"] == {"type": "note", "content": "keep me"}, "other widgets come back unchanged"
    assert "repointed 2 image widget URLs" in result.err


def test_no_matching_widget_warns_to_add_one(in_tmp, cli, dd, bare_pages):
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\nreport: {dashboard: pep-4f2-6my}\n")
    dd.dashboards["pep-4f2-6my"] = _recorded_dashboard("https://example.com/image.png")
    result = cli("run", "--demo", "--now", NOW, "--publish", "ghpages", "--remote", str(bare_pages), "--pages-url", PAGES)
    assert result.code == 0
    assert "no image widget shows these images; add one with `healthgrid widget`" in result.err
    assert dd.calls("PUT", "/api/v1/dashboard/pep-4f2-6my") == []


def _widget(url, dark=None):
    definition = {"type": "image", "url": url}
    if dark is not None:
        definition["url_dark_theme"] = dark
    return {"definition": definition}


def test_repoint_adds_url_dark_theme_when_a_dark_image_was_published():
    base = "https://acme.github.io/health/healthgrid"
    images = {f"{base}/g.png": f"{base}/g.png?v=1", f"{base}/g_dark.png": f"{base}/g_dark.png?v=2", f"{base}/h.png": f"{base}/h.png?v=3"}
    only_url, light_only, has_dark = _widget(f"{base}/g.png?v=0"), _widget(f"{base}/h.png"), _widget(f"{base}/g.png", "https://elsewhere/x.png")
    matched, changed = repoint_widgets([only_url, light_only, has_dark], images)
    assert only_url["definition"] == {"type": "image", "url": f"{base}/g.png?v=1", "url_dark_theme": f"{base}/g_dark.png?v=2"}
    assert "url_dark_theme" not in light_only["definition"]  # no dark image published for h
    assert has_dark["definition"]["url_dark_theme"] == "https://elsewhere/x.png"  # someone's own choice stays
    assert (matched, changed) == (3, 4)


@pytest.mark.parametrize("body", [b"<html>proxy error</html>", b"[]", b'{"widgets": "x"}', b'{"widgets": [{"definition": 5}]}'])
def test_a_malformed_dashboard_answer_is_a_warning(dd, body):
    from healthgrid.datadog.client import DatadogAuth
    from healthgrid.datadog.report import update_dashboard

    dd.fail_next("/api/v1/dashboard/abc-def-ghi", Response(200, body))
    warnings = []
    assert update_dashboard(DatadogAuth.from_env(), "abc-def-ghi", {"https://a.example/x.png": "https://a.example/x.png?v=1"}, warnings.append) == 0
    (warning,) = warnings
    assert warning.startswith("report.dashboard abc-def-ghi: ") and warning.endswith("the dashboard was left as it was")
    assert len(dd.calls("PUT", "/api/v1/dashboard/abc-def-ghi")) == 0
