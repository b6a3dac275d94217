"""Regenerate what diagramgen derives from its bundled fonts (needs fontTools and brotli).

- data/fonts/metrics.json: advance widths, so the layout measures text without loading fonts;
- data/fonts/DejaVuSans*-basic.woff2: subsets for the characters most diagrams use, embedded in
  SVGs as they are (subsetting on the fly costs about half a second per diagram).

Run: python tools/fonts.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "diagramgen" / "data" / "fonts"
STYLES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}

sys.path.insert(0, str(ROOT))
from diagramgen.svg import BASIC_CHARACTERS, FONT_FILES, subset_font  # noqa: E402


def advances(path: Path) -> tuple[int, dict[str, int]]:
    font = TTFont(path, lazy=True)
    metrics = font["hmtx"].metrics
    cmap = font.getBestCmap()
    return font["head"].unitsPerEm, {
        str(code): metrics[glyph][0] for code, glyph in sorted(cmap.items())
    }


def main() -> None:
    data: dict[str, object] = {}
    for style, name in STYLES.items():
        units, table = advances(FONTS / name)
        data["units_per_em"] = units
        data[style] = table
    (FONTS / "metrics.json").write_text(json.dumps(data, separators=(",", ":")) + "\n")
    for weight, name in FONT_FILES.items():
        woff2 = subset_font(weight, BASIC_CHARACTERS)
        (FONTS / name.replace(".ttf", "-basic.woff2")).write_bytes(woff2)


if __name__ == "__main__":
    main()
