"""Where the package's own files are: the schema, the starters, the fonts (and their family).

A plain path next to this module (importlib.resources costs ~8 ms of start-up; diagramgen is
never imported from a zip file, and Graphviz needs real paths for the fonts anyway).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATA", "FAMILY", "FONTS"]

DATA = Path(__file__).resolve().parent / "data"
FONTS = DATA / "fonts"
#: The family every text is laid out and drawn in: the bundled DejaVu Sans.
FAMILY = "DejaVu Sans"
