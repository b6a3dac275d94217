"""Render many specs at once: skip what is up to date, work in parallel, never stop at a failure.

An output is up to date when the manifest records the same input key (spec bytes, diagramgen
version, engine and its version, theme, format, options) and the file still holds what was
written. Everything else is rendered in worker processes; a spec that fails is reported with
its file, its old outputs are removed (they no longer show the spec), and the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct, field
from msgspec.structs import asdict, replace

from . import __version__
from .discover import Found
from .engines import TIMEOUT, select_engine
from .errors import DiagramgenError, Problem, SpecInvalid
from .limits import DEFAULT_LIMITS, Limits
from .options import Options
from .output import (
    OUTPUT_SUFFIXES,
    Manifest,
    digest,
    remove_stale_temporaries,
    safe_target,
    walk_files,
    write_atomic,
)

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from .engines import Engine
    from .renderer import EngineProcess

__all__ = ["Outcome", "Summary", "input_key", "run_batch"]


@cache
def _build() -> str:
    """Return a digest of diagramgen's own code and data: any change to them renders anew."""
    package = os.path.dirname(os.path.abspath(__file__))
    state = hashlib.sha256()
    for relative, path in _package_files(package, ""):
        if relative.endswith((".py", ".json", ".woff2", ".bin", ".conf")):
            state.update(relative.encode() + b"\0")
            with open(path, "rb") as stream:
                state.update(stream.read())
        elif relative.endswith(".ttf"):  # 1.5 MB; derived files above change with them
            state.update(f"{os.path.basename(path)}:{os.path.getsize(path)}".encode())
    return state.hexdigest()


def _package_files(folder: str, prefix: str) -> list[tuple[str, str]]:
    """Return (relative POSIX path, path) of the files below ``folder``, sorted; no caches."""
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    found += _package_files(entry.path, f"{prefix}{entry.name}/")
            elif entry.is_file():
                found.append((f"{prefix}{entry.name}", entry.path))
    return sorted(found)


def _read(path: Path, limits: Limits) -> bytes:
    """Return a spec's bytes; one that cannot be read or is too large is a failed spec."""
    from .spec import too_big

    try:
        size = path.stat().st_size
        if size > limits.spec_bytes:
            raise SpecInvalid(str(path), [too_big(size, limits)])
        return path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise SpecInvalid(str(path), [Problem(0, 0, None, f"cannot read: {reason}")]) from None


def input_key(
    spec: bytes, output: str, options: Options, engine: str, limits: Limits = DEFAULT_LIMITS
) -> str:
    """Return the key of everything an output depends on (limits decide whether it exists)."""
    inputs = {
        "limits": asdict(limits),
        "spec": digest(spec),
        "diagramgen": __version__,
        "build": _build(),
        "format": output,
        "theme": options.theme,
        "engine": "" if output == "dot" else engine,
        "embed_fonts": options.embed_fonts if output == "svg" else None,
    }
    return digest(json.dumps(inputs, sort_keys=True).encode())


class Outcome(Struct):
    """What happened to one spec: ``rendered``, ``unchanged``, ``stale`` (check) or ``failed``."""

    spec: Found
    status: str
    written: dict[str, str] = field(default_factory=dict)
    differing: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: A spec that fails loses its old outputs; a write that fails (disk full) keeps them.
    remove_stale: bool = True


class Summary(Struct):
    outcomes: list[Outcome]
    seconds: float
    removed: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def failed(self) -> bool:
        return any(outcome.status in ("failed", "stale") for outcome in self.outcomes)


class _Task(Struct, frozen=True):
    spec: Found
    data: bytes
    formats: tuple[str, ...]
    keys: tuple[str, ...]


