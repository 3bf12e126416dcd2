"""A comparison's text: the alt text (names the worst bars), `NAME.md` (the alt text and a table,
one line per tag value, one column per metric) and how each row is judged.

Tag values come from Datadog and are untrusted: every one goes through `md_text` here (and
`html_text` on the HTML page), like any label from a config.
"""

from __future__ import annotations

from healthgrid.files.markdown import WORST_SHOWN, GridText, counts_text, rule_text
from healthgrid.model.band import Band
from healthgrid.model.comparison import Comparison
from healthgrid.model.formatting import NO_DATA, as_of_text, cell_text, window_text
from healthgrid.model.grid import Row
from healthgrid.text import md_text, plural


def worst_texts(grid: Comparison, count: int = WORST_SHOWN) -> list[str]:
    """`Navigation for policy-a 0.42 (critical)`: the worst bars, worst first."""
    return [f"{grid.rows[i].name} for {grid.tags[j]} {cell_text(grid.rows[i], j, grid.bands)} ({grid.rows[i].band(j, grid.bands)})"
            for i, j in grid.worst(count)]


def shown_text(grid: Comparison) -> str:
    """`12 values of policy` or `20 of 57 values of policy, the worst`."""
    k = len(grid.tags)
    return f"{k} of {grid.total_tags} values of {grid.by}, the worst" if grid.total_tags > k else f"{plural(k, 'value')} of {grid.by}"


def alt_text(grid: Comparison) -> str:
    counts = grid.today_counts()
    sentence = (f"{grid.title}: {plural(len(grid.rows), 'metric')} compared across {shown_text(grid)}, "
                f"each over {window_text(grid)} up to {as_of_text(grid.now, grid.timezone)}. Bars: {counts_text(counts)}.")
    worst = worst_texts(grid)
    if worst:
        sentence += " Worst: " + "; ".join(worst) + "."
    elif counts[Band.GOOD]:
        sentence += " Every bar with data is good."
    return sentence


def judged_by(row: Row, aggregation: str) -> str:
    """How a row's bars are worked out and judged: `avg over the window; >= 0.8 (warn >= 0.6)`."""
    how = f"{aggregation} over the window" if aggregation in ("avg", "sum", "min", "max") else f"{aggregation} of the whole window"
    if row.score is not None:
        how += f"; score good {row.score.good:g}, bad {row.score.bad:g}{' ' + row.unit if row.unit else ''}"
    elif row.rule is None:
        how += "; figure of merit, 0 bad … 1 good"
    return "; ".join(part for part in (how, rule_text(row)) if part)


def markdown(grid: Comparison, image: str | None = None) -> str:
    """A comparison's `NAME.md`."""
    return grid_text(grid).markdown(image)


def grid_text(grid: Comparison) -> GridText:
    lines = ["| " + " | ".join(md_text(h) for h in [grid.by] + [row.name for row in grid.rows]) + " |", "|---|" + "---:|" * len(grid.rows)]
    for j, tag in enumerate(grid.tags):
        cells = []
        for row in grid.rows:
            text = cell_text(row, j, grid.bands)
            cells.append(f"{row.band(j, grid.bands).symbol} {md_text(text)}" if text != NO_DATA else f"{Band.NODATA.symbol} no data")
        lines.append(f"| {md_text(tag)} | " + " | ".join(cells) + " |")
    lines += ["", "How each metric is judged:", ""]
    lines += [f"- **{md_text(row.name)}**: {md_text(judged_by(row, aggregation))}" for row, aggregation in zip(grid.rows, grid.aggregations, strict=True)]
    lines += [
        "",
        " · ".join(f"{b.symbol} {b.word}" for b in (Band.GOOD, Band.WARNING, Band.CRITICAL, Band.NODATA)) + ". "
        f"Figures of merit: good ≥ {grid.bands.warning:g}, critical < {grid.bands.critical:g}; a rule row is good when its value meets the rule, "
        f"warning when it meets only warn. The window is partial: today counts up to {as_of_text(grid.now, grid.timezone)}.",
    ]
    return GridText(grid.name, grid.title, alt_text(grid), "\n".join(lines))
