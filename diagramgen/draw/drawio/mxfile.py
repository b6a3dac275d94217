"""draw.io's file format: cells in, an uncompressed ``mxfile`` out, byte for byte the same for
the same cells.

Every cell is written as draw.io writes one that carries data: an ``<object>`` with its
attributes (``label`` first, draw.io's own), holding the ``mxCell``. A cell's geometry is
relative to its parent's top-left corner, so a cell moves with its parent; an edge's points
are relative to its parent too (the nearest cell holding both its ends).
"""

from __future__ import annotations

from collections.abc import Iterable

from msgspec import Struct

from ...escape import clean, xml_escape
from ..geometry import Rect
from .data import Data

__all__ = ["LAYER", "Edge", "Layer", "Vertex", "mxfile"]

#: The id of the page's one visible layer; cells on it are the page's.
LAYER = "1"


class Vertex(Struct, frozen=True):
    """A box: its id, its parent's, where it is on the page (absolute), style, HTML label
    and data."""

    ident: str
    parent: str
    rect: Rect
    style: str
    label: str = ""
    data: Data = []
    visible: bool = True


class Edge(Struct, frozen=True):
    """A link between two cells: its corners on the page (absolute), its label's place along
    it (-1 at the start, 1 at the end) and its offset from there."""

    ident: str
    parent: str
    source: str
    target: str
    style: str
    points: list[tuple[float, float]] = []
    label: str = ""
    along: float = 0.0
    offset: tuple[float, float] = (0.0, 0.0)
    data: Data = []


class Layer(Struct, frozen=True):
    """A layer of the page after the first: its id, name and whether it is shown."""

    ident: str
    name: str
    visible: bool


def _number(value: float) -> str:
    text = f"{round(value, 2):g}"
    return "0" if text == "-0" else text


def _attribute(value: str) -> str:
    """Return a value for a quoted attribute: escaped, each line break as ``&#10;``."""
    return "&#10;".join(xml_escape(clean(part), "&#39;") for part in value.split("\n"))


def _object(ident: str, label: str, data: Data) -> str:
    pairs = [("label", label), *data, ("id", ident)]
    return "<object " + " ".join(f'{name}="{_attribute(value)}"' for name, value in pairs) + ">"


def _vertex(cell: Vertex, origins: dict[str, tuple[float, float]]) -> str:
    x0, y0 = origins.get(cell.parent, (0.0, 0.0))
    rect = cell.rect
    hidden = "" if cell.visible else ' visible="0"'
    return (
        f"{_object(cell.ident, cell.label, cell.data)}"
        f'<mxCell style="{xml_escape(cell.style)}" vertex="1" parent="{xml_escape(cell.parent)}"'
        f"{hidden}>"
        f'<mxGeometry x="{_number(rect.left - x0)}" y="{_number(rect.top - y0)}" '
        f'width="{_number(rect.width)}" height="{_number(rect.height)}" as="geometry"/>'
        "</mxCell></object>"
    )


def _edge(edge: Edge, origins: dict[str, tuple[float, float]]) -> str:
    x0, y0 = origins.get(edge.parent, (0.0, 0.0))
    points = "".join(
        f'<mxPoint x="{_number(x - x0)}" y="{_number(y - y0)}"/>' for x, y in edge.points
    )
    dx, dy = edge.offset
    return (
        f"{_object(edge.ident, edge.label, edge.data)}"
        f'<mxCell style="{xml_escape(edge.style)}" edge="1" parent="{xml_escape(edge.parent)}" '
        f'source="{xml_escape(edge.source)}" target="{xml_escape(edge.target)}">'
        f'<mxGeometry x="{_number(edge.along)}" relative="1" as="geometry">'
        + (f'<Array as="points">{points}</Array>' if points else "")
        + f'<mxPoint x="{_number(dx)}" y="{_number(dy)}" as="offset"/>'
        "</mxGeometry></mxCell></object>"
    )


def mxfile(
    name: str,
    size: tuple[float, float],
    background: str,
    cells: Iterable[Vertex | Edge],
    layers: Iterable[Layer] = (),
) -> bytes:
    """Return the uncompressed draw.io file of one page called ``name``, ``size`` wide and
    high, holding ``cells`` (parents before their children) on layer 1, then ``layers``."""
    width, height = size
    origins: dict[str, tuple[float, float]] = {}
    body = ['<mxCell id="0"/>', f'<mxCell id="{LAYER}" value="Picture" parent="0"/>']
    body += [
        f'<mxCell id="{xml_escape(layer.ident)}" value="{_attribute(layer.name)}" parent="0"'
        + ("" if layer.visible else ' visible="0"')
        + "/>"
        for layer in layers
    ]
    for cell in cells:
        if isinstance(cell, Vertex):
            body.append(_vertex(cell, origins))
            origins[cell.ident] = (cell.rect.left, cell.rect.top)
        else:
            body.append(_edge(cell, origins))
    model = (
        '<mxGraphModel dx="0" dy="0" grid="0" gridSize="10" guides="1" tooltips="1" '
        'connect="1" arrows="1" fold="1" page="1" pageScale="1" '
        f'pageWidth="{_number(width)}" pageHeight="{_number(height)}" '
        f'background="{xml_escape(background)}" math="0" shadow="0">'
    )
    text = (
        '<mxfile host="diagramgen" type="device">\n'
        f'  <diagram id="page-1" name="{_attribute(name)}">\n'
        f"    {model}\n      <root>\n"
        + "".join(f"        {line}\n" for line in body)
        + "      </root>\n    </mxGraphModel>\n  </diagram>\n</mxfile>\n"
    )
    return text.encode("utf-8")
