"""A host's table, cell by cell: VMs standing on their hypervisor, containers on their engine,
the full-width bars under them.

A VM is one stack: its apps or containers on its engine and guest OS, on the VM's own cell
(its name, allocation and use: the virtual hardware it runs on), which stands on the
hypervisor. VMs side by side form a band, its layers level from the bottom; bands that wrap
each stand on a shelf of the hypervisor. Every cell has an exact size (:mod:`.cells`); what
size each VM and grid takes is the page's choice (:mod:`.arrange`), made with the shapes
offered here.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import cached_property

from msgspec import Struct

from ..accounting.compute import Totals
from ..accounting.figures import RESOURCES, Figures, Sum
from ..spec.model import VM, Host, Resources, display_name, reserving
from .cells import Cell, Line, lines_height, text_room
from .items import Workloads, split, two_lines
from .style import TITLE_SIZE, Style, component_cell
from .wording import Usage, join_figures, named, trio, usage_lines

__all__ = [
    "MIN_COLUMN",
    "Band",
    "VmColumn",
    "bar_cells",
    "engine_bar",
    "host_title",
    "host_tooltip",
    "hypervisor_bar",
    "shelf_height",
]

#: The narrowest a VM is drawn (points).
MIN_COLUMN = 100
#: How many of the VMs' heights above the least that fits a band tries.
REFINE = 2


def _vm_tooltip(vm: VM, usage: Usage) -> tuple[str, ...]:
    allocated = trio(vm.allocated)
    lines = [named(vm, "VM") + ("" if vm.running else ", stopped")]
    lines += [f"allocated {allocated}"] if allocated else []
    if usage.amounts:
        lines.append(f"{usage.amounts} ({usage.shares})" if usage.shares else usage.amounts)
    for kind, layer in (("guest OS", vm.guest_os), ("engine", vm.engine)):
        if layer is not None:
            lines.append(f"{kind} {layer.name or '(unnamed)'}: {trio(layer.uses)}")
    return tuple(lines)


class Shape(Struct, frozen=True):
    """A VM at one size: its width, its grid's rows, and the heights of its parts."""

    width: int
    rows: int
    #: Whether the grid has a lane above each of its rows (links end in any row).
    laned: bool
    lane: int
    grid: int
    engine: int
    guest: int
    base: int

    @property
    def height(self) -> int:
        return self.grid + self.engine + self.guest + self.base


