"""Pictures made for the page: read at the width of a docs column, with clean file edges."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from diagramgen import Settings, load, load_text, totals
from diagramgen.api import compare, render
from diagramgen.draw.geometry import Rect
from diagramgen.draw.layout import geometry
from diagramgen.draw.themes import drawn_theme

from .conftest import DATA, container_spec, example_specs

BUDGET = 760
SPECS = Path(__file__).resolve().parent.parent / "specs"
_SIZE = re.compile(r'<svg width="([0-9.]+)px"')
_FONT = re.compile(r'font-size="([0-9.]+)"')


def smallest_shown(svg: str, budget: int = BUDGET) -> tuple[float, float]:
    """Return the SVG's width and its smallest text in CSS px at ``min(width, budget)``."""
    found = _SIZE.search(svg)
    assert found is not None
    width = float(found.group(1))
    scale = min(width, budget) / width
    return width, min(float(size) for size in _FONT.findall(svg)) * scale


def _spec(columns: int, vms: int = 1, name: str = "a workload with a long name") -> dict[str, Any]:
    def vm(number: int) -> dict[str, Any]:
        return {
            "id": f"vm{number}",
            "name": f"vm-{number}",
            "allocated": {"cpu": 4, "memory": "8GiB", "disk": "80GiB"},
            "guest_os": {"name": "Debian 12", "uses": {"memory": "512MiB", "disk": "4GiB"}},
            "apps": [
                {
                    "id": f"app{number}_{index}",
                    "name": f"{name} {index}",
                    "libs": ["glibc", "OpenSSL 3", "zlib"],
                    "uses": {"cpu": 0.5, "memory": "512MiB", "disk": "1GiB"},
                }
                for index in range(columns)
            ],
        }

    return {
        "version": 1,
        "title": f"{columns} columns",
        "hosts": [
            {
                "id": "h",
                "name": "host",
                "stack": "vm",
                "infrastructure": {"capacity": {"cpu": 64, "memory": "256GiB", "disk": "4TiB"}},
                "hypervisor": {"name": "KVM", "type": 1},
                "vms": [vm(number) for number in range(vms)],
            }
        ],
    }


def _write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document), "utf-8")
    return path


def _svg(path: Path, width: int = BUDGET) -> str:
    pictures = render(
        load(path), ["svg"], settings=Settings(width=width, embed_fonts=False, engine="embedded")
    )
    return pictures["svg"].decode()


@pytest.mark.parametrize(
    "path",
    [
        *example_specs(),
        DATA / "render" / "many-vms.json",
        DATA / "render" / "overcommitted.json",
    ],
    ids=lambda p: p.stem,
)
def test_smallest_text_is_at_least_9_px_in_a_760_px_column(path: Path) -> None:
    width, smallest = smallest_shown(_svg(path))
    assert width <= BUDGET
    assert smallest >= 9, (width, smallest)


def test_compare_picture_is_readable_in_the_column() -> None:
    pictures = compare(
        SPECS / "compare" / "as-vms.json", SPECS / "compare" / "as-containers.json", ["svg"]
    ).pictures
    width, smallest = smallest_shown(pictures["svg"].decode())
    assert width <= BUDGET and smallest >= 9


@pytest.mark.parametrize("columns", [1, 2, 3, 4, 5, 6])
def test_hosts_with_up_to_6_workload_columns_fit(tmp_path: Path, columns: int) -> None:
    width, smallest = smallest_shown(_svg(_write(tmp_path, _spec(columns))))
    assert width <= BUDGET and smallest >= 9


def test_forty_vms_of_twelve_wrap_instead_of_shrinking(tmp_path: Path) -> None:
    width, smallest = smallest_shown(_svg(_write(tmp_path, _spec(12, vms=40))))
    assert width <= BUDGET and smallest >= 9


@pytest.mark.parametrize("budget", [480, 1200])
def test_the_width_budget_is_honoured(tmp_path: Path, budget: int) -> None:
    width, smallest = smallest_shown(_svg(SPECS / "vms-vs-containers.json", budget), budget)
    assert width <= budget and smallest >= 9


@pytest.mark.parametrize("path", example_specs(), ids=lambda p: p.name)
def test_the_narrowest_budget_is_honoured_panel_and_links_included(path: Path) -> None:
    """At 240 px (a phone) hosts, panel and links fit: values and notes wrap, nothing grows.

    A mixed host is the exception: its VMs and its containers stand side by side on its host
    OS, each with its texts on two lines at most, and take 272 px."""
    budget = 280 if path.stem == "proxmox" else 240
    width, smallest = smallest_shown(_svg(path, 240), budget)
    assert width <= budget and smallest >= 9


def test_a_wider_budget_puts_the_panel_beside_the_hosts() -> None:
    narrow, wide = _svg(SPECS / "vm.json", 760), _svg(SPECS / "vm.json", 1400)
    assert float(_SIZE.search(wide).group(1)) > float(_SIZE.search(narrow).group(1))  # type: ignore[union-attr]


def test_long_names_wrap_onto_a_second_line(tmp_path: Path) -> None:
    name = "an application server with a rather long name"
    svg = _svg(_write(tmp_path, _spec(2, name=name)))
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert any(text.startswith("an application server") for text in texts)
    # Not on one line, and not cut off on the first (the tooltip has it whole).
    assert name + " 0" not in texts
    assert f"<title>{name} 0 (app a0)" in svg or f"{name} 0" in svg


