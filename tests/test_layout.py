"""The picture's geometry, read back from the SVG the embedded engine draws."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from diagramgen import Settings, load, load_text
from diagramgen.accounting import compute
from diagramgen.api import render
from diagramgen.draw.layout import to_dot
from diagramgen.draw.metrics import text_width
from diagramgen.draw.themes import THEMES

from .conftest import DATA, SPECS, container_spec, example_specs
from .svgshapes import Box, nodes

GOLDEN = Path(__file__).resolve().parent / "golden"
LIGHT = THEMES["light"]
# random-371: a page of tests/test_link_geometry.py whose routes change with the search's
# arithmetic (the order its floats are summed in breaks ties differently).
PICTURES = [
    *example_specs(),
    DATA / "render" / "overcommitted.json",
    DATA / "render" / "random-371.json",
]


def _dot(path: Path) -> str:
    spec = load(path)
    return to_dot(spec, compute(spec), LIGHT)


@pytest.mark.parametrize("path", PICTURES, ids=lambda p: p.stem)
def test_dot_matches_golden(path: Path, update_golden: bool) -> None:
    golden = GOLDEN / f"{path.stem}.dot"
    dot = _dot(path)
    if update_golden:
        golden.write_text(dot, "utf-8")
    assert golden.exists(), "no golden file: run pytest --update-golden and review the diff"
    assert dot == golden.read_text("utf-8")


@pytest.mark.parametrize("path", PICTURES, ids=lambda p: p.stem)
def test_dot_is_deterministic(path: Path) -> None:
    assert _dot(path) == _dot(path)


def _svg(path: Path) -> str:
    pictures = render(
        load(path), ["svg"], settings=Settings(embed_fonts=False, engine="embedded", name=path.stem)
    )
    return pictures["svg"].decode()


def _hosts(svg: str) -> dict[str, list[Box]]:
    return {ident: boxes for ident, (boxes, _) in nodes(svg).items() if "-host-" in ident}


def _of(boxes: list[Box], layer: str) -> list[Box]:
    return [box for box in boxes if box.fill == LIGHT.fill(layer)]


def test_hosts_stand_on_one_baseline_each_its_own_height() -> None:
    svg = _svg(DATA / "render" / "two-heights.json")
    hosts = _hosts(svg)
    assert len(hosts) == 2
    infrastructure = [_of(boxes, "infrastructure") for boxes in hosts.values()]
    assert all(len(boxes) == 1 for boxes in infrastructure)
    bottoms = [boxes[0].bottom for boxes in infrastructure]
    tops = [min(b.top for b in boxes) for boxes in hosts.values()]
    assert max(bottoms) - min(bottoms) <= 0.5, "the hosts' infrastructure bars are not aligned"
    assert max(tops) - min(tops) > 50, "the shorter host is padded to the taller one's height"


def _mixed(boxes: list[Box]) -> bool:
    """Return whether a host's engine bar stands level with its hypervisor bar (a mixed host)."""
    return any(
        abs(engine.bottom - hypervisor.bottom) < 0.6
        for engine in _of(boxes, "engine")
        for hypervisor in _of(boxes, "hypervisor")
    )


