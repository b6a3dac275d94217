"""The ``diagramgen`` console script: start the render helper, then read the command line.

Nothing is imported before the helper is forked: it loads the drawing pipeline while this
process loads the command line (see :mod:`diagramgen.helper`).
"""

from __future__ import annotations

import sys
from typing import NoReturn

__all__ = ["main"]


def main() -> NoReturn:
    """Run ``diagramgen`` with the arguments in ``sys.argv``."""
    helper = None
    if _may_render(sys.argv[1:]):
        from .helper import start

        helper = start()
    from .cli import main as run

    run(helper)


def _may_render(arguments: list[str]) -> bool:
    """Return whether the command line asks to render files (not stdin, not help)."""
    return arguments[:1] == ["render"] and not {"-", "-h", "--help"} & set(arguments)
