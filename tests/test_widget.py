"""`healthgrid widget`: the image widgets to paste into a dashboard, a list whether one grid or
several, in the shape the pinned Datadog client's model accepts."""

import json

import yaml

from conftest import EXAMPLE_CONFIG, PAGES


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


def test_widget_prints_a_list_for_one_grid_as_for_several(cli, in_tmp):
    doc = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    doc["grids"].append(dict(doc["grids"][0], name="second", title="Second"))
    two_grids = in_tmp / "two.yml"
    two_grids.write_text(yaml.safe_dump(doc, sort_keys=False))
    pages = ["--pages-url", PAGES]
    one = json.loads(cli("widget", "--config", str(two_grids), "--grid", "second", *pages).out)
    several = json.loads(cli("widget", "--config", str(two_grids), *pages).out)
    single_url = json.loads(cli("widget", "--url", "https://x/g.png", "--dark-url", "https://x/g_dark.png").out)
    assert isinstance(one, list) and isinstance(several, list) and isinstance(single_url, list)
    assert [w["definition"]["url"] for w in one] == ["https://acme.github.io/health/healthgrid/second.png"]
    assert len(several) == 2 and single_url[0]["definition"]["url_dark_theme"] == "https://x/g_dark.png"
