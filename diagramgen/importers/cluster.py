"""Read the nodes of a cluster (``kubectl get nodes -o json``): capacity, OS, runtime, images."""

from __future__ import annotations

import os
from typing import Any

import msgspec

from ..spec.limits import Limits
from ..spec.units import MAX_QUANTITY
from .images import ImageSizes
from .notes import Notes, Path, Place
from .quantities import QuantityError, kubernetes_cpu, kubernetes_memory, spec_bytes, spec_cpu
from .sources import listed, mapping, read_documents

__all__ = ["Node", "read_nodes", "runs_on"]

# Taints the node lifecycle controller sets for conditions; DaemonSet pods tolerate them.
_CONDITION_TAINTS = "node.kubernetes.io/"


class Node(msgspec.Struct, frozen=True):
    """One node: its capacity (millicores, bytes), what it runs and what it lets be scheduled."""

    name: str
    place: Place
    cpu: int | None
    memory: int | None
    disk: int | None
    allocatable: str
    os_image: str
    runtime: str
    instance_type: str | None
    labels: dict[str, str]
    taints: list[dict[str, Any]]
    images: ImageSizes


def read_nodes(path: str | os.PathLike[str], notes: Notes, limits: Limits) -> list[Node]:
    """Return the nodes of a ``kubectl get nodes -o json`` dump (a List, or one Node)."""
    nodes = []
    for document in read_documents(path, notes, limits):
        data = document.data
        if isinstance(data, dict) and data.get("kind") == "Node":
            entries: list[tuple[Path, Any]] = [((), data)]
        elif isinstance(data, dict) and isinstance(data.get("items"), list):
            entries = [(("items", i), item) for i, item in enumerate(data["items"])]
        else:
            notes.fail(document.place(()), "", "is not `kubectl get nodes -o json` output")
            continue
        for base, item in entries:
            if not isinstance(item, dict) or item.get("kind", "Node") != "Node":
                notes.warn(document.place(base), base, "not a Node: skipped")
                continue
            nodes.append(_node(item, base, document.place, notes))
    return nodes


def _node(item: dict[str, Any], base: Path, place: Any, notes: Notes) -> Node:
    metadata = mapping(item.get("metadata"))
    status = mapping(item.get("status"))
    info = mapping(status.get("nodeInfo"))
    figures: dict[str, dict[str, int | None]] = {}
    for kind in ("capacity", "allocatable"):
        values = mapping(status.get(kind))
        figures[kind] = {}
        for resource, key in (("cpu", "cpu"), ("memory", "memory"), ("disk", "ephemeral-storage")):
            path = (*base, "status", kind, key)
            reader = kubernetes_cpu if resource == "cpu" else kubernetes_memory
            try:
                figures[kind][resource] = reader(values[key])[0] if key in values else None
            except QuantityError as error:
                notes.fail(place(path), path, str(error))
                figures[kind][resource] = None
    sizes = ImageSizes()
    images = (*base, "status", "images")
    for index, image in enumerate(listed(status.get("images"), place, images, notes)):
        size = image.get("sizeBytes") if isinstance(image, dict) else None
        if isinstance(size, int) and not isinstance(size, bool) and 0 <= size <= MAX_QUANTITY:
            names = listed(image.get("names"), place, (*images, index, "names"), notes)
            for name in names:
                if isinstance(name, str):
                    sizes.add(name, spec_bytes(size))
    labels = {str(k): str(v) for k, v in mapping(metadata.get("labels")).items()}
    taints = mapping(item.get("spec")).get("taints")
    runtime = str(info.get("containerRuntimeVersion") or "Container runtime")
    return Node(
        name=str(metadata.get("name") or "node"),
        place=place(base),
        cpu=figures["capacity"]["cpu"],
        memory=figures["capacity"]["memory"],
        disk=figures["capacity"]["disk"],
        allocatable=_describe(figures["allocatable"]),
        os_image=str(info.get("osImage") or "Node OS"),
        runtime=runtime.replace("://", " "),
        instance_type=labels.get("node.kubernetes.io/instance-type"),
        labels=labels,
        taints=[
            t
            for t in listed(taints, place, (*base, "spec", "taints"), notes)
            if isinstance(t, dict)
        ],
        images=sizes,
    )


def _describe(figures: dict[str, int | None]) -> str:
    parts = []
    for resource, value in figures.items():
        if value is not None:
            shown = spec_cpu(value) if resource == "cpu" else spec_bytes(value)
            parts.append(f"{resource} {shown}")
    return ", ".join(parts) or "not given"


def runs_on(node: Node, pod_spec: dict[str, Any]) -> bool:
    """Return whether a DaemonSet's pod runs on ``node``: its nodeSelector and taints allow it.

    As the DaemonSet controller decides, except that node affinity is not evaluated.
    """
    selector = mapping(pod_spec.get("nodeSelector"))
    if any(node.labels.get(str(key)) != str(value) for key, value in selector.items()):
        return False
    given = pod_spec.get("tolerations")
    tolerations = [t for t in given if isinstance(t, dict)] if isinstance(given, list) else []
    for taint in node.taints:
        key = str(taint.get("key", ""))
        if taint.get("effect") not in ("NoSchedule", "NoExecute"):
            continue
        if key.startswith(_CONDITION_TAINTS):
            continue
        if not any(_tolerates(toleration, taint) for toleration in tolerations):
            return False
    return True


def _tolerates(toleration: dict[str, Any], taint: dict[str, Any]) -> bool:
    if toleration.get("effect") and toleration.get("effect") != taint.get("effect"):
        return False
    if toleration.get("operator") == "Exists":
        return not toleration.get("key") or toleration.get("key") == taint.get("key")
    return bool(
        toleration.get("key") == taint.get("key")
        and str(toleration.get("value", "")) == str(taint.get("value", ""))
    )
