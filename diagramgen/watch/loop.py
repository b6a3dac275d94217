"""The two watch loops: ``watch`` (a live page) and ``render_on_change`` (files, no browser).

Both keep everything loaded and render through one engine, chosen once, in this thread: the
engine worker answers one request at a time. Both end when ``stop`` is set, or on Ctrl-C
(:class:`KeyboardInterrupt` reaches the caller after everything is closed).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..api import Outcome, render_files
from ..errors import Hint, InvalidArgument
from ..settings import DEFAULT_SETTINGS, Settings
from .board import Board, watch_settings
from .changes import Tracker, batches, require_watchfiles
from .server import Server

__all__ = ["render_on_change", "serving", "watch"]

Echo = Callable[[str], None]


@contextmanager
def serving(board: Board, host: str = "127.0.0.1", port: int = 0) -> Iterator[Server]:
    """Serve ``board`` in a thread for the duration of the block; stop and join it after."""
    try:
        server = Server((host, port), board)
    except OSError as error:
        raise InvalidArgument(f"cannot serve on {host}:{port}: {error.strerror or error}") from None
    thread = threading.Thread(target=server.serve_forever, name="diagramgen-watch-server")
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def watch(
    spec: str,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    open_browser: bool = True,
    settings: Settings = DEFAULT_SETTINGS,
    echo: Echo = print,
    stop: threading.Event | None = None,
    started: Callable[[Server], None] | None = None,
) -> None:
    """Serve a page showing ``spec`` (a file, or a folder's specs) that updates on every save.

    The page draws in its own theme (``auto``), with the rest of ``settings``. ``started`` is
    called with the server once it listens (tests and benchmarks find its URL).
    """
    require_watchfiles()
    tracker = Tracker([spec])
    board = Board.rendering(watch_settings(settings), tracker.folder)
    with serving(board, host, port) as server:
        echo(f"watching {spec}: {server.url} (Ctrl-C stops)")
        if started is not None:
            started(server)
        if open_browser:
            import webbrowser

            webbrowser.open(server.url)
        for touched in batches(tracker, stop):
            _apply(board, tracker, touched, echo)


def _apply(board: Board, tracker: Tracker, touched: set[Path] | None, echo: Echo) -> None:
    delta = tracker.scan(touched)
    board.set_problem(delta.problem)
    for found in delta.removed:
        if board.remove(found):
            echo(f"{found.path}: gone")
    for found in delta.changed:
        if board.refresh(found):
            view = board.view(found.name)
            assert view is not None
            if view["status"] == "ok":
                echo(f"{found.path}: drawn in {view['milliseconds']:g} ms")
            else:
                echo(f"{found.path}: {len(view['errors'])} error(s), shown on the page")


def render_on_change(
    specs: list[str],
    folder: str | Path,
    formats: Iterable[str] = ("svg",),
    settings: Settings = DEFAULT_SETTINGS,
    *,
    echo: Echo = print,
    fail: Echo = print,
    stop: threading.Event | None = None,
    hint: Hint | None = None,
) -> None:
    """Render ``specs`` into ``folder`` again whenever they change, one line per change.

    The first render is the caller's (``render`` without ``--watch``); this renders what
    changes after it, through the manifest (an unchanged spec is not drawn again), and says
    nothing of the specs that stay unchanged when it starts.
    """
    require_watchfiles()
    wanted = list(formats)
    tracker = Tracker(specs)
    settings = watch_settings(settings)
    announced = False
    for touched in batches(tracker, stop):
        delta = tracker.scan(touched)
        # The watcher runs: catch up with saves since the caller rendered. It is armed again
        # when a folder comes back: that catches up too, but is no news.
        if touched is None and not announced:
            announced = True
            echo(f"watching {', '.join(specs)} for changes (Ctrl-C stops)")
        if delta.problem:
            fail(delta.problem)
        for found in delta.removed:
            echo(f"{found.path}: gone (its outputs in {folder} stay)")
        if not delta.changed:
            continue
        started = time.perf_counter()
        summary = render_files(delta.changed, folder, wanted, settings, jobs=1, hint=hint)
        milliseconds = (time.perf_counter() - started) * 1000 / len(summary.outcomes)
        for outcome in summary.outcomes:
            if touched is not None or outcome.status != "unchanged":
                _report(outcome, Path(folder), milliseconds, echo, fail)
        for path in summary.removed:
            fail(f"{path}: removed, its spec failed")


def _report(outcome: Outcome, folder: Path, milliseconds: float, echo: Echo, fail: Echo) -> None:
    if outcome.status == "failed":
        for line in outcome.errors:
            fail(line)
    elif outcome.status == "unchanged":
        echo(f"{outcome.spec.path}: unchanged")
    else:
        written = ", ".join(str(folder / name) for name in outcome.written)
        echo(f"{outcome.spec.path} -> {written} ({milliseconds:.0f} ms)")
