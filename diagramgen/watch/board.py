"""What the watch page shows: each spec's latest picture, totals and errors, and who listens.

The board is written by one thread, the watch loop, which loads and renders (the engine worker
takes one request at a time), and read by the server's threads. Each change becomes one
server-sent event, serialised once and queued for every listener.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from msgspec import Struct, field
from msgspec.structs import asdict

from ..accounting.report import counts_text, totals_data, totals_text
from ..api import Drawn, draw
from ..draw.themes import AUTO
from ..engines import Engine
from ..errors import DiagramgenError, SpecInvalid
from ..files.discover import Found
from ..files.manifest import digest
from ..settings import DEFAULT_SETTINGS, Settings
from ..spec import Spec, load_text, read_spec_file, syntax_of

__all__ = ["RENDER_TIMEOUT", "THEME", "Board", "View", "event", "watch_settings"]


#: The theme of the pictures on the page: one SVG that follows the reader's colour scheme.
THEME = AUTO
#: Seconds one render may take before the page shows it failed (a batch allows more).
RENDER_TIMEOUT = 30.0

#: Draw a model under a name: its totals and its SVG (the page's theme).
Draw = Callable[[Spec, str], Drawn]


class _Bounded(Engine, frozen=True):
    """An engine whose renders stop after :data:`RENDER_TIMEOUT`: a hang must not stall a page."""

    def render(
        self,
        dot: str,
        layout_format: str,
        arguments: tuple[str, ...] = (),
        timeout: float | None = None,
    ) -> bytes:
        limit = RENDER_TIMEOUT if timeout is None else timeout
        return super().render(dot, layout_format, arguments, limit)


def watch_settings(settings: Settings) -> Settings:
    """Return ``settings`` with their engine chosen, and bounded by the shorter render timeout."""
    engine = settings.with_engine().engine
    assert isinstance(engine, Engine)
    return settings.replace(engine=_Bounded(**asdict(engine)))


class View(Struct):
    """One spec as the page shows it. ``svg`` is the last good picture, ``stale`` when the spec
    has changed since (it is invalid, failed to render, or is gone)."""

    id: str
    file: str
    #: The file's path below the folder watched (its id with its suffix).
    name: str = ""
    version: int = 0
    status: str = "pending"  # pending, ok, invalid, missing
    title: str = ""
    svg: str = ""
    stale: bool = False
    errors: list[str] = field(default_factory=list)
    totals: str = ""
    counts: str = ""
    warnings: list[dict[str, Any]] = field(default_factory=list)
    milliseconds: float = 0.0
    digest: str = ""


def event(kind: str, data: dict[str, Any]) -> bytes:
    """Return one server-sent event: its name and its data as one line of JSON."""
    line = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {kind}\ndata: {line}\n\n".encode()


class Board:
    """The views of the watched specs, and the queues of the pages listening for changes."""

    def __init__(self, draw: Draw, folder: bool, settings: Settings = DEFAULT_SETTINGS) -> None:
        self._draw = draw
        self.folder = folder
        self._limits = settings.limits
        self._lock = threading.Lock()
        self._views: dict[str, View] = {}
        self._listeners: list[queue.SimpleQueue[bytes | None]] = []
        self._problem = ""
        #: Tells pages apart from an earlier server's: their versions start again.
        self.session = f"{time.time_ns():x}"

    @classmethod
    def rendering(cls, settings: Settings, folder: bool) -> Board:
        """Return a board that draws with ``settings`` (their engine chosen) in :data:`THEME`."""
        page = settings.replace(theme=THEME)

        def drawn(model: Spec, name: str) -> Drawn:
            return draw(model, ["svg"], page.replace(name=name))

        return cls(drawn, folder, settings)

    # Reading: any thread.

    def view(self, ident: str) -> dict[str, Any] | None:
        """Return the view of spec ``ident`` as data, or ``None`` if no such spec is watched."""
        with self._lock:
            found = self._views.get(ident)
            return None if found is None else _public(found)

    def index(self) -> dict[str, Any]:
        """Return the list of watched specs: id, file, status, version and counts."""
        with self._lock:
            return self._index()

    def subscribe(self) -> queue.SimpleQueue[bytes | None]:
        """Return a queue that receives every event from now on (``None``: the board closed)."""
        listener: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        with self._lock:
            self._listeners.append(listener)
            listener.put(event("index", self._index()))
        return listener

    def unsubscribe(self, listener: queue.SimpleQueue[bytes | None]) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def close(self) -> None:
        """Tell every listener that no more events come."""
        with self._lock:
            for listener in self._listeners:
                listener.put(None)
            self._listeners.clear()

    # Writing: the watch loop's thread only.

    def refresh(self, found: Found) -> bool:
        """Load and render ``found`` again if its bytes changed; return whether the view changed."""
        file = str(found.path)
        with self._lock:
            view = self._views.get(found.name) or View(
                found.name, file, found.name + found.path.suffix
            )
        try:
            # ``within``: a link out of the folder is refused as ``render`` refuses it (and the
            # page, served with ``--host``, would show other machines what it points to).
            data = read_spec_file(found.path, self._limits, found.within)
        except SpecInvalid as error:
            if not found.path.exists():
                return self.remove(found)
            return self._publish(_failed(view, error.lines(), ""))
        key = digest(data)
        if key == view.digest and view.status == "ok":
            return False
        started = time.perf_counter()
        try:
            drawn = self._draw(
                load_text(data, file, self._limits, syntax_of(found.path)), Path(found.name).name
            )
        except DiagramgenError as error:
            lines = error.lines()
            if not lines[0].startswith(file):
                lines = [f"{file}: {line}" for line in lines]
            return self._publish(_failed(view, lines, key))
        except Exception:  # a bug: show its traceback on the page; the loop goes on
            trace = traceback.format_exc().rstrip().splitlines()
            return self._publish(_failed(view, [f"{file}: internal error", *trace], key))
        fresh = View(
            found.name,
            file,
            view.name,
            view.version + 1,
            "ok",
            title=drawn.spec.title or found.name,
            svg=drawn.pictures["svg"].decode("utf-8"),
            totals=totals_text(drawn.spec, drawn.totals, warnings=False),
            counts=counts_text(drawn.totals.diagram),
            warnings=totals_data(drawn.spec, drawn.totals)["warnings"],
            milliseconds=round((time.perf_counter() - started) * 1000, 1),
            digest=key,
        )
        return self._publish(fresh)

    def remove(self, found: Found) -> bool:
        """Mark ``found`` as gone: its last picture stays, dimmed, until the file comes back."""
        with self._lock:
            view = self._views.get(found.name)
        if view is None or view.status == "missing":
            return False
        message = f"{view.file}: the file is gone (deleted or renamed); waiting for it to return"
        return self._publish(_failed(view, [message], "", status="missing"))

    def set_problem(self, problem: str) -> None:
        """Show ``problem`` (e.g. two specs that share a name) above the index; ``""`` clears it."""
        with self._lock:
            if problem == self._problem:
                return
            self._problem = problem
            self._broadcast(event("index", self._index()))

    def _publish(self, view: View) -> bool:
        with self._lock:
            old = self._views.get(view.id)
            self._views[view.id] = view
            self._broadcast(event("spec", _public(view)))
            if old is None or (old.status, old.counts) != (view.status, view.counts):
                self._broadcast(event("index", self._index()))
        return True

    def _broadcast(self, message: bytes) -> None:
        for listener in self._listeners:
            listener.put(message)

    def _index(self) -> dict[str, Any]:
        specs = [
            {
                "id": view.id,
                "file": view.file,
                "name": view.name,
                "title": view.title,
                "status": view.status,
                "version": view.version,
                "counts": view.counts,
                "warnings": sum(1 for w in view.warnings if w["severity"] == "warning"),
            }
            for view in sorted(self._views.values(), key=lambda v: v.id)
            if not (self.folder and view.status == "missing")
        ]
        return {
            "session": self.session,
            "folder": self.folder,
            "problem": self._problem,
            "theme": THEME,
            "specs": specs,
        }


def _failed(view: View, errors: list[str], key: str, status: str = "invalid") -> View:
    """Return ``view`` failed with ``errors``: its last good picture kept, marked stale."""
    return View(
        view.id,
        view.file,
        view.name,
        view.version + 1,
        status,
        title=view.title or view.id,
        svg=view.svg,
        stale=bool(view.svg),
        errors=errors,
        totals=view.totals,
        counts=view.counts,
        warnings=view.warnings,
        digest=key,
    )


def _public(view: View) -> dict[str, Any]:
    data = asdict(view)
    del data["digest"]
    return data
