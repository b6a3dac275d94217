"""The library's verbs, each composed from the stages: what every front end calls.

``render``, ``totals`` and ``compare`` work on one spec (or two); ``render_files`` and
``compare_files`` find specs and write their pictures (:mod:`diagramgen.files` below them
reads and writes the files); ``check_specs`` reads and checks many specs without drawing. Each
takes the :class:`~diagramgen.Settings` to draw with, whole.

The names load on first use: ``validate`` needs none of the drawing stack this package holds.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .batch import Outcome, Summary, render_files, source_key
    from .comparison import (
        Comparison,
        compare,
        compare_files,
        comparison_base,
        comparison_labels,
    )
    from .picture import MAX_RASTER, Drawing, Drawn, draw, load_spec, name_of, render, totals
    from .specs import Checked, check_specs

_HOMES = {
    "Outcome": "batch",
    "Summary": "batch",
    "render_files": "batch",
    "source_key": "batch",
    "Comparison": "comparison",
    "compare": "comparison",
    "compare_files": "comparison",
    "comparison_base": "comparison",
    "comparison_labels": "comparison",
    "MAX_RASTER": "picture",
    "Drawing": "picture",
    "Drawn": "picture",
    "draw": "picture",
    "load_spec": "picture",
    "name_of": "picture",
    "render": "picture",
    "totals": "picture",
    "Checked": "specs",
    "check_specs": "specs",
}

__all__ = [
    "MAX_RASTER",
    "Checked",
    "Comparison",
    "Drawing",
    "Drawn",
    "Outcome",
    "Summary",
    "check_specs",
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


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'diagramgen.api' has no attribute {name!r}")
    value = getattr(import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value
