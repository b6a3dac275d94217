"""The system engine: Graphviz's ``dot`` from PATH, run as ``command()`` + ``run()``.

It is shown the bundled fonts only, and nothing of the machine's fontconfig setup: each run
gets a temporary folder that is fontconfig's whole world (``FONTCONFIG_SYSROOT``), holding our
configuration, links to the bundled font files at their own absolute path (so the paths
fontconfig records are the real ones, which cairo opens) and the font cache; the folder is
removed after the render. Without the sysroot, fontconfig 2.13+ always parses the system's
template folder (``/usr/share/fontconfig/conf.avail``) even when ``FONTCONFIG_FILE`` names a
configuration of ours. Where links cannot be made (Windows), ``dot`` gets our configuration
file and cache folder only.

What ``dot`` writes is read with a bound: at most :data:`MAX_OUTPUT` bytes of picture and
:data:`MAX_MESSAGES` of messages are kept; a ``dot`` that writes more, or takes longer than the
timeout, is killed with everything it started.
"""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import tempfile
import time
from contextlib import suppress

from ..assets import FONTS
from ..errors import EngineError
from .fonts import fonts_xml
from .worker import check_messages, messages, process_ended

__all__ = ["MAX_MESSAGES", "MAX_OUTPUT", "command", "environment", "run", "version"]

#: Bytes of picture read from ``dot`` before it is stopped: a picture diagramgen accepts is far
#: smaller, and a broken ``dot`` must not fill the memory.
MAX_OUTPUT = 256 * 1024 * 1024
#: Bytes of ``dot``'s messages kept; the rest is read and dropped.
MAX_MESSAGES = 16 * 1024
#: Seconds ``dot -V`` may take.
VERSION_TIMEOUT = 10.0
_VERSION = re.compile(r"graphviz version ([0-9][0-9A-Za-z.~+-]*)")


def command(executable: str, layout_format: str, arguments: tuple[str, ...] = ()) -> list[str]:
    """Return the command line that renders DOT on stdin as ``layout_format``."""
    return [executable, f"-T{layout_format}", *arguments]


def environment(folder: str) -> dict[str, str]:
    """Return the environment that shows ``dot`` the bundled fonts only, set up in ``folder``.

    Nothing of the system's fontconfig setup is read and nothing is written outside ``folder``
    (its cache goes into ``folder``); see the module's docstring.
    """
    root = os.path.join(folder, "root")
    fonts = root + str(FONTS)
    try:
        if os.name != "posix":
            raise OSError("no sysroot: the fonts' absolute path has a drive")
        os.makedirs(fonts)
        for font in sorted(FONTS.glob("*.ttf")):
            os.symlink(font, os.path.join(fonts, font.name))
    except OSError:
        configuration = os.path.join(folder, "fonts.conf")
        with open(configuration, "wb") as stream:
            stream.write(fonts_xml(os.path.join(folder, "cache")))
        return {**os.environ, "FONTCONFIG_FILE": configuration}
    with open(os.path.join(root, "fonts.conf"), "wb") as stream:
        stream.write(fonts_xml("/cache"))  # a path inside the sysroot
    return {**os.environ, "FONTCONFIG_SYSROOT": root, "FONTCONFIG_FILE": "/fonts.conf"}


class _TooMuch(Exception):
    """The process wrote more than it may."""


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill ``process`` and everything it started (its own session), then reap it."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with suppress(ProcessLookupError):
        process.kill()
    process.wait()


