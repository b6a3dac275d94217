"""Model + totals + theme + width → DOT: hosts placed by us, the totals panel, the links.

Each host is one HTML-like table built by :mod:`diagramgen.draw.stacks` with exact cell sizes,
so the size of every node is known before Graphviz sees it. The page is placed here: hosts
flow left to right in spec order and wrap into rows to stay inside the width budget, the hosts
of a row stand on one baseline (their infrastructure bars level, each host its own height),
and the panel goes beside the last row when it fits, else below. Graphviz draws what it is
given (the ``nop2`` layout: pinned positions). Same inputs, same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

from msgspec import Struct

from ..accounting.compute import Totals
from ..escape import html_text
from ..spec.model import Host, Spec
from .cells import FONT, Cell, Label, lines_height, render_table, wrap
from .panel import panel_label
from .stacks import (
    DETAIL_SIZE,
    Style,
    component_cell,
    container_block,
    host_bars,
    host_title,
    host_tooltip,
    link_marks,
    vm_block,
)
from .themes import Theme

__all__ = ["DEFAULT_WIDTH", "MIN_WIDTH", "PAD", "to_dot"]

#: The width budget by default: a blog or docs column, in CSS px (1 pt of the SVG = 1 px).
DEFAULT_WIDTH = 760
#: The narrowest budget honoured: one item column and a VM column still fit.
MIN_WIDTH = 240
#: The page margin around the picture (points, each side).
PAD = 8
#: Room between hosts, and between rows of hosts and the panel (points).
HOST_GAP = 16
#: A host's frame: a 1-point border and 8 points of padding on each side.
FRAME = 9
TITLE_SIZE = 17.0
SLACK = 4


class _Node(Struct):
    """A node of the page: its label, size, and the top-left corner we place it at."""

    name: str
    label: Label
    ident: str
    x: float = 0
    y: float = 0


def _host_label(host: Host, totals: Totals, style: Style) -> Label:
    """Return the label of a host: its title above its layers, in a rounded frame."""
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
    inner = render_table([[title_cell], *block.rows], theme.border)
    markup = (
        f'<<TABLE BORDER="1" STYLE="ROUNDED" COLOR="{theme.border}" BGCOLOR="{theme.fill("host")}" '
        f'CELLBORDER="0" CELLSPACING="0" CELLPADDING="8"><TR><TD>{inner}</TD></TR></TABLE>>'
    )
    return Label(markup, block.width + 2 * FRAME, block.height + title_cell.height + 2 * FRAME)


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

    budget = max(MIN_WIDTH, width) - 2 * PAD

    # A few points of slack: Graphviz measures text with hinted widths, a little wider than
    # ours (ENGINE-NOTES), and grows a cell whose text it finds too wide.
    style = Style(theme, budget - 2 * FRAME - SLACK, link_marks(spec))
    graph = graphviz.Digraph(
        "diagramgen",
        graph_attr={
            "bgcolor": theme.background,
            "fontname": FONT,
            "fontcolor": theme.text,
            "pad": f"{PAD / 72:.4f}",
            "margin": "0",  # no page margin in PDF: the page is the picture's own size
            "labelloc": "t",
            "splines": "true",
        },
        # Detail lines are drawn in the nodes' own font: see cells.Line.plain.
        node_attr={
            "shape": "plain",
            "fontname": FONT,
            "fontsize": f"{DETAIL_SIZE:g}",
            "fontcolor": theme.detail,
        },
        edge_attr={
            "fontname": FONT,
            "fontsize": f"{DETAIL_SIZE:g}",
            "color": theme.link,
            "fontcolor": theme.link,
            "arrowsize": "0.7",
            "penwidth": "1.2",
        },
    )
    if spec.title:
        lines = wrap(spec.title, TITLE_SIZE, budget, bold=True)
        text = "<BR/>".join(f"<B>{html_text(line)}</B>" for line in lines)
        graph.attr(label=f'<<FONT POINT-SIZE="{TITLE_SIZE:g}">{text}</FONT><BR/> >')
    hosts = [
        _Node(f"host_{host.id}", _host_label(host, totals, style), f"host-{host.id}")
        for host in spec.hosts
    ]
    totals_node = _Node("totals", panel or panel_label(spec, totals, theme), "totals")
    _place(hosts, totals_node, budget)
    bottom = max(node.y + node.label.height for node in [*hosts, totals_node])
    for node in [*hosts, totals_node]:
        graph.node(node.name, label=node.label.markup, id=node.ident, pos=_pos(node, bottom))
    # Links are numbered on their components and listed by number in the panel (see
    # stacks.link_marks): no edge is drawn across the layers.
    source: str = graph.source
    return source
