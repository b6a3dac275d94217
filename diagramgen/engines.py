"""DOT → bytes through Graphviz: the embedded engine (pygraphviz) or the system ``dot``.

Both engines see only the bundled fonts (``data/fonts/fonts.conf``), so text is measured the
same way everywhere. The embedded engine renders in a forked child process: Graphviz can abort
or hang on hostile input, and a child turns that into a clean :class:`EngineError` instead of
killing the caller. Graphviz is not thread-safe; never render from two threads at once.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from msgspec import Struct

from .assets import FONTS
from .errors import DiagramgenError, UsageError
from .escape import xml_escape

__all__ = [
    "ENGINES",
    "RASTER_DPI",
    "TIMEOUT",
    "Engine",
    "EngineError",
    "clean_up",
    "load_embedded",
    "select_engine",
]

ENGINES = ("auto", "embedded", "system")
#: PNG resolution: 2x the 96 dpi of a screen (Graphviz measures in points, 72 per inch).
RASTER_DPI = 192
#: Seconds a single render may take before it is stopped.
TIMEOUT = 120.0

_OUTPUTS = {"svg": "svg", "png": "png:cairo", "pdf": "pdf:cairo"}


class EngineError(DiagramgenError):
    """Graphviz could not render: it is missing, it failed, it crashed or it timed out."""


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
def _fonts_conf() -> str:
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


def _install_command() -> str:
    if sys.platform == "darwin":
        return "brew install graphviz"
    if sys.platform == "win32":
        return "choco install graphviz"
    return "apt-get install graphviz (or your distribution's graphviz package)"


def _arguments(output: str) -> list[str]:
    arguments = [f"-T{_OUTPUTS[output]}"]
    if output == "png":
        arguments.append(f"-Gdpi={RASTER_DPI}")
    return arguments


class Engine(Struct, frozen=True):
    """A way to run Graphviz: ``name`` is ``embedded`` or ``system``; ``version`` identifies it."""

    name: str
    version: str
    executable: str | None = None
    #: Render the embedded engine in a forked child. Off only where the caller is itself a
    #: disposable worker process with a watchdog (batches): it saves 5-10 ms a render.
    isolated: bool = True

    def render(self, dot: str, output: str, timeout: float = TIMEOUT) -> bytes:
        """Return ``dot`` rendered as ``output`` (``svg``, ``png`` or ``pdf``)."""
        if self.name == "system":
            return _render_system(self.executable or "dot", dot, output, timeout)
        return _render_embedded(dot, output, timeout, self.isolated)


# --- embedded engine ------------------------------------------------------------------------


@cache
def load_embedded() -> str:
    """Load pygraphviz and point its fontconfig at the bundled fonts; return its version."""
    import ctypes

    import pygraphviz

    libraries = Path(pygraphviz.__file__).resolve().parent.parent / "pygraphviz.libs"
    found = sorted(libraries.glob("libfontconfig-*.so*"))
    if found:
        # The wheel's fontconfig warns about the system's newer config files unless it is
        # handed a config of its own before the first render (ENGINE-NOTES).
        fontconfig = ctypes.CDLL(str(found[0]))
        fontconfig.FcConfigCreate.restype = ctypes.c_void_p
        load = fontconfig.FcConfigParseAndLoadFromMemory
        load.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        fontconfig.FcConfigBuildFonts.argtypes = [ctypes.c_void_p]
        fontconfig.FcConfigSetCurrent.argtypes = [ctypes.c_void_p]
        config = fontconfig.FcConfigCreate()
        loaded = load(config, _fonts_xml(), 1)
        if not loaded or not fontconfig.FcConfigBuildFonts(config):
            raise EngineError("the embedded engine could not load the bundled fonts")
        fontconfig.FcConfigSetCurrent(config)
    else:
        os.environ.setdefault("FONTCONFIG_FILE", _fonts_conf())
    return f"pygraphviz {pygraphviz.__version__}"


def _draw(dot: str, output: str) -> bytes:
    import pygraphviz

    graph = pygraphviz.AGraph(string=dot)
    arguments = " ".join(_arguments(output)[1:])
    data: bytes = graph.draw(format=_OUTPUTS[output], prog="dot", args=arguments)
    return data


def _render_embedded(dot: str, output: str, timeout: float, isolated: bool) -> bytes:
    load_embedded()
    if not isolated or not hasattr(os, "fork"):
        return _in_process(lambda: _draw(dot, output))  # (no fork on Windows)
    return _in_child(lambda: _draw(dot, output), timeout)


def _in_process(work: Callable[[], bytes]) -> bytes:
    """Run ``work()`` here, with Graphviz's stderr caught: its errors fail as in a child.

    The swap of file descriptor 2 holds for the whole process while Graphviz runs: for
    single-threaded callers only (batch workers, and platforms without fork).
    """
    import tempfile

    from pygraphviz import DotError

    with tempfile.TemporaryFile() as caught:
        try:
            with _stderr_into(caught.fileno()):
                data = work()
        except DotError as error:  # Graphviz refused the input: its own message says why
            refused = str(error)
        else:
            refused = ""
        caught.seek(0)
        messages = _messages(caught.read())
    if refused:
        raise EngineError(f"Graphviz failed: {messages or refused}")
    _check(messages)
    return data


@contextmanager
def _stderr_into(fd: int) -> Iterator[None]:
    """Send what is written to file descriptor 2 into ``fd`` for the duration."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        os.dup2(fd, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


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
    messages = _messages(b"".join(chunks[error_read]))
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        raise EngineError(f"Graphviz crashed ({name}){': ' + messages if messages else ''}")
    if os.WEXITSTATUS(status) != 0:
        raise EngineError(f"Graphviz failed: {messages or 'no message'}")
    _check(messages)
    return b"".join(chunks[result_read])


def _check(messages: str) -> None:
    # Graphviz reports a broken HTML label as an error but still draws the rest: a picture with
    # a host missing. That is a failure, not a warning.
    if "Error" in messages or "error" in messages:
        raise EngineError(f"Graphviz failed: {messages}")


def _now() -> float:
    import time

    return time.monotonic()


def _messages(raw: bytes) -> str:
    lines = [line.strip() for line in raw.decode("utf-8", "replace").splitlines()]
    return "; ".join(line for line in lines if line)


# --- system engine --------------------------------------------------------------------------


def _render_system(executable: str, dot: str, output: str, timeout: float) -> bytes:
    import subprocess

    environment = {**os.environ, "FONTCONFIG_FILE": _fonts_conf()}
    try:
        done = subprocess.run(
            [executable, *_arguments(output)],
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
        raise EngineError(f"Graphviz crashed ({name}): {_messages(done.stderr)}")
    if done.returncode != 0:
        raise EngineError(f"Graphviz failed: {_messages(done.stderr) or 'no message'}")
    _check(_messages(done.stderr))
    return done.stdout


@cache
def _system_version(executable: str) -> str:
    import subprocess

    done = subprocess.run([executable, "-V"], capture_output=True, timeout=30, check=False)
    text = done.stderr.decode("utf-8", "replace").strip()
    return text.split(" (")[0] or "dot"


def select_engine(name: str = "auto") -> Engine:
    """Return the engine called ``name``; ``auto`` prefers embedded, then the system ``dot``."""
    if name not in ENGINES:
        raise UsageError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    problem = ""
    if name in ("auto", "embedded"):
        try:
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
    _fonts_conf()  # now, in this process: batch workers exit without atexit clean-up
    return Engine("system", _system_version(executable), executable)
