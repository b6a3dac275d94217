"""The table of one host, cell by cell: VM columns, grids of apps and containers, bands, bars.

Every cell gets an explicit width and height (:mod:`diagramgen.cells`), so Graphviz draws the
table without resizing a layer: widths are equal where they should be, a row of VMs shares
its heights, and the caller can pad hosts to one height. :mod:`diagramgen.layout` places the
tables and the links.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import TypedDict

from msgspec import Struct

from ..accounting.compute import Totals
from ..accounting.figures import RESOURCES, Figures, Sum, percent
from ..spec.model import (
    VM,
    App,
    Component,
    Container,
    Host,
    Layer,
    Resources,
    Spec,
    Workload,
    reserving,
)
from ..spec.units import format_amount
from .cells import Cell, Line, lines_height, lines_width, text_room, wrap
from .metrics import text_width
from .themes import Theme
from .tracks import corridor, lane_height

__all__ = [
    "DETAIL_SIZE",
    "ITEMS_PER_ROW",
    "Block",
    "CellTip",
    "Style",
    "component_cell",
    "container_block",
    "host_bars",
    "host_title",
    "host_tooltip",
    "join_figures",
    "link_marks",
    "vm_block",
]

TITLE_SIZE = 14.0
NAME_SIZE = 10.0
#: The smallest text of the picture: 9 points, 9 CSS px when the picture fits its column.
DETAIL_SIZE = 9.0
GAP = 10
#: The most tracks a gap between VM columns or bands holds when links are drawn.
GAP_TRACKS = 4
ITEMS_PER_ROW = 6
MIN_ITEM, MAX_ITEM = 86, 170
MIN_COLUMN, MAX_TEXT = 150, 300
TEXT_ROOM = text_room(MAX_TEXT)
OVER = "▲"
WARN = "⚠"
#: Memory and disk figures are named whenever a figure beside them is left out: "2 GiB"
#: alone could be either ("vCPU" names itself).
SHORT = {"cpu": "", "memory": "mem ", "disk": "disk "}


def join_figures(parts: Sequence[tuple[str, str]], keys: Sequence[str]) -> str:
    """Return figures joined with " · ", named when one of ``keys`` is left out."""
    named = len(parts) < len(keys) and len(keys) > 1
    return " · ".join((SHORT[key] if named else "") + text for key, text in parts)


def _trio(resources: Resources, keys: Sequence[str] = RESOURCES) -> str:
    """Return "2 vCPU · 4 GiB · 40 GiB"; an unknown figure is left out and the rest named.

    "" when no figure is known.
    """
    parts = [
        (key, format_amount(key, figure))
        for key in keys
        if (figure := getattr(resources, key)) is not None
    ]
    return join_figures(parts, keys)


class _Usage(Struct):
    """Lines saying how much of a limit is used: "used ≥1 vCPU · 2 GiB" and the percentages."""

    amounts: str
    shares: str
    over: bool


def _usage(label: str, used: Figures, limit: Resources) -> _Usage:
    """Return the usage lines; a resource nothing is known about is left out of both."""
    amounts: list[tuple[str, str]] = []
    shares: list[tuple[str, str]] = []
    over = False
    for key in RESOURCES:
        total, bound = used.get(key), getattr(limit, key)
        if total.known is None:
            continue
        amounts.append((key, total.label(key)))
        share = percent(total, bound)
        if share is None:
            continue
        exceeded = bound is not None and total.value > bound
        over = over or exceeded
        prefix = OVER + " " if exceeded else ("≥" if total.unknown else "")
        shares.append((key, f"{prefix}{share}%"))
    text = join_figures(amounts, RESOURCES)
    return _Usage(f"{label} {text}" if text else "", join_figures(shares, RESOURCES), over)


class Style(Struct):
    """What every builder needs: the theme, the width a host may take, the link marks."""

    theme: Theme
    #: The widest a host's table may be (points): VMs and workload columns wrap to stay inside.
    budget: int = 1300
    #: Each linked component's link marks ("1 →", "→ 2"): see :func:`link_marks`.
    marks: dict[str, list[str]] = {}
    #: How many drawn links end at each component: a lane above its row holds their tracks.
    ends: dict[str, int] = {}
    #: How many drawn links end in each host: its gaps and frame widen to carry them.
    host_links: dict[str, int] = {}
    #: The lines of the items drawn so far, by what they are drawn from (see _items).
    lines: dict[tuple[object, ...], tuple[list[Line], list[Line]]] = {}

    def gap(self, host: Host) -> int:
        """Return the gap between VM columns and between bands of VMs of a host (points):
        wide enough for a third of the host's links side by side where links end in it."""
        links = self.host_links.get(host.id, 0)
        return max(GAP, corridor(math.ceil(links / 3), GAP_TRACKS)) if links else GAP

    def lane(self, idents: Iterable[str]) -> int:
        """Return the height of the lane above a row of components, 0 when none is linked."""
        count = sum(self.ends.get(ident, 0) for ident in idents)
        return lane_height(count) if count else 0

    def mark(self, ident: str, room: float) -> list[Line]:
        """Return the lines of link marks of a component ("link 1 →  → 2"), or none.

        Marks fill a line up to ``room`` points and go on on the next: none is shortened.
        """
        lines: list[str] = []
        for part in self.marks.get(ident, ()):
            longer = f"{lines[-1]}  {part}" if lines else f"link {part}"
            if lines and text_width(longer, DETAIL_SIZE, True) > room:
                lines.append(part)
            elif lines:
                lines[-1] = longer
            else:
                lines.append(longer)
        return [Line(text, DETAIL_SIZE, self.theme.text, True) for text in lines]

    def name(self, text: str, bold: bool = True, size: float = NAME_SIZE) -> Line:
        return Line(text, size, self.theme.text, bold)

    def names(self, text: str, room: float, size: float = NAME_SIZE) -> list[Line]:
        """Return a name as one line, or two when it is wider than ``room`` points."""
        return [self.name(part, size=size) for part in wrap(text, size, room, bold=True)]

    def detail(self, text: str, warn: bool = False) -> Line:
        """Return a line of detail text: the host table's default font (see layout.to_dot)."""
        if warn:
            return Line(text, DETAIL_SIZE, self.theme.warn, True)
        return Line(text, DETAIL_SIZE, self.theme.detail, plain=True)

    def details(self, text: str, room: float, warn: bool = False) -> list[Line]:
        """Return detail text as one line, two when wider than ``room``; none when empty."""
        if not text:
            return []
        return [self.detail(part, warn) for part in wrap(text, DETAIL_SIZE, room, warn)]

    def layer(self, layer: Layer | None, default: str, room: float = TEXT_ROOM) -> list[Line]:
        if layer is None:
            return []
        figures = _trio(layer.uses)
        return [*self.names(layer.name or default, room), *self.details(figures, room)]


