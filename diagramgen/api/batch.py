"""Render many specs at once: skip what is up to date, work in parallel, never stop at a failure.

Each output's manifest entry records two keys. Its *source* key (the spec's bytes, the version,
the format and the settings) lets a re-run pass an unchanged spec without reading more than its
bytes. When that differs, the spec is laid out and its *output* key computed (the version, the
DOT, what the finisher adds, the settings and the engine's identity, :class:`Drawing`): an
output whose key and bytes still match is left as it is, so an edit that does not show (a
comment, spacing) renders nothing. Everything else is rendered, in worker processes when there
are several specs; a spec that fails is reported with its file, its old outputs are removed
(they no longer show the spec), and the batch goes on.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct, field

from .. import __version__
from ..children import die_with_parent
from ..errors import DiagramgenError, Hint, OutputError, PartialRender, SpecInvalid
from ..escape import terminal_text
from ..files.atomic import (
    not_a_folder,
    remove_stale_temporaries,
    safe_target,
    walk_files,
    write_atomic,
)
from ..files.discover import Found, find_specs
from ..files.manifest import MANIFEST, Manifest, digest
from ..files.origin import Origin, origin_of
from ..formats import FORMATS, format_of, verify_formats
from ..reading import read_regular
from ..settings import DEFAULT_SETTINGS, Settings
from ..spec import load_text, read_spec_file, syntax_of
from .picture import Drawing

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

__all__ = ["WORKER_MEMORY", "Outcome", "Summary", "render_files", "source_key", "worker_count"]


def source_key(spec: bytes, output: str, settings: Settings, origin: Origin | None = None) -> str:
    """Return the key of a spec's bytes drawn in format ``output`` with ``settings``, from
    the spec file ``origin`` says (its path is in the picture's metadata).

    The same key means the same picture for one version of diagramgen; after changing
    diagramgen's own code in a checkout, ``force`` draws again.
    """
    inputs: dict[str, object] = {"spec": digest(spec), "diagramgen": __version__, "format": output}
    if origin is not None:
        inputs["origin"] = origin.path  # its content is the spec digest above
    inputs.update(settings.affecting(output))
    return digest(json.dumps(inputs, sort_keys=True).encode())


class Outcome(Struct):
    """What happened to one spec: ``rendered``, ``unchanged``, ``stale`` (check) or ``failed``."""

    spec: Found
    status: str
    #: The outputs written (or, with ``check``, found as they would be written): their digests.
    written: dict[str, str] = field(default_factory=dict)
    #: The outputs whose key and bytes still matched: left as they were.
    kept: list[str] = field(default_factory=list)
    #: The output key of every output laid out (see :meth:`Drawing.key`).
    keys: dict[str, str] = field(default_factory=dict)
    differing: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: A spec that fails loses its old outputs; a write that fails (disk full) keeps them.
    remove_stale: bool = True
    #: The formats that could not be made when others were (only those old outputs go).
    failed_formats: list[str] = field(default_factory=list)


class Summary(Struct):
    """What a batch did: one outcome per spec, in the order given, and what else it found."""

    outcomes: list[Outcome]
    seconds: float
    folder: Path
    removed: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    #: What the caller should know but did not fail the batch: a manifest that was rebuilt, a
    #: ``jobs`` request lowered to what the machine can hold.
    notes: list[str] = field(default_factory=list)
    #: What failed the batch beyond its specs: the record of the outputs that could not be
    #: saved (a read-only or full file system), one line each.
    errors: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def failed(self) -> bool:
        failed = any(outcome.status in ("failed", "stale") for outcome in self.outcomes)
        return failed or bool(self.errors)


class _Task(Struct, frozen=True):
    spec: Found
    data: bytes
    #: The formats whose source key did not match, each with its source key and the output
    #: key the manifest records for the file as it is (``None``: no such file, or changed).
    formats: tuple[str, ...]
    sources: tuple[str, ...]
    recorded: tuple[str | None, ...]
    #: Where the spec came from: in its pictures' metadata.
    origin: Origin | None = None


class _Job(Struct, frozen=True):
    """What every task of a batch shares."""

    settings: Settings
    folder: Path
    check: bool
    #: The caller's words for what a user can do about a rule (see :data:`~diagramgen.errors.Hint`).
    hint: Hint | None = None


def _work(task: _Task, job: _Job) -> Outcome:
    """Lay one spec out, then render, write or compare the outputs whose keys changed."""
    path = str(task.spec.path)
    partial: PartialRender | None = None
    keys: dict[str, str] = {}
    kept: list[str] = []
    try:
        model = load_text(task.data, path, job.settings.limits, syntax_of(task.spec.path))
        # The whole relative name: a/edge.json and b/edge.json get different SVG ids.
        drawing = Drawing(model, job.settings.replace(name=task.spec.name), origin=task.origin)
        wanted = []
        for output, recorded in zip(task.formats, task.recorded, strict=True):
            name = f"{task.spec.name}.{output}"
            keys[name] = drawing.key(output)
            if keys[name] == recorded:
                kept.append(name)
            else:
                wanted.append(output)
        pictures = drawing.pictures(wanted) if wanted else {}
    except PartialRender as error:  # write what could be made; fail the spec for the rest
        pictures, partial = error.pictures, error
    except DiagramgenError as error:
        lines = error.lines(job.hint)
        if not lines[0].startswith(terminal_text(path)):
            lines = [f"{path}: {line}" for line in lines]
        # An invalid spec's outputs are all stale; a valid spec whose formats could not be
        # made keeps its outputs in the other formats (an SVG beside a PNG too big to make).
        failed = [] if isinstance(error, SpecInvalid) else list(task.formats)
        return Outcome(task.spec, "failed", errors=lines, failed_formats=failed)
    except Exception:  # a bug: keep its traceback, but let the other specs render
        trace = traceback.format_exc().rstrip().splitlines()
        errors = [f"{path}: internal error", *trace]
        return Outcome(task.spec, "failed", errors=errors, failed_formats=list(task.formats))
    outcome = Outcome(task.spec, "stale" if job.check else "rendered", kept=kept, keys=keys)
    for output, data in pictures.items():
        name = f"{task.spec.name}.{output}"
        try:
            target = safe_target(job.folder, name)
        except DiagramgenError as error:
            return Outcome(task.spec, "failed", errors=[f"{path}: {error}"], remove_stale=False)
        if job.check:
            try:  # bounded, and never waiting on a FIFO put where an output belongs
                same = read_regular(target, len(data)) == data
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
                message = f"{path}: cannot write {target}: {reason}"
                return Outcome(task.spec, "failed", errors=[message], remove_stale=False)
            outcome.written[name] = digest(data)
    if not pictures or (job.check and not outcome.differing):
        outcome.status = "unchanged"
    if partial is not None:
        outcome.status = "failed"
        outcome.errors = [f"{path}: {line}" for line in partial.lines(job.hint)]
        outcome.failed_formats = list(partial.failures)
    return outcome


#: Memory one worker may need: the worker, its engine worker and a large diagram in each.
WORKER_MEMORY = 256 * 1024 * 1024


def _available_memory() -> int | None:
    """Return the bytes of memory this process can still use (cgroup limit included), if known."""
    found: list[int] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:  # a container's own limit (cgroup v2), when it has one
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        current = Path("/sys/fs/cgroup/memory.current").read_text().strip()
        if limit != "max":
            found.append(max(0, int(limit) - int(current)))
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def worker_count(requested: int, tasks: int) -> tuple[int, str | None]:
    """Return how many worker processes to start for ``tasks`` specs, and a note if lowered.

    ``requested`` 0 means one per CPU. More workers than CPUs render no faster, and more than
    the available memory holds (:data:`WORKER_MEMORY` each) make the machine swap or kill them.
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpus = cpus or 1
    memory = _available_memory()
    by_memory = max(1, memory // WORKER_MEMORY) if memory is not None else cpus
    most = min(cpus, by_memory)
    note = None
    if requested > most:
        room = f"memory for {by_memory}" if by_memory < cpus else f"{cpus} CPUs"
        note = f"-j {requested} lowered to {most}: this machine has {room}"
    return min(requested or most, most, tasks), note


def _warm_up() -> None:
    """Load in the parent what every worker needs: forked workers then start with it."""
    import graphviz  # type: ignore[import-untyped]  # noqa: F401

    from ..draw import layout  # noqa: F401
    from ..spec import _fastschema  # noqa: F401


def _context() -> BaseContext:
    import multiprocessing

    # fork shares the loaded modules with the workers; elsewhere start clean.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


def _run_parallel(
    tasks: list[_Task], job: _Job, jobs: int, done: Callable[[Outcome], None]
) -> list[Outcome]:
    """Run tasks in worker processes; a task whose worker dies is retried alone, then failed.

    Each worker renders through an engine worker of its own (:mod:`diagramgen.engines.worker`),
    so a Graphviz crash or hang fails only its spec; a worker killed outright (out of memory,
    ``kill -9``) breaks the pool, and its specs are retried one by one.
    """
    # Imported here: a single spec never needs them (10 ms of start-up).
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    outcomes: dict[int, Outcome] = {}
    lost: list[int] = []
    parent = (os.getpid(),)
    with ProcessPoolExecutor(jobs, _context(), die_with_parent, parent) as pool:
        futures: dict[Future[Outcome], int] = {
            pool.submit(_work, task, job): index for index, task in enumerate(tasks)
        }
        for future, index in futures.items():
            try:
                outcomes[index] = future.result()
                done(outcomes[index])
            except BrokenProcessPool:
                lost.append(index)
    for index in lost:
        with ProcessPoolExecutor(1, _context(), die_with_parent, parent) as alone:
            try:
                outcomes[index] = alone.submit(_work, tasks[index], job).result()
            except BrokenProcessPool:
                message = (
                    f"{tasks[index].spec.path}: the process rendering it died (it ran out of "
                    "memory, or was killed)"
                )
                outcomes[index] = Outcome(tasks[index].spec, "failed", errors=[message])
        done(outcomes[index])
    return [outcomes[index] for index in range(len(tasks))]


def render_files(
    specs: Sequence[str | os.PathLike[str]] | Sequence[Found],
    folder: str | os.PathLike[str] = "output",
    formats: Iterable[str] = ("svg",),
    settings: Settings = DEFAULT_SETTINGS,
    *,
    jobs: int = 0,
    check: bool = False,
    force: bool = False,
    progress: Callable[[Outcome], None] | None = None,
    hint: Hint | None = None,
) -> Summary:
    """Render (or with ``check``, compare) every spec's outputs in ``folder``.

    ``specs`` are files, folders (every spec below them) and globs, or specs already found
    (:func:`~diagramgen.files.discover.find_specs`); each writes
    ``folder/<its name>.<format>``, its SVG ids prefixed with that name. ``hint`` adds the
    caller's own words to an error line (how its user changes a limit).
    """
    started = time.perf_counter()
    found = [s for s in specs if isinstance(s, Found)]
    if len(found) != len(specs):
        found = find_specs([str(s) for s in specs])
    chosen_formats = verify_formats(formats)
    output = Path(folder)
    problem = not_a_folder(output)
    if problem is not None:
        raise OutputError(f"{output}: {problem}, not a folder")
    done = progress or (lambda outcome: None)
    if any(FORMATS[name].drawn for name in chosen_formats):
        settings = settings.with_engine()
    limits = settings.limits
    if not check:
        remove_stale_temporaries(output)
    manifest = Manifest.load(output)
    outcomes: list[Outcome] = []
    tasks: list[_Task] = []
    for spec in found:
        try:
            data = read_spec_file(spec.path, limits, spec.within)
        except SpecInvalid as error:
            outcome = Outcome(spec, "failed", errors=error.lines(hint), remove_stale=False)
            outcomes.append(outcome)
            done(outcome)
            continue
        origin = origin_of(spec.path, data)
        sources = {o: source_key(data, o, settings, origin) for o in chosen_formats}
        names = {o: f"{spec.name}.{o}" for o in chosen_formats}
        stale = [o for o in chosen_formats if force or not manifest.fresh(names[o], sources[o])]
        if not stale:
            outcome = Outcome(spec, "unchanged")
            outcomes.append(outcome)
            done(outcome)
            continue
        recorded = tuple(None if force else manifest.holding(names[o]) for o in stale)
        tasks.append(
            _Task(spec, data, tuple(stale), tuple(sources[o] for o in stale), recorded, origin)
        )
    job = _Job(settings, output, check, hint)
    workers, lowered = worker_count(jobs, len(tasks))
    notes = [note for note in (manifest.problem, lowered) if note is not None]
    if workers > 1:
        _warm_up()
        results = _run_parallel(tasks, job, workers, done)
    else:
        results = []
        for task in tasks:
            results.append(_work(task, job))
            done(results[-1])
    removed: list[str] = []
    errors: list[str] = []
    for task, outcome in zip(tasks, results, strict=True):
        outcomes.append(outcome)
        if check:
            continue
        if outcome.status == "failed" and outcome.remove_stale:
            only = outcome.failed_formats or None
            removed += _remove_outputs(output, task.spec.name, manifest, only)
        for form, source in zip(task.formats, task.sources, strict=True):
            name = f"{task.spec.name}.{form}"
            # Each written or kept, but for a spec that failed in part.
            if name in outcome.written:
                manifest.record(name, outcome.keys[name], source, outcome.written[name])
            elif name in outcome.kept:
                manifest.renew(name, source)
    if not check:
        # A worker killed mid-write (a broken pool stops them all) leaves its temporary file.
        remove_stale_temporaries(output)
        try:
            manifest.save()
        except OSError as error:
            # The pictures written stay; only the record of them is missing (a read-only
            # or full file system): the next render draws them again.
            reason = error.strerror or str(error)
            errors.append(f"{output}: cannot save {MANIFEST}: {reason}")
    order = {spec.path: index for index, spec in enumerate(found)}
    outcomes.sort(key=lambda outcome: order[outcome.spec.path])
    orphans = _orphans(output, found, chosen_formats) if check else []
    return Summary(outcomes, time.perf_counter() - started, output, removed, orphans, notes, errors)


def _remove_outputs(
    folder: Path, name: str, manifest: Manifest, formats: list[str] | None = None
) -> list[str]:
    """Remove a failed spec's old outputs (in ``formats``, default all): they no longer show
    what the spec says."""
    removed = []
    for form in FORMATS.values():
        if formats is not None and form.name not in formats:
            continue
        output = f"{name}{form.suffix}"
        if output not in manifest.entries:
            continue  # not written by diagramgen: not ours to remove
        try:
            target = safe_target(folder, output)
        except DiagramgenError:
            continue  # behind a link: not ours to remove
        if target.is_file():
            target.unlink()
            removed.append(str(target))
        manifest.forget(output)
    return removed


def _orphans(folder: Path, specs: list[Found], formats: list[str]) -> list[str]:
    """Return outputs in ``folder`` that no spec of this run would write.

    A subfolder with a manifest of its own is another output folder (``output/auto`` beside
    ``output``): what is in it is that folder's business.
    """
    if not folder.is_dir():
        return []
    expected = {f"{spec.name}.{output}" for spec in specs for output in formats}
    found = []
    for path in walk_files(folder):
        name = path.relative_to(folder).as_posix()
        form = format_of(name)  # x.drawio.svg is draw.io's SVG, not an SVG
        ours = form is not None and form.name in formats
        if ours and name not in expected and not _elsewhere(path, folder):
            found.append(str(path))
    return found


def _elsewhere(path: Path, folder: Path) -> bool:
    """Return whether ``path`` is in a subfolder of ``folder`` that has a manifest of its own."""
    parent = path.parent
    while parent != folder and folder in parent.parents:
        if (parent / MANIFEST).is_file():
            return True
        parent = parent.parent
    return False
