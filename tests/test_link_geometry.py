"""The drawn links, checked from the rendered SVG alone (not from the router's internals).

For every example spec and every fixture in ``tests/data/links/``: each drawn link starts on its
source cell's border and ends, arrow tip first, on its target cell's border; it crosses no box,
no text and no foreign host frame; no two links share an endpoint or run on top of each other;
every path stays in the picture. Links that are not drawn are reported (the fixtures must draw
all of theirs). The reading of boxes and texts is checked on today's pictures, and the checker
on hand-made links laid over the cells of a picture drawn without its own links. Run:
``pytest tests/test_link_geometry.py``.
"""

from __future__ import annotations

import json
import math
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

import pytest
from fontTools.ttLib import TTFont

from diagramgen import Settings, load, load_text
from diagramgen.api import render
from diagramgen.assets import FONTS
from diagramgen.draw.metrics import text_width
from diagramgen.spec import Spec
from diagramgen.spec.model import Link as SpecLink

from .conftest import DATA, SPECS, example_specs
from .linkgeometry import (
    CLEARANCE,
    ON_EDGE,
    STEP,
    Link,
    Picture,
    Point,
    Rect,
    crossing_points,
    crossings,
    ends_off_cells,
    interleaved,
    label_problems,
    obstacles,
    outside_picture,
    overlapping_cells,
    overlapping_runs,
    read_picture,
    runs_over_ends,
    shared_endpoints,
    texts_outside_cells,
    ungapped_crossings,
)
from .randompages import random_spec

FIXTURES = sorted((DATA / "links").glob("*.json"))
PICTURES = [*example_specs(), *FIXTURES]


def _id(path: Path) -> str:
    return path.name


@lru_cache(maxsize=32)
def _svg(path: Path, theme: str = "light") -> bytes:
    return render(path, ["svg"], settings=Settings(theme=theme))["svg"]


@lru_cache(maxsize=32)
def _picture(path: Path, theme: str = "light") -> Picture:
    return read_picture(_svg(path, theme))


@lru_cache(maxsize=32)
def _spec(path: Path) -> Spec:
    return load(path)


def _spec_link(path: Path, link: Link) -> SpecLink:
    links = _spec(path).links
    if not 1 <= link.number <= len(links):
        pytest.fail(
            f"{path.name}: a link numbered {link.number} is drawn; the spec has {len(links)}"
        )
    return links[link.number - 1]


def _heading(path: Path, link: Link) -> str:
    """Return how a message names a link: spec, number, ends and label."""
    spec_link = _spec_link(path, link)
    ends = f"{spec_link.source} → {spec_link.target}"
    return f"{path.name} link {link.number} ({ends}, {spec_link.label!r})"


def _ends(path: Path, link: Link) -> tuple[str, str]:
    spec_link = _spec_link(path, link)
    return spec_link.source, spec_link.target


def _join_problems(path: Path, picture: Picture) -> list[str]:
    problems = []
    for link in picture.links:
        source, target = _ends(path, link)
        shape = [f"{_heading(path, link)}: {fault}" for fault in link.faults]
        ends = ends_off_cells(link, picture.cells[source], picture.cells[target])
        problems += shape + [f"{_heading(path, link)}: {p}" for p in ends]
    return problems


def bundles(spec: Spec, drawn: Sequence[int]) -> dict[int, int]:
    """Return the bundle of each drawn link that is in one, by its first link's number: the
    drawn links with one target and one label, or else one source and one label."""
    found: dict[int, int] = {}
    for end in ("target", "source"):
        groups: dict[tuple[str, str], list[int]] = {}
        for number in drawn:
            if number not in found:
                link = spec.links[number - 1]
                key = (getattr(link, end), link.label or "")
                groups.setdefault(key, []).append(number)
        for members in groups.values():
            if len(members) > 1:
                found.update({number: min(members) for number in members})
    return found


def _groups(path: Path, picture: Picture) -> dict[int, int]:
    return bundles(_spec(path), sorted(link.number for link in picture.links))


def _crossing_problems(path: Path, picture: Picture) -> list[str]:
    found = obstacles(picture)
    groups = _groups(path, picture)
    problems = []
    for link in picture.links:
        mine = groups.get(link.number)
        siblings = frozenset(n for n, g in groups.items() if mine is not None and g == mine)
        for problem in crossings(picture, link, *_ends(path, link), found, siblings):
            problems.append(f"{_heading(path, link)}: {problem}")
    return problems