def _label(name: str | None, ident: str) -> str:
    return name or ident


ITEM_ROOM = text_room(MAX_ITEM)


class CellTip(TypedDict, total=False):
    """What makes a cell a component's: its id, tooltip and link (:class:`Cell` fields)."""

    ident: str
    tooltip: tuple[str, ...]
    href: str | None


def component_cell(component: Component, tooltip: tuple[str, ...] | None = None) -> CellTip:
    """Return the cell fields of a component: id ``c-ID``, tooltip (full name and figures), link."""
    if tooltip is None:
        assert isinstance(component, (App, Container))
        tooltip = _workload_tooltip(component)
    return {"ident": f"c-{component.id}", "tooltip": tooltip, "href": component.url}


def _named(component: Component, kind: str) -> str:
    name = component.name or component.id
    return f"{name} ({kind} {component.id})" if component.name else f"{name} ({kind})"


def _workload_tooltip(item: Workload) -> tuple[str, ...]:
    if isinstance(item, App):
        uses = _trio(item.uses)
        lines = [_named(item, "app"), *([f"uses {uses}"] if uses else [])]
    else:
        name = _named(item, "container")
        lines = [name + (f", {item.replicas} replicas" if item.replicas > 1 else "")]
        if item.image is not None:
            ref = item.image.ref or "image"
            size = item.image.size
            lines.append(ref if size is None else f"{ref}, {format_amount('disk', size)} on disk")
        each = " each" if item.replicas > 1 else ""
        limits = [
            format_amount(key, getattr(item.limits, key))
            if getattr(item.limits, key) is not None
            else f"no {key} limit"
            for key in ("cpu", "memory")
        ]
        lines.append("limit " + " · ".join(limits) + each)
        reserved = item.reservations
        if reserved.cpu is not None or reserved.memory is not None:
            lines.append("reserved " + _trio(reserved, ("cpu", "memory")) + each)
    if item.libs:
        lines.append("bins/libs: " + ", ".join(item.libs))
    return tuple(lines)


def _vm_tooltip(vm: VM, usage: _Usage) -> tuple[str, ...]:
    allocated = _trio(vm.allocated)
    lines = [_named(vm, "VM"), *([f"allocated {allocated}"] if allocated else [])]
    if usage.amounts:
        lines.append(f"{usage.amounts} ({usage.shares})" if usage.shares else usage.amounts)
    for kind, layer in (("guest OS", vm.guest_os), ("engine", vm.engine)):
        if layer is not None:
            lines.append(f"{kind} {layer.name or '(unnamed)'}: {_trio(layer.uses)}")
    return tuple(lines)


