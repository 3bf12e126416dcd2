"""The status page as headless Chromium renders it, in the light and the dark colour scheme: what
is on screen (sampled pixels), what was fetched (the browser's own network log and the loopback
server's), and the text a screen reader gets (the DOM after the inline script ran).

Needs Debian's `chromium` (`.ci/run` installs it). Without it the tests skip locally, never under CI.
"""

import json
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import run_cli
from pages import CONFIG, Page

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")
# A headless browser is the heaviest thing the suite starts: `make test CI=true` and CI run these;
# test_status_page.py checks the same pages' markup on every run.
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="chromium is not installed (apt-get install chromium); CI=true makes this a failure")]

PAGE_BG = {"light": (0xF6, 0xF8, 0xFA), "dark": (0x0D, 0x11, 0x17)}  # index.html's own background
IMAGE_BG = {"light": (0xFF, 0xFF, 0xFF), "dark": (0x16, 0x17, 0x1C)}  # the PNGs' (and grid pages') background
AGE_HOURS = 3  # the data is this old when the browser opens the page: fresh when built, stale when read


@dataclass
class Visit:
    dom: str
    shot: object  # PIL image, RGB
    colors: list  # (pixel count, colour) of the screenshot
    fetched: list[str]  # every URL the page asked for (browser's network log)
    served: list[str]  # every path the loopback server answered


class _Handler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean; requests are recorded instead
        self.server.paths.append(self.path)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Two grids rendered as a user would, served over loopback."""
    if CHROMIUM is None:
        pytest.fail("CI is set but chromium is not installed")
    root = tmp_path_factory.mktemp("site")
    (root / "healthgrid.yml").write_text(CONFIG)
    now = (datetime.now(timezone.utc) - timedelta(hours=AGE_HOURS)).replace(microsecond=0).isoformat()
    result = run_cli("render", "--config", str(root / "healthgrid.yml"), "--demo", "--now", now, "--format", "png,html", "--out", str(root / "out"))
    assert result.code == 0, result.err
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(root / "out")))
    server.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root / "out", f"http://127.0.0.1:{server.server_address[1]}", server
    server.shutdown()
    thread.join(5)


def browse(site, page: str, scheme: str, tmp_path: Path) -> Visit:
    from PIL import Image

    out, origin, server = site
    server.paths.clear()
    shot, netlog = tmp_path / f"{scheme}.png", tmp_path / f"{scheme}.netlog.json"
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            f"--user-data-dir={tmp_path / ('profile-' + scheme)}",
            f"--blink-settings=preferredColorScheme={0 if scheme == 'dark' else 1}",
            # Anything but loopback fails to resolve: an escaped attempt could not reach the network.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--window-size=1600,1400", "--virtual-time-budget=3000", f"--log-net-log={netlog}",
            f"--screenshot={shot}", "--dump-dom", f"{origin}/{page}"]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and shot.is_file(), proc.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    return Visit(proc.stdout, image, image.getcolors(1 << 24), _page_requests(netlog, origin), list(server.paths))


def _page_requests(netlog: Path, origin: str) -> list[str]:
    """URLs the page itself asked for (Chromium's own update checks have no page initiator)."""
    log = json.loads(netlog.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in log["events"]:
        params = event.get("params") or {}
        if event["type"] == start and (params.get("initiator") == origin or "203.0.113.9" in params.get("url", "")):
            urls.append(params["url"])
    return urls


def _count(visit: Visit, color, tolerance=2) -> int:
    """Pixels of `color` (each channel within `tolerance`) in the screenshot."""
    return sum(n for n, c in visit.colors if all(abs(a - b) <= tolerance for a, b in zip(c, color, strict=False)))


def _cell_colors(html: str) -> set[tuple[int, int, int]]:
    return {tuple(int(h[i:i + 2], 16) for i in (0, 2, 4)) for h in re.findall(r'style="background:#([0-9a-f]{6});', html)}


def _luminance(rgb) -> float:
    return sum(w * c / 255 for w, c in zip((0.2126, 0.7152, 0.0722), rgb, strict=False))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_index_shows_both_grids_in_the_readers_scheme_and_fetches_nothing_else(site, tmp_path, scheme):
    out, origin, _ = site
    visit = browse(site, "index.html", scheme, tmp_path)
    corner = visit.shot.getpixel((5, 5))
    assert corner == PAGE_BG[scheme]
    assert (_luminance(corner) < 0.1) if scheme == "dark" else (_luminance(corner) > 0.9)
    # The <picture> picked the image of the reader's scheme, and that image is on screen.
    suffix = "_dark.png" if scheme == "dark" else ".png"
    assert sorted(p for p in visit.served if p.endswith(".png")) == [f"/one{suffix}", f"/two{suffix}"]
    assert _count(visit, IMAGE_BG[scheme], 0) > 50_000
    other = "light" if scheme == "dark" else "dark"
    assert _count(visit, IMAGE_BG[other], 0) < 1_000
    for name in ("one", "two"):  # both grids visible: each one's own cell colours are on screen
        colors = _cell_colors((out / f"{name}.html").read_text())
        assert max(_count(visit, c) for c in colors) > 300, f"{name}'s cells are not on screen"
    assert visit.fetched and all(u.startswith(origin + "/") for u in visit.fetched), visit.fetched
    # What a reader gets: both grids, today's counts in words, and the age the inline script adds.
    words = Page(visit.dom).words
    assert "Release health" in words and 'Ops <img src="http://203.0.113.9/t.png" onerror="alert(1)"> & "co"' in words
    assert len(re.findall(r"today: ✓ \d ok · ▲ \d warning · ✖ \d critical · ○ \d no data", words)) == 2
    assert words.count(f"({AGE_HOURS} h ago)") == 2 and words.count("stale: Data as of") == 2


def test_grid_page_is_dark_for_a_dark_reader_and_says_each_cells_band(site, tmp_path):
    out, origin, _ = site
    visit = browse(site, "one.html", "dark", tmp_path)
    assert visit.shot.getpixel((5, 5)) == IMAGE_BG["dark"], "NAME.html follows a reader who prefers dark"
    colors = _cell_colors((out / "one.html").read_text())
    assert sum(1 for c in colors if _count(visit, c) > 100) >= len(colors) // 2, "the table is drawn in the image's colours"
    assert not [p for p in visit.served if p.endswith((".png", ".svg"))], "the grid is shown once, as the table"
    assert all(u.startswith(origin + "/") for u in visit.fetched), visit.fetched
    bands = re.findall(r'<td class="(good|warning|critical|nodata)[^"]*"[^>]*><span class="sr">(\w*) </span>', visit.dom)
    assert len(bands) == 21 and all(word == (band if band != "nodata" else "") for band, word in bands)
    assert {"good", "warning", "critical"} & {word for _, word in bands}
