"""The ``diagramgen`` console script: start the engine worker, run the command line, exit.

For a command that draws (``render``, ``compare``, ``watch``), the engine worker
(:mod:`diagramgen.engines.worker`) is started before the command line is even imported: it
loads Graphviz and the fonts on another core while this process loads Typer and the pipeline,
so a render finds it ready. Any other command (``validate``, ``totals``, ``--help``) starts no
second interpreter.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import suppress
from typing import NoReturn

__all__ = ["main"]


#: The commands that draw; their first render finds the engine worker started.
_DRAWING = frozenset({"render", "compare", "watch"})


def _draws(arguments: list[str]) -> bool:
    """Return whether the command line ``arguments`` run a command that draws."""
    words = [word for word in arguments if not word.startswith("-")]
    return bool(words) and words[0] in _DRAWING and not {"-h", "--help", "--json"} & {*arguments}


def main() -> NoReturn:
    """Run ``diagramgen`` with the arguments in ``sys.argv`` and exit with its code."""
    # Start-up makes no garbage, only objects that live as long as the process (modules,
    # classes, Typer's commands): the collector pauses while they load, then leaves them out
    # of its later passes (gc.freeze), which walk only what the command itself makes.
    gc.disable()
    if _draws(sys.argv[1:]):
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
