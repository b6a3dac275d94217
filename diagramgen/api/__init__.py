"""The library's verbs, each composed from the stages: what every front end calls.

``render``, ``totals`` and ``compare`` work on one spec (or two); ``render_files`` and
``compare_files`` find specs and write their pictures (:mod:`diagramgen.files` below them
reads and writes the files). Each takes the :class:`~diagramgen.Settings` to draw with, whole.
"""

from __future__ import annotations

from .batch import Outcome, Summary, render_files, source_key
from .comparison import Comparison, compare, compare_files, comparison_base, comparison_labels
from .picture import MAX_RASTER, Drawn, draw, load_spec, name_of, render, totals

__all__ = [
    "MAX_RASTER",
    "Comparison",
    "Drawn",
    "Outcome",
    "Summary",
    "compare",
    "compare_files",
    "comparison_base",
    "comparison_labels",
    "draw",
    "load_spec",
    "name_of",
    "render",
    "render_files",
    "source_key",
    "totals",
]
