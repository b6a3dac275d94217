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

from ..spec.model import VM, App, Component, Container, Host, Layer, Resources, Workload
from ..spec.units import format_amount
from ..totals.compute import Totals
from ..totals.figures import RESOURCES, Figures, percent
from .cells import Cell, Line, lines_height, lines_width, render_table
from .themes import Theme

__all__ = [
    "DETAIL_SIZE",
    "ITEMS_PER_ROW",
    "MAX_BAND_WIDTH",
    "Block",
    "CellTip",
    "Style",
    "component_cell",
    "container_block",
    "host_bars",
    "host_title",
    "host_tooltip",
    "vm_block",
]

TITLE_SIZE = 14.0
NAME_SIZE = 10.0
DETAIL_SIZE = 8.0
GAP = 10
ANCHOR = 2
ITEMS_PER_ROW = 6
MIN_ITEM, MAX_ITEM = 86, 170
MIN_COLUMN, MAX_TEXT = 150, 300
#: VMs wrap into bands no wider than this (points), so many VMs make rows, not a long line.
MAX_BAND_WIDTH = 1300
OVER = "▲"
WARN = "⚠"


def _amount(resource: str, figure: int | None) -> str:
    return "?" if figure is None else format_amount(resource, figure)


def _trio(resources: Resources, keys: Sequence[str] = RESOURCES) -> str:
    """Return "2 vCPU · 4 GiB · 40 GiB" (cpu · memory · disk), "?" for an unknown figure."""
    return " · ".join(_amount(key, getattr(resources, key)) for key in keys)


class _Usage(Struct):
    """Lines saying how much of a limit is used: "used ≥1 vCPU · 2 GiB" and the percentages."""

    amounts: str
    shares: str
    over: bool


def _usage(label: str, used: Figures, limit: Resources) -> _Usage:
    amounts = " · ".join(used.get(key).label(key) for key in RESOURCES)
    shares = []
    over = False
    for key in RESOURCES:
        total, bound = used.get(key), getattr(limit, key)
        share = percent(total, bound)
        if share is None:
            shares.append("?")
            continue
        exceeded = bound is not None and total.value > bound
        over = over or exceeded
        prefix = OVER + " " if exceeded else ("≥" if total.unknown else "")
        shares.append(f"{prefix}{share}%")
    return _Usage(f"{label} {amounts}", " · ".join(shares), over)


class Style(Struct):
    """What every builder needs: the theme and the two text styles."""

    theme: Theme
    #: Ids that links reach: only their cells need ports (anchors cost Graphviz time).
    linked: frozenset[str] = frozenset()

    def name(self, text: str, bold: bool = True, size: float = NAME_SIZE) -> Line:
        return Line(text, size, self.theme.text, bold)

    def detail(self, text: str, warn: bool = False) -> Line:
        """Return a line of detail text: the host table's default font (see layout.to_dot)."""
        if warn:
            return Line(text, DETAIL_SIZE, self.theme.warn, True)
        return Line(text, DETAIL_SIZE, self.theme.detail, plain=True)

    def layer(self, layer: Layer | None, kind: str, default: str) -> list[Line]:
        if layer is None:
            return []
        return [self.name(layer.name or default), self.detail(_trio(layer.uses))]