class VmColumn:
    """One VM: what it draws, and its shape at any width and number of grid rows."""

    def __init__(self, vm: VM, totals: Totals, style: Style) -> None:
        self.vm = vm
        self.style = style
        self.workloads = Workloads(vm.workloads(), style, inner_lanes=False)
        #: The grid with a lane above each row: for a VM too wide with its linked items all
        #: in its first row.
        self.laned = self.workloads.with_lanes()
        self.usage = usage_lines("used", totals.vm(vm.id).used, vm.allocated)
        self.reserved = totals.vm(vm.id).reserved if reserving(vm.containers) else None
        self.tip = component_cell(vm, _vm_tooltip(vm, self.usage))
        self._shapes: dict[tuple[int, int, bool], Shape] = {}
        self._frontiers: dict[object, tuple[list[int], list[Shape]]] = {}
        self._layer_heights: dict[int, tuple[int, int, int]] = {}
        self._allocated = trio(vm.allocated)
        #: What the engine and guest OS are measured by (alike ones are measured once).
        self._layer_keys = tuple(
            (kind, layer.name, trio(layer.uses)) if layer is not None else None
            for kind, layer in (("engine", vm.engine), ("guest", vm.guest_os))
        )

    def base_lines(self, width: int) -> list[Line]:
        """Return the lines of the VM's own cell: its name, allocation and use."""
        style, room = self.style, text_room(width)
        allocated = self._allocated
        lines = [
            *style.names(display_name(self.vm), room),
            *style.details("" if self.vm.running else "stopped", room),
            *style.details("allocated " + allocated if allocated else "", room),
            *style.details(self.usage.amounts, room),
            *style.details(self.usage.shares, room, warn=self.usage.over),
        ]
        if self.reserved is not None:
            lines += reserved_lines(self.reserved, self.vm.allocated, style, room)
        return lines + style.mark(self.vm.id, room)

    def engine_lines(self, width: int) -> list[Line]:
        return self.style.layer(self.vm.engine, "container engine", text_room(width))

    def guest_lines(self, width: int) -> list[Line]:
        return self.style.layer(self.vm.guest_os, "guest OS", text_room(width))

    @cached_property
    def options(self) -> list[tuple[int, int, bool]]:
        """Return the (width, grid rows, laned) the VM may be drawn at, narrowest first: its
        linked items in its first row."""
        if not self.workloads.items:
            return [(self.least, 0, False)]
        found = set()
        for rows in self.workloads.row_counts():
            columns = self.workloads.columns(rows)
            for width in self.workloads.widths():
                found.add((max(self.least, columns * width), rows, False))
        return sorted(found)

    @cached_property
    def laned_options(self) -> list[tuple[int, int, bool]]:
        """Return the further shapes of a VM too wide with its linked items all in its first
        row: more rows, with lanes between them where links reach the items."""
        plain = {rows for _, rows, _ in self.options}
        found = set()
        for rows in self.laned.row_counts():
            if rows in plain:
                continue
            columns = self.laned.columns(rows)
            for width in self.laned.widths():
                found.add((max(self.least, columns * width), rows, True))
        return sorted(found)

    def options_within(self, room: int) -> list[tuple[int, int, bool]]:
        """Return the shapes the VM is tried at in ``room`` points: laned grids only when no
        other fits (lanes between rows of items make a tall, loose tower)."""
        if self.options[0][0] <= room or not self.laned_options:
            return _within(self.options, room)
        return _within(self.options, room) + _within(self.laned_options, room)

    def frontier(self, room: int) -> tuple[list[int], list[Shape]]:
        """Return the VM's shapes in ``room`` as (heights, best): ``best[i]`` is the narrowest
        (then lowest) shape at most ``heights[i]`` tall, heights ascending."""
        options = self.options_within(room)
        key = (len(options), options[-1])
        found = self._frontiers.get(key)
        if found is None:
            shapes = sorted(
                (self.shape(*option) for option in options), key=lambda s: (s.height, s.width)
            )
            heights: list[int] = []
            best: list[Shape] = []
            for shape in shapes:
                narrower = not best or (shape.width, shape.height) < (
                    best[-1].width,
                    best[-1].height,
                )
                chosen = shape if narrower else best[-1]
                if heights and heights[-1] == shape.height:
                    best[-1] = chosen
                else:
                    heights.append(shape.height)
                    best.append(chosen)
            # VMs alike in every size (a fleet's) share one frontier: their bands are
            # planned once (see plan_band).
            found = self.style.frontiers.setdefault((tuple(heights), tuple(best)), (heights, best))
            self._frontiers[key] = found
        return found

    @cached_property
    def least(self) -> int:
        """Return the narrowest the VM is drawn: its own texts on two lines at most."""
        widest = MIN_COLUMN * 3
        texts = [*self.base_lines(widest), *self.guest_lines(widest), *self.engine_lines(widest)]
        return two_lines(texts, MIN_COLUMN, widest)

    @cached_property
    def narrowest(self) -> int:
        """Return the narrowest the VM is drawn at, laned if it must."""
        return min(width for width, _, _ in self.options + self.laned_options)

    def grid(self, shape: Shape) -> Workloads:
        """Return the grid ``shape`` draws: with lanes between its rows, or without."""
        return self.laned if shape.laned else self.workloads

    def shape(self, width: int, rows: int, laned: bool = False) -> Shape:
        """Return the VM's shape ``width`` points wide, its grid in ``rows`` rows."""
        key = (width, rows, laned)
        found = self._shapes.get(key)
        if found is None:
            items = self.laned if laned else self.workloads
            grid = items.height(rows, width) if items.items else 0
            # Links end on the VM's top at its first row of items (the VM's own, on a side),
            # or in the lanes inside a laned grid.
            first = items.first_row(rows) if items.items and not laned else []
            lane = self.style.lane(first)
            engine, guest, base = self._layers(width)
            found = Shape(width, rows, laned, lane, grid, engine, guest, base)
            self._shapes[key] = found
        return found

    def _layers(self, width: int) -> tuple[int, int, int]:
        """Return the heights of the VM's engine, guest OS and own cell ``width`` wide (a
        fleet's engines and guest OSes are measured once)."""
        found = self._layer_heights.get(width)
        if found is None:
            known = self.style.layers
            layers = []
            for named_by, lines in zip(
                self._layer_keys, (self.engine_lines, self.guest_lines), strict=True
            ):
                if named_by is None:
                    layers.append(0)
                    continue
                key = (*named_by, width)
                height = known.get(key)
                if height is None:
                    height = known[key] = lines_height(lines(width))
                layers.append(height)
            engine, guest = layers
            found = (engine, guest, lines_height(self.base_lines(width)))
            self._layer_heights[width] = found
        return found

    def widened(self, shape: Shape, width: int) -> Shape:
        """Return ``shape`` drawn ``width`` points wide (its grid keeps its rows)."""
        return self.shape(width, shape.rows, shape.laned)


