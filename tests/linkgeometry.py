"""Read a rendered picture back out of its SVG and check the geometry of its drawn links.

Everything here works from the SVG alone: the boxes, texts and host frames a link must avoid,
the component cells it joins, and the links themselves (``<g class="edge">`` groups whose id ends
with ``link-N``). Coordinates are the graph's own points (inside its ``translate``), y growing
down. Each check returns a list of messages, empty when the picture passes.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

from diagramgen.draw.metrics import text_width

__all__ = [
    "MAX_DRAWN",
    "Link",
    "Obstacle",
    "Picture",
    "Point",
    "Rect",
    "crossing_points",
    "crossings",
    "ends_off_cells",
    "interleaved",
    "label_problems",
    "obstacles",
    "outside_picture",
    "overlapping_cells",
    "overlapping_runs",
    "read_picture",
    "shared_endpoints",
    "texts_outside_cells",
    "ungapped_crossings",
]

_SVG = "{http://www.w3.org/2000/svg}"

#: How far a link's start or arrow tip may lie from the border of its component's cell.
ON_EDGE = 1.5
#: The distance between two samples along a path.
STEP = 0.5
#: How near its start (end) a link may touch its source (target) cell and that cell's texts.
END_ZONE = 8.0
#: A sample this near a box's border hits it: half a stroke width.
CLEARANCE = 0.5
#: Start points and arrow tips of different links are at least this far apart.
ENDPOINT_GAP = 3.0
#: Parallel segments of two links nearer than this, side by side for longer than
#: ``SHARED_RUN``, run too close: two parallel lines read as two only 8 points apart.
PARALLEL_GAP = 8.0
SHARED_RUN = 2.0
#: A text's box around its baseline, as fractions of its size (DejaVu Sans ascent, descent).
ASCENT = 0.93
DESCENT = 0.24
#: Links after this many are never drawn.
MAX_DRAWN = 24

_NUMBER = r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_LINK_ID = re.compile(r"link-([0-9]+)$")


class Point(NamedTuple):
    x: float
    y: float

    def __str__(self) -> str:
        return f"({self.x:g}, {self.y:g})"


@dataclass(frozen=True)
class Rect:
    left: float
    top: float
    right: float
    bottom: float

    def __str__(self) -> str:
        return f"[{self.left:g}..{self.right:g} x {self.top:g}..{self.bottom:g}]"

    def grown(self, margin: float) -> Rect:
        return Rect(
            self.left - margin, self.top - margin, self.right + margin, self.bottom + margin
        )

    def holds(self, point: Point) -> bool:
        return self.left <= point.x <= self.right and self.top <= point.y <= self.bottom

    def encloses(self, other: Rect, tolerance: float = 0.01) -> bool:
        return (
            self.left - tolerance <= other.left
            and self.top - tolerance <= other.top
            and other.right <= self.right + tolerance
            and other.bottom <= self.bottom + tolerance
        )

    def shared_area(self, other: Rect) -> float:
        width = min(self.right, other.right) - max(self.left, other.left)
        height = min(self.bottom, other.bottom) - max(self.top, other.top)
        return max(width, 0.0) * max(height, 0.0)

    def border_distance(self, point: Point) -> float:
        """Return how far ``point`` is from the rectangle's border (inside or outside)."""
        dx = max(self.left - point.x, 0.0, point.x - self.right)
        dy = max(self.top - point.y, 0.0, point.y - self.bottom)
        if dx or dy:
            return math.hypot(dx, dy)
        return min(
            point.x - self.left, self.right - point.x, point.y - self.top, self.bottom - point.y
        )


def _bounds(points: Sequence[Point]) -> Rect:
    xs = [p.x for p in points]
    ys = [p.y for p in points]
    return Rect(min(xs), min(ys), max(xs), max(ys))


@dataclass(frozen=True)
class Polygon:
    """A filled or stroked table cell (or panel frame) as drawn."""

    rect: Rect
    fill: str
    stroke: str
    node: str  # the id of the node it is drawn in ("" for the graph itself)
    owner: str | None  # the component whose own cell this is


@dataclass(frozen=True)
class Text:
    rect: Rect
    content: str
    node: str
    owner: str | None
    edge: int | None  # the number of the link this text labels


