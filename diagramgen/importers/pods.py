"""Work out what a Kubernetes pod requests and is limited to, as the scheduler and kubelet do.

A pod's **request** for a resource is (Kubernetes' ``PodRequests``)::

    max(Σ app containers + Σ sidecars,  max over init containers i of use(i)) + overhead

where a sidecar is an init container with ``restartPolicy: Always``; ``use(i)`` of a regular
init container is its own request plus the sidecars started before it, and of a sidecar the sum
of the sidecars up to and including it. A running pod's **limit** is Σ app containers +
Σ sidecars + overhead: regular init containers run to completion before the app containers
start, so they bound nothing that runs (an init container without a limit is a note, not an
unbounded pod). A container's request defaults to its limit (what the API server does for
pods; the importer applies it to templates too) and is 0 when neither is given; a pod none of
whose containers gives a request or limit for a resource has no request for it (left out). A
limit is known only when every app container and sidecar has one: otherwise the pod is
unbounded and its limit is left out. Pod-level ``spec.resources`` (Kubernetes 1.32+), where
given, replaces the sum of the containers for the resources it names. A pod whose request is
above its limit (an init container asks for more than the running containers may use; the
scheduler reserves it for the pod's life) is drawn with its limit raised to the request, as a
spec container reserves at most its limit, and a note.

Resources a spec has no place for (``ephemeral-storage``, ``hugepages-2Mi``, extended ones
such as ``nvidia.com/gpu``) are returned by name, for one note per resource.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from .notes import Notes, Path, placeholder
from .quantities import MilliByteMemory, QuantityError, kubernetes_cpu, kubernetes_memory
from .sources import Document, mapping

__all__ = ["RESOURCES", "PodFigures", "pod_figures", "resource_figures"]

RESOURCES = ("cpu", "memory")
_READERS: dict[str, Callable[[object], tuple[int, bool]]] = {
    "cpu": kubernetes_cpu,
    "memory": kubernetes_memory,
}
_UNKNOWN = object()


class PodFigures(msgspec.Struct, frozen=True):
    """A pod's effective figures (millicores, bytes; None = left out) and what it runs."""

    limits: dict[str, int | None]
    requests: dict[str, int | None]
    libs: list[str]
    image: str | None
    #: Every image the pod runs, app containers first, then init containers and sidecars.
    images: list[str]
    #: Resources a spec has no place for, each with where it is first given.
    dropped: dict[str, Path] = msgspec.field(default_factory=dict)


class _Container(msgspec.Struct):
    name: str
    image: str | None
    limits: dict[str, Any]  # int, or _UNKNOWN, absent when not given
    requests: dict[str, Any]
    path: Path = ()


def pod_figures(spec: Any, document: Document, base: Path, notes: Notes) -> PodFigures:
    """Return the figures of the pod spec at ``base`` in ``document``, noting what is odd."""
    spec = spec if isinstance(spec, dict) else {}
    reader = _Reader(document, notes)
    apps = [reader.container(c, (*base, "containers", i)) for i, c in _items(spec, "containers")]
    inits: list[tuple[_Container, bool]] = []
    for index, item in _items(spec, "initContainers"):
        sidecar = isinstance(item, dict) and item.get("restartPolicy") == "Always"
        inits.append((reader.container(item, (*base, "initContainers", index)), sidecar))
    overhead = {
        resource: reader.quantity(resource, value, (*base, "overhead", resource))
        for resource, value in mapping(spec.get("overhead")).items()
        if resource in RESOURCES
    }
    limits = {r: _limit(r, apps, inits, overhead) for r in RESOURCES}
    requests = {r: _request(r, apps, inits, overhead) for r in RESOURCES}
    for resource in RESOURCES:
        everyone = [*apps, *(c for c, _ in inits)]
        if all(resource not in c.requests for c in everyone):
            requests[resource] = None
    _note_unlimited_inits(inits, limits, document, notes)
    pod_level = reader.container({**spec, "name": "pod"}, base)
    for kind, figures in (("limits", limits), ("requests", requests)):
        for resource, value in getattr(pod_level, kind).items():
            extra = overhead.get(resource, 0)
            known = value is not _UNKNOWN and extra is not _UNKNOWN
            figures[resource] = value + extra if known else None
    _raise_limits(limits, requests, document, base, notes)
    libs = [c.name for c in apps]
    libs += [f"{c.name} (sidecar)" for c, sidecar in inits if sidecar]
    libs += [f"{c.name} (init)" for c, sidecar in inits if not sidecar]
    images = [c.image for c in [*apps, *(c for c, _ in inits)] if c.image]
    first = apps[0].image if apps else None
    return PodFigures(limits, requests, libs, first, list(dict.fromkeys(images)), reader.dropped)


def resource_figures(
    spec: Any, name: str, document: Document, base: Path, notes: Notes
) -> PodFigures:
    """Return the figures of a pod of one container named ``name`` whose ``resources`` and
    ``image`` are those of the object spec at ``base`` (a Prometheus, an Alertmanager)."""
    spec = spec if isinstance(spec, dict) else {}
    reader = _Reader(document, notes)
    main = reader.container({**spec, "name": name}, base)
    limits = {r: _limit(r, [main], [], {}) for r in RESOURCES}
    requests = {r: _request(r, [main], [], {}) if r in main.requests else None for r in RESOURCES}
    images = [main.image] if main.image else []
    return PodFigures(limits, requests, [name], main.image, images, reader.dropped)


