"""Links routed over the page's own geometry: orthogonal paths through the gaps between boxes.

The layout knows every box it drew (:mod:`.geometry`) and leaves room for links: lanes above
linked rows, gaps between VM columns and between hosts. Each free area gets tracks, lines a
few points apart and clear of the boxes beside it; a link runs along tracks from a port on
its source cell's top edge to a port on its target's, turning where tracks cross. The search
is A* over the crossings, a turn costing as much as some length, and a link never runs on a
stretch of track or turns at a crossing another link already took: links may cross, never
share. Hosts' frames are walls a link passes only at the hosts it starts or ends in.

Routes are found in a fixed order (shortest first, then by number), so the same page gives
the same paths.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from itertools import pairwise

from msgspec import Struct

from .geometry import Rect

__all__ = ["ARROW", "CLEAR", "Board", "Link", "Route", "corridor", "lane_height", "route"]

#: The arrowhead's length (points): the last stretch of a link is at least this long.
ARROW = 6.0
#: Tracks are this far apart, and this far from the box beside them (points).
TRACK = 4.0
CLEAR = 4.0
#: The shortest stretch from a port to the first turn: room for the arrowhead.
#: No link runs across this close above a linked cell: a crossing line passes at least 4
#: points above another's arrowhead.
STUB = ARROW + 4
#: A crossing of tracks nearer a box than this is not a place a link may pass.
MARGIN = 2.5
#: At most this many tracks along a lane (two of them in its stub zone) or a gap, and along
#: a wide open area, centred.
MOST_TRACKS = 10
OPEN_TRACKS = 3
#: The most crossings one search looks at before it gives the link up (numbered, not drawn):
#: a count, not a time, so the same page always gives the same picture.
SEARCH_BUDGET = 6_000
#: How much the search trusts the distance left (weighted A*): above 1 it heads for the
#: target first and looks at far fewer crossings, for paths at most this much costlier.
GREED = 1.2
#: The most crossings of tracks a page may have for its links to be drawn: finding them is
#: most of the router's time (BENCHMARKS.md). A page of a thousand rows of VMs with a few
#: links has about 40,000.
MOST_CROSSINGS = 60_000
#: A turn costs as much as this many points of length; crossing another link, this many.
BEND = 24.0
CROSS = 12.0


def corridor(links: int, most: int) -> int:
    """Return how wide a gap carrying ``links`` links side by side is: a track for each, at
    least two, at most ``most``, clear of the boxes either side."""
    tracks = min(max(links, 2), most)
    return math.ceil(2 * CLEAR + TRACK * (tracks - 1))


def lane_height(ends: int) -> int:
    """Return the height of a lane above a row with ``ends`` link ends.

    A track for each end (at least two, at most eight) above the zone of the cells' stubs:
    its tracks, centred, are CLEAR from the lane's edges, the lowest two inside the zone.
    """
    tracks = min(max(ends, 2), MOST_TRACKS - 2)
    return math.ceil(2 * CLEAR + TRACK * (tracks + 1))


class Link(Struct, frozen=True):
    """A link to route: its number and the idents of its end cells (``Board.cells``)."""

    number: int
    source: str
    target: str


class Route(Struct, frozen=True):
    """A routed link: its corners from the source port to the arrow's tip, in page points."""

    number: int
    points: list[tuple[float, float]]


class Board(Struct):
    """What the router knows of the page.

    ``boxes`` may not be crossed; ``frames`` (by host) are walls crossed only by links of
    that host; ``free`` areas get tracks; ``cells`` are the linked components' cells and
    ``hosts`` the host each stands in. A cell's ports are spread along its top edge, or along
    the stretch of it ``spans`` gives (a host's title: above its text).
    """

    bounds: Rect
    boxes: list[Rect]
    frames: dict[str, Rect]
    free: list[Rect]
    cells: dict[str, Rect]
    hosts: dict[str, str]
    spans: dict[str, tuple[float, float]] = {}


