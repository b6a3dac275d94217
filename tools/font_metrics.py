"""Regenerate diagramgen/data/fonts/metrics.json from the bundled fonts (needs fontTools).

The layout measures text with these advance widths instead of loading the fonts at run time.
Run: python tools/font_metrics.py
"""

from __future__ import annotations

import json
from pathlib import Path

from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent.parent / "diagramgen" / "data" / "fonts"
STYLES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}


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


if __name__ == "__main__":
    main()
