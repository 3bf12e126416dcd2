"""Repointing a dashboard's image widgets changes our url fields and nothing else: widgets, fields and
values the pinned Datadog client does not know come back as Datadog sent them."""

import copy
import json

import pytest

from conftest import PAGES
from fakes.datadog import API_KEY, APP_KEY

NOW = "2026-11-28T12:00:00Z"
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
