"""The apps or containers of a VM or an engine, as a grid: a name cell over a bins/libs cell
for each, in rows that differ by at most one item, each row as wide as the grid.

A grid can be drawn at any width and in any number of rows: its texts wrap (up to three
lines) to the width its items get, so the page layout (:mod:`.arrange`) can trade rows for
width. Items alike in what they show are laid out once per picture.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable

import msgspec
from msgspec import Struct

from ..spec.model import App, Resources, Workload, display_name
from ..spec.units import format_amount
from .cells import Cell, Line, lines_height, lines_width, text_room, wrap
from .style import Style, component_cell
from .wording import WARN, named, trio

__all__ = ["MIN_ITEM", "MOST_COLUMNS", "Workloads", "item_widths", "split", "workload_tooltip"]

#: The narrowest an item is drawn, and the widest its natural (one-line) texts make it.
MIN_ITEM, MAX_ITEM = 80, 170
#: The most items side by side in one row of a grid.
MOST_COLUMNS = 6
#: Item widths tried between the natural one and MIN_ITEM: each this much narrower.
STEP = 0.85


def workload_tooltip(item: Workload) -> tuple[str, ...]:
    if isinstance(item, App):
        uses = trio(item.uses)
        lines = [named(item, "app"), *([f"uses {uses}"] if uses else [])]
    elif item.userland is not None:
        lines = [named(item, "system container") + ("" if item.running else ", stopped")]
        lines.append(f"userland {item.userland.name or '(unnamed)'}: {trio(item.userland.uses)}")
        allocated = trio(item.allocated)
        lines += [f"allocated {allocated}"] if allocated else []
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
    so a fleet's same container on every VM is laid out once."""

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
    #: What a diff says of the item, and the fill it is drawn on for it (None: its own).
    changes: tuple[str, ...] = ()
    state: str | None = None
    #: A system container's userland name ("" unnamed) and allocation; None for others.
    userland: str | None = None
    allocated: Resources = Resources()
    running: bool = True


def _drawn(item: Workload, style: Style) -> _Drawn:
    drawn = _plain(item, style)
    changes = style.changes.get(item.id, ())
    state = style.states.get(item.id)
    return msgspec.structs.replace(drawn, changes=changes, state=state) if state else drawn


def _plain(item: Workload, style: Style) -> _Drawn:
    marks = tuple(style.marks.get(item.id, ()))
    if isinstance(item, App):
        return _Drawn(display_name(item), marks, item.libs, uses=item.uses)
    if item.userland is not None:
        return _Drawn(
            display_name(item),
            marks,
            item.libs,
            userland=item.userland.name or "",
            allocated=item.allocated,
            running=item.running,
        )
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
        running=item.running,
    )


def _texts(item: _Drawn) -> tuple[str, list[tuple[str, bool]], list[str]]:
    """Return an item's name, its detail texts (with whether each warns) and its libs texts."""
    libs = [_listed(item.libs) if item.libs else "bins/libs"]
    if item.uses is not None:  # an app
        disk = item.uses.disk
        details = [(trio(item.uses, ("cpu", "memory")), False)]
        return item.name, details, libs + ([] if disk is None else ["disk " + _disk(disk)])
    if item.userland is not None:  # a system container: its allocation, on its userland
        allocated = trio(item.allocated)
        state = "" if item.running else "stopped"
        text = " · ".join(t for t in (state, f"allocated {allocated}" if allocated else "") if t)
        below = [f"userland {item.userland}" if item.userland else "userland"]
        return item.name, [(text, False)], below + ([_listed(item.libs)] if item.libs else [])
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
    if not item.running:
        parts.insert(0, "stopped")
    details = [(" · ".join(parts), bool(missing))]
    reserved = [k for k in ("cpu", "memory") if getattr(item.reservations, k) is not None]
    if reserved:  # Compose reservations, Kubernetes requests: what is set aside for it
        details.append(("reserved " + trio(item.reservations, reserved), False))
    size = item.image_size
    return name, details, libs + ([] if size is None else [f"image {_disk(size)}"])


#: The most characters of a bins/libs list drawn: three lines of a cell hold far fewer, and
#: the rest is shortened anyway (45,000 libs made a 9 MB text to wrap).
LIBS_SHOWN = 600


def _listed(libs: tuple[str, ...]) -> str:
    """Return the libs as one text, at most LIBS_SHOWN characters (then wrapped and cut)."""
    shown, length = [], 0
    for lib in libs:
        if length > LIBS_SHOWN:
            break
        shown.append(lib)
        length += len(lib) + 2
    text = ", ".join(shown)
    return text if len(shown) == len(libs) else text + ", …"


