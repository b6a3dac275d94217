"""Links routed over the page's own geometry: orthogonal paths through the gaps between boxes.

The layout knows every box it drew (:mod:`.geometry`) and leaves room for links; the free
areas get tracks (:mod:`.tracks`). A link runs along tracks from a port on its source cell's
top edge to a port on its target's, turning where tracks cross; a VM's own cell, under its
stack, takes its links on the side facing the other end instead. The search
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
    SIDE_CLEAR,
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
CROSS = 400.0
#: What a stretch of its own bundle's trunk costs a link, as a share of its length: links
#: of a bundle merge.
TRUNK = 0.25


class Link(Struct, frozen=True):
    """A link to route: its number and the idents of its end cells (``Board.cells``).

    Links of one ``bundle`` (its id, not 0) share their ``shared`` end ("source" or
    "target"): one port there, and they may run together, merging into a trunk.
    """

    number: int
    source: str
    target: str
    bundle: int = 0
    shared: str = ""


class Route(Struct, frozen=True):
    """A routed link: its corners from the source port to the arrow's tip, in page points."""

    number: int
    points: list[tuple[float, float]]


class Port(Struct, frozen=True):
    """Where a link meets its cell: a point of its edge, and the way of the stub to it (UP
    for a port on the top edge, reached from above; ACROSS for one on a side)."""

    x: float
    y: float
    way: int = UP
    #: A side port's side: -1 the left edge (its stub runs left), 1 the right.
    side: int = 0


#: Room a side port's stub leaves for the arrowhead, from the cell's edge to the first turn.
SIDE_STUB = 8.0


