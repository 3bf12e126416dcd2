"""What a grid says in words: the alt-text sentence and the Markdown table of `NAME.md`, carried
as data (`GridText`) to every place they land: NAME.md, the job summary, the pull-request comment,
the embed snippet, the HTML pages.

The table never relies on colour alone: each cell carries a band symbol, and a legend says what
the symbols mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from healthgrid.files.fit import GridMarkdown
from healthgrid.model.band import Band
from healthgrid.model.formatting import NO_DATA, as_of_text, cell_text, day_label, judged_by_rules, row_trend, rule_bands, window_text
from healthgrid.model.grid import Grid, Row
from healthgrid.model.numbers import exact_number
from healthgrid.model.sections import headings
from healthgrid.text import md_text, md_url, plural

WORST_SHOWN = 3  # today's worst cells named in the alt text and on the status page


@dataclass(frozen=True)
class GridText:
    """A grid's words as data: its title, the alt-text sentence (plain text: each place it lands
    escapes it for itself) and its Markdown table with what follows it (the legend)."""

    name: str
    title: str
    alt: str
    table: str

    def block(self, image: str | None = None, link: str | None = None) -> GridMarkdown:
        """The grid as Markdown under its title: its image (a file name or a URL) with the alt text,
        the alt text as a paragraph, the table; `link`: where the whole table is, should it be left out."""
        head = [f"## {md_text(self.title)}"] + ([f"![{md_text(self.alt)}]({md_url(image)})"] if image else [])
        return GridMarkdown(self.name, head, md_text(self.alt), self.table, link)

    def markdown(self, image: str | None = None) -> str:
        """`NAME.md`, its image named by `image` (the first image written beside it)."""
        block = self.block(image)
        return "\n\n".join([*block.head, block.alt, block.table]) + "\n"


def worst_today(grid: Grid, count: int = WORST_SHOWN) -> list[str]:
    """`Tests Passing 0.12 (critical)`: today's worst cells, worst first."""
    return [f"{grid.rows[i].name} {cell_text(grid.rows[i], -1, grid.bands)} ({grid.rows[i].band(-1, grid.bands)})" for i in grid.worst_today(count)]


def counts_text(counts: dict[Band, int]) -> str:
    """`2 critical, 1 warning, 4 good, 1 with no data`: the bands with any cells, worst first."""
    parts = [f"{counts[b]} {b.word}" for b in (Band.CRITICAL, Band.WARNING, Band.GOOD) if counts[b]]
    return ", ".join(parts + ([f"{counts[Band.NODATA]} with no data"] if counts[Band.NODATA] else []))


def alt_text(grid: Grid) -> str:
    """One sentence a screen reader can say instead of the image; names today's worst cells."""
    worst = worst_today(grid)
    sentence = (
        f"{grid.title}: {plural(len(grid.rows), 'metric')} over {plural(len(grid.days), 'day')}, {window_text(grid)}. "
        f"Today so far: {counts_text(grid.today_counts()) or 'no rows'}."
    )
    if worst:
        sentence += " Worst today: " + "; ".join(worst) + "."
    elif any(not math.isnan(row.values[-1]) for row in grid.rows):
        sentence += " Everything with data today is good."
    return sentence


def markdown(grid: Grid, image: str | None = None, trend: bool = False) -> str:
    """`NAME.md` of a heatmap or trend grid (`trend`: with the trend column)."""
    return grid_text(grid, trend).markdown(image)


def grid_text(grid: Grid, trend: bool = False) -> GridText:
    lines = []
    # A "Rule" column only where some row has a rule or a description: the rule is what a reader
    # of a rule row needs to read its colours.
    ruled = any(row.rule or row.description for row in grid.rows)
    header = ["Metric"] + (["Rule"] if ruled else []) + [" ".join(day_label(d, today=j == len(grid.days) - 1)) for j, d in enumerate(grid.days)]
    if trend:
        header.append("vs. avg of earlier days")
    columns = len(header) - 1
    lines.append("| " + " | ".join(md_text(h) for h in header) + " |")
    lines.append("|" + "---|" * (1 + ruled) + "---:|" * (columns - ruled))
    heading_at = headings(grid)
    for i, row in enumerate(grid.rows):
        if i in heading_at:
            lines.append(f"| **{md_text(heading_at[i])}** |" + " |" * columns)
        cells = [md_text(rule_text(row))] if ruled else []
        for j in range(len(row.values)):
            text = cell_text(row, j, grid.bands)
            cells.append(f"{row.band(j, grid.bands).symbol} {md_text(text)}" if text != NO_DATA else f"{Band.NODATA.symbol} no data")
        if trend:
            cells.append(md_text(row_trend(row)[1]))
        lines.append(f"| {md_text(row.label)} | " + " | ".join(cells) + " |")
    lines += ["", f"{legend(grid)} Today is partial, as of {as_of_text(grid.now, grid.timezone)}."]
    return GridText(grid.name, grid.title, alt_text(grid), "\n".join(lines))


_RULE_MEANING = {Band.GOOD: "meets its rule", Band.WARNING: "fails pass but meets `warn`", Band.CRITICAL: "meets neither"}


def legend(grid: Grid) -> str:
    """What the symbols mean: pass / warn / fail for a grid of rule rows; the FoM bands otherwise,
    and for a grid mixing both, what the symbols mean on a rule row too."""
    good, warn, crit = Band.GOOD.symbol, Band.WARNING.symbol, Band.CRITICAL.symbol
    nodata = f"{Band.NODATA.symbol} {Band.NODATA.word}."
    if judged_by_rules(grid.rows):
        return " · ".join([f"{b.symbol} {b.rule_word} ({_RULE_MEANING[b]})" for b in rule_bands(grid.rows)] + [nodata])
    critical, warning = exact_number(grid.bands.critical), exact_number(grid.bands.warning)
    text = (f"{good} good (FoM ≥ {warning}) · {warn} warning ({critical} ≤ FoM < {warning}) · "
            f"{crit} critical (FoM < {critical}) · {nodata}")
    if any(row.rule for row in grid.rows):
        text += f" Rows with a rule: {good} meets its condition · {warn} fails it but meets `warn` · {crit} meets neither."
    return text


def rule_text(row: Row) -> str:
    """The rule and the description of a row, as the Markdown table and the HTML show them:
    `< 5 min (warn < 8) — P90 runtime of pre-merge checks`."""
    parts = ([row.rule.text(row.unit)] if row.rule else []) + ([row.description] if row.description else [])
    return " — ".join(parts)