@dataclass(frozen=True)
class Frame:
    """A host's rounded frame."""

    host: str
    rect: Rect
    fill: str


@dataclass(frozen=True)
class Link:
    """A drawn link: its path's corners, its arrow, and what is wrong with their shape; the
    gaps it leaves where others cross it (its path drawn in pieces around each); its label's
    knock-out, if it has one."""

    number: int
    ident: str
    points: tuple[Point, ...]
    arrow: tuple[Point, ...]
    tip: Point
    faults: tuple[str, ...]
    gaps: tuple[Point, ...] = ()
    label: Rect | None = None

    @property
    def start(self) -> Point:
        return self.points[0]

    def route(self) -> tuple[Point, ...]:
        """Return the corners from the start to the arrow's tip."""
        return (*self.points, self.tip) if self.tip != self.points[-1] else self.points


@dataclass(frozen=True)
class Picture:
    prefix: str
    view: Rect  # the viewBox, in graph points
    background: str
    cells: dict[str, Rect]  # component id -> its own cell
    frames: tuple[Frame, ...]
    polygons: tuple[Polygon, ...]
    texts: tuple[Text, ...]
    links: tuple[Link, ...]
    strays: tuple[str, ...]  # ids of edges that are not links

    def host_of(self, cell: Rect) -> Frame | None:
        return next((f for f in self.frames if f.rect.encloses(cell)), None)


@dataclass(frozen=True)
class Obstacle:
    rect: Rect
    name: str  # what a message calls it: the cell's group id, or the text
    owner: str | None
    margin: float
    edge: int | None = None


# Reading


def read_picture(svg: bytes | str) -> Picture:
    """Return the boxes, texts, frames, cells and drawn links of a rendered SVG."""
    root = ET.fromstring(svg)
    graph = next(g for g in root.iter(f"{_SVG}g") if g.get("class") == "graph")
    prefix = (graph.get("id") or "").removesuffix("graph0")
    reader = _Reader(prefix)
    reader.walk(graph, node="", owner=None)
    polygons = tuple(reader.polygons)
    background = next((p.fill for p in polygons if p.node == "" and p.stroke == "none"), "none")
    return Picture(
        prefix=prefix,
        view=_view(root.get("viewBox") or "", graph.get("transform") or ""),
        background=background,
        cells={owner: _union(rects) for owner, rects in reader.cells.items()},
        frames=tuple(reader.frames),
        polygons=polygons,
        texts=tuple(reader.texts),
        links=tuple(sorted(reader.links, key=lambda link: link.number)),
        strays=tuple(reader.strays),
    )


def _union(rects: Sequence[Rect]) -> Rect:
    return Rect(
        min(r.left for r in rects),
        min(r.top for r in rects),
        max(r.right for r in rects),
        max(r.bottom for r in rects),
    )


def _view(view_box: str, transform: str) -> Rect:
    """Return the viewBox in graph points: undo the graph's ``scale(...) translate(...)``."""
    x, y, width, height = (float(v) for v in view_box.split())
    scale = re.search(rf"scale\(({_NUMBER})[ ,]*({_NUMBER})?\)", transform)
    shift = re.search(rf"translate\(({_NUMBER})[ ,]*({_NUMBER})?\)", transform)
    sx = float(scale.group(1)) if scale else 1.0
    sy = float(scale.group(2) or sx) if scale else 1.0
    tx = float(shift.group(1)) if shift else 0.0
    ty = float(shift.group(2) or 0) if shift else 0.0
    return Rect(x / sx - tx, y / sy - ty, (x + width) / sx - tx, (y + height) / sy - ty)


