"""Monitors for the grid itself: `healthgrid monitor` prints definitions the pinned Datadog client's
model accepts (a grid failed to render, a grid stopped updating), and `report: {monitors: true}`
creates them once, then changes nothing until the config does."""

import json

from conftest import NOW


def test_monitor_definitions_are_accepted_by_the_clients_model(in_tmp, cli):
    from datadog_api_client.v1.model.monitor import Monitor

    from healthgrid.datadog.monitors import _model_args

    result = cli("monitor", "--period", "30", "--notify", "@slack-platform")
    monitors = json.loads(result.out)
    assert [m["name"] for m in monitors] == ["healthgrid: a grid failed to render", "healthgrid: a grid stopped updating"]
    failed, stale = monitors
    assert failed["query"] == "min(last_30m):min:healthgrid.generation_success{*} by {grid} < 1"
    assert stale["query"].startswith("max(last_60m):max:healthgrid.updated_at{*} by {grid}")
    assert stale["options"]["notify_no_data"] is True and stale["options"]["no_data_timeframe"] == 60
    assert all(m["message"].endswith("@slack-platform") for m in monitors)
    for m in monitors:
        assert Monitor(**_model_args(m)).to_dict()["query"] == m["query"]


def test_report_monitors_creates_then_changes_nothing(in_tmp, cli, dd):
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\nreport: {monitors: true, period: 60}\n")
    first = cli("run", "--demo", "--now", NOW, "--format", "html")
    assert first.code == 0, first.err
    assert len(dd.monitors) == 2 and "report: monitors created" in first.err
    posts = len(dd.calls("POST", "/api/v1/monitor"))
    second = cli("run", "--demo", "--now", NOW, "--format", "html")
    assert second.code == 0 and "unchanged: 'healthgrid: a grid failed to render'" in second.err
    assert len(dd.calls("POST", "/api/v1/monitor")) == posts and dd.calls("PUT", f"/api/v1/monitor/{min(dd.monitors)}") == []
    # A changed period updates in place.
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\nreport: {monitors: true, period: 15}\n")
    third = cli("run", "--demo", "--now", NOW, "--format", "html")
    assert third.code == 0 and "updated" in third.err and len(dd.monitors) == 2
    assert any("last_15m" in m["query"] for m in dd.monitors.values())