def _item_lines(item: Workload, style: Style) -> tuple[list[Line], list[Line]]:
    """Return the lines of an app or container cell and of the bins/libs cell under it."""
    libs = style.details(", ".join(item.libs) if item.libs else "bins/libs", ITEM_ROOM)
    if isinstance(item, App):
        top = [
            *style.names(_label(item.name, item.id), ITEM_ROOM),
            *style.details(_trio(item.uses, ("cpu", "memory")), ITEM_ROOM),
            *style.mark(item.id, ITEM_ROOM),
        ]
        disk = item.uses.disk
        return top, libs + ([] if disk is None else [style.detail("disk " + _disk(disk))])
    name = _label(item.name, item.id)
    if item.replicas > 1:
        name += f" \N{MULTIPLICATION SIGN} {item.replicas}"
    missing = [key for key in ("cpu", "memory") if getattr(item.limits, key) is None]
    given = [key for key in ("cpu", "memory") if key not in missing]
    parts = ["limit " + _trio(item.limits, given)] if given else []
    if missing:
        parts.append(
            f"{WARN} no {' or '.join('mem' if k == 'memory' else k for k in missing)} limit"
        )
    limits = " · ".join(parts)
    image = item.image
    size = image.size if image else None
    bottom = libs + ([] if size is None else [style.detail(f"image {_disk(size)}")])
    top = [*style.names(name, ITEM_ROOM), style.detail(limits, warn=bool(missing))]
    reserved = [k for k in ("cpu", "memory") if getattr(item.reservations, k) is not None]
    if reserved:  # Compose reservations, Kubernetes requests: what is set aside for it
        top += style.details("reserved " + _trio(item.reservations, reserved), ITEM_ROOM)
    return [*top, *style.mark(item.id, ITEM_ROOM)], bottom


def _disk(figure: int) -> str:
    return format_amount("disk", figure)


