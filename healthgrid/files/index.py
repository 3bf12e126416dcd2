"""`index.html`, the status page: every grid in a folder with its image in the reader's colour
scheme, today's state in words and symbols, its worst cells, how old its data is, and links to its
files. Built from the files alone (names, and each NAME.json), so gh-pages can rebuild it from the
whole branch after each publish and a matrix of publishers ends up with one page listing all grids.

Every file on the branch is untrusted: a NAME.json that is too big or does not read as grid data
still gets its entry (state "unknown"), and every string is escaped for HTML."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import Callable
from urllib.parse import quote

from healthgrid.config import MAX_REFRESH_SECONDS, MAX_STALE_MINUTES, StatusPageSpec
from healthgrid.files.data import MAX_JSON_BYTES, grid_of, read_document
from healthgrid.model.band import Band
from healthgrid.model.comparison import Comparison
from healthgrid.model.formatting import as_of_text
from healthgrid.model.grid import Grid, format_instant
from healthgrid.text import CONTROL, plural
from healthgrid.text import html_text as escape

MAX_GRIDS = 500  # entries on one page; the rest are counted, not shown
MAX_READS = 2 * MAX_GRIDS  # NAME.json files read for one page; the grids past it are listed as unknown
UNKNOWN = "unknown"  # the state of a grid whose data could not be read
# A grid's state, worst first; one whose data could not be read sorts after those that say something.
STATES = (Band.CRITICAL, Band.WARNING, Band.NODATA, UNKNOWN, Band.GOOD)
_LINKS = ((".html", "HTML"), ("_dark.html", "HTML (dark)"), (".json", "JSON"), (".md", "Markdown"), (".svg", "SVG"),
          ("_dark.svg", "SVG (dark)"), (".png", "PNG"), ("_dark.png", "PNG (dark)"), (".badge.json", "badge"))


@dataclass
class Entry:
    name: str
    title: str
    files: list[str]
    grid: Grid | Comparison | None = None  # judged by the bands its NAME.json states
    page: StatusPageSpec = field(default_factory=StatusPageSpec)


@dataclass
class Status:
    state: str  # one of STATES
    counts: dict[str, int]  # today's cells per band
    worst: list[str]  # "label value (band)" of today's worst cells
    stale: bool


def entries(names: list[str], read: Callable[[str], bytes | None]) -> list[Entry]:
    """The grids among `names` (file names in one folder), each with its data when readable. A name
    that is not text (bytes no encoding reads, or control characters) is not a grid's."""
    names = [n for n in names if not CONTROL.search(n)]  # a lone surrogate (an undecodable byte) is one
    present = set(names)
    stems = sorted({_grid_of(PurePosixPath(n).stem, present) for n in names if n.endswith((".png", ".svg", ".html")) and n != "index.html"})
    out = []
    for stem in stems:
        files = [stem + suffix for suffix, _ in _LINKS if stem + suffix in present]
        entry = Entry(stem, stem, files)
        if f"{stem}.json" in present:
            _load(entry, read(f"{stem}.json"))
        out.append(entry)
    return out


def _grid_of(stem: str, present: set[str]) -> str:
    """The grid an image or page belongs to: `x_dark.png` is grid x's dark image, unless a grid
    named x_dark wrote it (its NAME.json says so): that grid's light image."""
    if f"{stem}.json" in present or not stem.endswith("_dark"):
        return stem
    return stem.removesuffix("_dark")


def _load(entry: Entry, raw: bytes | None) -> None:
    doc = read_document(raw)
    if doc is None:
        return
    if isinstance(doc.get("title"), str) and doc["title"].strip():
        entry.title = _plain(doc["title"])
    entry.page = _page(doc.get("status_page"))
    entry.grid = grid_of(doc)
    if entry.grid is not None:
        entry.title = _plain(entry.grid.title) or entry.name


def _plain(text: str, limit: int = 200) -> str:
    text = CONTROL.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _page(doc) -> StatusPageSpec:
    default = StatusPageSpec()
    if not isinstance(doc, dict):
        return default
    refresh, stale = doc.get("refresh_seconds"), doc.get("stale_after_minutes")
    ok = lambda v, lo, hi: isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi  # noqa: E731
    return StatusPageSpec(refresh_seconds=refresh if ok(refresh, 0, MAX_REFRESH_SECONDS) else default.refresh_seconds,
                          stale_after_minutes=stale if ok(stale, 1, MAX_STALE_MINUTES) else default.stale_after_minutes)