def _within(options: list[tuple[int, int, bool]], room: int) -> list[tuple[int, int, bool]]:
    """Return the options (narrowest first) at most ``room`` wide, or the narrowest."""
    return [option for option in options if option[0] <= room] or options[:1]


class Band(Struct):
    """VMs side by side, each at a shape, their layers level from the bottom."""

    columns: list[VmColumn]
    shapes: list[Shape]
    gap: int

    @property
    def width(self) -> int:
        return sum(shape.width for shape in self.shapes) + self.gap * (len(self.shapes) - 1)

    @property
    def base(self) -> int:
        return max(shape.base for shape in self.shapes)

    @property
    def guest(self) -> int:
        return max(shape.guest for shape in self.shapes)

    @property
    def engine(self) -> int:
        return max(shape.engine for shape in self.shapes)

    def column_height(self, index: int) -> int:
        """Return the height of VM ``index`` of the band, its layers levelled."""
        shape = self.shapes[index]
        return shape.grid + (self.engine if shape.engine else 0) + self.guest + self.base

    @property
    def stacks(self) -> int:
        """Return the height of the band's tallest VM."""
        return max(self.column_height(i) for i in range(len(self.shapes)))

    @property
    def height(self) -> int:
        lane = max(self._lanes(), default=0)
        return lane + self.stacks

    def _lanes(self) -> list[int]:
        """Return, for each VM, how far above the band's tallest VM its lane reaches."""
        found = []
        for index, shape in enumerate(self.shapes):
            if shape.lane:
                found.append(max(0, shape.lane - (self.stacks - self.column_height(index))))
        return found

    def widened(self, width: int) -> Band:
        """Return the band ``width`` points wide: the narrowest VMs widened first, as water
        fills the lowest places, so a narrow VM's texts stop wrapping before a wide one's
        grid grows (its layers are level with theirs: its wrapping makes them all taller)."""
        extra = width - self.width
        if extra <= 0:
            return self
        widths = [shape.width for shape in self.shapes]
        for index, share in enumerate(_water(widths, extra)):
            widths[index] += share
        shapes = [
            column.widened(shape, wide)
            for column, shape, wide in zip(self.columns, self.shapes, widths, strict=True)
        ]
        return Band(self.columns, shapes, self.gap)

    def rows(self, width: int) -> list[list[Cell]]:
        """Return the band as table rows ``width`` points wide: its lane, then its VMs."""
        band = self.widened(width)
        lane = max(band._lanes(), default=0)
        rows: list[list[Cell]] = []
        if lane:
            rows.append([Cell([], band.width, lane, border=0, colspan=2 * len(band.shapes) - 1)])
        row: list[Cell] = []
        height = band.stacks
        for index, (column, shape) in enumerate(zip(band.columns, band.shapes, strict=True)):
            if index:
                row.append(Cell([], band.gap, height, border=0))
            row.append(band._column_cell(column, shape, band.column_height(index), height))
        rows.append(row)
        return rows

    def _column_cell(self, column: VmColumn, shape: Shape, own: int, height: int) -> Cell:
        """Return one VM's cell: room above it, then its stack (the links' target)."""
        theme = column.style.theme
        stack: list[list[Cell]] = []
        if shape.rows:
            grid = column.grid(shape)
            stack += grid.table(shape.rows, shape.width, theme.fill("container"))
        if shape.engine:
            lines = column.engine_lines(shape.width)
            stack.append([Cell(lines, shape.width, self.engine, theme.fill("engine"))])
        stack.append(
            [Cell(column.guest_lines(shape.width), shape.width, self.guest, theme.fill("guest_os"))]
        )
        # A stopped VM is drawn muted: on the host's own fill; one a diff marks, on its state's.
        vm = column.vm
        fill = column.style.fill(vm.id, "vm" if vm.running else "host")
        base = Cell(column.base_lines(shape.width), shape.width, self.base, fill)
        base.dashed = column.style.dashed(vm.id)
        base.ident, base.tooltip, base.href = (
            column.tip["ident"],
            column.tip.get("tooltip", ()),
            column.tip.get("href"),
        )
        # The VM's links end on a side of its own cell: its top is its items'.
        base.side = True
        stack.append([base])
        inner: list[list[Cell]] = []
        if height > own:
            inner.append([Cell([], shape.width, height - own, border=0)])
        inner.append([Cell([], shape.width, own, border=0, inner=stack)])
        return Cell([], shape.width, height, border=0, inner=inner)


