"""The dashboard body: one group per grid, the marker that makes it ours, and its validation.

The description ends with a line `healthgrid-dashboard: KEY`, where KEY is a hash of the stable
URLs of the grids' images: the same grids published to the same place find the same dashboard,
whatever its title says; another repository's grids (another pages URL) find another one.
Before anything is sent, the body is read by datadog-api-client's own `Dashboard` model; a widget
the model cannot parse, or a key it does not know, is a bug here and stops the command.
"""

from __future__ import annotations

import hashlib
import re

from healthgrid.datadog.dashboard.widgets import MAX_LIVE_ROWS, WIDTH, Images, cut, grid_group
from healthgrid.errors import RunError, UsageError
from healthgrid.site.urls import base_url, pages_base, stable_url, url_path

MARKER = "healthgrid-dashboard"
MARKER_RE = re.compile(rf"(?m)^{MARKER}: ([0-9a-f]{{16}})\s*$")
MAX_TITLE = 200


def dashboard_key(images: dict[str, Images]) -> str:
    return hashlib.sha256("\n".join(sorted(i.stable for i in images.values())).encode()).hexdigest()[:16]


def description(key: str) -> str:
    return ("Health grids and their live twins, written by `healthgrid dashboard` from the grids' config: "
            f"changes made here are replaced on its next run.\n\n{MARKER}: {key}")


def is_ours(text: str | None) -> bool:
    return bool(MARKER_RE.search(text or ""))


def default_title(grids: tuple) -> str:
    return cut(grids[0].title if len(grids) == 1 else " · ".join(g.title for g in grids), MAX_TITLE)


def check_title(title: str) -> str:
    if not title.strip():
        raise UsageError("--title: must not be empty")
    if len(title) > MAX_TITLE:
        raise UsageError(f"--title: {len(title)} characters; at most {MAX_TITLE}")
    return title


def image_prefix(config, explicit: str | None) -> str:
    """What a published file's name is appended to for its URL: --image-base, else the publish
    settings (the gh-pages URL and path, or the S3 bucket's URL and key prefix), each checked as
    every target's base URL (healthgrid.site.urls.base_problem)."""
    from healthgrid.site.target import s3_base

    if explicit is not None:
        return base_url(explicit, "--image-base") + "/"
    publish = config.publish
    if publish.to == "imgur":
        raise UsageError("--image-base: publish.to is imgur, whose links change with every upload; give --image-base URL "
                         "of a stable copy, or publish to ghpages or s3")
    if publish.to == "s3":  # as the S3 publisher names its objects: BASE/PREFIX+NAME
        return f"{s3_base(publish)}/{url_path(publish.prefix)}"
    return stable_url(pages_base(publish.pages_url, "--image-base"), publish.path, "") + "/"


def image_urls(config, grids: tuple, explicit: str | None) -> dict[str, Images]:
    """The images each grid's widget shows: NAME.png and NAME_dark.png where they are published."""
    prefix = image_prefix(config, explicit)
    return {g.name: Images(f"{prefix}{g.name}.png", f"{prefix}{g.name}_dark.png", f"{prefix}{g.name}.png") for g in grids}


def build(grids: tuple, images: dict[str, Images], title: str) -> dict:
    """The dashboard body (JSON-ready), groups stacked in config order."""
    widgets, y, budget = [], 0, MAX_LIVE_ROWS
    for spec in grids:
        group = grid_group(spec, images[spec.name], budget)
        budget -= group.live_rows
        widgets.append({"definition": group.definition, "layout": {"x": 0, "y": y, "width": WIDTH, "height": group.height}})
        y += group.height
    body = {"title": title, "description": description(dashboard_key(images)), "layout_type": "ordered",
            "reflow_type": "fixed", "widgets": widgets}
    validate(body)
    return body


