"""The placed page as draw.io cells: every box where the SVG draws it, nested as it stands.

A host is one cell holding its layers (bars, shelves of its hypervisor), its VMs and its
containers; a VM holds its guest OS, engine and workloads; a container or app holds its
bins/libs. A host's, VM's or workload's own text is its cell's label, set where the SVG sets
it (a VM's at its foot, under its stack). The walk goes down each host's table as
:func:`~..geometry.table_cells` places it: a cell is a component's where it carries its id
(``c-ID``), a layer's where its fill is that layer's placeholder colour.
"""

from __future__ import annotations

from ...accounting.compute import Totals
from ...spec.model import VM, Host, Layer, Spec
from ..cells import Cell
from ..geometry import Rect, table_cells
from ..layout import Block
from .data import component_data, layer_data
from .mxfile import Vertex
from .styles import Palette

__all__ = ["Sheet"]

#: The layers drawn as cells of their own, by placeholder role: the id each gets after its
#: owner's, and the kind its data names.
LAYERS = {
    "infrastructure": ("infrastructure", "infrastructure"),
    "host_os": ("host-os", "host OS"),
    "hypervisor": ("hypervisor", "hypervisor"),
    "guest_os": ("guest-os", "guest OS"),
    "engine": ("engine", "engine"),
}
#: A host's frame is drawn with corners this round (points, diameter).
ARC = 24


