"""Links routed over the page's own geometry: orthogonal paths through the gaps between boxes.

The layout knows every box it drew (:mod:`.geometry`) and leaves room for links; the free
areas get tracks (:mod:`.tracks`). A link runs along tracks from a port on its source cell's
top edge to a port on its target's, turning where tracks cross. The search
is A* over the crossings, a turn costing as much as some length, and a link never runs on a
stretch of track or turns at a crossing another link already took: links may cross, never
share. Hosts' frames are walls a link passes only at the hosts it starts or ends in.

Routes are found in a fixed order (shortest first, then by number), so the same page gives
the same paths.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections.abc import Sequence
from itertools import pairwise

from msgspec import Struct

from .geometry import Rect
from .tracks import (
    ACROSS,
    CLEAR,
    DONE,
    MARGIN,
    STUB,
    TRACK,
    TURN,
    UP,
    Board,
    Grid,
    dedupe,
    tracks,
)

__all__ = ["Link", "Route", "route"]

#: The most crossings one search looks at before it gives the link up (numbered, not drawn):
#: a count, not a time, so the same page always gives the same picture.
SEARCH_BUDGET = 6_000
#: How much the search trusts the distance left (weighted A*): above 1 it heads for the
#: target first and looks at far fewer crossings, for paths at most this much costlier.
GREED = 1.2
#: The tallest page whose links are drawn (points): some 60 rows of VMs, 8 metres of paper;
#: on a taller one no reader follows a line, and routing time grows with the page.
MOST_HEIGHT = 25_000
#: The most crossings of tracks a page may have for its links to be drawn: finding them is
#: most of the router's time (BENCHMARKS.md); a wide page with many links can reach it.
MOST_CROSSINGS = 60_000
#: A turn costs as much as this many points of length; crossing another link, this many.
BEND = 24.0
CROSS = 12.0


class Link(Struct, frozen=True):
    """A link to route: its number and the idents of its end cells (``Board.cells``)."""

    number: int
    source: str
    target: str


class Route(Struct, frozen=True):
    """A routed link: its corners from the source port to the arrow's tip, in page points."""

    number: int
    points: list[tuple[float, float]]


class _Search:
    """A* for one link over the grid, avoiding what earlier links took."""

    def __init__(self, grid: Grid) -> None:
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
        # The distance left from each column and each row (weighted as a sum: the same
        # floats, so the same ties, as the whole distance times GREED).
        tx, ty = target
        across = [abs(x - tx) for x in self.grid.xs]
        down = [abs(y - ty) for y in self.grid.ys]
        taken_steps, taken_at = self.taken_steps, self.taken_points.get
        steps, push, pop, inf = self.grid.steps, heapq.heappush, heapq.heappop, math.inf
        queue: list[tuple[float, float, int, int, int]] = []
        best: dict[tuple[int, int, int], float] = {}
        came: dict[tuple[int, int, int], tuple[int, int, int] | None] = {}
        for (i, j), cost in sorted(starts.items()):
            if taken_at((i, j), ACROSS) != ACROSS:
                continue  # a start may be crossed by another link, not taken along
            best[i, j, UP] = cost
            came[i, j, UP] = None
            push(queue, (cost + GREED * (across[i] + down[j]), cost, i, j, UP))
        budget = SEARCH_BUDGET
        while queue and budget:
            budget -= 1
            _, cost, i, j, heading = pop(queue)
            if heading == DONE:
                return self._path(came, (i, j, DONE))
            state = (i, j, heading)
            if cost > best[state]:
                continue
            used_here = taken_at((i, j))
            if (i, j) in goals and (used_here is None or (used_here, heading) == (ACROSS, UP)):
                # Down the stub to the port: settle when nothing cheaper is left to look at.
                done = cost + goals[i, j] + (BEND if heading == ACROSS else 0.0)
                if done < best.get((i, j, DONE), inf):
                    best[i, j, DONE] = done
                    came[i, j, DONE] = state
                    push(queue, (done, done, i, j, DONE))
            for ni, nj, way, walls, length, key in steps(i, j):
                if walls is not None and not walls <= hosts:
                    continue
                if key in taken_steps or (way != heading and used_here is not None):
                    continue  # no sharing a stretch, no turning where another link is
                used_next = taken_at((ni, nj))
                new = cost + length
                if used_next is not None:
                    if used_next != (ACROSS if way == UP else UP):
                        continue  # only crossing another link straight is allowed
                    new += CROSS
                if way != heading:
                    new += BEND
                nxt = (ni, nj, way)
                if new < best.get(nxt, inf):
                    best[nxt] = new
                    came[nxt] = state
                    push(queue, (new + GREED * (across[ni] + down[nj]), new, ni, nj, way))
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


def _stubs(grid: Grid, i: int, top: float, least: float) -> dict[tuple[int, int], float]:
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


def _under(grid: Grid, i: int, j: int, top: float) -> list[tuple[int, int]]:
    """Return the crossings on a port's line between crossing ``j`` and the cell's top."""
    return [(i, n) for n in grid.on_column[i] if grid.ys[j] < grid.ys[n] < top - MARGIN]


def route(board: Board, links: Sequence[Link]) -> list[Route]:
    """Return a route for every link that can be drawn, in link order; the others are left out."""
    if not links or board.bounds.height > MOST_HEIGHT:
        return []
    ports = _ports(board, links)
    xs_tracks: list[float] = []
    ys_tracks: list[float] = []
    for area in board.free:
        if area.width >= 2 * CLEAR and (area.height >= area.width or area.height >= 40):
            xs_tracks += tracks(area.left, area.right)
        if area.height >= 2 * CLEAR and (area.width >= area.height or area.width >= 40):
            ys_tracks += tracks(area.top, area.bottom)
    xs = dedupe(xs_tracks, keep=list(ports.values()))
    ys = dedupe(ys_tracks)
    if len(xs) * len(ys) > MOST_CROSSINGS:
        return []  # a page this big keeps its links' numbers only
    cells: dict[int, list[Rect]] = {}  # two cells may have a port on the same line
    for link in links:
        for role, ident in (("source", link.source), ("target", link.target)):
            cells.setdefault(xs.index(ports[link.number, role]), []).append(board.cells[ident])
    grid = Grid(board, xs, ys, cells)
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
