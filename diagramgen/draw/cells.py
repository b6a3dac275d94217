"""HTML-like table cells for Graphviz labels, sized by us so the layout engine never resizes them.

A :class:`Cell` holds lines of text and the exact width and height it is drawn at: every
``<TD>`` carries ``WIDTH`` and ``HEIGHT`` at least as large as its text needs, so Graphviz
keeps them, and equal widths and heights are ours to decide.
"""

from __future__ import annotations

import math
from functools import lru_cache

from msgspec import Struct, field

from ..escape import html_text
from .metrics import fit, text_width

__all__ = [
    "PAD_X",
    "PAD_Y",
    "Cell",
    "Label",
    "Line",
    "line_height",
    "render_table",
    "wrap",
]

PAD_X = 6
PAD_Y = 4
#: Graphviz sizes a cell as its text plus padding plus a 1-point border each side, and
#: measures text with hinted widths, up to ~3 % wider than ours (ENGINE-NOTES); a cell it
#: finds too small it grows, and the router's geometry (draw/geometry.py) would be off.
#: Our sizes leave room for both, so Graphviz keeps every size we give.
BORDERS = 2
HINTING = 1.04


def line_height(size: float) -> float:
    """Return the height a line of text at ``size`` points takes (DejaVu's ascent + descent)."""
    return size * 1.3


#: Where a long name may break onto its next line (after the character).
_BREAKS = " -/_.,:"
#: The most lines a name or a detail is wrapped onto before its last one is shortened.
MOST_LINES = 3


@lru_cache(maxsize=16384)
def wrap(
    text: str, size: float, room: float, bold: bool = False, lines: int = MOST_LINES
) -> tuple[str, ...]:
    """Return ``text`` on as few lines of ``room`` points as it needs, at most ``lines``.

    Each break is the last space (or ``-/_.,:``) that lets the line fit, else the last
    character that does; only the last line can still be too long, and is shortened with "…"
    when drawn (:func:`fit`), as the panel shortens a name.
    """
    parts: list[str] = []
    rest = text
    while len(parts) < lines - 1 and text_width(rest, size, bold) > room:
        first, rest = _break(rest, size, room, bold)
        parts.append(first)
    return (*parts, rest)


