"""Forked children: run work in a process of its own, and collect its bytes or its fate.

Kept free of imports so that the console script can fork its render helper before loading
anything (:mod:`diagramgen.helper`). Whatever the child writes to stderr (Graphviz's messages)
comes back to the parent, which turns a crash, a hang or an error message into an
:class:`~diagramgen.engines.EngineError`.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

__all__ = ["check_messages", "fork_child", "messages", "wait_for_child"]


def fork_child(work: Callable[[], bytes]) -> tuple[int, int, int]:
    """Run ``work()`` in a forked child; return its pid and the pipes of its result and stderr.

    The child writes what ``work`` returns and exits; whatever it raises is written to stderr,
    and it exits with 3. Read both with :func:`wait_for_child`.
    """
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
    return pid, result_read, error_read


def wait_for_child(pid: int, result_read: int, error_read: int, timeout: float) -> bytes:
    """Return what the forked child ``pid`` wrote to ``result_read`` before it exited cleanly.

    Its stderr comes through ``error_read``. A crash, a hang past ``timeout`` seconds (the child
    is killed) or an error message from Graphviz raises :class:`EngineError`. Both descriptors
    are closed.
    """
    import select

    from .engines import EngineError

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
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        raise EngineError(f"Graphviz crashed ({name}){': ' + text if text else ''}")
    if os.WEXITSTATUS(status) != 0:
        raise EngineError(f"Graphviz failed: {text or 'no message'}")
    check_messages(text)
    return b"".join(chunks[result_read])


def check_messages(text: str) -> None:
    """Raise :class:`EngineError` if Graphviz's messages report an error.

    Graphviz reports a broken HTML label as an error but still draws the rest: a picture with a
    host missing. That is a failure, not a warning.
    """
    if "Error" in text or "error" in text:
        from .engines import EngineError

        raise EngineError(f"Graphviz failed: {text}")


def _now() -> float:
    import time

    return time.monotonic()


def messages(raw: bytes) -> str:
    """Return a child's stderr as one line."""
    lines = [line.strip() for line in raw.decode("utf-8", "replace").splitlines()]
    return "; ".join(line for line in lines if line)
