"""The ``diagramgen`` console script: start the engine process, then read the command line.

Nothing heavy is imported before the engine process is forked: it loads Graphviz while this
process loads the command line (see :mod:`diagramgen.renderer`).
"""

from __future__ import annotations

import sys
from typing import NoReturn

__all__ = ["main"]


def main() -> NoReturn:
    """Run ``diagramgen`` with the arguments in ``sys.argv``."""
    process = None
    if _draws(sys.argv[1:]):
        from .renderer import start

        process = start()
    from .cli import main as run

    run(process)


def _draws(arguments: list[str]) -> bool:
    """Return whether the command may draw pictures (``render`` or ``compare``, not help)."""
    return arguments[:1] in (["render"], ["compare"]) and not {"-h", "--help"} & set(arguments)