def _water(widths: list[int], extra: int) -> list[int]:
    """Return how much of ``extra`` each of ``widths`` gets: the narrowest are raised to the
    next narrowest, together, until ``extra`` is spent (whole points; earlier ones first)."""
    count = len(widths)
    order = sorted(range(count), key=lambda i: (widths[i], i))
    level, filled = widths[order[0]], 1
    left = extra
    while filled < count and (widths[order[filled]] - level) * filled <= left:
        left -= (widths[order[filled]] - level) * filled
        level = widths[order[filled]]
        filled += 1
    raised = split(left, filled)
    shares = [0] * count
    for rank, index in enumerate(order[:filled]):
        shares[index] = level - widths[index] + raised[rank]
    return shares


def plan_band(columns: list[VmColumn], room: int, gap: int) -> Band | None:
    """Return the band of ``columns`` of least height that fits ``room`` points, or None;
    at its narrowest (:meth:`Band.widened` shares out the rest of the room).

    The least height whose narrowest shapes fit is found by bisection over the heights the
    VMs' shapes take (a VM taller than it is made narrower, never the other way round).
    Bands of VMs alike in every size (a fleet's) are planned once a picture.
    """
    frontiers = [column.frontier(room) for column in columns]
    style = columns[0].style
    key = (tuple(map(id, frontiers)), room, gap)
    if key not in style.bands:
        style.bands[key] = _cap(columns, frontiers, room, gap)
    cap = style.bands[key]
    if cap is None:
        return None
    if cap < 0:  # even the tallest do not fit: the narrowest
        return Band(columns, [min(best, key=lambda s: s.width) for _, best in frontiers], gap)
    found = _narrowest_within(frontiers, cap, room - gap * (len(columns) - 1))
    assert found is not None
    return Band(columns, found, gap)


def _narrowest_within(
    frontiers: list[tuple[list[int], list[Shape]]], height: int, room: int
) -> list[Shape] | None:
    """Return the narrowest shape of each VM at most ``height`` tall, if they fit ``room``."""
    chosen = []
    for found, best in frontiers:
        index = bisect_right(found, height) - 1
        if index < 0:
            return None
        chosen.append(best[index])
    return chosen if sum(shape.width for shape in chosen) <= room else None


def _cap(
    columns: list[VmColumn], frontiers: list[tuple[list[int], list[Shape]]], room: int, gap: int
) -> int | None:
    """Return the height the band's VMs are held to: None when they cannot fit ``room``, -1
    when only their narrowest shapes do."""
    inside = room - gap * (len(columns) - 1)
    if sum(min(shape.width for shape in best) for _, best in frontiers) > inside:
        return None
    heights = sorted({height for found, _ in frontiers for height in found})
    low, high = 0, len(heights) - 1
    if _narrowest_within(frontiers, heights[high], inside) is None:
        return -1
    while low < high:
        middle = (low + high) // 2
        if _narrowest_within(frontiers, heights[middle], inside) is None:
            low = middle + 1
        else:
            high = middle
    # The VMs' layers are level across the band, so one VM's wrapping makes them all taller:
    # a few taller caps leave more width to share out, and the band of least height, its
    # width shared out (:meth:`Band.widened`), is taken.
    best: tuple[int, int] | None = None
    for height in heights[low : low + REFINE]:
        found = _narrowest_within(frontiers, height, inside)
        if found is None:
            continue
        band = Band(columns, found, gap).widened(room)
        if best is None or band.height < best[0]:
            best = (band.height, height)
    assert best is not None
    return best[1]


def balanced(count: int, rows: int) -> list[int]:
    """Return the sizes of ``rows`` rows of ``count`` siblings: they differ by at most one."""
    return split(count, rows)


def reserved_lines(reserved: Figures, bound: Resources, style: Style, room: float) -> list[Line]:
    """Return the line of what containers reserve (cpu and memory), beside what is committed."""
    cpu_and_memory = Figures(reserved.cpu, reserved.memory, Sum(0, 1))  # disk is not reserved
    usage = usage_lines("reserved", cpu_and_memory, bound)
    shares = f"  ({usage.shares})" if usage.shares else ""
    return style.details(usage.amounts + shares, room, warn=usage.over)


