"""The embedded engine: pygraphviz, shown only the bundled fonts. Runs in the engine worker.

Nothing here runs in the caller's process: loading the fonts changes fontconfig's process-wide
configuration, and a Graphviz abort or hang would take the caller with it
(:mod:`diagramgen.engines.worker`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .fonts import FAMILY, fonts_xml

__all__ = ["draw", "load", "stderr_into", "warm_up"]


def load() -> str:
    """Load pygraphviz and point its fontconfig at the bundled fonts; return its version.

    Raise ImportError if pygraphviz cannot load, OSError if the fonts cannot.
    """
    import ctypes

    import pygraphviz

    libraries = Path(pygraphviz.__file__).resolve().parent.parent / "pygraphviz.libs"
    found = sorted(libraries.glob("libfontconfig-*.so*"))
    if found:
        # The wheel's fontconfig warns about the system's newer config files unless it is
        # handed a config of its own before the first render (ENGINE-NOTES).
        fontconfig = ctypes.CDLL(str(found[0]))
        fontconfig.FcConfigCreate.restype = ctypes.c_void_p
        parse = fontconfig.FcConfigParseAndLoadFromMemory
        parse.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        fontconfig.FcConfigBuildFonts.argtypes = [ctypes.c_void_p]
        fontconfig.FcConfigSetCurrent.argtypes = [ctypes.c_void_p]
        config = fontconfig.FcConfigCreate()
        loaded = parse(config, fonts_xml(), 1)
        if not loaded or not fontconfig.FcConfigBuildFonts(config):
            raise OSError("the embedded engine could not load the bundled fonts")
        fontconfig.FcConfigSetCurrent(config)
    else:  # a wheel without its own fontconfig (macOS): hand it the file, in this worker only
        import tempfile

        folder = tempfile.mkdtemp(prefix="diagramgen-fonts-")
        path = os.path.join(folder, "fonts.conf")
        with open(path, "wb") as stream:
            stream.write(fonts_xml(folder))
        os.environ["FONTCONFIG_FILE"] = path
    return f"pygraphviz {pygraphviz.__version__}"


def draw(dot: str, layout_format: str, arguments: tuple[str, ...]) -> bytes:
    """Return ``dot`` rendered by pygraphviz as ``layout_format`` (after :func:`load`)."""
    import pygraphviz

    graph = pygraphviz.AGraph(string=dot)
    data: bytes = graph.draw(format=layout_format, prog="dot", args=" ".join(arguments))
    return data


_WARM_UP = (
    f'digraph {{ node [shape=plain fontname="{FAMILY}"]; '
    "a [label=<<TABLE><TR><TD>a</TD><TD><B>b</B></TD></TR></TABLE>>] }"
)


def warm_up() -> None:
    """Render a tiny graph: Graphviz loads its plugins and pango its fonts on the first render."""
    with open(os.devnull, "wb") as nowhere, stderr_into(nowhere.fileno()):
        draw(_WARM_UP, "svg", ())


@contextmanager
def stderr_into(fd: int) -> Iterator[None]:
    """Send what is written to file descriptor 2 into ``fd`` for the duration."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        os.dup2(fd, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
