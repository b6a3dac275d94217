"""Which specs the command line names now, and which of them a batch of file changes touched.

Folders are watched, never a file's inode: an editor that saves by writing a new file and
renaming it over the old one (vim, JetBrains) replaces the inode, and a watch on it would go
silent. After each batch of changes the arguments are searched again, so a folder that gains or
loses specs is followed, and a spec that is gone is reported as gone. A watched folder that is
itself deleted and comes back (a branch switch) is watched again.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from msgspec import Struct, field

from ..errors import DiagramgenError, InvalidArgument
from ..files.discover import SUFFIXES, Found, find_specs

__all__ = ["DEBOUNCE_MS", "REARM_S", "STEP_MS", "Delta", "Tracker", "require_watchfiles"]

#: A batch of changes is handed on once nothing has changed for this long...
STEP_MS = 8
#: ...or this long after its first change, if changes keep coming.
DEBOUNCE_MS = 150
#: Seconds between checks that the watched folders are still the ones watched.
REARM_S = 0.05


def require_watchfiles() -> None:
    """Raise a one-line error naming the install command if ``watchfiles`` is missing."""
    try:
        import watchfiles  # noqa: F401
    except ImportError:
        # Named by the package itself: right however diagramgen was installed.
        raise DiagramgenError(
            "watching needs the watchfiles package (diagramgen's watch extra): "
            "pip install watchfiles"
        ) from None


class Delta(Struct):
    """What a batch of changes did to the specs: changed (or new) ones, and those now gone."""

    changed: list[Found] = field(default_factory=list)
    removed: list[Found] = field(default_factory=list)
    problem: str = ""


class Tracker:
    """The specs that ``arguments`` (files, folders, globs) name, followed across changes."""

    def __init__(self, arguments: list[str]) -> None:
        self.arguments = arguments
        # A file named on the command line stays watched while it is gone: it may come back.
        self._files = {
            argument: find_specs([argument])[0]
            for argument in arguments
            if Path(argument).is_file()
        }
        self.specs: dict[str, Found] = {}
        find_specs(arguments)  # the same errors as ``render`` for what does not exist

    @property
    def folder(self) -> bool:
        """Whether any argument is a folder or a glob (the page then shows an index)."""
        return len(self._files) < len(self.arguments)

    def roots(self) -> tuple[list[Path], bool]:
        """Return the folders to watch, and whether to watch below them."""
        roots: list[Path] = []
        for argument in self.arguments:
            path = Path(argument)
            if argument in self._files:
                roots.append(path.parent)
            elif path.is_dir():
                roots.append(path)
            else:
                parts = []
                for part in path.parts:
                    if set("*?[") & set(part):
                        break
                    parts.append(part)
                roots.append(Path(*parts) if parts else Path("."))
        unique = list(dict.fromkeys(root.resolve() for root in roots))
        return unique, len(self._files) < len(self.arguments)

    def scan(self, touched: set[Path] | None = None) -> Delta:
        """Search the arguments again; return the specs that are new or ``touched``, and those
        gone. ``None`` means everything (the first scan)."""
        found, problem = self._discover()
        delta = Delta(problem=problem)
        now = {spec.name: spec for spec in found}
        for name, spec in self.specs.items():
            if name not in now or now[name].path != spec.path:
                delta.removed.append(spec)
        for name, spec in now.items():
            earlier = self.specs.get(name)
            if (
                touched is None
                or earlier is None
                or earlier.path != spec.path
                or spec.path.resolve() in touched
            ):
                delta.changed.append(spec)
        self.specs = now
        return delta

    def _discover(self) -> tuple[list[Found], str]:
        found = list(self._files.values())
        problems = []
        for argument in self.arguments:
            if argument in self._files:
                continue
            try:
                found += find_specs([argument])
            except InvalidArgument as error:
                if Path(argument).is_dir() and "no spec files" not in str(error):
                    problems.append(str(error))  # two specs that would share a name
        by_name: dict[str, Found] = {}
        for spec in found:
            earlier = by_name.setdefault(spec.name, spec)
            if earlier.path != spec.path:
                problems.append(f"{earlier.path} and {spec.path} share the name {spec.name!r}")
        return list(by_name.values()), "; ".join(problems)


def _relevant(path: str) -> bool:
    """Return whether a change at ``path`` can concern a spec: a spec file, or a folder."""
    name = Path(path).name
    if name.startswith("."):
        return False  # hidden files, diagramgen's manifest and temporary files
    suffix = Path(name).suffix.lower()
    return suffix in SUFFIXES or suffix == ""


def batches(tracker: Tracker, stop: threading.Event | None = None) -> Iterator[set[Path] | None]:
    """Yield ``None`` once the watcher runs (scan everything now: no change can be missed),
    then the paths changed below the tracker's roots, a batch at a time, until ``stop``.

    A watcher follows its folders' inodes and goes silent for good when one is deleted, even
    if a folder of that name comes back (a branch switch, ``rm -rf`` then unpack). So when a
    root is gone or replaced, the watcher is armed again on what is there now, and ``None`` is
    yielded again: what changed in between is found by the scan.
    """
    roots, recursive = tracker.roots()
    while not _stopped(stop):
        with _Anchors(roots) as anchors:
            if anchors.present:
                yield from _watch(anchors, recursive, stop)
            else:  # every root is gone: say so, and wait for one to come back
                yield None
                while not (anchors.moved() or _stopped(stop, REARM_S)):
                    continue


def _stopped(stop: threading.Event | None, seconds: float = 0.0) -> bool:
    """Wait ``seconds`` or until ``stop``; return whether it is set (without one, only Ctrl-C
    ends the watch, and it interrupts the sleep)."""
    if stop is None:
        time.sleep(seconds)
        return False
    return stop.wait(seconds)


def _watch(
    anchors: _Anchors, recursive: bool, stop: threading.Event | None
) -> Iterator[set[Path] | None]:
    """Yield as :func:`batches` does from one watcher on the roots present, until ``stop`` or
    until a root is deleted, replaced or comes back (checked on every batch and every wake)."""
    from watchfiles import DefaultFilter, watch

    default = DefaultFilter()
    ready = False
    for changes in watch(
        *anchors.present,
        watch_filter=lambda change, path: default(change, path) and _relevant(path),
        debounce=DEBOUNCE_MS,
        step=STEP_MS,
        stop_event=stop,
        recursive=recursive,
        # Wakes this often to check ``stop`` and the roots (and, the first time, to say it is
        # ready).
        rust_timeout=int(REARM_S * 1000),
        yield_on_timeout=True,
    ):
        if not ready:
            ready = True
            yield None
        if changes:
            yield {Path(path).resolve() for _, path in changes}
        if anchors.moved():
            return


class _Anchors:
    """The watched folders, each held open while it is watched, to tell when one is replaced.

    A folder deleted and created again may get the same inode number (ext4 reuses them at
    once), and would look unchanged; one held open keeps its number until it is closed, so a
    folder that comes back under the same name always has a new one. Where a folder cannot be
    opened (Windows), its identity is taken without holding it.
    """

    def __init__(self, roots: list[Path]) -> None:
        self._roots = roots
        self._handles: list[int] = []
        self._identities = [self._hold(root) for root in roots]
        #: The roots that exist now: the ones a watcher can be armed on.
        self.present = [r for r, i in zip(roots, self._identities, strict=True) if i is not None]

    def __enter__(self) -> _Anchors:
        return self

    def __exit__(self, *_: object) -> None:
        for handle in self._handles:
            os.close(handle)
        self._handles.clear()

    def moved(self) -> bool:
        """Return whether any root was deleted, replaced or created since it was held."""
        return [_identity(root) for root in self._roots] != self._identities

    def _hold(self, root: Path) -> tuple[int, int] | None:
        """Open ``root`` and return its identity; ``None`` when it is not a folder now."""
        try:
            handle = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            return _identity(root)
        self._handles.append(handle)
        found = os.fstat(handle)
        return (found.st_dev, found.st_ino) if stat.S_ISDIR(found.st_mode) else None


def _identity(path: Path) -> tuple[int, int] | None:
    """Return the device and inode of the folder at ``path``, ``None`` if there is none."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino) if stat.S_ISDIR(found.st_mode) else None