def _tracks(low: float, high: float) -> list[float]:
    """Return track positions across a free span from ``low`` to ``high``, centred."""
    room = high - low - 2 * CLEAR
    if room < 0:
        return []
    # A lane or gap gets as many tracks as it has room for; a wide open area a few, since
    # every track is a line the search walks along.
    most = MOST_TRACKS if high - low <= lane_height(MOST_TRACKS) else OPEN_TRACKS
    count = min(most, int(room // TRACK) + 1)
    start = low + (high - low - TRACK * (count - 1)) / 2
    return [round(start + TRACK * i, 2) for i in range(count)]


def _dedupe(values: Iterable[float], keep: Sequence[float] = ()) -> list[float]:
    """Return sorted positions, dropping any within 2 points of one kept before it."""
    kept = sorted(set(keep))
    for value in sorted(set(values)):
        i = bisect_left(kept, value)
        near = (i < len(kept) and kept[i] - value < 2) or (i and value - kept[i - 1] < 2)
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
        i = k = 0
        for index, at in enumerate(positions):
            while i < len(hard) and hard_high[i] <= at:
                i += 1
            if i < len(hard) and hard[i] <= at:
                continue  # inside a box
            while k < len(walls) and walls[k] < at - MARGIN:
                k += 1
            if k < len(walls) and walls[k] <= at + MARGIN:
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


class _Index:
    """Boxes bucketed along one axis, to find those a line meets without looking at all."""

    SIZE = 32.0

    def __init__(self, boxes: list[Rect], vertical: bool) -> None:
        self.buckets: dict[int, list[Rect]] = {}
        for box in boxes:
            low, high = (box.left, box.right) if vertical else (box.top, box.bottom)
            first, last = int((low - MARGIN) // self.SIZE), int((high + MARGIN) // self.SIZE)
            for key in range(first, last + 1):
                self.buckets.setdefault(key, []).append(box)
        self.vertical = vertical

    def line(
        self, at: float, frames: dict[str, Rect], bounds: Rect, cells: Iterable[Rect] = ()
    ) -> _Line:
        """Return the line at ``at`` (an x for a vertical line, else a y) and what blocks it.

        ``cells`` are the cells of the ports on a vertical line: boxes to it, even a host's
        title (a box elsewhere only where its text is), so no route runs up through its own.
        """
        hard = [(cell.top - MARGIN, cell.bottom + MARGIN) for cell in cells]
        for box in self.buckets.get(int(at // self.SIZE), ()):
            if self.vertical and box.left - MARGIN < at < box.right + MARGIN:
                hard.append((box.top - MARGIN, box.bottom + MARGIN))
            elif not self.vertical and box.top - MARGIN < at < box.bottom + MARGIN:
                hard.append((box.left - MARGIN, box.right + MARGIN))
        walls: list[tuple[float, str]] = []
        for host, frame in frames.items():
            across = (frame.left, frame.right) if self.vertical else (frame.top, frame.bottom)
            along = (frame.top, frame.bottom) if self.vertical else (frame.left, frame.right)
            if not across[0] - MARGIN < at < across[1] + MARGIN:
                continue
            if across[0] + MARGIN <= at <= across[1] - MARGIN:
                walls += [(along[0], host), (along[1], host)]
            else:  # running along the frame's side
                hard.append((along[0] - MARGIN, along[1] + MARGIN))
        low, high = (bounds.top, bounds.bottom) if self.vertical else (bounds.left, bounds.right)
        hard += [(-math.inf, low + 1), (high - 1, math.inf)]
        return _Line(hard, walls)


#: Ways along the grid, a crossing where a link turned, and a search's end (down its stub).
UP, ACROSS, TURN, DONE = 0, 1, 2, 3
#: A step to a neighbouring crossing: its column and row, way, the frames it passes (or
#: None), its length, and its key in the taken stretches.
_Step = tuple[int, int, int, frozenset[str] | None, float, tuple[int, int, int, int]]


class _Grid:
    """The crossings of vertical and horizontal tracks that are clear of every box."""

    def __init__(
        self, board: Board, xs: list[float], ys: list[float], ports: dict[int, list[Rect]]
    ) -> None:
        """Find the crossings; ``ports`` are the ports' lines with their cells."""
        self.xs, self.ys = xs, ys
        # Above each linked cell, its ports' stubs and arrowheads: no link runs across there
        # (the stubs themselves are on the ports' own lines, which skip it too).
        zones = []
        for ident, cell in board.cells.items():
            left, right = board.spans.get(ident, (cell.left, cell.right))
            zones.append(Rect(left, cell.top - STUB + MARGIN, right, cell.top))
        down, across = _Index(board.boxes, True), _Index([*board.boxes, *zones], False)
        self.columns = [
            down.line(x, board.frames, board.bounds, ports.get(i, ())) for i, x in enumerate(xs)
        ]
        self.rows = [across.line(y, board.frames, board.bounds) for y in ys]
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
        # A crossing where a link cannot turn is only passed straight through: leave it out
        # (the stretches either side of it are checked as one), except on the ports' lines.
        joined = self._joined(on_row, on_column)
        self.on_column = [
            [j for j in line if i in ports or (i, j) in joined] for i, line in enumerate(on_column)
        ]
        self.on_row = [
            [i for i in line if i in ports or (i, j) in joined] for j, line in enumerate(on_row)
        ]
        # The frames each stretch between neighbouring crossings passes (None: blocked),
        # found for a line the first time a search walks along it.
        self._down: dict[int, list[frozenset[str] | None]] = {}
        self._across: dict[int, list[frozenset[str] | None]] = {}
        self._steps: dict[tuple[int, int], list[_Step]] = {}

    def steps(self, i: int, j: int) -> list[_Step]:
        """Return the steps from crossing ``i, j`` to its neighbours along clear stretches."""
        found = self._steps.get((i, j))
        if found is not None:
            return found
        found = []
        xs, ys = self.xs, self.ys
        line = self.on_column[i]
        passes = self._down.get(i)
        if passes is None:
            passes = self._down[i] = self.columns[i].stretches([ys[n] for n in line])
        k = bisect_left(line, j)
        if k and passes[k - 1] is not None:
            other = line[k - 1]
            found.append((i, other, UP, passes[k - 1] or None, ys[j] - ys[other], (i, other, i, j)))
        if k + 1 < len(line) and passes[k] is not None:
            other = line[k + 1]
            found.append((i, other, UP, passes[k] or None, ys[other] - ys[j], (i, j, i, other)))
        line = self.on_row[j]
        passes = self._across.get(j)
        if passes is None:
            passes = self._across[j] = self.rows[j].stretches([xs[n] for n in line])
        k = bisect_left(line, i)
        if k and passes[k - 1] is not None:
            other = line[k - 1]
            step = (other, j, ACROSS, passes[k - 1] or None, xs[i] - xs[other], (other, j, i, j))
            found.append(step)
        if k + 1 < len(line) and passes[k] is not None:
            other = line[k + 1]
            step = (other, j, ACROSS, passes[k] or None, xs[other] - xs[i], (i, j, other, j))
            found.append(step)
        self._steps[i, j] = found
        return found

    def _joined(self, on_row: list[list[int]], on_column: list[list[int]]) -> set[tuple[int, int]]:
        """Return the crossings joined to a neighbour both along their row and their column."""
        across: set[tuple[int, int]] = set()
        for j, line in enumerate(on_row):
            passes = self.rows[j].stretches([self.xs[i] for i in line])
            for (a, b), walls in zip(pairwise(line), passes, strict=True):
                if walls is not None:
                    across.update(((a, j), (b, j)))
        down: set[tuple[int, int]] = set()
        for i, line in enumerate(on_column):
            passes = self.columns[i].stretches([self.ys[j] for j in line])
            for (a, b), walls in zip(pairwise(line), passes, strict=True):
                if walls is not None:
                    down.update(((i, a), (i, b)))
        return across & down


class _Search:
    """A* for one link over the grid, avoiding what earlier links took."""

    def __init__(self, grid: _Grid) -> None:
        self.grid = grid
        self.taken_steps: set[tuple[int, int, int, int]] = set()
        #: Crossings used: TURN where a link turned, else the way (UP or ACROSS) it passed.
        self.taken_points: dict[tuple[int, int], int] = {}

    def run(
        self,
        starts: dict[tuple[int, int], float],
        goals: dict[tuple[int, int], float],
        hosts: frozenset[str],
        target: tuple[float, float],
    ) -> list[tuple[int, int]] | None:
        """Return the crossings of the cheapest path from a start to a goal, or None.

        Starts and goals carry the length of their stub to the port; both stubs are vertical,
        so a path that reaches its goal going across turns there, and pays for it. Weighted
        A*: the distance left counts GREED times. Another link may be crossed straight
        (at a cost), never joined: no shared stretch, no turn where another link passes.
        """
        xs, ys = self.grid.xs, self.grid.ys
        tx, ty = target
        taken_steps, taken_points = self.taken_steps, self.taken_points
        steps = self.grid.steps
        queue: list[tuple[float, float, int, int, int]] = []
        best: dict[tuple[int, int, int], float] = {}
        came: dict[tuple[int, int, int], tuple[int, int, int] | None] = {}
        for (i, j), cost in sorted(starts.items()):
            if taken_points.get((i, j), ACROSS) != ACROSS:
                continue  # a start may be crossed by another link, not taken along
            best[i, j, UP] = cost
            came[i, j, UP] = None
            heuristic = GREED * (abs(xs[i] - tx) + abs(ys[j] - ty))
            heapq.heappush(queue, (cost + heuristic, cost, i, j, UP))
        budget = SEARCH_BUDGET
        while queue and budget:
            budget -= 1
            _, cost, i, j, heading = heapq.heappop(queue)
            if heading == DONE:
                return self._path(came, (i, j, DONE))
            state = (i, j, heading)
            if cost > best[state]:
                continue
            used_here = taken_points.get((i, j))
            if (i, j) in goals and (used_here is None or (used_here, heading) == (ACROSS, UP)):
                # Down the stub to the port: settle when nothing cheaper is left to look at.
                done = cost + goals[i, j] + (BEND if heading == ACROSS else 0.0)
                if done < best.get((i, j, DONE), math.inf):
                    best[i, j, DONE] = done
                    came[i, j, DONE] = state
                    heapq.heappush(queue, (done, done, i, j, DONE))
            for ni, nj, way, walls, length, key in steps(i, j):
                if walls is not None and not walls <= hosts:
                    continue
                if key in taken_steps or (way != heading and used_here is not None):
                    continue  # no sharing a stretch, no turning where another link is
                used_next = taken_points.get((ni, nj))
                if used_next is not None and used_next != (ACROSS if way == UP else UP):
                    continue  # only crossing another link straight is allowed
                new = cost + length
                if way != heading:
                    new += BEND
                if used_next is not None:
                    new += CROSS
                nxt = (ni, nj, way)
                if new < best.get(nxt, math.inf):
                    best[nxt] = new
                    came[nxt] = state
                    heuristic = GREED * (abs(xs[ni] - tx) + abs(ys[nj] - ty))
                    heapq.heappush(queue, (new + heuristic, new, ni, nj, way))
        return None

    @staticmethod
    def _path(
        came: dict[tuple[int, int, int], tuple[int, int, int] | None],
        state: tuple[int, int, int],
    ) -> list[tuple[int, int]]:
        """Return the crossings from the start to ``state``, following where each came from."""
        path = []
        current: tuple[int, int, int] | None = came[state]
        while current is not None:
            path.append((current[0], current[1]))
            current = came[current]
        return path[::-1]

    def untaken(
        self, stubs: dict[tuple[int, int], float], top: float
    ) -> dict[tuple[int, int], float]:
        """Return the crossings above a port whose stub down to it no other link has taken
        (another may cross it)."""
        found = {}
        for (i, j), length in stubs.items():
            chain = [*_under(self.grid, i, j, top)[::-1], (i, j)]
            steps = ((i, min(a[1], b[1]), i, max(a[1], b[1])) for a, b in pairwise(chain))
            crossed = (self.taken_points.get(node, ACROSS) == ACROSS for node in chain)
            if all(crossed) and not any(step in self.taken_steps for step in steps):
                found[i, j] = length
        return found

    def take(self, path: list[tuple[int, int]]) -> None:
        """Mark a found path's stretches and crossings as taken."""
        for (i, j), (ni, nj) in pairwise(path):
            self.taken_steps.add((min(i, ni), min(j, nj), max(i, ni), max(j, nj)))
        for index, (i, j) in enumerate(path):
            before = path[index - 1] if index else None
            after = path[index + 1] if index + 1 < len(path) else None
            ways = {UP if other[0] == i else ACROSS for other in (before, after) if other}
            if index == 0 or index == len(path) - 1:
                ways.add(UP)  # the stubs to the ports are vertical
            self.taken_points[i, j] = TURN if len(ways) > 1 else ways.pop()


def _ports(board: Board, links: Sequence[Link]) -> dict[tuple[int, str], float]:
    """Return the x of each link end on its cell's top edge (or its span).

    Ends are spread in the order of the other ends' positions, so that neighbouring links do
    not cross at the start; links to one same cell nest (the one that starts further out
    arrives further out).
    """
    ends: dict[str, list[tuple[float, int, str]]] = {}
    for link in links:
        for role, mine, other in (
            ("source", link.source, link.target),
            ("target", link.target, link.source),
        ):
            there, here = _middle(board, other), _middle(board, mine)
            order = link.number if there >= here else -link.number
            ends.setdefault(mine, []).append((there, order, role))
    ports: dict[tuple[int, str], float] = {}
    lines: list[float] = []  # the ports' lines so far, sorted
    for ident, entries in ends.items():
        cell = board.cells[ident]
        left, right = board.spans.get(ident, (cell.left, cell.right))
        entries.sort()
        step = (right - left) / (len(entries) + 1)
        for k, (_, order, role) in enumerate(entries, start=1):
            x = round(left + step * k, 2)
            # A port a hair from another cell's port line shares that line: two lines
            # closer than a track apart would draw links on top of each other.
            i = bisect_left(lines, x)
            near = [line for line in lines[max(0, i - 1) : i + 1] if abs(line - x) < TRACK]
            if near and left + CLEAR <= near[0] <= right - CLEAR:
                x = near[0]
            else:
                lines.insert(i, x)
            ports[abs(order), role] = x
    return ports


def _middle(board: Board, ident: str) -> float:
    cell = board.cells[ident]
    left, right = board.spans.get(ident, (cell.left, cell.right))
    return (left + right) / 2


def _stubs(grid: _Grid, i: int, top: float, least: float) -> dict[tuple[int, int], float]:
    """Return the crossings above a port at the top of a cell, with the stub's length: those
    reached straight up from the port, at least ``least`` above it."""
    line, column = grid.columns[i], grid.on_column[i]
    found: dict[tuple[int, int], float] = {}
    k = bisect_left(column, bisect_left(grid.ys, top - MARGIN)) - 1
    while k >= 0:
        j = column[k]
        y = grid.ys[j]
        clear, walls = line.clear(y, top - MARGIN)
        if not clear or walls:
            break
        if top - y >= least:
            found[i, j] = top - y
        k -= 1
    return found


def _under(grid: _Grid, i: int, j: int, top: float) -> list[tuple[int, int]]:
    """Return the crossings on a port's line between crossing ``j`` and the cell's top."""
    return [(i, n) for n in grid.on_column[i] if grid.ys[j] < grid.ys[n] < top - MARGIN]


def route(board: Board, links: Sequence[Link]) -> list[Route]:
    """Return a route for every link that can be drawn, in link order; the others are left out."""
    if not links:
        return []
    ports = _ports(board, links)
    xs_tracks: list[float] = []
    ys_tracks: list[float] = []
    for area in board.free:
        if area.width >= 2 * CLEAR and (area.height >= area.width or area.height >= 40):
            xs_tracks += _tracks(area.left, area.right)
        if area.height >= 2 * CLEAR and (area.width >= area.height or area.width >= 40):
            ys_tracks += _tracks(area.top, area.bottom)
    xs = _dedupe(xs_tracks, keep=list(ports.values()))
    ys = _dedupe(ys_tracks)
    if len(xs) * len(ys) > MOST_CROSSINGS:
        return []  # a page this big keeps its links' numbers only
    cells: dict[int, list[Rect]] = {}  # two cells may have a port on the same line
    for link in links:
        for role, ident in (("source", link.source), ("target", link.target)):
            cells.setdefault(xs.index(ports[link.number, role]), []).append(board.cells[ident])
    grid = _Grid(board, xs, ys, cells)
    search = _Search(grid)

    def distance(link: Link) -> float:
        a, b = board.cells[link.source], board.cells[link.target]
        return abs(a.left - b.left) + abs(a.top - b.top)

    routes: dict[int, Route] = {}
    for link in sorted(links, key=lambda link: (distance(link), link.number)):
        source, target = board.cells[link.source], board.cells[link.target]
        sx, tx = ports[link.number, "source"], ports[link.number, "target"]
        si, ti = xs.index(sx), xs.index(tx)
        starts = search.untaken(_stubs(grid, si, source.top, STUB), source.top)
        goals = search.untaken(_stubs(grid, ti, target.top, STUB), target.top)
        hosts = frozenset({board.hosts[link.source], board.hosts[link.target]})
        path = search.run(starts, goals, hosts, (tx, target.top))
        if path is None:
            continue
        (si_, sj), (ti_, tj) = path[0], path[-1]
        path = _under(grid, si_, sj, source.top)[::-1] + path + _under(grid, ti_, tj, target.top)
        search.take(path)
        points = [(sx, source.top)]
        points += [(xs[i], ys[j]) for i, j in path]
        points.append((tx, target.top))
        routes[link.number] = Route(link.number, _corners(points))
    return [routes[number] for number in sorted(routes)]


def _corners(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Return the points where the path turns, with its two ends."""
    kept = [points[0]]
    for here, after in pairwise(points[1:]):
        before = kept[-1]
        straight = (before[0] == here[0] == after[0]) or (before[1] == here[1] == after[1])
        if not straight:
            kept.append(here)
    kept.append(points[-1])
    return kept
