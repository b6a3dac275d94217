"""Text as outlines: each ``<text>`` of the SVG becomes a ``<path>`` of the bundled font's glyphs.

Renderers without web fonts (rsvg-convert, cairosvg, resvg, Inkscape) draw an SVG's text in
whatever font the machine has; outlines look the same everywhere (matplotlib's
``svg.fonttype = path``). Glyphs are placed with their unhinted advances and the font's
kerning, as browsers place them; the accessible names stay in the SVG's titles.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from ..assets import FONTS
from .fontfile import FONT_FILES, font
from .metrics import UNITS_PER_EM

__all__ = ["line_width", "text_path"]


@cache
def _glyphs(weight: str) -> tuple[Any, Any]:
    """Return the bundled font of ``weight`` as fontTools reads it, and its glyph set."""
    from fontTools.ttLib import TTFont

    source = TTFont(FONTS / FONT_FILES[weight], lazy=True)
    return source, source.getGlyphSet()


@lru_cache(maxsize=4096)
def _outline(weight: str, glyph: int) -> tuple[tuple[str, tuple[tuple[float, float], ...]], ...]:
    """Return the drawing operations of a glyph in font units (a RecordingPen's value)."""
    from fontTools.pens.recordingPen import DecomposingRecordingPen

    source, glyphs = _glyphs(weight)
    name = source.getGlyphName(glyph)
    pen = DecomposingRecordingPen(glyphs)
    glyphs[name].draw(pen)
    return tuple((operator, tuple(points)) for operator, points in pen.value)


def _layout(text: str, weight: str) -> list[tuple[int, int]]:
    """Return each glyph of ``text`` with its pen position, in font units."""
    source = font(weight)
    kerning = source.kerning
    placed, pen, previous = [], 0, -1
    for char in text:
        glyph = source.glyph_id(char)
        pen += kerning.get((previous, glyph), 0)
        placed.append((glyph, pen))
        pen += source.metrics(glyph)[0]
        previous = glyph
    placed.append((-1, pen))
    return placed


def line_width(text: str, size: float, bold: bool = False) -> float:
    """Return the width of ``text`` as drawn in outlines (and by browsers): kerned advances."""
    return _layout(text, "bold" if bold else "normal")[-1][1] * size / UNITS_PER_EM


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _path(text: str, weight: str, size: float, x: float, y: float) -> str:
    scale = size / UNITS_PER_EM
    commands: list[str] = []
    for glyph, offset in _layout(text, weight)[:-1]:
        origin = x + offset * scale

        def point(p: tuple[float, float], origin: float = origin) -> str:
            return f"{_number(origin + p[0] * scale)} {_number(y - p[1] * scale)}"

        for operator, points in _outline(weight, glyph):
            if operator == "moveTo":
                commands.append("M" + point(points[0]))
            elif operator == "lineTo":
                commands.append("L" + point(points[0]))
            elif operator == "qCurveTo":
                commands += _quadratic(points, point)
            elif operator == "curveTo":
                commands.append("C" + " ".join(point(p) for p in points))
            elif operator == "closePath":
                commands.append("Z")
    return "".join(commands)


def _quadratic(points: tuple[tuple[float, float], ...], point: Any) -> list[str]:
    """Return TrueType's quadratic run (implied on-curve points between off-curve ones) as Qs."""
    commands = []
    if points[-1] is None:  # a contour of off-curve points only: its start point is implied
        first, last = points[0], points[-2]
        start = ((first[0] + last[0]) / 2, (first[1] + last[1]) / 2)
        commands.append("M" + point(start))
        points = (*points[:-1], start)
    *controls, end = points
    for index, control in enumerate(controls):
        if index + 1 < len(controls):
            following = controls[index + 1]
            implied = ((control[0] + following[0]) / 2, (control[1] + following[1]) / 2)
        else:
            implied = end
        commands.append(f"Q{point(control)} {point(implied)}")
    return commands


def text_path(values: dict[str, str], text: str) -> str:
    """Return the ``<path>`` drawing a ``<text>`` element (its attributes and unescaped text)."""
    if not text.strip():
        return ""
    bold = values.get("font-weight") == "bold"
    size = float(values["font-size"])
    x, y = float(values["x"]), float(values["y"])
    anchor = values.get("text-anchor", "start")
    if anchor != "start":
        width = line_width(text, size, bold)
        x -= width / 2 if anchor == "middle" else width
    d = _path(text, "bold" if bold else "normal", size, x, y)
    fill = values.get("fill", "black")
    return f'<path fill="{fill}" d="{d}"/>'
