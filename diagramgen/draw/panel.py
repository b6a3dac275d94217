"""The totals panel drawn beside the hosts: counts, OS copies, image disk, totals, warnings."""

from __future__ import annotations

import math

from ..accounting.compute import Totals
from ..accounting.figures import RESOURCES, Figures
from ..accounting.report import not_given
from ..spec.model import Resources, Spec, display_name
from .cells import BORDERS, HINTING, Cell, Label, Line, line_height, render_table, text_room, wrap
from .metrics import text_width
from .themes import Theme
from .wording import MAX_LINKS, join_figures

__all__ = [
    "FRAME",
    "IN_CELLS",
    "MARKED",
    "MAX_WARNINGS",
    "NOT_GIVEN",
    "ON_LINE",
    "compact_height",
    "compact_width",
    "framed",
    "link_lines",
    "panel_columns",
    "panel_label",
]

#: Warnings listed in the picture; the rest are counted ("… and 4 more").
MAX_WARNINGS = 8
SIZE = 9.0
SYMBOLS = {
    "cpu-overcommit": "▲",
    "memory-overcommit": "▲",
    "disk-overcommit": "▲",
    "vm-overflow": "▲",
    "unbounded-container": "⚠",
}


def _figures(figures: Figures) -> str:
    """Return "1 vCPU · ≥2 GiB · 40 GiB"; a figure nothing is known about is left out."""
    sums = [(key, figures.get(key)) for key in RESOURCES]
    return join_figures([(key, s.label(key)) for key, s in sums if s.known is not None], RESOURCES)


def _copies(count: int, overhead: Figures) -> str:
    """Return "2: mem 1 GiB · disk 8 GiB", or "2" when nothing is known of what they use."""
    figures = _figures(overhead)
    return f"{count}: {figures}" if figures else str(count)


def _capacity(resources: list[Resources]) -> str:
    sums = Figures()
    for each in resources:
        sums = sums + Figures.of(each)
    return _figures(sums)


#: What the panel says of a link that is numbered on the picture but has no line (more
#: links end at one of its components than its lane holds).
NUMBERED_ONLY = "(no line)"
#: What the panels say of a figure no spec gives (never a "?").
NOT_GIVEN = "not given"
#: What the panel's frame adds to its table on each side: a 1-point border and 6 of padding.
FRAME = 7
#: The narrowest the values' column gets when the panel is held to a width.
MIN_VALUE = 80
#: Room around a line of the panel's text, counted into its cell's size (the cells are drawn
#: without padding): a point each side across, half a point above and below (the pitch is
#: 1.44 times the text size, a compact table's).
PANEL_PAD = 1
#: The key to the figures, in plain words.
KEY = "cpu · memory · disk   ≥ at least: a figure is not given"
#: Between the columns of a panel set in several (points).
COLUMN_GAP = 12


def compact_height(lines: list[Line]) -> int:
    """Return the height of a panel row holding ``lines``: the text and half a point above
    and below."""
    return math.ceil(sum(line_height(line.size) for line in lines) + PANEL_PAD)


def compact_width(lines: list[Line]) -> int:
    """Return the width a panel cell needs to show ``lines`` unshortened."""
    widest = max((line.width() for line in lines), default=0)
    return math.ceil(widest * HINTING + 2 * PANEL_PAD + BORDERS)


def framed(rows: list[list[Cell]], width: int, theme: Theme) -> Label:
    """Return a panel's rows in its frame, with the size Graphviz draws it at."""
    fill = theme.fill("panel")
    height = sum(max(cell.height for cell in row if cell.rowspan == 1) for row in rows)
    markup = (
        f'<<TABLE BORDER="1" COLOR="{theme.border}" BGCOLOR="{fill}" CELLBORDER="0" '
        f'CELLSPACING="0" CELLPADDING="6"><TR><TD>'
        f"{render_table(rows, theme.border, 0)}</TD></TR></TABLE>>"
    )
    return Label(markup, width + 2 * FRAME, height + 2 * FRAME)


