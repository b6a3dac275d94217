"""The engine worker's own side: load the embedded engine, then render every request it is sent.

Started by :class:`diagramgen.engines.worker.Worker` as ``python -m diagramgen.engines.serve
PARENT_PID`` with its stdin, stdout and stderr on pipes to the caller. It imports nothing of
diagramgen but the engine and the protocol, and it ends when its requests end (the caller
closed the pipe or died) or, on Linux, the moment its parent dies.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from ..children import die_with_parent
from .protocol import parse_request, read_frame, write_frame

__all__ = ["serve"]


def serve(parent: int) -> NoReturn:
    """Load the engine, say so, then render requests until they end."""
    die_with_parent(parent)
    # The frames get descriptors of their own; stdin and stdout become /dev/null, so a library
    # that prints cannot corrupt an answer.
    requests, answers = os.dup(0), os.dup(1)
    nowhere = os.open(os.devnull, os.O_RDWR)
    os.dup2(nowhere, 0)
    os.dup2(nowhere, 1)
    os.close(nowhere)
    from . import embedded

    try:
        version = embedded.load()
        embedded.warm_up()
    except (ImportError, OSError) as error:
        write_frame(answers, b"M" + str(error).encode("utf-8", "replace"))
        os._exit(0)
    write_frame(answers, b"V" + version.encode())
    while (payload := read_frame(requests)) is not None:
        dot, layout_format, arguments = parse_request(payload)
        try:
            answer = b"O" + embedded.draw(dot, layout_format, arguments)
        except Exception as error:  # Graphviz refused the input: its messages say why
            answer = b"E" + str(error).encode("utf-8", "replace")
        write_frame(answers, answer)
    os._exit(0)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
