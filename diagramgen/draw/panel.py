"""The totals panel drawn beside the hosts: counts, OS copies, image disk, totals, warnings."""

from __future__ import annotations

from ..accounting.compute import Totals
from ..accounting.figures import RESOURCES, Figures
from ..accounting.report import not_given
from ..spec.model import Resources, Spec, display_name
from .cells import Cell, Label, Line, lines_height, lines_width, render_table, text_room, wrap
from .metrics import fit, text_width
from .themes import Theme
from .wording import MAX_LINKS, join_figures

__all__ = ["FRAME", "MAX_WARNINGS", "NOT_GIVEN", "framed", "link_lines", "panel_label"]

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
NUMBERED_ONLY = "(numbered only)"
#: What the panels say of a figure no spec gives (never a "?").
NOT_GIVEN = "not given"
#: What the panel's frame adds to its table on each side: a 1-point border and 6 of padding.
FRAME = 7
#: The narrowest the values' column gets when the panel is held to a width.
MIN_VALUE = 80


def framed(rows: list[list[Cell]], width: int, theme: Theme) -> Label:
    """Return a panel's rows in its frame, with the size Graphviz draws it at."""
    fill = theme.fill("panel")
    height = sum(max(cell.height for cell in row) for row in rows)
    markup = (
        f'<<TABLE BORDER="1" COLOR="{theme.border}" BGCOLOR="{fill}" CELLBORDER="0" '
        f'CELLSPACING="0" CELLPADDING="6"><TR><TD>{render_table(rows, theme.border)}</TD></TR>'
        "</TABLE>>"
    )
    return Label(markup, width + 2 * FRAME, height + 2 * FRAME)


def panel_label(
    spec: Spec,
    totals: Totals,
    theme: Theme,
    links: bool = True,
    room: int | None = None,
    lineless: frozenset[int] = frozenset(),
) -> Label:
    """Return the HTML label of the totals panel, at most ``room`` points wide if given:
    a value or a note too long for it goes on a second line (shortened only there).

    ``lineless`` are the numbers of links the picture numbers but draws no line for.
    """

    def text(value: str, bold: bool = False, warn: bool = False) -> Line:
        colour = theme.warn if warn else theme.text
        return Line(value, SIZE, colour, bold or warn)

    def wrapped(value: str, width: float, warn: bool = False) -> list[Line]:
        return [text(part, warn=warn) for part in wrap(value, SIZE, text_room(width), warn)]

    diagram = totals.diagram
    pairs: list[tuple[str, str]] = [
        ("hosts · VMs", f"{diagram.hosts} · {diagram.vms}"),
        ("containers · apps", f"{diagram.containers} · {diagram.apps}"),
        ("OS copies", _copies(diagram.os_copies, diagram.os_overhead)),
    ]
    if len(spec.hosts) > 1:
        for host, host_totals in zip(spec.hosts, totals.hosts, strict=True):
            copies = _copies(host_totals.os_copies, host_totals.os_overhead)
            pairs.append((f"  on {host.name or host.id}", copies))
    if diagram.containers and diagram.image_disk_unique.known is not None:
        unique = diagram.image_disk_unique.label("disk")
        naive = diagram.image_disk_naive.label("disk")
        pairs.append(("image disk", f"{unique} unique · {naive} naive"))
    # A figure the spec gives nowhere reads "not given", as in the comparison table.
    pairs += [
        ("committed", _figures(sum((h.committed for h in totals.hosts), Figures())) or NOT_GIVEN),
        ("capacity", _capacity([h.capacity for h in totals.hosts]) or NOT_GIVEN),
    ]
    notes = (link_lines(spec, lineless) if links else []) + _warning_lines(totals)
    label_width = max(lines_width([text(label)]) for label, _ in pairs)
    value_width = max(lines_width([text(value)]) for _, value in pairs)
    legend = [Line("figures: cpu · memory · disk   ≥ at least", SIZE, theme.detail)]
    width = max(
        label_width + value_width,
        lines_width(legend),
        *(lines_width([text(note, warn=warn)]) for note, warn in notes),
    )
    if room is not None:
        width = max(label_width + MIN_VALUE, min(width, room - 2 * FRAME))
    value_width = width - label_width
    legend = [
        Line(part, SIZE, theme.detail) for part in wrap(legend[0].text, SIZE, text_room(width))
    ]
    fill = theme.fill("panel")
    title = [Line("Totals", SIZE + 2, theme.text, True)]
    rows = [[Cell(title, width, lines_height(title), fill, border=0, colspan=2)]]
    for label, value in pairs:
        values = wrapped(value, value_width)
        row_height = lines_height(values)
        rows.append(
            [
                Cell([text(label)], label_width, row_height, fill, border=0, align="LEFT"),
                Cell(values, value_width, row_height, fill, border=0, align="LEFT"),
            ]
        )
    rows.append(
        [Cell(legend, width, lines_height(legend), fill, border=0, colspan=2, align="LEFT")]
    )
    for note, warn in notes:
        lines = wrapped(note, width, warn)
        rows.append(
            [Cell(lines, width, lines_height(lines), fill, border=0, colspan=2, align="LEFT")]
        )
    return framed(rows, width, theme)


#: The widest a link's line in the panel may be (points): a long label goes on the lines
#: under it, indented, and is shortened only on the second of those.
LINE_ROOM = 330
LABEL_INDENT = "      "


def link_lines(spec: Spec, lineless: frozenset[int] = frozenset()) -> list[tuple[str, bool]]:
    """Return the panel's list of links by name: "api → db: TCP 5432"; those in ``lineless``
    say that they are numbered only."""
    if not spec.links:
        return []
    names = {component.id: display_name(component) for _, component in spec.components()}
    lines = [("links (numbered on the picture):", False)]
    for number, link in enumerate(spec.links[:MAX_LINKS], start=1):
        text = f"{fit(names[link.source], SIZE, 120)} → {fit(names[link.target], SIZE, 120)}"
        text = f"{number}  {text}"
        if number in lineless:
            text += f" {NUMBERED_ONLY}"
        whole = f"{text}: {link.label}" if link.label else text
        if text_width(whole, SIZE) <= LINE_ROOM:
            lines.append((whole, False))
            continue
        # A long label goes under its link, on up to two lines, before it is shortened.
        lines.append((f"{text}:", False))
        room = LINE_ROOM - text_width(LABEL_INDENT, SIZE)
        lines += [(LABEL_INDENT + part, False) for part in wrap(link.label or "", SIZE, room)]
    if len(spec.links) > MAX_LINKS:
        lines.append((f"… and {len(spec.links) - MAX_LINKS} more links, not marked", False))
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
