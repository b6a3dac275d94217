"""The model of a valid spec: frozen records (msgspec Structs), integer quantities, spec order.

Every component keeps the JSON Pointer it came from, so later stages (totals warnings,
diagram ids) can point back into the spec. ``None`` means a figure the spec does not give.
"""

from __future__ import annotations

from typing import Any, Literal

from msgspec import Struct

from .semantics import join
from .units import parse_bytes, parse_cpu

__all__ = [
    "VM",
    "App",
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
    "build",
]

Stack = Literal["vm", "container", "hybrid"]


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


class App(Struct, frozen=True):
    pointer: str
    id: str
    name: str | None
    libs: tuple[str, ...]
    uses: Resources


class VM(Struct, frozen=True):
    pointer: str
    id: str
    name: str | None
    allocated: Resources
    guest_os: Layer
    engine: Layer | None
    containers: tuple[Container, ...]
    apps: tuple[App, ...]


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
            )
            for index, app in enumerate(data.get("apps", ()))
        ),
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
