"""Resource totals: pure integer arithmetic over the model.

CPU is in millicores, memory and disk in bytes; unknown figures are counted, never invented
(:mod:`.figures`). Nothing here reads or prints anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property

from msgspec import Struct

from ..spec.model import VM, Container, Host, Layer, Resources, Spec
from .alerts import Alert, collect
from .figures import Figures, Sum, ratio, total

__all__ = [
    "DiagramTotals",
    "HostTotals",
    "Totals",
    "VMTotals",
    "compute",
    "host_committed",
    "vm_used",
]


class VMTotals(Struct, frozen=True):
    id: str
    host: str
    pointer: str
    allocated: Resources
    used: Figures
    #: As ``used``, with containers counted by their reservations instead of their limits.
    reserved: Figures = Figures()


class HostTotals(Struct, frozen=True):
    id: str
    pointer: str
    stack: str
    capacity: Resources
    committed: Figures
    os_copies: int
    os_overhead: Figures
    #: As ``committed``, with containers counted by their reservations instead of their limits.
    reserved: Figures = Figures()
    #: System containers' userlands (LXC templates): copies of an OS's files, not of a kernel.
    userland_copies: int = 0
    userland_overhead: Figures = Figures()
    #: Stopped VMs and system containers: their cores and memory are not committed.
    stopped: int = 0

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
    system_containers: int = 0
    userland_copies: int = 0
    userland_overhead: Figures = Figures()
    stopped: int = 0


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
    """Return a container's CPU and memory limits times its replicas (disk is its image); a
    system container's allocation, its root disk included."""
    if container.system:
        return _allocation(container.allocated, container.running)
    if not container.running:
        return Figures()
    return Figures(
        Sum.of(container.limits.cpu, container.replicas),
        Sum.of(container.limits.memory, container.replicas),
    )


def _reservations(container: Container) -> Figures:
    """Return a container's CPU and memory reservations times its replicas (none: nothing);
    a system container's allocation, as its limits (it is given what it is allocated)."""
    if container.system:
        return _allocation(container.allocated, container.running)
    if not container.running:
        return Figures()
    reserved = container.reservations
    return Figures(
        Sum((reserved.cpu or 0) * container.replicas),
        Sum((reserved.memory or 0) * container.replicas),
    )


def _allocation(allocated: Resources, running: bool) -> Figures:
    """Return what a guest (a VM, a system container) commits: all it is allocated while it
    runs; stopped, only its disk (its cores and memory are free, its disk image stays)."""
    if running:
        return Figures.of(allocated)
    return Figures(disk=Sum.of(allocated.disk))


def _image_disk(containers: Iterable[Container]) -> tuple[Sum, Sum]:
    """Return (unique, naive) image disk of the containers of one engine.

    Unique counts each ``image.ref`` once, with the size any of its containers gives (an image
    without a ref is never de-duplicated). Naive counts every replica's image.
    """
    naive = Sum()
    unnamed = Sum()
    sizes: dict[str, int | None] = {}
    for container in containers:
        if container.system:  # a userland, not an image: counted as its root disk
            continue
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


def _engine_load(
    engine: Layer | None, containers: tuple[Container, ...], each: Callable[[Container], Figures]
) -> Figures:
    """Return what an engine and its containers take: ``each`` container, images once each."""
    if not containers:
        return _layer_uses(engine)
    unique, _ = _image_disk(containers)
    return _layer_uses(engine) + total(each(c) for c in containers) + Figures(disk=unique)


def vm_used(vm: VM, each: Callable[[Container], Figures] = _limits) -> Figures:
    """Return what a VM's contents use: guest OS, engine, apps, container limits and images.

    With ``each`` a container counts by another figure (its reservations: the reserved total).
    """
    return (
        _layer_uses(vm.guest_os)
        + _engine_load(vm.engine, vm.containers, each)
        + total(Figures.of(app.uses) for app in vm.apps)
    )


def host_committed(host: Host, each: Callable[[Container], Figures] = _limits) -> Figures:
    """Return what a host commits: its own layers plus VM allocations, or container limits."""
    own = _layer_uses(host.host_os)
    if host.stack == "container":
        return own + _engine_load(host.engine, host.containers, each)
    hypervisor = Figures.of(host.hypervisor.uses) if host.hypervisor else Figures()
    vms = total(_allocation(vm.allocated, vm.running) for vm in host.vms)
    if host.stack == "mixed":  # the engine and its containers beside the hypervisor
        return own + hypervisor + vms + _engine_load(host.engine, host.containers, each)
    return own + hypervisor + vms


def _stopped(host: Host) -> int:
    """Return how many VMs and containers on the host are stopped."""
    containers = [*host.containers, *(c for vm in host.vms for c in vm.containers)]
    return sum(not vm.running for vm in host.vms) + sum(not c.running for c in containers)


def compute(spec: Spec) -> Totals:
    """Return the totals of a spec: per VM, per host, for the diagram, and the warnings."""
    hosts = tuple(
        HostTotals(
            id=host.id,
            pointer=host.pointer,
            stack=host.stack,
            capacity=host.infrastructure.capacity,
            committed=host_committed(host),
            os_copies=len(host.os_layers()),
            os_overhead=total(Figures.of(layer.uses) for layer in host.os_layers()),
            reserved=host_committed(host, _reservations),
            userland_copies=len(host.userlands()),
            userland_overhead=total(Figures.of(layer.uses) for layer in host.userlands()),
            stopped=_stopped(host),
        )
        for host in spec.hosts
    )
    vms = tuple(
        VMTotals(vm.id, host.id, vm.pointer, vm.allocated, vm_used(vm), vm_used(vm, _reservations))
        for host, vm in spec.vms()
    )
    groups = [containers for host in spec.hosts for _, containers in host.engines()]
    images = [_image_disk(group) for group in groups]
    os_layers = [layer for host in spec.hosts for layer in host.os_layers()]
    diagram = DiagramTotals(
        hosts=len(spec.hosts),
        vms=len(vms),
        containers=sum(c.replicas for group in groups for c in group if not c.system),
        apps=sum(len(vm.apps) for _, vm in spec.vms()),
        os_copies=len(os_layers),
        os_overhead=total(Figures.of(layer.uses) for layer in os_layers),
        image_disk_unique=sum((unique for unique, _ in images), Sum()),
        image_disk_naive=sum((naive for _, naive in images), Sum()),
        system_containers=sum(1 for group in groups for c in group if c.system),
        userland_copies=sum(host.userland_copies for host in hosts),
        userland_overhead=total(host.userland_overhead for host in hosts),
        stopped=sum(host.stopped for host in hosts),
    )
    committed = {figures.id: figures.committed for figures in hosts}
    used = {vm.id: vm.used for vm in vms}
    reserved = {host.id: host.reserved for host in hosts}
    reserved.update((vm.id, vm.reserved) for vm in vms)
    return Totals(diagram, hosts, vms, tuple(collect(spec, committed, used, reserved)))
