"""Model + totals + theme + width → DOT: hosts placed by us, the totals panel, the links.

Each host is one HTML-like table built by :mod:`diagramgen.draw.stacks` with exact cell sizes,
so the size of every node is known before Graphviz sees it. The page is placed here: hosts
flow left to right in spec order and wrap into rows to stay inside the width budget, the hosts
of a row stand on one baseline (their infrastructure bars level, each host its own height),
and the panel goes beside the last row when it fits, else below. Graphviz draws what it is
given (the ``nop2`` layout: pinned positions). Same inputs, same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

from msgspec import Struct

from ..accounting.compute import Totals
from ..assets import FAMILY
from ..escape import html_text
from ..spec.model import Host, Spec
from ..spec.model import Link as SpecLink
from .cells import Cell, Label, lines_height, render_table, text_room, wrap
from .geometry import Rect, table_cells, text_box
from .panel import panel_label
from .route import Link, Route, route
from .stacks import container_block, host_bars, host_title, host_tooltip, vm_block
from .style import DETAIL_SIZE, Style, component_cell
from .themes import Theme
from .tracks import ARROW, Board, corridor
from .wording import MAX_LINKS, link_marks

__all__ = ["DEFAULT_WIDTH", "MIN_WIDTH", "PAD", "geometry", "to_dot"]

#: The width budget by default: a blog or docs column, in CSS px (1 pt of the SVG = 1 px).
DEFAULT_WIDTH = 760
#: The narrowest budget honoured: one item column and a VM column still fit.
MIN_WIDTH = 240
#: The page margin around the picture (points, each side).
PAD = 8
#: Room between hosts, and between rows of hosts and the panel (points).
HOST_GAP = 16
#: The most drawn links ending at one component.
MOST_ENDS = 6
#: A host's frame: a 1-point border and 8 points of padding on each side; where links end
#: in the host, room for their tracks between the frame and the layers (half of them on
#: each side, at most FRAME_TRACKS).
FRAME = 9
FRAME_TRACKS = 6
TITLE_SIZE = 17.0
SLACK = 4


class _Node(Struct):
    """A node of the page: its label, size, and the top-left corner we place it at."""

    name: str
    label: Label
    ident: str
    x: float = 0
    y: float = 0
    #: A host's table rows, and its frame (border and padding) around them.
    rows: list[list[Cell]] = []
    frame: int = FRAME

    @property
    def rect(self) -> Rect:
        return Rect(self.x, self.y, self.x + self.label.width, self.y + self.label.height)


def _frame(links: int, own: int = 0) -> int:
    """Return the frame (border and padding) of a host ``links`` drawn links end in.

    Half of them side by side in the padding on each side; ``own`` of them end at the host
    itself, above its title, where the padding's two lowest tracks are in the stubs' zone.
    """
    if not links:
        return FRAME
    tracks = max(math.ceil(links / 2), own + 2 if own else 0)
    return max(FRAME, 1 + corridor(tracks, FRAME_TRACKS + 2))


def _host_node(host: Host, totals: Totals, style: Style) -> _Node:
    """Return the node of a host: its title above its layers, in a rounded frame."""
    theme = style.theme
    bars = host_bars(host, totals, style)
    block = (
        container_block(host, style, bars)
        if host.stack == "container"
        else vm_block(host, totals, style, bars)
    )
    title = host_title(host, totals, style, block.width)
    span = sum(cell.colspan for cell in block.rows[-1])  # the infrastructure bar spans it all
    title_cell = Cell(
        title,
        block.width,
        lines_height(title),
        theme.fill("host"),
        border=0,
        colspan=span,
        **component_cell(host, host_tooltip(host, totals)),
    )
    rows = [[title_cell], *block.rows]
    frame = _frame(style.host_links.get(host.id, 0), style.ends.get(host.id, 0))
    markup = (
        f'<<TABLE BORDER="1" STYLE="ROUNDED" COLOR="{theme.border}" BGCOLOR="{theme.fill("host")}" '
        f'CELLBORDER="0" CELLSPACING="0" CELLPADDING="{frame - 1}"><TR><TD>'
        f"{render_table(rows, theme.border)}</TD></TR></TABLE>>"
    )
    size = Label(markup, block.width + 2 * frame, block.height + title_cell.height + 2 * frame)
    return _Node(f"host_{host.id}", size, f"host-{host.id}", rows=rows, frame=frame)


def _rows(nodes: Sequence[_Node], budget: int) -> list[list[_Node]]:
    """Return the nodes in rows, left to right in order, each row at most ``budget`` wide."""
    rows: list[list[_Node]] = []
    width = 0
    for node in nodes:
        if rows and width + HOST_GAP + node.label.width <= budget:
            rows[-1].append(node)
            width += HOST_GAP + node.label.width
        else:
            rows.append([node])
            width = node.label.width
    return rows


def _place(hosts: list[_Node], panel: _Node, budget: int) -> None:
    """Place the hosts in rows on their baselines, and the panel beside them or below."""
    top = 0.0
    rows = _rows(hosts, budget)
    for number, row in enumerate(rows):
        height = max(node.label.height for node in row)
        x = 0.0
        for node in row:
            node.x, node.y = x, top + height - node.label.height  # bottoms level
            x += node.label.width + HOST_GAP
        if number == len(rows) - 1 and x + panel.label.width <= budget:
            panel.x, panel.y = x, top  # beside the last row, level with its top
            return
        top += height + HOST_GAP
    panel.x, panel.y = 0, top


def _pos(node: _Node, bottom: float) -> str:
    """Return a node's pinned centre in Graphviz's coordinates (points, y upwards)."""
    x = node.x + node.label.width / 2
    y = bottom - (node.y + node.label.height / 2)
    return f"{x:g},{y:g}!"


def to_dot(
    spec: Spec,
    totals: Totals,
    theme: Theme,
    panel: Label | None = None,
    width: int = DEFAULT_WIDTH,
) -> str:
    """Return the DOT source of the picture, at most ``width`` points wide where it can be.

    ``panel`` replaces the totals panel, as ``diagramgen compare`` does.
    """
    import graphviz  # type: ignore[import-untyped]

    page = _Page(spec, totals, theme, panel, width)
    graph = graphviz.Digraph(
        "diagramgen",
        graph_attr={
            "bgcolor": theme.background,
            "fontname": FAMILY,
            "fontcolor": theme.text,
            "pad": f"{PAD / 72:.4f}",
            "margin": "0",  # no page margin in PDF: the page is the picture's own size
            "labelloc": "t",
            "splines": "true",
        },
        # Detail lines are drawn in the nodes' own font: see cells.Line.plain.
        node_attr={
            "shape": "plain",
            "fontname": FAMILY,
            "fontsize": f"{DETAIL_SIZE:g}",
            "fontcolor": theme.detail,
        },
        edge_attr={
            "fontname": FAMILY,
            "fontsize": f"{DETAIL_SIZE:g}",
            "color": theme.link,
            "fontcolor": theme.link,
            "arrowsize": f"{ARROW / 10:g}",  # Graphviz's arrowhead is 10 points long at 1
            "penwidth": "1.2",
        },
    )
    if spec.title:
        lines = _title_lines(spec.title, text_room(page.budget))
        text = "<BR/>".join(f"<B>{html_text(line)}</B>" for line in lines)
        graph.attr(label=f'<<FONT POINT-SIZE="{TITLE_SIZE:g}">{text}</FONT><BR/> >')
    bottom = page.bottom
    for node in [*page.hosts, page.panel]:
        graph.node(node.name, label=node.label.markup, id=node.ident, pos=_pos(node, bottom))
    if page.gutter:
        # Graphviz trims the page to what it draws: an empty point pins the gutter's left
        # edge, so the page keeps it (and our coordinates stay Graphviz's) when no route
        # happens to run in it.
        graph.node(
            "gutter",
            label="",
            shape="plain",
            style="invis",
            width="0",
            height="0",
            pos=f"0,{bottom:g}!",
        )
    # Links are numbered on their components and listed by number in the panel (see
    # wording.link_marks), and drawn along the routes found through the gaps of the page.
    links = [Link(number, f"c-{link.source}", f"c-{link.target}") for number, link in page.drawn]
    for found in route(page.board(), links) if links else ():
        link = spec.links[found.number - 1]
        graph.edge(
            f"host_{page.owners[link.source]}",
            f"host_{page.owners[link.target]}",
            id=f"link-{found.number}",
            pos=_spline(found, bottom),
        )
    source: str = graph.source
    return source


class _Page:
    """The placed page: the hosts' nodes and the panel's, and the links to draw."""

    def __init__(
        self, spec: Spec, totals: Totals, theme: Theme, panel: Label | None, width: int
    ) -> None:
        self.budget = max(MIN_WIDTH, width) - 2 * PAD
        self.drawn, ends = _drawn(spec)
        self.owners = {component.id: host.id for host, component in spec.components()}
        host_links: dict[str, int] = {}
        for _, link in self.drawn:
            for host in dict.fromkeys((self.owners[link.source], self.owners[link.target])):
                host_links[host] = host_links.get(host, 0) + 1
        frame = max(
            (_frame(links, ends.get(host, 0)) for host, links in host_links.items()),
            default=FRAME,
        )
        # A few points of slack: Graphviz measures text with hinted widths, a little wider
        # than ours (ENGINE-NOTES), and grows a cell whose text it finds too wide.
        style = Style(theme, self.budget - 2 * frame - SLACK, link_marks(spec), ends, host_links)
        numbered = range(1, min(len(spec.links), MAX_LINKS) + 1)
        lineless = frozenset(numbered) - {number for number, _ in self.drawn}
        label = panel or panel_label(spec, totals, theme, room=self.budget, lineless=lineless)
        self.panel = _Node("totals", label, "totals")
        self.hosts = [_host_node(host, totals, style) for host in spec.hosts]
        _place(self.hosts, self.panel, self.budget)
        #: A free column at the left of the page, for links between hosts rows apart.
        self.gutter = 0
        skipping = self._skipping()
        if skipping:
            self.gutter = corridor(skipping, FRAME_TRACKS)
            style.budget -= self.gutter
            self.hosts = [_host_node(host, totals, style) for host in spec.hosts]
            _place(self.hosts, self.panel, self.budget - self.gutter)
            for node in [*self.hosts, self.panel]:
                node.x += self.gutter
        self.bottom = max(node.rect.bottom for node in [*self.hosts, self.panel])

    def _skipping(self) -> int:
        """Return how many drawn links join hosts with a row of hosts between them."""
        baselines = sorted({node.rect.bottom for node in self.hosts})
        row = {
            node.ident.removeprefix("host-"): baselines.index(node.rect.bottom)
            for node in self.hosts
        }
        return sum(
            abs(row[self.owners[link.source]] - row[self.owners[link.target]]) > 1
            for _, link in self.drawn
        )

    def board(self) -> Board:
        """Return what the router sees of the placed page."""
        return _board(self.hosts, self.panel, self.owners, self.gutter)


def geometry(spec: Spec, totals: Totals, theme: Theme, width: int = DEFAULT_WIDTH) -> Board:
    """Return what the router sees of the page: every box, free area and linked cell.

    Points from the top-left corner of the hosts, ``y`` downwards; Graphviz's coordinates
    (and the SVG's, before its transform) are ``x`` and ``y - bottom`` of the page.
    """
    return _Page(spec, totals, theme, None, width).board()


def _title_lines(title: str, room: float) -> list[str]:
    """Return the title on as many lines as ``room`` points need (a title is never cut;
    the spec's limits keep it short)."""
    lines: list[str] = []
    rest = title
    while rest:
        first, *more = wrap(rest, TITLE_SIZE, room, bold=True)
        lines.append(first)
        rest = more[0] if more else ""
    return lines


def _drawn(spec: Spec) -> tuple[list[tuple[int, SpecLink]], dict[str, int]]:
    """Return the links to draw, by number, and how many end at each component.

    The first MAX_LINKS links are numbered; of those, a component has at most MOST_ENDS drawn
    (its lane holds as many tracks): the others at a busy component keep their numbers only.
    """
    drawn = []
    ends: dict[str, int] = {}
    for number, link in enumerate(spec.links[:MAX_LINKS], start=1):
        if max(ends.get(link.source, 0), ends.get(link.target, 0)) >= MOST_ENDS:
            continue
        drawn.append((number, link))
        ends[link.source] = ends.get(link.source, 0) + 1
        ends[link.target] = ends.get(link.target, 0) + 1
    return drawn, ends


def _board(hosts: list[_Node], panel: _Node, owners: dict[str, str], gutter: float) -> Board:
    """Return what the router needs to know of the placed page."""
    boxes, free = [panel.rect], []
    cells: dict[str, Rect] = {}
    spans: dict[str, tuple[float, float]] = {}
    for node in hosts:
        inset = node.frame
        host_fill = node.rows[0][0].fill  # the title cell is in the host's own colour
        for cell, rect in table_cells(node.rows, node.x + inset, node.y + inset):
            if cell.ident is not None:
                cells[cell.ident] = rect
            if cell.inner:
                continue
            if cell.border or (cell.fill is not None and cell.fill != host_fill):
                boxes.append(rect)
            elif cell.lines:  # a host's title: only its text is in the way
                text = text_box(cell, rect)
                assert text is not None
                boxes.append(text)
                if cell.ident is not None:  # its links start and end right above the text
                    spans[cell.ident] = (text.left, text.right)
                free += [
                    Rect(rect.left, rect.top, text.left, rect.bottom),
                    Rect(text.right, rect.top, rect.right, rect.bottom),
                ]
            else:
                free.append(rect)
        outer, inner = node.rect.grown(-1), node.rect.grown(-inset)
        free += [
            Rect(outer.left, outer.top, outer.right, inner.top),
            Rect(outer.left, inner.bottom, outer.right, outer.bottom),
            Rect(outer.left, outer.top, inner.left, outer.bottom),
            Rect(inner.right, outer.top, outer.right, outer.bottom),
        ]
    nodes = [*hosts, panel]
    right = max(node.rect.right for node in nodes)
    bottom = max(node.rect.bottom for node in nodes)
    free += _page_gaps(hosts, panel, right)
    if gutter:
        free.append(Rect(0, 0, gutter, bottom))
    return Board(
        bounds=Rect(0, 0, right, bottom),
        boxes=boxes,
        frames={node.ident.removeprefix("host-"): node.rect for node in hosts},
        free=free,
        cells=cells,
        hosts={f"c-{ident}": host for ident, host in owners.items()},
        spans=spans,
    )


def _page_gaps(hosts: list[_Node], panel: _Node, right: float) -> list[Rect]:
    """Return the free areas of the page around the hosts: between and above them, beside
    the last of each row (and the panel, when it stands there), and between rows."""
    gaps = []
    rows: dict[float, list[_Node]] = {}
    for node in hosts:
        rows.setdefault(node.rect.bottom, []).append(node)  # a row's hosts share a baseline
    for base, row in rows.items():
        top = min(node.y for node in row)
        gaps.append(Rect(0, base, right, base + HOST_GAP))
        if panel.y == top and panel.x > row[-1].rect.right:
            row = [*row, panel]
        edge = 0.0
        for node in row:
            if node.x > edge:
                gaps.append(Rect(edge, top, node.x, base))
            if node.y > top:
                gaps.append(Rect(node.x, top, node.rect.right, node.y))
            edge = node.rect.right
        if edge < right:
            gaps.append(Rect(edge, top, right, base))
    return gaps


def _spline(found: Route, bottom: float) -> str:
    """Return a route as a Graphviz edge ``pos``: straight cubic pieces, the arrow at the end.

    Graphviz's y grows upwards from the page's ``bottom``; the path stops an arrow's length
    short of the tip, which is the last point.
    """
    points = [(x, bottom - y) for x, y in found.points]
    tip_x, tip_y = points[-1]
    # The last stretch comes straight down onto the cell: it stops an arrow short of it.
    points[-1] = (tip_x, tip_y + ARROW)
    parts = [points[0]]
    for before, after in pairwise(points):
        parts += [before, after, after]
    text = " ".join(f"{x:g},{y:g}" for x, y in parts)
    return f"e,{tip_x:g},{tip_y:g} {text}"
