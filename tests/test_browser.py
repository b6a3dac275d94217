"""The SVG looks the same in a real browser whether or not the machine has the font."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from diagramgen import load
from diagramgen.api import render

from .conftest import ROOT

pytestmark = pytest.mark.browser

_CONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>{dirs}<cachedir>{cache}</cachedir></fontconfig>
"""


def _fonts_without_dejavu(tmp_path: Path) -> Path:
    """Return a fontconfig file that sees one font that is not DejaVu (the bundled one, renamed)."""
    from fontTools.ttLib import TTFont

    folder = tmp_path / "fonts"
    folder.mkdir()
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
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser
    shot = tmp_path / f"{name}.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            f"--user-data-dir={tmp_path / ('profile-' + name)}",
            "--force-device-scale-factor=1",
            "--window-size=1500,600",
            f"--screenshot={shot}",
            svg.as_uri(),
        ],
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
        svg = render(spec, ["svg"], engine="embedded", embed_fonts=embed, name="c")["svg"]
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