def _spacing_problems(path: Path, picture: Picture) -> list[str]:
    groups = _groups(path, picture)
    return [
        f"{path.name}: {p}"
        for p in [
            *shared_endpoints(picture.links, groups),
            *overlapping_runs(picture.links, groups),
            *runs_over_ends(picture.links),
            *ungapped_crossings(picture.links, groups),
            *label_problems(picture, groups),
        ]
    ]


def _extent_problems(path: Path, picture: Picture) -> list[str]:
    return [
        f"{_heading(path, link)}: {problem}"
        for link in picture.links
        for problem in outside_picture(picture, link)
    ]


def _report(problems: list[str]) -> str:
    return "\n".join(problems)


# The drawn links


@pytest.mark.parametrize("path", PICTURES, ids=_id)
def test_links_are_drawn(path: Path) -> None:
    """Every link of a page under the router's caps is drawn (bundled where many share an
    end): the fixtures draw every link, the examples say which they number instead."""
    links, picture = _spec(path).links, _picture(path)
    numbers = [link.number for link in picture.links]
    assert not picture.strays, f"{path.name}: edges that are no link-N: {picture.strays}"
    assert len(numbers) == len(set(numbers)), f"{path.name}: a link is drawn twice: {numbers}"
    beyond = [n for n in numbers if not 1 <= n <= len(links)]
    assert not beyond, f"{path.name}: drawn links {beyond} are not the spec's"
    missing = [
        f"{n} ({link.source} → {link.target})"
        for n, link in enumerate(links, 1)
        if n not in numbers
    ]
    if not missing:
        return
    message = f"{path.name}: links not drawn (numbered instead): {', '.join(missing)}"
    if path in FIXTURES:
        pytest.fail(message)
    pytest.skip(message)


@pytest.mark.parametrize("path", PICTURES, ids=_id)
def test_links_join_their_cells(path: Path) -> None:
    """Each path starts on its source cell's border and its arrow tip is on the target's."""
    assert not (problems := _join_problems(path, _picture(path))), _report(problems)


@pytest.mark.parametrize("path", PICTURES, ids=_id)
def test_links_cross_no_box_or_text(path: Path) -> None:
    assert not (problems := _crossing_problems(path, _picture(path))), _report(problems)


@pytest.mark.parametrize("path", PICTURES, ids=_id)
def test_links_keep_apart(path: Path) -> None:
    """No two links share an endpoint or run on top of each other."""
    assert not (problems := _spacing_problems(path, _picture(path))), _report(problems)


@pytest.mark.parametrize("path", PICTURES, ids=_id)
def test_links_stay_in_the_picture(path: Path) -> None:
    assert not (problems := _extent_problems(path, _picture(path))), _report(problems)


def test_links_in_the_dark_theme() -> None:
    """The dark theme has the same obstacles in its hosts, and its links pass every check."""
    path = SPECS / "hybrid.json"
    dark, light = _picture(path, "dark"), _picture(path)
    assert _host_obstacles(dark) == _host_obstacles(light)
    problems = [
        *_join_problems(path, dark),
        *_crossing_problems(path, dark),
        *_spacing_problems(path, dark),
        *_extent_problems(path, dark),
    ]
    assert not problems, _report(problems)


def _host_obstacles(picture: Picture) -> set[Rect]:
    return {o.rect for o in obstacles(picture) if picture.host_of(o.rect)}


# The fixtures are what they say


@pytest.mark.parametrize("path", FIXTURES, ids=_id)
def test_fixture_is_valid(path: Path) -> None:
    assert _spec(path).links


def test_fourteen_vms_wrap_into_rows_linked_upwards() -> None:
    path = DATA / "links" / "fourteen-vms.json"
    spec, picture = _spec(path), _picture(path)
    rows = {picture.cells[vm.id].top for _, vm in spec.vms()}
    assert len(spec.hosts[0].vms) == 14
    assert len(rows) >= 2
    upwards = [
        link
        for link in spec.links
        if picture.cells[link.source].top > picture.cells[link.target].bottom
    ]
    assert len(spec.links) >= 5
    assert len(upwards) >= 3


# The reading of today's pictures, which needs no links