def _lines(item: _Drawn, style: Style, width: int) -> tuple[list[Line], list[Line]]:
    """Return the lines of an item's cell and of the bins/libs cell under it, ``width`` wide."""
    room = text_room(width)
    name, details, libs = _texts(item)
    top = style.names(name, room)
    for text, warn in details:
        top += style.details(text, room, warn=warn)
    top += style.changed(item.changes, room)
    top += style.marked(item.marks, room)
    bottom = [line for text in libs for line in style.details(text, room)]
    return top, bottom


def _disk(figure: int) -> str:
    return format_amount("disk", figure)


def split(total: int, parts: int) -> list[int]:
    """Return ``parts`` integers summing to ``total``, as equal as possible (larger ones first)."""
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def _rows(count: int, rows: int) -> list[int]:
    """Return how many items each of ``rows`` rows holds: they differ by at most one, the
    longer rows first."""
    return split(count, rows)


def item_widths(natural: int, least: int = MIN_ITEM) -> list[int]:
    """Return the item widths to try, from ``natural`` down to ``least``."""
    widths = [natural]
    while widths[-1] * STEP > least:
        widths.append(math.floor(widths[-1] * STEP))
    if widths[-1] > least:
        widths.append(least)
    return widths


#: The most lines a text is wrapped onto while the page still looks for room: a third line
#: is for texts that fit no other way (a long name), not a way to make a grid narrower.
SEARCH_LINES = 2


def _spans(drawn: list[_Drawn], style: Style) -> tuple[int, int]:
    """Return the natural and the least width of items drawing ``drawn``."""
    widest = 0
    texts: list[Line] = []
    for item in drawn:
        name, details, libs = _texts(item)
        lines = [style.name(name), *(style.detail(t, w) for t, w in details)]
        lines += [style.detail(text) for text in libs]
        widest = max(widest, lines_width(lines))
        texts += lines
    natural = min(MAX_ITEM, max(MIN_ITEM, widest))
    return natural, two_lines(texts, MIN_ITEM, natural)


def two_lines(texts: Iterable[Line], least: int, most: int) -> int:
    """Return the narrowest width from ``least`` to ``most`` at which each text takes at most
    two lines (``most`` when none does)."""
    widths = item_widths(most, least)
    found = most
    for width in widths:
        room = text_room(width)
        if any(len(wrap(t.text, t.size, room, t.bold)) > SEARCH_LINES for t in texts):
            break
        found = width
    return found