def bar_cells(host: Host, totals: Totals, style: Style, width: int) -> list[Cell]:
    """Return the full-width layers under the VMs or containers, top to bottom, at their
    natural heights for a table ``width`` points wide."""
    theme = style.theme
    room = text_room(width)
    bars = []
    if host.stack == "container":
        bars.append(engine_bar(host, style, width))
    elif host.stack != "mixed" and host.hypervisor is not None:
        bars.append(hypervisor_bar(host, style, width))
    if host.host_os is not None:
        lines = style.layer(host.host_os, "host OS", room)
        bars.append(Cell(lines, width, lines_height(lines), theme.fill("host_os")))
    host_totals = totals.host(host.id)
    infrastructure = host.infrastructure
    usage = usage_lines("committed", host_totals.committed, infrastructure.capacity)
    capacity = trio(infrastructure.capacity)
    lines = [
        *style.names(infrastructure.name or "infrastructure", room),
        *style.details("capacity " + capacity if capacity else "", room),
    ]
    if usage.amounts:
        shares = f"  ({usage.shares})" if usage.shares else ""
        lines += style.details(usage.amounts + shares, room, warn=usage.over)
    if reserving(host.containers):
        lines += reserved_lines(host_totals.reserved, infrastructure.capacity, style, room)
    bars.append(Cell(lines, width, lines_height(lines), theme.fill("infrastructure")))
    return bars


def engine_bar(host: Host, style: Style, width: int) -> Cell:
    """Return the bar of the host's container engine, ``width`` points wide."""
    lines = style.layer(host.engine, "container engine", text_room(width))
    return Cell(lines, width, lines_height(lines), style.theme.fill("engine"))


def hypervisor_bar(host: Host, style: Style, width: int) -> Cell:
    """Return the bar of the host's hypervisor, ``width`` points wide."""
    room = text_room(width)
    lines = [*style.names(hypervisor_name(host), room)]
    if host.hypervisor is not None:
        lines += style.details(trio(host.hypervisor.uses), room)
    return Cell(lines, width, lines_height(lines), style.theme.fill("hypervisor"))


def hypervisor_name(host: Host) -> str:
    """Return the hypervisor's name as its bar and shelves write it."""
    hypervisor = host.hypervisor
    if hypervisor is None:
        return "hypervisor"
    name = hypervisor.name or "hypervisor"
    return f"{name} · type {hypervisor.type}" if hypervisor.type else name


def shelf_lines(host: Host, style: Style, width: int) -> list[Line]:
    """Return the lines of a shelf of the hypervisor under a band of VMs that wrapped."""
    return style.details(hypervisor_name(host), text_room(width))


def shelf_height(host: Host, style: Style, width: int) -> int:
    return lines_height(shelf_lines(host, style, width))


def host_tooltip(host: Host, totals: Totals) -> tuple[str, ...]:
    """Return the tooltip of a host: its name, capacity, what it commits and its OS copies."""
    host_totals = totals.host(host.id)
    usage = usage_lines("committed", host_totals.committed, host.infrastructure.capacity)
    copies = host_totals.os_copies
    overhead = join_figures(
        [
            (key, figure.label(key))
            for key in RESOURCES
            if (figure := host_totals.os_overhead.get(key)).known is not None
        ],
        RESOURCES,
    )
    capacity = trio(host.infrastructure.capacity)
    lines = [named(host, f"{host.stack} host")]
    lines += [f"capacity {capacity}"] if capacity else []
    if usage.amounts:
        lines.append(f"{usage.amounts} ({usage.shares})" if usage.shares else usage.amounts)
    what = f"{copies} OS cop{'y' if copies == 1 else 'ies'}"
    lines.append(f"{what}: {overhead}" if overhead else what)
    if host_totals.userland_copies:
        lines.append(f"{host_totals.userland_copies} userland copies (no kernel)")
    return tuple(lines)


def host_title(host: Host, totals: Totals, style: Style, width: int) -> list[Line]:
    """Return the title lines of a host whose table is ``width`` points wide."""
    host_totals = totals.host(host.id)
    copies = host_totals.os_copies
    what = f"{host.stack} host · {copies} OS cop{'y' if copies == 1 else 'ies'}"
    if host_totals.userland_copies:
        userlands = host_totals.userland_copies
        what += f" · {userlands} userland{'' if userlands == 1 else 's'}"
    room = text_room(width)
    title = style.names(display_name(host), room, size=TITLE_SIZE)
    return [*title, *style.details(what, room), *style.mark(host.id, room)]
