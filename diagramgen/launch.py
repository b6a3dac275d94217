"""The ``diagramgen`` console script: start the engine worker, run the command line, exit.

The engine worker (:mod:`diagramgen.engines.worker`) is started before the command line is even
imported, whatever the command: it loads Graphviz and the fonts on another core while this
process loads Typer and the pipeline, so a render finds it ready. A command that never renders
lets it go: it exits when this process does.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import suppress
from typing import NoReturn

__all__ = ["main"]


def main() -> NoReturn:
    """Run ``diagramgen`` with the arguments in ``sys.argv`` and exit with its code."""
    # Start-up makes no garbage, only objects that live as long as the process (modules,
    # classes, Typer's commands): the collector pauses while they load, then leaves them out
    # of its later passes (gc.freeze), which walk only what the command itself makes.
    gc.disable()
    from .engines.worker import shared

    # No process to spare (OSError): the first render starts it, or says why it cannot.
    with suppress(OSError):
        shared().start()
    from .cli import main as run

    gc.freeze()
    # A command's objects are nearly all freed by reference counting, yet at the default
    # threshold the collector walks the command's lazily loaded modules, cells and tracks over
    # and over. Collecting every 50,000 new objects instead bounds what cycles hold between
    # passes, in a render as in `watch`, at the same peak memory (BENCHMARKS.md).
    gc.set_threshold(50_000, 10, 10)
    gc.enable()
    code = run()
    # Skip the interpreter's teardown (about 35 ms, a fifth of a small render): everything
    # diagramgen writes is closed by now; the output streams are flushed here.
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError):  # a reader that went away (| head): nothing more to say
            stream.flush()
    os._exit(code)
