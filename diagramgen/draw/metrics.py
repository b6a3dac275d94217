"""Text widths in the bundled font, so the layout can size cells before Graphviz draws them.

``data/fonts/metrics.bin`` (made from the font files by ``tools/fonts.py``) holds the advance
width of every character of the Basic Multilingual Plane, regular then bold, as little-endian
unsigned 16-bit font units, 0 where the font has no glyph. Loading it takes a fraction of a
millisecond. Kerning only ever narrows DejaVu text, so a sum of advances is a safe upper bound.
"""

from __future__ import annotations

import sys
from array import array
from functools import cache, lru_cache

from ..assets import FONTS

__all__ = ["UNITS_PER_EM", "engine_width", "fit", "text_width"]

UNITS_PER_EM = 2048
_PLANE = 0x10000
# Glyphs the font lacks are drawn by a fallback (or as a box): assume a wide one.
_MISSING = UNITS_PER_EM


@cache
def _tables() -> tuple[array[int], array[int]]:
    widths = array("H")
    widths.frombytes((FONTS / "metrics.bin").read_bytes())
    if sys.byteorder == "big":  # pragma: no cover - the file is little-endian
        widths.byteswap()
    return widths[:_PLANE], widths[_PLANE:]


@lru_cache(maxsize=8192)  # diagrams repeat their strings ("bins/libs", limits): measure each once
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Return the width in points of ``text`` drawn at ``size`` points."""
    regular, heavy = _tables()
    table = heavy if bold else regular
    total = 0
    for char in text:
        code = ord(char)
        total += (table[code] or _MISSING) if code < _PLANE else _MISSING
    return total * size / UNITS_PER_EM


@lru_cache(maxsize=8192)
def fit(text: str, size: float, width: float, bold: bool = False) -> str:
    """Return ``text``, shortened with "…" if needed so that it is at most ``width`` points wide."""
    if text_width(text, size, bold) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if text_width(text[:middle].rstrip() + "…", size, bold) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


@lru_cache(maxsize=8192)
def engine_width(text: str, size: float, bold: bool = False) -> float:
    """Return the width Graphviz gives ``text``: advances rounded to whole 96 dpi pixels.

    Graphviz's pango plugin hints metrics even with hinting off, so each advance is rounded
    to a pixel at the 96 dpi it lays text out at; kerning aside, this is the width it centres
    a line with (browsers draw :func:`text_width`).
    """
    regular, heavy = _tables()
    table = heavy if bold else regular
    pixels = size * 96 / 72 / UNITS_PER_EM
    total = 0
    for char in text:
        code = ord(char)
        total += round(((table[code] or _MISSING) if code < _PLANE else _MISSING) * pixels)
    return total * 0.75
