"""Model + totals + theme + width → DOT: the page arranged (:mod:`.arrange`), hosts drawn as
tables (:mod:`.stacks`), the totals panel, the links.

Each host is one HTML-like table with exact cell sizes, so the size of every node is known
before Graphviz sees it. The page is placed here: rows of hosts side by side on one baseline,
the same bars level across a row (each host its own height above them), and the panel beside
the hosts or below them in columns, whichever makes the page lower. Graphviz draws what it is
given (the ``nop2`` layout: pinned positions). Same inputs, same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import pairwise

from msgspec import Struct

from ..accounting.compute import Totals
from ..assets import FAMILY
from ..escape import html_text
from ..spec.model import Host, Spec
from ..spec.model import Link as SpecLink
from .arrange import (
    HOST_GAP,
    MIXED_GAP,
    SHARES,
    Candidate,
    HostPlan,
    Row,
    candidates,
    fill,
    plan_rows,
)
from .cells import Cell, Label, line_height, lines_height, render_table, text_room, wrap
from .geometry import Rect, table_cells, text_box
from .items import Workloads, two_lines
from .labels import LABEL_SIZE, Placed, place_labels
from .metrics import text_width
from .panel import IN_CELLS, MARKED, ON_LINE, panel_columns, panel_label
from .route import Link, Route, route
from .stacks import (
    VmColumn,
    bar_cells,
    engine_bar,
    host_title,
    host_tooltip,
    hypervisor_bar,
    shelf_lines,
)
from .style import DETAIL_SIZE, Style, component_cell
from .themes import Theme
from .tracks import ARROW, CLEAR, Board, corridor
from .wording import MAX_LINKS, link_marks

__all__ = [
    "DEFAULT_WIDTH",
    "MIN_WIDTH",
    "PAD",
    "Block",
    "Marking",
    "Placement",
    "geometry",
    "placement",
    "to_dot",
]

#: The width budget by default: a blog or docs column, in CSS px (1 pt of the SVG = 1 px).
DEFAULT_WIDTH = 760
#: The narrowest budget honoured: one item column and a VM column still fit.
MIN_WIDTH = 240
#: The page margin around the picture (points, each side).
PAD = 8
#: The most drawn links ending at one component.
MOST_ENDS = 6
#: A host's frame: a 1-point border and 8 points of padding on each side; where links end
#: in the host, room for their tracks between the frame and the layers (half of them on
#: each side, at most FRAME_TRACKS).
FRAME = 9
FRAME_TRACKS = 3
TITLE_SIZE = 17.0
#: The widest the panel is set beside the hosts (points).
PANEL_ROOM = 300
#: The narrowest a host's table is drawn (points).
MIN_HOST = 100
#: How many times the page is laid out at most to settle which links are numbered.
PASSES = 3


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
    if not links and not own:
        return FRAME
    tracks = max(math.ceil(links / 2), own + 2 if own else 0)
    return max(FRAME, 1 + corridor(tracks, FRAME_TRACKS + 1))


class _Host:
    """What a host is drawn from: its VMs or its grid, and the frame and gaps its links need."""

    def __init__(self, host: Host, totals: Totals, style: Style, leaving: dict[str, int]) -> None:
        self.host = host
        self.totals = totals
        self.style = style
        self.columns = [VmColumn(vm, totals, style) for vm in host.vms]
        self.grid = Workloads(host.containers, style, True) if host.containers else None
        self.frame = _frame(leaving.get(host.id, 0), style.ends.get(host.id, 0))
        self.gap = style.gap(host)
        #: Room under each shelf of the hypervisor for the links between bands of VMs.
        self.passage = 0
        self._least: dict[int, int] = {}
        self._candidates: dict[tuple[int, tuple[float, ...], int, int], Candidate] = {}

    def candidate(self, budget: int, shares: tuple[float, ...]) -> Candidate:
        """Return the host's plans at ``shares`` of ``budget`` (found once per frame and
        passage: the page is arranged again when they change)."""
        key = (budget, shares, self.frame, self.passage)
        found = self._candidates.get(key)
        if found is None:
            found = self._candidates[key] = candidates(
                self.host,
                self.columns,
                self.grid,
                budget,
                self.frame,
                self.gap,
                shares,
                self.passage,
                self.least(budget),
            )
        return found

    def least(self, budget: int) -> int:
        """Return the narrowest the host's table is drawn: its title and bars on two lines
        at most (a narrow grid of VMs does not squeeze its hardware into a column)."""
        found = self._least.get(budget)
        if found is None:
            room = max(MIN_HOST, budget - 2 * self.frame)
            texts = host_title(self.host, self.totals, self.style, room)
            for cell in bar_cells(self.host, self.totals, self.style, room):
                texts += cell.lines
            found = self._least[budget] = two_lines(texts, min(MIN_HOST, room), room)
        return found


def _host_node(part: _Host, plan: HostPlan, bars: list[int], frame: int) -> _Node:
    """Return the node of a host drawn at ``plan``: its title above its VMs or containers,
    above its bars (each at least as tall as ``bars`` says, bottom first), in a frame; the
    bars stand as high above the frame's bottom as in a frame ``frame`` points thick (the
    thickest of the row), so the bars of hosts side by side are level."""
    host, style, theme = part.host, part.style, part.style.theme
    width = plan.width
    title = host_title(host, part.totals, style, width)
    state = style.states.get(host.id)
    title_cell = Cell(
        title,
        width,
        lines_height(title),
        style.fill(host.id, "host"),
        border=1 if state else 0,
        dashed=state == "removed",
        **component_cell(host, host_tooltip(host, part.totals)),
    )
    rows: list[list[Cell]] = [[title_cell]]
    body: list[list[Cell]] = []
    if plan.split:  # a mixed host: VMs on their hypervisor, containers on their engine
        body = [_mixed_body(part, plan)]
    else:
        if plan.grid is not None:
            body = plan.grid.table(plan.rows, width, theme.fill("container"))
        body += _bands(part, plan, width)
    if body:
        rows.append([Cell([], width, sum(_row_height(r) for r in body), border=0, inner=body)])
    cells = bar_cells(host, part.totals, style, width)
    for cell, least in zip(reversed(cells), bars, strict=False):
        cell.height = max(cell.height, least)
    rows += [[cell] for cell in cells]
    if frame > part.frame:
        rows.append([Cell([], width, frame - part.frame, border=0)])
    frame = part.frame
    height = sum(_row_height(row) for row in rows)
    markup = (
        f'<<TABLE BORDER="1" STYLE="ROUNDED" COLOR="{theme.border}" BGCOLOR="{theme.fill("host")}" '
        f'CELLBORDER="0" CELLSPACING="0" CELLPADDING="{frame - 1}"><TR><TD>'
        f"{render_table(rows, theme.border)}</TD></TR></TABLE>>"
    )
    size = Label(markup, width + 2 * frame, height + 2 * frame)
    return _Node(f"host_{host.id}", size, f"host-{host.id}", rows=rows, frame=frame)


def _bands(part: _Host, plan: HostPlan, width: int) -> list[list[Cell]]:
    """Return the host's bands of VMs as table rows ``width`` wide, a shelf of the hypervisor
    under each band that wraps."""
    theme = part.style.theme
    body: list[list[Cell]] = []
    for number, band in enumerate(plan.bands):
        if number:
            lines = shelf_lines(part.host, part.style, width)
            shelf = plan.shelf - part.passage
            body.append([Cell(lines, width, shelf, theme.fill("hypervisor"))])
            if part.passage:
                body.append([Cell([], width, part.passage, border=0)])
        # Each band a table of its own: bands of different VM counts keep their own columns.
        rows_of_band = band.rows(width)
        height = sum(_row_height(row) for row in rows_of_band)
        body.append([Cell([], width, height, border=0, inner=rows_of_band)])
    return body


def _mixed_body(part: _Host, plan: HostPlan) -> list[Cell]:
    """Return a mixed host's body as one row: its VMs on the hypervisor's bar, a gap, its
    containers on the engine's bar; each side stands on the host OS (room above the shorter)."""
    host, style = part.host, part.style
    height = plan.height
    assert plan.grid is not None
    sides = []
    for width, side, contents, bar in (
        (plan.split, plan.sides[0], _bands(part, plan, plan.split), hypervisor_bar),
        (
            plan.beside,
            plan.sides[1],
            plan.grid.table(plan.rows, plan.beside, style.theme.fill("container")),
            engine_bar,
        ),
    ):
        cell = bar(host, style, width)
        cell.height = side - sum(_row_height(row) for row in contents)
        inner = [*contents, [cell]]
        if height > side:
            inner.insert(0, [Cell([], width, height - side, border=0)])
        sides.append(Cell([], width, height, border=0, inner=inner))
    gap = Cell([], MIXED_GAP, height, border=0)
    return [sides[0], gap, sides[1]]


