"""The totals panel as draw.io's table shape: a frame holding a table of rows of cells.

draw.io's table (``childLayout=tableLayout``) gives every row one cell a column; a cell that
spans columns says ``colspan`` and the cells it covers are hidden, as draw.io merges cells.
The table is laid out here exactly as the SVG's panel; draw.io lays it out again only when it
is edited.
"""

from __future__ import annotations

from ...accounting.compute import Totals
from ...accounting.figures import RESOURCES, Figures
from ..cells import Cell
from ..geometry import Rect, table_cells
from ..layout import Block
from .data import Data
from .markup import read_label
from .mxfile import Vertex
from .styles import FONT, Palette, style

__all__ = ["panel_cells", "totals_data"]


def totals_data(totals: Totals) -> Data:
    """Return the diagram's totals as data: counts, OS copies, image disk, committed."""
    diagram = totals.diagram
    data: Data = [
        ("kind", "totals"),
        ("hosts", str(diagram.hosts)),
        ("vms", str(diagram.vms)),
        ("containers", str(diagram.containers)),
        ("apps", str(diagram.apps)),
        ("os_copies", str(diagram.os_copies)),
    ]
    committed = Figures()
    for host in totals.hosts:
        committed = committed + host.committed
    for prefix, figures in (("os_overhead", diagram.os_overhead), ("committed", committed)):
        for key in RESOURCES:
            total = figures.get(key)
            if total.known is not None:
                data.append((f"{prefix}_{key}", total.label(key)))
    if diagram.containers and diagram.image_disk_unique.known is not None:
        data.append(("image_disk_unique", diagram.image_disk_unique.label("disk")))
        data.append(("image_disk_naive", diagram.image_disk_naive.label("disk")))
    data.append(
        ("warnings", str(sum(1 for alert in totals.warnings if alert.code != "unspecified")))
    )
    return data


def _columns(placed: list[tuple[Cell, Rect, int]]) -> list[float]:
    """Return the x of each column edge, from the cells' own edges (column, span)."""
    edges: dict[int, float] = {}
    for cell, rect, column in placed:
        edges.setdefault(column, rect.left)
        edges.setdefault(column + cell.colspan, rect.right)
    count = max(edges)
    known = sorted(edges)
    found = []
    for index in range(count + 1):
        if index in edges:
            found.append(edges[index])
            continue
        # An edge no cell has: shared out evenly between its known neighbours.
        low = max(k for k in known if k < index)
        high = min(k for k in known if k > index)
        found.append(edges[low] + (edges[high] - edges[low]) * (index - low) / (high - low))
    return found


def panel_cells(block: Block, palette: Palette, page: Rect, data: Data) -> list[Vertex]:
    """Return the panel's cells: its frame (``page`` is where the SVG draws it), the table in
    it, the table's rows and their cells."""
    framed = read_label(block.label.markup, palette.theme.detail)
    frame_look = style(
        rounded=0,
        html=1,
        fillColor=palette.colour(framed.fill),
        strokeColor=palette.colour(framed.border),
        container=1,
        collapsible=0,
        connectable=0,
    )
    cells = [Vertex("totals", "1", page, frame_look, "", data)]
    left, top = page.left + framed.inset, page.top + framed.inset
    rows = framed.rows
    placed_rows: list[list[tuple[Cell, Rect, int]]] = []
    flat: list[tuple[Cell, Rect, int]] = []
    rects = {id(cell): rect for cell, rect in table_cells(rows, left, top)}
    for row in rows:
        column = 0
        spans: list[tuple[Cell, Rect, int]] = []
        for cell in row:
            spans.append((cell, rects[id(cell)], column))
            column += cell.colspan
        placed_rows.append(spans)
        flat += spans
    edges = _columns(flat)
    width = edges[-1] - edges[0]
    height = sum(max(r.height for _, r, _ in spans) for spans in placed_rows)
    table = Rect(left, top, left + width, top + height)
    table_look = style(
        shape="table",
        startSize=0,
        container=1,
        collapsible=0,
        childLayout="tableLayout",
        fixedRows=1,
        rowLines=0,
        columnLines=0,
        fillColor=palette.colour(framed.fill),
        strokeColor="none",
        html=1,
        fontFamily=FONT,
    )
    cells.append(Vertex("totals:table", "totals", table, table_look))
    for number, placed_row in enumerate(placed_rows, start=1):
        first = placed_row[0][1]
        rect = Rect(left, first.top, left + width, first.bottom)
        row_id = f"totals:r{number}"
        row_look = style(
            shape="tableRow",
            horizontal=0,
            startSize=0,
            swimlaneHead=0,
            swimlaneBody=0,
            top=0,
            left=0,
            bottom=0,
            right=0,
            collapsible=0,
            dropTarget=0,
            fillColor="none",
            strokeColor="none",
            points="[[0,0.5],[1,0.5]]",
            portConstraint="eastwest",
            html=1,
        )
        cells.append(Vertex(row_id, "totals:table", rect, row_look))
        for cell, found, column in placed_row:
            look = palette.box(
                cell,
                shape="partialRectangle",
                top=0,
                left=0,
                bottom=0,
                right=0,
                connectable=0,
                pointerEvents=1,
                colspan=cell.colspan if cell.colspan > 1 else None,
            )
            label = palette.cell_label(cell)
            cells.append(Vertex(f"{row_id}c{column + 1}", row_id, found, look, label))
            for covered in range(column + 1, column + cell.colspan):
                hidden = Rect(edges[covered], found.top, edges[covered + 1], found.bottom)
                plain = palette.box(Cell(fill=cell.fill, border=0), shape="partialRectangle")
                ident = f"{row_id}c{covered + 1}"
                cells.append(Vertex(ident, row_id, hidden, plain, visible=False))
    return cells
