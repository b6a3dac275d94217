"""Model + totals + theme → DOT: the host tables side by side, the totals panel, the links.

Each host is one HTML-like table built by :mod:`diagramgen.stacks` with exact cell sizes; here
they are padded to one height so they stand on one line, put in one rank in spec order, and
joined by links that arc over them (each through a point above the hosts, so no edge is a
self-loop and no stack is crossed). Same inputs, same bytes.
"""

from __future__ import annotations

import itertools

from ..escape import html_text
from ..spec.model import Host, Spec
from ..totals.compute import Totals
from .cells import FONT, Cell, Line, lines_height, render_table
from .panel import panel_label
from .stacks import (
    DETAIL_SIZE,
    Block,
    Style,
    component_cell,
    container_block,
    host_bars,
    host_title,
    host_tooltip,
    vm_block,
)
from .themes import Theme

__all__ = ["to_dot"]


def _host_blocks(spec: Spec, totals: Totals, style: Style) -> list[tuple[Host, Block, list[Line]]]:
    blocks = []
    for host in spec.hosts:
        bars = host_bars(host, totals, style)
        block = (
            container_block(host, style, bars)
            if host.stack == "container"
            else vm_block(host, totals, style, bars)
        )
        blocks.append((host, block, host_title(host, totals, style)))
    return blocks


def _host_label(
    block: Block, title: list[Line], height: int, host: Host, theme: Theme, totals: Totals
) -> str:
    """Return the HTML label of a host: its title, a spacer to ``height``, then its layers."""
    span = block.rows[-1][0].colspan  # the infrastructure bar spans the whole table
    title_cell = Cell(
        title,
        block.width,
        lines_height(title),
        theme.fill("host"),
        border=0,
        colspan=span,
        port=host.id,
        **component_cell(host, host_tooltip(host, totals)),
    )
    rows = [block.rows[0], [title_cell]]  # the first anchors sit on top, where links arrive
    spare = height - block.height
    if spare > 0:
        rows.append([Cell([], block.width, spare, border=0, colspan=span)])
    inner = render_table(rows + block.rows[1:], theme.border)
    return (
        f'<<TABLE BORDER="1" STYLE="ROUNDED" COLOR="{theme.border}" BGCOLOR="{theme.fill("host")}" '
        f'CELLBORDER="0" CELLSPACING="0" CELLPADDING="8"><TR><TD>{inner}</TD></TR></TABLE>>'
    )


def to_dot(spec: Spec, totals: Totals, theme: Theme, panel: str | None = None) -> str:
    """Return the DOT source of the picture: same inputs, same bytes.

    ``panel`` replaces the totals panel (an HTML label), as ``diagramgen compare`` does.
    """
    import graphviz  # type: ignore[import-untyped]

    linked = frozenset(end for link in spec.links for end in (link.source, link.target))
    style = Style(theme, linked)
    graph = graphviz.Digraph(
        "diagramgen",
        graph_attr={
            "bgcolor": theme.background,
            "fontname": FONT,
            "fontcolor": theme.text,
            "pad": "0.25",
            "nodesep": "0.45",
            "ranksep": "0.5",
            "labelloc": "t",
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
            "fontsize": "8",
            "color": theme.link,
            "fontcolor": theme.link,
            "arrowsize": "0.7",
            "penwidth": "1.2",
        },
    )
    if spec.title:
        graph.attr(label=f'<<FONT POINT-SIZE="17"><B>{html_text(spec.title)}</B></FONT><BR/> >')
    blocks = _host_blocks(spec, totals, style)
    height = max(block.height for _, block, _ in blocks)
    names = []
    for host, block, title in blocks:
        name = f"host_{host.id}"
        names.append(name)
        graph.node(
            name, label=_host_label(block, title, height, host, theme, totals), id=f"host-{host.id}"
        )
    graph.node("totals", label=panel or panel_label(spec, totals, theme), id="totals")
    names.append("totals")
    with graph.subgraph(name="hosts") as row:
        row.attr(rank="same")
        for tail, head in itertools.pairwise(names):
            row.edge(tail, head, style="invis", weight="100")
    hosts = {component.id: host.id for host, component in spec.components()}
    for index, link in enumerate(spec.links):
        # Each link goes up from its source to a point above the hosts and down to its target,
        # so no edge is a self-loop (dot routes those around the side of the table) and no
        # stack is crossed. The point carries the label as an xlabel, which never moves a node.
        # (The totals panel lists every link by name: crossing arcs are hard to follow.)
        apex = f"link_{index}"
        attributes = {"shape": "point", "width": "0.03", "color": theme.link}
        if link.label:
            attributes["fontcolor"] = theme.link
            attributes["xlabel"] = f'<<FONT POINT-SIZE="8">{html_text(link.label)}</FONT>>'
        graph.node(apex, **attributes)
        graph.edge(apex, f"host_{hosts[link.source]}:{link.source}:n", arrowhead="none")
        graph.edge(apex, f"host_{hosts[link.target]}:{link.target}:n")
    source: str = graph.source
    return source