class _Reader:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.polygons: list[Polygon] = []
        self.texts: list[Text] = []
        self.frames: list[Frame] = []
        self.links: list[Link] = []
        self.strays: list[str] = []
        self.cells: dict[str, list[Rect]] = {}

    def walk(self, element: ET.Element, node: str, owner: str | None) -> None:
        for child in element:
            tag = child.tag.removeprefix(_SVG)
            ident = child.get("id") or ""
            if tag == "g" and child.get("class") == "edge":
                self.edge(child)
            elif tag == "g":
                inner_node = ident if child.get("class") == "node" else node
                cell = ident.removeprefix(f"{self.prefix}a_c-")
                self.walk(child, inner_node, cell if cell != ident else owner)
            elif tag == "polygon":
                self.polygon(child, node, owner)
            elif tag == "text":
                self.text(child, node, owner, None)
            elif tag == "path" and node.startswith(f"{self.prefix}host-"):
                self.frame(child, node.removeprefix(f"{self.prefix}host-"))
            elif tag == "a":
                self.walk(child, node, owner)

    def polygon(self, element: ET.Element, node: str, owner: str | None) -> None:
        rect = _bounds(_points(element.get("points") or ""))
        self.polygons.append(
            Polygon(rect, element.get("fill", "none"), element.get("stroke", "none"), node, owner)
        )
        if owner is not None:
            self.cells.setdefault(owner, []).append(rect)

    def text(self, element: ET.Element, node: str, owner: str | None, edge: int | None) -> None:
        content = "".join(element.itertext())
        if content.strip():
            self.texts.append(Text(text_box(element, content), content, node, owner, edge))

    def frame(self, element: ET.Element, host: str) -> None:
        rect = _bounds(_path_numbers(element.get("d") or ""))
        fill = element.get("fill", "none")
        known = next((f for f in self.frames if f.host == host), None)
        if known is None:
            self.frames.append(Frame(host, rect, fill))
        elif known.fill == "none" and fill != "none":
            self.frames[self.frames.index(known)] = Frame(host, known.rect, fill)

    def edge(self, group: ET.Element) -> None:
        ident = group.get("id") or ""
        match = _LINK_ID.search(ident)
        if match is None:
            self.strays.append(ident)
            return
        number = int(match.group(1))
        paths = list(group.iter(f"{_SVG}path"))
        polygons = list(group.iter(f"{_SVG}polygon"))
        # The arrowhead is stroked; a label's knock-out is a fill alone.
        arrows = [p for p in polygons if p.get("stroke", "none") != "none"]
        grounds = [p for p in polygons if p.get("stroke", "none") == "none"]
        for text in group.iter(f"{_SVG}text"):
            self.text(text, "", None, number)
        self.links.append(_link(number, ident, paths, arrows, grounds))


#: The most a gap in a line may span where another crosses it (points).
MAX_GAP = 8.0


def _link(
    number: int,
    ident: str,
    paths: list[ET.Element],
    arrows: list[ET.Element],
    grounds: Sequence[ET.Element] = (),
) -> Link:
    faults = []
    if not paths:
        faults.append("has no <path>")
    if len(arrows) != 1:
        faults.append(f"has {len(arrows)} <polygon> arrowheads, not 1")
    if len(grounds) > 1:
        faults.append(f"has {len(grounds)} label grounds, not at most 1")
    points: list[Point] = []
    gaps: list[Point] = []
    for path in paths:
        corners, path_faults = _orthogonal_corners(path.get("d") or "")
        faults.extend(path_faults)
        if points:
            # A piece after a gap goes on along the line the last one left off.
            stop, go = points[-1], corners[0]
            before = points[-2] if len(points) > 1 else stop
            straight = (stop.x == go.x == before.x) or (stop.y == go.y == before.y)
            if not straight or math.dist(stop, go) > MAX_GAP:
                faults.append(f"a gap from {stop} to {go} is not a crossing's")
            gaps.append(Point((stop.x + go.x) / 2, (stop.y + go.y) / 2))
        points.extend(corners)
    if not points:
        points = [Point(0, 0)]
    arrow = tuple(_points(arrows[0].get("points") or "")) if arrows else ()
    stroke = float(arrows[0].get("stroke-width", 1)) if arrows else 1.0
    tip = _tip(points, arrow, stroke)
    label = _bounds(_points(grounds[0].get("points") or "")) if grounds else None
    return Link(number, ident, tuple(points), arrow, tip, tuple(faults), tuple(gaps), label)


def _points(text: str) -> list[Point]:
    values = [float(v) for v in re.findall(_NUMBER, text)]
    return [Point(x, y) for x, y in zip(values[::2], values[1::2], strict=False)]


def _path_numbers(d: str) -> list[Point]:
    return _points(re.sub("[A-Za-z]", " ", d))