def _label(name: str | None, ident: str) -> str:
    return name or ident


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
        lines = [_named(item, "app"), "uses " + _trio(item.uses)]
    else:
        name = _named(item, "container")
        lines = [name + (f", {item.replicas} replicas" if item.replicas > 1 else "")]
        if item.image is not None:
            ref = item.image.ref or "image"
            lines.append(f"{ref}, {_amount('disk', item.image.size)} on disk")
        each = " each" if item.replicas > 1 else ""
        limits = [
            f"{_amount(key, getattr(item.limits, key))}"
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
    lines = [_named(vm, "VM"), "allocated " + _trio(vm.allocated)]
    lines.append(f"{usage.amounts} ({usage.shares})")
    for kind, layer in (("guest OS", vm.guest_os), ("engine", vm.engine)):
        if layer is not None:
            lines.append(f"{kind} {layer.name or '(unnamed)'}: {_trio(layer.uses)}")
    return tuple(lines)


def _item_lines(item: Workload, style: Style) -> tuple[list[Line], list[Line]]:
    """Return the lines of an app or container cell and of the bins/libs cell under it."""
    libs = ", ".join(item.libs) if item.libs else "bins/libs"
    if isinstance(item, App):
        top = [
            style.name(_label(item.name, item.id)),
            style.detail(_trio(item.uses, ("cpu", "memory"))),
        ]
        disk = "disk " + _amount("disk", item.uses.disk)
        return top, [style.detail(libs), style.detail(disk)]
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
    size = _amount("disk", image.size if image else None)
    return [style.name(name), style.detail(limits, warn=bool(missing))], [
        style.detail(libs),
        style.detail(f"image {size}"),
    ]


class _Items(Struct):
    """The apps or containers of one VM or engine, in a grid of at most ITEMS_PER_ROW columns."""

    tops: list[list[Line]]
    bottoms: list[list[Line]]
    fill: str
    ports: list[str | None]
    items: list[Workload]
    columns: int = 0  # set in __post_init__
    top_height: int = 0  # set in __post_init__
    bottom_height: int = 0  # set in __post_init__

    def __post_init__(self) -> None:
        self.columns = max(1, min(len(self.tops), ITEMS_PER_ROW))
        self.top_height = max((lines_height(lines) for lines in self.tops), default=0)
        self.bottom_height = max((lines_height(lines) for lines in self.bottoms), default=0)

    @property
    def rows(self) -> int:
        return max(1, math.ceil(len(self.tops) / self.columns))

    def natural_width(self) -> int:
        widest = max((lines_width(lines) for lines in self.tops + self.bottoms), default=0)
        return self.columns * min(MAX_ITEM, max(MIN_ITEM, widest))

    def height(self, style: Style) -> int:
        if not self.tops:
            return lines_height([style.detail("no apps")])
        return self.rows * (self.top_height + self.bottom_height)

    def anchors(self, width: int, theme: Theme) -> str | None:
        """Return a row of invisible cells over the first row of items: where links attach.

        Links leave from the top of the host (``:n``), so they arc over the stacks instead
        of crossing them. ``None`` when no link reaches an item of the first row.
        """
        if not any(self.ports[: self.columns]):
            return None
        columns = len(self.ports[: self.columns]) or 1
        widths = _split(width, self.columns)
        cells = [
            Cell([], widths[i], ANCHOR, border=0, port=port)
            for i, port in enumerate(self.ports[:columns])
        ]
        if len(cells) < self.columns:
            cells.append(
                Cell(
                    [],
                    sum(widths[len(cells) :]),
                    ANCHOR,
                    border=0,
                    colspan=self.columns - len(cells),
                )
            )
        return render_table([cells], theme.border, padding=0)

    def table(self, width: int, height: int, style: Style) -> str:
        """Return the grid as a nested table exactly ``width`` x ``height`` points."""
        theme = style.theme
        if not self.tops:
            empty = Cell([style.detail("no apps")], width, height, theme.fill("vm"))
            return render_table([[empty]], theme.border)
        widths = _split(width, self.columns)
        rows: list[list[Cell]] = []
        for start in range(0, len(self.tops), self.columns):
            tops, bottoms, ports = (
                self.tops[start : start + self.columns],
                self.bottoms[start : start + self.columns],
                self.ports[start : start + self.columns],
            )
            # Items of the first row are reached through the anchors above them.
            top_row = [
                Cell(
                    lines,
                    widths[i],
                    self.top_height,
                    self.fill,
                    port=ports[i] if start else None,
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
        spare = height - self.height(style)
        if spare > 0:
            rows.append([Cell([], width, spare, border=0, colspan=self.columns)])
        return render_table(rows, theme.border)


def _split(total: int, parts: int) -> list[int]:
    """Return ``parts`` integers summing to ``total``, as equal as possible (larger ones first)."""
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def _items(entries: Iterable[Workload], fill: str, style: Style) -> _Items:
    tops, bottoms = [], []
    ports: list[str | None] = []
    items = list(entries)
    for entry in items:
        top, bottom = _item_lines(entry, style)
        tops.append(top)
        bottoms.append(bottom)
        ports.append(entry.id if entry.id in style.linked else None)
    return _Items(tops, bottoms, fill, ports, items)


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
    items = _items(vm.workloads(), style.theme.fill("container"), style)
    return _Column(
        vm=vm,
        title=[
            style.name(_label(vm.name, vm.id)),
            style.detail("allocated " + _trio(vm.allocated)),
        ],
        items=items,
        engine=style.layer(vm.engine, "engine", "container engine"),
        guest=style.layer(vm.guest_os, "guest OS", "guest OS"),
        footer=[style.detail(usage.amounts), style.detail(usage.shares, warn=usage.over)],
        tip=component_cell(vm, _vm_tooltip(vm, usage)),
    )


class Block(Struct):
    """A host's table rows and their exact size."""

    rows: list[list[Cell]]
    width: int
    height: int


def _span(widths: list[int], per_band: int) -> int:
    """Return how wide bands of ``per_band`` VMs are: the sum of their widest columns."""
    widest = [0] * per_band
    for index, width in enumerate(widths):
        column = index % per_band
        widest[column] = max(widest[column], width)
    return sum(widest) + GAP * (per_band - 1)


def _bands(columns: list[_Column]) -> list[list[_Column]]:
    """Split VMs into bands of equal count, as many per band as MAX_BAND_WIDTH allows.

    The widest count that fits is found by bisection (the span grows with the count), so a
    thousand VMs cost a few dozen passes, not a thousand.
    """
    widths = [column.natural_width for column in columns]
    low, high = 1, len(columns)
    while low < high:
        middle = (low + high + 1) // 2
        if _span(widths, middle) <= MAX_BAND_WIDTH:
            low = middle
        else:
            high = middle - 1
    return [columns[i : i + low] for i in range(0, len(columns), low)]


def _bar(lines: list[Line], width: int, span: int, fill: str, port: str | None = None) -> Cell:
    return Cell(lines, width, lines_height(lines), fill, colspan=span, port=port)


def vm_block(host: Host, totals: Totals, style: Style, bars: list[Cell]) -> Block:
    """Return the rows of a vm or hybrid host: bands of VMs above the given full-width bars."""
    bands = _bands([_column(vm, totals, style) for vm in host.vms])
    per_band = len(bands[0])
    widths = [
        max(band[j].natural_width for band in bands if j < len(band)) for j in range(per_band)
    ]
    span = 2 * per_band - 1
    needed = max(lines_width(cell.lines) for cell in bars)
    total = sum(widths) + GAP * (per_band - 1)
    if needed > total:
        widths = [
            w + extra for w, extra in zip(widths, _split(needed - total, per_band), strict=True)
        ]
        total = needed
    rows: list[list[Cell]] = []
    for number, band in enumerate(bands):
        if number:
            rows.append([Cell([], total, GAP, border=0, colspan=span)])
        rows += _band_rows(band, widths, style)
    for bar in bars:
        bar.width, bar.colspan = total, span
        rows.append([bar])
    return Block(rows, total, _rows_height(rows))


def _rows_height(rows: list[list[Cell]]) -> int:
    """Return a table's height: each row is as tall as its shortest single-row cell."""
    return sum(min(cell.height for cell in row if cell.rowspan == 1) for row in rows)


def _band_rows(band: list[_Column], widths: list[int], style: Style) -> list[list[Cell]]:
    theme = style.theme
    title_h = max(lines_height(c.title) for c in band)
    items_h = max(c.items.height(style) for c in band)
    has_engine = any(c.engine for c in band)
    engine_h = max((lines_height(c.engine) for c in band if c.engine), default=0)
    guest_h = max(lines_height(c.guest) for c in band)
    footer_h = max(lines_height(c.footer) for c in band)
    heights = [ANCHOR, title_h, items_h] + ([engine_h] if has_engine else []) + [guest_h, footer_h]
    rows: list[list[Cell]] = [[] for _ in heights]
    for index, column in enumerate(band):
        width = widths[index]
        if index:
            # The anchor row has its own gap: it is moved above the host title (_host_label).
            rows[0].append(Cell([], GAP, ANCHOR, border=0))
            rows[1].append(Cell([], GAP, sum(heights[1:]), border=0, rowspan=len(heights) - 1))
        anchors = column.items.anchors(width, theme)
        rows[0].append(Cell([], width, ANCHOR, border=0, port=column.vm.id, inner=anchors))
        rows[1].append(Cell(column.title, width, title_h, theme.fill("vm"), **column.tip))
        inner = column.items.table(width, items_h, style)
        rows[2].append(Cell([], width, items_h, border=0, inner=inner))
        if has_engine and column.engine:
            rows[3].append(Cell(column.engine, width, engine_h, theme.fill("engine")))
            rows[4].append(Cell(column.guest, width, guest_h, theme.fill("guest_os")))
        elif has_engine:
            both = engine_h + guest_h
            rows[3].append(Cell(column.guest, width, both, theme.fill("guest_os"), rowspan=2))
        else:
            rows[3].append(Cell(column.guest, width, guest_h, theme.fill("guest_os")))
        rows[-1].append(Cell(column.footer, width, footer_h, theme.fill("vm")))
    missing = len(widths) - len(band)
    if missing:
        rest = sum(widths[len(band) :]) + GAP * missing
        rows[0].append(Cell([], rest, ANCHOR, border=0, colspan=2 * missing))
        rows[1].append(
            Cell(
                [], rest, sum(heights[1:]), border=0, colspan=2 * missing, rowspan=len(heights) - 1
            )
        )
    return rows


def container_block(host: Host, style: Style, bars: list[Cell]) -> Block:
    theme = style.theme
    items = _items(host.containers, theme.fill("container"), style)
    width = max(MIN_COLUMN, items.natural_width(), *(lines_width(bar.lines) for bar in bars))
    items_h = items.height(style)
    rows = [
        [Cell([], width, ANCHOR, border=0, inner=items.anchors(width, theme))],
        [Cell([], width, items_h, border=0, inner=items.table(width, items_h, style))],
    ]
    for bar in bars:
        bar.width = width
        rows.append([bar])
    return Block(rows, width, _rows_height(rows))


def host_bars(host: Host, totals: Totals, style: Style) -> list[Cell]:
    """Return the full-width layers under the VMs or containers, top to bottom."""
    theme = style.theme
    bars = []
    if host.stack == "container":
        bars.append(
            _bar(style.layer(host.engine, "engine", "container engine"), 0, 1, theme.fill("engine"))
        )
    elif host.hypervisor is not None:
        hypervisor = host.hypervisor
        name = hypervisor.name or "hypervisor"
        if hypervisor.type:
            name += f" · type {hypervisor.type}"
        lines = [style.name(name), style.detail(_trio(hypervisor.uses))]
        bars.append(_bar(lines, 0, 1, theme.fill("hypervisor")))
    if host.host_os is not None:
        bars.append(
            _bar(style.layer(host.host_os, "host OS", "host OS"), 0, 1, theme.fill("host_os"))
        )
    host_totals = totals.host(host.id)
    infrastructure = host.infrastructure
    usage = _usage("committed", host_totals.committed, infrastructure.capacity)
    lines = [
        style.name(infrastructure.name or "infrastructure"),
        style.detail("capacity " + _trio(infrastructure.capacity)),
        style.detail(usage.amounts + "  (" + usage.shares + ")", warn=usage.over),
    ]
    bars.append(_bar(lines, 0, 1, theme.fill("infrastructure")))
    return bars


def host_tooltip(host: Host, totals: Totals) -> tuple[str, ...]:
    """Return the tooltip of a host: its name, capacity, what it commits and its OS copies."""
    host_totals = totals.host(host.id)
    usage = _usage("committed", host_totals.committed, host.infrastructure.capacity)
    copies = host_totals.os_copies
    overhead = " · ".join(host_totals.os_overhead.get(key).label(key) for key in RESOURCES)
    return (
        _named(host, f"{host.stack} host"),
        "capacity " + _trio(host.infrastructure.capacity),
        f"{usage.amounts} ({usage.shares})",
        f"{copies} OS cop{'y' if copies == 1 else 'ies'}: {overhead}",
    )


def host_title(host: Host, totals: Totals, style: Style) -> list[Line]:
    copies = totals.host(host.id).os_copies
    what = f"{host.stack} host · {copies} OS cop{'y' if copies == 1 else 'ies'}"
    return [style.name(_label(host.name, host.id), size=TITLE_SIZE), style.detail(what)]
