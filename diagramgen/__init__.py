"""diagramgen: validated, layered diagrams of VM, container and hybrid stacks.

The library API; each ``diagramgen`` command is a thin layer over the function of its name::

    import diagramgen
    spec = diagramgen.load("specs/hybrid.json")        # raises SpecInvalid with every problem
    pictures = diagramgen.render(spec, ["svg", "png"])  # {"svg": b"...", "png": b"..."}
    dark = diagramgen.render(spec, ["svg"], diagramgen.Settings(theme="dark", width=600))
    totals = diagramgen.totals(spec)
    summary = diagramgen.render_files(["specs"], "output", ["svg"])
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import (
        Comparison,
        Summary,
        compare,
        compare_files,
        render,
        render_files,
        totals,
    )
    from .errors import DiagramgenError, EngineError, InvalidArgument, Problem, SpecInvalid
    from .settings import Settings
    from .spec import Limits, Spec, load, load_text, schema, validate

__version__ = "0.1.0"

__all__ = [
    "Comparison",
    "DiagramgenError",
    "EngineError",
    "InvalidArgument",
    "Limits",
    "Problem",
    "Settings",
    "Spec",
    "SpecInvalid",
    "Summary",
    "__version__",
    "compare",
    "compare_files",
    "load",
    "load_text",
    "render",
    "render_files",
    "schema",
    "totals",
    "validate",
]

# Loaded on first use, to keep start-up fast: the command line imports this package before it
# knows what it will do, and the validation stack is a fifth of a small render's start-up.
_HOMES = {
    "Comparison": "api",
    "Summary": "api",
    "compare": "api",
    "compare_files": "api",
    "render": "api",
    "render_files": "api",
    "totals": "api",
    "Settings": "settings",
    "DiagramgenError": "errors",
    "EngineError": "errors",
    "InvalidArgument": "errors",
    "Problem": "errors",
    "SpecInvalid": "errors",
    "Limits": "spec",
    "Spec": "spec",
    "load": "spec",
    "load_text": "spec",
    "schema": "spec",
    "validate": "spec",
}


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'diagramgen' has no attribute {name!r}")
    value = getattr(import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value
