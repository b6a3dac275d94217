"""Totals as data (for ``--json``) and as a table for an 80-column terminal."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

from ..escape import terminal_text
from ..spec.model import Resources, Spec, reserving
from ..spec.units import format_amount
from .alerts import Alert
from .compute import DiagramTotals, HostTotals, Totals
from .figures import RESOURCES, Figures, Sum, figures_data, percent, sum_data

__all__ = [
    "count",
    "counts_text",
    "image_disk_data",
    "not_given",
    "severity",
    "totals_data",
    "totals_text",
]

WIDTH = 80


def _resources(resources: Resources) -> dict[str, int | None]:
    return {key: getattr(resources, key) for key in RESOURCES}


def totals_data(spec: Spec, totals: Totals) -> dict[str, Any]:
    """Return the totals as JSON-ready data: millicores and bytes, ``None`` where unknown."""
    diagram = totals.diagram
    image_disk = image_disk_data(diagram.image_disk_unique, diagram.image_disk_naive)
    reserving_ids = {host.id for host in spec.hosts if reserving(host.containers)}
    reserving_ids |= {vm.id for _, vm in spec.vms() if reserving(vm.containers)}
    return {
        "title": spec.title,
        "units": {"cpu": "millicores", "memory": "bytes", "disk": "bytes"},
        "diagram": {
            "hosts": diagram.hosts,
            "vms": diagram.vms,
            "containers": diagram.containers,
            "apps": diagram.apps,
            "os_copies": diagram.os_copies,
            "os_overhead": figures_data(diagram.os_overhead),
            "image_disk": image_disk,
            **_guests_data(diagram),
        },
        "hosts": [
            {
                "id": host.id,
                "stack": host.stack,
                "capacity": _resources(host.capacity),
                "committed": figures_data(host.committed),
                "overcommit": {key: host.overcommit(key) for key in RESOURCES},
                "os_copies": host.os_copies,
                "os_overhead": figures_data(host.os_overhead),
                **({"reserved": figures_data(host.reserved)} if host.id in reserving_ids else {}),
                **_guests_data(host),
            }
            for host in totals.hosts
        ],
        "vms": [
            {
                "id": vm.id,
                "host": vm.host,
                "allocated": _resources(vm.allocated),
                "used": figures_data(vm.used),
                **({"reserved": figures_data(vm.reserved)} if vm.id in reserving_ids else {}),
            }
            for vm in totals.vms
        ],
        "warnings": [
            {
                "code": alert.code,
                "severity": severity(alert.code),
                "pointer": alert.pointer,
                "message": alert.message,
            }
            for alert in totals.warnings
        ],
    }


def severity(code: str) -> str:
    """Return how serious a warning code is: ``info`` for missing figures, else ``warning``."""
    return "info" if code == "unspecified" else "warning"


def image_disk_data(unique: Sum, naive: Sum) -> dict[str, Any]:
    """Return image disk as JSON-ready data: unique and naive, null where nothing is known."""
    data: dict[str, Any] = {"unique": sum_data(unique), "naive": sum_data(naive)}
    unknown = {name: part.unknown for name, part in (("unique", unique), ("naive", naive))}
    if any(unknown.values()):
        data["unknown"] = {name: count for name, count in unknown.items() if count}
    return data


Paint = Callable[[str, str], str]

_STYLES = {"bold": "1", "dim": "2", "red": "31", "yellow": "33", "cyan": "36"}


def _painter(color: bool) -> Paint:
    def paint(text: str, style: str) -> str:
        if not color or not text:
            return text
        codes = ";".join(_STYLES[name] for name in style.split())
        return f"\x1b[{codes}m{text}\x1b[0m"

    return paint


def _amount(resource: str, total: Sum) -> str:
    return total.label(resource, unknown="unknown", at_least="≥ ")


def _limit(resource: str, figure: int | None) -> str:
    return "unknown" if figure is None else format_amount(resource, figure)


def _table(
    heading: str, used_label: str, limit_label: str, used: Figures, limits: Resources, paint: Paint
) -> list[str]:
    """Return the lines of one resource table: used / limit / percentage, over-limit marked."""
    lines = []
    if len(heading) > 28:  # a long name gets a line of its own: never cut, never ambiguous
        lines.append(f"  {paint(heading, 'bold')}")
        heading = ""
    lines.append(
        f"  {paint(heading.ljust(28), 'bold')}{used_label:>14}{limit_label:>14}{'use':>10}"
    )
    for resource in RESOURCES:
        total = used.get(resource)
        limit = getattr(limits, resource)
        share = percent(total, limit)
        over = limit is not None and total.value > limit
        text = "" if share is None else f"{'≥ ' if total.unknown else ''}{share}%"
        row = f"    {resource:<26}{_amount(resource, total):>14}{_limit(resource, limit):>14}"
        cell = f"{text + (' !' if over else ''):>10}"
        lines.append(row + (paint(cell, "red bold") if over else cell))
    return lines


def _reserved(reserved: Figures, limits: Resources) -> list[str]:
    """Return the reserved line under a table: cpu and memory reservations, and their share."""
    parts = []
    for resource in ("cpu", "memory"):
        total = reserved.get(resource)
        share = percent(total, getattr(limits, resource))
        parts.append(_amount(resource, total) + (f" ({share}%)" if share is not None else ""))
    return [f"    {'reserved':<26}{' · '.join(parts)}"]


def _label(name: str | None, ident: str) -> str:
    return terminal_text(f"{name} ({ident})" if name and name != ident else ident)


def _guests_data(totals: HostTotals | DiagramTotals) -> dict[str, Any]:
    """Return the userland copies and stopped guests, for totals that have any (a spec
    without system containers or stopped guests gets the keys it always had)."""
    found: dict[str, Any] = {}
    if isinstance(totals, DiagramTotals) and totals.system_containers:
        found["system_containers"] = totals.system_containers
    if totals.userland_copies:
        found["userland_copies"] = totals.userland_copies
        found["userland_overhead"] = figures_data(totals.userland_overhead)
    if totals.stopped:
        found["stopped"] = totals.stopped
    return found


def totals_text(
    spec: Spec,
    totals: Totals,
    color: bool = False,
    verbose: bool = False,
    warnings: bool = True,
    listing: str = "",
) -> str:
    """Return the totals as a table per host and VM, the diagram totals and the warnings.

    Figures the spec leaves out are summed up in one line, followed by ``listing`` (how the
    caller's user lists them) in brackets; ``verbose`` lists them.
    ``warnings=False`` leaves the warnings out, for a caller that shows them its own way.

    Names, titles and messages are shown escaped (:func:`~diagramgen.escape.terminal_text`): a
    spec cannot move the cursor, set the window title or add a line.
    """
    paint = _painter(color)
    lines: list[str] = []
    if spec.title:
        lines += [paint(terminal_text(spec.title), "bold"), ""]
    for host, host_totals in zip(spec.hosts, totals.hosts, strict=True):
        copies = f"{host_totals.os_copies} OS cop{'y' if host_totals.os_copies == 1 else 'ies'}"
        lines.append(
            paint(f"Host {_label(host.name, host.id)}", "bold cyan")
            + paint(f"  {host.stack} stack, {copies}", "dim")
        )
        hardware = terminal_text(host.infrastructure.name or "infrastructure")
        lines += _table(
            hardware, "committed", "capacity", host_totals.committed, host_totals.capacity, paint
        )
        if reserving(host.containers):
            lines += _reserved(host_totals.reserved, host_totals.capacity)
        for vm in host.vms:
            vm_totals = totals.vm(vm.id)
            lines.append("")
            heading = f"VM {_label(vm.name, vm.id)}"
            lines += _table(heading, "used", "allocated", vm_totals.used, vm.allocated, paint)
            if reserving(vm.containers):
                lines += _reserved(vm_totals.reserved, vm.allocated)
        lines.append("")
    lines += _diagram(totals, paint)
    if warnings:
        lines += _warnings(totals, paint, verbose, listing)
    return "\n".join(lines).rstrip("\n") + "\n"


def _diagram(totals: Totals, paint: Paint) -> list[str]:
    diagram = totals.diagram
    counts = counts_text(diagram)
    amounts = {key: _amount(key, diagram.os_overhead.get(key)) for key in RESOURCES}
    overhead = ", ".join(
        text if text.endswith("vCPU") else f"{text} {key}" for key, text in amounts.items()
    )
    unique = _amount("disk", diagram.image_disk_unique)
    naive = _amount("disk", diagram.image_disk_naive)
    lines = [
        paint("Diagram", "bold cyan") + paint(f"  {counts}", "dim"),
        f"    {'OS copies':<18}{diagram.os_copies}, using {overhead}",
    ]
    if diagram.userland_copies:
        userland = _amount("disk", diagram.userland_overhead.disk)
        lines.append(
            f"    {'userland copies':<18}{diagram.userland_copies}, using {userland} disk"
            " (no kernel: they share the host's)"
        )
    lines.append(
        f"    {'image disk':<18}{unique} unique ({naive} if each replica had its own copy)"
    )
    if diagram.stopped:
        lines.append(
            f"    {'stopped':<18}{count(diagram.stopped, 'guest')}: disk committed,"
            " cores and memory not"
        )
    return [*lines, ""]


def counts_text(diagram: DiagramTotals) -> str:
    """Return "1 host, 3 VMs, 8 containers, 1 app" (replicas counted)."""
    return ", ".join(
        count(number, noun)
        for number, noun in (
            (diagram.hosts, "host"),
            (diagram.vms, "VM"),
            (diagram.containers, "container"),
            *(
                [(diagram.system_containers, "system container")]
                if diagram.system_containers
                else []
            ),
            (diagram.apps, "app"),
        )
    )


def count(number: int, noun: str) -> str:
    """Return "1 host", "2 hosts"."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def not_given(totals: Totals) -> str:
    """Return the one line that sums up the figures a spec leaves out, or ``""``."""
    count = sum(alert.figures for alert in totals.warnings if severity(alert.code) == "info")
    if not count:
        return ""
    return f"{count} figure{'' if count == 1 else 's'} not given: totals marked ≥"


def _warnings(totals: Totals, paint: Paint, verbose: bool, listing: str) -> list[str]:
    serious = [alert for alert in totals.warnings if severity(alert.code) == "warning"]
    info = [alert for alert in totals.warnings if severity(alert.code) == "info"]
    lines = [paint(f"Warnings ({len(serious)})", "bold yellow")] if serious else []
    lines += _alert_lines(serious, paint, "red bold")
    if not serious:
        lines.append(paint("No warnings", "bold"))
    if info:
        summary = not_given(totals)
        lines.append(paint(f"{summary} ({listing})" if listing and not verbose else summary, "dim"))
        if verbose:
            lines += _alert_lines(info, paint, "yellow")
    return lines


def _alert_lines(alerts: list[Alert], paint: Paint, style: str) -> list[str]:
    lines = []
    for alert in alerts:
        pointer = terminal_text(alert.pointer)
        lines.append(f"  {paint('!', style)} {paint(alert.code, style)}  {pointer}")
        lines += textwrap.wrap(
            terminal_text(alert.message),
            WIDTH - 6,
            initial_indent="      ",
            subsequent_indent="      ",
        )
    return lines
