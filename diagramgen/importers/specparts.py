"""Build the parts of a spec document in the key order people read (that of DESIGN.md's example)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .quantities import spec_bytes, spec_cpu

__all__ = ["Ids", "container", "host", "link", "resources", "spec", "system_container", "vm"]

_INVALID = re.compile(r"[^A-Za-z0-9_.-]+")
_MAX_ID = 100


class Ids:
    """Hand out ids that are valid (``^[A-Za-z0-9][A-Za-z0-9_.-]*$``) and unique in one spec."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def make(self, name: str, fallback: str = "item") -> str:
        """Return an id for ``name``: invalid characters become ``-``, a repeat gets ``-2``…"""
        base = _INVALID.sub("-", name).lstrip("_.-")[:_MAX_ID].rstrip("-") or fallback
        candidate, number = base, 1
        while candidate.lower() in self._taken:
            number += 1
            suffix = f"-{number}"
            candidate = base[: _MAX_ID - len(suffix)] + suffix
        self._taken.add(candidate.lower())
        return candidate


def resources(
    cpu: int | None = None, memory: int | None = None, disk: int | None = None
) -> dict[str, Any] | None:
    """Return ``{cpu, memory, disk}`` from millicores and bytes, leaving unknown figures out."""
    result: dict[str, Any] = {}
    if cpu is not None:
        result["cpu"] = spec_cpu(cpu)
    if memory is not None:
        result["memory"] = spec_bytes(memory)
    if disk is not None:
        result["disk"] = spec_bytes(disk)
    return result or None


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != [] and value != {}:
        target[key] = value


def container(
    id_: str,
    name: str,
    *,
    comment: str | None = None,
    image: str | None = None,
    image_size: int | str | None = None,
    libs: Sequence[str] = (),
    limits: dict[str, Any] | None = None,
    reservations: dict[str, Any] | None = None,
    replicas: int = 1,
) -> dict[str, Any]:
    """Return a spec container; ``replicas`` is written only when it is not 1."""
    result: dict[str, Any] = {"id": id_, "name": name}
    _put(result, "$comment", comment)
    if image is not None:
        result["image"] = {"ref": image}
        _put(result["image"], "size", image_size)
    _put(result, "libs", list(libs))
    _put(result, "limits", limits)
    _put(result, "reservations", reservations)
    if replicas != 1:
        result["replicas"] = replicas
    return result


def _guest(id_: str, name: str, comment: str, stopped: bool) -> dict[str, Any]:
    """Return the head of a guest (a VM, a system container): its id, name, comment, state."""
    result: dict[str, Any] = {"id": id_, "name": name, "$comment": comment}
    if stopped:
        result["state"] = "stopped"
    return result


def vm(
    id_: str,
    name: str,
    comment: str,
    stopped: bool,
    allocated: dict[str, Any] | None,
    guest_os: str,
) -> dict[str, Any]:
    """Return a spec VM with its guest OS."""
    result = _guest(id_, name, comment, stopped)
    _put(result, "allocated", allocated)
    result["guest_os"] = {"name": guest_os}
    return result


def system_container(
    id_: str,
    name: str,
    comment: str,
    stopped: bool,
    allocated: dict[str, Any] | None,
    userland: str,
) -> dict[str, Any]:
    """Return a spec system container: a userland on the host's kernel, given ``allocated``."""
    result = _guest(id_, name, comment, stopped)
    result["userland"] = {"name": userland}
    _put(result, "allocated", allocated)
    return result


def host(
    id_: str,
    name: str,
    *,
    comment: str | None = None,
    infrastructure: str,
    capacity: dict[str, Any] | None = None,
    infrastructure_comment: str | None = None,
    host_os: str,
    engine: str,
    containers: list[dict[str, Any]],
) -> dict[str, Any]:
    """Return a spec host of the ``container`` stack (host OS + engine + containers)."""
    result: dict[str, Any] = {"id": id_, "name": name}
    _put(result, "$comment", comment)
    result["stack"] = "container"
    infra: dict[str, Any] = {"name": infrastructure}
    _put(infra, "$comment", infrastructure_comment)
    _put(infra, "capacity", capacity)
    result["infrastructure"] = infra
    result["host_os"] = {"name": host_os}
    result["engine"] = {"name": engine}
    result["containers"] = containers
    return result


def link(source: str, target: str, label: str | None) -> dict[str, Any]:
    """Return a spec link between two ids."""
    result: dict[str, Any] = {"from": source, "to": target}
    _put(result, "label", label)
    return result


def spec(
    comment: str, title: str, hosts: list[dict[str, Any]], links: list[dict[str, Any]]
) -> dict[str, Any]:
    """Return a spec v1 document: version, $comment, title, hosts, links."""
    result: dict[str, Any] = {"version": 1, "$comment": comment, "title": title, "hosts": hosts}
    _put(result, "links", links)
    return result