def panel_label(
    spec: Spec,
    totals: Totals,
    theme: Theme,
    links: bool = True,
    room: int | None = None,
    numbered: dict[int, str] | None = None,
    columns: int = 1,
) -> Label:
    """Return the HTML label of the totals panel, at most ``room`` points wide if given, its
    figures in ``columns`` columns side by side: a value or a note too long for its column
    wraps onto further lines (shortened only on a third).

    ``numbered`` are the links the picture shows by number, and how (:func:`link_lines`).
    """

    def text(value: str, bold: bool = False, warn: bool = False, muted: bool = False) -> Line:
        colour = theme.warn if warn else theme.detail if muted else theme.text
        return Line(value, SIZE, colour, bold or warn)

    def wrapped(value: str, width: int, warn: bool = False, muted: bool = False) -> list[Line]:
        room = text_room(width, PANEL_PAD)
        return [text(part, warn=warn, muted=muted) for part in wrap(value, SIZE, room, warn)]

    pairs = _pairs(spec, totals)
    notes = (link_lines(spec, numbered or {}) if links else []) + _warning_lines(totals)
    label_width = max(compact_width([text(label)]) for label, _ in pairs)
    value_width = max(compact_width([text(value)]) for _, value in pairs)
    notes_width = max(
        compact_width([text(KEY)]), *(compact_width([text(note, warn=w)]) for note, w in notes)
    )
    per_column = math.ceil(len(pairs) / columns)
    chunks = [pairs[i : i + per_column] for i in range(0, len(pairs), per_column)]
    columns = len(chunks)
    gaps = COLUMN_GAP * (columns - 1)
    width = max(columns * (label_width + value_width) + gaps, min(notes_width, room or notes_width))
    if room is not None:
        least = columns * (label_width + MIN_VALUE) + gaps
        width = max(least, min(width, room - 2 * FRAME))
    value_width = (width - gaps) // columns - label_width
    fill = theme.fill("panel")
    span = 3 * columns - 1
    title = [Line("Totals", SIZE + 2, theme.text, True)]
    rows = [
        [Cell(title, width, compact_height(title), fill, border=0, colspan=span, pad=PANEL_PAD)]
    ]
    for index in range(per_column):
        row: list[Cell] = []
        height = max(
            compact_height(wrapped(chunk[index][1], value_width))
            for chunk in chunks
            if index < len(chunk)
        )
        for number, chunk in enumerate(chunks):
            if number:
                row.append(Cell([], COLUMN_GAP, height, fill, border=0, pad=PANEL_PAD))
            if index < len(chunk):
                label, value = chunk[index]
                row += [
                    Cell(
                        [text(label)],
                        label_width,
                        height,
                        fill,
                        border=0,
                        align="LEFT",
                        pad=PANEL_PAD,
                    ),
                    Cell(
                        wrapped(value, value_width),
                        value_width,
                        height,
                        fill,
                        0,
                        align="LEFT",
                        pad=PANEL_PAD,
                    ),
                ]
            else:
                row.append(
                    Cell(
                        [],
                        label_width + value_width,
                        height,
                        fill,
                        border=0,
                        colspan=2,
                        pad=PANEL_PAD,
                    )
                )
        rows.append(row)

    def note(lines: list[Line]) -> list[Cell]:
        """Return a row of the panel's full width holding ``lines``."""
        height = compact_height(lines)
        return [Cell(lines, width, height, fill, 0, colspan=span, align="LEFT", pad=PANEL_PAD)]

    rows.append(note(wrapped(KEY, width, muted=True)))
    rows += [note(wrapped(text, width, warn)) for text, warn in notes]
    return framed(rows, width, theme)


def panel_columns(spec: Spec, totals: Totals, room: int, most: int = 3) -> int:
    """Return the most columns (up to ``most``) the panel's figures can be set in, side by
    side, within ``room`` points, each figure on one line."""
    pairs = _pairs(spec, totals)
    labels = max(compact_width([Line(label, SIZE, "")]) for label, _ in pairs)
    values = max(compact_width([Line(value, SIZE, "")]) for _, value in pairs)
    inside = room - 2 * FRAME
    for columns in range(most, 1, -1):
        if columns * (labels + values) + COLUMN_GAP * (columns - 1) <= inside:
            return columns
    return 1


