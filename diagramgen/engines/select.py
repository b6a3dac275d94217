"""Choose an engine and render with it: the embedded engine or the system `dot`.

Two engines, chosen once at the edge (:func:`select_engine`) and passed down as an
:class:`Engine`: ``embedded`` is pygraphviz, whose wheels bundle Graphviz, run in a worker
process (:mod:`.worker`); ``system`` is the ``dot`` on PATH (:mod:`.system`). Both see only
the bundled fonts, so text is measured the same way everywhere.
"""

from __future__ import annotations

import shutil
import sys

from msgspec import Struct

from ..errors import EngineError, EngineUnavailable, InvalidArgument
from . import worker
from .worker import TIMEOUT

__all__ = ["ENGINES", "TIMEOUT", "Engine", "select_engine", "verify_engine"]

#: The engines a user can ask for; ``auto`` is the embedded one, else the system ``dot``.
ENGINES = ("auto", "embedded", "system")


def verify_engine(name: str) -> str:
    """Return ``name`` if it names an engine; raise :class:`InvalidArgument` listing them."""
    if name not in ENGINES:
        raise InvalidArgument(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    return name


class Engine(Struct, frozen=True):
    """A way to run Graphviz: ``name`` is ``embedded`` or ``system``; ``version`` identifies it."""

    name: str
    version: str
    executable: str | None = None

    def render(
        self,
        dot: str,
        layout_format: str,
        arguments: tuple[str, ...] = (),
        timeout: float | None = None,
    ) -> bytes:
        """Return ``dot`` rendered as ``layout_format`` (Graphviz's ``-T`` value).

        A render that takes longer than ``timeout`` seconds (default :data:`TIMEOUT`) fails.
        """
        if self.name == "system":
            from . import system  # subprocess and the fontconfig root: for `dot` only

            line = system.command(self.executable or "dot", layout_format, arguments)
            return system.run(line, dot, worker.TIMEOUT if timeout is None else timeout)
        return worker.shared().render(dot, layout_format, arguments, timeout)


def _install_command() -> str:
    if sys.platform == "darwin":
        return "brew install graphviz"
    if sys.platform == "win32":
        return "choco install graphviz"
    return "apt-get install graphviz (or your distribution's graphviz package)"


def select_engine(name: str = "auto") -> Engine:
    """Return the engine called ``name``; ``auto`` prefers embedded, then the system ``dot``."""
    problem = ""
    if verify_engine(name) in ("auto", "embedded"):
        try:
            return Engine("embedded", worker.shared().version())
        except EngineUnavailable as error:
            problem = f"the embedded engine (pygraphviz) cannot load: {error}"
            if name == "embedded":
                raise EngineError(
                    f"{problem}; install its system libraries (apt-get install libglib2.0-0 "
                    "libx11-6 libxext6 libxrender1 libexpat1) or use the system engine",
                    rule="engine:system",
                ) from None
    executable = shutil.which("dot")
    if executable is None:
        prefix = f"{problem}, and " if problem else ""
        raise EngineError(
            f"{prefix}Graphviz `dot` is not on PATH; install it: {_install_command()}"
        )
    from . import system

    return Engine("system", system.version(executable), executable)