def _break(text: str, size: float, room: float, bold: bool) -> tuple[str, str]:
    """Return ``text`` cut in two where its first part fits ``room`` best: at a " · "
    between figures (the line break takes the dot's place), else at a space well into the
    line, else after another mark, else where it must."""
    fits = len(fit(text, size, room, bold)) - 1  # characters of the first line, at most
    while fits > 1 and text_width(text[:fits], size, bold) > room:
        fits -= 1
    dots = [i for i in range(len(text)) if text.startswith(" · ", i)]
    fitting = [i for i in dots if i > fits // 3 and text_width(text[:i], size, bold) <= room]
    if fitting:
        # Of the breaks that leave the rest on one line, the most even; else the last.
        even = [i for i in fitting if text_width(text[i + 3 :], size, bold) <= room]
        dot = (
            min(
                even, key=lambda i: max(text_width(text[:i], size), text_width(text[i + 3 :], size))
            )
            if even
            else fitting[-1]
        )
        return text[:dot], text[dot + 3 :]
    space = text.rfind(" ", 0, fits)
    if space > fits // 2:
        return text[:space], text[space + 1 :]
    cut = max(text.rfind(mark, 0, fits) for mark in _BREAKS)
    end = cut + 1 if cut > 0 else max(1, fits)
    return text[:end].rstrip(), text[end:].lstrip()


class Label(Struct, frozen=True):
    """An HTML-like label of a whole node, with the size it is drawn at (points)."""

    markup: str
    width: int
    height: int


class Line(Struct, frozen=True):
    """One line of text in a cell; ``text`` is raw user or label text, escaped when drawn."""

    text: str
    size: float
    colour: str
    bold: bool = False
    #: Drawn in the node's own font size and colour, without a <FONT> element: Graphviz sets
    #: up a font for every <FONT>, which made up 40 % of the time of a 10,000-item diagram.
    plain: bool = False

    def width(self) -> float:
        return text_width(self.text, self.size, self.bold)

    def fitted(self, width: float) -> Line:
        text = fit(self.text, self.size, width, self.bold)
        if text == self.text:
            return self
        return Line(text, self.size, self.colour, self.bold, self.plain)

    def markup(self) -> str:
        return _line_markup(self)


@lru_cache(
    maxsize=8192
)  # Lines are frozen and repeat ("bins/libs", the same limits): build each once
def _line_markup(line: Line) -> str:
    if line.plain:
        return html_text(line.text)
    text = html_text(line.text) if line.text else " "  # an empty FONT would be a syntax error
    if line.bold:
        text = f"<B>{text}</B>"
    return f'<FONT POINT-SIZE="{line.size:g}" COLOR="{line.colour}">{text}</FONT>'


def text_room(width: float, pad: int = PAD_X) -> float:
    """Return how wide a text may be (our measure) in a cell ``width`` points wide, with
    ``pad`` points of padding each side."""
    return (width - 2 * pad - BORDERS) / HINTING


def lines_height(lines: list[Line]) -> int:
    """Return the height of a cell holding ``lines``, padding included, in whole points."""
    return math.ceil(sum(line_height(line.size) for line in lines) + 2 * PAD_Y + BORDERS)


def lines_width(lines: list[Line]) -> int:
    """Return the width a cell needs to show ``lines`` unshortened, padding included."""
    widest = max((line.width() for line in lines), default=0)
    return math.ceil(widest * HINTING + 2 * PAD_X + BORDERS)


class Cell(Struct):
    """A ``<TD>``: lines of text or a nested table, with its exact size and style."""

    lines: list[Line] = field(default_factory=list)
    width: int = 0
    height: int = 0
    fill: str | None = None
    border: int = 1
    colspan: int = 1
    rowspan: int = 1
    port: str | None = None
    #: The rows of a table nested in the cell, drawn without padding at the cell's exact size.
    inner: list[list[Cell]] | None = None
    align: str = "CENTER"
    sides: str | None = None
    #: A component's cell: its SVG id (``a_`` + this), tooltip lines and link.
    ident: str | None = None
    tooltip: tuple[str, ...] = ()
    href: str | None = None
    #: The component whose links end on this cell: by default its own (``ident``); "" for
    #: none. Links end on its top edge, or with ``side`` on the side facing their other end.
    target: str | None = None
    side: bool = False
    #: The padding its table gives it on each side (the panel's compact rows take less).
    pad: int = PAD_X
    #: A dashed border: a component a diff shows removed.
    dashed: bool = False

    def markup(self, border_colour: str) -> str:
        attributes = [f'WIDTH="{self.width}"', f'HEIGHT="{self.height}"']
        if self.colspan > 1:
            attributes.append(f'COLSPAN="{self.colspan}"')
        if self.rowspan > 1:
            attributes.append(f'ROWSPAN="{self.rowspan}"')
        if self.fill:
            attributes.append(f'BGCOLOR="{self.fill}"')
        attributes.append(f'BORDER="{self.border}"')
        if self.border:
            attributes.append(f'COLOR="{border_colour}"')
        if self.sides:
            attributes.append(f'SIDES="{self.sides}"')
        if self.dashed:
            attributes.append('STYLE="dashed"')
        if self.port:
            attributes.append(f'PORT="{html_text(self.port)}"')
        if self.ident:
            attributes.append(f'ID="{html_text(self.ident)}"')
        if self.href:
            attributes.append(f'HREF="{html_text(self.href)}"')
        if self.tooltip:
            # One line each: Graphviz keeps &#10; as a line break in the SVG tooltip.
            attributes.append(f'TOOLTIP="{"&#10;".join(map(html_text, self.tooltip))}"')
        if self.align != "CENTER":
            attributes.append(f'ALIGN="{self.align}" BALIGN="{self.align}"')
        if self.inner is not None or not self.lines:
            # No padding around nested tables and in spacers: their size is exactly ours.
            attributes.append('CELLPADDING="0"')
            body = render_table(self.inner, border_colour) if self.inner else ""
        else:
            room = text_room(self.width, self.pad)
            body = "<BR/>".join(line.fitted(room).markup() for line in self.lines)
        return f"<TD {' '.join(attributes)}>{body}</TD>"


def render_table(rows: list[list[Cell]], border_colour: str, padding: int = PAD_Y) -> str:
    """Return a ``<TABLE>`` of rows of cells, without spacing, so its size is the sum of theirs."""
    body = "".join(
        "<TR>" + "".join(cell.markup(border_colour) for cell in row) + "</TR>" for row in rows
    )
    return (
        f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="{padding}">{body}</TABLE>'
    )
