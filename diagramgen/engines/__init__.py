"""The engine stage: DOT → picture bytes through Graphviz.

Two engines, chosen once at the edge (:func:`select_engine`) and passed down as an
:class:`Engine`: ``embedded`` is pygraphviz, whose wheels bundle Graphviz, run in a worker
process (:mod:`.worker`); ``system`` is the ``dot`` on PATH (:mod:`.system`). Both see only
the bundled fonts, so text is measured the same way everywhere.

The names below load on first use, to keep start-up fast: the console script starts the engine
worker (:mod:`.worker`) before anything heavy is imported.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .select import ENGINES, TIMEOUT, Engine, select_engine, verify_engine

__all__ = ["ENGINES", "TIMEOUT", "Engine", "select_engine", "verify_engine"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'diagramgen.engines' has no attribute {name!r}")
    value = getattr(import_module(".select", __name__), name)
    globals()[name] = value
    return value
