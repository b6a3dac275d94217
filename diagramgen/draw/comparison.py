"""The comparison panel drawn beside two specs' hosts: one column of figures per spec."""

from __future__ import annotations

from ..accounting.compare import Side
from ..spec.model import Spec
from .cells import Cell, Label, Line
from .panel import NOT_GIVEN, PANEL_PAD, compact_height, compact_width, framed, link_lines
from .themes import Theme

__all__ = ["comparison_label", "side_by_side"]


def _rows(side: Side) -> list[str]:
    return [
        f"{side.hosts} · {side.vms}",
        str(side.workloads),
        f"{side.density:.1f}",
        str(side.os_copies),
        side.os_overhead.memory.label("memory", NOT_GIVEN),
        side.os_overhead.disk.label("disk", NOT_GIVEN),
        side.committed.cpu.label("cpu", NOT_GIVEN),
        side.committed.memory.label("memory", NOT_GIVEN),
        side.committed.disk.label("disk", NOT_GIVEN),
        f"{side.image_disk_unique.label('disk', NOT_GIVEN)} / "
        f"{side.image_disk_naive.label('disk', NOT_GIVEN)}",
        str(side.warnings),
    ]


_LABELS = [
    "hosts · VMs",
    "workloads",
    "workloads per host",
    "OS copies",
    "OS memory",
    "OS disk",
    "committed cpu",
    "committed memory",
    "committed disk",
    "image disk unique / naive",
    "warnings",
]


def comparison_label(
    first: Side,
    second: Side,
    theme: Theme,
    both: Spec | None = None,
    numbered: dict[int, str] | None = None,
) -> Label:
    """Return the HTML label of the comparison panel: one column per spec, then the links of
    ``both`` (the combined spec) the picture shows by number (``numbered``)."""
    size = 9.0
    fill = theme.fill("panel")

    def line(text: str, bold: bool = False) -> Line:
        return Line(text, size, theme.text, bold)

    columns = [
        [line("Comparison", True), *(line(label) for label in _LABELS)],
        [line(first.label, True), *(line(value) for value in _rows(first))],
        [line(second.label, True), *(line(value) for value in _rows(second))],
    ]
    listed = link_lines(both, numbered or {}) if both is not None else []
    table, notes, width = side_by_side(columns, [line(text) for text, _ in listed], fill)
    return framed([*table, *notes], width, theme)


def side_by_side(
    columns: list[list[Line]], notes: list[Line], fill: str
) -> tuple[list[list[Cell]], list[list[Cell]], int]:
    """Return columns of lines as the compact rows of a panel's table (the first column to the
    left, the others to the right), the notes as full-width rows to go under it, and its
    width; a note wider than the columns widens the first."""
    widths = [max(compact_width([cell]) for cell in column) for column in columns]
    spare = max((compact_width([note]) for note in notes), default=0) - sum(widths)
    if spare > 0:
        widths[0] += spare
    rows = []
    for index in range(len(columns[0])):
        cells = [column[index] for column in columns]
        height = compact_height(cells[:1])
        rows.append(
            [
                Cell(
                    [cell],
                    widths[number],
                    height,
                    fill,
                    border=0,
                    align="LEFT" if number == 0 else "RIGHT",
                    pad=PANEL_PAD,
                )
                for number, cell in enumerate(cells)
            ]
        )
    width = sum(widths)
    below = [
        [
            Cell(
                [note],
                width,
                compact_height([note]),
                fill,
                border=0,
                colspan=len(columns),
                align="LEFT",
                pad=PANEL_PAD,
            )
        ]
        for note in notes
    ]
    return rows, below, width