def _orthogonal_corners(d: str) -> tuple[tuple[Point, ...], list[str]]:
    """Return the corners of a path of horizontal and vertical pieces, and its faults.

    Graphviz writes a polyline as cubic Béziers whose control points lie on each piece.
    """
    tokens = re.findall(rf"[A-Za-z]|{_NUMBER}", d)
    if not tokens or tokens[0] != "M":
        return (Point(0, 0),), [f"path does not start with an absolute move: {d[:40]!r}"]
    faults: list[str] = []
    corners: list[Point] = []
    command = ""
    numbers: list[float] = []
    for token in [*tokens, "END"]:
        if token.isalpha() or token == "END":
            _apply(command, numbers, corners, faults)
            command, numbers = token, []
        else:
            numbers.append(float(token))
    for start, end in pairwise(corners):
        if abs(start.x - end.x) > 0.01 and abs(start.y - end.y) > 0.01:
            faults.append(f"piece {start} -> {end} is neither horizontal nor vertical")
    return tuple(corners), faults


def _apply(command: str, numbers: list[float], corners: list[Point], faults: list[str]) -> None:
    points = [Point(x, y) for x, y in zip(numbers[::2], numbers[1::2], strict=False)]
    if command == "M":
        corners.extend(points[:1])
        corners.extend(points[1:])
    elif command == "L":
        corners.extend(points)
    elif command == "C":
        for index in range(0, len(points) - 2, 3):
            first, second, end = points[index : index + 3]
            start = corners[-1]
            if not (_on_piece(first, start, end) and _on_piece(second, start, end)):
                faults.append(f"piece {start} -> {end} is curved (controls {first}, {second})")
            corners.append(end)
    elif command:
        faults.append(f"path uses the {command!r} command")


def _on_piece(point: Point, start: Point, end: Point, tolerance: float = 0.01) -> bool:
    box = _bounds([start, end]).grown(tolerance)
    cross = (end.x - start.x) * (point.y - start.y) - (end.y - start.y) * (point.x - start.x)
    length = math.dist(start, end) or 1.0
    return box.holds(point) and abs(cross) / length <= tolerance


def _tip(points: Sequence[Point], arrow: Sequence[Point], stroke: float = 1.0) -> Point:
    """Return the visible tip of the arrowhead: its corner furthest along the path's last
    piece, moved on by the mitred outline (a stroke of width w reaches w / 2 / sin(a) past a
    corner of half-angle a; Graphviz sets the corner back by as much).

    This holds whether the path stops at the arrow's base (as Graphviz draws) or at its tip.
    """
    if not arrow:
        return points[-1]
    last = next((p for p in reversed(points[:-1]) if p != points[-1]), points[0])
    dx, dy = points[-1].x - last.x, points[-1].y - last.y
    corner = max(arrow, key=lambda p: p.x * dx + p.y * dy)
    base = [p for p in dict.fromkeys(arrow) if p != corner]
    length = math.hypot(dx, dy)
    if len(base) != 2 or not length:
        return corner
    sides = [math.atan2(p.y - corner.y, p.x - corner.x) for p in base]
    half = abs(math.remainder(sides[0] - sides[1], math.tau)) / 2
    reach = stroke / 2 / math.sin(half) if half > 0.01 else 0.0
    return Point(corner.x + dx / length * reach, corner.y + dy / length * reach)


def text_box(element: ET.Element, content: str) -> Rect:
    """Return the box a browser draws ``content`` in: unhinted advances, ascent to descent."""
    x, y = float(element.get("x", 0)), float(element.get("y", 0))
    size = float(element.get("font-size", 14))
    width = text_width(content, size, element.get("font-weight") == "bold")
    anchor = element.get("text-anchor", "start")
    left = x - {"start": 0.0, "middle": width / 2, "end": width}[anchor]
    return Rect(left, y - ASCENT * size, left + width, y + DESCENT * size)


# Obstacles


def obstacles(picture: Picture) -> list[Obstacle]:
    """Return what links must not cross: bordered or coloured boxes, and every text.

    A box is an obstacle if it has a stroke or a fill other than the ground it stands on (its
    host's frame fill, or the page). A fill polygon and the stroke polygon over it are one box.
    """
    grounds = {f"{picture.prefix}host-{f.host}": f.fill for f in picture.frames}
    boxes: dict[Rect, Obstacle] = {}
    for polygon in picture.polygons:
        ground = grounds.get(polygon.node, picture.background)
        filled = polygon.fill not in ("none", ground)
        if (polygon.stroke != "none" or filled) and polygon.rect not in boxes:
            name = _box_name(picture, polygon)
            boxes[polygon.rect] = Obstacle(polygon.rect, name, polygon.owner, CLEARANCE)
    texts = [
        Obstacle(t.rect, f"text {t.content.strip()!r}", t.owner, 0.0, t.edge) for t in picture.texts
    ]
    return [*boxes.values(), *texts]


