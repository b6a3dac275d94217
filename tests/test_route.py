"""The router: its geometry is Graphviz's to the point, and its paths keep to the rules.

tests/test_link_geometry.py checks the drawn links from the SVG alone; these tests check the
router's own promises on small boards built by hand, and that the rectangles it routes over
are where Graphviz draws the cells.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from itertools import pairwise
from pathlib import Path

import pytest

import diagramgen
from diagramgen.accounting import compute
from diagramgen.draw.geometry import Rect
from diagramgen.draw.layout import MOST_ENDS, geometry
from diagramgen.draw.route import MOST_CROSSINGS, MOST_HEIGHT, Link, Route, route
from diagramgen.draw.themes import drawn_theme
from diagramgen.draw.tracks import CLEAR, STUB, Board
from diagramgen.settings import Settings
from diagramgen.spec import load, load_text

from .conftest import DATA, example_specs
from .randompages import random_spec

SVG = "{http://www.w3.org/2000/svg}"
LINKED = [p for p in [*example_specs(), *sorted((DATA / "links").glob("*.json"))] if load(p).links]


def _cell_polygons(svg: bytes, prefix: str) -> dict[str, Rect]:
    """Return each component cell's rectangle as Graphviz drew it, by ``c-ID``."""
    found = {}
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        ident = group.get("id", "")
        polygon = group.find(f".//{SVG}polygon")
        if not ident.startswith(f"{prefix}-a_c-") or polygon is None:
            continue
        points = [tuple(map(float, p.split(","))) for p in polygon.get("points", "").split()]
        xs, ys = [x for x, _ in points], [y for _, y in points]
        found[ident.removeprefix(f"{prefix}-a_")] = Rect(min(xs), min(ys), max(xs), max(ys))
    return found


@pytest.mark.parametrize("path", LINKED, ids=lambda p: p.name)
def test_the_routers_cells_are_where_graphviz_draws_them(path: Path) -> None:
    """Cells are sized so that Graphviz keeps every size (borders, hinted text): the
    rectangles computed before drawing are the drawn ones, to half a point."""
    spec = load(path)
    board = geometry(spec, compute(spec), drawn_theme("light", True))
    drawn = _cell_polygons(
        diagramgen.render(spec, ["svg"], settings=Settings(name="t"))["svg"], "t"
    )
    bottom = board.bounds.bottom
    assert set(board.cells) <= set(drawn)
    for ident, mine in board.cells.items():
        theirs = drawn[ident]
        moved = Rect(mine.left, mine.top - bottom, mine.right, mine.bottom - bottom)
        gaps = [abs(a - b) for a, b in zip(_sides(moved), _sides(theirs), strict=True)]
        assert max(gaps) <= 0.5, f"{path.name}: {ident} computed {moved}, drawn {theirs}"


@pytest.mark.parametrize("seed", range(24))
def test_the_routers_cells_are_where_graphviz_draws_them_on_random_pages(seed: int) -> None:
    """The same on random pages (a band planned wider than its host once grew the host)."""
    spec = load_text(json.dumps(random_spec(seed)), f"random-{seed}.json")
    board = geometry(spec, compute(spec), drawn_theme("light", True))
    svg = diagramgen.render(spec, ["svg"], settings=Settings(name="t"))["svg"]
    drawn = _cell_polygons(svg, "t")
    bottom = board.bounds.bottom
    for ident, mine in board.cells.items():
        moved = Rect(mine.left, mine.top - bottom, mine.right, mine.bottom - bottom)
        gaps = [abs(a - b) for a, b in zip(_sides(moved), _sides(drawn[ident]), strict=True)]
        assert max(gaps) <= 0.5, f"random-{seed}: {ident} computed {moved}, drawn {drawn[ident]}"


def _sides(rect: Rect) -> tuple[float, float, float, float]:
    return rect.left, rect.top, rect.right, rect.bottom


