"""diagramgen: validated, layered diagrams of VM, container and hybrid stacks.

The library API; the ``diagramgen`` command is a thin layer over it::

    from diagramgen import load
    spec = load("specs/hybrid.json")   # raises SpecInvalid with every problem
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import DiagramgenError, Problem, SpecInvalid, UsageError
    from .model import Spec
    from .spec import load, load_text, parse, schema, validate

__version__ = "0.1.0"

__all__ = [
    "DiagramgenError",
    "Problem",
    "Spec",
    "SpecInvalid",
    "UsageError",
    "__version__",
    "load",
    "load_text",
    "parse",
    "schema",
    "validate",
]

# Loaded on first use: the command line imports this package before it knows what it will do,
# and the validation stack is a fifth of a small render's start-up.
_HOMES = {
    "DiagramgenError": "errors",
    "Problem": "errors",
    "SpecInvalid": "errors",
    "UsageError": "errors",
    "Spec": "model",
    "load": "spec",
    "load_text": "spec",
    "parse": "spec",
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
