"""The apps or containers of a VM or an engine, as a grid of cells: a name cell over a
bins/libs cell for each, at most ITEMS_PER_ROW a row, with a lane above a linked row.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from msgspec import Struct

from ..spec.model import App, Resources, Workload, display_name
from ..spec.units import format_amount
from .cells import Cell, Line, lines_height, lines_width, text_room
from .style import Style, component_cell
from .wording import WARN, named, trio

__all__ = ["ITEMS_PER_ROW", "Items", "item_grid", "split", "workload_tooltip"]

ITEMS_PER_ROW = 6
MIN_ITEM, MAX_ITEM = 86, 170
ITEM_ROOM = text_room(MAX_ITEM)


def workload_tooltip(item: Workload) -> tuple[str, ...]:
    if isinstance(item, App):
        uses = trio(item.uses)
        lines = [named(item, "app"), *([f"uses {uses}"] if uses else [])]
    else:
        name = named(item, "container")
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
            lines.append("reserved " + trio(reserved, ("cpu", "memory")) + each)
    if item.libs:
        lines.append("bins/libs: " + ", ".join(item.libs))
    return tuple(lines)


class _Drawn(Struct, frozen=True):
    """What an item's two cells show, and nothing else: items alike in these are drawn alike,
    so a fleet's same container on every VM is laid out once (:func:`item_grid`)."""

    name: str
    marks: tuple[str, ...]
    libs: tuple[str, ...]
    #: An app's figures; None for a container, whose limits, replicas, image and
    #: reservations follow.
    uses: Resources | None = None
    limits: Resources = Resources()
    replicas: int = 1
    image_size: int | None = None
    reservations: Resources = Resources()


def _drawn(item: Workload, style: Style) -> _Drawn:
    marks = tuple(style.marks.get(item.id, ()))
    if isinstance(item, App):
        return _Drawn(display_name(item), marks, item.libs, uses=item.uses)
    size = item.image.size if item.image else None
    return _Drawn(
        display_name(item),
        marks,
        item.libs,
        None,
        item.limits,
        item.replicas,
        size,
        item.reservations,
    )


def _item_lines(item: _Drawn, style: Style) -> tuple[list[Line], list[Line]]:
    """Return the lines of an app or container cell and of the bins/libs cell under it."""
    libs = style.details(", ".join(item.libs) if item.libs else "bins/libs", ITEM_ROOM)
    if item.uses is not None:  # an app
        top = [
            *style.names(item.name, ITEM_ROOM),
            *style.details(trio(item.uses, ("cpu", "memory")), ITEM_ROOM),
            *style.marked(item.marks, ITEM_ROOM),
        ]
        disk = item.uses.disk
        return top, libs + ([] if disk is None else [style.detail("disk " + _disk(disk))])
    name = item.name
    if item.replicas > 1:
        name += f" \N{MULTIPLICATION SIGN} {item.replicas}"
    missing = [key for key in ("cpu", "memory") if getattr(item.limits, key) is None]
    given = [key for key in ("cpu", "memory") if key not in missing]
    parts = ["limit " + trio(item.limits, given)] if given else []
    if missing:
        parts.append(
            f"{WARN} no {' or '.join('mem' if k == 'memory' else k for k in missing)} limit"
        )
    limits = " · ".join(parts)
    size = item.image_size
    bottom = libs + ([] if size is None else [style.detail(f"image {_disk(size)}")])
    top = [*style.names(name, ITEM_ROOM), style.detail(limits, warn=bool(missing))]
    reserved = [k for k in ("cpu", "memory") if getattr(item.reservations, k) is not None]
    if reserved:  # Compose reservations, Kubernetes requests: what is set aside for it
        top += style.details("reserved " + trio(item.reservations, reserved), ITEM_ROOM)
    return [*top, *style.marked(item.marks, ITEM_ROOM)], bottom


def _disk(figure: int) -> str:
    return format_amount("disk", figure)


class Items(Struct):
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
        widths = split(width, self.columns)
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
                    **component_cell(item, workload_tooltip(item)),
                )
                for i, (lines, item) in enumerate(zip(tops, self.items[start:], strict=False))
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
            # Above the grid, not under it: the apps or containers stand on their OS or engine
            # as their neighbours' do, whose lanes or extra rows take the same height.
            rows.insert(0, [Cell([], width, spare, border=0, colspan=self.columns)])
        return rows


def split(total: int, parts: int) -> list[int]:
    """Return ``parts`` integers summing to ``total``, as equal as possible (larger ones first)."""
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def item_grid(entries: Iterable[Workload], fill: str, style: Style, room: int) -> Items:
    tops, bottoms = [], []
    items = list(entries)
    for entry in items:
        drawn = _drawn(entry, style)
        found = style.lines.get(drawn)
        if found is None:
            found = style.lines[drawn] = _item_lines(drawn, style)
        tops.append(list(found[0]))
        bottoms.append(list(found[1]))
    return Items(tops, bottoms, fill, items, style, room)
