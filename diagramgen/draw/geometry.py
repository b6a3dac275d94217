"""Where every cell of a host's table lands on the page, from the sizes we gave the cells.

Graphviz lays out an HTML-like table without spacing as a grid: a column is as wide as its
single-column cells, a row as tall as its single-row cells, and a spanning cell takes the sum
of the columns and rows it spans. The cells here carry exact sizes (:mod:`.cells`), so the
same grid gives each cell's rectangle; the router (:mod:`.route`) works over these.
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec import Struct

from .cells import Cell, line_height

__all__ = ["Rect", "table_cells", "text_box"]


class Rect(Struct, frozen=True):
    """A rectangle on the page, in points, ``y`` growing downwards."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def grown(self, by: float) -> Rect:
        return Rect(self.left - by, self.top - by, self.right + by, self.bottom + by)

    def encloses_point(self, x: float, y: float) -> bool:
        return self.left <= x <= self.right and self.top <= y <= self.bottom


def _grid(rows: list[list[Cell]]) -> list[tuple[Cell, int, int]]:
    """Return each cell with its first row and column, as HTML places spanning cells."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((cell, r, c))
            taken.update(
                (r + down, c + across)
                for down in range(cell.rowspan)
                for across in range(cell.colspan)
            )
            c += cell.colspan
    return placed


def _sizes(spans: list[tuple[int, int, int]], count: int) -> list[float]:
    """Return the sizes of ``count`` tracks from (first, span, size) of the cells on them.

    A track is as large as its largest single cell; a track only spanning cells cover gets
    what they need beyond the tracks already known, shared equally.
    """
    sizes: list[float | None] = [None] * count
    for first, span, size in spans:
        if span == 1:
            sizes[first] = max(sizes[first] or 0, size)
    for first, span, size in sorted(spans, key=lambda entry: entry[1]):
        unknown = [i for i in range(first, first + span) if sizes[i] is None]
        if span > 1 and unknown:
            known = sum(sizes[i] or 0 for i in range(first, first + span))
            share = max(0.0, size - known) / len(unknown)
            for i in unknown:
                sizes[i] = share
    return [size or 0.0 for size in sizes]


def table_cells(rows: list[list[Cell]], left: float, top: float) -> Iterator[tuple[Cell, Rect]]:
    """Yield every cell of a table whose top-left corner is at ``left, top``, nested ones too."""
    placed = _grid(rows)
    columns = max((c + cell.colspan for cell, _, c in placed), default=0)
    widths = _sizes([(c, cell.colspan, cell.width) for cell, _, c in placed], columns)
    heights = _sizes([(r, cell.rowspan, cell.height) for cell, r, _ in placed], len(rows))
    xs = [left]
    for width in widths:
        xs.append(xs[-1] + width)
    ys = [top]
    for height in heights:
        ys.append(ys[-1] + height)
    for cell, r, c in placed:
        rect = Rect(xs[c], ys[r], xs[c + cell.colspan], ys[r + cell.rowspan])
        yield cell, rect
        if cell.inner:
            yield from table_cells(cell.inner, rect.left, rect.top)


def text_box(cell: Cell, rect: Rect) -> Rect | None:
    """Return the box the lines of a cell are drawn in, centred in ``rect``; None if no text."""
    if not cell.lines:
        return None
    width = max(line.width() for line in cell.lines)
    height = sum(line_height(line.size) for line in cell.lines)
    x = (rect.left + rect.right) / 2
    y = (rect.top + rect.bottom) / 2
    return Rect(x - width / 2, y - height / 2, x + width / 2, y + height / 2)
