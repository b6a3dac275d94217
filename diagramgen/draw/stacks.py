"""The table of one host, cell by cell: VM columns, bands of VMs, the full-width bars.

Every cell gets an explicit width and height (:mod:`.cells`), so Graphviz draws the
table without resizing a layer: widths are equal where they should be, a row of VMs shares
its heights, and the caller can pad hosts to one height. A VM's apps and containers are a grid
of their own (:mod:`.items`); and :mod:`.layout` places the tables and the links.
"""

from __future__ import annotations

from functools import cached_property

from msgspec import Struct

from ..accounting.compute import Totals
from ..accounting.figures import RESOURCES, Figures, Sum
from ..spec.model import VM, Host, Resources, display_name, reserving
from .cells import Cell, Line, lines_height, lines_width, text_room
from .items import Items, item_grid, split
from .style import MAX_TEXT, TEXT_ROOM, TITLE_SIZE, CellTip, Style, component_cell
from .wording import Usage, join_figures, named, trio, usage_lines

__all__ = [
    "Block",
    "container_block",
    "host_bars",
    "host_title",
    "host_tooltip",
    "vm_block",
]

#: The narrowest a VM's column (or a container host's table) is drawn (points).
MIN_COLUMN = 150


def _vm_tooltip(vm: VM, usage: Usage) -> tuple[str, ...]:
    allocated = trio(vm.allocated)
    lines = [named(vm, "VM"), *([f"allocated {allocated}"] if allocated else [])]
    if usage.amounts:
        lines.append(f"{usage.amounts} ({usage.shares})" if usage.shares else usage.amounts)
    for kind, layer in (("guest OS", vm.guest_os), ("engine", vm.engine)):
        if layer is not None:
            lines.append(f"{kind} {layer.name or '(unnamed)'}: {trio(layer.uses)}")
    return tuple(lines)


class _Column(Struct, dict=True):  # dict: room for cached properties
    """One VM: its layers as lines, before widths and heights are settled."""

    vm: VM
    title: list[Line]
    items: Items
    engine: list[Line]
    guest: list[Line]
    footer: list[Line]
    tip: CellTip

    @cached_property
    def natural_width(self) -> int:
        texts = [self.title, self.engine, self.guest, self.footer]
        return max(
            MIN_COLUMN, self.items.natural_width(), *(min(MAX_TEXT, lines_width(t)) for t in texts)
        )


def _column(vm: VM, totals: Totals, style: Style) -> _Column:
    usage = usage_lines("used", totals.vm(vm.id).used, vm.allocated)
    items = item_grid(vm.workloads(), style.theme.fill("container"), style, style.budget)
    room = text_room(MAX_TEXT)
    allocated = trio(vm.allocated)
    footer = [style.detail(usage.amounts)] if usage.amounts else []
    if usage.shares:
        footer.append(style.detail(usage.shares, warn=usage.over))
    if reserving(vm.containers):
        footer += _reserved_lines(totals.vm(vm.id).reserved, vm.allocated, style)
    return _Column(
        vm=vm,
        title=[
            *style.names(display_name(vm), room),
            *style.details("allocated " + allocated if allocated else "", room),
            *style.mark(vm.id, room),
        ],
        items=items,
        engine=style.layer(vm.engine, "container engine"),
        guest=style.layer(vm.guest_os, "guest OS"),
        footer=footer,
        tip=component_cell(vm, _vm_tooltip(vm, usage)),
    )


class Block(Struct):
    """A host's table rows and their exact size."""

    rows: list[list[Cell]]
    width: int
    height: int


def _span(widths: list[int], per_band: int, gap: int) -> int:
    """Return how wide bands of ``per_band`` VMs are: the sum of their widest columns."""
    widest = [0] * per_band
    for index, width in enumerate(widths):
        column = index % per_band
        widest[column] = max(widest[column], width)
    return sum(widest) + gap * (per_band - 1)


def _bands(columns: list[_Column], budget: int, gap: int) -> list[list[_Column]]:
    """Split VMs into bands of equal count, as many per band as ``budget`` points allow.

    The widest count that fits is found by bisection (the span grows with the count), so a
    thousand VMs cost a few dozen passes, not a thousand.
    """
    widths = [column.natural_width for column in columns]
    low, high = 1, len(columns)
    while low < high:
        middle = (low + high + 1) // 2
        if _span(widths, middle, gap) <= budget:
            low = middle
        else:
            high = middle - 1
    return [columns[i : i + low] for i in range(0, len(columns), low)]


def _bar(lines: list[Line], fill: str) -> Cell:
    return Cell(lines, 0, lines_height(lines), fill)


def vm_block(host: Host, totals: Totals, style: Style, bars: list[Cell]) -> Block:
    """Return the rows of a vm or hybrid host: bands of VMs above the given full-width bars."""
    gap = style.gap(host)
    bands = _bands([_column(vm, totals, style) for vm in host.vms], style.budget, gap)
    per_band = len(bands[0])
    widths = [
        max(band[j].natural_width for band in bands if j < len(band)) for j in range(per_band)
    ]
    span = 2 * per_band - 1
    total = sum(widths) + gap * (per_band - 1)
    needed = min(style.budget, max(lines_width(cell.lines) for cell in bars))
    if needed > total:
        widths = [
            w + extra for w, extra in zip(widths, split(needed - total, per_band), strict=True)
        ]
        total = needed
    rows: list[list[Cell]] = []
    for number, band in enumerate(bands):
        # Above a band: the gap from the band before, or the lane of links to its VMs.
        above = max(gap if number else 0, style.lane(column.vm.id for column in band))
        if above:
            rows.append([Cell([], total, above, border=0, colspan=span)])
        rows += _band_rows(band, widths, style, gap)
    for bar in bars:
        bar.width, bar.colspan = total, span
        rows.append([bar])
    return Block(rows, total, _rows_height(rows))