def _pairs(spec: Spec, totals: Totals) -> list[tuple[str, str]]:
    """Return the panel's figures, each a label and a value."""
    diagram = totals.diagram
    pairs: list[tuple[str, str]] = [
        ("hosts · VMs", f"{diagram.hosts} · {diagram.vms}"),
        ("containers · apps", f"{diagram.containers} · {diagram.apps}"),
    ]
    if diagram.system_containers:
        pairs.append(("system containers", str(diagram.system_containers)))
    pairs.append(
        (
            "full OS copies" if diagram.userland_copies else "OS copies",
            _copies(diagram.os_copies, diagram.os_overhead),
        )
    )
    if len(spec.hosts) > 1:
        for host, host_totals in zip(spec.hosts, totals.hosts, strict=True):
            copies = _copies(host_totals.os_copies, host_totals.os_overhead)
            pairs.append((f"  on {host.name or host.id}", copies))
    if diagram.userland_copies:
        # The third case beside VMs' whole OS copies and containers' shared kernel.
        copies = _copies(diagram.userland_copies, diagram.userland_overhead)
        pairs.append(("userland copies", f"{copies} (no kernel)"))
    if diagram.stopped:
        pairs.append(("stopped", f"{diagram.stopped}: cores · memory not committed"))
    if diagram.containers and diagram.image_disk_unique.known is not None:
        unique = diagram.image_disk_unique.label("disk")
        naive = diagram.image_disk_naive.label("disk")
        pairs.append(("image disk", f"{unique} unique · {naive} naive"))
    # A figure the spec gives nowhere reads "not given", as in the comparison table.
    pairs += [
        ("committed", _figures(sum((h.committed for h in totals.hosts), Figures())) or NOT_GIVEN),
        ("capacity", _capacity([h.capacity for h in totals.hosts]) or NOT_GIVEN),
    ]
    return pairs


#: The widest a link's line in the panel may be (points): a long label goes on the lines
#: under it, indented, and is shortened only on the second of those.
LINE_ROOM = 330
LABEL_INDENT = "      "


#: How a link is numbered: its number written on its line (its label fits nowhere there);
#: in its components' cells, its line drawn (not even its number fits on it); or in its
#: cells with no line (none could be drawn for it).
ON_LINE, MARKED, IN_CELLS = "line", "marked", "cells"


def link_lines(spec: Spec, numbered: dict[int, str]) -> list[tuple[str, bool]]:
    """Return the panel's list of the links the picture shows by number: "3  api → db: TCP
    5432"; those ``numbered`` IN_CELLS (no line) say so. Links labelled on their lines are
    not listed."""
    if not numbered:
        return []
    names = {component.id: display_name(component) for _, component in spec.components()}
    lines = [("links by number:", False)]
    for number in sorted(numbered):
        link = spec.links[number - 1]
        # Names in full: a line too long for the panel wraps (shortened only on a third).
        text = f"{number}  {names[link.source]} → {names[link.target]}"
        if numbered[number] == IN_CELLS:
            text += f" {NUMBERED_ONLY}"
        whole = f"{text}: {link.label}" if link.label else text
        if text_width(whole, SIZE) <= LINE_ROOM:
            lines.append((whole, False))
            continue
        # A long label goes under its link, on up to two lines, before it is shortened.
        lines.append((f"{text}:", False))
        room = LINE_ROOM - text_width(LABEL_INDENT, SIZE)
        lines += [(LABEL_INDENT + part, False) for part in wrap(link.label or "", SIZE, room)]
    hidden = len(spec.links) - MAX_LINKS
    if hidden > 0 and any(state == IN_CELLS for state in numbered.values()):
        lines.append((f"… and {hidden} more links, not drawn", False))
    return lines


def _warning_lines(totals: Totals) -> list[tuple[str, bool]]:
    """Return the warning lines of the panel: (text, drawn as a warning)."""
    serious = [alert for alert in totals.warnings if alert.code in SYMBOLS]
    lines = [(f"{SYMBOLS[a.code]} {a.code}: {a.subject}", True) for a in serious[:MAX_WARNINGS]]
    if len(serious) > MAX_WARNINGS:
        lines.append((f"… and {len(serious) - MAX_WARNINGS} more (diagramgen totals)", True))
    if not serious:
        lines.append(("✓ no warnings", False))
    quiet = not_given(totals)  # information, not a risk: one line
    if quiet:
        lines.append((quiet, False))
    return lines