class Workloads:
    """The apps or containers of one VM or engine: their lines at any width, and their grid.

    ``inner_lanes`` puts a lane above each row of the grid where links end (an engine's
    grid, inside its host); a VM's grid keeps its linked items in its first row instead, and
    the lane above the VM carries their links.
    """

    def __init__(self, items: Iterable[Workload], style: Style, inner_lanes: bool) -> None:
        self.items = list(items)
        self.style = style
        self.inner_lanes = inner_lanes
        self.drawn = [_drawn(item, style) for item in self.items]
        #: How many drawn links end at each item: its row's lane holds their tracks.
        self.ends = tuple(style.ends.get(item.id, 0) for item in self.items)
        self.linked = [ends > 0 for ends in self.ends]
        # Each distinct drawn item numbered once a picture: the caches are keyed by numbers.
        codes = style.codes
        self.codes = tuple(codes.setdefault(drawn, len(codes)) for drawn in self.drawn)
        key = self.codes
        found = style.spans.get(key)
        if found is None:
            found = style.spans[key] = _spans(self.drawn, style)
        #: The widest an item is drawn (its texts on one line each, at most MAX_ITEM), and
        #: the narrowest the page tries (each text on two lines at most).
        self.natural, self.least = found
        self._rows_of: dict[int, list[list[int]]] = {}

    def with_lanes(self) -> Workloads:
        """Return the same grid with a lane above each of its rows."""
        laned = copy.copy(self)
        laned.inner_lanes = True
        laned._rows_of = {}
        return laned

    def widths(self) -> list[int]:
        """Return the item widths the page tries, widest first."""
        return item_widths(self.natural, self.least)

    def __len__(self) -> int:
        return len(self.items)

    def lines(self, index: int, width: int) -> tuple[list[Line], list[Line]]:
        """Return the lines of item ``index`` drawn ``width`` points wide."""
        return self._drawn_at(index, width)[0]

    def _drawn_at(
        self, index: int, width: int
    ) -> tuple[tuple[list[Line], list[Line]], tuple[int, int]]:
        """Return the lines of item ``index`` ``width`` points wide, and their heights."""
        key = (self.codes[index], width)
        found = self.style.lines.get(key)
        if found is None:
            top, bottom = _lines(self.drawn[index], self.style, width)
            found = ((top, bottom), (lines_height(top), lines_height(bottom)))
            self.style.lines[key] = found
        return found

    def row_counts(self) -> list[int]:
        """Return the numbers of rows the grid may take: at most MOST_COLUMNS a row, and
        (without inner lanes) every linked item in the first row."""
        count = len(self.items)
        linked = sum(self.linked)
        found: list[int] = []
        for rows in range(1, count + 1):
            first = _rows(count, rows)[0]
            if first > MOST_COLUMNS:
                continue
            if rows > 1 and not self.inner_lanes and linked > first:
                continue
            if found and _rows(count, found[-1])[0] == first:
                continue  # as wide as fewer rows, and taller
            found.append(rows)
        return found or [count]

    def columns(self, rows: int) -> int:
        """Return how many items the widest row holds when the grid takes ``rows`` rows."""
        return _rows(len(self.items), rows)[0]

    def _order(self, rows: int) -> list[int]:
        """Return the items' indices in the order the grid draws them: the spec's, but in a
        VM's grid of several rows whose first row would miss a linked item, the linked items
        first (the first row is where links end)."""
        indices = list(range(len(self.items)))
        first = _rows(len(self.items), rows)[0]
        if self.inner_lanes or not any(self.linked[first:]):
            return indices
        return [i for i in indices if self.linked[i]] + [i for i in indices if not self.linked[i]]

    def _row_items(self, rows: int) -> list[list[int]]:
        found = self._rows_of.get(rows)
        if found is None:
            order = self._order(rows)
            found, start = [], 0
            for size in _rows(len(self.items), rows):
                found.append(order[start : start + size])
                start += size
            self._rows_of[rows] = found
        return found

    def _row_heights(self, rows: int, width: int) -> tuple[tuple[int, int, int], ...]:
        """Return (lane, item, bins/libs) heights of each row of the grid ``width`` wide."""
        # A fleet's VMs run the same items: their grids are measured once per picture.
        key = (self.codes, self.ends, self.inner_lanes, rows, width)
        known = self.style.heights.get(key)
        if known is None:
            known = self.style.heights[key] = tuple(self._measure(rows, width))
        return known

    def _measure(self, rows: int, width: int) -> list[tuple[int, int, int]]:
        found = []
        for indices in self._row_items(rows):
            widths = split(width, len(indices))
            top = bottom = 0
            for index, item_width in zip(indices, widths, strict=True):
                heights = self._drawn_at(index, item_width)[1]
                if heights[0] > top:
                    top = heights[0]
                if heights[1] > bottom:
                    bottom = heights[1]
            lane = self.style.lane(self.items[i].id for i in indices) if self.inner_lanes else 0
            found.append((lane, top, bottom))
        return found

    def height(self, rows: int, width: int) -> int:
        """Return the grid's height in ``rows`` rows, ``width`` wide (inner lanes included)."""
        return sum(sum(row) for row in self._row_heights(rows, width))

    def first_row(self, rows: int) -> list[str]:
        """Return the ids of the items in the grid's first row when it takes ``rows`` rows."""
        return [self.items[index].id for index in self._row_items(rows)[0]]

    def table(self, rows: int, width: int, fill: str) -> list[list[Cell]]:
        """Return the grid as table rows exactly ``width`` points wide, in ``rows`` rows."""
        theme = self.style.theme
        # Each row is a nested table of its own: rows of different counts are each as wide
        # as the grid, with no hole at the end of a shorter one.
        found: list[list[Cell]] = []
        heights = self._row_heights(rows, width)
        for indices, (lane, top_height, bottom_height) in zip(
            self._row_items(rows), heights, strict=True
        ):
            if lane:
                found.append([Cell([], width, lane, border=0)])
            widths = split(width, len(indices))
            tops, bottoms = [], []
            for index, item_width in zip(indices, widths, strict=True):
                item = self.items[index]
                top, bottom = self.lines(index, item_width)
                # A stopped one is drawn muted: on the host's own fill, not the item's; one a
                # diff marks, on its state's (dashed if it was removed).
                drawn = self.drawn[index]
                own = fill if drawn.running else theme.fill("host")
                state = drawn.state
                tops.append(
                    Cell(
                        top,
                        item_width,
                        top_height,
                        theme.fill(state) if state else own,
                        dashed=state == "removed",
                        **component_cell(item, workload_tooltip(item)),
                    )
                )
                bottoms.append(
                    Cell(
                        bottom,
                        item_width,
                        bottom_height,
                        theme.fill("removed" if state == "removed" else "libs"),
                        dashed=state == "removed",
                    )
                )
            inner = [tops, bottoms]
            found.append([Cell([], width, top_height + bottom_height, border=0, inner=inner)])
        return found
