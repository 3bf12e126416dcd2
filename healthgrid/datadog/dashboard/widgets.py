"""One grid as a Datadog group widget: its image, and its live twin in native widgets.

Per row (as far as the query splits into metric queries and a formula, see queries.py):
- a `query_value` of the day so far: each metric query rolled up into the grid's local days and
  the last of them taken (today's), coloured by the row's conditional formats (thresholds.py);
- a `timeseries` of the last `days` days as daily bars, with the thresholds as markers.
Sections (`group:`) become note headers, as every other output groups rows (sections.py). Text
that lands in Markdown (notes, descriptions) is escaped; titles are plain text, cut to a length.
"""

from __future__ import annotations

from typing import NamedTuple

from healthgrid.datadog.dashboard import queries
from healthgrid.datadog.dashboard.thresholds import conditional_formats, markers, number_text
from healthgrid.datadog.widget import image_widget
from healthgrid.model.sections import sections
from healthgrid.text import md_text, plural

WIDTH = 12  # columns of an ordered dashboard
MAX_TITLE = 120  # characters of a widget title; longer ones are cut with "…"
MAX_LIVE_ROWS = 150  # rows with native widgets across the dashboard (two widgets each)
_LEGACY_SPANS = {1: "1d", 2: "2d", 7: "1w"}


class Images(NamedTuple):
    url: str  # what the widget shows (may carry ?v=)
    dark_url: str | None
    stable: str  # the stable URL of the light image: what identifies the dashboard's grids


class GridWidgets(NamedTuple):
    definition: dict  # the group widget's definition
    height: int  # rows of the dashboard grid it takes, its title included
    live_rows: int  # rows with a live twin
    uncoloured: list[str]  # rows shown live without colour


def cut(text: str, limit: int = MAX_TITLE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def row_title(row) -> str:
    return cut(f"{row.label} ({row.group})" if row.group else row.label)


def _time(days: int) -> dict:
    if days in _LEGACY_SPANS:
        return {"live_span": _LEGACY_SPANS[days]}
    return {"type": "live", "value": days, "unit": "day"}


def _placed(definition: dict, x: int, y: int, width: int, height: int) -> dict:
    return {"definition": definition, "layout": {"x": x, "y": y, "width": width, "height": height}}


def note(markdown: str) -> dict:
    return {"type": "note", "content": markdown, "background_color": "white", "font_size": "14", "text_align": "left",
            "show_tick": False, "has_padding": True}


def precision(formats: list[dict]) -> int:
    """Decimals enough to tell a value from its thresholds (`< 0.001` needs three), 2 to 6."""
    places = [len(number_text(f["value"], 6).partition(".")[2]) for f in formats]
    return max(2, min(6, max(places, default=2)))


def query_value(row, spec, parts: queries.Split, formats: list[dict] | None) -> dict:
    request = {
        "response_format": "scalar",
        "queries": queries.metric_queries(parts, row.aggregation, spec.timezone, aggregator="last"),
        "formulas": [{"formula": parts.formula}],
    }
    if formats:
        request["conditional_formats"] = formats
    definition = {"type": "query_value", "title": row_title(row), "title_size": "16", "title_align": "left",
                  "requests": [request], "autoscale": True, "precision": precision(formats or []), "time": {"live_span": "2d"}}
    if row.unit:
        definition["custom_unit"] = cut(row.unit, 20)
    if row.description:
        definition["description"] = md_text(row.description)
    return definition


def timeseries(row, spec, parts: queries.Split) -> dict:
    alias = cut(f"{row.label} ({row.unit})" if row.unit else row.label, 80)
    definition = {
        "type": "timeseries",
        "title": cut(f"{row_title(row)}, last {plural(spec.days, 'day')}"),
        "title_size": "16",
        "title_align": "left",
        "show_legend": False,
        "requests": [{
            "response_format": "timeseries",
            "queries": queries.metric_queries(parts, row.aggregation, spec.timezone),
            "formulas": [{"formula": parts.formula, "alias": alias}],
            "display_type": "bars",
        }],
        "markers": markers(row, spec.bands),
        "time": _time(spec.days),
    }
    if row.description:
        definition["description"] = md_text(row.description)
    return definition


def image_height(spec) -> int:
    """Rows of the dashboard grid the image takes at full width: about its own proportions (a
    title block, then half-inch rows shrinking past 12 and 40 rows, in a figure ~12 in wide)."""
    n = len(spec.rows) + sum(1 for s in sections(spec) if s.heading)
    per_row = 0.5 if n <= 12 else 0.4 if n <= 40 else 0.28
    return max(4, min(60, round(2.0 + n * per_row)))


def grid_group(spec, images: Images, live_budget: int) -> GridWidgets:
    """The grid's group widget; at most `live_budget` rows get a live twin."""
    children = [_placed(image_widget(images.url, images.dark_url)["definition"], 0, 0, WIDTH, image_height(spec))]
    notes: list[str] = []
    twins: list[tuple] = []
    uncoloured: list[str] = []
    unsplit: list[str] = []
    over_budget = 0
    if spec.type == "comparison":
        by = getattr(spec, "by", None)
        notes.append("This grid compares " + (f"the values of the tag {md_text(by)}" if by else "tag values")
                     + "; it has no live twin here: the image above is the view.")
    else:
        for section, (heading, indices) in enumerate(sections(spec)):
            for i in indices:
                row = spec.rows[i]
                parts = queries.split(row.query, row.aggregation)
                if parts is None:
                    unsplit.append(row_title(row))
                elif len(twins) >= live_budget:
                    over_budget += 1
                else:
                    formats = conditional_formats(row, spec.bands)
                    if formats is None:
                        uncoloured.append(f"{row_title(row)}: {row.rule.text(row.unit) if row.rule else 'its bands'}")
                    twins.append((section, heading, row, parts, formats))
    if uncoloured:
        notes.append("Shown without colour, because Datadog's conditional formats compare with >, >=, < and <= only "
                     "(the image shows their bands): " + "; ".join(md_text(u) for u in uncoloured) + ".")
    if unsplit:
        notes.append("In the image only, as their queries are not metric queries joined by arithmetic: "
                     + "; ".join(md_text(u) for u in unsplit) + ".")
    if over_budget:
        notes.append(f"In the image only: {plural(over_budget, 'more row')}; live twins stop "
                     f"after the dashboard's first {MAX_LIVE_ROWS} rows.")
    y = children[0]["layout"]["height"]
    for text in notes:
        children.append(_placed(note(text), 0, y, WIDTH, 1 if len(text) < 200 else 2))
        y += children[-1]["layout"]["height"]
    shown = None
    for section, heading, row, parts, formats in twins:
        if heading and section != shown:
            children.append(_placed(note(f"**{md_text(heading)}**"), 0, y, WIDTH, 1))
            y += 1
        shown = section
        children.append(_placed(query_value(row, spec, parts, formats), 0, y, 3, 2))
        children.append(_placed(timeseries(row, spec, parts), 3, y, WIDTH - 3, 2))
        y += 2
    group = {"type": "group", "layout_type": "ordered", "title": cut(spec.title, 200), "show_title": True, "widgets": children}
    return GridWidgets(group, y + 1, len(twins), uncoloured)
