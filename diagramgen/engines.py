"""DOT → bytes through Graphviz: the embedded engine (pygraphviz) or the system ``dot``.

Both engines see only the bundled fonts (``data/fonts/fonts.conf``), so text is measured the
same way everywhere. The embedded engine renders in a process of its own: the engine process
the command line starts at launch (:mod:`diagramgen.renderer`), or else a child forked per
render. Graphviz can abort or hang on hostile input, and another process turns that into a
clean :class:`EngineError` instead of killing the caller. Graphviz is not thread-safe; never
render from two threads at once.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from msgspec import Struct

from . import embedded
from .embedded import RASTER_DPI, arguments, clean_up, fonts_conf, stderr_into
from .errors import DiagramgenError, UsageError

if TYPE_CHECKING:
    from .renderer import EngineProcess

__all__ = [
    "ENGINES",
    "RASTER_DPI",
    "TIMEOUT",
    "Engine",
    "EngineError",
    "check_messages",
    "clean_up",
    "load_embedded",
    "messages",
    "process_ended",
    "select_engine",
]

ENGINES = ("auto", "embedded", "system")
#: Seconds a single render may take before it is stopped.
TIMEOUT = 120.0


class EngineError(DiagramgenError):
    """Graphviz could not render: it is missing, it failed, it crashed or it timed out."""


def _install_command() -> str:
    if sys.platform == "darwin":
        return "brew install graphviz"
    if sys.platform == "win32":
        return "choco install graphviz"
    return "apt-get install graphviz (or your distribution's graphviz package)"


class Engine(Struct, frozen=True):
    """A way to run Graphviz: ``name`` is ``embedded`` or ``system``; ``version`` identifies it."""

    name: str
    version: str
    executable: str | None = None
    #: Render the embedded engine in a forked child. Off only where the caller is itself a
    #: disposable worker process with a watchdog (batches): it saves 5-10 ms a render.
    isolated: bool = True
    #: The engine process started at launch (:mod:`diagramgen.renderer`), if any: it renders
    #: instead of a child forked per render.
    process: EngineProcess | None = None

    def render(self, dot: str, output: str, timeout: float = TIMEOUT) -> bytes:
        """Return ``dot`` rendered as ``output`` (``svg``, ``png`` or ``pdf``)."""
        if self.name == "system":
            return _render_system(self.executable or "dot", dot, output, timeout)
        if self.process is not None and self.process.alive:
            return self.process.render(dot, output, timeout)
        return _render_embedded(dot, output, timeout, self.isolated)


# --- embedded engine ------------------------------------------------------------------------


def load_embedded() -> str:
    """Load pygraphviz with the bundled fonts; return its version (ImportError if it cannot)."""
    try:
        return embedded.load()
    except OSError as error:
        raise EngineError(str(error)) from None


def _render_embedded(dot: str, output: str, timeout: float, isolated: bool) -> bytes:
    load_embedded()
    if not isolated or not hasattr(os, "fork"):
        return _in_process(lambda: embedded.draw(dot, output))  # (no fork on Windows)
    return _in_child(lambda: embedded.draw(dot, output), timeout)


def _in_process(work: Callable[[], bytes]) -> bytes:
    """Run ``work()`` here, with Graphviz's stderr caught: its errors fail as in a child.

    The swap of file descriptor 2 holds for the whole process while Graphviz runs: for
    single-threaded callers only (batch workers, and platforms without fork).
    """
    import tempfile

    from pygraphviz import DotError

    with tempfile.TemporaryFile() as caught:
        try:
            with stderr_into(caught.fileno()):
                data = work()
        except DotError as error:  # Graphviz refused the input: its own message says why
            refused = str(error)
        else:
            refused = ""
        caught.seek(0)
        text = messages(caught.read())
    if refused:
        raise EngineError(f"Graphviz failed: {text or refused}")
    check_messages(text)
    return data


def _in_child(work: Callable[[], bytes], timeout: float) -> bytes:
    """Run ``work()`` in a forked child; return its bytes or raise :class:`EngineError`."""
    import select

    result_read, result_write = os.pipe()
    error_read, error_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, measured through the parent
        code = 0
        try:
            import faulthandler

            faulthandler.disable()  # a Graphviz abort is reported by the parent, not dumped here
            os.close(result_read)
            os.close(error_read)
            os.dup2(error_write, 2)
            data = work()
            with os.fdopen(result_write, "wb") as stream:
                stream.write(data)
        except BaseException as error:  # everything must end in os._exit, not in the caller
            os.write(error_write, f"\n{type(error).__name__}: {error}".encode())
            code = 3
        finally:
            os._exit(code)
    os.close(result_write)
    os.close(error_write)
    chunks: dict[int, list[bytes]] = {result_read: [], error_read: []}
    open_fds = [result_read, error_read]
    deadline = _now() + timeout
    try:
        while open_fds:
            remaining = deadline - _now()
            if remaining <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise EngineError(f"Graphviz did not finish within {timeout:g} s")
            ready, _, _ = select.select(open_fds, [], [], remaining)
            for fd in ready:
                chunk = os.read(fd, 1 << 16)
                if chunk:
                    chunks[fd].append(chunk)
                else:
                    open_fds.remove(fd)
    finally:
        os.close(result_read)
        os.close(error_read)
    _, status = os.waitpid(pid, 0)
    text = messages(b"".join(chunks[error_read]))
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        raise process_ended(status, text)
    check_messages(text)
    return b"".join(chunks[result_read])


def process_ended(status: int, text: str) -> EngineError:
    """Return the error of a Graphviz process that ended with ``status`` before answering."""
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        return EngineError(f"Graphviz crashed ({name}){': ' + text if text else ''}")
    return EngineError(f"Graphviz failed: {text or 'no message'}")


def check_messages(text: str) -> None:
    """Raise :class:`EngineError` if Graphviz's messages report an error.

    Graphviz reports a broken HTML label as an error but still draws the rest: a picture with a
    host missing. That is a failure, not a warning.
    """
    if "Error" in text or "error" in text:
        raise EngineError(f"Graphviz failed: {text}")


def _now() -> float:
    import time

    return time.monotonic()


def messages(raw: bytes) -> str:
    """Return what a Graphviz run wrote to stderr as one line."""
    lines = [line.strip() for line in raw.decode("utf-8", "replace").splitlines()]
    return "; ".join(line for line in lines if line)


# --- system engine --------------------------------------------------------------------------


def _render_system(executable: str, dot: str, output: str, timeout: float) -> bytes:
    import subprocess

    environment = {**os.environ, "FONTCONFIG_FILE": fonts_conf()}
    try:
        done = subprocess.run(
            [executable, *arguments(output)],
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise EngineError(f"Graphviz did not finish within {timeout:g} s") from None
    except OSError as error:
        raise EngineError(f"cannot run {executable}: {error.strerror or error}") from None
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        raise EngineError(f"Graphviz crashed ({name}): {messages(done.stderr)}")
    if done.returncode != 0:
        raise EngineError(f"Graphviz failed: {messages(done.stderr) or 'no message'}")
    check_messages(messages(done.stderr))
    return done.stdout


@cache
def _system_version(executable: str) -> str:
    import subprocess

    done = subprocess.run([executable, "-V"], capture_output=True, timeout=30, check=False)
    text = done.stderr.decode("utf-8", "replace").strip()
    return text.split(" (")[0] or "dot"


def select_engine(name: str = "auto", process: EngineProcess | None = None) -> Engine:
    """Return the engine called ``name``; ``auto`` prefers embedded, then the system ``dot``.

    With an engine ``process`` running, the embedded engine is the one loaded there.
    """
    if name not in ENGINES:
        raise UsageError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    problem = ""
    if name in ("auto", "embedded"):
        try:
            if process is not None:
                return Engine("embedded", process.version(), process=process)
            return Engine("embedded", load_embedded())
        except ImportError as error:
            problem = f"the embedded engine (pygraphviz) cannot load: {error}"
            if name == "embedded":
                raise EngineError(
                    f"{problem}; install its system libraries (apt-get install libglib2.0-0 "
                    "libx11-6 libxext6 libxrender1 libexpat1) or use --engine system"
                ) from None
    executable = shutil.which("dot")
    if executable is None:
        prefix = f"{problem}, and " if problem else ""
        raise EngineError(
            f"{prefix}Graphviz `dot` is not on PATH; install it: {_install_command()}"
        )
    fonts_conf()  # now, in this process: batch workers exit without atexit clean-up
    return Engine("system", _system_version(executable), executable)