def status(entry: Entry, now: datetime) -> Status:
    """Today's state of one grid as of `now` (when the page is built)."""
    grid = entry.grid
    if grid is None:
        return Status(UNKNOWN, {}, [], False)
    counts = grid.today_counts()
    state = next((s for s in (Band.CRITICAL, Band.WARNING) if counts[s]), Band.GOOD if counts[Band.GOOD] else Band.NODATA)
    stale = now - grid.now > timedelta(minutes=entry.page.stale_after_minutes)
    if isinstance(grid, Comparison):  # every bar is current: the window ends now
        from healthgrid.files.comparison_text import worst_texts

        return Status(state, counts, worst_texts(grid), stale)
    from healthgrid.files.markdown import worst_today

    return Status(state, counts, worst_today(grid), stale)


def _said(state: Band | str, count: int | None = None) -> str:
    """A state as the page says it: its mark (coloured by the page's style), then the count, if
    any, and the word: `▲ 1 warning`."""
    mark, word = (state.mark, state.status_word) if isinstance(state, Band) else ("?", UNKNOWN)
    return f'<span class="sym {state}" aria-hidden="true">{mark}</span> ' + (f"{count} {word}" if count is not None else f"<strong>{word}</strong>")


def counts_text(counts: dict[Band, int]) -> str:
    """`✓ 5 ok · ▲ 1 warning · ✖ 1 critical · ○ 0 no data`, each symbol coloured by its band."""
    return " · ".join(_said(b, counts.get(b, 0)) for b in (Band.GOOD, Band.WARNING, Band.CRITICAL, Band.NODATA))


def _href(name: str) -> str:
    return escape(quote(name))


def _age(minutes: int) -> str:
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


def _card(entry: Entry, st: Status) -> str:
    files, name = set(entry.files), entry.name
    light = next((f for f in (f"{name}.png", f"{name}.svg", f"{name}_dark.png", f"{name}_dark.svg") if f in files), None)
    dark = next((f for f in (f"{name}_dark.png", f"{name}_dark.svg") if f in files), None)
    parts = [f'<article class="card {st.state}{" is-stale" if st.stale else ""}" id="grid-{escape(name)}">',
             f"<h2>{escape(entry.title)}</h2>"]
    line = _said(st.state)
    if entry.grid is not None:
        grid = entry.grid
        line += f" · {'bars' if isinstance(grid, Comparison) else 'today'}: {counts_text(st.counts)}"
        parts.append(f'<p class="state">{line}</p>')
        if st.worst:
            worst = f"Worst{'' if isinstance(grid, Comparison) else ' today'}: " + "; ".join(escape(w) for w in st.worst)
        else:
            when = "" if isinstance(grid, Comparison) else " today"
            worst = f"No data for{when or ' the window'} yet." if st.state is Band.NODATA else f"Nothing below good{when}."
        parts.append(f'<p class="worst">{worst}</p>')
        stale_words = f'<strong class="stale">stale</strong>: older than {_age(entry.page.stale_after_minutes)} · ' if st.stale else ""
        parts.append(f'<p class="asof">{stale_words}Data as of <time datetime="{format_instant(grid.now)}" '
                     f'data-stale-after="{entry.page.stale_after_minutes * 60}">{escape(as_of_text(grid.now, grid.timezone))}</time></p>')
    else:
        parts.append(f'<p class="state">{line}: no readable {escape(name)}.json beside the images</p>')
    if light:
        from healthgrid.files.comparison_text import alt_text as comparison_alt
        from healthgrid.files.markdown import alt_text

        alt = (comparison_alt if isinstance(entry.grid, Comparison) else alt_text)(entry.grid) if entry.grid is not None else entry.title
        source = f'<source media="(prefers-color-scheme: dark)" srcset="{_href(dark)}">' if dark and dark != light else ""
        target = f"{name}.html" if f"{name}.html" in files else light
        parts.append(f'<a href="{_href(target)}"><picture>{source}<img src="{_href(light)}" alt="{escape(alt)}"></picture></a>')
    links = " · ".join(f'<a href="{_href(name + suffix)}">{label}</a>' for suffix, label in _LINKS if name + suffix in files)
    parts.append(f'<p class="files">{links}</p></article>')
    return "\n".join(parts)


# The bands' colours: a bad grid's card edge, and each state's mark (no data and unknown: muted).
_CARDS = " ".join(f".card.{b}{{border-left:6px solid {b.color}}}" for b in (Band.CRITICAL, Band.WARNING))
_MARKS = " ".join(f".sym.{b}{{color:{b.mark_color}}}" for b in (Band.CRITICAL, Band.WARNING, Band.GOOD))
_CSS = f"""
:root{{--page:#f6f8fa;--line:#d0d7de}}
@media (prefers-color-scheme: dark){{:root{{--page:#0d1117;--line:#30363d}}}}
body{{background:var(--page);color:var(--fg);font-family:"DejaVu Sans",system-ui,sans-serif;margin:1.5rem}}
a{{color:inherit}} h1{{font-size:1.5rem;margin:0 0 .3rem}} h2{{font-size:1.15rem;margin:0 0 .4rem}}
.summary,.asof,.files,.worst{{color:var(--muted)}} .summary{{font-size:1.05rem;margin:0 0 1.2rem}}
.cards{{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,30rem),1fr));gap:1.2rem}}
.card{{border:1px solid var(--line);border-radius:6px;padding:1rem}} .card p{{margin:.3rem 0}}
{_CARDS} .card.is-stale{{border-style:dashed}}
img{{display:block;max-width:100%;height:auto;margin:.6rem 0}}
{_MARKS} .sym.nodata,.sym.unknown{{color:var(--muted)}}
.stale{{color:var(--fg)}}
"""

