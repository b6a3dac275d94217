"""draw.io's own viewer opens our .drawio files as the SVG draws them: every box where the SVG
has it (to a point) and in its colour, nested as the stack stands, every link an edge attached
at both ends along the router's corners, the figures on the cells."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from diagramgen import Settings, load
from diagramgen.api import render
from diagramgen.spec import build
from diagramgen.spec.model import VM, Host, Spec

from .conftest import DATA, SPECS, container_spec, example_specs
from .drawio_client import DrawioClient

pytestmark = [pytest.mark.browser, pytest.mark.drawio]

#: How far a box may be from where the SVG draws it (points).
POINT = 1.0

_MOVE = re.compile(
    r'class="graph" transform="scale\(1 1\) rotate\(0\) translate\(([-0-9.]+) ([-0-9.]+)\)"'
)
_POLYGON = re.compile(r'<polygon fill="(#[0-9a-f]{6})" stroke="none" points="([^"]+)"')
_PATH = re.compile(r'<path fill="(#[0-9a-f]{6})" stroke="none" d="([^"]+)"')
_GROUP = re.compile(r'<g id="[^"]*?-(a_c&#45;[^"]+|host&#45;[^"]+|totals)"(?: class="node")?>')
_EDGE = re.compile(r'<g id="[^"]*?-link&#45;([0-9]+)" class="edge">(.*?)</g>', re.S)
_NUMBERS = re.compile(r"-?[0-9.]+")

Box = tuple[float, float, float, float]  # left, top, right, bottom


def _box(values: list[float], dx: float, dy: float) -> Box:
    xs, ys = values[0::2], values[1::2]
    return (min(xs) + dx, min(ys) + dy, max(xs) + dx, max(ys) + dy)


class Drawn:
    """The boxes of our SVG, on the page (its transform applied)."""

    def __init__(self, svg: str) -> None:
        move = _MOVE.search(svg)
        assert move
        dx, dy = float(move.group(1)), float(move.group(2))
        #: Every filled box: (fill, box).
        self.boxes: list[tuple[str, Box]] = []
        #: The first filled box in each component's group (its cell), each host's frame
        #: and the panel's frame.
        self.groups: dict[str, Box] = {}
        group = None
        for line in svg.splitlines():
            found = _GROUP.search(line)
            if found:
                group = found.group(1).replace("&#45;", "-").removeprefix("a_")
                continue
            shape = _POLYGON.search(line) or _PATH.search(line)
            if shape is None:
                continue
            numbers = [float(value) for value in _NUMBERS.findall(shape.group(2))]
            box = _box(numbers, dx, dy)
            self.boxes.append((shape.group(1), box))
            if group is not None and group not in self.groups:
                self.groups[group] = box
        #: Each link's corners (its line) and its arrowhead's tip.
        self.links: dict[int, tuple[list[tuple[float, float]], tuple[float, float]]] = {}
        for number, body in _EDGE.findall(svg):
            # A line that leaves gaps where others cross it is drawn in pieces.
            paths = " ".join(re.findall(r' d="([^"]+)"', body))
            head = re.search(
                r'<polygon fill="[^"]+" stroke="[^"]+" stroke-width="[^"]+" points="([^"]+)"', body
            )
            assert paths and head
            values = [float(value) for value in _NUMBERS.findall(paths)]
            points = [(x + dx, y + dy) for x, y in zip(values[0::2], values[1::2], strict=True)]
            tips = [float(value) for value in _NUMBERS.findall(head.group(1))]
            corners = list(zip(tips[0::2], tips[1::2], strict=True))
            # The tip is the corner of the arrowhead farthest from the line's end.
            end = points[-1]
            tip = max(corners, key=lambda p: (p[0] + dx - end[0]) ** 2 + (p[1] + dy - end[1]) ** 2)
            self.links[int(number)] = (_corners(points), (tip[0] + dx, tip[1] + dy))


def _corners(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Return a path's corners: repeats and points along a straight run left out."""
    found: list[tuple[float, float]] = []
    for point in points:
        if found and _near(found[-1], point):
            continue
        if len(found) >= 2 and _straight(found[-2], found[-1], point):
            found[-1] = point
            continue
        found.append(point)
    return found


def _near(a: tuple[float, float], b: tuple[float, float], by: float = POINT) -> bool:
    return abs(a[0] - b[0]) <= by and abs(a[1] - b[1]) <= by