def _reading_order(picture: Picture) -> list[str]:
    """Return the hosts as a reader meets their frames: row by row, each row left to right.

    A row's hosts stand on one baseline. The SVG lists them in Graphviz's drawing order (a
    node, then the nodes its edges lead to), which is not an order of the picture.
    """
    frames = sorted(picture.frames, key=lambda f: (round(f.rect.bottom), f.rect.left))
    return [f.host for f in frames]


@pytest.mark.parametrize("path", PICTURES, ids=_id)
def test_reading_finds_every_cell_and_frame(path: Path) -> None:
    spec, picture = _spec(path), _picture(path)
    assert [c.id for _, c in spec.components() if c.id not in picture.cells] == []
    assert _reading_order(picture) == [h.id for h in spec.hosts]
    for host, component in spec.components():
        frame = picture.host_of(picture.cells[component.id])
        assert frame is not None and frame.host == host.id, component.id


@pytest.mark.parametrize("path", PICTURES, ids=_id)
def test_reading_puts_texts_inside_their_cells(path: Path) -> None:
    assert not (problems := texts_outside_cells(_picture(path))), _report(problems)


@pytest.mark.parametrize("path", PICTURES, ids=_id)
def test_reading_finds_cells_that_only_nest(path: Path) -> None:
    assert not (problems := overlapping_cells(_picture(path))), _report(problems)


def test_reading_names_obstacles() -> None:
    """Component cells are named by group id; the title and each cell's texts are obstacles."""
    names = {o.name for o in obstacles(_picture(SPECS / "hybrid.json"))}
    assert {"cell hybrid-a_c-web", "cell hybrid-a_c-dbvm"} <= names
    assert {"text 'Hybrid: VMs as Docker hosts'", "text 'Docker Engine 20.10'"} <= names
    assert "cell 'Docker Engine 20.10' / 'disk 249 MiB' in hybrid-host-kvm1" in names


def test_text_widths_are_unhinted_dejavu_advances() -> None:
    """``text_width`` sums the bundled DejaVu Sans advance widths, unrounded."""
    fonts = {
        False: TTFont(FONTS / "DejaVuSans.ttf"),
        True: TTFont(FONTS / "DejaVuSans-Bold.ttf"),
    }
    root = ET.fromstring(_svg(SPECS / "hybrid.json"))
    texts = [t for t in root.iter("{http://www.w3.org/2000/svg}text") if (t.text or "").strip()]
    assert len(texts) > 50
    for text in texts:
        assert "DejaVu Sans" in (text.get("font-family") or "")
        size, bold = float(text.get("font-size") or 0), text.get("font-weight") == "bold"
        font = fonts[bold]
        cmap, advances = font.getBestCmap(), font["hmtx"].metrics
        units = sum(advances[cmap[ord(c)]][0] for c in text.text or "")
        expected = units * size / font["head"].unitsPerEm
        assert text_width(text.text or "", size, bold) == pytest.approx(expected), text.text


# The checker itself, on links injected into a picture drawn without its own

HYBRID = SPECS / "hybrid.json"
#: Graphviz's arrowhead is 0.35 of its length wide on each side; its corner is set back by
#: as far as a 1 pt mitred stroke reaches past it, so the drawn tip is where the link ends.
_ARROW_SLOPE = 0.35
_SET_BACK = 0.5 / math.sin(math.atan(_ARROW_SLOPE))
_CROSSING = re.compile(r"(?P<link>.+?): crosses (?P<name>.+) at \((?P<x>\S+), (?P<y>\S+)\)")


@lru_cache(maxsize=8)
def _unlinked_svg(path: Path) -> bytes:
    """Return the picture of the spec at ``path`` drawn as if it had no links.

    Hand-made links are injected into it, laid out from the cells the reader finds there.
    """
    document = json.loads(path.read_text(encoding="utf-8"))
    del document["links"]
    spec = load_text(json.dumps(document), path.name)
    return render(spec, ["svg"], settings=Settings(name=path.stem))["svg"]


def _unlinked(path: Path) -> Picture:
    picture = read_picture(_unlinked_svg(path))
    assert picture.links == (), f"{path.name} drawn without its links still has some"
    return picture


