"""Say in one paragraph what a diagram shows, from its totals: the SVG's description (alt text).

"One KVM host, 3 VMs running 8 containers; 4 OS copies take 2 GiB memory; the host commits
≥20 of 24 vCPU (≥83 %), …" — every number comes from :func:`compute`, so the text a screen
reader speaks says what the picture shows.
"""

from __future__ import annotations

from ..spec.model import Host, Spec
from .compute import HostTotals, Totals
from .figures import RESOURCES, Figures, Sum, percent

__all__ = ["describe"]

_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_UNITS = {"cpu": "", "memory": " memory", "disk": " disk"}


def _count(number: int, noun: str, plural: str | None = None) -> str:
    """Return "one VM", "3 containers": words up to nine, as in running text."""
    word = _NUMBERS[number] if number < len(_NUMBERS) else str(number)
    return f"{word} {noun if number == 1 else plural or noun + 's'}"


def _kind(host: Host) -> str:
    if host.hypervisor is not None and host.hypervisor.name:
        return host.hypervisor.name
    if host.stack == "container" and host.engine is not None and host.engine.name:
        return host.engine.name
    return f"{host.stack}-stack"


def _hosts(spec: Spec) -> str:
    kinds: list[str] = []
    for host in spec.hosts:
        if _kind(host) not in kinds:
            kinds.append(_kind(host))
    if len(spec.hosts) == 1:
        return f"One {kinds[0]} host"
    text = _count(len(spec.hosts), "host")
    return f"{text[:1].upper()}{text[1:]} ({', '.join(kinds)})"


def _workloads(totals: Totals) -> str:
    diagram = totals.diagram
    running = [
        _count(number, noun)
        for number, noun in ((diagram.containers, "container"), (diagram.apps, "app"))
        if number
    ]
    what = " and ".join(running) or "nothing"
    if diagram.vms:
        return f", {_count(diagram.vms, 'VM')} running {what}"
    return f" running {what}"


def _overhead(figures: Figures) -> str:
    parts = [
        figures.get(key).label(key) + _UNITS[key]
        for key in ("memory", "disk")
        if figures.get(key).known is not None
    ]
    return " and ".join(parts)


def _commits(host: Host, totals: HostTotals, alone: bool) -> str:
    parts = []
    for key in RESOURCES:
        committed: Sum = totals.committed.get(key)
        capacity = getattr(host.infrastructure.capacity, key)
        if committed.known is None:
            continue
        text = committed.label(key)
        if capacity is not None and key == "cpu":  # "≥20 of 24 vCPU"
            text = text.removesuffix(" vCPU")
        if capacity is not None:
            share = percent(committed, capacity)
            bound = "≥" if committed.unknown else ""
            text = f"{text} of {Sum(capacity).label(key)}{_UNITS[key]} ({bound}{share} %)"
        else:
            text += _UNITS[key]
        parts.append(text)
    subject = "the host" if alone else (host.name or host.id)
    if not parts:
        return f"{subject} commits figures the spec does not give"
    listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return f"{subject} commits {listed}"


def _warnings(totals: Totals) -> str:
    serious = [alert for alert in totals.warnings if alert.code != "unspecified"]
    if not serious:
        return "no warnings"
    codes: dict[str, int] = {}
    for alert in serious:
        codes[alert.code] = codes.get(alert.code, 0) + 1
    listed = ", ".join(
        f"{code} \N{MULTIPLICATION SIGN}{n}" if n > 1 else code for code, n in codes.items()
    )
    return f"{_count(len(serious), 'warning')}: {listed}"


def describe(spec: Spec, totals: Totals) -> str:
    """Return a paragraph describing the diagram of ``spec`` from its totals."""
    diagram = totals.diagram
    clauses = [_hosts(spec) + _workloads(totals)]
    copies = _count(diagram.os_copies, "OS copy", "OS copies")
    overhead = _overhead(diagram.os_overhead)
    verb = "takes" if diagram.os_copies == 1 else "take"
    clauses.append(f"{copies} {verb} {overhead}" if overhead else copies)
    alone = len(spec.hosts) == 1
    clauses += [
        _commits(host, host_totals, alone)
        for host, host_totals in zip(spec.hosts, totals.hosts, strict=True)
    ]
    clauses.append(_warnings(totals))
    if spec.links:
        clauses.append(f"{_count(len(spec.links), 'link')} between components")
    return "; ".join(clauses) + "."