def test_unknown_figures_are_left_out_not_printed_as_question_marks() -> None:
    for path in example_specs():
        svg = _svg(path)
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        assert not [t for t in texts if re.search(r"(^|\s)\?(\s|$)|≥0%", t)], path.stem
        assert not [t for t in texts if t.strip() == "no apps"], path.stem


def test_a_capacity_nobody_gives_reads_not_given() -> None:
    spec = container_spec([{"id": "web", "limits": {"cpu": 1, "memory": "1GiB"}}])
    svg = render(load_text(json.dumps(spec)), ["svg"], settings=Settings(engine="embedded"))[
        "svg"
    ].decode()
    texts = [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    assert texts[texts.index("capacity") + 1] == "not given"


def test_not_given_figures_are_one_quiet_line() -> None:
    svg = _svg(SPECS / "vms-vs-containers.json")
    assert re.search(r"[0-9]+ figures not given: totals marked ≥", svg)
    assert "items lack figures" not in svg


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_png_is_opaque_edge_to_edge(theme: str) -> None:
    from PIL import Image

    for path in example_specs():
        data = render(load(path), ["png"], settings=Settings(theme=theme, engine="embedded"))["png"]
        with Image.open(io.BytesIO(data)) as image:
            assert image.mode == "RGB", path.stem


def test_pdf_page_is_the_picture_with_its_title() -> None:
    path = SPECS / "vm.json"
    pictures = render(
        load(path), ["pdf", "svg"], settings=Settings(theme="dark", engine="embedded")
    )
    pdf, svg = pictures["pdf"], pictures["svg"].decode()
    box = re.search(rb"/MediaBox \[ 0 0 ([0-9.]+) ([0-9.]+) \]", pdf)
    size = re.search(r'<svg width="([0-9.]+)px" height="([0-9.]+)px"', svg)
    assert box and size
    assert [float(v) for v in box.groups()] == [float(v) for v in size.groups()]
    title = (load(path).title or "").encode("utf-16-be").hex().upper()
    assert f"/Title <FEFF{title}>".encode() in pdf
    # The appended update's offsets point at what they name.
    where = int(re.findall(rb"\n([0-9]{10}) 00000 n \ntrailer", pdf)[-1])
    assert re.match(rb"[0-9]+ 0 obj", pdf[where:])
    start = int(re.findall(rb"startxref\n([0-9]+)\n%%EOF", pdf)[-1])
    assert pdf[start:].startswith(b"xref")


def _below(boxes: list[Rect], box: Rect) -> Rect | None:
    """Return the nearest box under ``box`` that shares more than a point of its width."""
    under = [
        other
        for other in boxes
        if other.top >= box.bottom - 0.5
        and min(other.right, box.right) - max(other.left, box.left) > 1
    ]
    return min(under, key=lambda other: other.top, default=None)


@pytest.mark.parametrize(
    "path",
    [*example_specs(), DATA / "links" / "twelve-vms.json", DATA / "render" / "overcommitted.json"],
    ids=lambda p: p.stem,
)
def test_apps_and_containers_stand_on_their_layer(path: Path) -> None:
    """The lowest row of each VM's or engine's workloads stands on the OS or engine it runs on:
    the room a row of VMs has to spare goes above the workloads, never between the layers."""
    spec = load(path)
    board = geometry(spec, totals(spec), drawn_theme("light", True))
    grids = [list(host.containers) for host in spec.hosts]
    grids += [vm.workloads() for host in spec.hosts for vm in host.vms]
    for grid in filter(None, grids):
        libs = {}
        for item in grid:
            cell = board.cells[f"c-{item.id}"]
            found = _below(board.boxes, cell)
            assert found is not None and abs(found.top - cell.bottom) < 0.5, item.id
            libs[item.id] = found
        lowest = max(box.bottom for box in libs.values())
        for ident, box in libs.items():
            if box.bottom == lowest:
                layer = _below(board.boxes, box)
                assert layer is not None, ident
                assert abs(layer.top - box.bottom) < 0.5, (
                    f"{ident}: {layer.top - box.bottom:g} pt gap"
                )


def test_a_link_numbered_without_a_line_says_so_in_the_panel() -> None:
    containers = [{"id": f"c{i}", "limits": {"cpu": 0.5, "memory": "256MiB"}} for i in range(8)]
    # Labels of their own: links with one target and one label would be one bundle.
    links = [{"from": f"c{i}", "to": "c0", "label": f"TCP {i}"} for i in range(1, 8)]
    spec = container_spec(containers, links)
    svg = render(load_text(json.dumps(spec)), ["svg"], settings=Settings(engine="embedded"))[
        "svg"
    ].decode()
    texts = [
        " ".join(html.unescape(t).split()) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    ]
    assert "7 c7 → c0 (no line): TCP 7" in texts  # the seventh link at c0: no lane for it
    assert "TCP 6" in texts  # on its line, not in the panel
    assert not [t for t in texts if t.startswith("6 c6")]
    assert len(re.findall(r'<g id="[^"]*link&#45;\d+"', svg)) == 6