class Sheet:
    """The cells of the placed page, in draw.io's page coordinates (the SVG's)."""

    def __init__(self, spec: Spec, totals: Totals, palette: Palette, dx: float, dy: float):
        self.spec, self.totals, self.palette = spec, totals, palette
        self.dx, self.dy = dx, dy
        self.components = {component.id: component for _, component in spec.components()}
        self.cells: list[Vertex] = []
        self.rects: dict[str, Rect] = {}
        self._taken: set[str] = set()

    def page(self, rect: Rect) -> Rect:
        """Return a rectangle of the placed page where the SVG draws it."""
        return Rect(
            rect.left + self.dx, rect.top + self.dy, rect.right + self.dx, rect.bottom + self.dy
        )

    def add(self, cell: Vertex) -> None:
        self.cells.append(cell)
        self.rects[cell.ident] = cell.rect

    def _unique(self, ident: str) -> str:
        """Return ``ident``, numbered from 2 when taken (a hypervisor's shelves)."""
        found, number = ident, 1
        while found in self._taken:
            number += 1
            found = f"{ident}-{number}"
        self._taken.add(found)
        return found

    def host(self, block: Block) -> None:
        """Add a host's cell, and everything in it."""
        host_id = block.ident.removeprefix("host-")
        host = self.components[host_id]
        assert isinstance(host, Host)
        rect = self.page(block.rect)
        inset = block.frame
        placed = {
            id(cell): self.page(found)
            for cell, found in table_cells(
                block.rows, block.rect.left + inset, block.rect.top + inset
            )
        }
        title = block.rows[0][0]
        title_rect = placed[id(title)]
        palette = self.palette
        look = palette.box(
            title,
            palette.theme.fill("host"),
            strokeColor=palette.theme.border,
            rounded=1,
            absoluteArcSize=1,
            arcSize=ARC,
            container=1,
            collapsible=0,
            spacingLeft=inset,
            spacingRight=inset,
            spacingTop=title_rect.top - rect.top,
            spacingBottom=rect.bottom - title_rect.bottom,
        )
        self.add(
            Vertex(
                f"c-{host_id}",
                "1",
                rect,
                look,
                palette.cell_label(title),
                component_data(host, self.totals, title.tooltip),
            )
        )
        self._taken.add(f"c-{host_id}")
        self._walk(block.rows, placed, host_id, f"c-{host_id}")

    def _walk(
        self, rows: list[list[Cell]], placed: dict[int, Rect], owner: str, parent: str
    ) -> None:
        """Add the cells of a table's ``rows`` standing in ``owner`` (a host's or VM's id)."""
        skip = False
        for index, row in enumerate(rows):
            if skip:  # bins/libs cells, added with the items above them
                skip = False
                continue
            below = rows[index + 1] if index + 1 < len(rows) else None
            items = below is not None and _items(row, below)
            for column, cell in enumerate(row):
                rect = placed[id(cell)]
                if cell.inner:
                    base = _vm_base(cell)
                    if base is not None:
                        self._vm(cell, base, placed, parent)
                    else:
                        self._walk(cell.inner, placed, owner, parent)
                elif cell.ident and cell.ident.removeprefix("c-") != owner:
                    libs = below[column] if items and below is not None else None
                    self._item(cell, rect, libs, placed.get(id(libs)) if libs else None, parent)
                elif not cell.ident:
                    self._layer(cell, rect, owner, parent)
            skip = items

    def _vm(self, frame: Cell, base: Cell, placed: dict[int, Rect], parent: str) -> None:
        """Add a VM's cell: its whole stack, its own text at its foot (the SVG's VM cell)."""
        vm_id = (base.ident or "").removeprefix("c-")
        vm = self.components[vm_id]
        assert isinstance(vm, VM)
        rect, own = placed[id(frame)], placed[id(base)]
        look = self.palette.box(base, container=1, collapsible=0, spacingTop=own.top - rect.top)
        data = component_data(vm, self.totals, base.tooltip)
        self.add(Vertex(f"c-{vm_id}", parent, rect, look, self.palette.cell_label(base), data))
        self._taken.add(f"c-{vm_id}")
        assert frame.inner is not None
        self._walk(frame.inner, placed, vm_id, f"c-{vm_id}")

    def _item(
        self, cell: Cell, rect: Rect, libs: Cell | None, under: Rect | None, parent: str
    ) -> None:
        """Add a container's or app's cell, its bins/libs cell inside it at its foot."""
        item_id = (cell.ident or "").removeprefix("c-")
        component = self.components[item_id]
        whole = rect if under is None else Rect(rect.left, rect.top, rect.right, under.bottom)
        spacing = whole.bottom - rect.bottom
        look = self.palette.box(cell, container=1, collapsible=0, spacingBottom=spacing or None)
        data = component_data(component, self.totals, cell.tooltip)
        ident = f"c-{item_id}"
        self.add(Vertex(ident, parent, whole, look, self.palette.cell_label(cell), data))
        self._taken.add(ident)
        if libs is not None and under is not None:
            data = [
                ("kind", "bins/libs"),
                *((name, value) for name, value in data if name == "libs"),
            ]
            look = self.palette.box(libs, connectable=0)
            label = self.palette.cell_label(libs)
            self.add(Vertex(self._unique(f"{ident}:libs"), ident, under, look, label, data))

    def _layer(self, cell: Cell, rect: Rect, owner: str, parent: str) -> None:
        """Add a layer's cell (a bar, a shelf, a guest OS, an engine) or a cell of text."""
        role = self.palette.role(cell.fill)
        if role not in LAYERS:
            if cell.lines:  # text of another kind: drawn, as it is
                look = self.palette.box(cell, connectable=0)
                ident = self._unique(f"c-{owner}:text")
                self.add(Vertex(ident, parent, rect, look, self.palette.cell_label(cell)))
            return
        name, kind = LAYERS[role]
        component = self.components[owner]
        layer: Layer | Host | None = None
        if isinstance(component, Host):
            layers = {"host_os": component.host_os, "engine": component.engine}
            layer = layers.get(role, component)
        elif isinstance(component, VM):
            layer = component.guest_os if role == "guest_os" else component.engine
        data = layer_data(kind, layer, self.totals) if layer is not None else [("kind", kind)]
        look = self.palette.box(cell, connectable=0)
        ident = self._unique(f"c-{owner}:{name}")
        self.add(Vertex(ident, parent, rect, look, self.palette.cell_label(cell), data))


def _vm_base(cell: Cell) -> Cell | None:
    """Return a VM's own cell when ``cell`` is the VM's stack (its own cell at its foot)."""
    if not cell.inner or len(cell.inner[-1]) != 1:
        return None
    base = cell.inner[-1][0]
    return base if base.side and base.ident else None


def _items(row: list[Cell], below: list[Cell]) -> bool:
    """Return whether ``row`` is a row of items over their bins/libs cells."""
    return (
        len(row) == len(below)
        and all(cell.ident and not cell.inner for cell in row)
        and not any(cell.ident or cell.inner for cell in below)
    )