def _edge(prefix: str, number: int, route: list[Point], tip: Point) -> str:
    """Return an edge group as Graphviz draws one: Béziers with controls on each piece, and
    an arrow from the route's end whose mitred outline reaches ``tip``."""
    pieces = "".join(f"C{a.x},{a.y} {b.x},{b.y} {b.x},{b.y}" for a, b in pairwise(route))
    end = route[-1]
    length = math.dist(end, tip)
    along = Point((tip.x - end.x) / length, (tip.y - end.y) / length)
    corner = Point(tip.x - along.x * _SET_BACK, tip.y - along.y * _SET_BACK)
    half = _ARROW_SLOPE * (length - _SET_BACK)
    side = [
        Point(end.x - along.y * half, end.y + along.x * half),
        Point(end.x + along.y * half, end.y - along.x * half),
    ]
    arrow = " ".join(f"{p.x},{p.y}" for p in [side[0], corner, side[1], side[0]])
    return (
        f'<g id="{prefix}link&#45;{number}" class="edge">\n'
        f'<path fill="none" stroke="#334155" d="M{route[0].x},{route[0].y}{pieces}"/>\n'
        f'<polygon fill="#334155" stroke="#334155" points="{arrow}"/>\n</g>\n'
    )


def _inject(svg: bytes, *edges: str) -> Picture:
    text = svg.decode()
    end = text.rindex("</g>")
    return read_picture(text[:end] + "".join(edges) + text[end:])


class _Lines(NamedTuple):
    """Lines through hybrid.json's picture (drawn without links), found from its cells."""

    row: float  # y: across the middle of web, api, worker and cache
    margin: float  # x: inside the host's frame, left of every cell
    gap_x: float  # x: between the first two VMs
    gap_y: float  # y: above the VMs, under the host's title


def _hybrid_lines() -> _Lines:
    picture = _unlinked(HYBRID)
    cells, (frame,) = picture.cells, picture.frames
    web = cells["web"]
    title = max(t.rect.bottom for t in picture.texts if t.owner == frame.host)
    return _Lines(
        row=(web.top + web.bottom) / 2,
        margin=(frame.rect.left + web.left) / 2,
        gap_x=(cells["dh1"].right + cells["dh2"].left) / 2,
        gap_y=(title + web.top) / 2,
    )


def _hybrid_routes() -> dict[int, tuple[list[Point], Point]]:
    """Return hand-made routes (corners, arrow tip) for hybrid.json's links.

    Link 1 (web → api) goes round the cells through the free lines, clear of everything;
    link 2 (api → pg) goes straight down through the cells below ``api``; links 3 and 4 leave
    ``worker`` from one point, link 3 on top of link 1 and ending in the host's margin beside
    ``pg``.
    """
    cells = _unlinked(HYBRID).cells
    api, worker, pg = cells["api"], cells["worker"], cells["pg"]
    row, margin, gap_x, gap_y = _hybrid_lines()
    leaving = Point(worker.left, row)
    return {
        1: (
            [
                Point(cells["web"].left, row),
                Point(margin, row),
                Point(margin, gap_y),
                Point(gap_x, gap_y),
                Point(gap_x, row),
                Point(api.right + 4, row),
            ],
            Point(api.right, row),
        ),
        2: (
            [
                Point(api.right, row),
                Point((pg.left + pg.right) / 2, row),
                Point((pg.left + pg.right) / 2, pg.top - 10),
            ],
            Point((pg.left + pg.right) / 2, pg.top),
        ),
        3: (
            [
                leaving,
                Point(gap_x, row),
                Point(gap_x, gap_y),
                Point(margin, gap_y),
                Point(margin, pg.top - 10),
            ],
            Point(margin, pg.top),
        ),
        4: ([leaving, Point(gap_x, row), Point(gap_x, row - 30)], Point(gap_x, row - 40)),
    }


def _injected(*numbers: int) -> Picture:
    routes = _hybrid_routes()
    edges = [_edge("hybrid-", n, *routes[n]) for n in numbers]
    return _inject(_unlinked_svg(HYBRID), *edges)


def _crossed(problems: list[str]) -> list[tuple[str, str, Point]]:
    """Return the link, the obstacle and the point each crossing message names."""
    found = []
    for problem in problems:
        match = _CROSSING.fullmatch(problem)
        assert match is not None, f"not a crossing: {problem}"
        point = Point(float(match["x"]), float(match["y"]))
        found.append((match["link"], match["name"], point))
    return found


