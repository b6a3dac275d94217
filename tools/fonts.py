"""Regenerate what diagramgen derives from its bundled fonts (needs fontTools).

- data/fonts/metrics.bin: advance widths, so the layout measures text without loading fonts.
  The widths are the unhinted advances browsers draw with; the SVG's font subsets are cut
  at render time (diagramgen/draw/fontfile.py), holding only the glyphs a picture uses.

Run: python tools/fonts.py
"""

from __future__ import annotations

import sys
from array import array
from pathlib import Path

from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "diagramgen" / "data" / "fonts"
STYLES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}

sys.path.insert(0, str(ROOT))
from diagramgen.draw.metrics import UNITS_PER_EM  # noqa: E402


def metrics() -> bytes:
    """Return the advance widths of the BMP, regular then bold, as little-endian uint16."""
    widths = array("H")
    for name in STYLES.values():
        with TTFont(FONTS / name, lazy=True) as font:
            assert font["head"].unitsPerEm == UNITS_PER_EM
            table = font["hmtx"].metrics
            cmap = font.getBestCmap()
            widths.extend(table[cmap[code]][0] if code in cmap else 0 for code in range(0x10000))
    if sys.byteorder == "big":
        widths.byteswap()
    return widths.tobytes()


def main() -> None:
    (FONTS / "metrics.bin").write_bytes(metrics())


if __name__ == "__main__":
    main()
