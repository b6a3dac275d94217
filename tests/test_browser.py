"""The SVG looks the same in a real browser whether or not the machine has the font."""

from __future__ import annotations

import html
import os
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from diagramgen import Settings, load
from diagramgen.api import render

from .chromium import headless
from .conftest import ROOT, example_specs

pytestmark = pytest.mark.browser

# Unhinted, as the embedded subsets are (they carry no hinting instructions).
_CONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>{dirs}<cachedir>{cache}</cachedir>
<match target="font"><edit name="hinting" mode="assign"><bool>false</bool></edit></match>
</fontconfig>
"""


def _fonts_without_dejavu(tmp_path: Path) -> Path:
    """Return a fontconfig file that sees one font that is not DejaVu (the bundled one, renamed)."""
    from fontTools.ttLib import TTFont

    folder = tmp_path / "fonts"
    folder.mkdir(parents=True)
    with TTFont(ROOT / "diagramgen" / "data" / "fonts" / "DejaVuSans.ttf") as font:
        for record in font["name"].names:
            if record.nameID in (1, 4, 6, 16):
                record.string = "Other Sans"
        font.save(folder / "other.ttf")
    config = tmp_path / "without.conf"
    config.write_text(_CONFIG.format(dirs=f"<dir>{folder}</dir>", cache=tmp_path / "cache"))
    return config


def _fonts_with_dejavu(tmp_path: Path) -> Path:
    config = tmp_path / "with.conf"
    folder = ROOT / "diagramgen" / "data" / "fonts"
    config.write_text(_CONFIG.format(dirs=f"<dir>{folder}</dir>", cache=tmp_path / "cache2"))
    return config


def _screenshot(svg: Path, config: Path, tmp_path: Path, name: str) -> Image.Image:
    shot = tmp_path / f"{name}.png"
    subprocess.run(
        headless(
            tmp_path / f"profile-{name}",
            "--window-size=1500,600",
            f"--screenshot={shot}",
            svg.as_uri(),
        ),
        env={**os.environ, "FONTCONFIG_FILE": str(config)},
        capture_output=True,
        timeout=120,
        check=True,
    )
    return Image.open(shot).convert("RGB")


def _difference(first: Image.Image, second: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(first, second)).mean)


def test_embedded_font_makes_the_svg_independent_of_installed_fonts(tmp_path: Path) -> None:
    spec = load(ROOT / "specs" / "container.json")
    for embed in (True, False):
        svg = render(
            spec, ["svg"], settings=Settings(embed_fonts=embed, engine="embedded", name="c")
        )["svg"]
        (tmp_path / f"{embed}.svg").write_bytes(svg)
    without, with_font = _fonts_without_dejavu(tmp_path), _fonts_with_dejavu(tmp_path)
    embedded_without = _screenshot(tmp_path / "True.svg", without, tmp_path, "a")
    embedded_with = _screenshot(tmp_path / "True.svg", with_font, tmp_path, "b")
    plain_without = _screenshot(tmp_path / "False.svg", without, tmp_path, "c")
    plain_with = _screenshot(tmp_path / "False.svg", with_font, tmp_path, "d")
    # With the font embedded, the page looks the same whether the machine has DejaVu or not...
    assert _difference(embedded_without, embedded_with) < 0.05
    assert _difference(embedded_with, plain_with) < 0.05
    # ...without it, the browser substitutes another font and the text changes.
    assert _difference(plain_without, plain_with) > 0.5


# Measures, in the page, every centred text's margins in the cell drawn under it (the nearest
# filled polygon before it that contains it), and writes them into the page for --dump-dom.
_MEASURE = """
<script>
const rows = [];
for (const text of document.querySelectorAll('text[text-anchor="middle"]')) {
  if (!text.textContent.trim()) continue;
  const box = text.getBBox();
  const middle = box.y + box.height / 2;
  let cell = null;
  for (let node = text.previousElementSibling; node; node = node.previousElementSibling) {
    if (node.tagName !== 'polygon' || node.getAttribute('stroke') !== 'none') continue;
    const edge = node.getBBox();
    if (edge.x <= box.x && box.x + box.width <= edge.x + edge.width
        && edge.y <= middle && middle <= edge.y + edge.height) { cell = edge; break; }
  }
  if (cell === null) { rows.push([text.textContent, null, null]); continue; }
  rows.push([text.textContent, box.x - cell.x, cell.x + cell.width - box.x - box.width]);
}
document.getElementById('out').textContent = JSON.stringify(rows);
</script>
"""


def _margins(svg: bytes, tmp_path: Path, name: str) -> list[tuple[str, float | None, float | None]]:
    """Return each centred label with its left and right margin in its cell, as Chromium draws."""
    import json

    page = tmp_path / f"{name}.html"
    body = svg.decode().split("?>", 1)[1]
    page.write_text(f"<!doctype html><body>{body}<pre id='out'></pre>{_MEASURE}</body>", "utf-8")
    config = _fonts_without_dejavu(tmp_path / name)
    rows: list[tuple[str, float | None, float | None]] = json.loads(
        _measured(page, tmp_path / f"profile-{name}", {"FONTCONFIG_FILE": str(config)})
    )
    return rows


def _measured(page: Path, profile: Path, env: dict[str, str] | None = None) -> str:
    """Return what the script of ``page`` wrote into its ``<pre id="out">``, in Chromium."""
    done = subprocess.run(
        headless(profile, "--dump-dom", page.as_uri()),
        env={**os.environ, **(env or {})},
        capture_output=True,
        timeout=120,
        check=True,
    )
    found = re.search(r"<pre id=\"out\">(.*?)</pre>", done.stdout.decode())
    assert found, done.stdout.decode()[-2000:]
    return html.unescape(found.group(1))


@pytest.mark.parametrize("path", example_specs(), ids=lambda p: p.stem)
def test_centred_labels_are_centred_in_chromium(path: Path, tmp_path: Path) -> None:
    spec = load(path)
    svg = render(spec, ["svg"], settings=Settings(engine="embedded", name=path.stem))["svg"]
    rows = _margins(svg, tmp_path, path.stem)
    assert len(rows) > 20
    links = {link.label for link in spec.links}
    for text, left, right in rows:
        if left is None or right is None:  # only a link's label stands outside every cell
            assert text in links, f"{text!r}: no cell found under it"
            continue
        assert abs(left - right) < 1.0, f"{text!r}: margins {left:.2f} and {right:.2f} pt"


def test_pictures_are_as_wide_in_chromium_as_laid_out(tmp_path: Path) -> None:
    """An SVG shown as it is (an <img>, no CSS) is as many CSS px wide as the layout's points:
    at most the width budget (760 px), so its 9 pt text reads at 9 px and never shrinks."""
    import json

    sizes = {}
    for path in example_specs():
        svg = render(load(path), ["svg"], settings=Settings(engine="embedded", name=path.stem))[
            "svg"
        ]
        (tmp_path / f"{path.stem}.svg").write_bytes(svg)
        found = re.search(rb'<svg width="([0-9.]+)px"', svg)
        assert found, path.name
        sizes[path.stem] = float(found.group(1))
    images = "".join(f'<img src="{name}.svg">' for name in sizes)
    measure = (
        "<script>addEventListener('load', () => { out.textContent = JSON.stringify("
        "[...document.images].map(i => i.naturalWidth)); });</script>"
    )
    page = tmp_path / "page.html"
    page.write_text(f"<!doctype html><body>{images}<pre id='out'></pre>{measure}</body>")
    widths = dict(zip(sizes, json.loads(_measured(page, tmp_path / "profile")), strict=True))
    assert widths == {name: round(size) for name, size in sizes.items()}
    assert max(widths.values()) <= 760
