"""The system engine: Graphviz's ``dot`` from PATH, run as ``command()`` + ``run()``.

It is shown the bundled fonts only, through a fontconfig file of its own with a cache folder
of its own, both in a temporary folder removed after the render: nothing is written to the
user's folders or cache.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile

from ..errors import EngineError
from .fonts import fonts_xml
from .worker import check_messages, messages, process_ended

__all__ = ["MAX_OUTPUT", "command", "run", "version"]

#: Bytes of output read from ``dot`` before it is stopped: a picture diagramgen would accept is
#: far smaller, and a broken ``dot`` must not fill the memory.
MAX_OUTPUT = 1 << 30
_VERSION = re.compile(r"graphviz version ([0-9][0-9A-Za-z.~+-]*)")


def command(executable: str, layout_format: str, arguments: tuple[str, ...] = ()) -> list[str]:
    """Return the command line that renders DOT on stdin as ``layout_format``."""
    return [executable, f"-T{layout_format}", *arguments]


def run(line: list[str], dot: str, timeout: float) -> bytes:
    """Return what ``line`` writes for ``dot``; raise :class:`EngineError` if it fails."""
    with tempfile.TemporaryDirectory(prefix="diagramgen-dot-") as folder:
        configuration = os.path.join(folder, "fonts.conf")
        with open(configuration, "wb") as stream:
            stream.write(fonts_xml(os.path.join(folder, "cache")))
        environment = {**os.environ, "FONTCONFIG_FILE": configuration}
        try:
            done = subprocess.run(
                line,
                input=dot.encode("utf-8"),
                capture_output=True,
                timeout=timeout,
                env=environment,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise EngineError(f"Graphviz did not finish within {timeout:g} s") from None
        except OSError as error:
            raise EngineError(f"cannot run {line[0]}: {error.strerror or error}") from None
    text = messages(done.stderr[:16384])
    if done.returncode != 0:
        raise process_ended(done.returncode, text)
    check_messages(text)
    if len(done.stdout) > MAX_OUTPUT:
        raise EngineError(f"{line[0]} wrote more than {MAX_OUTPUT:,} bytes; is it Graphviz?")
    return done.stdout


def version(executable: str) -> str:
    """Return ``dot``'s version ("dot 2.43.0"); raise :class:`EngineError` if it is no Graphviz."""
    try:
        done = subprocess.run(
            [executable, "-V"],
            capture_output=True,
            timeout=10,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise EngineError(f"{executable} -V did not answer within 10 s; is it Graphviz?") from None
    except OSError as error:
        raise EngineError(f"cannot run {executable}: {error.strerror or error}") from None
    found = _VERSION.search((done.stderr + done.stdout)[:4096].decode("utf-8", "replace"))
    if done.returncode != 0 or found is None:
        raise EngineError(f"{executable} -V did not print a Graphviz version; is it Graphviz?")
    return f"dot {found.group(1)}"
