"""What changed between two versions of one spec: components matched by id, their figures,
their places, the totals and the warnings. Pure: nothing here reads or draws anything.

A component of one version whose id the other lacks is added or removed (an id renamed is
one of each); one whose figures differ is changed; one that stands on another VM or host is
moved. Figures are compared as the spec gives them, so "8 → 12 GiB" is what was written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from msgspec import Struct

from ..spec.model import VM, App, Component, Container, Host, Resources, Spec, display_name
from ..spec.units import format_amount
from .alerts import Alert
from .compute import Totals
from .figures import RESOURCES

__all__ = ["Change", "Changes", "arrow", "changes", "kind_of", "parents", "summary_data"]


class Change(Struct, frozen=True):
    """One component's change: ``added``, ``removed``, ``changed`` or ``moved``."""

    id: str
    kind: str
    #: What the component is, in words: "host", "VM", "container", "system container", "app".
    what: str
    name: str
    #: Each figure that changed: its name, the old and the new value as the spec writes them.
    figures: tuple[tuple[str, str, str], ...] = ()
    #: Where a moved component stood, and stands: the ids of its VM or host, and their names.
    before: str | None = None
    after: str | None = None
    names: tuple[str, str] = ("", "")


class Changes(Struct, frozen=True):
    """Every change between two versions, in the new version's order (removed ones where
    they stood in the old), and the warnings that appeared and went away."""

    items: tuple[Change, ...]
    appeared: tuple[Alert, ...]
    resolved: tuple[Alert, ...]

    def of(self, kind: str) -> list[Change]:
        return [change for change in self.items if change.kind == kind]


def kind_of(component: Component) -> str:
    """Return what a component is, in words."""
    if isinstance(component, Host):
        return "host"
    if isinstance(component, VM):
        return "VM"
    if isinstance(component, Container):
        return "system container" if component.system else "container"
    return "app"


def parents(spec: Spec) -> dict[str, str]:
    """Return the id of what each component stands on: a VM's host, a workload's VM or host."""
    found: dict[str, str] = {}
    for host in spec.hosts:
        for container in host.containers:
            found[container.id] = host.id
        for vm in host.vms:
            found[vm.id] = host.id
            for item in vm.workloads():
                found[item.id] = vm.id
    return found


def changes(old: Spec, new: Spec, before: Totals, after: Totals) -> Changes:
    """Return what changed from ``old`` to ``new`` (whose totals are ``before``, ``after``)."""
    olds = {component.id: component for _, component in old.components()}
    news = {component.id: component for _, component in new.components()}
    was, now = parents(old), parents(new)
    items: list[Change] = []
    for _, component in new.components():
        previous = olds.get(component.id)
        name = display_name(component)
        what = kind_of(component)
        if previous is None or kind_of(previous) != what:
            items.append(Change(component.id, "added", what, name))
            continue
        figures = tuple(_figures(previous, component))
        if was.get(component.id) != now.get(component.id):
            source, target = was[component.id], now[component.id]
            names = (display_name(olds[source]), display_name(news[target]))
            move = Change(component.id, "moved", what, name, figures, source, target, names)
            items.append(move)
        elif figures:
            items.append(Change(component.id, "changed", what, name, figures))
    for _, component in old.components():
        current = news.get(component.id)
        if current is None or kind_of(current) != kind_of(component):
            what, name = kind_of(component), display_name(component)
            items.append(Change(component.id, "removed", what, name))
    appeared, resolved = _warnings(before, after)
    return Changes(tuple(items), appeared, resolved)


def _warnings(before: Totals, after: Totals) -> tuple[tuple[Alert, ...], tuple[Alert, ...]]:
    """Return the warnings only the new version has, and those only the old one had (a
    warning is the same in both when its code and message are)."""
    old = {(alert.code, alert.message) for alert in before.warnings}
    new = {(alert.code, alert.message) for alert in after.warnings}
    appeared = tuple(a for a in after.warnings if (a.code, a.message) not in old)
    resolved = tuple(a for a in before.warnings if (a.code, a.message) not in new)
    return appeared, resolved


def _figures(old: Component, new: Component) -> Iterator[tuple[str, str, str]]:
    """Yield each figure of a component that differs between two versions of it."""
    for label, before, after in _compared(old, new):
        if before != after:
            yield label, before, after


def _compared(old: Component, new: Component) -> Iterator[tuple[str, str, str]]:
    if isinstance(old, Host) and isinstance(new, Host):
        yield "stack", old.stack, new.stack
        yield from _resources("capacity ", old.infrastructure.capacity, new.infrastructure.capacity)
    elif isinstance(old, VM) and isinstance(new, VM):
        yield from _resources("", old.allocated, new.allocated)
        yield "state", _state(old.running), _state(new.running)
    elif isinstance(old, Container) and isinstance(new, Container):
        if new.system:
            yield from _resources("", old.allocated, new.allocated)
        else:
            cpu_and_memory = ("cpu", "memory")
            yield from _resources("limit ", old.limits, new.limits, cpu_and_memory)
            yield from _resources("reserved ", old.reservations, new.reservations, cpu_and_memory)
            yield "replicas", str(old.replicas), str(new.replicas)
            yield "image", _ref(old), _ref(new)
            yield "image size", _size(old), _size(new)
        yield "state", _state(old.running), _state(new.running)
    elif isinstance(old, App) and isinstance(new, App):
        yield from _resources("", old.uses, new.uses)


def _resources(
    prefix: str, old: Resources, new: Resources, keys: tuple[str, ...] = RESOURCES
) -> Iterator[tuple[str, str, str]]:
    for key in keys:
        yield f"{prefix}{key}", _amount(key, getattr(old, key)), _amount(key, getattr(new, key))


def _amount(resource: str, figure: int | None) -> str:
    return "not given" if figure is None else format_amount(resource, figure)


def _state(running: bool) -> str:
    return "running" if running else "stopped"


def _ref(container: Container) -> str:
    image = container.image
    return image.ref or "unnamed" if image is not None else "none"


def _size(container: Container) -> str:
    image = container.image
    return _amount("disk", image.size if image is not None else None)


def arrow(before: str, after: str) -> str:
    """Return a change as a reader writes it: "8 → 12 GiB" (a shared unit written once)."""
    old_parts, new_parts = before.rsplit(" ", 1), after.rsplit(" ", 1)
    unit = len(old_parts) == len(new_parts) == 2 and old_parts[1] == new_parts[1]
    if unit and old_parts[1].isalpha():  # GiB, vCPU: not a share such as "(3%)"
        return f"{old_parts[0]} → {after}"
    return f"{before} → {after}"


def summary_data(change: Change) -> dict[str, Any]:
    """Return a change as JSON-ready data."""
    data: dict[str, Any] = {"id": change.id, "kind": change.kind, "what": change.what}
    data["name"] = change.name
    if change.figures:
        data["figures"] = [
            {"figure": label, "old": before, "new": after}
            for label, before, after in change.figures
        ]
    if change.kind == "moved":
        data["from"], data["to"] = change.before, change.after
    return data
