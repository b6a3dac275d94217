"""Links' labels on their own lines: ``TCP 5432`` written on a run of the link it names.

Once the links are routed, each label goes on the longest horizontal run of its line where
it fits (then the shorter ones, then the vertical ones), centred on the line, its ground
knocked out behind it: it overlaps no box, no text, no other link's line and no other label,
and stays inside the page. A label that fits nowhere is replaced by the link's number (a few
points wide, it fits almost anywhere), which the panel lists with the label.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import pairwise

from msgspec import Struct

from .cells import line_height
from .geometry import Rect
from .metrics import engine_width
from .route import Route
from .tracks import ARROW, Board

__all__ = ["LABEL_SIZE", "Placed", "label_size", "place_labels"]

#: Labels are written at the detail size.
LABEL_SIZE = 9.0
#: Room either side of a label's text, inside its knock-out (points).
PAD_X = 2.0
#: How far apart the places tried along a run are (points).
SLIDE = 4.0
#: What a label keeps clear of around it: boxes, texts, lines and other labels (points).
KEEP = 1.0
#: Where it can, a label keeps this much further from other links' lines: a line running
#: close beside a label leaves no room for its own.
ROOM = 6.0


class Placed(Struct, frozen=True):
    """A label placed on its link: its text and the centre and size of its knock-out."""

    number: int
    text: str
    x: float
    y: float
    width: float
    height: float

    @property
    def rect(self) -> Rect:
        return Rect(
            self.x - self.width / 2,
            self.y - self.height / 2,
            self.x + self.width / 2,
            self.y + self.height / 2,
        )


def label_size(text: str) -> tuple[float, float]:
    """Return the width and height of a label's knock-out (whole points, as drawn)."""
    width = math.ceil(engine_width(text, LABEL_SIZE) * 1.04 + 2 * PAD_X)
    return float(width), float(math.ceil(line_height(LABEL_SIZE)))


Piece = tuple[float, float, float, float]


def _pieces(route: Route) -> list[Piece]:
    """Return the route's straight pieces as (x1, y1, x2, y2), the arrow's stretch left out."""
    points = route.points
    found = []
    for index, ((x1, y1), (x2, y2)) in enumerate(pairwise(points)):
        if index == len(points) - 2:  # the last piece ends in the arrowhead
            length = math.dist((x1, y1), (x2, y2))
            if length <= ARROW + 2:
                continue
            share = (length - ARROW - 2) / length
            x2, y2 = x1 + (x2 - x1) * share, y1 + (y2 - y1) * share
        found.append((x1, y1, x2, y2))
    return found