def _row_height(row: list[Cell]) -> int:
    """Return a table row's height: as tall as its shortest single-row cell."""
    return min(cell.height for cell in row if cell.rowspan == 1)


def _bar_heights(parts: dict[str, _Host], row: Row) -> list[int]:
    """Return the height of each bar of a row of hosts, bottom first: the tallest of each, so
    the bars of hosts side by side are level and can be compared bar for bar."""
    heights: list[int] = []
    for plan in row.plans:
        part = parts[plan.host.id]
        cells = bar_cells(part.host, part.totals, part.style, plan.width)
        for index, cell in enumerate(reversed(cells)):
            if index < len(heights):
                heights[index] = max(heights[index], cell.height)
            else:
                heights.append(cell.height)
    return heights


def _place(rows: list[list[_Node]], panel: _Node, beside: bool) -> None:
    """Place the rows of hosts on their baselines, and the panel beside them or below."""
    top = 0.0
    right = 0.0
    for row in rows:
        height = max(node.label.height for node in row)
        x = 0.0
        for node in row:
            node.x, node.y = x, top + height - node.label.height  # bottoms level
            x += node.label.width + HOST_GAP
        right = max(right, x - HOST_GAP)
        top += height + HOST_GAP
    if beside:
        panel.x, panel.y = right + HOST_GAP, 0.0
    else:
        panel.x, panel.y = 0.0, top


