"""A render helper: a process forked at launch that loads the drawing pipeline in parallel.

Most of a small ``diagramgen render`` is start-up: the command line (Typer) on one side, the
pipeline (the compiled schema, the layout, graphviz, pygraphviz and its fonts) on the other.
The console script forks this helper before it imports anything, so both load at once on two
cores. The helper tells the parent which embedded engine it loaded, then renders the one spec
the parent hands it, under the same watchdog as a batch worker; its Graphviz messages, a crash
or a hang reach the parent as they do from any forked child (:func:`engines.wait_for_child`).

A parent that does not need it (a batch for the worker pool, specs that are up to date, stdin)
dismisses it; a helper also ends by itself when its parent does.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from typing import Any

__all__ = ["Helper", "start"]

#: Seconds the parent waits for the helper to load the pipeline before doing without it.
WARM_UP_TIMEOUT = 60.0


class Helper:
    """The parent's handle on a running helper."""

    def __init__(self, pid: int, result: int, errors: int, hello: int, requests: int) -> None:
        self.pid = pid
        self._result = result
        self._errors = errors
        self._hello = hello
        self._requests = requests
        self._engine: tuple[str, str] | None = None
        self.running = True

    def embedded_engine(self) -> str:
        """Return the embedded engine's version as the helper loaded it; raise ImportError if not.

        A helper that died or never answered is dismissed, and the engine is loaded here.
        """
        if self._engine is None:
            self._engine = self._greeting()
        state, text = self._engine
        if state == "loaded":
            return text
        if state == "missing":
            raise ImportError(text)
        from .engines import load_embedded

        return load_embedded()

    def _greeting(self) -> tuple[str, str]:
        import pickle
        import select

        try:
            ready, _, _ = select.select([self._hello], [], [], WARM_UP_TIMEOUT)
            if ready:
                data = _read_all(self._hello)
                self._hello = -1
                greeting: tuple[str, str] = pickle.loads(data)
                return greeting
        except Exception:  # a helper that died while loading
            pass
        self.dismiss()  # render without it
        return ("unknown", "")

    def run(self, job: Callable[[], Any], timeout: float) -> Any:
        """Return what ``job()`` returns, run in the helper; the helper is then done.

        Raise :class:`EngineError` if the helper crashes, hangs past ``timeout`` seconds or
        Graphviz reports an error.
        """
        import pickle

        from .child import wait_for_child
        from .engines import EngineError

        self.running = False
        _close(self._hello)
        try:
            with os.fdopen(self._requests, "wb") as stream:
                stream.write(pickle.dumps(job))
        except BrokenPipeError:
            pass  # the helper died: wait_for_child says how
        data = wait_for_child(self.pid, self._result, self._errors, timeout)
        try:
            return pickle.loads(data)
        except Exception:
            raise EngineError("the render helper returned no result") from None

    def dismiss(self) -> None:
        """End the helper unused and reap it."""
        if not self.running:
            return
        self.running = False
        for fd in (self._result, self._errors, self._hello, self._requests):
            _close(fd)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def start() -> Helper | None:
    """Fork a helper that loads the pipeline and waits for a job; ``None`` where fork is missing."""
    if not hasattr(os, "fork"):
        return None
    from .child import fork_child

    hello_read, hello_write = os.pipe()
    requests_read, requests_write = os.pipe()

    def serve() -> bytes:
        import pickle

        os.close(hello_read)
        os.close(requests_write)
        _greet(hello_write)
        job = _read_all(requests_read)
        if not job:  # dismissed, or the parent ended
            os._exit(0)
        return pickle.dumps(pickle.loads(job)())

    pid, result, errors = fork_child(serve)
    os.close(hello_write)
    os.close(requests_read)
    return Helper(pid, result, errors, hello_read, requests_write)


def _greet(hello: int) -> None:
    """Load the pipeline and the embedded engine; tell the parent how that went."""
    from . import batch

    batch.warm_up()
    try:
        from .engines import load_embedded

        greeting = ("loaded", load_embedded())
    except ImportError as error:
        greeting = ("missing", str(error))
    import pickle

    try:
        with os.fdopen(hello, "wb") as stream:
            stream.write(pickle.dumps(greeting))
    except BrokenPipeError:
        pass  # the parent did not need to know (the system engine, or DOT only)


def _close(fd: int) -> None:
    if fd >= 0:
        os.close(fd)


def _read_all(fd: int) -> bytes:
    with os.fdopen(fd, "rb") as stream:
        return stream.read()
