"""The SVG for the web: own font, small subsets, auto scheme, accessibility, links, safety."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from diagramgen import Settings, load, load_text
from diagramgen.api import render
from diagramgen.api.batch import render_files
from diagramgen.draw.svg import prefix_for
from diagramgen.draw.themes import THEME_NAMES, auto_colours, contrast

from .conftest import ROOT, example_specs

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
_FACE = re.compile(
    r"@font-face\{font-family:([^;]+);font-weight:(\w+);src:url\(data:font/woff2;base64,([^)]+)\)"
)


@cache
def _svg(path: Path, theme: str = "light", text: str = "font", embed: bool = True) -> bytes:
    return render(
        load(path),
        ["svg"],
        Settings(theme=theme, text=text, embed_fonts=embed, engine="embedded", name=path.stem),
    )["svg"]


def _texts_by_weight(svg: str) -> dict[str, set[str]]:
    import html

    used: dict[str, set[str]] = {"normal": set(), "bold": set()}
    for attributes, content in re.findall(r"<text\b([^>]*)>([^<]*)</text>", svg):
        weight = "bold" if 'font-weight="bold"' in attributes else "normal"
        used[weight].update(html.unescape(content))
    return used


@pytest.mark.parametrize("path", example_specs(), ids=lambda p: p.stem)
def test_embedded_font_has_a_family_of_its_own_and_only_the_glyphs_drawn(path: Path) -> None:
    from fontTools.ttLib import TTFont

    svg = _svg(path).decode()
    faces = _FACE.findall(svg)
    families = {family for family, _, _ in faces}
    assert len(families) == 1
    family = families.pop()
    assert re.fullmatch(r"dg-[0-9a-f]{10}", family)
    assert "font-family:DejaVu" not in svg and 'font-family:"DejaVu' not in svg
    for attributes in re.findall(r"<text\b([^>]*)>", svg):
        assert f'font-family="{family},DejaVu Sans,sans-serif"' in attributes
    used = _texts_by_weight(svg)
    payload = 0
    for _, weight, data in faces:
        woff2 = base64.b64decode(data)
        payload += len(woff2)
        with TTFont(io.BytesIO(woff2)) as font:
            assert font.flavor == "woff2"
            assert "fpgm" not in font and "prep" not in font  # no hinting: drawn as measured
            assert {chr(code) for code in font.getBestCmap()} == used[weight] - {"\xa0"} | (
                used[weight] & {"\xa0"}
            )
            assert font["name"].getDebugName(1) == family
            assert "Bitstream" in (font["name"].getDebugName(0) or "")  # the licence's notices
            assert font["name"].getDebugName(13)
    assert {weight for _, weight, _ in faces} == {w for w, chars in used.items() if chars - {" "}}
    assert payload <= 12 * 1024, f"{path.stem}: {payload} bytes of WOFF2"


def test_subset_glyphs_are_the_bundled_fonts_outlines() -> None:
    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.ttLib import TTFont

    from diagramgen.draw.fontfile import woff2_subset

    chars = "Aé·≥⚠▲…\N{MULTIPLICATION SIGN}→g"
    with (
        TTFont(io.BytesIO(woff2_subset("normal", chars, "dg-test"))) as subset,
        TTFont(ROOT / "diagramgen" / "data" / "fonts" / "DejaVuSans.ttf") as source,
    ):
        for char in chars:
            outlines = []
            for font in (subset, source):
                glyphs = font.getGlyphSet()
                pen = DecomposingRecordingPen(glyphs)
                name = font.getBestCmap()[ord(char)]
                glyphs[name].draw(pen)
                outlines.append((pen.value, font["hmtx"][name][0]))
            assert outlines[0] == outlines[1], char
        kern = subset["kern"].kernTables[0].kernTable
        assert kern, "kerning pairs of the glyphs kept"


def test_two_diagrams_never_share_a_family_unless_they_draw_the_same_glyphs() -> None:
    families = {path.stem: _FACE.findall(_svg(path).decode())[0][0] for path in example_specs()}
    assert len(set(families.values())) == len(families)


@pytest.mark.parametrize("path", example_specs(), ids=lambda p: p.stem)
def test_auto_is_the_light_picture_with_a_dark_palette(path: Path) -> None:
    light, auto = _svg(path).decode(), _svg(path, "auto").decode()
    style = re.search(r"@media \(prefers-color-scheme:dark\)\{(.*?)\}</style>", auto)
    assert style
    rules = dict(re.findall(r"\.([\w-]+)\{((?:fill|stroke):#[0-9a-f]{6})\}", style.group(1)))
    # Without its classes and dark rules, auto is the light picture: same layout and colours.
    ours = rf' class="(?:{path.stem}-[fs]-\w+ ?)+"'
    assert plain_of(auto, ours, style.group(0)) == light
    # Every colour is mapped: each element's fill and stroke has a dark class.
    for tag, attributes in re.findall(r"<(polygon|polyline|path|ellipse|text)\b([^>]*)>", auto):
        classes = re.search(r'class="([^"]*)"', attributes)
        names = classes.group(1).split() if classes else []
        for prop in ("fill", "stroke"):
            value = re.search(rf'\b{prop}="([^"]*)"', attributes)
            if value and value.group(1) not in ("none", "transparent"):
                assert any(rules.get(n, "").startswith(prop) for n in names), (tag, attributes)


def plain_of(auto: str, classes: str, style: str) -> str:
    return re.sub(classes, "", auto).replace(style, "</style>")


def test_auto_text_contrast_is_enough_in_both_schemes() -> None:
    roles = {role: (light, dark) for role, light, dark in auto_colours().values()}
    fills = ["background", "host", "infrastructure", "host_os", "hypervisor", "vm", "guest_os"]
    fills += ["engine", "container", "app", "libs", "panel"]
    for scheme in (0, 1):
        for text in ("text", "detail", "warn", "link"):
            for fill in fills:
                ratio = contrast(roles[text][scheme], roles[fill][scheme])
                assert ratio >= 4.5, (scheme, text, fill, ratio)


def test_png_and_pdf_of_auto_are_light() -> None:
    path = ROOT / "specs" / "hybrid.json"
    auto = render(
        load(path), ["png", "dot"], settings=Settings(theme="auto", engine="embedded", name="h")
    )
    light = render(
        load(path), ["png", "dot"], settings=Settings(theme="light", engine="embedded", name="h")
    )
    assert auto == light
    assert "auto" in THEME_NAMES


def _spec(**extra: object) -> bytes:
    document = json.loads((ROOT / "specs" / "vm.json").read_text("utf-8"))
    document.pop("description", None)
    document.update(extra)
    return json.dumps(document).encode()


def test_description_is_written_from_the_totals_and_labels_point_at_one_element_each() -> None:
    svg = render(
        load_text(_spec(), "vm.json"), ["svg"], settings=Settings(engine="embedded", name="vm")
    )["svg"]
    root = ET.fromstring(svg)
    assert root.get("aria-labelledby") == "vm-title"
    assert root.get("aria-describedby") == "vm-desc"
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.get("id") == "vm-desc"
    assert desc.text == (
        "One VMware ESXi 8.0 host, three VMs running three apps; three OS copies take 4.5 GiB "
        "memory and 15 GiB disk; the host commits ≥14 of 16 vCPU (≥88 %), 52 GiB of 64 GiB "
        "memory (81 %) and 632 GiB of 1 TiB disk (62 %); no warnings; two links between "
        "components."
    )


def test_components_carry_tooltips_and_links_with_their_urls_escaped() -> None:
    document = json.loads(_spec())
    vm = document["hosts"][0]["vms"][0]
    vm["name"] = "a very long virtual machine name that the picture must shorten"
    vm["url"] = "https://example.org/vm?a=1&b=%272%27"
    vm["apps"][0]["url"] = "../runbooks/web.html#top"
    spec = load_text(json.dumps(document).encode(), "vm.json")
    svg = render(spec, ["svg"], settings=Settings(engine="embedded", name="vm"))["svg"]
    root = ET.fromstring(svg)
    links = {a.get(XLINK): a for a in root.iter(f"{SVG}a")}
    assert set(links) == {"https://example.org/vm?a=1&b=%272%27", "../runbooks/web.html#top"}
    tip = links["https://example.org/vm?a=1&b=%272%27"].find(f"{SVG}title")
    assert tip is not None and tip.text is not None
    assert tip.text.startswith(f"{vm['name']} (VM {vm['id']})\nallocated ")
    titles = [t.text or "" for t in root.iter(f"{SVG}title")]
    ids = [c["id"] for _, c in _components(document)]
    for ident in ids:
        assert any(f" {ident})" in title for title in titles), ident


def _components(document: dict[str, object]) -> list[tuple[str, dict[str, str]]]:
    found = []
    for host in document["hosts"]:  # type: ignore[attr-defined]
        found.append(("host", host))
        for vm in host.get("vms", []):
            found.append(("vm", vm))
            found += [("app", app) for app in vm.get("apps", [])]
    return found


def test_specs_with_one_name_in_two_folders_get_different_ids(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / "specs" / folder).mkdir(parents=True)
        (tmp_path / "specs" / folder / "edge.json").write_bytes(_spec())
    summary = render_files([str(tmp_path / "specs")], tmp_path / "out", ["svg"])
    assert not summary.failed
    ids = [
        set(re.findall(r'\bid="([^"]+)"', (tmp_path / "out" / f / "edge.svg").read_text()))
        for f in ("a", "b")
    ]
    assert ids[0] and ids[1] and not ids[0] & ids[1]


# --- Safety: parse every output as a sanitiser would -------------------------------------

_EVENT = re.compile(r"^on", re.I)


def _assert_safe(svg: bytes, what: str) -> None:
    root = ET.fromstring(svg)
    for element in root.iter():
        tag = element.tag.split("}")[-1].lower()
        assert tag not in ("script", "foreignobject", "iframe", "embed", "object"), what
        for name, value in element.attrib.items():
            local = name.split("}")[-1]
            assert not _EVENT.match(local), (what, name)
            lowered = re.sub(r"\s", "", value).lower()
            assert "javascript:" not in lowered and "vbscript:" not in lowered, (what, name)
            if local == "href":
                # Links (a spec's url) go to http(s) or relative pages; nothing else is
                # fetched: any other reference stays inside the document.
                if element.tag == f"{SVG}a":
                    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", lowered)
                    assert not scheme or scheme.group(1) in ("http", "https"), (what, value)
                else:
                    assert lowered.startswith("#"), (what, value)
            if "url(" in lowered:
                for target in re.findall(r"url\(([^)]*)\)", lowered):
                    assert target.startswith(("#", "data:font/woff2;base64,")), (what, target)
        if tag == "style":
            css = (element.text or "").lower()
            assert "@import" not in css and "expression(" not in css, what
            for target in re.findall(r"url\(([^)]*)\)", css):
                assert target.startswith("data:font/woff2;base64,"), (what, target)


@pytest.mark.parametrize("path", example_specs(), ids=lambda p: p.stem)
def test_every_svg_is_free_of_scripts_handlers_and_external_references(path: Path) -> None:
    for theme in THEME_NAMES:
        for text in ("font", "paths"):
            for embed in (True, False):
                _assert_safe(_svg(path, theme, text, embed), f"{path.stem} {theme} {text} {embed}")


def test_the_safety_check_catches_what_sanitisers_strip() -> None:
    for bad in (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        b'<a x:href="javascript:alert(1)"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://x.org/a#b)"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import "https://x.org/a.css";</style>'
        b"</svg>",
    ):
        with pytest.raises(AssertionError):
            _assert_safe(bad, "bad")


def test_committed_outputs_are_safe() -> None:
    outputs = sorted((ROOT / "output").rglob("*.svg"))
    assert outputs
    for path in outputs:
        _assert_safe(path.read_bytes(), str(path))


# --- Text as outlines ----------------------------------------------------------------------


def test_paths_draw_no_text_and_keep_the_accessible_names() -> None:
    svg = _svg(ROOT / "specs" / "hybrid.json", "light", "paths")
    root = ET.fromstring(svg)
    assert not list(root.iter(f"{SVG}text"))
    assert b"@font-face" not in svg
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None
    assert len(list(root.iter(f"{SVG}path"))) > 50


_EMPTY_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""


def _rsvg(svg: bytes, tmp_path: Path, name: str) -> Image.Image:
    config = tmp_path / "empty.conf"
    config.write_text(_EMPTY_FONTS.format(cache=tmp_path / "cache"))
    (tmp_path / f"{name}.svg").write_bytes(svg)
    out = tmp_path / f"{name}.png"
    subprocess.run(
        [  # the PNG has 192/72 px per point of the layout, the SVG one CSS px per point
            "rsvg-convert",
            "--zoom",
            f"{192 / 72:.6f}",
            "-o",
            str(out),
            str(tmp_path / f"{name}.svg"),
        ],
        env={"FONTCONFIG_FILE": str(config), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=True,
        capture_output=True,
        timeout=120,
    )
    return Image.open(out).convert("RGB")


def _mean_difference(first: Image.Image, second: Image.Image) -> float:
    """Return the mean absolute difference per pixel and channel (0 to 255).

    rsvg rounds the picture's size to pixels its own way: a pixel or two apart.
    """
    assert abs(first.width - second.width) <= 2 and abs(first.height - second.height) <= 2
    box = (0, 0, min(first.width, second.width), min(first.height, second.height))
    first, second = first.crop(box), second.crop(box)
    return sum(ImageStat.Stat(ImageChops.difference(first, second)).mean) / 3


@pytest.mark.skipif(shutil.which("rsvg-convert") is None, reason="apt-get install librsvg2-bin")
@pytest.mark.parametrize("path", example_specs(), ids=lambda p: p.stem)
def test_paths_look_like_the_png_in_rsvg_without_any_font(path: Path, tmp_path: Path) -> None:
    pictures = render(load(path), ["png"], settings=Settings(engine="embedded", name=path.stem))
    png = Image.open(io.BytesIO(pictures["png"])).convert("RGB")
    outlined = _rsvg(_svg(path, "light", "paths"), tmp_path, "paths")
    text = _rsvg(_svg(path, "light", "font"), tmp_path, "text")
    # Measured on the examples: outlines differ from the PNG by 2.9 to 4.3 per pixel and
    # channel; 95 % of pixels are identical and the rest are glyph edges, which Graphviz's PNG
    # places at whole-pixel (96 dpi) advances and the outlines at the font's exact ones. The
    # same SVG drawn as text without any font (boxes for glyphs) differs by about 12.
    assert _mean_difference(outlined, png) < 6.0
    assert _mean_difference(text, png) > 2 * _mean_difference(outlined, png)


def test_text_that_looks_like_a_reference_is_drawn_as_written() -> None:
    document = json.loads((ROOT / "specs" / "vm.json").read_bytes())
    document["hosts"][0]["name"] = "see url(#top) and href=#x"
    svg = render(
        load_text(json.dumps(document)), ["svg"], settings=Settings(engine="embedded", name="u")
    )["svg"].decode()
    assert "see url(#top) and href=#x" in svg


def test_non_ascii_names_get_distinct_prefixes() -> None:
    prefixes = {
        prefix_for(name) for name in ("网络", "архитектура", "hybrid", "my.spec", "my-spec")
    }
    assert len(prefixes) == 5
    assert prefix_for("hybrid") == "hybrid"
    assert all(p[0].isalpha() for p in prefixes)
