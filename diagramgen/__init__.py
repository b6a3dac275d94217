"""diagramgen: validated, layered diagrams of VM, container and hybrid stacks.

The library API; the ``diagramgen`` command is a thin layer over it::

    from diagramgen import load
    spec = load("specs/hybrid.json")   # raises SpecInvalid with every problem
"""

from __future__ import annotations

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