def _work(
    task: _Task,
    options: Options,
    folder: Path,
    check: bool,
    limits: Limits,
    isolated: bool = True,
    engine: Engine | None = None,
) -> Outcome:
    """Render one spec and write or compare its outputs (with ``engine``, if one is given)."""
    from .render import render
    from .spec import load_text

    try:
        model = load_text(task.data, str(task.spec.path), limits)
        if engine is None and set(task.formats) - {"dot"}:
            engine = select_engine(options.engine)
        if engine is not None and not isolated:
            engine = replace(engine, isolated=False)
        stem = Path(task.spec.name).name
        pictures = render(model, task.formats, options, stem, engine, limits=limits)
    except DiagramgenError as error:
        lines = error.lines()
        if not lines[0].startswith(str(task.spec.path)):
            lines = [f"{task.spec.path}: {line}" for line in lines]
        return Outcome(task.spec, "failed", errors=lines)
    except Exception:  # a bug: keep its traceback, but let the other specs render
        trace = traceback.format_exc().rstrip().splitlines()
        return Outcome(task.spec, "failed", errors=[f"{task.spec.path}: internal error", *trace])
    outcome = Outcome(task.spec, "stale" if check else "rendered")
    for output, data in pictures.items():
        name = f"{task.spec.name}.{output}"
        try:
            target = safe_target(folder, name)
        except DiagramgenError as error:
            return Outcome(
                task.spec, "failed", errors=[f"{task.spec.path}: {error}"], remove_stale=False
            )
        if check:
            try:
                same = target.read_bytes() == data
            except OSError:
                same = False
            if same:
                outcome.written[name] = digest(data)
            else:
                outcome.differing.append(name)
        else:
            try:
                write_atomic(target, data)
            except OSError as error:
                reason = error.strerror or str(error)
                message = f"{task.spec.path}: cannot write {target}: {reason}"
                return Outcome(task.spec, "failed", errors=[message], remove_stale=False)
            outcome.written[name] = digest(data)
    if check and not outcome.differing:
        outcome.status = "unchanged"
    return outcome


def _work_in_worker(
    task: _Task, options: Options, folder: Path, check: bool, limits: Limits
) -> Outcome:
    """Render in a pool worker: Graphviz runs in the worker itself, under a watchdog.

    The worker is already a process of its own, so a Graphviz crash kills only it (the pool
    breaks and the spec is retried alone); a hang is ended by SIGALRM's default action, which
    terminates the worker. Both end as a failure of that spec.
    """
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(int(TIMEOUT) + 1)
    try:
        return _work(task, options, folder, check, limits, isolated=False)
    finally:
        signal.alarm(0)


def _warm_up(engine: Engine | None) -> None:
    """Load in the parent what every worker needs: forked workers then start with it."""
    import graphviz  # type: ignore[import-untyped]  # noqa: F401

    from . import _fastschema, layout  # noqa: F401

    if engine is not None:
        select_engine(engine.name)  # here, even when an engine process had it: workers fork here


def _context() -> BaseContext:
    import multiprocessing

    # fork shares the loaded engine and modules with the workers; elsewhere start clean.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


def _run_parallel(
    tasks: list[_Task],
    options: Options,
    folder: Path,
    check: bool,
    jobs: int,
    done: Callable[[Outcome], None],
    limits: Limits,
) -> list[Outcome]:
    """Run tasks in worker processes; a task whose worker dies is retried alone, then failed."""
    # Imported here: a single spec never needs them (10 ms of start-up).
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    outcomes: dict[int, Outcome] = {}
    lost: list[int] = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_context()) as pool:
        futures: dict[Future[Outcome], int] = {
            pool.submit(_work_in_worker, task, options, folder, check, limits): index
            for index, task in enumerate(tasks)
        }
        for future, index in futures.items():
            try:
                outcomes[index] = future.result()
                done(outcomes[index])
            except BrokenProcessPool:
                lost.append(index)
    for index in lost:
        with ProcessPoolExecutor(max_workers=1, mp_context=_context()) as alone:
            try:
                outcomes[index] = alone.submit(
                    _work_in_worker, tasks[index], options, folder, check, limits
                ).result()
            except BrokenProcessPool:
                message = (
                    f"{tasks[index].spec.path}: the process rendering it died (Graphviz "
                    f"crashed, ran out of memory, took over {TIMEOUT:g} s, or was killed)"
                )
                outcomes[index] = Outcome(tasks[index].spec, "failed", errors=[message])
        done(outcomes[index])
    return [outcomes[index] for index in range(len(tasks))]


