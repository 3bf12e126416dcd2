"""`healthgrid run`, Datadog run reports, dashboard repointing, widget JSON, Imgur."""

import json
from pathlib import Path

import pytest
import yaml

from conftest import PAGES
from fakes.http import Response
from fakes.imgur import CLIENT_ID

NOW = "2026-11-28T12:00:00Z"
FIXTURES = Path(__file__).parent / "data" / "datadog"


@pytest.fixture
def bare(tmp_path, git):
    path = tmp_path / "pages.git"
    git("init", "--bare", "-q", str(path))
    return path


def write_config(tmp, text):
    (tmp / "healthgrid.yml").write_text(text)


TWO_GRIDS = """\
grids:
  - {name: good, rows: [{label: A, query: 'avg:a{*}'}]}
  - {name: broken, rows: [{label: B, query: 'avg:bad.metric{*}'}]}
report: {metrics: true}
"""


def test_run_reports_gauges_per_grid_through_the_v2_series_api(in_tmp, cli, dd):
    write_config(in_tmp, "grids:\n  - {name: good, rows: [{label: A, query: 'avg:a{*}'}]}\nreport: {metrics: true}\n")
    result = cli("run", "--demo", "--now", NOW, "--publish", "none")
    assert result.code == 0, result.err
    (payload,) = dd.submitted
    cassette = FIXTURES / "v2__cassettes__test_scenarios__test_submit_metrics_returns_payload_accepted_response.yaml"
    recorded = json.loads(yaml.safe_load(cassette.read_text())["interactions"][0]["request"]["body"])
    assert set(payload["series"][0]) <= set(recorded["series"][0]) | {"tags"}
    by_metric = {s["metric"]: s for s in payload["series"]}
    assert set(by_metric) == {"healthgrid.generation_success", "healthgrid.updated_at", "healthgrid.render_seconds", "healthgrid.missing_cells"}
    for s in payload["series"]:
        assert s["type"] == 3 and s["tags"] == ["grid:good"] and len(s["points"]) == 1
    assert by_metric["healthgrid.generation_success"]["points"][0]["value"] == 1.0
    assert by_metric["healthgrid.missing_cells"]["points"][0]["value"] >= 1
    assert abs(by_metric["healthgrid.updated_at"]["points"][0]["value"] - by_metric["healthgrid.updated_at"]["points"][0]["timestamp"]) < 1


def test_a_failed_grid_keeps_its_image_reports_0_and_the_others_still_publish(in_tmp, cli, dd, bare, show):
    write_config(in_tmp, TWO_GRIDS)
    git_publish = ["--publish", "ghpages", "--remote", str(bare), "--pages-url", PAGES, "--theme", "light"]
    # A first run where both grids work (demo data), so 'broken' has a published image.
    first = cli("run", "--demo", "--now", NOW, *git_publish)
    assert first.code == 0, first.err
    broken_before = show(bare, "healthgrid/broken.png")
    dd.submitted.clear()
    dd.refuse("bad.metric")
    result = cli("run", "--now", "2026-11-29T12:00:00Z", *git_publish, "--json")
    assert result.code == 1
    assert result.err.strip().splitlines()[-1].startswith("healthgrid: error: 1 of 2 grids failed: broken")
    assert show(bare, "healthgrid/broken.png") == broken_before, "a failed grid leaves its published image alone"
    doc = json.loads(result.out)
    assert [i["file"] for i in doc["images"]] == ["good.png"] and doc["changed"] is True
    success = {s["tags"][0]: s["points"][0]["value"] for s in dd.submitted[0]["series"] if s["metric"] == "healthgrid.generation_success"}
    assert success == {"grid:good": 1.0, "grid:broken": 0.0}
    assert not any(s["metric"] == "healthgrid.updated_at" and s["tags"] == ["grid:broken"] for s in dd.submitted[0]["series"])


def test_a_failed_report_is_a_warning_not_a_failed_run(in_tmp, cli, dd):
    write_config(in_tmp, "grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\nreport: {metrics: true}\n")
    dd.fail_next("/api/v2/series", Response(400, {"errors": ["Payload too large"]}))
    result = cli("run", "--demo", "--now", NOW)
    assert result.code == 0
    assert "healthgrid: warning: reporting metrics: Datadog answered 400 Bad Request: Payload too large; the run itself succeeded" in result.err


def test_demo_run_without_keys_skips_the_report_with_a_warning(in_tmp, cli):
    write_config(in_tmp, "grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\nreport: {metrics: true}\n")
    result = cli("run", "--demo", "--now", NOW)
    assert result.code == 0 and "warning: report: DD_API_KEY: not set" in result.err