# Optional: each as-of time also says its age ("3 h ago") and turns stale while the page stays
# open. The page reads correctly without it; it never fetches anything.
_SCRIPT = """<script>
for(const t of document.querySelectorAll("time[data-stale-after]")){const s=(Date.now()-Date.parse(t.dateTime))/1000;if(!(s>=0))continue;
const m=Math.round(s/60),age=m<90?m+" min":Math.round(m/60)+" h";t.after(" ("+age+" ago)");
const c=t.closest(".card");if(s>+t.dataset.staleAfter&&!c.classList.contains("is-stale")){c.classList.add("is-stale");
const b=document.createElement("strong");b.className="stale";b.textContent="stale";t.parentNode.prepend(b,": ")}}
</script>"""


def order_key(entry: Entry, st: Status) -> tuple:
    return (STATES.index(st.state), not st.stale, entry.title.casefold(), entry.name)


def index_page(grids: list[Entry], now: datetime | None = None) -> bytes:
    """The page, grids worst first (then stale before fresh, then by title)."""
    from healthgrid.files.page import document, scheme_css

    now = now or datetime.now(timezone.utc)
    ranked = sorted(((e, status(e, now)) for e in grids), key=lambda pair: order_key(*pair))
    shown = ranked[:MAX_GRIDS]
    tally = {s: sum(1 for _, st in ranked if st.state == s) for s in STATES}
    stale = sum(1 for _, st in ranked if st.stale)
    summary = " · ".join(_said(s, tally[s]) for s in STATES if tally[s] or s != UNKNOWN)
    summary = f"{plural(len(ranked), 'grid')}: {summary} · {stale} stale"
    more = f"<p>{plural(len(ranked) - MAX_GRIDS, 'more grid')} not shown (limit {MAX_GRIDS}).</p>" if len(ranked) > MAX_GRIDS else ""
    # The most eager grid sets the pace; 0 everywhere turns the refresh off.
    refreshes = [e.page.refresh_seconds for e in grids if e.grid is not None] or [StatusPageSpec().refresh_seconds]
    refresh = min((r for r in refreshes if r > 0), default=0)
    body = (f'<h1>Health grids</h1>\n<p class="summary">{summary}</p>\n<main class="cards">\n'
            + "\n".join(_card(e, st) for e, st in shown) + f"\n</main>\n{more}{_SCRIPT}")
    return document("Health grids", body, scheme_css("light") + _CSS, refresh)


_SIGNATURE = (b"<title>Health grids</title>", b'<main class="cards">')


def is_status_page(content: bytes | None) -> bool:
    """A page healthgrid built (any version): its title and its card list, near the top. Only
    such an index.html is ever rebuilt where grids are published; anyone else's stays."""
    head = (content or b"")[:65536]
    return all(mark in head for mark in _SIGNATURE)


def build_index(names: list[str], read: Callable[[str], bytes | None], now: datetime | None = None) -> bytes:
    """index.html for the files `names` of one folder, as of `now` (default: the clock)."""
    return index_page(entries(names, read), now)


def folder_files(folder: Path, warn: Callable[[str], None]) -> tuple[list[str], Callable[[str], bytes | None]]:
    """The regular files directly in `folder` and a reader for them, neither ever following a
    link (a planted `x.json -> /proc/self/mem` is not a file here) nor waiting on a FIFO: the
    reader opens without following links, reads only a regular file and at most MAX_JSON_BYTES
    of it, at most MAX_READS times; anything else reads as None (that grid's state: unknown). A
    file that cannot be read is a warning naming it. Raises OSError when `folder` cannot be listed."""
    with os.scandir(folder) as listing:
        names = sorted(entry.name for entry in listing if entry.is_file(follow_symlinks=False))
    reads = []

    def read(name: str) -> bytes | None:
        if len(reads) >= MAX_READS:
            return None
        reads.append(name)
        try:
            fd = os.open(folder / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as fh:
                if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                    return None
                data = fh.read(MAX_JSON_BYTES + 1)
        except OSError as exc:  # opening, or reading (an I/O error): either way named
            warn(f"index.html: cannot read {name!r} in {folder} ({exc.strerror or type(exc).__name__}); its grid is listed as unknown")
            return None
        return data if len(data) <= MAX_JSON_BYTES else None

    return names, read