def run_batch(
    specs: Iterable[Found],
    formats: list[str],
    options: Options,
    folder: Path,
    jobs: int = 0,
    check: bool = False,
    force: bool = False,
    progress: Callable[[Outcome], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    process: EngineProcess | None = None,
) -> Summary:
    """Render (or with ``check``, compare) every spec's outputs in ``folder``.

    With an engine ``process`` (:mod:`diagramgen.renderer`), specs rendered here render there;
    pool workers render in themselves.
    """
    started = time.perf_counter()
    specs = list(specs)
    done = progress or (lambda outcome: None)
    engine = ""
    chosen = None
    if set(formats) - {"dot"}:
        chosen = select_engine(options.engine, process)
        engine = f"{chosen.name} {chosen.version}"
    if not check:
        remove_stale_temporaries(folder)
    manifest = Manifest.load(folder)
    outcomes: list[Outcome] = []
    tasks: list[_Task] = []
    for spec in specs:
        try:
            data = _read(spec.path, limits)
        except SpecInvalid as error:
            outcome = Outcome(spec, "failed", errors=error.lines(), remove_stale=False)
            outcomes.append(outcome)
            done(outcome)
            continue
        keys = {output: input_key(data, output, options, engine, limits) for output in formats}
        names = {output: f"{spec.name}.{output}" for output in formats}
        stale = [o for o in formats if force or not manifest.fresh(names[o], keys[o])]
        if not stale:
            outcome = Outcome(spec, "unchanged")
            outcomes.append(outcome)
            done(outcome)
            continue
        tasks.append(_Task(spec, data, tuple(stale), tuple(keys[o] for o in stale)))
    workers = min(jobs or os.cpu_count() or 1, len(tasks))
    if workers > 1:
        if process is not None:
            process.close()  # the workers render in themselves
        if chosen is not None:
            # The workers use the engine the keys name, even where the process chose another.
            options = replace(options, engine=chosen.name)
        _warm_up(chosen)
        results = _run_parallel(tasks, options, folder, check, workers, done, limits)
    else:
        results = []
        for task in tasks:
            results.append(_work(task, options, folder, check, limits, engine=chosen))
            done(results[-1])
    removed: list[str] = []
    for task, outcome in zip(tasks, results, strict=True):
        outcomes.append(outcome)
        if check:
            continue
        if outcome.status == "failed":
            if outcome.remove_stale:
                removed += _remove_outputs(folder, task.spec.name, manifest)
            continue
        for output, key in zip(task.formats, task.keys, strict=True):
            name = f"{task.spec.name}.{output}"
            manifest.record(name, key, outcome.written[name])
    if not check:
        # A worker killed mid-write (a broken pool stops them all) leaves its temporary file.
        remove_stale_temporaries(folder)
        manifest.save()
    order = {spec.path: index for index, spec in enumerate(specs)}
    outcomes.sort(key=lambda outcome: order[outcome.spec.path])
    orphans = _orphans(folder, specs, formats) if check else []
    return Summary(outcomes, time.perf_counter() - started, removed, orphans)


def _remove_outputs(folder: Path, name: str, manifest: Manifest) -> list[str]:
    """Remove a failed spec's old outputs: they no longer show what the spec says."""
    removed = []
    for suffix in OUTPUT_SUFFIXES:
        if f"{name}{suffix}" not in manifest.entries:
            continue  # not written by diagramgen: not ours to remove
        try:
            target = safe_target(folder, f"{name}{suffix}")
        except DiagramgenError:
            continue  # behind a link: not ours to remove
        if target.is_file():
            target.unlink()
            removed.append(str(target))
        manifest.forget(f"{name}{suffix}")
    return removed


def _orphans(folder: Path, specs: list[Found], formats: list[str]) -> list[str]:
    """Return outputs in ``folder`` that no spec of this run would write."""
    if not folder.is_dir():
        return []
    expected = {f"{spec.name}.{output}" for spec in specs for output in formats}
    suffixes = {f".{output}" for output in formats}
    found = []
    for path in walk_files(folder):
        name = path.relative_to(folder).as_posix()
        if path.suffix in suffixes and name not in expected:
            found.append(str(path))
    return found
