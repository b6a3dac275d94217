"""The panel of a diff: the one-line summary, the totals before → after per host and for the
diagram, and the warnings that appeared or went away."""

from __future__ import annotations

from ..accounting.changes import Changes
from ..accounting.compute import Totals
from ..accounting.figures import RESOURCES, Sum, percent
from ..spec.model import Spec, display_name, reserving
from .cells import Label, Line, wrap
from .comparison import side_by_side
from .panel import NOT_GIVEN, framed, link_lines
from .themes import Theme

__all__ = ["difference_label", "figure_rows"]

#: The widest a full-width line of the panel is set (points): the summary and the warnings.
LINE_ROOM = 420


def _share(figure: Sum, whole: int | None, resource: str) -> str:
    shown = figure.label(resource, NOT_GIVEN)
    share = percent(figure, whole)
    return f"{shown} ({share}%)" if share is not None and figure.known is not None else shown


def figure_rows(old: Spec, new: Spec, before: Totals, after: Totals) -> list[tuple[str, str, str]]:
    """Return the figures a diff sets side by side: (label, before, after), the unchanged
    ones left out."""
    rows: list[tuple[str, str, str]] = []
    hosts = {host.id: host for host in (*old.hosts, *new.hosts)}
    olds = {host.id for host in old.hosts}
    news = {host.id for host in new.hosts}
    for ident, host in hosts.items():
        name = display_name(host)
        was = before.host(ident) if ident in olds else None
        now = after.host(ident) if ident in news else None
        for resource in RESOURCES:
            texts = [
                _share(t.committed.get(resource), getattr(t.capacity, resource), resource)
                if t is not None
                else "—"
                for t in (was, now)
            ]
            rows.append((f"{name} committed {resource}", texts[0], texts[1]))
        if reserving(host.containers):
            for resource in ("cpu", "memory"):
                texts = [
                    t.reserved.get(resource).label(resource, NOT_GIVEN) if t is not None else "—"
                    for t in (was, now)
                ]
                rows.append((f"{name} reserved {resource}", texts[0], texts[1]))
    sides = (before.diagram, after.diagram)
    rows.append(("OS copies", str(sides[0].os_copies), str(sides[1].os_copies)))
    if any(side.userland_copies for side in sides):
        copies = [str(side.userland_copies) for side in sides]
        rows.append(("userland copies", copies[0], copies[1]))
    images = [side.image_disk_unique.label("disk", NOT_GIVEN) for side in sides]
    rows.append(("image disk", images[0], images[1]))
    rows.append(("warnings", str(len(before.warnings)), str(len(after.warnings))))
    return [row for row in rows if row[1] != row[2]]


def difference_label(
    rows: list[tuple[str, str, str]],
    summary: str,
    changes: Changes,
    labels: tuple[str, str],
    theme: Theme,
    spec: Spec | None = None,
    numbered: dict[int, str] | None = None,
) -> Label:
    """Return the HTML label of the diff panel: the summary, the changed figures before and
    after, the warnings that appeared (+) and went away (minus sign), then the links ``spec``
    shows by number."""
    size = 9.0
    fill = theme.fill("panel")

    def line(text: str, bold: bool = False, colour: str = theme.text) -> Line:
        return Line(text, size, colour, bold)

    columns = [
        [line("Changes", True), *(line(label) for label, _, _ in rows)],
        [line(labels[0], True), *(line(old) for _, old, _ in rows)],
        [line(labels[1], True), *(line(new) for _, _, new in rows)],
    ]
    notes: list[Line] = [line(part, True) for part in _lines(summary)]
    for sign, alerts in (("+", changes.appeared), ("\N{MINUS SIGN}", changes.resolved)):
        for alert in alerts:
            text = f"{sign} warning: {alert.message}"
            colour = theme.warn if sign == "+" else theme.text
            notes += [line(part, colour=colour) for part in wrap(text, size, LINE_ROOM)]
    if spec is not None:
        notes += [line(text) for text, _ in link_lines(spec, numbered or {})]
    table, below, width = side_by_side(columns, notes, fill)
    # The summary under the heading, the figures, then the warnings and the links.
    summary_rows = len(_lines(summary))
    return framed(
        [table[0], *below[:summary_rows], *table[1:], *below[summary_rows:]], width, theme
    )


def _lines(summary: str) -> list[str]:
    return list(wrap(summary, 9.0, LINE_ROOM, bold=True))