def _board(boxes: list[Rect], free: list[Rect], cells: dict[str, Rect]) -> Board:
    return Board(
        bounds=Rect(0, 0, 300, 200),
        boxes=boxes + list(cells.values()),
        frames={},
        free=free,
        cells=cells,
        hosts={ident: "h" for ident in cells},
    )


def _segments(found: Route) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    return list(pairwise(found.points))


def _crosses(segment: tuple[tuple[float, float], tuple[float, float]], box: Rect) -> bool:
    (x1, y1), (x2, y2) = segment
    return (
        min(x1, x2) < box.right
        and max(x1, x2) > box.left
        and min(y1, y2) < box.bottom
        and max(y1, y2) > box.top
    )


# Two cells side by side under a lane, a wall between them reaching up into the lane.
LEFT, RIGHT = Rect(20, 100, 100, 140), Rect(200, 100, 280, 140)
LANE = Rect(0, 60, 300, 100)
WALL = Rect(140, 70, 160, 200)


def test_a_link_goes_round_a_box_from_top_edge_to_top_edge() -> None:
    board = _board([WALL], [LANE, Rect(0, 0, 300, 60)], {"a": LEFT, "b": RIGHT})
    (found,) = route(board, [Link(1, "a", "b")])
    start, tip = found.points[0], found.points[-1]
    assert start[1] == LEFT.top and LEFT.left < start[0] < LEFT.right
    assert tip[1] == RIGHT.top and RIGHT.left < tip[0] < RIGHT.right
    assert all(a[0] == b[0] or a[1] == b[1] for a, b in _segments(found))  # square only
    assert not any(_crosses(segment, WALL) for segment in _segments(found))
    top = min(y for _, y in found.points)
    assert top <= WALL.top - CLEAR  # over the wall, clear of it
    assert LEFT.top - found.points[1][1] >= STUB and RIGHT.top - found.points[-2][1] >= STUB


def test_two_links_never_share_a_stretch_or_an_end() -> None:
    board = _board([WALL], [LANE, Rect(0, 0, 300, 60)], {"a": LEFT, "b": RIGHT})
    routes = route(board, [Link(1, "a", "b"), Link(2, "b", "a")])
    assert [r.number for r in routes] == [1, 2]
    ends = {r.points[0] for r in routes} | {r.points[-1] for r in routes}
    assert len(ends) == 4
    first, second = (_segments(r) for r in routes)
    for a in first:
        for b in second:
            both_flat = a[0][1] == a[1][1] == b[0][1] == b[1][1]
            both_up = a[0][0] == a[1][0] == b[0][0] == b[1][0]
            if both_flat:
                assert max(min(a[0][0], a[1][0]), min(b[0][0], b[1][0])) >= min(
                    max(a[0][0], a[1][0]), max(b[0][0], b[1][0])
                ), "two links run on one track"
            if both_up:
                assert max(min(a[0][1], a[1][1]), min(b[0][1], b[1][1])) >= min(
                    max(a[0][1], a[1][1]), max(b[0][1], b[1][1])
                ), "two links run on one track"


def test_a_link_with_no_way_through_is_left_out_and_the_others_drawn() -> None:
    closed = Rect(0, 60, 300, 100)  # a box where the lane was: nothing above the cells
    board = _board([closed], [], {"a": LEFT, "b": RIGHT})
    assert route(board, [Link(1, "a", "b")]) == []
    board = _board([WALL], [LANE, Rect(0, 0, 300, 60)], {"a": LEFT, "b": RIGHT, "c": RIGHT})
    assert [r.number for r in route(board, [Link(1, "a", "b")])] == [1]


def test_a_frame_is_crossed_only_by_the_links_of_its_host() -> None:
    inside = Rect(30, 110, 90, 140)
    frame = Rect(10, 60, 110, 150)
    board = Board(
        bounds=Rect(0, 0, 300, 200),
        boxes=[inside, RIGHT],
        frames={"h1": frame},
        free=[Rect(0, 0, 300, 60), Rect(10, 60, 110, 110), LANE],
        cells={"a": inside, "b": RIGHT},
        hosts={"a": "h1", "b": "h2"},
    )
    (found,) = route(board, [Link(1, "a", "b")])
    assert found.points[0][1] == inside.top
    board.hosts["a"] = "h2"  # the same frame is now a stranger's: no way out of it
    assert route(board, [Link(1, "a", "b")]) == []