def _rows_height(rows: list[list[Cell]]) -> int:
    """Return a table's height: each row is as tall as its shortest single-row cell."""
    return sum(min(cell.height for cell in row if cell.rowspan == 1) for row in rows)


def _band_rows(band: list[_Column], widths: list[int], style: Style, gap: int) -> list[list[Cell]]:
    theme = style.theme
    title_h = max(lines_height(c.title) for c in band)
    items_h = max(c.items.height() for c in band)
    has_items = items_h > 0
    has_engine = any(c.engine for c in band)
    engine_h = max((lines_height(c.engine) for c in band if c.engine), default=0)
    guest_h = max(lines_height(c.guest) for c in band)
    has_footer = any(c.footer for c in band)
    footer_h = max(lines_height(c.footer) for c in band)
    heights = (
        [title_h]
        + ([items_h] if has_items else [])
        + ([engine_h] if has_engine else [])
        + [guest_h]
        + ([footer_h] if has_footer else [])
    )
    rows: list[list[Cell]] = [[] for _ in heights]
    for index, column in enumerate(band):
        width = widths[index]
        if index:
            rows[0].append(Cell([], gap, sum(heights), border=0, rowspan=len(heights)))
        rows[0].append(Cell(column.title, width, title_h, theme.fill("vm"), **column.tip))
        row = 1
        if has_items:
            if column.items.tops:
                inner = column.items.table(width, items_h)
                rows[row].append(Cell([], width, items_h, border=0, inner=inner))
            else:  # nothing runs here: the VM's own colour, no words
                rows[row].append(Cell([], width, items_h, theme.fill("vm")))
            row += 1
        if has_engine and column.engine:
            rows[row].append(Cell(column.engine, width, engine_h, theme.fill("engine")))
            rows[row + 1].append(Cell(column.guest, width, guest_h, theme.fill("guest_os")))
        elif has_engine:
            both = engine_h + guest_h
            rows[row].append(Cell(column.guest, width, both, theme.fill("guest_os"), rowspan=2))
        else:
            rows[row].append(Cell(column.guest, width, guest_h, theme.fill("guest_os")))
        if has_footer:
            rows[-1].append(Cell(column.footer, width, footer_h, theme.fill("vm")))
    missing = len(widths) - len(band)
    if missing:
        rest = sum(widths[len(band) :]) + gap * missing
        rows[0].append(
            Cell([], rest, sum(heights), border=0, colspan=2 * missing, rowspan=len(heights))
        )
    return rows


def container_block(host: Host, style: Style, bars: list[Cell]) -> Block:
    theme = style.theme
    items = item_grid(host.containers, theme.fill("container"), style, style.budget)
    widest_bar = max(lines_width(bar.lines) for bar in bars)
    width = max(MIN_COLUMN, items.natural_width(), min(style.budget, widest_bar))
    items_h = items.height()
    rows = []
    if items.tops:
        rows.append([Cell([], width, items_h, border=0, inner=items.table(width, items_h))])
    for bar in bars:
        bar.width = width
        rows.append([bar])
    return Block(rows, width, _rows_height(rows))


def host_bars(host: Host, totals: Totals, style: Style) -> list[Cell]:
    """Return the full-width layers under the VMs or containers, top to bottom."""
    theme = style.theme
    room = text_room(style.budget)
    bars = []
    if host.stack == "container":
        bars.append(_bar(style.layer(host.engine, "container engine", room), theme.fill("engine")))
    elif host.hypervisor is not None:
        hypervisor = host.hypervisor
        name = hypervisor.name or "hypervisor"
        if hypervisor.type:
            name += f" · type {hypervisor.type}"
        lines = [*style.names(name, room), *style.details(trio(hypervisor.uses), room)]
        bars.append(_bar(lines, theme.fill("hypervisor")))
    if host.host_os is not None:
        bars.append(_bar(style.layer(host.host_os, "host OS", room), theme.fill("host_os")))
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
        lines += _reserved_lines(host_totals.reserved, infrastructure.capacity, style, room)
    bars.append(_bar(lines, theme.fill("infrastructure")))
    return bars


def _reserved_lines(
    reserved: Figures, bound: Resources, style: Style, room: float = TEXT_ROOM
) -> list[Line]:
    """Return the line of what containers reserve (cpu and memory), beside what is committed."""
    cpu_and_memory = Figures(reserved.cpu, reserved.memory, Sum(0, 1))  # disk is not reserved
    usage = usage_lines("reserved", cpu_and_memory, bound)
    shares = f"  ({usage.shares})" if usage.shares else ""
    return style.details(usage.amounts + shares, room, warn=usage.over)


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
    return tuple(lines)


def host_title(host: Host, totals: Totals, style: Style, width: int) -> list[Line]:
    """Return the title lines of a host whose table is ``width`` points wide."""
    copies = totals.host(host.id).os_copies
    what = f"{host.stack} host · {copies} OS cop{'y' if copies == 1 else 'ies'}"
    room = text_room(width)
    title = style.names(display_name(host), room, size=TITLE_SIZE)
    return [*title, style.detail(what), *style.mark(host.id, room)]
