"""Each cell's figures as data: the attributes draw.io keeps on a cell and shows in "Edit Data".

Names are ``snake_case`` (an XML attribute name has no spaces), one figure a resource, written
as the picture writes it ("16 GiB", "≥7 vCPU", "88%"); a figure the spec does not give is
left out, never written as 0. ``warnings`` lists the totals' warnings about the cell's own
item, one a line.
"""

from __future__ import annotations

from ...accounting.compute import Totals
from ...accounting.figures import RESOURCES, Figures, percent
from ...spec.model import VM, App, Component, Container, Host, Layer, Resources, reserving
from ...spec.units import format_amount
from ..stacks import hypervisor_name

__all__ = ["Data", "component_data", "layer_data", "link_data"]

#: A cell's attributes in the order written: (name, value).
Data = list[tuple[str, str]]


def _resources(prefix: str, resources: Resources, keys: tuple[str, ...] = RESOURCES) -> Data:
    """Return the figures given of ``keys``: ``PREFIX_cpu`` "2 vCPU" and so on."""
    return [
        (f"{prefix}_{key}", format_amount(key, value))
        for key in keys
        if (value := getattr(resources, key)) is not None
    ]


def _sums(
    prefix: str, figures: Figures, bound: Resources, keys: tuple[str, ...] = RESOURCES
) -> Data:
    """Return a total per resource ("≥13 GiB" when some part is not given) and its share of
    ``bound`` ("≥81%")."""
    data: Data = []
    for key in keys:
        total = figures.get(key)
        if total.known is None:
            continue
        data.append((f"{prefix}_{key}", total.label(key)))
        share = percent(total, getattr(bound, key))
        if share is not None:
            data.append((f"{prefix}_{key}_share", f"{'≥' if total.unknown else ''}{share}%"))
    return data


def _warnings(pointer: str, totals: Totals) -> Data:
    found = [
        f"{alert.code}: {alert.message}" for alert in totals.warnings if alert.pointer == pointer
    ]
    return [("warnings", "\n".join(found))] if found else []


def _common(component: Component, kind: str, tooltip: tuple[str, ...]) -> Data:
    data: Data = [("kind", kind), ("spec_id", component.id)]
    if component.name:
        data.append(("name", component.name))
    data.append(("tooltip", "\n".join(tooltip)))
    if component.url:
        data.append(("link", component.url))  # draw.io opens it from the cell
    return data


def component_data(component: Component, totals: Totals, tooltip: tuple[str, ...]) -> Data:
    """Return the attributes of a host, VM, container or app: what it is and its figures."""
    if isinstance(component, Host):
        return _host(component, totals, tooltip)
    if isinstance(component, VM):
        return _vm(component, totals, tooltip)
    if isinstance(component, App):
        data = _common(component, "app", tooltip)
        data += _resources("uses", component.uses)
        if component.libs:
            data.append(("libs", ", ".join(component.libs)))
        return data + _warnings(component.pointer, totals)
    return _container(component, totals, tooltip)


def _host(host: Host, totals: Totals, tooltip: tuple[str, ...]) -> Data:
    found = totals.host(host.id)
    data = _common(host, "host", tooltip)
    data.append(("stack", host.stack))
    data += _resources("capacity", host.infrastructure.capacity)
    data += _sums("committed", found.committed, host.infrastructure.capacity)
    data.append(("os_copies", str(found.os_copies)))
    if found.userland_copies:
        data.append(("userland_copies", str(found.userland_copies)))
    return data + _warnings(host.pointer, totals)


def _vm(vm: VM, totals: Totals, tooltip: tuple[str, ...]) -> Data:
    found = totals.vm(vm.id)
    data = _common(vm, "VM", tooltip)
    if not vm.running:
        data.append(("state", "stopped"))
    data += _resources("allocated", vm.allocated)
    data += _sums("used", found.used, vm.allocated)
    if reserving(vm.containers):
        data += _sums("reserved", found.reserved, vm.allocated, ("cpu", "memory"))
    return data + _warnings(vm.pointer, totals)


def _container(container: Container, totals: Totals, tooltip: tuple[str, ...]) -> Data:
    kind = "system container" if container.system else "container"
    data = _common(container, kind, tooltip)
    if not container.running:
        data.append(("state", "stopped"))
    if container.replicas > 1:
        data.append(("replicas", str(container.replicas)))
    if container.image is not None:
        if container.image.ref:
            data.append(("image", container.image.ref))
        if container.image.size is not None:
            data.append(("image_size", format_amount("disk", container.image.size)))
    if container.userland is not None:
        data.append(("userland", container.userland.name or ""))
        data += _resources("allocated", container.allocated)
    else:
        for key in ("cpu", "memory"):
            value = getattr(container.limits, key)
            shown = "none (unbounded)" if value is None else format_amount(key, value)
            data.append((f"limit_{key}", shown))
        data += _resources("reserved", container.reservations, ("cpu", "memory"))
    if container.libs:
        data.append(("libs", ", ".join(container.libs)))
    return data + _warnings(container.pointer, totals)


def layer_data(kind: str, layer: Layer | Host, totals: Totals) -> Data:
    """Return the attributes of a layer (``kind``: "host OS", "guest OS", "engine", "hypervisor"
    or "infrastructure", whose figures are its host's capacity)."""
    if isinstance(layer, Host):
        if kind == "hypervisor":
            hypervisor = layer.hypervisor
            data: Data = [("kind", kind), ("name", hypervisor_name(layer))]
            if hypervisor is not None:
                data += _resources("uses", hypervisor.uses)
                return data + _warnings(hypervisor.pointer, totals)
            return data
        infrastructure = layer.infrastructure
        data = [("kind", kind), ("name", infrastructure.name or "infrastructure")]
        data += _resources("capacity", infrastructure.capacity)
        return data + _warnings(infrastructure.pointer, totals)
    data = [("kind", kind)]
    if layer.name:
        data.append(("name", layer.name))
    return data + _resources("uses", layer.uses) + _warnings(layer.pointer, totals)


def link_data(source: str, target: str, label: str | None, number: int) -> Data:
    """Return the attributes of a link: its number, ends and label as the spec gives them."""
    data: Data = [("kind", "link"), ("number", str(number)), ("from", source), ("to", target)]
    return data + ([("link_label", label)] if label else [])