def _on_edge(point: tuple[float, float], box: Box) -> bool:
    """Return whether ``point`` is on the edge of ``box`` (or above a host's title: inside)."""
    x, y = point
    inside = box[0] - 0.5 <= x <= box[2] + 0.5 and box[1] - 0.5 <= y <= box[3] + 0.5
    return inside


def _straight(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> bool:
    return (abs(a[0] - b[0]) < 0.01 and abs(b[0] - c[0]) < 0.01) or (
        abs(a[1] - b[1]) < 0.01 and abs(b[1] - c[1]) < 0.01
    )


def _cell_box(cell: dict[str, Any]) -> Box:
    x, y, width, height = cell["drawn"]
    return (x, y, x + width, y + height)


def _same(a: Box, b: Box) -> bool:
    return all(abs(p - q) <= POINT for p, q in zip(a, b, strict=True))


def _parents(spec: Spec) -> Iterator[tuple[str, str]]:
    """Yield each component's cell and the cell it stands in."""
    for host in spec.hosts:
        yield f"c-{host.id}", "1"
        for item in host.containers:
            yield f"c-{item.id}", f"c-{host.id}"
        for vm in host.vms:
            yield f"c-{vm.id}", f"c-{host.id}"
            for item in vm.workloads():
                yield f"c-{item.id}", f"c-{vm.id}"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DrawioClient]:
    with DrawioClient(tmp_path_factory.mktemp("drawio")) as opened:
        yield opened


def _specs() -> list[Path]:
    """Return the examples, and pages of many kinds: bundles of links, links shown by
    number, VMs in bands on shelves, long names, reservations, an overcommitted host."""
    more = [
        "links/forty-into-one.json",
        "links/long-labels.json",
        "links/twelve-vms.json",
        "links/three-hosts-in-order.json",
        "page/long-names.json",
        "render/reservations.json",
        "render/overcommitted.json",
    ]
    return [*example_specs(), *(DATA / name for name in more)]


@pytest.mark.parametrize(
    ("path", "footer"),
    [*((path, False) for path in _specs()), (SPECS / "vm.json", True)],
    ids=lambda value: value.stem if isinstance(value, Path) else ("footer" if value else ""),
)
def test_draw_io_draws_every_box_where_the_svg_does(
    path: Path, footer: bool, client: DrawioClient
) -> None:
    spec = load(path)
    # A footer under the picture moves Graphviz's whole drawing: the boxes stay where it is.
    pictures = render(path, ["svg", "drawio"], Settings(name=path.stem, footer=footer))
    drawn = Drawn(pictures["svg"].decode())
    cells = {cell["id"]: cell for cell in client.open(pictures["drawio"])}
    texts = ("title", "footer")  # free text: no box of their own
    vertices = [c for c in cells.values() if c["vertex"] and c["shown"] and c["id"] not in texts]
    assert len(vertices) > 10
    for cell in vertices:
        # The view drew each shape where it placed it (a table's row draws nothing itself).
        if cell["style"].get("shape") != "tableRow":
            assert cell["box"] == pytest.approx(cell["drawn"], abs=0.5), cell["id"]
    leaves = [c for c in vertices if not any(o["parent"] == c["id"] for o in vertices)]
    for cell in leaves:
        if cell["id"].startswith("totals:r") and cell.get("fill") is None:
            continue  # a panel cell without a fill of its own: its row's
        box = _cell_box(cell)
        assert any(fill == cell["fill"] and _same(box, other) for fill, other in drawn.boxes), (
            f"{cell['id']} {box} {cell['fill']}: no such box in the SVG"
        )
    components = {component.id: component for _, component in spec.components()}
    for ident, component in components.items():
        cell = cells[f"c-{ident}"]
        box, own = _cell_box(cell), drawn.groups[f"c-{ident}"]
        inside = [_cell_box(c) for c in vertices if c["parent"] == cell["id"]]
        if isinstance(component, Host):
            assert _same(box, drawn.groups[f"host-{ident}"]), ident
        elif isinstance(component, VM):  # its whole stack: its own cell at its foot
            assert _same((box[0], min(b[1] for b in inside), box[2], box[3]), box), ident
            assert _same((own[0], box[1], own[2], own[3]), box), ident
        else:  # its cell, its bins/libs at its foot
            bottom = max((b[3] for b in inside), default=own[3])
            assert _same((own[0], own[1], own[2], bottom), box), ident
        assert cell["fill"] is not None
    assert _same(_cell_box(cells["totals"]), drawn.groups["totals"])