def test_the_same_page_gives_the_same_paths() -> None:
    spec = load(DATA / "links" / "eight-links.json")
    theme = drawn_theme("light", True)
    board = geometry(spec, compute(spec), theme)
    links = [
        Link(n, f"c-{link.source}", f"c-{link.target}") for n, link in enumerate(spec.links, 1)
    ]
    assert route(board, links) == route(geometry(spec, compute(spec), theme), links)


def test_a_busy_component_draws_its_first_links_and_numbers_the_rest() -> None:
    document = json.loads((DATA / "links" / "eight-links.json").read_text("utf-8"))
    others = ["proxy", "web", "auth", "api", "worker", "report", "appvm", "batchvm"]
    # Labels of their own: links with one target and one label would be one bundle.
    document["links"] = [
        {"from": other, "to": "pg", "label": f"SQL {n}"} for n, other in enumerate(others, 1)
    ]
    spec = load_text(json.dumps(document), "busy.json")
    svg = diagramgen.render(spec, ["svg"], settings=Settings(name="busy"))["svg"].decode()
    drawn = [n for n in range(1, 9) if f'id="busy-link&#45;{n}"' in svg]
    assert drawn == list(range(1, MOST_ENDS + 1))
    assert "→ 8" in svg  # the undrawn ones are numbered in their cells and the panel
    assert ": SQL 7</text>" in svg and ": SQL 8</text>" in svg
    assert ">SQL 1<" in svg  # the drawn ones carry their labels


def test_a_page_too_big_to_follow_keeps_its_links_numbered_only() -> None:
    """Past MOST_CROSSINGS crossings of tracks nothing is routed: the time stays bounded."""
    cells = {"a": Rect(20, 100, 100, 140), "b": Rect(200, 100, 280, 140)}

    def page(rows: int) -> Board:
        lanes = [Rect(0, 150 + 10 * n, 300, 158 + 10 * n) for n in range(rows)]  # a track each
        gaps = [Rect(110 + 10 * n, 0, 118 + 10 * n, 100) for n in range(8)]
        board = _board([], [Rect(0, 0, 300, 60), *lanes, *gaps], cells)
        board.bounds = Rect(0, 0, 300, 160 + 10 * rows)
        return board

    assert len(route(page(100), [Link(1, "a", "b")])) == 1
    assert route(page(MOST_CROSSINGS // 10), [Link(1, "a", "b")]) == []


def test_a_page_too_tall_to_follow_keeps_its_links_numbered_only() -> None:
    board = _board([WALL], [LANE, Rect(0, 0, 300, 60)], {"a": LEFT, "b": RIGHT})
    assert len(route(board, [Link(1, "a", "b")])) == 1
    board.bounds = Rect(0, 0, 300, MOST_HEIGHT + 1)
    assert route(board, [Link(1, "a", "b")]) == []


def test_a_track_within_margin_of_a_box_is_blocked_and_one_beyond_is_not() -> None:
    """A line is blocked by a box it passes closer than MARGIN to, not by one exactly MARGIN
    away: the bounds of tracks._lines are strict on both sides."""
    from diagramgen.draw.tracks import MARGIN, _lines

    box = Rect(100, 100, 200, 150)
    board = Board(Rect(0, 0, 400, 400), [box], {}, [], {}, {})
    at = [100 - MARGIN, 100 - MARGIN + 0.01, 150, 200 + MARGIN - 0.01, 200 + MARGIN]
    vertical = _lines(at, True, [box], board)
    blocked = [line.clear(120, 130)[0] is False for line in vertical]
    assert blocked == [False, True, True, True, False]
    horizontal = _lines([100 - MARGIN, 125, 150 + MARGIN], False, [box], board)
    assert [line.clear(150, 160)[0] for line in horizontal] == [True, False, True]
