"""The ``diagramgen`` console script: start the engine process, then read the command line.

Nothing heavy is imported before the engine process is forked: it loads Graphviz while this
process loads the command line (see :mod:`diagramgen.renderer`).
"""

from __future__ import annotations

import sys
from itertools import pairwise
from typing import NoReturn

__all__ = ["main"]


def main() -> NoReturn:
    """Run ``diagramgen`` with the arguments in ``sys.argv``."""
    process = None
    if _draws_embedded(sys.argv[1:]):
        from .renderer import start

        try:
            process = start()
        except OSError:  # no process to spare: each render forks its own child instead
            process = None
    from .cli import main as run

    run(process)


def _draws_embedded(arguments: list[str]) -> bool:
    """Return whether the command may draw with the embedded engine (a guess: may be wrong)."""
    if arguments[:1] not in (["render"], ["compare"]):
        return False
    if {"-h", "--help", "--json", "--engine=system"} & set(arguments):
        return False
    return ("--engine", "system") not in pairwise(arguments)
