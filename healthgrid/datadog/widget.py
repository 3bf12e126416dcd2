"""Datadog image-widget JSON for published grids."""

from __future__ import annotations


def image_widget(url: str, dark_url: str | None = None) -> dict:
    """A widget entry for a dashboard's `widgets` list. `contain` keeps the grid's proportions;
    no background or border, because the image carries its own. URLs are percent-encoded."""
    from healthgrid.site.urls import encode_url

    definition = {
        "type": "image",
        "url": encode_url(url),
        "sizing": "contain",
        "margin": "sm",
        "has_background": False,
        "has_border": False,
        "horizontal_align": "center",
        "vertical_align": "center",
    }
    if dark_url:
        definition["url_dark_theme"] = encode_url(dark_url)
    return {"definition": definition}