def _communicate(
    line: list[str],
    data: bytes,
    timeout: float,
    env: dict[str, str] | None,
    limit: int,
) -> tuple[int, bytes, bytes]:
    """Run ``line`` with ``data`` on stdin; return its status, stdout and stderr (both bounded).

    Raise :class:`_TooMuch` when it writes more than ``limit`` bytes to stdout,
    ``subprocess.TimeoutExpired`` after ``timeout`` seconds; either way it is killed first.
    """
    process = subprocess.Popen(
        line,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,  # a kill reaches whatever it started, too
    )
    assert process.stdin and process.stdout and process.stderr
    output = bytearray()
    caught = bytearray()
    deadline = time.monotonic() + timeout
    try:
        with selectors.DefaultSelector() as selector:
            if data:
                os.set_blocking(process.stdin.fileno(), False)
                selector.register(process.stdin, selectors.EVENT_WRITE)
            else:
                process.stdin.close()
            selector.register(process.stdout, selectors.EVENT_READ)
            selector.register(process.stderr, selectors.EVENT_READ)
            sent = 0
            while selector.get_map():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise subprocess.TimeoutExpired(line, timeout)
                for key, _ in selector.select(remaining):
                    stream = key.fileobj
                    if stream is process.stdin:
                        try:
                            sent += os.write(process.stdin.fileno(), data[sent : sent + (1 << 16)])
                        except BrokenPipeError:  # it stopped reading: its status says why
                            sent = len(data)
                        if sent >= len(data):
                            selector.unregister(process.stdin)
                            process.stdin.close()
                        continue
                    assert stream is process.stdout or stream is process.stderr
                    chunk = os.read(stream.fileno(), 1 << 16)
                    if not chunk:
                        selector.unregister(stream)
                    elif stream is process.stdout:
                        output += chunk
                        if len(output) > limit:
                            raise _TooMuch
                    elif len(caught) < MAX_MESSAGES:
                        caught += chunk[: MAX_MESSAGES - len(caught)]
        status = process.wait(max(0.0, deadline - time.monotonic()))
    except BaseException:
        _kill(process)
        raise
    finally:
        for stream in (process.stdin, process.stdout, process.stderr):
            stream.close()
    return status, bytes(output), bytes(caught)


def run(line: list[str], dot: str, timeout: float) -> bytes:
    """Return what ``line`` writes for ``dot``; raise :class:`EngineError` if it fails."""
    with tempfile.TemporaryDirectory(prefix="diagramgen-dot-") as folder:
        try:
            status, output, caught = _communicate(
                line, dot.encode("utf-8"), timeout, environment(folder), MAX_OUTPUT
            )
        except subprocess.TimeoutExpired:
            raise EngineError(f"Graphviz did not finish within {timeout:g} s") from None
        except _TooMuch:
            raise EngineError(
                f"{line[0]} wrote more than {MAX_OUTPUT:,} bytes and was stopped; is it Graphviz?"
            ) from None
        except OSError as error:
            raise EngineError(f"cannot run {line[0]}: {error.strerror or error}") from None
    text = messages(caught)
    if status != 0:
        raise process_ended(status, text)
    check_messages(text)
    if not output:
        raise EngineError(f"{line[0]} wrote no picture and no error; is it Graphviz?")
    return output


def version(executable: str) -> str:
    """Return ``dot``'s version ("dot 2.43.0"); raise :class:`EngineError` if it is no Graphviz.

    A program that hangs, prints something else, prints nothing or floods its output is not
    Graphviz: each is one line of error, within :data:`VERSION_TIMEOUT` seconds.
    """
    not_graphviz = f"{executable} -V did not print a Graphviz version; is it Graphviz?"
    try:
        status, output, caught = _communicate(
            [executable, "-V"], b"", VERSION_TIMEOUT, None, MAX_MESSAGES
        )
    except subprocess.TimeoutExpired:
        raise EngineError(
            f"{executable} -V did not answer within {VERSION_TIMEOUT:g} s; is it Graphviz?"
        ) from None
    except _TooMuch:
        raise EngineError(not_graphviz) from None
    except OSError as error:
        raise EngineError(f"cannot run {executable}: {error.strerror or error}") from None
    found = _VERSION.search((caught + output)[:4096].decode("utf-8", "replace"))
    if status != 0 or found is None:
        raise EngineError(not_graphviz)
    return f"dot {found.group(1)}"
