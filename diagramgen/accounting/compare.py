"""Two specs side by side, and the numbers that compare them: the VMs-vs-containers argument."""

from __future__ import annotations

from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from ..spec.model import VM, Container, Host, Spec
from .compute import Totals
from .figures import Figures, Sum, figures_data
from .report import image_disk_data, severity

__all__ = ["Side", "combine", "comparison_data", "measure"]


class Side(Struct, frozen=True):
    """The figures of one spec that a comparison sets against the other's."""

    label: str
    hosts: int
    vms: int
    workloads: int
    os_copies: int
    os_overhead: Figures
    committed: Figures
    capacity: Figures
    image_disk_unique: Sum
    image_disk_naive: Sum
    warnings: int

    @property
    def density(self) -> float:
        """Workloads (containers with replicas, and apps) per host."""
        return self.workloads / self.hosts if self.hosts else 0.0


def measure(label: str, totals: Totals) -> Side:
    """Return the comparable figures of one spec's totals."""
    diagram = totals.diagram
    return Side(
        label=label,
        hosts=diagram.hosts,
        vms=diagram.vms,
        workloads=diagram.containers + diagram.system_containers + diagram.apps,
        os_copies=diagram.os_copies,
        os_overhead=diagram.os_overhead,
        committed=sum((host.committed for host in totals.hosts), Figures()),
        capacity=sum((Figures.of(host.capacity) for host in totals.hosts), Figures()),
        image_disk_unique=diagram.image_disk_unique,
        image_disk_naive=diagram.image_disk_naive,
        warnings=sum(severity(alert.code) == "warning" for alert in totals.warnings),
    )


def _prefixed(spec: Spec, prefix: str, label: str) -> tuple[Host, ...]:
    """Return the spec's hosts with every id prefixed, so two specs can share one picture.

    A component drawn by its id keeps it as its name: the prefix is not the reader's business.
    """

    def container(item: Container) -> Container:
        return replace(item, id=prefix + item.id, name=item.name or item.id)

    def vm(item: VM) -> VM:
        return replace(
            item,
            id=prefix + item.id,
            name=item.name or item.id,
            containers=tuple(map(container, item.containers)),
            apps=tuple(
                replace(app, id=prefix + app.id, name=app.name or app.id) for app in item.apps
            ),
        )

    return tuple(
        replace(
            host,
            id=prefix + host.id,
            name=f"{host.name or host.id} ({label})",
            containers=tuple(map(container, host.containers)),
            vms=tuple(map(vm, host.vms)),
        )
        for host in spec.hosts
    )


def combine(first: Spec, second: Spec, labels: tuple[str, str]) -> Spec:
    """Return one spec holding both specs' hosts and links, ids prefixed ``a.`` and ``b.``."""
    hosts = _prefixed(first, "a.", labels[0]) + _prefixed(second, "b.", labels[1])
    links = tuple(
        replace(link, source=prefix + link.source, target=prefix + link.target)
        for prefix, spec in (("a.", first), ("b.", second))
        for link in spec.links
    )
    title = f"{first.title or labels[0]} vs {second.title or labels[1]}"
    description = f"{labels[0]} and {labels[1]} side by side, with a comparison of their totals."
    return Spec(title, description, hosts, links)


def comparison_data(first: Side, second: Side) -> dict[str, Any]:
    """Return the comparison as JSON-ready data (millicores and bytes)."""

    def side(data: Side) -> dict[str, Any]:
        return {
            "label": data.label,
            "hosts": data.hosts,
            "vms": data.vms,
            "workloads": data.workloads,
            "workloads_per_host": round(data.density, 3),
            "os_copies": data.os_copies,
            "os_overhead": figures_data(data.os_overhead),
            "committed": figures_data(data.committed),
            "capacity": figures_data(data.capacity),
            "image_disk": image_disk_data(data.image_disk_unique, data.image_disk_naive),
            "warnings": data.warnings,
        }

    return {
        "units": {"cpu": "millicores", "memory": "bytes", "disk": "bytes"},
        "a": side(first),
        "b": side(second),
    }
