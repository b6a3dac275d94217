"""How a host's cells are set: text sizes, gaps, the lines of names and details, and what
makes a cell a component's.

:class:`Style` is what every builder of a host's table gets (:mod:`.stacks`, :mod:`.items`):
the theme, the width budget, the links' marks and lanes, and the lines built so far. The words
themselves (figures, usage, link marks) come from :mod:`.wording`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, TypedDict

from msgspec import Struct

from ..spec.model import Component, Host, Layer
from .cells import Line, text_room, wrap
from .metrics import text_width
from .themes import Theme
from .tracks import corridor, lane_height
from .wording import trio

__all__ = [
    "DETAIL_SIZE",
    "MAX_TEXT",
    "TEXT_ROOM",
    "TITLE_SIZE",
    "CellTip",
    "Style",
    "component_cell",
    "lone_gap",
]

TITLE_SIZE = 14.0
NAME_SIZE = 10.0
#: The smallest text of the picture: 9 points, 9 CSS px when the picture fits its column.
DETAIL_SIZE = 9.0
#: The gap between VM columns and between bands of VMs where no link ends in the host.
GAP = 10
#: The most tracks a gap between VM columns or bands holds when links are drawn.
GAP_TRACKS = 3
#: The gap beside VMs that links end at: two side ports' stubs facing each other, and a
#: track between them (route.SIDE_STUB each, route.TRACK apart).
SIDE_GAP = 28
#: The widest a VM's title or layer text is set before it wraps (points).
MAX_TEXT = 300
TEXT_ROOM = text_room(MAX_TEXT)


class Style(Struct):
    """What every builder needs: the theme, the width a host may take, the link marks, and
    the lines and grids of the workloads drawn so far (one picture's: see :mod:`.items`)."""

    theme: Theme
    #: The widest a host's table may be (points): VMs and workload columns wrap to stay inside.
    budget: int = 1300
    #: Each linked component's link marks ("1 →", "→ 2"): see :func:`link_marks`.
    marks: dict[str, list[str]] = {}
    #: How many drawn links end at each component: a lane above its row holds their tracks.
    ends: dict[str, int] = {}
    #: How many drawn links end in each host: its gaps and frame widen to carry them.
    host_links: dict[str, int] = {}
    #: What a diff says of each component it marks: its state (``added``, ``removed`` or
    #: ``changed``: the fill it is drawn on) and its lines ("+ added", "memory 8 → 12 GiB").
    states: dict[str, str] = {}
    changes: dict[str, tuple[str, ...]] = {}
    #: The lines of the items drawn so far and their heights, by what they are drawn from
    #: and their width (see items).
    lines: dict[object, tuple[tuple[list[Line], list[Line]], tuple[int, int]]] = {}
    #: The heights of the grids laid out so far, by their items, rows and width (see items).
    heights: dict[object, tuple[tuple[int, int, int], ...]] = {}
    #: A number for each distinct item drawn (what the caches below are keyed by).
    codes: dict[object, int] = {}
    #: The natural and least widths of the workloads drawn so far, by what they draw.
    spans: dict[object, tuple[int, int]] = {}
    #: The heights of the engines and guest OSes drawn so far, by kind, name, figures and
    #: width.
    layers: dict[tuple[str, str | None, str, int], int] = {}
    #: The VMs' frontiers of shapes, one per set of sizes (see stacks.VmColumn.frontier).
    frontiers: dict[object, Any] = {}
    #: The height each band of VMs is held to, by its VMs' frontiers, room and gap.
    bands: dict[tuple[tuple[int, ...], int, int], int | None] = {}

    def gap(self, host: Host) -> int:
        """Return the gap between VM columns and between bands of VMs of a host (points):
        wide enough for a third of the host's links side by side where links end in it,
        and for two facing side ports' stubs where links end at its VMs themselves."""
        links = self.host_links.get(host.id, 0)
        gap = max(GAP, corridor(math.ceil(links / 3), GAP_TRACKS)) if links else GAP
        if any(self.ends.get(vm.id) for vm in host.vms):
            gap = max(gap, SIDE_GAP)
        return gap

    def lane(self, idents: Iterable[str]) -> int:
        """Return the height of the lane above a row of components, 0 when none is linked."""
        count = sum(self.ends.get(ident, 0) for ident in idents)
        return lane_height(count) if count else 0

    def mark(self, ident: str, room: float) -> list[Line]:
        """Return the lines of what a diff says of a component, then of its link marks
        ("link 1 →  → 2"), or none."""
        return self.changed(self.changes.get(ident, ()), room) + self.marked(
            self.marks.get(ident, ()), room
        )

    def changed(self, changes: Sequence[str], room: float) -> list[Line]:
        """Return what a diff says of a component as bold lines, each wrapped in ``room``."""
        return [
            Line(part, DETAIL_SIZE, self.theme.text, True)
            for text in changes
            for part in wrap(text, DETAIL_SIZE, room, bold=True)
        ]

    def fill(self, ident: str, layer: str) -> str:
        """Return the fill of a component's cell: its layer's, or its diff state's."""
        return self.theme.fill(self.states.get(ident, layer))

    def dashed(self, ident: str) -> bool:
        """Return whether a component is drawn dashed: one a diff shows removed."""
        return self.states.get(ident) == "removed"

    def marked(self, marks: Sequence[str], room: float) -> list[Line]:
        """Return link marks as lines: they fill a line up to ``room`` points and go on on
        the next, none shortened."""
        lines: list[str] = []
        for part in marks:
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
        figures = trio(layer.uses)
        return [*self.names(layer.name or default, room), *self.details(figures, room)]


def lone_gap(host: Host, style: Style) -> int:
    """Return the gap between the VMs of a host's single band: links run in the lane above
    it, so only side ports facing each other need room."""
    return SIDE_GAP if any(style.ends.get(vm.id) for vm in host.vms) else GAP


class CellTip(TypedDict, total=False):
    """What makes a cell a component's: its id, tooltip and link (:class:`Cell` fields)."""

    ident: str
    tooltip: tuple[str, ...]
    href: str | None


#: The longest line of a tooltip (characters): Graphviz refuses an attribute of more than
#: 16,384, and 45,000 libs of 200 characters make one of 9 MB.
TOOLTIP_LINE = 500


def component_cell(component: Component, tooltip: tuple[str, ...]) -> CellTip:
    """Return the cell fields of a component: id ``c-ID``, tooltip (full name and figures), link."""
    lines = tuple(
        line if len(line) <= TOOLTIP_LINE else line[: TOOLTIP_LINE - 1] + "…" for line in tooltip
    )
    return {"ident": f"c-{component.id}", "tooltip": lines, "href": component.url}
