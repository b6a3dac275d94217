"""How the picture words and styles its cells: text sizes, figures, usage lines, link marks.

:class:`Style` is what every builder of a host's table gets (:mod:`.stacks`, :mod:`.items`):
the theme, the width budget, the links' marks and lanes, and the lines built so far.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TypedDict

from msgspec import Struct

from ..accounting.figures import RESOURCES, Figures, percent
from ..spec.model import Component, Host, Layer, Resources, Spec
from ..spec.units import format_amount
from .cells import Line, text_room, wrap
from .metrics import text_width
from .themes import Theme
from .tracks import corridor, lane_height

__all__ = [
    "DETAIL_SIZE",
    "MAX_LINKS",
    "MAX_TEXT",
    "TEXT_ROOM",
    "TITLE_SIZE",
    "WARN",
    "CellTip",
    "Style",
    "Usage",
    "component_cell",
    "join_figures",
    "link_marks",
    "named",
    "trio",
    "usage_lines",
]

TITLE_SIZE = 14.0
NAME_SIZE = 10.0
#: The smallest text of the picture: 9 points, 9 CSS px when the picture fits its column.
DETAIL_SIZE = 9.0
#: The gap between VM columns and between bands of VMs where no link ends in the host.
GAP = 10
#: The most tracks a gap between VM columns or bands holds when links are drawn.
GAP_TRACKS = 4
#: The widest a VM's title or layer text is set before it wraps (points).
MAX_TEXT = 300
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


def trio(resources: Resources, keys: Sequence[str] = RESOURCES) -> str:
    """Return "2 vCPU · 4 GiB · 40 GiB"; an unknown figure is left out and the rest named.

    "" when no figure is known.
    """
    parts = [
        (key, format_amount(key, figure))
        for key in keys
        if (figure := getattr(resources, key)) is not None
    ]
    return join_figures(parts, keys)


class Usage(Struct):
    """Lines saying how much of a limit is used: "used ≥1 vCPU · 2 GiB" and the percentages."""

    amounts: str
    shares: str
    over: bool


def usage_lines(label: str, used: Figures, limit: Resources) -> Usage:
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
    return Usage(f"{label} {text}" if text else "", join_figures(shares, RESOURCES), over)


class Style(Struct):
    """What every builder needs: the theme, the width a host may take, the link marks, and
    the lines of the workloads drawn so far (one picture's: see :func:`.items.item_grid`)."""

    theme: Theme
    #: The widest a host's table may be (points): VMs and workload columns wrap to stay inside.
    budget: int = 1300
    #: Each linked component's link marks ("1 →", "→ 2"): see :func:`link_marks`.
    marks: dict[str, list[str]] = {}
    #: How many drawn links end at each component: a lane above its row holds their tracks.
    ends: dict[str, int] = {}
    #: How many drawn links end in each host: its gaps and frame widen to carry them.
    host_links: dict[str, int] = {}
    #: The lines of the items drawn so far, by what they are drawn from (see items).
    lines: dict[object, tuple[list[Line], list[Line]]] = {}

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
        """Return the lines of link marks of a component ("link 1 →  → 2"), or none."""
        return self.marked(self.marks.get(ident, ()), room)

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


class CellTip(TypedDict, total=False):
    """What makes a cell a component's: its id, tooltip and link (:class:`Cell` fields)."""

    ident: str
    tooltip: tuple[str, ...]
    href: str | None


def component_cell(component: Component, tooltip: tuple[str, ...]) -> CellTip:
    """Return the cell fields of a component: id ``c-ID``, tooltip (full name and figures), link."""
    return {"ident": f"c-{component.id}", "tooltip": tooltip, "href": component.url}


def named(component: Component, kind: str) -> str:
    name = component.name or component.id
    return f"{name} ({kind} {component.id})" if component.name else f"{name} ({kind})"


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
