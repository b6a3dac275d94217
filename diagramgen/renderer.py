"""The embedded engine in a process of its own, started before anything else is loaded.

``diagramgen render`` and ``compare`` fork this process first thing (:mod:`diagramgen.launch`).
While the command line loads Typer and the pipeline, it loads pygraphviz, the bundled fonts and
Graphviz's plugins; then it renders every DOT source it is sent and returns the bytes. A
Graphviz crash or hang ends only this process and becomes a clean :class:`EngineError`, as with
a child forked per render, but nothing is forked from a process that has loaded everything:
that fork and its copy-on-write faults cost 6-12 ms a render.

Messages are frames: an 8-byte length, then the bytes. Requests are ``FORMAT\\nDOT``; answers
start with ``V`` (the engine's version, once), ``M`` (pygraphviz cannot load), ``O`` (output
follows) or ``E`` (Graphviz refused the input). The process's stderr comes back through a pipe
of its own: Graphviz's messages for a render are read with its answer.
"""

from __future__ import annotations

import os
import signal
from contextlib import suppress
from typing import NoReturn

__all__ = ["EngineProcess", "start"]

_LENGTH = 8


class EngineProcess:
    """The parent's handle on the engine process."""

    def __init__(self, pid: int, requests: int, answers: int, errors: int) -> None:
        self.pid = pid
        self._requests = requests
        self._answers = answers
        self._errors = errors
        self._version: tuple[bytes, str] | None = None
        self.alive = True

    def version(self) -> str:
        """Return the embedded engine's version; raise ImportError if it cannot load there."""
        if self._version is None:
            from .engines import TIMEOUT, EngineError

            try:
                answer, _ = self._answer(TIMEOUT)
            except EngineError as error:
                raise ImportError(f"the engine process ended: {error}") from None
            self._version = (answer[:1], answer[1:].decode("utf-8", "replace"))
        kind, text = self._version
        if kind != b"V":
            raise ImportError(text)
        return text

    def render(self, dot: str, output: str, timeout: float) -> bytes:
        """Return ``dot`` rendered as ``output``; raise EngineError as a forked child would."""
        from .engines import EngineError, check_messages

        if not self.alive:
            raise EngineError("the engine process has ended")
        self.version()
        with suppress(BrokenPipeError):  # it has died: the answer says how
            _send(self._requests, output.encode() + b"\n" + dot.encode("utf-8"))
        answer, messages = self._answer(timeout)
        if answer[:1] == b"E":
            refused = answer[1:].decode("utf-8", "replace")
            raise EngineError(f"Graphviz failed: {messages or refused}")
        check_messages(messages)
        return answer[1:]

    def release(self) -> None:
        """Let the process go without waiting: it cleans up and exits when its requests end.

        For a command that is about to exit: waiting for the process to end costs 2 ms.
        """
        if self.alive:
            self.alive = False
            for fd in (self._requests, self._answers, self._errors):
                os.close(fd)

    def close(self) -> None:
        """End the process and reap it: it cleans up and exits when its requests end."""
        import time

        if not self.alive:
            return
        self.release()
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                return
            time.sleep(0.0005)
        os.kill(self.pid, signal.SIGKILL)  # busy (still loading, or a render we gave up on)
        os.waitpid(self.pid, 0)

    def _answer(self, timeout: float) -> tuple[bytes, str]:
        """Return the next answer and the messages Graphviz wrote meanwhile.

        A process that dies or does not answer within ``timeout`` seconds (it is then killed)
        raises EngineError; it is not used again.
        """
        import select
        import time

        from .engines import EngineError, messages

        if not self.alive:
            raise EngineError("the engine process has ended")
        deadline = time.monotonic() + timeout
        frame = bytearray()
        errors = bytearray()
        needed = _LENGTH
        while len(frame) < needed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.close()
                raise EngineError(f"Graphviz did not finish within {timeout:g} s")
            ready, _, _ = select.select([self._answers, self._errors], [], [], remaining)
            if self._errors in ready:
                errors += os.read(self._errors, 1 << 16)
            if self._answers in ready:
                chunk = os.read(self._answers, needed - len(frame))
                if not chunk:
                    raise self._ended(messages(bytes(errors + self._drain())))
                frame += chunk
                if len(frame) >= _LENGTH and needed == _LENGTH:
                    needed = _LENGTH + int.from_bytes(frame[:_LENGTH], "little")
        errors += self._drain()  # written before the answer, so all there now
        return bytes(frame[_LENGTH:]), messages(bytes(errors))

    def _drain(self) -> bytes:
        import select

        data = b""
        while select.select([self._errors], [], [], 0)[0]:
            chunk = os.read(self._errors, 1 << 16)
            if not chunk:
                break
            data += chunk
        return data

    def _ended(self, text: str) -> Exception:
        from .engines import process_ended

        self.release()
        _, status = os.waitpid(self.pid, 0)
        return process_ended(status, text)


def start() -> EngineProcess | None:
    """Fork the engine process; ``None`` where there is no fork."""
    if not hasattr(os, "fork"):
        return None
    requests_read, requests_write = os.pipe()
    answers_read, answers_write = os.pipe()
    errors_read, errors_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, measured through the parent
        os.close(requests_write)
        os.close(answers_read)
        os.close(errors_read)
        _serve(requests_read, answers_write, errors_write)
    os.close(requests_read)
    os.close(answers_write)
    os.close(errors_write)
    return EngineProcess(pid, requests_write, answers_read, errors_read)


def _serve(requests: int, answers: int, errors: int) -> NoReturn:  # pragma: no cover - child
    """Load the engine, say so, then render requests until the parent closes its end."""
    code = 0
    try:
        import faulthandler

        faulthandler.disable()  # a Graphviz abort is reported by the parent, not dumped here
        os.dup2(errors, 2)
        # Not the command's stdin and stdout: a pipe the command writes a picture to ends when
        # the command does, whatever this process is doing.
        nowhere = os.open(os.devnull, os.O_RDWR)
        os.dup2(nowhere, 0)
        os.dup2(nowhere, 1)
        os.close(nowhere)
        from . import embedded

        embedded.disown_temporaries()
        try:
            version = embedded.load()
            embedded.warm_up()  # before answering: a hang here is the parent's timeout
        except (ImportError, OSError) as error:
            _send(answers, b"M" + str(error).encode())
            raise SystemExit(0) from None
        _send(answers, b"V" + version.encode())
        while (request := _receive(requests)) is not None:
            output, _, dot = request.partition(b"\n")
            try:
                answer = b"O" + embedded.draw(dot.decode("utf-8"), output.decode())
            except Exception as error:  # Graphviz refused the input or failed: it says why
                answer = b"E" + str(error).encode()
            _send(answers, answer)
    except BaseException as error:  # everything must end in os._exit, not in the caller
        if not isinstance(error, SystemExit):
            os.write(errors, f"\n{type(error).__name__}: {error}".encode())
            code = 3
    finally:
        # Its exit skips atexit: remove the temporary files it made. Nothing may keep it
        # from os._exit, or it would go on as a second copy of the command.
        with suppress(BaseException):
            from .embedded import clean_up

            clean_up()
        os._exit(code)


def _send(fd: int, payload: bytes) -> None:
    data = memoryview(len(payload).to_bytes(_LENGTH, "little") + payload)
    while data:
        data = data[os.write(fd, data) :]


def _receive(fd: int) -> bytes | None:
    """Return the next frame, or ``None`` at the end of the stream."""
    head = _read_exactly(fd, _LENGTH)
    return None if head is None else _read_exactly(fd, int.from_bytes(head, "little"))


def _read_exactly(fd: int, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)