def _pos(node: _Node, bottom: float) -> str:
    """Return a node's pinned centre in Graphviz's coordinates (points, y upwards)."""
    x = node.x + node.label.width / 2
    y = bottom - (node.y + node.label.height / 2)
    return f"{x:g},{y:g}!"


#: Room between the picture and its footer (points).
FOOTER_GAP = 8


class Marking(Struct, frozen=True):
    """What a diff marks on the picture: each component's state (``added``, ``removed``,
    ``changed``) and the lines it writes on it."""

    states: dict[str, str] = {}
    changes: dict[str, tuple[str, ...]] = {}


def to_dot(
    spec: Spec,
    totals: Totals,
    theme: Theme,
    panel: Callable[[dict[int, str]], Label] | None = None,
    width: int = DEFAULT_WIDTH,
    marking: Marking | None = None,
    footer: str | None = None,
) -> str:
    """Return the DOT source of the picture, at most ``width`` points wide where it can be.

    ``panel`` makes the panel that replaces the totals panel, as ``diagramgen compare``
    does, from the links the picture shows by number; ``marking`` is what ``diagramgen diff``
    marks on the components; ``footer`` is a line written under the picture (where it
    came from).
    """
    import graphviz  # type: ignore[import-untyped]

    page = _Page(spec, totals, theme, panel, width, marking or Marking())
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
    if footer:
        # Under everything, at the left: the page grows down by its line.
        text = html_text(footer)
        size = text_width(footer, DETAIL_SIZE)
        height = line_height(DETAIL_SIZE)
        graph.node(
            "footer",
            label=f'<<FONT POINT-SIZE="{DETAIL_SIZE:g}">{text}</FONT>>',
            id="footer",
            pos=f"{size / 2:g},{-(FOOTER_GAP + height / 2):g}!",
        )
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
    # Links are drawn along the routes found through the gaps of the page, each labelled on
    # its own line where the label fits (else numbered there, and listed in the panel); a
    # line leaves a gap where another crosses it.
    cuts = crossing_cuts(page.routes)
    # Labelled links last: no line is drawn over a label (a bundle's siblings run along it).
    for found in sorted(page.routes, key=lambda found: (found.number in page.labels, found.number)):
        link = spec.links[found.number - 1]
        pos = _spline(found, bottom, cuts.get(found.number, ()))
        attributes = {"id": f"link-{found.number}", "pos": pos}
        placed = page.labels.get(found.number)
        if placed is not None:
            attributes["label"] = _label_markup(placed, page.ground(placed))
            attributes["lp"] = f"{placed.x:g},{bottom - placed.y:g}"
        graph.edge(
            f"host_{page.owners[link.source]}", f"host_{page.owners[link.target]}", **attributes
        )
    source: str = graph.source
    return source


