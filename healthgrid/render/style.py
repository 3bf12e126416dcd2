"""The renderer's own style, shared by every chart: themes, the rcParams it relies on, the colour
scale of a palette (the banded `health` one included) and text colours that stay readable on it
(WCAG contrast).

Everything the pictures depend on is set here inside `styled()`, so a user's matplotlibrc cannot
change it and global rcParams are never touched.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import matplotlib as mpl
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap, Normalize, to_rgba

from healthgrid.model.band import Band, Bands

DPI = 150
BIG_DPI = 100  # over 40 rows
FONT = "DejaVu Sans"
BLACK, WHITE = "#000000", "#ffffff"


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    foreground: str
    muted: str
    nodata_fill: str
    nodata_hatch: str


THEMES = {
    "light": Theme("light", "#ffffff", "#1f2328", "#59636e", "#eceef1", "#b4bac2"),
    # Close to Datadog's dark dashboard background, for the image widget's url_dark_theme.
    "dark": Theme("dark", "#16171c", "#e6e7eb", "#a3a7b3", "#2b2d35", "#4a4d59"),
}

# Everything the picture depends on, set explicitly so a user's matplotlibrc cannot change it.
_RC = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 10.0,
    "axes.unicode_minus": True,
    "text.hinting": "force_autohint",
    "text.antialiased": True,
    "text.usetex": False,
    "hatch.linewidth": 1.0,
    "path.simplify": True,
    "svg.fonttype": "path",
    "svg.hashsalt": "healthgrid",
    "svg.image_inline": True,
    "savefig.transparent": False,
    "figure.dpi": DPI,
    "image.composite_image": True,
    "pcolormesh.snap": True,
}


@contextmanager
def styled():
    """The renderer's own style, for drawing and saving; global rcParams are left alone."""
    with mpl.rc_context(_RC), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from font")  # exotic labels: boxes, not noise
        yield


@lru_cache(maxsize=1)
def _drawable() -> frozenset[int]:
    """The code points the picture's font has glyphs for."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(font_manager.findfont(FONT)).get_charmap())


def missing_glyphs(text: str) -> list[str]:
    """The characters of `text` the picture's font cannot draw (matplotlib draws each as a box), in
    order, each once."""
    drawable = _drawable()
    return list(dict.fromkeys(c for c in text if ord(c) not in drawable))


def plain(text: str) -> str:
    """User text is never mathtext: `$` is literal."""
    return text.replace("$", r"\$")


# --- colour ---------------------------------------------------------------------------------------


def _luminance(rgba: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of each colour (RGB or RGBA in 0..1, alpha ignored)."""
    c = np.asarray(rgba, dtype=float)[..., :3]
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def relative_luminance(color) -> float:
    """WCAG 2 relative luminance of a colour."""
    return float(_luminance(to_rgba(color)))


def contrast_ratio(a, b) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_color_on(color) -> str:
    """Black or white, whichever contrasts more (always >= 4.58:1 for an opaque colour)."""
    return BLACK if contrast_ratio(color, BLACK) >= contrast_ratio(color, WHITE) else WHITE


def text_colors_on(rgba: np.ndarray) -> np.ndarray:
    """`text_color_on` for many colours at once: black where its contrast (luminance + 0.05) / 0.05
    is at least that of white, which is 21 divided by it."""
    on_black = (_luminance(rgba) + 0.05) / 0.05
    return np.where(on_black >= 21.0 / on_black, BLACK, WHITE)


# The default `health` palette: RdYlGn, but each band drawn from its own stretch of it (deep to
# light red, amber to pale yellow, light to deep green), so a cell's hue always says its band.
# Continuous RdYlGn is light green from 0.55 up: a warning at 0.6 would read as good.
HEALTH_RANGES = {Band.CRITICAL: (0.0, 0.18), Band.WARNING: (0.32, 0.49), Band.GOOD: (0.72, 1.0)}
_HEALTH_STEP = 0.05  # shades a band: one per 0.05 of FoM, at least two


def colormap_and_norm(palette: str, bands: Bands):
    """The colour scale for FoM values in [0, 1]."""
    if palette == "bands":
        cmap = ListedColormap([band.color for _, _, band in bands.ranges()], name="bands")
        return cmap, BoundaryNorm([0.0, bands.critical, bands.warning, 1.0 + 1e-9], cmap.N)
    if palette == "health":
        return _health(bands)
    return mpl.colormaps[palette], Normalize(vmin=0.0, vmax=1.0)


def _health(bands: Bands):
    """Steps of RdYlGn within each band; the band edges are step boundaries, exactly."""
    base = mpl.colormaps["RdYlGn"]
    boundaries: list[float] = []
    colors = []
    for lo, hi, band in bands.ranges():
        n = max(2, round((hi - lo) / _HEALTH_STEP))
        a, b = HEALTH_RANGES[band]
        boundaries += [lo + (hi - lo) * k / n for k in range(n)]
        colors += [base(a + (b - a) * (k + 0.5) / n) for k in range(n)]
    cmap = ListedColormap(colors, name="health")
    return cmap, BoundaryNorm(boundaries + [1.0], cmap.N, clip=True)  # clip: 1.0 is the last step, not "over"
