"""`healthgrid run` reports each grid to Datadog through the v2 series API (success, render time, cells
without data, when it was updated): a failed grid reports 0 and keeps its published image, and a
report Datadog refuses, answers malformed or cannot take is a warning, never a failed run."""

import json
from pathlib import Path

import pytest
import yaml

from conftest import PAGES
from fakes.datadog import API_KEY, APP_KEY
from fakes.http import Response

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


@pytest.mark.parametrize("body", [b"<html>proxy error</html>", b'{"errors": []}{', b'"x"'])
def test_a_malformed_metrics_intake_answer_is_a_warning(dd, body):
    from healthgrid.datadog.client import DatadogAuth
    from healthgrid.datadog.report import submit_metrics

    dd.fail_next("/api/v2/series", Response(202, body, content_type="text/html"))
    warnings = []
    assert submit_metrics(DatadogAuth.from_env(need_app_key=False), [], warnings.append) is False
    (warning,) = warnings
    assert warning.startswith("reporting metrics: the answer from ") and "not what its API documents" in warning
    assert warning.endswith("; the run itself succeeded") and "\n" not in warning


def test_through_the_action_a_malformed_report_answer_after_publishing_keeps_the_outputs(runner, dd):
    (runner.workspace / "healthgrid.yml").write_text(
        "grids:\n  - {name: good, rows: [{label: A, query: 'avg:a{*}'}]}\nreport: {metrics: true, dashboard: abc-def-ghi}\n")
    dd.fail_next("/api/v2/series", Response(202, "<html>proxy</html>", content_type="text/html"))
    dd.fail_next("/api/v1/dashboard/abc-def-ghi", Response(200, '{"widgets": [', content_type="application/json"))
    inputs = {"INPUT_DEMO": "true", "INPUT_PUBLISH": "ghpages", "INPUT_NOW": NOW, "INPUT_THEME": "light",
              "INPUT_DATADOG-API-KEY": API_KEY, "INPUT_DATADOG-APP-KEY": APP_KEY}
    proc, outputs, _ = runner(inputs, {"DATADOG_HOST": dd.url})
    assert proc.returncode == 0, proc.stderr
    assert outputs["image-url"] == "https://acme.github.io/health/healthgrid/good.png" and outputs["changed"] == "true"
    assert "reporting metrics: the answer from" in proc.stdout + proc.stderr
    assert "report.dashboard abc-def-ghi: the answer from" in proc.stdout + proc.stderr
    shown = proc.stderr + "\n".join(line for line in proc.stdout.splitlines() if not line.startswith("::add-mask::"))
    assert API_KEY not in shown and APP_KEY not in shown