@pytest.mark.parametrize("path", _specs(), ids=lambda p: p.stem)
def test_draw_io_nests_the_stack_and_attaches_every_link(path: Path, client: DrawioClient) -> None:
    spec = load(path)
    pictures = render(spec, ["svg", "drawio"], Settings(name=path.stem))
    drawn = Drawn(pictures["svg"].decode())
    cells = {cell["id"]: cell for cell in client.open(pictures["drawio"])}
    for ident, parent in _parents(spec):
        assert cells[ident]["parent"] == parent, ident
    layers = [ident for ident in cells if re.fullmatch(r"c-[^:]+:[a-z-]+(-[0-9]+)?", ident)]
    assert layers
    for ident in layers:  # a layer (or bins/libs) stands in its owner
        assert cells[ident]["parent"] == ident.split(":")[0], ident
    for number, link in enumerate(spec.links, start=1):
        edge = cells[f"link-{number}"]
        assert edge["edge"]
        assert (edge["source"], edge["target"]) == (f"c-{link.source}", f"c-{link.target}")
        if number not in drawn.links:
            assert not edge["shown"]  # shown by number: on the hidden layer
            continue
        corners, tip = drawn.links[number]
        points = [tuple(point) for point in edge["points"]]
        # Graphviz draws the arrowhead's tip short of the cell by its stroke's miter (1.8
        # points); draw.io's edge ends on the cell.
        assert _near(points[-1], tip, 2.0), (number, points[-1], tip)
        target = _cell_box(cells[edge["target"]])
        assert _on_edge(points[-1], target), (number, points[-1], target)
        ours = _corners(points)
        assert len(ours) == len(corners), (number, ours, corners)
        for mine, theirs in zip(ours[:-1], corners[:-1], strict=True):
            assert _near(mine, theirs), (number, ours, corners)
        label = spec.links[number - 1].label
        if edge["label"]:
            assert label and (edge["label"].startswith(label) or edge["label"].isdigit())


def test_draw_io_keeps_the_figures_on_the_cells(client: DrawioClient) -> None:
    path = SPECS / "hybrid.json"
    spec = load(path)
    cells = {
        c["id"]: c for c in client.open(render(spec, ["drawio"], Settings(name="h"))["drawio"])
    }
    vm = cells["c-dh1"]["data"]
    assert vm["kind"] == "VM" and vm["spec_id"] == "dh1"
    assert (vm["allocated_cpu"], vm["allocated_memory"], vm["allocated_disk"]) == (
        "8 vCPU",
        "16 GiB",
        "40 GiB",
    )
    assert (vm["used_cpu"], vm["used_cpu_share"]) == ("≥7 vCPU", "≥88%")
    web = cells["c-web"]["data"]
    assert (web["limit_cpu"], web["limit_memory"], web["replicas"]) == ("0.5 vCPU", "256 MiB", "2")
    assert web["image"] == "nginx:1.30.4-alpine"
    host = cells["c-kvm1"]["data"]
    assert (host["capacity_memory"], host["committed_memory_share"]) == ("64 GiB", "≥88%")
    assert cells["c-kvm1:hypervisor"]["data"]["name"] == "KVM/QEMU 7.2 · type 1"
    assert cells["link-2"]["data"] == {
        "kind": "link",
        "number": "2",
        "from": "api",
        "to": "pg",
        "link_label": "TCP 5432",
        "label": "TCP 5432 \N{MULTIPLICATION SIGN} 2",
    }
    assert cells["totals"]["data"]["os_copies"] == "4"


def test_draw_io_reads_the_file_back_out_of_the_svg(client: DrawioClient) -> None:
    pictures = render(SPECS / "proxmox.json", ["drawio", "drawio.svg"], Settings(name="p"))
    cells = client.open(pictures["drawio"])
    carried = client.open(pictures["drawio.svg"])
    assert len(cells) > 30
    assert carried == cells


def test_links_shown_by_number_are_attached_edges_on_a_hidden_layer(client: DrawioClient) -> None:
    containers = [{"id": f"c{n}", "limits": {"cpu": 1, "memory": "1GiB"}} for n in range(9)]
    links = [{"from": "c0", "to": f"c{n}", "label": f"port {n}"} for n in range(1, 9)]
    spec = build(container_spec(containers, links))
    cells = {
        c["id"]: c for c in client.open(render(spec, ["drawio"], Settings(name="n"))["drawio"])
    }
    edges = [cell for cell in cells.values() if cell["edge"]]
    assert len(edges) == len(links)
    hidden = [edge for edge in edges if edge["parent"] == "numbered-links"]
    assert hidden and all(not edge["shown"] for edge in hidden)
    for edge in edges:
        assert edge["source"] == "c-c0" and edge["target"] in cells
