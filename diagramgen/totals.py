"""Resource totals: pure integer arithmetic over the model.

CPU is in millicores, memory and disk in bytes. A figure the spec does not give is *unknown*:
a :class:`Sum` adds the known values and counts the unknown contributors, so a label can say
"≥ 12 GiB" instead of inventing a number. Nothing here reads or prints anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from msgspec import Struct

from .model import VM, Container, Host, Layer, Resources, Spec
from .units import format_amount

__all__ = [
    "RESOURCES",
    "Alert",
    "DiagramTotals",
    "Figures",
    "HostTotals",
    "Sum",
    "Totals",
    "VMTotals",
    "compute",
    "host_committed",
    "percent",
    "ratio",
    "vm_used",
]

RESOURCES = ("cpu", "memory", "disk")


class Sum(Struct, frozen=True):
    """A total of known values plus how many contributors gave no figure."""

    value: int = 0
    unknown: int = 0

    def __add__(self, other: Sum) -> Sum:
        return Sum(self.value + other.value, self.unknown + other.unknown)

    @staticmethod
    def of(figure: int | None, times: int = 1) -> Sum:
        """Return the sum of one contributor (``None``: unknown), counted ``times`` times."""
        return Sum(0, 1) if figure is None else Sum(figure * times, 0)

    @property
    def known(self) -> int | None:
        """Return the known part, or ``None`` when only unknown contributors make the sum."""
        return None if self.unknown and self.value == 0 else self.value

    def label(self, resource: str, unknown: str = "?", at_least: str = "≥") -> str:
        """Return the sum as label text: "2 GiB", "≥1.5 vCPU", or ``unknown``."""
        if self.known is None:
            return unknown
        text = format_amount(resource, self.value)
        return f"{at_least}{text}" if self.unknown else text


class Figures(Struct, frozen=True):
    """One :class:`Sum` per resource."""

    cpu: Sum = Sum()
    memory: Sum = Sum()
    disk: Sum = Sum()

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.cpu + other.cpu, self.memory + other.memory, self.disk + other.disk)

    def get(self, resource: str) -> Sum:
        result: Sum = getattr(self, resource)
        return result

    @staticmethod
    def of(resources: Resources, times: int = 1) -> Figures:
        return Figures(
            Sum.of(resources.cpu, times),
            Sum.of(resources.memory, times),
            Sum.of(resources.disk, times),
        )


def _total(parts: Iterable[Figures]) -> Figures:
    result = Figures()
    for part in parts:
        result = result + part
    return result


def ratio(part: Sum, whole: int | None) -> float | None:
    """Return ``part / whole`` rounded half-up to 3 decimals; ``None`` if ``whole`` is unknown or 0.

    Half-up, not Python's half-even ``round``: 52/64 = 0.8125 reads 0.813, as by hand.
    """
    if whole is None or whole == 0:
        return None
    exact = Decimal(part.value) / Decimal(whole)
    return float(exact.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def percent(part: Sum, whole: int | None) -> int | None:
    """Return ``part / whole`` as a whole percentage, rounded half-up; ``None`` as :func:`ratio`."""
    if whole is None or whole == 0:
        return None
    exact = Decimal(part.value) * 100 / Decimal(whole)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class Alert(Struct, frozen=True):
    """A warning about the totals: a code (``memory-overcommit``…), where, and what.

    ``subject`` names the item in a few words (``VM "db"``), for the picture's totals panel.
    """

    code: str
    pointer: str
    message: str
    subject: str = ""


class VMTotals(Struct, frozen=True):
    id: str
    host: str
    pointer: str
    allocated: Resources
    used: Figures


class HostTotals(Struct, frozen=True):
    id: str
    pointer: str
    stack: str
    capacity: Resources
    committed: Figures
    os_copies: int
    os_overhead: Figures

    def overcommit(self, resource: str) -> float | None:
        """Return committed / capacity for one resource (``None`` when capacity is unknown)."""
        return ratio(self.committed.get(resource), getattr(self.capacity, resource))


class DiagramTotals(Struct, frozen=True):
    hosts: int
    vms: int
    containers: int
    apps: int
    os_copies: int
    os_overhead: Figures
    image_disk_unique: Sum
    image_disk_naive: Sum


class Totals(Struct, frozen=True, dict=True):  # dict: room for cached properties
    diagram: DiagramTotals
    hosts: tuple[HostTotals, ...]
    vms: tuple[VMTotals, ...]
    warnings: tuple[Alert, ...] = ()

    @cached_property
    def _by_id(self) -> dict[str, HostTotals | VMTotals]:
        found: dict[str, HostTotals | VMTotals] = {host.id: host for host in self.hosts}
        found.update((vm.id, vm) for vm in self.vms)
        return found

    def host(self, host_id: str) -> HostTotals:
        found = self._by_id[host_id]
        assert isinstance(found, HostTotals)
        return found

    def vm(self, vm_id: str) -> VMTotals:
        found = self._by_id[vm_id]
        assert isinstance(found, VMTotals)
        return found


def _limits(container: Container) -> Figures:
    """Return a container's CPU and memory limits times its replicas (disk is its image)."""
    return Figures(
        Sum.of(container.limits.cpu, container.replicas),
        Sum.of(container.limits.memory, container.replicas),
    )