def _box_name(picture: Picture, polygon: Polygon) -> str:
    if polygon.owner is not None:
        return f"cell {picture.prefix}a_c-{polygon.owner}"
    inside = [t.content.strip() for t in picture.texts if polygon.rect.encloses(t.rect, 0.5)]
    where = f" in {polygon.node}" if polygon.node else ""
    if inside and len(inside) <= 3:
        return f"cell {' / '.join(repr(t) for t in inside)}{where}"
    return f"box {polygon.rect}{where}"


# Checks on one link


def ends_off_cells(link: Link, source: Rect, target: Rect) -> list[str]:
    """Return where the link's start or arrow tip is not on its cell's border."""
    problems = []
    for what, point, cell in (("starts", link.start, source), ("ends", link.tip, target)):
        distance = cell.border_distance(point)
        if distance > ON_EDGE:
            problems.append(f"{what} at {point}, {distance:.1f} pt from the border of {cell}")
    return problems


def samples(route: Sequence[Point]) -> Iterator[Point]:
    """Yield points every ``STEP`` pt along a polyline, its corners included."""
    yield route[0]
    for start, end in pairwise(route):
        count = max(1, math.ceil(math.dist(start, end) / STEP))
        for index in range(1, count + 1):
            share = index / count
            yield Point(start.x + (end.x - start.x) * share, start.y + (end.y - start.y) * share)


def crossings(
    picture: Picture,
    link: Link,
    source: str,
    target: str,
    found: Sequence[Obstacle],
    siblings: frozenset[int] = frozenset(),
) -> list[str]:
    """Return each obstacle the link crosses, with the first point where it does.

    The source (target) cell and its texts may be touched within ``END_ZONE`` of the start
    (tip); boxes enclosing an endpoint's cell are its frames, as are the hosts it stands in.
    The labels of its ``siblings`` (its bundle, which runs along it) are its own.
    """
    ends = {source: link.start, target: link.tip}
    cells = [picture.cells[source], picture.cells[target]]
    candidates = [
        o
        for o in [*found, *_foreign_frames(picture, cells)]
        if o.edge != link.number
        and o.edge not in siblings
        and not any(o.rect.encloses(c) and o.rect != c for c in cells)
    ]
    hits = []
    for obstacle in candidates:
        end = ends.get(obstacle.owner) if obstacle.owner is not None else None
        hit = _first_hit(link.route(), obstacle.rect.grown(obstacle.margin), end)
        if hit is not None:
            hits.append((hit, f"crosses {obstacle.name} at {hit[1]}"))
    return [message for _, message in sorted(hits)]


def _first_hit(route: Sequence[Point], area: Rect, end: Point | None) -> tuple[float, Point] | None:
    """Return the first sample of ``route`` in ``area`` and how far along the route it is.

    Samples within ``END_ZONE`` of ``end`` do not count.
    """
    travelled = 0.0
    for start, stop in pairwise(route):
        if _meets(start, stop, area):
            for point in samples((start, stop)):
                if area.holds(point) and (end is None or math.dist(point, end) > END_ZONE):
                    return travelled + math.dist(start, point), point
        travelled += math.dist(start, stop)
    return None


def _meets(start: Point, stop: Point, area: Rect) -> bool:
    """Return whether the bounds of the piece from ``start`` to ``stop`` meet ``area``."""
    piece = _bounds([start, stop])
    return (
        piece.left <= area.right
        and area.left <= piece.right
        and piece.top <= area.bottom
        and area.top <= piece.bottom
    )


def _foreign_frames(picture: Picture, cells: Sequence[Rect]) -> list[Obstacle]:
    return [
        Obstacle(f.rect, f"the frame of host {f.host!r}", None, CLEARANCE)
        for f in picture.frames
        if not any(f.rect.encloses(c) for c in cells)
    ]


