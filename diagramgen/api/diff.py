"""One stack in two versions: what changed, marked on the new version's picture and in its
totals.

``diff`` returns the difference (and its pictures); ``diff_files`` also writes them (the
command line's ``diff``). A side is a spec model or a path; ``git_spec`` reads a file as a
git revision has it (``main:docs/stack.yaml``).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import msgspec
from msgspec import Struct

from ..accounting import Totals, compute
from ..accounting.changes import Change, Changes, arrow, changes, parents, summary_data
from ..accounting.figures import RESOURCES, percent
from ..accounting.report import totals_data
from ..draw.difference import difference_label, figure_rows
from ..draw.layout import Marking
from ..errors import InvalidArgument
from ..files.atomic import write_file
from ..formats import FORMATS, format_of, verify_formats
from ..settings import DEFAULT_SETTINGS, Settings
from ..spec import Limits, Spec, load_text
from ..spec.model import VM, App, Host, display_name
from .picture import Drawing, SpecLike, load_spec, name_of

__all__ = ["Difference", "diff", "diff_base", "diff_files", "git_spec"]

Path_ = str | os.PathLike[str]
#: How a removal is written: a minus sign, not a hyphen.
MINUS = "\N{MINUS SIGN}"


class Difference(Struct, frozen=True):
    """Two versions of a spec compared: both models and totals, the changes, the pictures."""

    old: Spec
    new: Spec
    before: Totals
    after: Totals
    changes: Changes
    labels: tuple[str, str]
    pictures: dict[str, bytes]

    def summary(self) -> str:
        """Return the change in one line: "+2 containers, -1 VM; host pve1 memory 71% → 94%"
        (with a minus sign, as every removal is written)."""
        return summary(self.old, self.new, self.before, self.after, self.changes)

    def data(self) -> dict[str, Any]:
        """Return the difference as JSON-ready data: both sides' totals, the changes, the
        figures that changed, the warnings that appeared and went away, and the summary."""
        return {
            "summary": self.summary(),
            "labels": {"old": self.labels[0], "new": self.labels[1]},
            "changes": [summary_data(change) for change in self.changes.items],
            "figures": [
                {"figure": label, "old": old, "new": new}
                for label, old, new in figure_rows(self.old, self.new, self.before, self.after)
            ],
            "warnings": {
                "appeared": [_alert(alert) for alert in self.changes.appeared],
                "resolved": [_alert(alert) for alert in self.changes.resolved],
            },
            "old": totals_data(self.old, self.before),
            "new": totals_data(self.new, self.after),
        }


def _alert(alert: Any) -> dict[str, str]:
    return {"code": alert.code, "pointer": alert.pointer, "message": alert.message}


def summary(old: Spec, new: Spec, before: Totals, after: Totals, found: Changes) -> str:
    """Return the one-line summary of a difference."""
    parts = []
    for kind, sign in (("added", "+"), ("removed", MINUS)):
        counts: dict[str, int] = {}
        for change in found.of(kind):
            counts[change.what] = counts.get(change.what, 0) + 1
        parts += [f"{sign}{n} {what}{'' if n == 1 else 's'}" for what, n in counts.items()]
    for kind in ("changed", "moved"):
        if found.of(kind):
            parts.append(f"{len(found.of(kind))} {kind}")
    text = ", ".join(parts) or "no component changed"
    moves = _largest_moves(old, new, before, after)
    return f"{text}; {moves}" if moves else text


def _largest_moves(old: Spec, new: Spec, before: Totals, after: Totals) -> str:
    """Return, for each host in both versions, its committed share that moved the most
    ("host pve1 memory 71% → 94%")."""
    olds = {host.id for host in old.hosts}
    found = []
    for host in new.hosts:
        if host.id not in olds:
            continue
        best: tuple[int, str] | None = None
        for resource in RESOURCES:
            was, now = before.host(host.id), after.host(host.id)
            shares = [
                percent(t.committed.get(resource), getattr(t.capacity, resource))
                for t in (was, now)
            ]
            if shares[0] is None or shares[1] is None or shares[0] == shares[1]:
                continue
            moved = abs(shares[1] - shares[0])
            if best is None or moved > best[0]:
                best = (moved, f"host {display_name(host)} {resource} {shares[0]}% → {shares[1]}%")
        if best is not None:
            found.append(best[1])
    return ", ".join(found)


def diff(
    old: SpecLike,
    new: SpecLike,
    formats: Iterable[str] = (),
    settings: Settings = DEFAULT_SETTINGS,
    *,
    labels: tuple[str, str] | None = None,
) -> Difference:
    """Return what changed from ``old`` to ``new`` and, in each of ``formats``, the picture:
    the new version laid out as ``render`` lays it out, what was removed drawn where it stood,
    every change marked on its component, and a panel of the totals before and after."""
    models = (load_spec(old, settings.limits), load_spec(new, settings.limits))
    before, after = compute(models[0]), compute(models[1])
    found = changes(models[0], models[1], before, after)
    labels = labels or ("before", "after")
    pictures: dict[str, bytes] = {}
    wanted = list(formats)
    if wanted:
        merged = _with_removed(models[0], models[1], found)
        rows = figure_rows(models[0], models[1], before, after)
        line = summary(models[0], models[1], before, after, found)
        drawing = Drawing(
            merged,
            settings.replace(name=settings.name or f"{name_of(new)}-diff"),
            lambda theme, numbered: difference_label(
                rows, line, found, labels, theme, merged, numbered
            ),
            totals=_shown_totals(merged, before, after),
            marking=_marking(found),
        )
        pictures = drawing.pictures(verify_formats(wanted))
    return Difference(models[0], models[1], before, after, found, labels, pictures)


def _marking(found: Changes) -> Marking:
    """Return what the picture marks on each changed component."""
    states: dict[str, str] = {}
    lines: dict[str, tuple[str, ...]] = {}
    for change in found.items:
        states[change.id] = "changed" if change.kind == "moved" else change.kind
        lines[change.id] = tuple(_lines(change))
    return Marking(states, lines)


def _lines(change: Change) -> list[str]:
    if change.kind == "added":
        return ["+ added"]
    if change.kind == "removed":
        return [f"{MINUS} removed"]
    found = [f"moved from {change.names[0]}"] if change.kind == "moved" else []
    return found + [f"{label} {arrow(old, new)}" for label, old, new in change.figures]


def _shown_totals(merged: Spec, before: Totals, after: Totals) -> Totals:
    """Return the totals the picture's cells show: the new version's, and the old one's for
    a host or VM it removed (drawn where it stood)."""
    news = {host.id for host in after.hosts} | {vm.id for vm in after.vms}
    hosts = tuple(
        after.host(host.id) if host.id in news else before.host(host.id) for host in merged.hosts
    )
    vms = tuple(
        after.vm(vm.id) if vm.id in news else before.vm(vm.id)
        for host in merged.hosts
        for vm in host.vms
    )
    return Totals(after.diagram, hosts, vms, after.warnings)


def _with_removed(old: Spec, new: Spec, found: Changes) -> Spec:
    """Return ``new`` with each component it removed put back where it stood in ``old``
    (under its old parent, at its old place among its siblings), to be drawn removed."""
    removed = {change.id for change in found.of("removed")}
    if not removed:
        return new
    hosts = list(new.hosts)
    owner = parents(old)
    for index, host in enumerate(old.hosts):
        if host.id in removed:
            hosts.insert(min(index, len(hosts)), host)
    for host in old.hosts:
        if host.id in removed:
            continue  # drawn whole, with all it ran
        for index, vm in enumerate(host.vms):
            if vm.id in removed:
                hosts = _put(hosts, owner[vm.id], "vms", index, vm)
            else:
                for place, item in enumerate(vm.workloads()):
                    if item.id in removed:
                        field = "apps" if isinstance(item, App) else "containers"
                        at = place if isinstance(item, App) else place - len(vm.apps)
                        hosts = _put(hosts, owner[item.id], field, at, item)
        for index, container in enumerate(host.containers):
            if container.id in removed:
                hosts = _put(hosts, owner[container.id], "containers", index, container)
    return msgspec.structs.replace(new, hosts=tuple(hosts))


def _put(hosts: list[Host], parent: str, field: str, index: int, item: Any) -> list[Host]:
    """Return ``hosts`` with ``item`` inserted into the ``field`` list of the host or VM
    ``parent`` at ``index``; unchanged when the new version has no such host or VM (the item
    is then not drawn)."""
    found = []
    for host in hosts:
        if host.id == parent:
            host = _inserted(host, field, index, item)
        elif any(vm.id == parent for vm in host.vms):
            vms = tuple(
                _inserted(vm, field, index, item) if vm.id == parent else vm for vm in host.vms
            )
            host = msgspec.structs.replace(host, vms=vms)
        found.append(host)
    return found


def _inserted(owner: Host | VM, field: str, index: int, item: Any) -> Any:
    items = list(getattr(owner, field))
    items.insert(min(index, len(items)), item)
    return msgspec.structs.replace(owner, **{field: tuple(items)})


def git_spec(revision: str, path: Path_, limits: Limits) -> Spec:
    """Return the spec a git revision has at ``path`` (``git show REV:PATH``), read from the
    repository the file is in."""
    file = Path(path)
    folder = file.parent if file.parent != Path("") else Path(".")
    try:
        top = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        inside = file.resolve().relative_to(Path(top).resolve()).as_posix()
        shown = subprocess.run(
            ["git", "-C", top, "show", f"{revision}:{inside}"],
            capture_output=True,
            check=True,
        ).stdout
    except FileNotFoundError:
        raise InvalidArgument("git is not installed: a revision cannot be read") from None
    except (subprocess.CalledProcessError, ValueError) as error:
        why = getattr(error, "stderr", b"") or b""
        text = why.decode("utf-8", "replace").strip().splitlines()
        detail = f": {text[-1]}" if text else ""
        raise InvalidArgument(f"{revision}:{file}: cannot be read from git{detail}") from None
    if len(shown) > limits.spec_bytes:
        raise InvalidArgument(
            f"{revision}:{file}: holds {len(shown):,} bytes; the spec-bytes limit is"
            f" {limits.spec_bytes:,}"
        )
    return load_text(shown.decode("utf-8", "replace"), f"{revision}:{file}", limits)


def diff_base(new: Path_, output: Path_ | None = None) -> Path:
    """Return where a diff's pictures go, without suffix (``output/NEW-diff``)."""
    if output is None:
        return Path("output") / f"{Path(new).stem}-diff"
    base = Path(output)
    form = format_of(base.name)  # d.drawio.svg is d
    if form is not None and base.name != form.suffix:
        return base.with_name(base.name.removesuffix(form.suffix))
    return base


def diff_files(
    old: SpecLike,
    new: SpecLike,
    base: Path,
    formats: Iterable[str] = ("svg",),
    settings: Settings = DEFAULT_SETTINGS,
    labels: tuple[str, str] | None = None,
) -> tuple[Difference, list[Path]]:
    """Diff two specs and write the picture in each format to ``base``.FORMAT."""
    difference = diff(
        old, new, verify_formats(formats), settings.replace(name=base.name), labels=labels
    )
    written = []
    for kind, data in difference.pictures.items():
        target = base.with_name(base.name + FORMATS[kind].suffix)
        write_file(target, data)
        written.append(target)
    return difference, written
