"""draw.io's editable copy of a picture: ``.drawio`` files, and SVGs that carry one.

The copy is drawn from our own layout, not converted from the SVG: every box at the place and
size the SVG draws it, nested as the stack stands (a host holds its layers, VMs and
containers; a VM its guest OS, engine and workloads), each link an edge attached at both ends
along our router's corners, each component's figures as its cell's data, the totals panel a
table. Where the SVG puts the page (the room its title takes) is read from Graphviz's SVG.
"""

from __future__ import annotations

import html
import math
import re
from itertools import pairwise

from msgspec import Struct

from ...accounting.compute import Totals
from ...spec.model import Spec
from ..cells import HINTING, line_height
from ..geometry import Rect
from ..labels import LABEL_SIZE
from ..layout import FOOTER_GAP, PAD, Placement
from ..metrics import text_width
from ..style import DETAIL_SIZE
from ..themes import Theme
from ..tracks import ARROW
from .data import link_data
from .mxfile import LAYER, Edge, Layer, Vertex, mxfile
from .sheet import Sheet
from .styles import FONT, Palette, style, text_style
from .table import panel_cells, totals_data

__all__ = ["Frame", "drawio_file", "embed_drawio", "svg_frame"]

#: The layer holding the links the picture shows only by number (no line): hidden.
NUMBERED = "numbered-links"
_SIZE = re.compile(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')
_MOVE = re.compile(
    rb'class="graph" transform="scale\(1 1\) rotate\(0\) translate\(([-0-9.]+) ([-0-9.]+)\)"'
)
_PANEL = re.compile(
    rb'<g id="totals" class="node">\s*(?:<title>[^<]*</title>\s*)?<polygon [^>]*points="([^"]+)"'
)


class Frame(Struct, frozen=True):
    """Where Graphviz's SVG puts the page: its size, and the move from the layout's points
    (``y`` downwards from the hosts' top) to the SVG's."""

    width: float
    height: float
    dx: float
    dy: float


def svg_frame(svg: bytes, panel: Rect) -> Frame:
    """Return the frame of an SVG as Graphviz draws it (before it is finished), from where it
    draws the panel (placed at ``panel``): Graphviz moves the whole drawing when something
    stands below the layout's baseline (a footer)."""
    size, move, box = _SIZE.search(svg), _MOVE.search(svg), _PANEL.search(svg)
    if size is None or move is None or box is None:
        raise ValueError("not an SVG drawn by Graphviz")
    width, height = (float(value) for value in size.groups())
    tx, ty = (float(value) for value in move.groups())
    values = [float(value) for value in re.findall(rb"-?[0-9.]+", box.group(1))]
    left, top = min(values[0::2]) + tx, min(values[1::2]) + ty
    return Frame(width, height, left - panel.left, top - panel.top)


def drawio_file(
    name: str,
    placement: Placement,
    frame: Frame,
    spec: Spec,
    totals: Totals,
    theme: Theme,
    origin: str | None = None,
    footer: str | None = None,
) -> bytes:
    """Return the draw.io file of a page placed in the placeholder colours of theme ``auto``,
    drawn in ``theme``'s colours where ``frame`` says the SVG draws it; its page is ``name``,
    ``origin`` (where the picture came from) the panel's ``source``, and ``footer`` the line
    under the picture."""
    palette = Palette(theme)
    sheet = Sheet(spec, totals, palette, frame.dx, frame.dy)
    *hosts, panel = placement.blocks
    top = frame.dy  # the hosts' top edge on the page
    if spec.title:
        text = f"<b>{html.escape(spec.title, quote=False)}</b>"
        rect = Rect(PAD, PAD, frame.width - PAD, top)
        sheet.add(Vertex("title", LAYER, rect, text_style(palette, 17.0, True), text))
    for block in hosts:
        sheet.host(block)
    data = totals_data(totals) + ([("source", origin)] if origin else [])
    for cell in panel_cells(panel, palette, sheet.page(panel.rect), data):
        sheet.add(cell)
    if footer:  # as the DOT writes it: at the left, FOOTER_GAP under everything
        top = placement.bottom + FOOTER_GAP + frame.dy
        rect = Rect(
            frame.dx,
            top,
            frame.dx + text_width(footer, DETAIL_SIZE) * HINTING,
            top + line_height(DETAIL_SIZE),
        )
        look = text_style(palette, DETAIL_SIZE, False).replace("align=center", "align=left")
        label = f'<font color="{theme.detail}">{html.escape(footer, quote=False)}</font>'
        sheet.add(
            Vertex(
                "footer",
                LAYER,
                rect,
                look.replace("verticalAlign=top", "verticalAlign=middle"),
                label,
            )
        )
    edges = _edges(sheet, placement, spec, palette)
    # Draw.io lists a file's layers when it has more than one: only a page with links
    # without a line has the second.
    hidden = any(edge.parent == NUMBERED for edge in edges)
    layers = [Layer(NUMBERED, "Links shown by number (no line)", False)] if hidden else []
    cells: list[Vertex | Edge] = [*sheet.cells, *edges]
    return mxfile(name, (frame.width, frame.height), theme.background, cells, layers)


def _ancestors(cells: list[Vertex], ident: str) -> list[str]:
    parents = {cell.ident: cell.parent for cell in cells}
    chain = [ident]
    while chain[-1] in parents:
        chain.append(parents[chain[-1]])
    return chain


def _edges(sheet: Sheet, placement: Placement, spec: Spec, palette: Palette) -> list[Edge]:
    """Return an edge for every link: along its route where it has one; on the hidden layer
    of links shown by number where it has none."""
    routes = {found.number: found for found in placement.routes}
    theme = palette.theme
    edges = []
    for number, link in enumerate(spec.links, start=1):
        source, target = f"c-{link.source}", f"c-{link.target}"
        data = link_data(link.source, link.target, link.label, number)
        look: dict[str, str | float | None] = {
            "edgeStyle": "none",
            "rounded": 0,
            "html": 1,
            "endArrow": "block",
            "endFill": 1,
            "endSize": ARROW,
            "startArrow": "none",
            "strokeColor": theme.link,
            "strokeWidth": 1.2,
            "fontFamily": FONT,
            "fontSize": LABEL_SIZE,
            "fontColor": theme.link,
        }
        found = routes.get(number)
        if found is None:
            edges.append(
                Edge(f"link-{number}", NUMBERED, source, target, style(**look, dashed=1), data=data)
            )
            continue
        points = [(x + sheet.dx, y + sheet.dy) for x, y in found.points]
        ends: dict[str, str | float | None] = {}
        for key, ident, (x, y) in (("exit", source, points[0]), ("entry", target, points[-1])):
            rect = sheet.rects[ident]
            ends[f"{key}X"] = round((x - rect.left) / rect.width, 6)
            ends[f"{key}Y"] = round((y - rect.top) / rect.height, 6)
            ends[f"{key}Dx"] = 0
            ends[f"{key}Dy"] = 0
            ends[f"{key}Perimeter"] = 0
        first, second = _ancestors(sheet.cells, source), _ancestors(sheet.cells, target)
        parent = next(ident for ident in first[1:] if ident in second[1:])
        label, along, offset = "", 0.0, (0.0, 0.0)
        placed = placement.labels.get(number)
        if placed is not None:
            ground = palette.colour(placement.grounds.get(number))
            look["labelBackgroundColor"] = ground
            label = html.escape(placed.text, quote=False)
            along, offset = _along(points, (placed.x + sheet.dx, placed.y + sheet.dy))
        edge_look = style(**look, **ends)
        edges.append(
            Edge(
                f"link-{number}",
                parent,
                source,
                target,
                edge_look,
                points[1:-1],
                label,
                along,
                offset,
                data,
            )
        )
    return edges


def _along(
    points: list[tuple[float, float]], at: tuple[float, float]
) -> tuple[float, tuple[float, float]]:
    """Return where along a path its point nearest ``at`` is (-1 at its start, 1 at its end),
    and the offset from there to ``at``: an edge label's place as draw.io keeps it."""
    lengths = [math.dist(a, b) for a, b in pairwise(points)]
    total = sum(lengths) or 1.0
    best: tuple[float, float, tuple[float, float]] | None = None
    walked = 0.0
    for (a, b), length in zip(pairwise(points), lengths, strict=True):
        share = 0.0
        if length:
            share = ((at[0] - a[0]) * (b[0] - a[0]) + (at[1] - a[1]) * (b[1] - a[1])) / length**2
            share = min(1.0, max(0.0, share))
        point = (a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share)
        distance = math.dist(point, at)
        if best is None or distance < best[0]:
            best = (distance, walked + share * length, point)
        walked += length
    assert best is not None
    # draw.io finds the place along the path at a whole number of points.
    along = round(best[1])
    walked = 0.0
    point = points[-1]
    for (a, b), length in zip(pairwise(points), lengths, strict=True):
        if length and walked + length >= along:
            share = (along - walked) / length
            point = (a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share)
            break
        walked += length
    return 2 * along / total - 1, (round(at[0] - point[0], 2), round(at[1] - point[1], 2))


def embed_drawio(svg: bytes, drawio: bytes) -> bytes:
    """Return a finished SVG carrying a draw.io file in its root's ``content`` attribute,
    where draw.io reads it back as the picture's editable source."""
    text = svg.decode("utf-8")
    start = text.index("<svg ")
    content = (
        drawio.decode("utf-8")
        .replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", "&#10;")
    )
    return (text[: start + 5] + f'content="{content}" ' + text[start + 5 :]).encode("utf-8")