def _thin(piece: Piece) -> Rect:
    x1, y1, x2, y2 = piece
    return Rect(min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _meets(a: Rect, b: Rect, margin: float) -> bool:
    return (
        a.left < b.right + margin
        and b.left < a.right + margin
        and a.top < b.bottom + margin
        and b.top < a.bottom + margin
    )


def _candidates(piece: Piece, width: float, height: float) -> Iterable[tuple[float, float]]:
    """Yield the centres a label may take on ``piece``: from its middle outwards, the label
    within the piece's length (clear of the corners at its ends)."""
    x1, y1, x2, y2 = piece
    horizontal = y1 == y2
    low, high = (min(x1, x2), max(x1, x2)) if horizontal else (min(y1, y2), max(y1, y2))
    half = (width if horizontal else height) / 2 + 2 * KEEP
    first, last = low + half, high - half
    if first > last:
        return
    middle = (first + last) / 2
    steps = int((last - first) / 2 // SLIDE)
    for k in range(steps + 1):
        for along in (middle,) if k == 0 else (middle - k * SLIDE, middle + k * SLIDE):
            yield (along, y1) if horizontal else (x1, along)


def place_labels(
    board: Board,
    routes: Sequence[Route],
    texts: dict[int, str],
    numbers: dict[int, int],
    groups: dict[int, int] | None = None,
) -> dict[int, Placed]:
    """Return a placed label for each route: its text from ``texts`` where it fits, else its
    number (``numbers``, by route number: the link's number on the page); routes without a
    text get none, and a number that fits nowhere is left out.

    Routes of one of ``groups`` (a bundle) run together: a label may lie on their shared
    lines, and a bundle's label goes first on the pieces most of them share (its trunk).
    """
    group = groups or {}
    pieces = {found.number: _pieces(found) for found in routes}
    lines = [
        (group.get(number, number), _thin(piece))
        for number, found in pieces.items()
        for piece in found
    ]
    frames = [
        edge
        for frame in board.frames.values()
        for edge in (
            Rect(frame.left, frame.top, frame.right, frame.top),
            Rect(frame.left, frame.bottom, frame.right, frame.bottom),
            Rect(frame.left, frame.top, frame.left, frame.bottom),
            Rect(frame.right, frame.top, frame.right, frame.bottom),
        )
    ]
    boxes = [*board.boxes, *frames]
    inside = board.bounds.grown(-1)
    placed: dict[int, Placed] = {}

    # The most hemmed in first (the link whose longest run leaves its label least room):
    # a label on a long run can slide out of their way.
    def room(number: int) -> float:
        longest = max(
            (abs(p[2] - p[0]) + abs(p[3] - p[1]) for p in pieces.get(number, [])), default=0.0
        )
        return longest - label_size(texts[number])[0]

    order = sorted(texts, key=lambda number: (room(number), number))
    for number in order:
        own = pieces.get(number, [])
        mine = group.get(number, number)
        siblings = [rect for owner, rect in lines if owner == mine]
        ranked = sorted(
            own,
            key=lambda p: (
                -sum(_along(_thin(p), rect) for rect in siblings),
                p[1] != p[3],
                -(abs(p[2] - p[0]) + abs(p[3] - p[1])),
            ),
        )
        for text in dict.fromkeys((texts[number], str(numbers[number]))):
            width, height = label_size(text)
            others = [rect for owner, rect in lines if owner != mine]
            spot = _spot(ranked, width, height, _Around(boxes, others, own, placed, inside))
            if spot is not None:
                placed[number] = Placed(number, text, spot[0], spot[1], width, height)
                break
    return placed


def _along(a: Rect, b: Rect) -> bool:
    """Return whether two pieces run along one line for a stretch (a trunk's)."""
    if a.top == a.bottom == b.top == b.bottom:
        return min(a.right, b.right) - max(a.left, b.left) > SLIDE
    if a.left == a.right == b.left == b.right:
        return min(a.bottom, b.bottom) - max(a.top, b.top) > SLIDE
    return False


class _Around(Struct, frozen=True):
    """What a label must keep clear of: boxes and texts, other links' lines, the label's own
    link's pieces, the labels placed so far, and the page's inside."""

    boxes: list[Rect]
    others: list[Rect]
    own: list[Piece]
    placed: dict[int, Placed]
    inside: Rect


def _spot(
    ranked: list[Piece], width: float, height: float, around: _Around
) -> tuple[float, float] | None:
    """Return the first centre along ``ranked`` where a label of this size is clear of what
    is ``around``: first where no other line runs close beside it either (leaving those
    lines room for their own labels), then anywhere clear."""
    for roomy in (ROOM, 0.0):
        for piece in ranked:
            found = _clear_on(piece, width, height, around, roomy)
            if found is not None:
                return found
    return None


def _clear_on(
    piece: Piece, width: float, height: float, around: _Around, roomy: float
) -> tuple[float, float] | None:
    """Return the first centre on ``piece`` where the label is clear, and other lines are
    ``roomy`` points further off."""
    boxes, others, own, placed, inside = (
        around.boxes,
        around.others,
        around.own,
        around.placed,
        around.inside,
    )
    here = _thin(piece)
    area = here.grown(max(width, height) + roomy)
    near_boxes = [box for box in boxes if _meets(box, area, 0)]
    lines = [*others, *(_thin(p) for p in own if p != piece)]
    near_lines = [rect for rect in lines if _meets(rect, area, 0)]
    labels = [label.rect for label in placed.values()]
    for x, y in _candidates(piece, width, height):
        box = Rect(x - width / 2, y - height / 2, x + width / 2, y + height / 2)
        if not (
            inside.left <= box.left
            and box.right <= inside.right
            and inside.top <= box.top
            and box.bottom <= inside.bottom
        ):
            continue
        if any(_meets(box, other, KEEP) for other in near_boxes):
            continue
        if any(_meets(box, rect, KEEP + roomy) for rect in near_lines):
            continue
        if any(_meets(box, other, KEEP) for other in labels):
            continue
        return x, y
    return None
