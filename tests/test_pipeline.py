"""The pipeline as a library: options in, a RunResult out; keys and tokens as values, never the environment."""

from __future__ import annotations

import io
import os

from healthgrid import action
from healthgrid.action.inputs import credentials
from healthgrid.config import load_config
from healthgrid.console import Console
from healthgrid.credentials import Credentials
from healthgrid.pipeline import RunOptions, run

from conftest import NOW_DT
from fakes.datadog import API_KEY, APP_KEY

SECRET_VARS = ("DD_API_KEY", "DD_APP_KEY", "DD_SITE", "DATADOG_HOST", "IMGUR_CLIENT_ID", "GITHUB_TOKEN")


def _clear(monkeypatch) -> None:
    for var in SECRET_VARS:
        monkeypatch.delenv(var, raising=False)


def test_a_run_gives_each_grid_its_own_files_and_the_index_to_the_run(in_tmp):
    err = io.StringIO()
    result = run(RunOptions(load_config(None), NOW_DT, in_tmp / "o", ("png", "html"), "light", demo=True), Console(io.StringIO(), err))
    (grid,) = result.grids
    assert grid.ok and grid.name == "health_grid" and "index.html" not in grid.contents
    assert [p.name for p in grid.files] == ["health_grid.png", "health_grid.html", "health_grid.json", "health_grid.md", "health_grid.badge.json"]
    assert result.files == [in_tmp / "o" / "index.html"] and result.contents["index.html"] == (in_tmp / "o" / "index.html").read_bytes()
    assert set(result.all_contents()) == {*grid.contents, "index.html"}
    assert result.end_error() is None and result.images == []
    assert "health_grid: 7 rows × 7 days" in err.getvalue()


def test_datadog_keys_are_values_in_the_options(in_tmp, dd, monkeypatch):
    _clear(monkeypatch)
    keys = Credentials(datadog_api_key=API_KEY, datadog_app_key=APP_KEY, datadog_host=dd.url)
    result = run(RunOptions(load_config(None), NOW_DT, in_tmp / "o", theme="light", credentials=keys), Console(io.StringIO(), io.StringIO()))
    assert [g.ok for g in result.grids] == [True] and len(dd.requests) == 1


def test_a_failed_grid_is_in_the_result_one_redacted_line(in_tmp, dd, monkeypatch):
    _clear(monkeypatch)
    keys = Credentials(datadog_api_key=API_KEY, datadog_app_key="wrong-app-key-0123456789", datadog_host=dd.url)
    err = io.StringIO()
    result = run(RunOptions(load_config(None), NOW_DT, in_tmp / "o", theme="light", credentials=keys), Console(io.StringIO(), err))
    (grid,) = result.grids
    assert not grid.ok and "refused the credentials (403" in grid.error and "\n" not in grid.error
    assert "wrong-app-key" not in grid.error + err.getvalue()
    assert str(result.end_error()) == "1 of 1 grid failed: health_grid; their files were left as they were"
    assert not (in_tmp / "o").exists(), "a grid that failed writes nothing"


def test_the_action_passes_its_inputs_as_values_and_leaves_the_environment_alone(in_tmp, monkeypatch):
    _clear(monkeypatch)
    out, err = io.StringIO(), io.StringIO()
    inputs = {"INPUT_DATADOG-API-KEY": "input-api-key-123456", "INPUT_DATADOG-APP-KEY": "input-app-key-123456",
              "INPUT_GITHUB-TOKEN": "ghs_inputtoken123456", "INPUT_DEMO": "true", "INPUT_PUBLISH": "none", "INPUT_THEME": "light"}
    assert action.main(inputs, out, err) == 0, err.getvalue()
    assert not any(var in os.environ for var in SECRET_VARS)
    assert credentials(inputs).github_token == "ghs_inputtoken123456"
    assert (in_tmp / "healthgrid-out" / "health_grid.png").is_file()
