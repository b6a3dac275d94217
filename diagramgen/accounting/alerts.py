"""Warnings about a spec's totals: overcommit, overflow, unbounded containers, missing figures.

Each warning carries a code, the JSON Pointer of the item and a message a reader can act on.
They are listed in spec order: a host's own warnings, then those of its components.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from msgspec import Struct

from ..spec.model import VM, Container, Host, Layer, Resources, Spec, reserving
from ..spec.units import format_amount
from .figures import RESOURCES, Figures, percent

__all__ = ["CODES", "Alert", "collect"]

CODES = (
    "cpu-overcommit",
    "memory-overcommit",
    "disk-overcommit",
    "reservation-overcommit",
    "vm-overflow",
    "unbounded-container",
    "unspecified",
)


class Alert(Struct, frozen=True):
    """A warning about the totals: a code (``memory-overcommit``…), where, and what.

    ``subject`` names the item in a few words (``VM "db"``), for the picture's totals panel.
    """

    code: str
    pointer: str
    message: str
    subject: str = ""
    #: For ``unspecified``: how many figures the item does not give.
    figures: int = 0


def _missing(resources: Resources, keys: tuple[str, ...] = RESOURCES) -> list[str]:
    return [key for key in keys if getattr(resources, key) is None]


def _unspecified(pointer: str, what: str, missing: list[str], group: str) -> Iterator[Alert]:
    if missing:
        names = [f"{group}.{key}" for key in missing]
        figures = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        message = f"{what} has no {figures} figure; totals that include it are lower bounds"
        yield Alert("unspecified", pointer, message, what, len(missing))


def _layer(layer: Layer | None, kind: str, owner: str) -> Iterator[Alert]:
    if layer is not None:
        what = f'{kind} "{layer.name}"' if layer.name else kind
        yield from _unspecified(layer.pointer, f"{what} of {owner}", _missing(layer.uses), "uses")


def _label(kind: str, name: str | None, ident: str) -> str:
    return f'{kind} "{name or ident}"'


def _containers(containers: tuple[Container, ...]) -> Iterator[Alert]:
    for container in containers:
        if container.system:
            label = _label("system container", container.name, container.id)
            yield from _unspecified(
                container.pointer, label, _missing(container.allocated), "allocated"
            )
            if container.userland is not None:
                yield from _layer(container.userland, "userland", label)
            continue
        label = _label("container", container.name, container.id)
        unbounded = _missing(container.limits, ("cpu", "memory"))
        no_size = container.image is None or container.image.size is None
        if unbounded:
            # One warning per container: an unbounded one is not also "unspecified".
            also = "; it has no image.size figure either" if no_size else ""
            message = (
                f"{label} has no {' or '.join(unbounded)} limit: it can starve its "
                f"neighbours (a noisy-neighbour risk), and totals count it as unknown{also}"
            )
            yield Alert("unbounded-container", container.pointer, message, label)
        elif no_size:
            message = f"{label} has no image.size figure; totals that include it are lower bounds"
            yield Alert("unspecified", container.pointer, message, label, 1)


def _exceeded(
    label: str, used: Figures, bounds: Resources, action: str, bound: str
) -> Iterator[tuple[str, str, str]]:
    """Yield (resource, message, subject) for each resource used beyond its known bound."""
    for resource in RESOURCES:
        limit = getattr(bounds, resource)
        total = used.get(resource)
        if limit is None or total.value <= limit:
            continue
        amount = total.label(resource, at_least="at least ")
        message = (
            f"{label} {action} {amount} of {resource} but {bound} {format_amount(resource, limit)}"
        )
        share = percent(total, limit)
        subject = f"{label}, {share}% of {resource}" if share is not None else label
        yield resource, message, subject


def _overcommit(host: Host, committed: Figures) -> Iterator[Alert]:
    label = _label("host", host.name, host.id)
    capacity = host.infrastructure.capacity
    for resource, message, subject in _exceeded(label, committed, capacity, "commits", "has"):
        share = percent(committed.get(resource), getattr(capacity, resource))
        if share is not None:
            message += f" ({share}%)"
        yield Alert(f"{resource}-overcommit", host.pointer, message, subject)


def _vm(vm: VM, used: Figures) -> Iterator[Alert]:
    label = _label("VM", vm.name, vm.id)
    yield from _unspecified(vm.pointer, label, _missing(vm.allocated), "allocated")
    for _, message, subject in _exceeded(label, used, vm.allocated, "holds", "is allocated"):
        yield Alert("vm-overflow", vm.pointer, message, subject)
    yield from _layer(vm.guest_os, "guest OS", label)
    yield from _layer(vm.engine, "engine", label)
    for app in vm.apps:
        app_label = _label("app", app.name, app.id)
        yield from _unspecified(app.pointer, app_label, _missing(app.uses), "uses")
    yield from _containers(vm.containers)


def _reserved(
    label: str, pointer: str, reserved: Figures, bounds: Resources, bound: str
) -> Iterator[Alert]:
    """Yield a warning per resource whose reservations exceed what the host or VM has."""
    within = Resources(cpu=bounds.cpu, memory=bounds.memory)  # disk is not reserved
    for _, message, subject in _exceeded(label, reserved, within, "reserves", bound):
        message += "; those workloads cannot all be placed"
        yield Alert("reservation-overcommit", pointer, message, subject)


def collect(
    spec: Spec,
    committed: Mapping[str, Figures],
    used: Mapping[str, Figures],
    reserved: Mapping[str, Figures] | None = None,
) -> Iterator[Alert]:
    """Yield the warnings of a spec, given what each host commits and each VM uses (by id).

    ``reserved`` (by host and VM id) is what their containers' reservations add up to.
    """
    reserved = reserved or {}
    for host in spec.hosts:
        label = _label("host", host.name, host.id)
        yield from _overcommit(host, committed[host.id])
        if host.id in reserved and reserving(host.containers):
            capacity = host.infrastructure.capacity
            yield from _reserved(label, host.pointer, reserved[host.id], capacity, "has")
        infrastructure = host.infrastructure
        what = (
            f'infrastructure "{infrastructure.name}"' if infrastructure.name else "infrastructure"
        )
        yield from _unspecified(
            infrastructure.pointer,
            f"{what} of {label}",
            _missing(infrastructure.capacity),
            "capacity",
        )
        yield from _layer(host.host_os, "host OS", label)
        if host.hypervisor is not None:
            hypervisor = host.hypervisor
            what = f'hypervisor "{hypervisor.name}"' if hypervisor.name else "hypervisor"
            missing = _missing(hypervisor.uses)
            yield from _unspecified(hypervisor.pointer, f"{what} of {label}", missing, "uses")
        yield from _layer(host.engine, "engine", label)
        yield from _containers(host.containers)
        for vm in host.vms:
            yield from _vm(vm, used[vm.id])
            if vm.id in reserved and reserving(vm.containers):
                vm_label = _label("VM", vm.name, vm.id)
                bound = "is allocated"
                yield from _reserved(vm_label, vm.pointer, reserved[vm.id], vm.allocated, bound)