def _items(spec: dict[str, Any], key: str) -> list[tuple[int, Any]]:
    value = spec.get(key)
    return list(enumerate(value)) if isinstance(value, list) else []


def _limit(
    resource: str,
    apps: list[_Container],
    inits: list[tuple[_Container, bool]],
    overhead: dict[str, Any],
) -> int | None:
    running = [*apps, *(c for c, sidecar in inits if sidecar)]
    parts = [c.limits.get(resource, _UNKNOWN) for c in running]
    extra = overhead.get(resource, 0)
    if _UNKNOWN in parts or extra is _UNKNOWN:
        return None
    return int(sum(parts) + extra)


def _request(
    resource: str,
    apps: list[_Container],
    inits: list[tuple[_Container, bool]],
    overhead: dict[str, Any],
) -> int | None:
    def figure(container: _Container) -> Any:
        return container.requests.get(resource, 0)

    parts = [figure(c) for c in apps] + [figure(c) for c, _ in inits]
    extra = overhead.get(resource, 0)
    if _UNKNOWN in parts or extra is _UNKNOWN:
        return None
    total = sum(figure(c) for c in apps)
    sidecars = 0
    largest_init = 0
    for container, sidecar in inits:
        value = figure(container)
        if sidecar:
            total += value
            sidecars += value
            largest_init = max(largest_init, sidecars)
        else:
            largest_init = max(largest_init, value + sidecars)
    return int(max(total, largest_init) + extra)


def _raise_limits(
    limits: dict[str, int | None],
    requests: dict[str, int | None],
    document: Document,
    base: Path,
    notes: Notes,
) -> None:
    """Raise a limit below the pod's request to it, with a note: an init container may request
    more than the running containers are limited to, and the scheduler reserves that for the
    pod's life, while a spec container reserves at most its limit."""
    for resource in RESOURCES:
        limit, request = limits[resource], requests[resource]
        if limit is None or request is None or request <= limit:
            continue
        limits[resource] = request
        notes.warn(
            document.place(base),
            base,
            f"the pod requests {_shown(resource, request)} of {resource} (an init container"
            f" asks for more than the running containers' limit, {_shown(resource, limit)}),"
            " which the scheduler reserves for the pod's life: its limit is drawn as that much",
        )


def _note_unlimited_inits(
    inits: list[tuple[_Container, bool]],
    limits: dict[str, int | None],
    document: Document,
    notes: Notes,
) -> None:
    """Note each init container without a limit the running pod has (it bounds nothing)."""
    for container, sidecar in inits:
        missing = [r for r in RESOURCES if r not in container.limits and limits[r] is not None]
        if sidecar or not missing:
            continue
        notes.warn(
            document.place(container.path),
            container.path,
            f"init container {container.name} has no {' or '.join(missing)} limit: it runs"
            " to completion before the app containers start, so the pod's limits are theirs",
        )


class _Reader:
    def __init__(self, document: Document, notes: Notes) -> None:
        self.document = document
        self.notes = notes
        self.dropped: dict[str, Path] = {}

    def quantity(self, resource: str, value: Any, path: Path) -> Any:
        template = placeholder(value)
        if template is not None:
            self.notes.fail(self.document.place(path), path, template)
            return _UNKNOWN
        try:
            figure, rounded = _READERS[resource](value)
        except MilliByteMemory as error:
            self.notes.warn(self.document.place(path), path, f"WARNING: {error}")
            return _UNKNOWN
        except QuantityError as error:
            self.notes.fail(self.document.place(path), path, str(error))
            return _UNKNOWN
        if rounded:
            unit = "millicore" if resource == "cpu" else "byte"
            self.notes.warn(
                self.document.place(path),
                path,
                f"{value} rounded up to a whole {unit}, as Kubernetes does",
            )
        return figure

    def container(self, item: Any, path: Path) -> _Container:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            self.notes.fail(self.document.place(path), path, "expected a container with a name")
        item = mapping(item)
        resources = mapping(item.get("resources"))
        given: dict[str, dict[str, Any]] = {}
        for kind in ("limits", "requests"):
            values = mapping(resources.get(kind))
            for resource in values:
                if resource not in RESOURCES:
                    self.dropped.setdefault(resource, (*path, "resources", kind, resource))
            given[kind] = {
                resource: self.quantity(
                    resource, values[resource], (*path, "resources", kind, resource)
                )
                for resource in RESOURCES
                if values.get(resource) is not None
            }
        for resource, limit in given["limits"].items():
            request = given["requests"].setdefault(resource, limit)
            if _UNKNOWN not in (request, limit) and request > limit:
                at = (*path, "resources", "requests", resource)
                self.notes.fail(
                    self.document.place(at),
                    at,
                    f"requests more {resource} than its limit"
                    f" ({_shown(resource, request)} > {_shown(resource, limit)});"
                    " Kubernetes refuses such a container",
                )
        image = item.get("image")
        template = placeholder(image)
        if template is not None:
            self.notes.fail(self.document.place((*path, "image")), (*path, "image"), template)
        return _Container(
            str(item.get("name", "")),
            image if isinstance(image, str) and image else None,
            given["limits"],
            given["requests"],
            path,
        )


def _shown(resource: str, figure: int) -> str:
    """Return a figure as Kubernetes writes it: ``500m`` of CPU, ``134217728`` bytes."""
    return f"{figure}m" if resource == "cpu" else f"{figure:,} bytes"