def _entry(start: Point, area: Rect) -> Point:
    """Return where a straight piece from ``start`` into ``area`` enters it."""
    return Point(min(max(start.x, area.left), area.right), min(max(start.y, area.top), area.bottom))


def test_checker_passes_a_clear_link() -> None:
    picture = _injected(1)
    assert [link.number for link in picture.links] == [1]
    assert picture.links[0].faults == ()
    assert _join_problems(HYBRID, picture) == []
    assert _crossing_problems(HYBRID, picture) == []
    assert _extent_problems(HYBRID, picture) == []


def test_checker_flags_a_link_through_cells() -> None:
    """Link 2 runs straight across from ``api`` through the items beside it, then down onto
    ``pg``: it crosses each box and text in its way where it enters it, and nothing else (not
    its own two cells)."""
    picture = _injected(1, 2)
    api, pg, row = picture.cells["api"], picture.cells["pg"], _hybrid_lines().row
    start = Point(api.right, row)
    across = (pg.left + pg.right) / 2
    between = sorted(
        (
            o
            for o in obstacles(picture)
            if o.rect.top - o.margin <= row <= o.rect.bottom + o.margin
            and o.rect.left >= api.right - 0.01
            and o.rect.right <= across
            and o.owner not in ("api", "pg")
        ),
        key=lambda o: o.rect.left - o.margin,
    )
    crossed = _crossed(_crossing_problems(HYBRID, picture))
    heading = "hybrid.json link 2 (api → pg, 'TCP 5432')"
    assert [(link, name) for link, name, _ in crossed] == [(heading, o.name) for o in between]
    for (_, name, point), obstacle in zip(crossed, between, strict=True):
        entry = _entry(start, obstacle.rect.grown(obstacle.margin))
        assert math.dist(point, entry) <= STEP, f"{name} is entered at {entry}, not {point}"
    names = [name for _, name, _ in crossed]
    assert names[0] == "cell hybrid-a_c-worker" and "cell hybrid-a_c-cache" in names
    assert _join_problems(HYBRID, picture) == []


def test_checker_flags_links_on_top_of_each_other() -> None:
    """Links 3 and 4 leave ``worker`` from one point along one piece and up between the
    first two VMs; link 3 then follows link 1 across above the VMs and down the margin."""
    row, margin, gap_x, gap_y = _hybrid_lines()
    leaving = Point(_unlinked(HYBRID).cells["worker"].left, row)
    on_top = "hybrid.json: links {} run too close: {} at {:g} and {:g}, for {:g} pt"
    up = row - gap_y  # from the row of the items up to the line above them
    assert _spacing_problems(HYBRID, _injected(1, 3, 4)) == [
        f"hybrid.json: link 3 start {leaving} and link 4 start {leaving} are 0.0 pt apart",
        on_top.format("1 and 3", "vertical", margin, margin, up),
        on_top.format("1 and 3", "horizontal", gap_y, gap_y, gap_x - margin),
        on_top.format("1 and 3", "vertical", gap_x, gap_x, up),
        on_top.format("1 and 4", "vertical", gap_x, gap_x, up),
        on_top.format("3 and 4", "horizontal", row, row, leaving.x - gap_x),
        on_top.format("3 and 4", "vertical", gap_x, gap_x, up),
    ]


def test_checker_flags_ends_off_their_cells() -> None:
    """Link 3's arrow comes down in the host's margin, beside ``pg`` rather than on it."""
    picture = _injected(3)
    (link,) = picture.links
    pg, margin = picture.cells["pg"], _hybrid_lines().margin
    tip = Point(margin, pg.top)
    assert math.dist(link.tip, tip) < 0.01
    assert pg.left - margin > ON_EDGE
    assert _join_problems(HYBRID, picture) == [
        f"hybrid.json link 3 (worker → pg, 'TCP 5432'): ends at {tip}, "
        f"{pg.left - margin:.1f} pt from the border of {pg}"
    ]


def test_checker_flags_a_link_leaving_the_picture() -> None:
    picture = _injected(1)
    (link,) = picture.links
    beyond = Point(picture.view.left - 10, link.points[1].y)
    outside = Link(1, link.ident, (*link.points[:2], beyond), (), link.tip, ())
    assert outside_picture(picture, link) == []
    assert outside_picture(picture, outside) == [
        f"leaves the picture at {beyond} (viewBox {picture.view})"
    ]