class _Page:
    """The placed page: the hosts' nodes and the panel's, the links' routes and labels."""

    def __init__(
        self,
        spec: Spec,
        totals: Totals,
        theme: Theme,
        panel: Callable[[dict[int, str]], Label] | None,
        width: int,
        marking: Marking,
    ) -> None:
        self.marking = marking
        self.budget = max(MIN_WIDTH, width) - 2 * PAD
        self.owners = {component.id: host.id for host, component in spec.components()}
        self.grids = {host.id for host in spec.hosts if host.containers}
        self.spec, self.totals, self.theme = spec, totals, theme
        self.given_panel = panel
        # The links the picture shows by number (ON_LINE: a label that fits nowhere; IN_CELLS:
        # no line), found by laying the page out and routing: each pass lays out again with
        # what the last one found (marks in cells, lines in the panel) until nothing changes.
        numbered: dict[int, str] = {}
        for _ in range(PASSES):
            self._lay_out(numbered)
            found = self._route()
            if found == numbered:
                break
            numbered = found
        #: The links shown by number, and how: the panel lists them.
        self.numbered = numbered

    def _lay_out(self, numbered: dict[int, str]) -> None:
        """Lay the page out with the links ``numbered`` IN_CELLS marked in their cells."""
        spec = self.spec
        cells = {number for number, state in numbered.items() if state == IN_CELLS}
        drawn = _drawn(spec, cells)
        self.drawn, ends, self.bundles = drawn.links, drawn.ends, drawn.bundles
        self.numbered_in = numbered | {number: IN_CELLS for number in drawn.crowded}
        host_links: dict[str, int] = {}
        #: The links leaving each host (they run round it, through its frame).
        self.leaving: dict[str, int] = {}
        vms = {vm.id for host in spec.hosts for vm in host.vms}
        for _, link in self.drawn:
            hosts = dict.fromkeys((self.owners[link.source], self.owners[link.target]))
            for host in hosts:
                host_links[host] = host_links.get(host, 0) + 1
                # A container host's rows of items have no gaps between them, and a link
                # to a VM comes round to its side: those run round the layers too.
                inside = host in self.grids or link.source in vms or link.target in vms
                if len(hosts) > 1 or inside:
                    self.leaving[host] = self.leaving.get(host, 0) + 1
        marked = [n for n, state in self.numbered_in.items() if state in (IN_CELLS, MARKED)]
        style = Style(
            self.theme,
            self.budget,
            link_marks(spec, marked),
            ends,
            host_links,
            states=self.marking.states,
            changes=self.marking.changes,
        )
        self.parts = [_Host(host, self.totals, style, self.leaving) for host in spec.hosts]
        #: A free column at the left of the page, for links between hosts rows apart.
        self.gutter = 0
        self._arrange(self.budget)
        # Links between bands of VMs of one host go round the shelves, through its frame:
        # a frame too narrow for them all is widened, and the page arranged again.
        widened = False
        for part in self.parts:
            crossing = self._between_bands(part)
            if crossing:
                links = self.leaving.get(part.host.id, 0) + crossing
                frame = _frame(links, ends.get(part.host.id, 0))
                part.passage = corridor(crossing, FRAME_TRACKS, CLEAR)
                part.frame, widened = max(frame, part.frame), True
        if widened:
            self._arrange(self.budget)
        self._place()
        skipping = self._skipping()
        if skipping:
            self.gutter = corridor(skipping, FRAME_TRACKS)
            self._arrange(self.budget - self.gutter)
            self._place()
            for node in [*self.hosts, self.panel]:
                node.x += self.gutter
        self.bottom = max(node.rect.bottom for node in [*self.hosts, self.panel])

    def _route(self) -> dict[int, str]:
        """Route the drawn links and place their labels; return the links to number."""
        links = [
            Link(number, f"c-{link.source}", f"c-{link.target}", *self.bundles.get(number, ()))
            for number, link in self.drawn
        ]
        board = self.board()
        #: The routes of the links drawn, and the labels on them.
        self.routes = route(board, links) if links else []
        routed = {found.number for found in self.routes}
        members: dict[int, list[int]] = {}
        for number, (bundle, _) in sorted(self.bundles.items()):
            if number in routed:
                members.setdefault(bundle, []).append(number)
        texts: dict[int, str] = {}
        groups: dict[int, int] = {}
        for found in self.routes:
            label = self.spec.links[found.number - 1].label or ""
            bundle = self.bundles.get(found.number, (0, ""))[0]
            together = members.get(bundle, [])
            groups[found.number] = bundle if len(together) > 1 else found.number
            if len(together) > 1:
                # A bundle's label is written once, on its trunk, with the count.
                if found.number == together[0] and label:
                    texts[found.number] = f"{label} \N{MULTIPLICATION SIGN} {len(together)}"
            elif label:
                texts[found.number] = label
        self.labels = place_labels(board, self.routes, texts, {n: n for n in texts}, groups)
        numbered = {n: s for n, s in self.numbered_in.items() if s in (IN_CELLS, MARKED)}
        for number, _ in self.drawn:
            if number not in routed:
                numbered[number] = IN_CELLS
            elif number in texts and number not in self.labels and number not in numbered:
                numbered[number] = MARKED  # not even its number fits on its line
            elif (
                number in texts
                and number not in numbered
                and (self.labels[number].text != texts[number])
            ):
                numbered[number] = ON_LINE
        return numbered

    def _panel(self, room: int | None, columns: int = 1) -> _Node:
        numbered = self.numbered_in
        if self.given_panel is not None:
            return _Node("totals", self.given_panel(numbered), "totals")
        label = panel_label(
            self.spec, self.totals, self.theme, room=room, numbered=numbered, columns=columns
        )
        return _Node("totals", label, "totals")

    def _rows(self, budget: int) -> list[Row]:
        shares = SHARES if len(self.parts) > 1 else (1.0,)
        return plan_rows([part.candidate(budget, shares) for part in self.parts], budget)

    def _height(self, rows: list[Row]) -> int:
        """Return the height the rows of hosts take, titles, bars and frames included."""
        parts = {part.host.id: part for part in self.parts}
        total = HOST_GAP * (len(rows) - 1)
        for row in rows:
            bars = sum(_bar_heights(parts, row))
            thickest = max(row.frames)
            total += max(
                plan.height + frame + _title_height(parts[plan.host.id], plan.width)
                for plan, frame in zip(row.plans, row.frames, strict=True)
            )
            total += bars + thickest
        return total

    def _arrange(self, budget: int) -> None:
        """Arrange the page in ``budget`` points: the hosts in rows, the panel beside them or
        below (in as many columns as the width holds), whichever is lower."""
        # The panel below the hosts, in as many columns as hold its figures on one line.
        columns = panel_columns(self.spec, self.totals, budget) if self.given_panel is None else 1
        below = self._panel(budget, columns)
        rows_below = self._rows(budget)
        hosts_below = self._height(rows_below)
        height_below = hosts_below + HOST_GAP + below.label.height
        # The panel beside them, in one column.
        beside = self._panel(min(budget // 2, PANEL_ROOM))
        room = budget - beside.label.width - HOST_GAP
        # Hosts in less room are no lower: when even that bound loses, beside is not tried.
        panel = beside.label
        blank = panel.width * max(0, hosts_below - panel.height) / budget
        bound = max(hosts_below, panel.height) + blank
        rows_beside = self._rows(room) if room > 0 and bound <= height_below else None
        fits = rows_beside is not None and all(row.width <= room for row in rows_beside)
        if fits and rows_beside is not None:
            hosts = self._height(rows_beside)
            # A panel beside hosts taller than it leaves a blank below it: counted as if
            # the page were taller by as much, so a short panel goes below in columns.
            blank = beside.label.width * abs(hosts - beside.label.height) / budget
            height_beside = max(hosts, beside.label.height) + blank
        if fits and rows_beside is not None and height_beside <= height_below:
            rows, self.panel, room, placed_beside = rows_beside, beside, room, True
        else:
            rows, self.panel, room, placed_beside = rows_below, below, budget, False
        wraps = len(rows) > 1 or any(plan.wraps for row in rows for plan in row.plans)
        if wraps or not placed_beside:
            rows = fill(rows, room)
        #: The plan each host is drawn at.
        self.plans = {plan.host.id: plan for row in rows for plan in row.plans}
        self._rows_drawn, self._beside = rows, placed_beside

    def _place(self) -> None:
        """Draw the hosts at their plans and place them, and the panel."""
        parts = {part.host.id: part for part in self.parts}
        nodes = []
        for row in self._rows_drawn:
            bars = _bar_heights(parts, row)
            thickest = max(row.frames)
            nodes.append(
                [_host_node(parts[plan.host.id], plan, bars, thickest) for plan in row.plans]
            )
        self.hosts = [node for row in nodes for node in row]
        _place(nodes, self.panel, self._beside)

    def _between_bands(self, part: _Host) -> int:
        """Return how many drawn links join components in different bands of VMs of a host."""
        plan = self.plans.get(part.host.id)
        if plan is None or len(plan.bands) < 2:
            return 0
        band_of: dict[str, int] = {}
        for number, band in enumerate(plan.bands):
            for column in band.columns:
                band_of[column.vm.id] = number
                for item in column.vm.workloads():
                    band_of[item.id] = number
        return sum(
            link.source in band_of
            and link.target in band_of
            and band_of[link.source] != band_of[link.target]
            for _, link in self.drawn
        )

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

    def ground(self, placed: Placed) -> str:
        """Return the colour under a label: its host's, or the page's."""
        for node in self.hosts:
            if node.rect.grown(-1).encloses_point(placed.x, placed.y):
                return self.theme.fill("host")
        return self.theme.background


def _title_height(part: _Host, width: int) -> int:
    return lines_height(host_title(part.host, part.totals, part.style, width))


def geometry(spec: Spec, totals: Totals, theme: Theme, width: int = DEFAULT_WIDTH) -> Board:
    """Return what the router sees of the page: every box, free area and linked cell.

    Points from the top-left corner of the hosts, ``y`` downwards; Graphviz's coordinates
    (and the SVG's, before its transform) are ``x`` and ``y - bottom`` of the page.
    """
    return _Page(spec, totals, theme, None, width, Marking()).board()


class Block(Struct, frozen=True):
    """A node as placed: its id (``host-ID``, ``totals``), rectangle and label, and a host's
    table rows inside its frame (``frame`` points thick)."""

    ident: str
    rect: Rect
    label: Label
    rows: list[list[Cell]]
    frame: int


class Placement(Struct, frozen=True):
    """The placed page, for an output drawn from it rather than from the DOT (draw.io): the
    hosts' blocks, then the panel's; the links' routes, their labels and the colour under
    each; the links shown by number. Page points as :func:`geometry`'s."""

    blocks: list[Block]
    routes: list[Route]
    labels: dict[int, Placed]
    grounds: dict[int, str]
    numbered: dict[int, str]
    bottom: float


def placement(
    spec: Spec,
    totals: Totals,
    theme: Theme,
    panel: Callable[[dict[int, str]], Label] | None = None,
    width: int = DEFAULT_WIDTH,
    marking: Marking | None = None,
) -> Placement:
    """Return the page :func:`to_dot` draws from the same arguments, as placed."""
    page = _Page(spec, totals, theme, panel, width, marking or Marking())
    blocks = [
        Block(node.ident, node.rect, node.label, node.rows, node.frame)
        for node in [*page.hosts, page.panel]
    ]
    grounds = {number: page.ground(placed) for number, placed in page.labels.items()}
    return Placement(blocks, page.routes, page.labels, grounds, page.numbered, page.bottom)


def _title_lines(title: str, room: float) -> list[str]:
    """Return the title on as many lines as ``room`` points need (a title is never cut;
    the spec's limits keep it short)."""
    lines: list[str] = []
    rest = title
    while rest:
        first, *more = wrap(rest, TITLE_SIZE, room, bold=True, lines=2)
        lines.append(first)
        rest = more[0] if more else ""
    return lines


class _Drawn(Struct):
    """The links to draw: by number, with the bundle each is in and its shared end; how many
    ends each component has; and the links a crowded component leaves out."""

    links: list[tuple[int, SpecLink]]
    bundles: dict[int, tuple[int, str]]
    ends: dict[str, int]
    crowded: set[int]


def _drawn(spec: Spec, cells: set[int]) -> _Drawn:
    """Return the links to draw.

    Links with one target and one label (fan-in), or else one source and one label
    (fan-out), form a bundle: one port and one trunk at their shared end. The links numbered
    ``cells`` (no line could be drawn for them) are not drawn; a component has at most
    MOST_ENDS ends drawn (a bundle's shared end counts once): the others at a busy
    component are numbered in its cell.
    """
    wanted = [(n, link) for n, link in enumerate(spec.links, start=1) if n not in cells]
    bundles: dict[int, tuple[int, str]] = {}
    for shared in ("target", "source"):
        groups: dict[tuple[str, str], list[int]] = {}
        for number, link in wanted:
            if number not in bundles:
                end = link.target if shared == "target" else link.source
                groups.setdefault((end, link.label or ""), []).append(number)
        for members in groups.values():
            if len(members) > 1:
                for number in members:
                    bundles[number] = (members[0], shared)
    drawn = []
    ends: dict[str, int] = {}
    crowded = set()
    counted: set[tuple[int, str]] = set()
    for number, link in wanted:
        bundle, shared = bundles.get(number, (0, ""))
        mine = [(link.source, "source"), (link.target, "target")]
        new = [
            component
            for component, role in mine
            if not (bundle and role == shared and (bundle, role) in counted)
        ]
        if any(ends.get(component, 0) >= MOST_ENDS for component in new):
            if number <= MAX_LINKS:
                crowded.add(number)
            continue
        drawn.append((number, link))
        for component in new:
            ends[component] = ends.get(component, 0) + 1
        if bundle:
            counted.add((bundle, shared))
    kept = {number for number, _ in drawn}
    bundles = {n: b for n, b in bundles.items() if n in kept and b[0] in kept}
    return _Drawn(drawn, bundles, ends, crowded)


def _board(hosts: list[_Node], panel: _Node, owners: dict[str, str], gutter: float) -> Board:
    """Return what the router needs to know of the placed page."""
    boxes, free = [panel.rect], []
    cells: dict[str, Rect] = {}
    spans: dict[str, tuple[float, float]] = {}
    sides: list[str] = []
    for node in hosts:
        inset = node.frame
        host_fill = node.rows[0][0].fill  # the title cell is in the host's own colour
        for cell, rect in table_cells(node.rows, node.x + inset, node.y + inset):
            target = cell.ident if cell.target is None else cell.target
            if target:  # links end on its top edge, or a side
                cells[target] = rect
                if cell.side:
                    sides.append(target)
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
        sides=frozenset(sides),
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


def _label_markup(placed: Placed, ground: str) -> str:
    """Return a label's HTML: its text on a knock-out of the ground it stands on, exactly the
    size the labels were placed at."""
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0" BGCOLOR="{ground}">'
        f'<TR><TD WIDTH="{placed.width:g}" HEIGHT="{placed.height:g}" FIXEDSIZE="TRUE">'
        f'<FONT POINT-SIZE="{LABEL_SIZE:g}">{html_text(placed.text)}</FONT></TD></TR></TABLE>>'
    )


#: Half the gap a line leaves where another crosses it (points): a crossing does not read
#: as a junction.
GAP = 3.0


def crossing_cuts(routes: list[Route]) -> dict[int, list[tuple[float, float]]]:
    """Return, for each route, the points where it leaves a gap: where a horizontal piece of
    another route crosses one of its vertical pieces (the horizontal line runs on)."""
    horizontal = [
        (found.number, y1, min(x1, x2), max(x1, x2))
        for found in routes
        for (x1, y1), (x2, y2) in pairwise(found.points)
        if y1 == y2 and x1 != x2
    ]
    cuts: dict[int, list[tuple[float, float]]] = {}
    for found in routes:
        for (x1, y1), (x2, y2) in pairwise(found.points):
            if x1 != x2 or y1 == y2:
                continue
            low, high = min(y1, y2), max(y1, y2)
            for number, y, left, right in horizontal:
                inside = low + GAP < y < high - GAP and left + GAP < x1 < right - GAP
                if number != found.number and inside:
                    cuts.setdefault(found.number, []).append((x1, y))
    return cuts


def _spline(found: Route, bottom: float, cuts: Sequence[tuple[float, float]] = ()) -> str:
    """Return a route as a Graphviz edge ``pos``: straight cubic pieces, the arrow at the end.

    Graphviz's y grows upwards from the page's ``bottom``; the path stops an arrow's length
    short of the tip, which is the last point. Where another link crosses (``cuts``), the
    line stops short and goes on past it: one spline each side of every gap (Graphviz draws
    an edge of several splines as one).
    """
    points = [(x, bottom - y) for x, y in found.points]
    tip_x, tip_y = points[-1]
    # The last stretch comes straight onto the cell (down onto its top, or across onto a
    # side): it stops an arrow short of it.
    before_x, before_y = points[-2]
    if before_x == tip_x:
        points[-1] = (tip_x, tip_y + math.copysign(ARROW, before_y - tip_y))
    else:
        points[-1] = (tip_x + math.copysign(ARROW, before_x - tip_x), tip_y)
    gaps = {(x, bottom - y) for x, y in cuts}
    splines: list[list[tuple[float, float]]] = [[points[0]]]
    for before, after in pairwise(points):
        here = before
        crossed = sorted(
            (point for point in gaps if _between(point, before, after)),
            key=lambda point: math.dist(point, before),
        )
        for point in crossed:
            dx = math.copysign(GAP, after[0] - before[0]) if before[0] != after[0] else 0.0
            dy = math.copysign(GAP, after[1] - before[1]) if before[1] != after[1] else 0.0
            stop, go = (point[0] - dx, point[1] - dy), (point[0] + dx, point[1] + dy)
            splines[-1] += [here, stop, stop]
            splines.append([go])
            here = go
        splines[-1] += [here, after, after]
    texts = [" ".join(f"{x:g},{y:g}" for x, y in spline) for spline in splines]
    texts[-1] = f"e,{tip_x:g},{tip_y:g} {texts[-1]}"
    return ";".join(texts)


def _between(
    point: tuple[float, float], start: tuple[float, float], end: tuple[float, float]
) -> bool:
    """Return whether ``point`` lies on the straight piece from ``start`` to ``end``."""
    (x, y), (x1, y1), (x2, y2) = point, start, end
    if x1 == x2:
        return x == x1 and min(y1, y2) < y < max(y1, y2)
    return y == y1 and min(x1, x2) < x < max(x1, x2)
