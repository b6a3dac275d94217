"""Read one of our own HTML-like labels back into cells: a panel's table, as Graphviz draws it.

The panels (:mod:`..panel`, :mod:`..comparison`) hand the layout a finished label, not their
cells; what draw.io needs of them (each cell's size, span, fill, alignment and lines) is all in
the markup, which our code wrote (:mod:`..cells`) and which is well-formed XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from msgspec import Struct

from ..cells import Cell, Line
from ..style import DETAIL_SIZE

__all__ = ["Framed", "read_label"]


class Framed(Struct, frozen=True):
    """A label's outer table: its fill, border colour and the inset of its rows (border and
    padding), and the rows of the table inside."""

    fill: str | None
    border: str | None
    inset: int
    rows: list[list[Cell]]


def read_label(markup: str, detail: str) -> Framed:
    """Return the framed table of a node's label ``<<TABLE …><TR><TD><TABLE …>…>``.

    ``detail`` is the colour of text without a ``<FONT>`` (the node's own font colour).
    """
    outer = ET.fromstring(markup.removeprefix("<").removesuffix(">"))
    inset = int(outer.get("BORDER", "0")) + int(outer.get("CELLPADDING", "0"))
    inner = outer.find("TR/TD/TABLE")
    rows = _rows(inner, detail) if inner is not None else []
    return Framed(outer.get("BGCOLOR"), outer.get("COLOR"), inset, rows)


def _rows(table: ET.Element, detail: str) -> list[list[Cell]]:
    return [[_cell(td, detail) for td in tr.findall("TD")] for tr in table.findall("TR")]


def _cell(td: ET.Element, detail: str) -> Cell:
    nested = td.find("TABLE")
    align = td.get("ALIGN", "CENTER")
    return Cell(
        [] if nested is not None else _lines(td, detail),
        int(td.get("WIDTH", "0")),
        int(td.get("HEIGHT", "0")),
        td.get("BGCOLOR"),
        int(td.get("BORDER", "1")),
        int(td.get("COLSPAN", "1")),
        int(td.get("ROWSPAN", "1")),
        inner=_rows(nested, detail) if nested is not None else None,
        align=align,
        pad=0,  # the text is as Graphviz draws it: already shortened where it must be
    )


def _lines(td: ET.Element, detail: str) -> list[Line]:
    """Return a cell's lines: the runs between its ``<BR/>``s, each in its ``<FONT>``."""
    lines: list[Line] = []
    current: list[tuple[str, float, str, bool]] = []

    def close() -> None:
        text = "".join(part for part, *_ in current).replace("\\\\", "\\")
        size, colour, bold = current[0][1:] if current else (DETAIL_SIZE, detail, False)
        lines.append(Line(text, size, colour, bold))
        current.clear()

    def walk(node: ET.Element, size: float, colour: str, bold: bool) -> None:
        if node.text:
            current.append((node.text, size, colour, bold))
        for child in node:
            if child.tag == "BR":
                close()
            else:
                own_size = float(child.get("POINT-SIZE", size))
                walk(child, own_size, child.get("COLOR", colour), bold or child.tag == "B")
            if child.tail:
                current.append((child.tail, size, colour, bold))

    walk(td, DETAIL_SIZE, detail, False)
    if current or lines:
        close()
    return [line for line in lines if line.text.strip() or len(lines) > 1]
