"""PNG and SVG bytes of a drawn figure, with no timestamps or version strings, so identical data
is identical bytes."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from healthgrid.render.style import styled


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """`fmt`: "png" or "svg"."""
    if fmt == "png":
        return png_bytes(_rendered_image(fig))
    buf = io.BytesIO()
    with styled():
        fig.savefig(buf, format=fmt, dpi=fig.dpi, facecolor=fig.get_facecolor(), metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def rendered_pixels(fig: Figure) -> np.ndarray:
    """The figure as opaque RGB pixels, exactly as Agg draws it."""
    return np.asarray(_rendered_image(fig))


def _rendered_image(fig: Figure) -> Image.Image:
    with styled():
        fig.canvas.draw()
    width, height = fig.canvas.get_width_height(physical=True)
    return Image.frombuffer("RGBA", (width, height), fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")


def png_bytes(rgb) -> bytes:
    """A paletted PNG: a grid is flat colours and antialiased text, so 256 colours chosen by median
    cut (no dithering) keep it within the image tests' tolerance of the full-colour render at about
    a third of the bytes. An image of 256 colours or fewer keeps them exactly (tested)."""
    image = rgb if isinstance(rgb, Image.Image) else Image.fromarray(rgb, "RGB")
    paletted = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    paletted.save(buf, "PNG", compress_level=8)  # 9 is 2.5x slower for 2% fewer bytes
    return buf.getvalue()