def _dashboard(url, dark=None):
    recorded = yaml.safe_load((FIXTURES / "v1__cassettes__test_scenarios__test_create_a_new_dashboard_with_image_widget.yaml").read_text())
    board = json.loads(recorded["interactions"][0]["response"]["body"]["string"])
    board["widgets"][0]["definition"]["url"] = url
    if dark:
        board["widgets"][0]["definition"]["url_dark_theme"] = dark
    board["widgets"].append({"definition": {"type": "note", "content": "keep me"}, "layout": {"x": 0, "y": 12, "width": 4, "height": 2}, "id": 1})
    return board


def test_dashboard_image_widgets_are_repointed_to_versioned_urls(in_tmp, cli, dd, bare):
    write_config(in_tmp, "grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\nreport: {dashboard: pep-4f2-6my}\n")
    dd.dashboards["pep-4f2-6my"] = _dashboard(f"{PAGES}/healthgrid/g.png?v=old", f"{PAGES}/healthgrid/g_dark.png")
    result = cli("run", "--demo", "--now", NOW, "--publish", "ghpages", "--remote", str(bare), "--pages-url", PAGES, "--json")
    assert result.code == 0, result.err
    images = {i["file"]: i["versioned_url"] for i in json.loads(result.out)["images"]}
    (put,) = dd.calls("PUT", "/api/v1/dashboard/pep-4f2-6my")
    widget = put.json()["widgets"][0]["definition"]
    assert widget["url"] == images["g.png"] and widget["url_dark_theme"] == images["g_dark.png"]
    assert put.json()["widgets"][1]["definition"] == {"type": "note", "content": "keep me"}, "other widgets come back unchanged"
    assert "repointed 2 image widget URLs" in result.err


def test_no_matching_widget_warns_to_add_one(in_tmp, cli, dd, bare):
    write_config(in_tmp, "grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\nreport: {dashboard: pep-4f2-6my}\n")
    dd.dashboards["pep-4f2-6my"] = _dashboard("https://example.com/image.png")
    result = cli("run", "--demo", "--now", NOW, "--publish", "ghpages", "--remote", str(bare), "--pages-url", PAGES)
    assert result.code == 0
    assert "no image widget shows these images; add one with `healthgrid widget`" in result.err
    assert dd.calls("PUT", "/api/v1/dashboard/pep-4f2-6my") == []


def test_widget_json_is_accepted_by_the_clients_model(in_tmp, cli, monkeypatch):
    from datadog_api_client.v1.model.image_widget_definition import ImageWidgetDefinition

    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/health")
    result = cli("widget")
    widgets = json.loads(result.out)
    definition = widgets[0]["definition"]
    assert definition["url"] == f"{PAGES}/healthgrid/health_grid.png"
    assert definition["url_dark_theme"] == f"{PAGES}/healthgrid/health_grid_dark.png"
    model = ImageWidgetDefinition(**{k: v for k, v in definition.items()})
    assert model.to_dict()["url"] == definition["url"]
    one = json.loads(cli("widget", "--url", "https://x/y.png").out)[0]
    assert one["definition"]["url"] == "https://x/y.png" and "url_dark_theme" not in one["definition"]


# --- Imgur --------------------------------------------------------------------------------------


def test_imgur_upload_rides_out_a_429(in_tmp, cli, imgur, clock):
    image = in_tmp / "g.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n some bytes \x00\xff")
    imgur.fail_next("/3/image", Response(429, {"data": {"error": "Too Many Requests"}, "success": False, "status": 429}, {"Retry-After": "1"}))
    result = cli("publish", "imgur", str(image), "--json")
    assert result.code == 0, result.err
    assert imgur.uploads == [image.read_bytes()]
    doc = json.loads(result.out)
    assert doc["images"][0]["url"] == "https://i.imgur.com/img1.png"
    assert "retrying in 1" in result.err
    assert clock.slept == [1.0], "waits exactly what Retry-After says"
    assert CLIENT_ID not in result.out + result.err


def test_imgur_bad_client_id_is_exit_1_without_traceback(in_tmp, cli, imgur, monkeypatch):
    monkeypatch.setenv("IMGUR_CLIENT_ID", "not-the-right-id")
    (in_tmp / "g.png").write_bytes(b"png")
    result = cli("publish", "imgur", "g.png")
    assert result.code == 1
    assert result.err == "healthgrid: error: publish imgur: Imgur refused the client id (403): check IMGUR_CLIENT_ID\n"
