"""The drawn links, checked from the rendered SVG alone (not from the router's internals).

For every example spec and every fixture in ``tests/data/links/``: each drawn link starts on its
source cell's border and ends, arrow tip first, on its target cell's border; it crosses no box,
no text and no foreign host frame; no two links share an endpoint or run on top of each other;
every path stays in the picture. Links that are not drawn are reported (the fixtures must draw
all of theirs). The reading of boxes and texts is checked on today's pictures, and the checker
is checked on links injected into a rendered SVG. Run: ``pytest tests/test_link_geometry.py``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from diagramgen import load
from diagramgen.api import render
from diagramgen.assets import FONTS
from diagramgen.draw.metrics import text_width
from diagramgen.spec import Spec
from diagramgen.spec.model import Link as SpecLink

from .conftest import DATA, SPECS, example_specs
from .linkgeometry import (
    MAX_DRAWN,
    Link,
    Picture,
    Point,
    Rect,
    crossings,
    ends_off_cells,
    obstacles,
    outside_picture,
    overlapping_cells,
    overlapping_runs,
    read_picture,
    shared_endpoints,
    texts_outside_cells,
)

FIXTURES = sorted((DATA / "links").glob("*.json"))
PICTURES = [*example_specs(), *FIXTURES]


def _id(path: Path) -> str:
    return path.name


@lru_cache(maxsize=32)
def _svg(path: Path, theme: str = "light") -> bytes:
    return render(path, ["svg"], theme=theme)["svg"]


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


def _crossing_problems(path: Path, picture: Picture) -> list[str]:
    found = obstacles(picture)
    return [
        f"{_heading(path, link)}: {problem}"
        for link in picture.links
        for problem in crossings(picture, link, *_ends(path, link), found)
    ]


def _spacing_problems(path: Path, picture: Picture) -> list[str]:
    return [
        f"{path.name}: {p}"
        for p in [*shared_endpoints(picture.links), *overlapping_runs(picture.links)]
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
    """Each drawn link is one of the spec's first 24; the fixtures draw every link."""
    links, picture = _spec(path).links, _picture(path)
    numbers = [link.number for link in picture.links]
    assert not picture.strays, f"{path.name}: edges that are no link-N: {picture.strays}"
    assert len(numbers) == len(set(numbers)), f"{path.name}: a link is drawn twice: {numbers}"
    beyond = [n for n in numbers if not 1 <= n <= min(len(links), MAX_DRAWN)]
    assert not beyond, f"{path.name}: drawn links {beyond} are not among the first {MAX_DRAWN}"
    missing = [
        f"{n} ({link.source} → {link.target})"
        for n, link in enumerate(links[:MAX_DRAWN], 1)
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


@pytest.mark.parametrize("path", PICTURES, ids=_id)
def test_reading_finds_every_cell_and_frame(path: Path) -> None:
    spec, picture = _spec(path), _picture(path)
    assert [c.id for _, c in spec.components() if c.id not in picture.cells] == []
    assert [f.host for f in picture.frames] == [h.id for h in spec.hosts]
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


# The checker itself, on links injected into a rendered picture


def _edge(prefix: str, number: int, route: list[Point], tip: Point) -> str:
    """Return an edge group as Graphviz draws one: Béziers with controls on each piece."""
    pieces = "".join(f"C{a.x},{a.y} {b.x},{b.y} {b.x},{b.y}" for a, b in pairwise(route))
    end = route[-1]
    if end.x == tip.x:
        side = [Point(end.x - 3.5, end.y), Point(end.x + 3.5, end.y)]
    else:
        side = [Point(end.x, end.y - 3.5), Point(end.x, end.y + 3.5)]
    arrow = " ".join(f"{p.x},{p.y}" for p in [side[0], tip, side[1], side[0]])
    return (
        f'<g id="{prefix}link&#45;{number}" class="edge">\n'
        f'<path fill="none" stroke="#334155" d="M{route[0].x},{route[0].y}{pieces}"/>\n'
        f'<polygon fill="#334155" stroke="#334155" points="{arrow}"/>\n</g>\n'
    )


def _inject(svg: bytes, *edges: str) -> Picture:
    text = svg.decode()
    end = text.rindex("</g>")
    return read_picture(text[:end] + "".join(edges) + text[end:])


def _hybrid_routes() -> dict[int, tuple[list[Point], Point]]:
    """Return hand-made routes for hybrid.json: link 1 clear of everything, link 2 straight
    through the cells below ``api``, links 3 and 4 leaving ``worker`` from one point, with
    link 3 on top of link 1 and ending beside ``pg``."""
    picture = _picture(SPECS / "hybrid.json")
    cells, frame = picture.cells, picture.frames[0].rect
    web, api, worker, pg = cells["web"], cells["api"], cells["worker"], cells["pg"]
    row = (web.top + web.bottom) / 2
    margin_x = (frame.left + web.left) / 2  # inside the host, left of every cell
    gap_x = (cells["dh1"].right + cells["dh2"].left) / 2  # between the two VM columns
    gap_y = cells["dbvm"].top - 5  # between the two rows of VMs
    middle = (api.left + api.right) / 2
    leaving = Point(worker.left, row)
    return {
        1: (
            [
                Point(web.left, row),
                Point(margin_x, row),
                Point(margin_x, gap_y),
                Point(gap_x, gap_y),
                Point(gap_x, row),
                Point(api.right + 4, row),
            ],
            Point(api.right, row),
        ),
        2: ([Point(middle, api.bottom), Point(middle, pg.top - 10)], Point(middle, pg.top)),
        3: (
            [
                leaving,
                Point(gap_x, row),
                Point(gap_x, gap_y),
                Point(margin_x, gap_y),
                Point(margin_x, pg.top - 10),
            ],
            Point(margin_x, pg.top),
        ),
        4: ([leaving, Point(gap_x, row), Point(gap_x, row - 30)], Point(gap_x, row - 40)),
    }


def _injected(*numbers: int) -> Picture:
    routes = _hybrid_routes()
    edges = [_edge("hybrid-", n, *routes[n]) for n in numbers]
    return _inject(_svg(SPECS / "hybrid.json"), *edges)


def test_checker_passes_a_clear_link() -> None:
    path = SPECS / "hybrid.json"
    picture = _injected(1)
    assert [link.number for link in picture.links] == [1]
    assert picture.links[0].faults == ()
    assert _join_problems(path, picture) == []
    assert _crossing_problems(path, picture) == []
    assert _extent_problems(path, picture) == []


def test_checker_flags_a_link_through_cells() -> None:
    path = SPECS / "hybrid.json"
    problems = _crossing_problems(path, _injected(1, 2))
    heading = "hybrid.json link 2 (api → pg, 'TCP 5432'): crosses"
    assert problems[:2] == [
        f"{heading} cell 'Python 3.12, glibc, OpenSSL 3' / 'image 114 MiB' in hybrid-host-kvm1"
        " at (231.75, -769)",
        f"{heading} text 'Python 3.12, glibc, OpenSSL 3' at (231.75, -763)",
    ]
    assert f"{heading} cell 'Docker Engine 20.10' / 'disk 249 MiB'" in _report(problems)
    assert problems[-2:] == [
        f"{heading} cell hybrid-a_c-dbvm at (231.75, -628.5)",
        f"{heading} text 'allocated 8 vCPU · 32 GiB · 500 GiB' at (231.75, -611.5)",
    ]
    assert _join_problems(path, _injected(1, 2)) == []


def test_checker_flags_links_on_top_of_each_other() -> None:
    problems = _report(_spacing_problems(SPECS / "hybrid.json", _injected(1, 3, 4)))
    assert (
        "link 3 start (316.5, -791.5) and link 4 start (316.5, -791.5) are 0.0 pt apart" in problems
    )
    assert "links 1 and 3 run on top of each other: horizontal at -633" in problems
    assert "links 1 and 3 run on top of each other: vertical at 311.5" in problems


def test_checker_flags_ends_off_their_cells() -> None:
    """Link 3 ends 4.5 pt left of ``pg``."""
    problems = _report(_join_problems(SPECS / "hybrid.json", _injected(3)))
    assert problems == (
        "hybrid.json link 3 (worker → pg, 'TCP 5432'): ends at (4.5, -595), "
        "4.5 pt from the border of [9..306.5 x -595..-550]"
    )


def test_checker_flags_a_link_leaving_the_picture() -> None:
    picture = _injected(1)
    link = picture.links[0]
    outside = Link(
        1, link.ident, (*link.points[:2], Point(-20, link.points[1].y)), (), link.tip, ()
    )
    assert outside_picture(picture, outside) == [
        f"leaves the picture at (-20, {link.points[1].y:g}) (viewBox {picture.view})"
    ]


def test_checker_flags_a_foreign_host_frame() -> None:
    """A link from the container node to the hybrid host that cuts through the VM host."""
    path = DATA / "links" / "between-hosts.json"
    picture = _picture(path)
    shop, api, legacy = picture.cells["shop"], picture.cells["api"], picture.frames[0].rect
    middle = (shop.left + shop.right) / 2
    above = legacy.top + 20
    route = [
        Point(middle, shop.top),
        Point(middle, above),
        Point(legacy.left - 4, above),
        Point(legacy.left - 4, api.top - 10),
    ]
    tip = Point(legacy.left - 4, api.top)
    picture = _inject(_svg(path), _edge(picture.prefix, 1, route, tip))
    problems = _report(_crossing_problems(path, picture))
    assert "link 1 (shop → api, 'HTTP 8000'): crosses the frame of host 'legacy'" in problems
    assert "crosses text 'Legacy VMs'" in problems


def test_checker_flags_a_path_that_is_not_square() -> None:
    svg = _svg(SPECS / "hybrid.json").decode()
    edge = (
        '<g id="hybrid-link&#45;1" class="edge"><path d="M9,-790C9,-790 0,-700 0,-700"/>'
        '<polygon points="0,-700 -3,-690 3,-690 0,-700"/></g>'
    )
    end = svg.rindex("</g>")
    (link,) = read_picture(svg[:end] + edge + svg[end:]).links
    assert link.faults == ("piece (9, -790) -> (0, -700) is neither horizontal nor vertical",)