def validate(body: dict):
    """The body as datadog-api-client's `Dashboard` model; RunError when the model cannot read
    all of it (an unparsed widget, a value outside an enum, a key it does not know).

    Each widget is read as the definition its `type` names, which is what the model's oneOf
    would pick, without trying every other kind of widget first (seconds for a large dashboard)."""
    from datadog_api_client.v1.model.dashboard import Dashboard

    model = _read({**body, "widgets": []}, Dashboard, "body")
    model.widgets = [_widget(w, f"body.widgets[{i}]") for i, w in enumerate(body["widgets"])]
    return model


def _read(value, cls, path: str):
    from datadog_api_client import Configuration
    from datadog_api_client.exceptions import OpenApiException
    from datadog_api_client.model_utils import validate_and_convert_types

    try:
        model = validate_and_convert_types(value, (cls,), [path], True, True, configuration=Configuration())
    except (OpenApiException, TypeError, ValueError, AttributeError) as exc:
        raise RunError(f"dashboard: the body is not what Datadog's Dashboard model accepts ({path}: {exc})") from None
    problem = _unread(model, path)
    if problem:
        raise RunError(f"dashboard: the body is not what Datadog's Dashboard model accepts ({problem})")
    return model


def _widget(widget: dict, path: str):
    from datadog_api_client.v1.model.group_widget_definition import GroupWidgetDefinition
    from datadog_api_client.v1.model.image_widget_definition import ImageWidgetDefinition
    from datadog_api_client.v1.model.note_widget_definition import NoteWidgetDefinition
    from datadog_api_client.v1.model.query_value_widget_definition import QueryValueWidgetDefinition
    from datadog_api_client.v1.model.timeseries_widget_definition import TimeseriesWidgetDefinition
    from datadog_api_client.v1.model.widget import Widget
    from datadog_api_client.v1.model.widget_layout import WidgetLayout

    kinds = {"group": GroupWidgetDefinition, "image": ImageWidgetDefinition, "note": NoteWidgetDefinition,
             "query_value": QueryValueWidgetDefinition, "timeseries": TimeseriesWidgetDefinition}
    definition = widget.get("definition") or {}
    extra = set(widget) - {"definition", "layout"}
    if extra or definition.get("type") not in kinds:
        raise RunError(f"dashboard: the body is not what Datadog's Dashboard model accepts ({path}: "
                       + (f"unknown key {sorted(extra)[0]!r})" if extra else f"no widget of type {definition.get('type')!r})"))
    group = definition.get("type") == "group"
    model = _read({**definition, "widgets": []} if group else definition, kinds[definition["type"]], f"{path}.definition")
    if group:
        model.widgets = [_widget(w, f"{path}.definition.widgets[{i}]") for i, w in enumerate(definition.get("widgets") or [])]
    return Widget(definition=model, layout=_read(widget["layout"], WidgetLayout, f"{path}.layout")) if "layout" in widget else Widget(definition=model)


def _unread(value, path: str) -> str | None:
    """The deepest place the model left unparsed or took as an unknown key, else None."""
    from datadog_api_client.model_utils import ModelComposed, ModelNormal, UnparsedObject

    if isinstance(value, list):
        return next((p for i, inner in enumerate(value) if (p := _unread(inner, f"{path}[{i}]"))), None)
    if isinstance(value, UnparsedObject):
        return f"{path}: not a shape the model knows"
    problem = None
    if isinstance(value, ModelComposed):
        problem = next((p for inner in value._composed_instances if (p := _unread(inner, path))), None)
    elif isinstance(value, ModelNormal):
        for key, inner in value._data_store.items():
            problem = f"{path}.{key}: unknown key" if key not in value.openapi_types else _unread(inner, f"{path}.{key}")
            if problem:
                break
    if problem is None and getattr(value, "_unparsed", False):
        shown = getattr(value, "value", None)
        problem = f"{path}: not a valid {type(value).__name__}" + (f" ({shown!r})" if isinstance(shown, str) else "")
    return problem
