"""The engine worker: the one way the embedded engine renders, for every caller.

Graphviz can abort or hang on hostile input, and it is not thread-safe; so the embedded engine
never runs in the caller's process. A worker process (:mod:`diagramgen.engines.serve`) is started
on first use and spoken to over pipes (:mod:`diagramgen.engines.protocol`). A crash or a hang
fails that render with a one-line :class:`EngineError` (a hang after ``timeout`` seconds, when
the worker is killed) and the next render starts a new worker. Each process has its own worker:
one forked from a process with a worker (a batch's pool) starts its own.

This module imports only the standard library at load (the errors when they are raised): the
console script starts the worker before anything heavy is imported.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import suppress
from typing import TYPE_CHECKING

from .protocol import HEADER, request, write_frame

if TYPE_CHECKING:
    from ..errors import EngineError

__all__ = ["TIMEOUT", "Worker", "check_messages", "messages", "process_ended", "shared"]

#: Seconds a single render may take before it is stopped.
TIMEOUT = 120.0
#: Graphviz's messages kept per render; the rest is read and dropped.
MESSAGES_KEPT = 16 * 1024
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Worker:
    """A handle on one engine worker process, started on first use."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._version: tuple[bytes, str] | None = None

    @property
    def pid(self) -> int | None:
        """Return the worker's process id, or ``None`` while none runs."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the worker now, if none runs: it loads Graphviz while the caller goes on."""
        if self._process is not None:
            if self._process.poll() is None:
                return
            # It ended while idle: killed, or (PR_SET_PDEATHSIG is per thread) the thread that
            # started it has ended. Start a new one rather than fail the next render.
            self.close()
        path = os.environ.get("PYTHONPATH")
        environment = {
            **os.environ,
            "PYTHONPATH": _PACKAGE_ROOT + (os.pathsep + path if path else ""),
            "PYTHONFAULTHANDLER": "",  # a Graphviz abort is reported by the caller, not dumped
        }
        self._process = subprocess.Popen(
            [sys.executable, "-m", "diagramgen.engines.serve", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
        )
        self._version = None

    def version(self, timeout: float | None = None) -> str:
        """Return the engine's version; raise :class:`EngineUnavailable` if it cannot load."""
        from ..errors import EngineError, EngineUnavailable

        self.start()
        if self._version is None:
            try:
                answer, _ = self._answer(TIMEOUT if timeout is None else timeout)
            except EngineError as error:
                raise EngineUnavailable(f"the engine worker ended: {error}") from None
            self._version = (answer[:1], answer[1:].decode("utf-8", "replace"))
        kind, text = self._version
        if kind != b"V":
            self.close()
            raise EngineUnavailable(text)
        return text

    def render(
        self,
        dot: str,
        layout_format: str,
        arguments: tuple[str, ...] = (),
        timeout: float | None = None,
    ) -> bytes:
        """Return ``dot`` rendered by Graphviz as ``layout_format`` with ``arguments``.

        A render that takes longer than ``timeout`` seconds (default :data:`TIMEOUT`) is
        stopped, and its worker with it.
        """
        from ..errors import EngineError

        self.version()
        process = self._process
        assert process is not None and process.stdin is not None
        with suppress(BrokenPipeError):  # it died: the answer says how
            write_frame(process.stdin.fileno(), request(dot, layout_format, arguments))
        answer, text = self._answer(TIMEOUT if timeout is None else timeout)
        if answer[:1] == b"E":
            refused = answer[1:].decode("utf-8", "replace")
            raise EngineError(f"Graphviz failed: {text or refused}")
        check_messages(text)
        return answer[1:]

    def close(self) -> None:
        """End the worker and reap it (it exits when its requests end; killed if it is busy)."""
        process, self._process = self._process, None
        if process is None:
            return
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        try:
            process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _answer(self, timeout: float) -> tuple[bytes, str]:
        """Return the next answer and what Graphviz wrote meanwhile; end the worker on failure."""
        import select
        import time

        from ..errors import EngineError

        process = self._process
        assert process is not None and process.stdout is not None and process.stderr is not None
        answers, errors = process.stdout.fileno(), process.stderr.fileno()
        deadline = time.monotonic() + timeout
        frame = bytearray()
        caught = bytearray()
        needed = HEADER
        while len(frame) < needed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                process.kill()
                self.close()
                raise EngineError(f"Graphviz did not finish within {timeout:g} s")
            ready, _, _ = select.select([answers, errors], [], [], remaining)
            if errors in ready:
                caught += os.read(errors, 1 << 16)
                del caught[MESSAGES_KEPT:]
            if answers in ready:
                chunk = os.read(answers, min(needed - len(frame), 1 << 20))
                if not chunk:
                    caught += self._drain(errors)
                    self.close()
                    raise process_ended(process.returncode, messages(bytes(caught)))
                frame += chunk
                if len(frame) == HEADER and needed == HEADER:
                    needed = HEADER + int.from_bytes(frame, "little")
        caught += self._drain(errors)  # written before the answer, so all there now
        return bytes(frame[HEADER:]), messages(bytes(caught[:MESSAGES_KEPT]))

    @staticmethod
    def _drain(fd: int) -> bytes:
        import select

        data = b""
        while select.select([fd], [], [], 0)[0]:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            data += chunk
        return data[:MESSAGES_KEPT]


def process_ended(status: int | None, text: str) -> EngineError:
    """Return the error of a Graphviz process that ended with ``status`` before answering.

    ``status`` is a return code as :mod:`subprocess` gives it: negative for a signal.
    """
    from ..errors import EngineError

    if status is not None and status < 0:
        name = signal.Signals(-status).name
        return EngineError(f"Graphviz crashed ({name}){': ' + text if text else ''}")
    return EngineError(f"Graphviz failed: {text or 'no message'}")


def check_messages(text: str) -> None:
    """Raise :class:`EngineError` if Graphviz's messages report an error.

    Graphviz reports a broken HTML label as an error but still draws the rest: a picture with a
    host missing. That is a failure, not a warning.
    """
    from ..errors import EngineError

    if "Error" in text or "error" in text:
        raise EngineError(f"Graphviz failed: {text}")


def messages(raw: bytes) -> str:
    """Return what a Graphviz run wrote to stderr as one line."""
    lines = [line.strip() for line in raw.decode("utf-8", "replace").splitlines()]
    return "; ".join(line for line in lines if line)


_SHARED: dict[int, Worker] = {}


def shared() -> Worker:
    """Return this process's worker (one per process; a forked child gets a new one)."""
    worker = _SHARED.get(os.getpid())
    if worker is None:
        if not _SHARED:
            import atexit

            atexit.register(_close_shared)  # a library caller's interpreter ends: so does it
        _SHARED.clear()  # a forked child's copy of its parent's handle is not its own
        worker = _SHARED[os.getpid()] = Worker()
    return worker


def _close_shared() -> None:
    worker = _SHARED.get(os.getpid())
    if worker is not None:
        worker.close()


def _forget_inherited() -> None:
    """In a forked child: close the parent's pipes to its worker, or the worker never sees EOF."""
    for worker in _SHARED.values():
        process = worker._process
        if process is not None:
            for stream in (process.stdin, process.stdout, process.stderr):
                if stream is not None:
                    with suppress(OSError):
                        stream.close()
            process.returncode = 0  # not ours to wait for: no "still running" warning
    _SHARED.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited)
