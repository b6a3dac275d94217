"""The model of a valid spec: frozen records (msgspec Structs), integer quantities, spec order.

Every component keeps the JSON Pointer it came from, so later stages (totals warnings,
diagram ids) can point back into the spec. ``None`` means a figure the spec does not give.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, Union

from msgspec import Struct

from ..errors import InvalidArgument
from .pointers import join
from .units import parse_bytes, parse_cpu

__all__ = [
    "MAX_REPLICAS",
    "STACKS",
    "VM",
    "App",
    "Component",
    "Container",
    "Host",
    "Hypervisor",
    "Image",
    "Infrastructure",
    "Layer",
    "Link",
    "Resources",
    "Spec",
    "Stack",
    "Workload",
    "build",
    "display_name",
    "reserving",
    "verify_stack",
]

#: The most replicas a container may have (the schema's ``replicas`` maximum says the same).
MAX_REPLICAS = 1_000_000

Stack = Literal["vm", "container", "hybrid", "mixed"]
#: The kinds of stack a host can be (the schema's ``stack`` enum says the same).
STACKS: tuple[Stack, ...] = ("vm", "container", "hybrid", "mixed")


def verify_stack(name: str) -> Stack:
    """Return ``name`` as a stack kind; raise :class:`InvalidArgument` listing the kinds."""
    for stack in STACKS:
        if stack == name:
            return stack
    raise InvalidArgument(f"unknown stack {name!r}; choose from {', '.join(STACKS)}")


class Resources(Struct, frozen=True):
    """CPU in millicores, memory and disk in bytes; ``None`` where the spec gives no figure."""

    cpu: int | None = None
    memory: int | None = None
    disk: int | None = None


class Layer(Struct, frozen=True):
    """A software layer that consumes resources itself: host OS, guest OS or engine."""

    pointer: str
    name: str | None
    uses: Resources


class Hypervisor(Struct, frozen=True):
    pointer: str
    name: str | None
    type: int | None
    uses: Resources


class Infrastructure(Struct, frozen=True):
    pointer: str
    name: str | None
    capacity: Resources


class Image(Struct, frozen=True):
    ref: str | None
    size: int | None


class Container(Struct, frozen=True):
    pointer: str
    id: str
    name: str | None
    image: Image | None
    libs: tuple[str, ...]
    limits: Resources
    replicas: int
    #: What the container has reserved (Compose reservations, Kubernetes requests).
    reservations: Resources = Resources()
    url: str | None = None
    #: A system container's own userland (an LXC template): None for an application container.
    userland: Layer | None = None
    #: What a system container is given: cores, memory, its root disk.
    allocated: Resources = Resources()
    running: bool = True

    @property
    def system(self) -> bool:
        """Return whether this is a system container (a userland on the host's kernel)."""
        return self.userland is not None


class App(Struct, frozen=True):
    pointer: str
    id: str
    name: str | None
    libs: tuple[str, ...]
    uses: Resources
    url: str | None = None


Workload = Union[App, Container]  # noqa: UP007 - a runtime alias, and Python 3.10 is supported


class VM(Struct, frozen=True):
    pointer: str
    id: str
    name: str | None
    allocated: Resources
    guest_os: Layer
    engine: Layer | None
    containers: tuple[Container, ...]
    apps: tuple[App, ...]
    url: str | None = None
    running: bool = True

    def workloads(self) -> tuple[Workload, ...]:
        """Return what runs in the VM, as drawn: its apps, then its containers."""
        return (*self.apps, *self.containers)


class Host(Struct, frozen=True):
    pointer: str
    id: str
    name: str | None
    stack: Stack
    infrastructure: Infrastructure
    host_os: Layer | None
    hypervisor: Hypervisor | None
    engine: Layer | None
    containers: tuple[Container, ...]
    vms: tuple[VM, ...]
    url: str | None = None

    def engines(self) -> Iterator[tuple[Layer | None, tuple[Container, ...]]]:
        """Yield each container engine on the host with its containers: its own, then its VMs'."""
        if self.containers:
            yield self.engine, self.containers
        for vm in self.vms:
            if vm.containers:
                yield vm.engine, vm.containers

    def userlands(self) -> list[Layer]:
        """Return the userland copies on the host: one per system container, wherever it runs."""
        found = [c.userland for c in self.containers if c.userland is not None]
        for vm in self.vms:
            found += [c.userland for c in vm.containers if c.userland is not None]
        return found

    def os_layers(self) -> list[Layer]:
        """Return the OS copies on the host: its host OS (if any), then each VM's guest OS."""
        layers = [self.host_os] if self.host_os is not None else []
        return layers + [vm.guest_os for vm in self.vms]

    def components(self) -> Iterator[Component]:
        """Yield the host and everything with an id on it, in spec order."""
        yield self
        yield from self.containers
        for vm in self.vms:
            yield vm
            yield from vm.workloads()


Component = Union[Host, VM, App, Container]  # noqa: UP007


class Link(Struct, frozen=True):
    pointer: str
    source: str
    target: str
    label: str | None


class Spec(Struct, frozen=True):
    title: str | None
    description: str | None
    hosts: tuple[Host, ...]
    links: tuple[Link, ...]

    def components(self) -> Iterator[tuple[Host, Component]]:
        """Yield every component with the host it stands on, in spec order."""
        for host in self.hosts:
            for component in host.components():
                yield host, component

    def vms(self) -> Iterator[tuple[Host, VM]]:
        """Yield every VM with its host, in spec order."""
        for host in self.hosts:
            for vm in host.vms:
                yield host, vm


def reserving(containers: tuple[Container, ...]) -> bool:
    """Return whether any of the containers reserves CPU or memory."""
    return any(
        c.reservations.cpu is not None or c.reservations.memory is not None for c in containers
    )


def display_name(component: Component) -> str:
    """Return the name a component is drawn with: its name, or its id."""
    return component.name or component.id


def _resources(data: dict[str, Any] | None) -> Resources:
    if not data:
        return Resources()
    return Resources(
        cpu=parse_cpu(data["cpu"]) if "cpu" in data else None,
        memory=parse_bytes(data["memory"]) if "memory" in data else None,
        disk=parse_bytes(data["disk"]) if "disk" in data else None,
    )


def _layer(data: dict[str, Any] | None, pointer: str) -> Layer | None:
    if data is None:
        return None
    return Layer(pointer, data.get("name"), _resources(data.get("uses")))


def _container(data: dict[str, Any], pointer: str) -> Container:
    image = data.get("image")
    return Container(
        pointer=pointer,
        id=data["id"],
        name=data.get("name"),
        image=(
            Image(image.get("ref"), parse_bytes(image["size"]) if "size" in image else None)
            if image is not None
            else None
        ),
        libs=tuple(data.get("libs", ())),
        limits=_resources(data.get("limits")),
        replicas=data.get("replicas", 1),
        reservations=_resources(data.get("reservations")),
        url=data.get("url"),
        userland=_layer(data.get("userland"), join(pointer, "userland")),
        allocated=_resources(data.get("allocated")),
        running=data.get("state", "running") == "running",
    )


def _containers(data: dict[str, Any], pointer: str) -> tuple[Container, ...]:
    where = join(pointer, "containers")
    return tuple(
        _container(item, join(where, index))
        for index, item in enumerate(data.get("containers", ()))
    )


def _vm(data: dict[str, Any], pointer: str) -> VM:
    apps_at = join(pointer, "apps")
    guest_os = _layer(data["guest_os"], join(pointer, "guest_os"))
    assert guest_os is not None
    return VM(
        pointer=pointer,
        id=data["id"],
        name=data.get("name"),
        allocated=_resources(data.get("allocated")),
        guest_os=guest_os,
        engine=_layer(data.get("engine"), join(pointer, "engine")),
        containers=_containers(data, pointer),
        apps=tuple(
            App(
                pointer=join(apps_at, index),
                id=app["id"],
                name=app.get("name"),
                libs=tuple(app.get("libs", ())),
                uses=_resources(app.get("uses")),
                url=app.get("url"),
            )
            for index, app in enumerate(data.get("apps", ()))
        ),
        url=data.get("url"),
        running=data.get("state", "running") == "running",
    )


def _host(data: dict[str, Any], pointer: str) -> Host:
    infrastructure = data["infrastructure"]
    hypervisor = data.get("hypervisor")
    vms_at = join(pointer, "vms")
    return Host(
        pointer=pointer,
        id=data["id"],
        name=data.get("name"),
        stack=data["stack"],
        infrastructure=Infrastructure(
            join(pointer, "infrastructure"),
            infrastructure.get("name"),
            _resources(infrastructure.get("capacity")),
        ),
        host_os=_layer(data.get("host_os"), join(pointer, "host_os")),
        hypervisor=(
            Hypervisor(
                join(pointer, "hypervisor"),
                hypervisor.get("name"),
                hypervisor.get("type"),
                _resources(hypervisor.get("uses")),
            )
            if hypervisor is not None
            else None
        ),
        engine=_layer(data.get("engine"), join(pointer, "engine")),
        containers=_containers(data, pointer),
        vms=tuple(_vm(vm, join(vms_at, index)) for index, vm in enumerate(data.get("vms", ()))),
        url=data.get("url"),
    )


def build(document: dict[str, Any]) -> Spec:
    """Return the model of a spec document that has passed validation."""
    return Spec(
        title=document.get("title"),
        description=document.get("description"),
        hosts=tuple(_host(host, f"/hosts/{index}") for index, host in enumerate(document["hosts"])),
        links=tuple(
            Link(f"/links/{index}", link["from"], link["to"], link.get("label"))
            for index, link in enumerate(document.get("links", ()))
        ),
    )