def test_checker_flags_a_foreign_host_frame() -> None:
    """Link 1 (shop → api) detours through the gap between ``legacy`` and ``node1``, then
    left through the host ``legacy``, across its title, and over every host round to
    ``api``: it crosses that frame and title, and nothing else."""
    path = DATA / "links" / "between-hosts.json"
    picture = _unlinked(path)
    shop, api = picture.cells["shop"], picture.cells["api"]
    frames = {f.host: f.rect for f in picture.frames}
    legacy, node1 = frames["legacy"], frames["node1"]
    assert legacy.right < node1.left, "legacy and node1 no longer stand side by side"
    title = next(t.rect for t in picture.texts if t.content == "Legacy VMs")
    between = (legacy.right + node1.left) / 2
    across = (title.top + title.bottom) / 2
    outside = legacy.left - 4  # left of every host
    over = min(frame.top for frame in frames.values()) - 4  # above every host
    middle = (api.left + api.right) / 2
    route = [
        Point(shop.left, (shop.top + shop.bottom) / 2),
        Point(between, (shop.top + shop.bottom) / 2),
        Point(between, across),
        Point(outside, across),
        Point(outside, over),
        Point(middle, over),
        Point(middle, api.top - 10),
    ]
    edge = _edge(picture.prefix, 1, route, Point(middle, api.top))
    picture = _inject(_unlinked_svg(path), edge)
    heading = "between-hosts.json link 1 (shop → api, 'HTTP 8000')"
    crossed = _crossed(_crossing_problems(path, picture))
    assert [(link, name) for link, name, _ in crossed] == [
        (heading, "the frame of host 'legacy'"),
        (heading, "text 'Legacy VMs'"),
    ]
    turn = Point(between, across)
    for (_, name, point), area in zip(crossed, [legacy.grown(CLEARANCE), title], strict=True):
        assert math.dist(point, _entry(turn, area)) <= STEP, f"{name} is entered at {point}"
    assert _join_problems(path, picture) == []


def test_checker_flags_a_path_that_is_not_square() -> None:
    web = _unlinked(HYBRID).cells["web"]
    start, end = Point(web.left, web.bottom), Point(web.left - 9, web.bottom + 90)
    edge = _edge("hybrid-", 1, [start, end], Point(end.x, end.y + 10))
    (link,) = _inject(_unlinked_svg(HYBRID), edge).links
    assert link.faults == (f"piece {start} -> {end} is neither horizontal nor vertical",)


# Labels and crossings


def _panel_texts(picture: Picture) -> list[str]:
    """Return the panel's lines (spaces as typed: SVG keeps a double space as a no-break one)."""
    return [
        t.content.replace("\N{NO-BREAK SPACE}", " ")
        for t in picture.texts
        if t.node == f"{picture.prefix}totals"
    ]


def label_shown(path: Path, picture: Picture) -> list[str]:
    """Return each drawn link whose label is neither on a line (its own, or its bundle's
    with the count) nor given by its number on its line and in the panel; and each link
    without a label that carries a text."""
    spec = _spec(path)
    groups = _groups(path, picture)
    drawn = {link.number: link for link in picture.links}
    texts: dict[int, list[str]] = {}
    for text in picture.texts:
        if text.edge is not None:
            texts.setdefault(text.edge, []).append(text.content)
    panel = _panel_texts(picture)
    problems = []
    for number in drawn:
        spec_link = spec.links[number - 1]
        label = spec_link.label or ""
        mine = groups.get(number)
        siblings = [n for n, g in groups.items() if mine is not None and g == mine]
        if not label:
            if texts.get(number) and not siblings:
                problems.append(f"link {number} has no label but carries {texts[number]}")
            continue
        wanted = {label} if not siblings else {f"{label} \N{MULTIPLICATION SIGN} {len(siblings)}"}
        shown = [t for n in (siblings or [number]) for t in texts.get(n, [])]
        if wanted & set(shown):
            continue
        first = min(siblings or [number])
        listed = any(line.startswith(f"{first}  ") for line in panel)
        # Its number on its line, or (where not even that fits) in its components' cells.
        marks = {f"{first} \N{RIGHTWARDS ARROW}", f"\N{RIGHTWARDS ARROW} {first}"}
        marked = any(
            any(mark in text.content for mark in marks)
            for text in picture.texts
            if text.edge is None and text.node != f"{picture.prefix}totals"
        )
        if (str(first) in shown or marked) and listed:
            continue
        problems.append(f"link {number} ({label!r}) is shown as {shown} (listed: {listed})")
    return problems