def test_a_mixed_host_stands_its_vms_and_containers_side_by_side_on_its_host_os() -> None:
    from diagramgen.draw.arrange import MIXED_GAP

    (boxes,) = _hosts(_svg(SPECS / "proxmox.json")).values()
    host_os = _of(boxes, "host_os")[0]
    hypervisor = max(_of(boxes, "hypervisor"), key=lambda b: b.bottom)
    engine = max(_of(boxes, "engine"), key=lambda b: b.bottom)
    # Both bars stand on the host OS, side by side, and span it with the gap between them.
    for bar in (hypervisor, engine):
        assert bar.bottom == pytest.approx(host_os.top, abs=0.6)
    assert hypervisor.left == pytest.approx(host_os.left, abs=0.6)
    assert engine.right == pytest.approx(host_os.right, abs=0.6)
    assert engine.left - hypervisor.right == pytest.approx(MIXED_GAP, abs=0.6)
    # The VMs stand over the hypervisor, the system containers over the engine, and the
    # lowest of each on its bar.
    items = _of(boxes, "container") + _of(boxes, "libs")  # an app's fill is a container's
    containers = [b for b in items if b.left >= hypervisor.right]
    vms = _of(boxes, "guest_os") + [b for b in items if b not in containers]
    assert len(containers) == 6 and len(vms) == 3 + 4  # 3 guest OSes, 2 apps and their libs
    for box in vms:
        assert box.left >= hypervisor.left - 0.6 and box.right <= hypervisor.right + 0.6
        assert box.bottom <= hypervisor.top + 0.6
    for box in containers:
        assert box.left >= engine.left - 0.6 and box.right <= engine.right + 0.6
        assert box.bottom <= engine.top + 0.6
    assert max(b.bottom for b in containers) == pytest.approx(engine.top, abs=0.6)
    standing = _of(boxes, "vm") + [b for b in _of(boxes, "host") if b.bottom < host_os.top]
    lowest = [b for b in standing if b.bottom == pytest.approx(hypervisor.top, abs=0.6)]
    assert len(lowest) >= 1  # the VMs of the lowest band stand on the hypervisor


@pytest.mark.parametrize("path", PICTURES, ids=lambda p: p.stem)
def test_layers_stack_in_order_with_equal_widths(path: Path) -> None:
    svg = _svg(path)
    for ident, boxes in _hosts(svg).items():
        if _mixed(boxes):
            continue  # VMs and containers side by side: test_a_mixed_host_...
        infrastructure = _of(boxes, "infrastructure")[0]
        content = [b for b in boxes if b.fill != LIGHT.fill("host")]
        left = min(b.left for b in content)
        right = max(b.right for b in content)
        # The full-width bars span exactly what stands on them.
        for layer in ("infrastructure", "hypervisor", "host_os"):
            for bar in _of(boxes, layer):
                if bar.width > 0.5 * infrastructure.width:
                    assert bar.left == pytest.approx(left, abs=0.6), (ident, layer)
                    assert bar.right == pytest.approx(right, abs=0.6), (ident, layer)
        # Bottom to top: infrastructure, host OS, hypervisor, then what runs on them.
        # The bars: the lowest full-width cell of each layer (a shelf of the hypervisor
        # under a band that wraps is higher up).
        order = [_of(boxes, layer) for layer in ("infrastructure", "host_os", "hypervisor")]
        wide = [[b for b in group if b.width > 0.5 * infrastructure.width] for group in order]
        bars = [max(group, key=lambda b: b.bottom) for group in wide if group]
        for lower, upper in itertools.pairwise(bars):
            assert upper.bottom == pytest.approx(lower.top, abs=0.6)
        guests = _of(boxes, "guest_os")
        engines = _of(boxes, "engine")
        for guest in guests:
            assert guest.bottom <= bars[-1].top + 0.6
            assert guest.left >= left - 0.6 and guest.right <= right + 0.6
        for engine in engines:
            below = [
                g
                for g in guests
                if g.left == pytest.approx(engine.left, abs=0.6) and g.top >= engine.top
            ]
            if not below:
                continue  # a container host's engine: a full-width bar
            guest = min(below, key=lambda g: g.top)  # the guest OS of the engine's VM
            assert engine.bottom == pytest.approx(guest.top, abs=0.6)
        # Every guest OS of a VM is as wide as the apps or containers standing on it.
        items = _of(boxes, "container") + _of(boxes, "libs")
        for guest in guests:
            inside = [
                b for b in items if b.left >= guest.left - 0.6 and b.right <= guest.right + 0.6
            ]
            if not inside:
                continue  # a VM running nothing: no "no apps" row
            assert min(b.left for b in inside) == pytest.approx(guest.left, abs=0.6)
            assert max(b.right for b in inside) == pytest.approx(guest.right, abs=0.6)