def outside_picture(picture: Picture, link: Link) -> list[str]:
    """Return the corners of the link's path or arrow that lie outside the viewBox."""
    return [
        f"leaves the picture at {p} (viewBox {picture.view})"
        for p in (*link.points, *link.arrow)
        if not picture.view.holds(p)
    ]


# Checks between links


def shared_endpoints(links: Sequence[Link], groups: dict[int, int] | None = None) -> list[str]:
    """Return pairs of links whose start points or arrow tips are nearer than ``ENDPOINT_GAP``
    (links of one of ``groups``, a bundle, share their shared end)."""
    group = groups or {}
    ends = [
        (link.number, what, p)
        for link in links
        for what, p in (("start", link.start), ("tip", link.tip))
    ]
    problems = []
    for index, (number, what, point) in enumerate(ends):
        for other, other_what, other_point in ends[index + 1 :]:
            if group.get(other, other) == group.get(number, number):
                continue
            if math.dist(point, other_point) < ENDPOINT_GAP:
                problems.append(
                    f"link {number} {what} {point} and link {other} {other_what} {other_point} "
                    f"are {math.dist(point, other_point):.1f} pt apart"
                )
    return problems


#: No link runs across this close above another link's start or arrow tip: an arrowhead is
#: 6 pt long, so a crossing line passes at least 4 pt above it and is not read as its own.
ABOVE_ENDS = 10.0


def runs_over_ends(links: Sequence[Link]) -> list[str]:
    """Return links running across within ``ABOVE_ENDS`` above another link's start or tip.

    Ends are on cells' top edges, and the SVG's ``y`` grows downwards: "above" is smaller y.
    """
    problems = []
    for link in links:
        for what, end in (("start", link.start), ("tip", link.tip)):
            for other in links:
                if other is link:
                    continue
                for direction, at, low, high in _runs(other):
                    height = end.y - at
                    across = direction == "horizontal" and low - 0.5 < end.x < high + 0.5
                    if across and 0 < height < ABOVE_ENDS - 0.01:
                        problems.append(
                            f"link {other.number} runs across {height:.1f} pt above "
                            f"link {link.number}'s {what} {end}"
                        )
    return problems


def _runs(link: Link) -> Iterator[tuple[str, float, float, float]]:
    """Yield each straight piece as (direction, its line, from, to)."""
    for start, end in pairwise(link.route()):
        if abs(start.y - end.y) <= 0.01 and start.x != end.x:
            yield "horizontal", start.y, min(start.x, end.x), max(start.x, end.x)
        elif abs(start.x - end.x) <= 0.01 and start.y != end.y:
            yield "vertical", start.x, min(start.y, end.y), max(start.y, end.y)


def overlapping_runs(links: Sequence[Link], groups: dict[int, int] | None = None) -> list[str]:
    """Return pairs of links with parallel pieces nearer than ``PARALLEL_GAP`` (links of one
    of ``groups``, a bundle, run together on their trunk)."""
    group = groups or {}
    problems = []
    for index, link in enumerate(links):
        for other in links[index + 1 :]:
            if group.get(other.number, other.number) == group.get(link.number, link.number):
                continue
            for direction, line, low, high in _runs(link):
                for other_direction, other_line, other_low, other_high in _runs(other):
                    shared = min(high, other_high) - max(low, other_low)
                    if (
                        direction == other_direction
                        and abs(line - other_line) < PARALLEL_GAP
                        and shared > SHARED_RUN
                    ):
                        problems.append(
                            f"links {link.number} and {other.number} run too close: "
                            f"{direction} at {line:g} and {other_line:g}, for {shared:g} pt"
                        )
    return problems


# Crossings and labels


def crossing_points(link: Link, other: Link) -> list[Point]:
    """Return where a horizontal piece of one link crosses a vertical piece of the other
    (inside both pieces: not at their ends)."""
    found = []
    for a, b in ((link, other), (other, link)):
        for direction, line, low, high in _runs(a):
            if direction != "horizontal":
                continue
            for other_direction, at, other_low, other_high in _runs(b):
                if other_direction != "vertical":
                    continue
                if low + 0.5 < at < high - 0.5 and other_low + 0.5 < line < other_high - 0.5:
                    found.append(Point(at, line))
    return found