class _Search:
    """A* for one link over the grid, avoiding what earlier links took."""

    def __init__(self, grid: Grid) -> None:
        self.grid = grid
        #: Stretches used, and the bundle of the link on each (0: a link of its own).
        self.taken_steps: dict[tuple[int, int, int, int], int] = {}
        #: Crossings used: TURN where a link turned, else the way (UP or ACROSS) it passed.
        self.taken_points: dict[tuple[int, int], int] = {}
        #: The bundle of the links at each crossing used (0: a link of its own).
        self.point_bundle: dict[tuple[int, int], int] = {}

    def run(
        self,
        starts: dict[tuple[int, int], tuple[float, int]],
        goals: dict[tuple[int, int], tuple[float, int]],
        hosts: frozenset[str],
        target: tuple[float, float],
        bundle: int = 0,
    ) -> list[tuple[int, int]] | None:
        """Return the crossings of the cheapest path from a start to a goal, or None.

        Starts and goals carry the length of their stub to the port and its way (UP for a
        stub down to a top edge, ACROSS for one to a side); a path that reaches its goal
        another way turns there, and pays for it. Weighted A*: the distance left counts
        GREED times. Another link may be crossed straight (at a cost), never joined: no
        shared stretch, no turn where another link passes; a link of ``bundle`` (not 0) may
        run along and turn on its own bundle's lines, at a fraction of the cost.
        """
        # The distance left from each column and each row (weighted as a sum: the same
        # floats, so the same ties, as the whole distance times GREED).
        tx, ty = target
        across = [abs(x - tx) for x in self.grid.xs]
        down = [abs(y - ty) for y in self.grid.ys]
        taken_steps, taken_at = self.taken_steps, self.taken_points.get
        owner_at = self.point_bundle.get
        steps, push, pop, inf = self.grid.steps, heapq.heappush, heapq.heappop, math.inf
        queue: list[tuple[float, float, int, int, int]] = []
        best: dict[tuple[int, int, int], float] = {}
        came: dict[tuple[int, int, int], tuple[int, int, int] | None] = {}
        for (i, j), (cost, way) in sorted(starts.items()):
            crossed = ACROSS if way == UP else UP
            own = bundle and owner_at((i, j)) == bundle
            if taken_at((i, j), crossed) != crossed and not own:
                continue  # a start may be crossed by another link, not taken along
            best[i, j, way] = cost
            came[i, j, way] = None
            push(queue, (cost + GREED * (across[i] + down[j]), cost, i, j, way))
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
            if used_here is not None and bundle and owner_at((i, j)) == bundle:
                used_here = None  # its own bundle's line: it may join, turn, end there
            goal = goals.get((i, j))
            if goal is not None:
                length, way = goal
                crossed = ACROSS if way == UP else UP
                if used_here is None or (used_here, heading) == (crossed, way):
                    # Along the stub to the port: settle when nothing cheaper is left.
                    done = cost + length + (BEND if heading != way else 0.0)
                    if done < best.get((i, j, DONE), inf):
                        best[i, j, DONE] = done
                        came[i, j, DONE] = state
                        push(queue, (done, done, i, j, DONE))
            for ni, nj, way, walls, length, key in steps(i, j):
                if walls is not None and not walls <= hosts:
                    continue
                taken = taken_steps.get(key)
                shared = bool(bundle) and taken == bundle
                if (taken is not None and not shared) or (way != heading and used_here is not None):
                    continue  # no sharing a stretch, no turning where another link is
                used_next = taken_at((ni, nj))
                if used_next is not None and bundle and owner_at((ni, nj)) == bundle:
                    used_next = None
                new = cost + (length * TRUNK if shared else length)
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
        self, stubs: dict[tuple[int, int], float], port: Port, bundle: int = 0
    ) -> dict[tuple[int, int], tuple[float, int]]:
        """Return the crossings beside a port whose stub to it no other link has taken
        (another may cross it; its own ``bundle`` may share it), with the stub's length and
        way."""
        found = {}
        crossed = ACROSS if port.way == UP else UP
        for (i, j), length in stubs.items():
            chain = [*_under(self.grid, i, j, port)[::-1], (i, j)]
            steps = [
                (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
                for a, b in pairwise(chain)
            ]
            clear = all(
                self.taken_points.get(node, crossed) == crossed
                or (bundle and self.point_bundle.get(node) == bundle)
                for node in chain
            )
            free = all(
                step not in self.taken_steps or (bundle and self.taken_steps[step] == bundle)
                for step in steps
            )
            if clear and free:
                found[i, j] = (length, port.way)
        return found

    def take(self, path: list[tuple[int, int]], ends: tuple[int, int], bundle: int = 0) -> None:
        """Mark a found path's stretches and crossings as taken, by ``bundle``; ``ends`` are
        the ways of the stubs at its start and at its end."""
        for (i, j), (ni, nj) in pairwise(path):
            self.taken_steps[min(i, ni), min(j, nj), max(i, ni), max(j, nj)] = bundle
        for index, (i, j) in enumerate(path):
            before_here = self.point_bundle.get((i, j))
            # A crossing two links not of one bundle use is nobody's to turn at.
            mixed = before_here is not None and before_here != bundle
            self.point_bundle[i, j] = -1 if mixed else bundle
            before = path[index - 1] if index else None
            after = path[index + 1] if index + 1 < len(path) else None
            ways = {UP if other[0] == i else ACROSS for other in (before, after) if other}
            if index == 0:
                ways.add(ends[0])
            if index == len(path) - 1:
                ways.add(ends[1])
            self.taken_points[i, j] = TURN if len(ways) > 1 else ways.pop()


def _ports(board: Board, links: Sequence[Link]) -> dict[tuple[int, str], Port]:
    """Return each link end's port on its cell: on its top edge (or its span), or on the side
    facing the other end for the cells of ``board.sides``.

    Ends are ordered so that links nest rather than cross: those heading left on the left of
    the cell, those heading right on its right; of those heading one way, the one whose
    other end is further away leaves further out (it runs above the nearer one, round it).
    """
    ends: dict[tuple[str, int], list[tuple[tuple[float, ...], int, str]]] = {}
    #: A bundle's shared end: one port, where its first link's end is put.
    first: dict[int, int] = {}
    for link in links:
        for role, mine, other in (
            ("source", link.source, link.target),
            ("target", link.target, link.source),
        ):
            if link.bundle and role == link.shared:
                if link.bundle in first:
                    continue  # the bundle's port is its first link's (below)
                first[link.bundle] = link.number
            there, here = _middle(board, other), _middle(board, mine)
            order = link.number if role == "source" else -link.number
            side = 0 if mine not in board.sides else (1 if there >= here else -1)
            if side:
                key: tuple[float, ...] = (_height(board, other),)
            else:
                key = (0, -there) if there < here else (1, -there)
            ends.setdefault((mine, side), []).append((key, order, role))
    ports: dict[tuple[int, str], Port] = {}
    lines: list[float] = []  # the top ports' lines so far, sorted
    for (ident, side), entries in ends.items():
        cell = board.cells[ident]
        entries.sort()
        if side:
            step = (cell.bottom - cell.top) / (len(entries) + 1)
            edge = cell.right if side > 0 else cell.left
            for k, (_, order, role) in enumerate(entries, start=1):
                y = round(cell.top + step * k, 2)
                ports[abs(order), role] = Port(edge, y, ACROSS, side)
            continue
        left, right = board.spans.get(ident, (cell.left, cell.right))
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
            ports[abs(order), role] = Port(x, cell.top)
    for link in links:
        if link.bundle and (link.number, link.shared) not in ports:
            ports[link.number, link.shared] = ports[first[link.bundle], link.shared]
    return ports


def _height(board: Board, ident: str) -> float:
    return board.cells[ident].top


def _middle(board: Board, ident: str) -> float:
    cell = board.cells[ident]
    left, right = board.spans.get(ident, (cell.left, cell.right))
    return (left + right) / 2


def _stubs(grid: Grid, port: Port, least: float) -> dict[tuple[int, int], float]:
    """Return the crossings a port's stub reaches straight from the port, at least ``least``
    from it, with the stub's length: up from a top port, out from a side port."""
    found: dict[tuple[int, int], float] = {}
    if port.way == UP:
        i = grid.xs.index(port.x)
        line, column = grid.columns[i], grid.on_column[i]
        k = bisect_left(column, bisect_left(grid.ys, port.y - MARGIN)) - 1
        while k >= 0:
            j = column[k]
            y = grid.ys[j]
            clear, walls = line.clear(y, port.y - MARGIN)
            if not clear or walls:
                break
            if port.y - y >= least:
                found[i, j] = port.y - y
            k -= 1
        return found
    j = grid.ys.index(port.y)
    line, row = grid.rows[j], grid.on_row[j]
    start = port.x + port.side * MARGIN
    order = row if port.side > 0 else row[::-1]
    for i in order:
        x = grid.xs[i]
        if (x - start) * port.side <= 0:
            continue  # on the cell's side of the port
        clear, walls = line.clear(start, x)
        if not clear or walls:
            break
        if abs(x - port.x) >= min(least, SIDE_STUB):
            found[i, j] = abs(x - port.x)
    return found


def _under(grid: Grid, i: int, j: int, port: Port) -> list[tuple[int, int]]:
    """Return the crossings on a port's stub between crossing ``i, j`` and the port."""
    if port.way == UP:
        return [(i, n) for n in grid.on_column[i] if grid.ys[j] < grid.ys[n] < port.y - MARGIN]
    low, high = sorted((grid.xs[i], port.x))
    between = [
        (n, j)
        for n in grid.on_row[j]
        if low < grid.xs[n] < high and abs(grid.xs[n] - port.x) > MARGIN
    ]
    return between if port.side < 0 else between[::-1]  # from the crossing to the port


def route(board: Board, links: Sequence[Link]) -> list[Route]:
    """Return a route for every link that can be drawn, in link order; the others are left out."""
    if not links or board.bounds.height > MOST_HEIGHT:
        return []
    ports = _ports(board, links)
    xs_tracks: list[float] = []
    ys_tracks: list[float] = []
    for area in board.free:
        if area.width >= 2 * CLEAR and (area.height >= area.width or area.height >= 40):
            xs_tracks += tracks(area.left, area.right, SIDE_CLEAR)
        if area.height >= 2 * CLEAR and (area.width >= area.height or area.width >= 40):
            ys_tracks += tracks(area.top, area.bottom)
    tops = [port for port in ports.values() if port.way == UP]
    sides = [port for port in ports.values() if port.way == ACROSS]
    xs = dedupe(xs_tracks, keep=[port.x for port in tops])
    ys = dedupe(ys_tracks, keep=[port.y for port in sides])
    if len(xs) * len(ys) > MOST_CROSSINGS:
        return []  # a page this big keeps its links' numbers only
    cells: dict[int, list[Rect]] = {}  # two cells may have a port on the same line
    for link in links:
        for role, ident in (("source", link.source), ("target", link.target)):
            port = ports[link.number, role]
            if port.way == UP:
                cells.setdefault(xs.index(port.x), []).append(board.cells[ident])
    # Beside a side port, its stub and arrowhead: no link runs up or down through them.
    beside = [
        Rect(
            min(port.x, port.x + port.side * SIDE_STUB),
            port.y - MARGIN,
            max(port.x, port.x + port.side * SIDE_STUB),
            port.y + MARGIN,
        )
        for port in sides
    ]
    grid = Grid(board, xs, ys, cells, beside)

    def distance(link: Link) -> float:
        a, b = board.cells[link.source], board.cells[link.target]
        return abs(a.left - b.left) + abs(a.top - b.top)

    order = sorted(links, key=lambda link: (distance(link), link.number))
    found = _route_in_order(board, grid, ports, order)
    if len(found) < len(links):
        # A long link found no way left by the short ones: once more, those it could not
        # draw first; the order that draws more links is kept (the first on a tie).
        late = [link for link in order if link.number not in found]
        again = _route_in_order(board, grid, ports, late + [k for k in order if k not in late])
        if len(again) > len(found):
            found = again
    _untangle(board, grid, ports, order, found)
    return [found[number].route for number in sorted(found)]


class _Found(Struct):
    """A link's path over the grid (its stubs included), the ways of its two stubs, and its
    route on the page."""

    link: Link
    path: list[tuple[int, int]]
    ends: tuple[int, int]
    route: Route


def _route_in_order(
    board: Board, grid: Grid, ports: dict[tuple[int, str], Port], order: Sequence[Link]
) -> dict[int, _Found]:
    """Return the paths found for ``order``'s links, each avoiding those before it."""
    search = _Search(grid)
    found: dict[int, _Found] = {}
    for link in order:
        one = _find(board, grid, ports, search, link)
        if one is not None:
            search.take(one.path, one.ends, link.bundle)
            found[link.number] = one
    return found


def _find(
    board: Board, grid: Grid, ports: dict[tuple[int, str], Port], search: _Search, link: Link
) -> _Found | None:
    """Return the cheapest path for ``link`` past what ``search`` has taken, or None."""
    source, target = ports[link.number, "source"], ports[link.number, "target"]
    bundle = link.bundle
    starts = search.untaken(_stubs(grid, source, STUB), source, bundle)
    goals = search.untaken(_stubs(grid, target, STUB), target, bundle)
    hosts = frozenset({board.hosts[link.source], board.hosts[link.target]})
    path = search.run(starts, goals, hosts, (target.x, target.y), bundle)
    if path is None:
        return None
    (si, sj), (ti, tj) = path[0], path[-1]
    path = _under(grid, si, sj, source)[::-1] + path + _under(grid, ti, tj, target)
    points = [(source.x, source.y)]
    points += [(grid.xs[i], grid.ys[j]) for i, j in path]
    points.append((target.x, target.y))
    route = Route(link.number, _corners(points))
    return _Found(link, path, (source.way, target.way), route)


def _crossed(search: _Search, path: list[tuple[int, int]], bundle: int) -> int:
    """Return how many other links ``path`` crosses (the crossings others pass straight)."""
    return sum(
        1
        for node in path
        if search.taken_points.get(node) in (UP, ACROSS)
        and not (bundle and search.point_bundle.get(node) == bundle)
    )


def _ways(found: _Found) -> dict[tuple[int, int], int]:
    """Return the way a path goes at each crossing it passes: UP, ACROSS, or TURN."""
    path, ways = found.path, {}
    for index, node in enumerate(path):
        around = [path[k] for k in (index - 1, index + 1) if 0 <= k < len(path)]
        kinds = {UP if other[0] == node[0] else ACROSS for other in around}
        if index == 0:
            kinds.add(found.ends[0])
        if index == len(path) - 1:
            kinds.add(found.ends[1])
        ways[node] = TURN if len(kinds) > 1 else kinds.pop()
    return ways


def _crossing_links(found: dict[int, _Found]) -> set[int]:
    """Return the links whose path crosses another's (not one of its bundle's)."""
    passing: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for number, one in found.items():
        for node, way in _ways(one).items():
            passing.setdefault(node, []).append((number, one.link.bundle, way))
    crossing: set[int] = set()
    for users in passing.values():
        for number, bundle, way in users:
            for other, other_bundle, other_way in users:
                if other == number or (bundle and bundle == other_bundle):
                    continue
                if {way, other_way} == {UP, ACROSS}:
                    crossing.update((number, other))
    return crossing


def _untangle(
    board: Board,
    grid: Grid,
    ports: dict[tuple[int, str], Port],
    order: Sequence[Link],
    found: dict[int, _Found],
) -> None:
    """Route again, each with all the others in place, the links that cross another: a link
    routed early did not see the later ones, and may go round them instead."""
    crossing = _crossing_links(found)
    for link in order:
        current = found.get(link.number)
        if current is None or link.number not in crossing:
            continue
        search = _Search(grid)
        for other in found.values():
            if other.link.number != link.number:
                search.take(other.path, other.ends, other.link.bundle)
        before = _crossed(search, current.path, link.bundle)
        if not before:
            continue
        again = _find(board, grid, ports, search, link)
        if again is not None and _crossed(search, again.path, link.bundle) < before:
            found[link.number] = again


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