def _arc(link: Link) -> bool:
    """Return whether a link leaves its start upwards and comes down onto its tip, never
    lower than its ends: an arc over the row of its ends."""
    route = link.route()
    up = route[1].x == route[0].x and route[1].y < route[0].y
    down = route[-2].x == route[-1].x and route[-2].y < route[-1].y
    lowest = min(route[0].y, route[-1].y)
    return up and down and all(p.y <= lowest + 0.01 for p in route[1:-1])


def _middle(picture: Picture, component: str) -> float:
    cell = picture.cells[component]
    return (cell.left + cell.right) / 2


def needless_crossings(path: Path, picture: Picture) -> list[str]:
    """Return pairs of links that cross more often than their ends force.

    Two arcs over the row of their ends (:func:`_arc`) must cross once where their four
    components interleave along the row, and need not cross otherwise (links sharing a
    component nest there); a pair on one same baseline crosses exactly as forced. Links of
    a bundle run together and are not counted.
    """
    groups = _groups(path, picture)
    problems = []
    links = picture.links
    for index, link in enumerate(links):
        for other in links[index + 1 :]:
            if groups.get(link.number, -link.number) == groups.get(other.number, -other.number):
                continue
            if not (_arc(link) and _arc(other)):
                continue
            crossed = len(crossing_points(link, other))
            ends = [link.start, link.tip, other.start, other.tip]
            # Forced by where the components are, not by the ports the router chose: two
            # links sharing a component can always nest there.
            cells = [_middle(picture, c) for c in (*_ends(path, link), *_ends(path, other))]
            distinct = len(set(_ends(path, link)) | set(_ends(path, other))) == 4
            forced = int(distinct and interleaved(cells[:2], cells[2:]))
            one_row = max(p.y for p in ends) - min(p.y for p in ends) <= 0.5
            if crossed > forced or (one_row and crossed != forced):
                problems.append(
                    f"{path.name}: links {link.number} and {other.number} cross {crossed} "
                    f"times where {forced} {'is' if forced == 1 else 'are'} forced"
                )
    return problems


@pytest.mark.parametrize("path", PICTURES, ids=_id)
def test_labels_are_on_their_lines(path: Path) -> None:
    picture = _picture(path)
    assert not label_shown(path, picture), _report(label_shown(path, picture))


@pytest.mark.parametrize("path", PICTURES, ids=_id)
def test_links_cross_only_where_their_ends_force_it(path: Path) -> None:
    problems = needless_crossings(path, _picture(path))
    assert not problems, _report(problems)


def test_forty_links_into_one_component_are_one_bundle() -> None:
    path = DATA / "links" / "forty-into-one.json"
    picture = _picture(path)
    assert len(picture.links) == 40
    tips = {link.tip for link in picture.links}
    assert len(tips) == 1, "the bundle's links end at one port"
    labels = [t.content for t in picture.texts if t.edge is not None]
    assert labels == ["TCP 5432 \N{MULTIPLICATION SIGN} 40"]
    assert not [line for line in _panel_texts(picture) if "5432" in line]


def test_a_label_that_fits_nowhere_is_a_number_listed_in_the_panel() -> None:
    path = DATA / "links" / "long-labels.json"
    picture = _picture(path)
    numbered = [t for t in picture.texts if t.edge is not None and t.content.isdigit()]
    assert numbered, "long-labels.json: every label fits; the fixture no longer tests this"
    panel = _panel_texts(picture)
    for text in numbered:
        link = _spec(path).links[int(text.content) - 1]
        assert any(line.startswith(f"{text.content}  ") for line in panel), text.content
        assert link.label is not None and link.label.split()[0] in " ".join(panel)
    written = {t.content for t in picture.texts if t.edge is not None} - {
        t.content for t in numbered
    }
    listed = " ".join(panel)
    assert all(label not in listed for label in written), "a label on its line is listed too"


# The checks, shown failing on the router before labels, ordering and bundles