def ungapped_crossings(links: Sequence[Link], groups: dict[int, int] | None = None) -> list[str]:
    """Return crossings of two links where neither line leaves a gap (a crossing drawn as a
    plain cross reads as a junction)."""
    group = groups or {}
    problems = []
    for index, link in enumerate(links):
        for other in links[index + 1 :]:
            if group.get(other.number, other.number) == group.get(link.number, link.number):
                continue
            for point in crossing_points(link, other):
                gaps = [*link.gaps, *other.gaps]
                if not any(math.dist(point, gap) <= 1.0 for gap in gaps):
                    problems.append(
                        f"links {link.number} and {other.number} cross at {point} with no gap"
                    )
    return problems


def interleaved(a: Sequence[float], b: Sequence[float]) -> bool:
    """Return whether two links whose ends are at ``a`` and ``b`` along one row interleave:
    exactly one end of one lies between the ends of the other."""
    low, high = sorted(a)
    return (low < b[0] < high) != (low < b[1] < high)


def label_problems(picture: Picture, groups: dict[int, int] | None = None) -> list[str]:
    """Return each label not on its own line, outside the picture, or over a box, another
    text, another label or another link's line."""
    group = groups or {}
    problems = []
    found = obstacles(picture)
    for link in picture.links:
        label = link.label
        if label is None:
            continue
        name = f"link {link.number}'s label {label}"
        middle = Point((label.left + label.right) / 2, (label.top + label.bottom) / 2)
        along = min(_distance(middle, a, b) for a, b in pairwise(link.route()))
        if along > 1.0:
            problems.append(f"{name} is {along:.1f} pt from its line")
        if not picture.view.encloses(label):
            problems.append(f"{name} leaves the picture")
        inner = label.grown(-0.5)
        for obstacle in found:
            if obstacle.edge == link.number or obstacle.rect.encloses(label):
                continue  # its own text; a host's frame or fill it stands in
            if _overlaps(inner, obstacle.rect):
                problems.append(f"{name} overlaps {obstacle.name}")
        for other in picture.links:
            if group.get(other.number, other.number) == group.get(link.number, link.number):
                continue
            if other.label is not None and _overlaps(inner, other.label):
                problems.append(f"{name} overlaps link {other.number}'s label")
            for a, b in pairwise(other.route()):
                if _overlaps(inner, _bounds([a, b])):
                    problems.append(f"{name} is crossed by link {other.number}")
                    break
    return problems


def _distance(point: Point, a: Point, b: Point) -> float:
    """Return the distance from ``point`` to the straight piece from ``a`` to ``b``."""
    box = _bounds([a, b])
    x = min(max(point.x, box.left), box.right)
    y = min(max(point.y, box.top), box.bottom)
    return math.dist(point, (x, y))


def _overlaps(a: Rect, b: Rect) -> bool:
    return a.left < b.right and b.left < a.right and a.top < b.bottom and b.top < a.bottom


# Self-checks of the reading (no links needed)


def texts_outside_cells(picture: Picture) -> list[str]:
    """Return the texts of hosts and panel whose box is not inside the cell they sit in."""
    problems = []
    for text in picture.texts:
        if not text.node:
            continue
        middle = Point(
            (text.rect.left + text.rect.right) / 2, (text.rect.top + text.rect.bottom) / 2
        )
        around = [p.rect for p in picture.polygons if p.node == text.node and p.rect.holds(middle)]
        if not around:
            problems.append(f"text {text.content!r} {text.rect} is in no cell")
            continue
        cell = min(around, key=lambda r: (r.right - r.left) * (r.bottom - r.top))
        if not cell.encloses(text.rect, 0.5):
            problems.append(f"text {text.content!r} {text.rect} sticks out of its cell {cell}")
    return problems


def overlapping_cells(picture: Picture) -> list[str]:
    """Return pairs of cells that overlap without one holding the other."""
    rects = list(dict.fromkeys(p.rect for p in picture.polygons if p.node))
    problems = []
    for index, rect in enumerate(rects):
        for other in rects[index + 1 :]:
            if rect.shared_area(other) > 0.01 and not (
                rect.encloses(other) or other.encloses(rect)
            ):
                problems.append(f"cells {rect} and {other} overlap")
    return problems
