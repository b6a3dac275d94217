"""The embedded engine: pygraphviz, shown only the bundled fonts.

Kept apart from :mod:`diagramgen.engines` and free of the rest of diagramgen, so that the
engine process (:mod:`diagramgen.renderer`) loads this and pygraphviz alone.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from .assets import FONTS
from .escape import xml_escape

__all__ = [
    "RASTER_DPI",
    "arguments",
    "clean_up",
    "disown_temporaries",
    "draw",
    "fonts_conf",
    "load",
    "stderr_into",
    "warm_up",
]

#: PNG resolution: 2x the 96 dpi of a screen (Graphviz measures in points, 72 per inch).
RASTER_DPI = 192

_OUTPUTS = {"svg": "svg", "png": "png:cairo", "pdf": "pdf:cairo"}


def arguments(output: str) -> list[str]:
    """Return Graphviz's command-line arguments for ``output`` (``svg``, ``png`` or ``pdf``)."""
    found = [f"-T{_OUTPUTS[output]}"]
    if output == "png":
        found.append(f"-Gdpi={RASTER_DPI}")
    return found


@cache
def _fonts_xml() -> bytes:
    """Return the fontconfig configuration that shows Graphviz the bundled fonts only.

    The folder goes in as an absolute path: fontconfig 2.13 reads a relative ``<dir>`` against
    the working directory, scanning (and writing ``.uuid`` files into) the user's folders.
    """
    template = (FONTS / "fonts.conf").read_text("utf-8")
    return template.replace("@FONTS@", xml_escape(str(FONTS))).encode("utf-8")


_TEMPORARY: list[Path] = []


@cache
def fonts_conf() -> str:
    """Return the path of a private copy of the configuration, for the system ``dot``."""
    import atexit
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="diagramgen-fonts-"))
    _TEMPORARY.append(folder)
    atexit.register(clean_up)
    path = folder / "fonts.conf"
    path.write_bytes(_fonts_xml())
    return str(path)


def clean_up() -> None:
    """Remove the temporary files the engines made (also run at exit)."""
    while _TEMPORARY:
        shutil.rmtree(_TEMPORARY.pop(), ignore_errors=True)


def disown_temporaries() -> None:
    """Forget temporary files made before a fork: the parent removes them, not the child."""
    _TEMPORARY.clear()


@cache
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
        loaded = parse(config, _fonts_xml(), 1)
        if not loaded or not fontconfig.FcConfigBuildFonts(config):
            raise OSError("the embedded engine could not load the bundled fonts")
        fontconfig.FcConfigSetCurrent(config)
    else:
        os.environ.setdefault("FONTCONFIG_FILE", fonts_conf())
    return f"pygraphviz {pygraphviz.__version__}"


def draw(dot: str, output: str) -> bytes:
    """Return ``dot`` rendered as ``output`` by pygraphviz, here (after :func:`load`)."""
    import pygraphviz

    graph = pygraphviz.AGraph(string=dot)
    options = " ".join(arguments(output)[1:])
    data: bytes = graph.draw(format=_OUTPUTS[output], prog="dot", args=options)
    return data


_WARM_UP = (
    'digraph { node [shape=plain fontname="DejaVu Sans"]; '
    "a [label=<<TABLE><TR><TD>a</TD><TD><B>b</B></TD></TR></TABLE>>] }"
)


def warm_up() -> None:
    """Render a tiny graph: Graphviz loads its plugins and pango its fonts on the first render."""
    with open(os.devnull, "wb") as nowhere, stderr_into(nowhere.fileno()):
        draw(_WARM_UP, "svg")


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
