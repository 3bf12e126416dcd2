"""`healthgrid dashboard`: one Datadog dashboard with each grid's image and its live twin.

body.py builds and validates the dashboard (widgets.py per grid, thresholds.py for the colours,
queries.py for the metric queries); sync.py finds, creates or updates it. `prepare` and `publish`
are what the command and the Action's `dashboard` input call.
"""

from __future__ import annotations

from typing import Callable

from healthgrid.datadog.dashboard.body import build, check_title, default_title, image_urls
from healthgrid.datadog.dashboard.sync import Outcome, check_id, sync
from healthgrid.datadog.dashboard.widgets import Images
from healthgrid.errors import RunError, UsageError

__all__ = ["Images", "Outcome", "after_publish", "build", "check_before_run", "check_id", "from_published", "prepare", "publish"]


def prepare(config, grid_names: list[str] | None, title: str | None, image_base: str | None,
            images: dict[str, Images] | None = None) -> dict:
    """The dashboard body for the selected grids; `images` (the Action's published images) over
    the URLs the publish settings or `image_base` give."""
    grids = config.select(grid_names)
    if images is not None:
        grids = tuple(g for g in grids if g.name in images)
        if not grids:
            raise RunError("dashboard: no grid image was published, so there is nothing to show")
    title = check_title(title) if title is not None else default_title(grids)
    urls = images if images is not None else image_urls(config, grids, image_base)
    return build(grids, urls, title)


def publish(credentials, body: dict, dashboard_id: str | None, warn: Callable[[str], None]) -> Outcome:
    """Create or update the dashboard (keys from `credentials`: DD_API_KEY and DD_APP_KEY)."""
    return sync(credentials.datadog(need_app_key=True), body, check_id(dashboard_id), warn)


def from_published(grids: tuple, published) -> dict[str, Images]:
    """Each grid's images as a run just published them (versioned URLs, so caches show the new
    picture); a grid with no published image is left out."""
    by_file = {p.file: p for p in published}
    out = {}
    for g in grids:
        light, dark = by_file.get(f"{g.name}.png"), by_file.get(f"{g.name}_dark.png")
        if light:
            out[g.name] = Images(light.versioned_url, dark.versioned_url if dark else None, light.url)
        elif dark:  # theme: dark only
            out[g.name] = Images(dark.versioned_url, None, dark.url)
    return out


def check_before_run(publish_to: str, credentials) -> None:
    """The Action's `dashboard` input, checked before anything is rendered: the images need
    stable URLs (gh-pages or S3: Imgur links change with every upload, and each run would make
    another dashboard) and the keys must be there."""
    if publish_to not in ("ghpages", "s3"):
        raise UsageError(f"dashboard: needs images published to ghpages or s3 (publish is {publish_to}): "
                         "the dashboard is found again by its images' stable URLs")
    credentials.datadog(need_app_key=True)


def after_publish(config, grid_names: list[str] | None, published, credentials, warn: Callable[[str], None]) -> Outcome:
    """The Action's `dashboard` input: the dashboard of the grids a run just published, showing
    their versioned URLs."""
    images = from_published(config.select(grid_names), published)
    return publish(credentials, prepare(config, grid_names, None, None, images), None, warn)