@pytest.mark.parametrize("path", PICTURES, ids=lambda p: p.stem)
def test_vms_in_a_row_have_equal_heights(path: Path) -> None:
    for boxes in _hosts(_svg(path)).values():
        titles = [b for b in _of(boxes, "vm") if b.height > 0]
        rows: dict[float, list[Box]] = {}
        for box in titles:
            rows.setdefault(round(box.top, 1), []).append(box)
        for row in rows.values():
            assert len({round(b.height, 1) for b in row}) == 1


@pytest.mark.parametrize("path", PICTURES, ids=lambda p: p.stem)
def test_no_text_overflows_its_cell(path: Path) -> None:
    checked = 0
    for ident, (boxes, texts) in nodes(_svg(path)).items():
        if not boxes:
            continue  # a link's label, drawn beside its point
        for text in texts:
            if not text.content.strip():
                continue
            # A text starting on the edge between two cells is the right-hand one's.
            cells = [
                b
                for b in boxes
                if b.left <= text.x + 0.5 and text.x + 0.5 < b.right and b.top <= text.y <= b.bottom
            ]
            assert cells, (ident, text.content)
            cell = min(cells, key=lambda b: b.width * b.height)
            right = text.x + text_width(text.content, text.size, text.bold)
            assert text.x >= cell.left - 0.5, (ident, text.content)
            assert right <= cell.right + 1.0, (ident, text.content, right, cell.right)
            checked += 1
    assert checked > 20


def test_many_vms_wrap_into_balanced_bands_each_on_a_shelf() -> None:
    """Fourteen VMs wrap into bands of 5, 5 and 4 (or as balanced): each band stands on a
    cell of the hypervisor as wide as the host: a shelf, or the bar itself."""
    path = DATA / "render" / "many-vms.json"
    (boxes,) = _hosts(_svg(path)).values()
    bands: dict[float, list[Box]] = {}
    for box in _of(boxes, "vm"):
        bands.setdefault(round(box.bottom, 1), []).append(box)
    sizes = sorted(len(band) for band in bands.values())
    assert len(bands) >= 2 and sum(sizes) == 14
    assert sizes[-1] - sizes[0] <= 1, sizes
    infrastructure = _of(boxes, "infrastructure")[0]
    assert infrastructure.width <= 760
    hypervisor = _of(boxes, "hypervisor")
    for bottom, band in bands.items():
        under = [h for h in hypervisor if h.top == pytest.approx(bottom, abs=0.6)]
        assert under, f"the band at {bottom} stands on no hypervisor cell"
        (shelf,) = under
        assert shelf.left <= min(b.left for b in band) + 0.6
        assert shelf.right >= max(b.right for b in band) - 0.6
        assert shelf.width == pytest.approx(infrastructure.width, abs=0.6)


@pytest.mark.parametrize(
    ("field", "first", "second"),
    [
        ("limits", {"cpu": 1, "memory": "1GiB"}, {"cpu": 2, "memory": "1GiB"}),
        ("replicas", 1, 3),
        ("image", {"ref": "a:1", "size": "10MiB"}, {"ref": "b:1", "size": "20MiB"}),
        ("reservations", {}, {"cpu": 0.5}),
        ("libs", ["glibc"], ["musl"]),
    ],
)
def test_workloads_alike_but_for_one_figure_are_drawn_apart(
    field: str, first: object, second: object
) -> None:
    """Alike workloads are measured once per picture (items.Workloads caches lines by what
    is drawn); one that differs in anything drawn gets lines of its own."""
    from diagramgen.draw.items import Workloads
    from diagramgen.draw.style import Style

    def container(number: int, value: object) -> dict[str, object]:
        found = {"id": f"api{number}", "name": "api", "limits": {"cpu": 1, "memory": "1GiB"}}
        return {**found, field: value}

    spec = container_spec([container(1, first), container(2, first), container(3, second)])
    items = load_text(json.dumps(spec)).hosts[0].containers
    grid = Workloads(items, Style(LIGHT), inner_lanes=True)
    assert grid.drawn[0] == grid.drawn[1]  # the same but for the id
    assert grid.lines(0, 200) == grid.lines(1, 200)
    assert grid.drawn[2] != grid.drawn[0], field
    assert grid.lines(2, 200) != grid.lines(0, 200), field
