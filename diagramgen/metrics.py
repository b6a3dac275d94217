"""Text widths in the bundled font, so the layout can size cells before Graphviz draws them.

The advance widths come from ``data/fonts/metrics.json`` (made from the font files by
``tools/font_metrics.py``); loading them costs a few milliseconds, loading the fonts far more.
Kerning only ever narrows DejaVu text, so a sum of advances is a safe upper bound.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

__all__ = ["fit", "text_width"]

# Glyphs the font lacks are drawn by a fallback (or as a box): assume a wide one.
_MISSING = 1.0


@cache
def _tables() -> tuple[int, dict[int, int], dict[int, int]]:
    path = resources.files("diagramgen").joinpath("data", "fonts", "metrics.json")
    data = json.loads(path.read_text("utf-8"))
    regular = {int(code): width for code, width in data["regular"].items()}
    bold = {int(code): width for code, width in data["bold"].items()}
    return data["units_per_em"], regular, bold


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Return the width in points of ``text`` drawn at ``size`` points."""
    units, regular, heavy = _tables()
    table = heavy if bold else regular
    missing = _MISSING * units
    return sum(table.get(ord(char), missing) for char in text) * size / units


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