class _Items(Struct):
    """The apps or containers of one VM or engine, in a grid of at most ITEMS_PER_ROW columns."""

    tops: list[list[Line]]
    bottoms: list[list[Line]]
    fill: str
    items: list[Workload]
    style: Style
    #: The widest the grid may be (points): fewer columns, more rows when it is narrow.
    room: int = 1300
    columns: int = 0  # set in __post_init__
    top_height: int = 0  # set in __post_init__
    bottom_height: int = 0  # set in __post_init__
    #: The height of the lane above each row of items (0 where no link ends in the row).
    lanes: tuple[int, ...] = ()  # set in __post_init__
    #: How wide each item is drawn: its widest text, within MIN_ITEM and MAX_ITEM.
    width: int = 0  # set in __post_init__

    def __post_init__(self) -> None:
        widest = max((lines_width(lines) for lines in self.tops + self.bottoms), default=0)
        self.width = min(MAX_ITEM, max(MIN_ITEM, widest))
        fit = max(1, self.room // self.width)
        self.columns = max(1, min(len(self.tops), ITEMS_PER_ROW, fit))
        self.top_height = max((lines_height(lines) for lines in self.tops), default=0)
        self.bottom_height = max((lines_height(lines) for lines in self.bottoms), default=0)
        self.lanes = tuple(
            self.style.lane(item.id for item in self.items[start : start + self.columns])
            for start in range(0, len(self.items), self.columns)
        )

    @property
    def rows(self) -> int:
        return max(1, math.ceil(len(self.tops) / self.columns))

    def natural_width(self) -> int:
        return self.columns * self.width if self.tops else 0

    def height(self) -> int:
        if not self.tops:
            return 0
        return self.rows * (self.top_height + self.bottom_height) + sum(self.lanes)

    def table(self, width: int, height: int) -> list[list[Cell]]:
        """Return the grid as a nested table exactly ``width`` x ``height`` points."""
        theme = self.style.theme
        widths = _split(width, self.columns)
        rows: list[list[Cell]] = []
        for number, start in enumerate(range(0, len(self.tops), self.columns)):
            if self.lanes[number]:
                rows.append([Cell([], width, self.lanes[number], border=0, colspan=self.columns)])
            tops, bottoms = (
                self.tops[start : start + self.columns],
                self.bottoms[start : start + self.columns],
            )
            top_row = [
                Cell(
                    lines,
                    widths[i],
                    self.top_height,
                    self.fill,
                    **component_cell(self.items[start + i]),
                )
                for i, lines in enumerate(tops)
            ]
            bottom_row = [
                Cell(lines, widths[i], self.bottom_height, theme.fill("libs"))
                for i, lines in enumerate(bottoms)
            ]
            missing = self.columns - len(tops)
            if missing:
                rest = sum(widths[len(tops) :])
                spare = self.top_height + self.bottom_height
                top_row.append(Cell([], rest, spare, border=0, colspan=missing, rowspan=2))
            rows += [top_row, bottom_row]
        spare = height - self.height()
        if spare > 0:
            rows.append([Cell([], width, spare, border=0, colspan=self.columns)])
        return rows


def _split(total: int, parts: int) -> list[int]:
    """Return ``parts`` integers summing to ``total``, as equal as possible (larger ones first)."""
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def _items(entries: Iterable[Workload], fill: str, style: Style, room: int) -> _Items:
    tops, bottoms = [], []
    items = list(entries)
    for entry in items:
        # Fleets repeat their workloads (the same container on every VM): the lines depend
        # on what is drawn, not on the pointer or id, so each is built once.
        key = _drawn_as(entry, style)
        found = style.lines.get(key)
        if found is None:
            found = style.lines[key] = _item_lines(entry, style)
        tops.append(list(found[0]))
        bottoms.append(list(found[1]))
    return _Items(tops, bottoms, fill, items, style, room)


def _drawn_as(item: Workload, style: Style) -> tuple[object, ...]:
    """Return what an item's lines are made of: two items with the same are drawn alike."""
    label, marks = _label(item.name, item.id), tuple(style.marks.get(item.id, ()))
    if isinstance(item, App):
        return (label, marks, item.libs, item.uses)
    return (label, marks, item.libs, item.limits, item.replicas, item.image, item.reservations)


class _Column(Struct, dict=True):  # dict: room for cached properties
    """One VM: its layers as lines, before widths and heights are settled."""

    vm: VM
    title: list[Line]
    items: _Items
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
    usage = _usage("used", totals.vm(vm.id).used, vm.allocated)
    items = _items(vm.workloads(), style.theme.fill("container"), style, style.budget)
    room = text_room(MAX_TEXT)
    allocated = _trio(vm.allocated)
    footer = [style.detail(usage.amounts)] if usage.amounts else []
    if usage.shares:
        footer.append(style.detail(usage.shares, warn=usage.over))
    if reserving(vm.containers):
        footer += _reserved_lines(totals.vm(vm.id).reserved, vm.allocated, style)
    return _Column(
        vm=vm,
        title=[
            *style.names(_label(vm.name, vm.id), room),
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
            w + extra for w, extra in zip(widths, _split(needed - total, per_band), strict=True)
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
    items = _items(host.containers, theme.fill("container"), style, style.budget)
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
        lines = [*style.names(name, room), *style.details(_trio(hypervisor.uses), room)]
        bars.append(_bar(lines, theme.fill("hypervisor")))
    if host.host_os is not None:
        bars.append(_bar(style.layer(host.host_os, "host OS", room), theme.fill("host_os")))
    host_totals = totals.host(host.id)
    infrastructure = host.infrastructure
    usage = _usage("committed", host_totals.committed, infrastructure.capacity)
    capacity = _trio(infrastructure.capacity)
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
    usage = _usage("reserved", cpu_and_memory, bound)
    shares = f"  ({usage.shares})" if usage.shares else ""
    return style.details(usage.amounts + shares, room, warn=usage.over)


def host_tooltip(host: Host, totals: Totals) -> tuple[str, ...]:
    """Return the tooltip of a host: its name, capacity, what it commits and its OS copies."""
    host_totals = totals.host(host.id)
    usage = _usage("committed", host_totals.committed, host.infrastructure.capacity)
    copies = host_totals.os_copies
    overhead = join_figures(
        [
            (key, figure.label(key))
            for key in RESOURCES
            if (figure := host_totals.os_overhead.get(key)).known is not None
        ],
        RESOURCES,
    )
    capacity = _trio(host.infrastructure.capacity)
    lines = [_named(host, f"{host.stack} host")]
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
    title = style.names(_label(host.name, host.id), room, size=TITLE_SIZE)
    return [*title, style.detail(what), *style.mark(host.id, room)]


#: Links numbered on the picture (the panel lists as many).
MAX_LINKS = 24


def link_marks(spec: Spec) -> dict[str, list[str]]:
    """Return, per linked component, the marks of its links: "1 →" leaves, "→ 2" arrives.

    Links are numbered in spec order and listed by number in the panel, so a reader follows
    each by its number, and no line crosses a layer or a text.
    """
    marks: dict[str, list[str]] = {}
    for number, link in enumerate(spec.links[:MAX_LINKS], start=1):
        marks.setdefault(link.source, []).append(f"{number} \N{RIGHTWARDS ARROW}")
        marks.setdefault(link.target, []).append(f"\N{RIGHTWARDS ARROW} {number}")
    return marks