def _image_disk(containers: Iterable[Container]) -> tuple[Sum, Sum]:
    """Return (unique, naive) image disk of the containers of one engine.

    Unique counts each ``image.ref`` once, with the size any of its containers gives (an image
    without a ref is never de-duplicated). Naive counts every replica's image.
    """
    naive = Sum()
    unnamed = Sum()
    sizes: dict[str, int | None] = {}
    for container in containers:
        image = container.image
        size = image.size if image is not None else None
        naive = naive + Sum.of(size, container.replicas)
        if image is not None and image.ref is not None:
            if sizes.get(image.ref) is None:
                sizes[image.ref] = size
        else:
            unnamed = unnamed + Sum.of(size)
    unique = sum((Sum.of(size) for size in sizes.values()), unnamed)
    return unique, naive


def _layer_uses(layer: Layer | None) -> Figures:
    return Figures.of(layer.uses) if layer is not None else Figures()


def _engine_load(engine: Layer | None, containers: tuple[Container, ...]) -> Figures:
    """Return what an engine and its containers take: limits times replicas, images once each."""
    if not containers:
        return _layer_uses(engine)
    unique, _ = _image_disk(containers)
    return _layer_uses(engine) + _total(_limits(c) for c in containers) + Figures(disk=unique)


def vm_used(vm: VM) -> Figures:
    """Return what a VM's contents use: guest OS, engine, apps, container limits and images."""
    return (
        _layer_uses(vm.guest_os)
        + _engine_load(vm.engine, vm.containers)
        + _total(Figures.of(app.uses) for app in vm.apps)
    )


def host_committed(host: Host) -> Figures:
    """Return what a host commits: its own layers plus VM allocations, or container limits."""
    own = _layer_uses(host.host_os)
    if host.stack == "container":
        return own + _engine_load(host.engine, host.containers)
    hypervisor = Figures.of(host.hypervisor.uses) if host.hypervisor else Figures()
    return own + hypervisor + _total(Figures.of(vm.allocated) for vm in host.vms)


def _all_containers(host: Host) -> Iterator[tuple[Container, ...]]:
    """Yield the containers of each engine on a host."""
    if host.containers:
        yield host.containers
    for vm in host.vms:
        if vm.containers:
            yield vm.containers


def _os_layers(host: Host) -> list[Layer]:
    layers = [host.host_os] if host.host_os is not None else []
    return layers + [vm.guest_os for vm in host.vms]


def compute(spec: Spec) -> Totals:
    """Return the totals of a spec: per VM, per host, for the diagram, and the warnings."""
    from .alerts import collect

    hosts = tuple(
        HostTotals(
            id=host.id,
            pointer=host.pointer,
            stack=host.stack,
            capacity=host.infrastructure.capacity,
            committed=host_committed(host),
            os_copies=len(_os_layers(host)),
            os_overhead=_total(Figures.of(layer.uses) for layer in _os_layers(host)),
        )
        for host in spec.hosts
    )
    vms = tuple(
        VMTotals(vm.id, host.id, vm.pointer, vm.allocated, vm_used(vm))
        for host in spec.hosts
        for vm in host.vms
    )
    engines = [group for host in spec.hosts for group in _all_containers(host)]
    images = [_image_disk(group) for group in engines]
    os_layers = [layer for host in spec.hosts for layer in _os_layers(host)]
    diagram = DiagramTotals(
        hosts=len(spec.hosts),
        vms=len(vms),
        containers=sum(c.replicas for group in engines for c in group),
        apps=sum(len(vm.apps) for host in spec.hosts for vm in host.vms),
        os_copies=len(os_layers),
        os_overhead=_total(Figures.of(layer.uses) for layer in os_layers),
        image_disk_unique=sum((unique for unique, _ in images), Sum()),
        image_disk_naive=sum((naive for _, naive in images), Sum()),
    )
    totals = Totals(diagram, hosts, vms)
    return Totals(diagram, hosts, vms, tuple(collect(spec, totals)))