def _before(name: str) -> Picture:
    return read_picture((DATA / "links" / "before" / f"{name}.svg").read_bytes())


@pytest.mark.parametrize("name", ["six-containers-eight-links", "three-hosts-in-order"])
def test_the_checks_fail_on_the_router_before(name: str) -> None:
    path = DATA / "links" / f"{name}.json"
    picture = _before(name)
    groups = _groups(path, picture)
    assert overlapping_runs(picture.links, groups), "lines 4 points apart pass the spacing"
    assert ungapped_crossings(picture.links, groups), "plain crossings pass"
    assert _written_share(path, picture) == 0


def _written_share(path: Path, picture: Picture) -> float:
    """Return the share of the drawn labelled links whose label is written on a line."""
    groups = _groups(path, picture)
    written = {text.content for text in picture.texts if text.edge is not None}
    labelled = [link for link in picture.links if _spec_link(path, link).label]
    shown = 0
    for link in labelled:
        label = _spec_link(path, link).label or ""
        size = sum(1 for g in groups.values() if g == groups.get(link.number))
        shown += label in written or f"{label} \N{MULTIPLICATION SIGN} {size}" in written
    return shown / len(labelled) if labelled else 1.0


@pytest.mark.parametrize(
    "path",
    [*example_specs(), *(p for p in FIXTURES if p.name != "long-labels.json")],
    ids=_id,
)
def test_most_labels_are_written_on_their_lines(path: Path) -> None:
    """Numbers are the fallback: at least three labels in four are written out (long-labels
    is made of labels too long for any run)."""
    assert _written_share(path, _picture(path)) >= 0.75


def test_the_crossing_check_fails_on_six_containers_before() -> None:
    path = DATA / "links" / "six-containers-eight-links.json"
    assert needless_crossings(path, _before("six-containers-eight-links"))
    assert not needless_crossings(path, _picture(path))


def test_forty_links_were_six_before() -> None:
    assert len(_before("forty-into-one").links) == 6


# Random pages: the same checks on stacks and links nobody drew by hand


#: Random pages checked in every run (more with DIAGRAMGEN_FUZZ=nightly).
RANDOM_PAGES = 200 if os.environ.get("DIAGRAMGEN_FUZZ") == "nightly" else 24


@pytest.mark.parametrize("seed", range(RANDOM_PAGES))
def test_links_of_random_pages_pass_every_check(seed: int, tmp_path: Path) -> None:
    """On random stacks and links, every drawn link passes the checks above; most are drawn."""
    path = tmp_path / f"random-{seed}.json"
    path.write_text(json.dumps(random_spec(seed)), "utf-8")
    spec = load(path)
    picture = read_picture(render(spec, ["svg"], settings=Settings(name=path.stem))["svg"])
    problems = [
        *_join_problems(path, picture),
        *_crossing_problems(path, picture),
        *_spacing_problems(path, picture),
        *_extent_problems(path, picture),
        *needless_crossings(path, picture),
    ]
    assert not problems, _report(problems)
    assert not picture.strays


def test_checker_flags_a_link_running_just_above_an_arrow() -> None:
    """A link running across 5 pt above another's arrow tip reads as ending there too."""
    pg = _unlinked(HYBRID).cells["pg"]
    middle = (pg.left + pg.right) / 2
    arriving = _edge(
        "hybrid-", 2, [Point(middle, pg.top - 30), Point(middle, pg.top - 8)], Point(middle, pg.top)
    )
    across = [
        Point(pg.left + 4, pg.top - 40),
        Point(pg.left + 4, pg.top - 5),
        Point(pg.right - 4, pg.top - 5),
    ]
    passing = _edge("hybrid-", 3, across, Point(pg.right - 4, pg.top - 15))
    picture = _inject(_unlinked_svg(HYBRID), arriving, passing)
    problems = runs_over_ends(picture.links)
    assert problems == [f"link 3 runs across 5.0 pt above link 2's tip {picture.links[0].tip}"]
    clear = _edge(
        "hybrid-",
        3,
        [*across[:1], Point(pg.left + 4, pg.top - 12), Point(pg.right - 4, pg.top - 12)],
        Point(pg.right - 4, pg.top - 22),
    )
    assert runs_over_ends(_inject(_unlinked_svg(HYBRID), arriving, clear).links) == []
