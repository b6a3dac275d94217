"""Where links may run: tracks across the page's free areas, and where they cross.

Each free area the layout leaves (lanes above linked rows, gaps between VMs and hosts, a
host's frame) gets tracks, lines a few points apart and clear of the boxes beside them. A
line knows what blocks it (boxes grown by a margin, and hosts' frames, walls a link crosses
only at its own hosts); the grid of lines knows their clear crossings and the stretches
between neighbouring ones, which is all the search (:mod:`.route`) walks on.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from itertools import pairwise

from msgspec import Struct

from .geometry import Rect

__all__ = [
    "ACROSS",
    "ARROW",
    "CLEAR",
    "DONE",
    "MARGIN",
    "SIDE_CLEAR",
    "STUB",
    "TRACK",
    "TURN",
    "UP",
    "Board",
    "Grid",
    "Step",
    "corridor",
    "dedupe",
    "lane_height",
    "tracks",
]

#: The arrowhead's length (points): the last stretch of a link is at least this long.
ARROW = 6.0
#: Tracks are this far apart (parallel links read as two), and this far from the box beside
#: them: a label centred on a track keeps clear of the box (points).
TRACK = 8.0
CLEAR = 7.0
#: A vertical track's distance from the box beside it: labels are written across, so lines
#: up and down may run nearer.
SIDE_CLEAR = 4.0
#: The shortest stretch from a port to the first turn: room for the arrowhead.
#: No link runs across this close above a linked cell: a crossing line passes at least 4
#: points above another's arrowhead.
STUB = ARROW + 4
#: A crossing of tracks nearer a box than this is not a place a link may pass.
MARGIN = 2.5
#: At most this many tracks along a lane (two of them in its stub zone) or a gap; one along
#: the middle of a wide open area (every track is a line the search walks along).
MOST_TRACKS = 10
OPEN_TRACKS = 1


def corridor(links: int, most: int, clear: float = SIDE_CLEAR) -> int:
    """Return how wide a gap carrying ``links`` links side by side is: a track for each, at
    least two, at most ``most``, ``clear`` of the boxes either side."""
    tracks = min(max(links, 2), most)
    return math.ceil(2 * clear + TRACK * (tracks - 1))


def lane_height(ends: int) -> int:
    """Return the height of a lane above a row with ``ends`` link ends.

    A track for each link (about one for two ends: most links join two components of a
    row; at least two, at most eight) above the zone of the cells' stubs: its tracks,
    centred, are CLEAR from the lane's edges, the lowest two inside the zone.
    """
    tracks = min(max(math.ceil(ends / 2) + 1, 2), MOST_TRACKS - 2)
    return math.ceil(2 * CLEAR + TRACK * (tracks + 1))


class Board(Struct):
    """What the router knows of the page.

    ``boxes`` may not be crossed; ``frames`` (by host) are walls crossed only by links of
    that host; ``free`` areas get tracks; ``cells`` are the linked components' cells and
    ``hosts`` the host each stands in. A cell's ports are spread along its top edge, or along
    the stretch of it ``spans`` gives (a host's title: above its text); the cells of
    ``sides`` (a VM's own cell, under its stack) take their links on their left or right
    edge instead, whichever faces the link's other end.
    """

    bounds: Rect
    boxes: list[Rect]
    frames: dict[str, Rect]
    free: list[Rect]
    cells: dict[str, Rect]
    hosts: dict[str, str]
    spans: dict[str, tuple[float, float]] = {}
    sides: frozenset[str] = frozenset()


def tracks(low: float, high: float, clear: float = CLEAR) -> list[float]:
    """Return track positions across a free span from ``low`` to ``high``, centred, at
    least ``clear`` from its edges."""
    room = high - low - 2 * clear
    if room < 0:
        return []
    # A lane or gap gets as many tracks as it has room for; a wide open area one, since
    # every track is a line the search walks along.
    widest = 2 * CLEAR + TRACK * (MOST_TRACKS + 1)  # no lane or gap is wider
    most = MOST_TRACKS if high - low <= widest else OPEN_TRACKS
    count = min(most, int(room // TRACK) + 1)
    start = low + (high - low - TRACK * (count - 1)) / 2
    return [round(start + TRACK * i, 2) for i in range(count)]


def dedupe(values: Iterable[float], keep: Sequence[float] = ()) -> list[float]:
    """Return sorted positions, dropping any nearer than a track to one kept before it (the
    ``keep`` ones, ports' lines, first)."""
    kept = sorted(set(keep))
    for value in sorted(set(values)):
        i = bisect_left(kept, value)
        near = (i < len(kept) and kept[i] - value < TRACK) or (i and value - kept[i - 1] < TRACK)
        if not near:
            kept.insert(i, value)
    return kept


_NO_WALLS: frozenset[str] = frozenset()


class _Line:
    """One track line across the page: where it is blocked, and by which frames."""

    __slots__ = ("hard", "hard_high", "wall_at", "wall_hosts")

    def __init__(self, hard: list[tuple[float, float]], walls: list[tuple[float, str]]) -> None:
        merged: list[list[float]] = []
        for low, high in sorted(hard):
            if merged and low <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], high)
            else:
                merged.append([low, high])
        self.hard = [low for low, _ in merged]
        self.hard_high = [high for _, high in merged]
        walls.sort()
        self.wall_at = [at for at, _ in walls]
        self.wall_hosts = [host for _, host in walls]

    def free(self, positions: list[float]) -> list[int]:
        """Return the indices of ``positions`` (sorted) clear of boxes and frames, in order."""
        found = []
        hard, hard_high, walls = self.hard, self.hard_high, self.wall_at
        hard_count, wall_count = len(hard), len(walls)
        i = k = 0
        for index, at in enumerate(positions):
            while i < hard_count and hard_high[i] <= at:
                i += 1
            if i < hard_count and hard[i] <= at:
                continue  # inside a box
            while k < wall_count and walls[k] < at - MARGIN:
                k += 1
            if k < wall_count and walls[k] <= at + MARGIN:
                continue  # on a frame
            found.append(index)
        return found

    def stretches(self, positions: list[float]) -> list[frozenset[str] | None]:
        """Return, for each stretch between neighbouring ``positions`` (sorted, each clear of
        boxes), None where a box is in the way, else the frames it passes."""
        found: list[frozenset[str] | None] = []
        hard, walls, hosts = self.hard, self.wall_at, self.wall_hosts
        count = len(hard)
        for a, b in pairwise(positions):
            i = bisect_right(hard, a)
            if i < count and hard[i] < b:
                found.append(None)
            elif walls and walls[0] < b and walls[-1] > a:
                k, end = bisect_left(walls, a), bisect_left(walls, b)
                found.append(frozenset(hosts[k:end]) if end > k else _NO_WALLS)
            else:
                found.append(_NO_WALLS)
        return found

    def clear(self, a: float, b: float) -> tuple[bool, frozenset[str]]:
        """Return whether the stretch from ``a`` to ``b`` is clear of boxes, and its walls."""
        low, high = (a, b) if a < b else (b, a)
        hard = self.hard
        i = bisect_right(hard, low)
        if (i < len(hard) and hard[i] < high) or (i and self.hard_high[i - 1] > low):
            return False, _NO_WALLS
        walls = self.wall_at
        if not walls or walls[0] > high or walls[-1] < low:
            return True, _NO_WALLS
        j, k = bisect_left(walls, low), bisect_left(walls, high)
        return True, frozenset(self.wall_hosts[j:k]) if j < k else _NO_WALLS


def _lines(
    at: list[float],
    vertical: bool,
    boxes: Iterable[Rect],
    board: Board,
    cells: dict[int, list[Rect]] | None = None,
) -> list[_Line]:
    """Return the lines at ``at`` (sorted: the xs of vertical lines, else the ys) and what
    blocks each.

    ``cells`` are the cells of the ports on each vertical line: boxes to it, even a host's
    title (a box elsewhere only where its text is), so no route runs up through its own.
    """
    hard: list[list[tuple[float, float]]] = [[] for _ in at]
    for index, found in (cells or {}).items():
        hard[index] += [(cell.top - MARGIN, cell.bottom + MARGIN) for cell in found]
    # Each box blocks the lines passing within MARGIN of it: those found by bisection.
    for box in boxes:
        low, high = (box.left, box.right) if vertical else (box.top, box.bottom)
        span = (
            (box.top - MARGIN, box.bottom + MARGIN)
            if vertical
            else (box.left - MARGIN, box.right + MARGIN)
        )
        for index in range(bisect_right(at, low - MARGIN), bisect_left(at, high + MARGIN)):
            hard[index].append(span)
    walls: list[list[tuple[float, str]]] = [[] for _ in at]
    for host, frame in board.frames.items():
        across = (frame.left, frame.right) if vertical else (frame.top, frame.bottom)
        along = (frame.top, frame.bottom) if vertical else (frame.left, frame.right)
        first = bisect_right(at, across[0] - MARGIN)
        for index in range(first, bisect_left(at, across[1] + MARGIN)):
            if across[0] + MARGIN <= at[index] <= across[1] - MARGIN:
                walls[index] += [(along[0], host), (along[1], host)]
            else:  # running along the frame's side
                hard[index].append((along[0] - MARGIN, along[1] + MARGIN))
    bounds = board.bounds
    low, high = (bounds.top, bounds.bottom) if vertical else (bounds.left, bounds.right)
    ends = [(-math.inf, low + 1), (high - 1, math.inf)]
    return [_Line(blocked + ends, wall) for blocked, wall in zip(hard, walls, strict=True)]


#: Ways along the grid, a crossing where a link turned, and a search's end (down its stub).
UP, ACROSS, TURN, DONE = 0, 1, 2, 3
#: A step to a neighbouring crossing: its column and row, way, the frames it passes (or
#: None), its length, and its key in the taken stretches.
Step = tuple[int, int, int, frozenset[str] | None, float, tuple[int, int, int, int]]


class Grid:
    """The crossings of vertical and horizontal tracks that are clear of every box."""

    def __init__(
        self,
        board: Board,
        xs: list[float],
        ys: list[float],
        ports: dict[int, list[Rect]],
        beside: Sequence[Rect] = (),
    ) -> None:
        """Find the crossings; ``ports`` are the top ports' lines with their cells, ``beside``
        the zones of the side ports' stubs."""
        self.xs, self.ys = xs, ys
        # Above each linked cell, its ports' stubs and arrowheads: no link runs across there
        # (the stubs themselves are on the ports' own lines, which skip it too); beside a
        # cell linked on its side, no link runs up or down through its ports' stubs.
        zones = []
        for ident, cell in board.cells.items():
            if ident in board.sides:
                continue
            left, right = board.spans.get(ident, (cell.left, cell.right))
            zones.append(Rect(left, cell.top - STUB + MARGIN, right, cell.top))
        self.columns = _lines(xs, True, [*board.boxes, *beside], board, ports)
        self.rows = _lines(ys, False, [*board.boxes, *zones], board)
        # For each vertical line the rows it may stop at, and for each row the columns.
        on_column: list[list[int]] = [[] for _ in xs]
        on_row: list[list[int]] = [[] for _ in ys]
        free_rows = [set(row.free(xs)) for row in self.rows]
        for i, column in enumerate(self.columns):
            # Crossings right above a port are not on any route: its stub runs there; nor
            # are those in its cell (a host's title is a box only where its text is).
            kept = [(cell.top - STUB, cell.bottom) for cell in ports.get(i, ())]
            on_this = on_column[i]
            for j in column.free(ys):
                if i not in free_rows[j]:
                    continue
                if kept and any(low < ys[j] < high for low, high in kept):
                    continue
                on_this.append(j)
                on_row[j].append(i)
        self.on_column, self.on_row = on_column, on_row
        # The steps along each line, found for a whole line the first time a search reaches
        # one of its crossings: by column (then row) and the crossing's row (then column).
        self._down: dict[int, dict[int, list[Step]]] = {}
        self._across: dict[int, dict[int, list[Step]]] = {}
        self._steps: dict[tuple[int, int], list[Step]] = {}

    def steps(self, i: int, j: int) -> list[Step]:
        """Return the steps from crossing ``i, j`` to its neighbours along clear stretches:
        up and down its column, then along its row."""
        found = self._steps.get((i, j))
        if found is None:
            down = self._down.get(i)
            if down is None:
                down = self._down[i] = self._along(i, UP)
            across = self._across.get(j)
            if across is None:
                across = self._across[j] = self._along(j, ACROSS)
            found = self._steps[i, j] = down[j] + across[i]
        return found

    def _along(self, index: int, way: int) -> dict[int, list[Step]]:
        """Return the steps between neighbouring crossings of a column (``way`` UP) or a row
        (ACROSS) where the stretch between is clear, by crossing: the one before, then after."""
        if way == UP:
            line, at, track = self.on_column[index], self.ys, self.columns[index]
        else:
            line, at, track = self.on_row[index], self.xs, self.rows[index]
        passes = track.stretches([at[n] for n in line])
        found: dict[int, list[Step]] = {n: [] for n in line}
        for (low, high), walls in zip(pairwise(line), passes, strict=True):
            if walls is None:
                continue
            length = at[high] - at[low]
            if way == UP:
                key = (index, low, index, high)
                found[low].append((index, high, UP, walls or None, length, key))
                found[high].append((index, low, UP, walls or None, length, key))
            else:
                key = (low, index, high, index)
                found[low].append((high, index, ACROSS, walls or None, length, key))
                found[high].append((low, index, ACROSS, walls or None, length, key))
        return found
