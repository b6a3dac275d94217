"""Turn Kubernetes manifests, or a dump of a running cluster, into a spec.

A pod becomes **one spec container**: its limits and reservations are the pod's effective
figures (see :mod:`.pods`: init containers and sidecars cannot be summed container by
container, so only the pod holds the right total), its image is that of the first app
container, ``libs`` lists its containers when it has more than one, and ``replicas`` is how
many copies run. One box per workload keeps the picture readable, and the totals right.

- Manifests (``paths``): Pod, Deployment, ReplicaSet, StatefulSet, ReplicationController,
  Job (``replicas`` = ``parallelism``, at most ``completions``) and DaemonSet (one per node it
  runs on), also inside ``List`` objects; other kinds are skipped with a note. They stand on
  one host, ``cluster``: from manifests alone nobody knows which node a pod lands on. With
  ``nodes`` that host has the summed capacity of the nodes (and their image sizes).
- ``pods`` (``kubectl get pods -A -o json``): the cluster as it runs. Each node is a host,
  each running pod a container (replicas 1) on the node in its ``spec.nodeName``, pods
  grouped by their owner. Finished pods hold no resources and are left out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path as FilePath
from typing import Any

import msgspec

from ..files.discover import existing
from ..spec import DEFAULT_LIMITS, Limits
from ..spec.limits import limit_rule
from ..spec.model import MAX_REPLICAS
from .cluster import Node, read_nodes, runs_on
from .images import ImageSizes
from .notes import Imported, Notes, Path, Place, shown, shown_count
from .pods import pod_figures
from .sources import Document, display_name, listed, mapping, read_documents
from .specparts import Ids, container, host, resources, spec

__all__ = ["import_kubernetes"]

_REPLICATED = {"Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"}


class _Pod(msgspec.Struct):
    """A pod to draw: a workload's template (with a replica count) or one running pod."""

    kind: str
    name: str
    namespace: str
    document: Document
    base: Path  # the pod spec
    replicas: int | None  # None: a DaemonSet, one per node it runs on
    node: str | None = None
    owner: str | None = None


def import_kubernetes(
    paths: Sequence[str | os.PathLike[str]],
    *,
    nodes: str | os.PathLike[str] | None = None,
    pods: str | os.PathLike[str] | None = None,
    node_count: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Imported:
    """Return the spec of Kubernetes manifests, or of a cluster dump, with the notes made.

    ``nodes`` (``kubectl get nodes -o json``) gives capacity, OS, runtime and image sizes,
    and the node count for DaemonSets (``node_count`` when there is no nodes file).
    ``pods`` (``kubectl get pods -A -o json``) places running pods on their nodes; manifests
    are then not imported. ``limits`` bound each input file (``input_bytes``) and the spec
    made, which is valid. Raises :class:`~diagramgen.InvalidArgument` for a path that names
    nothing and :class:`~diagramgen.importers.ImportFailed` for bad input.
    """
    inputs = [*paths, *(p for p in (nodes, pods) if p is not None)]
    for path in inputs:
        existing(path)  # a path that names nothing is the caller's mistake, not the file's
    notes = Notes([display_name(path) for path in inputs])

    node_list = read_nodes(nodes, notes, limits) if nodes is not None else None
    if pods is not None:
        if paths:
            notes.warn(
                Place(display_name(paths[0])),
                "",
                "manifests not imported: the pods dump shows what runs",
            )
        found = _running_pods(pods, notes, limits)
    else:
        found = [pod for path in paths for pod in _manifest_pods(path, notes, limits)]
    notes.check()
    if len(found) > limits.components:
        message = f"has {len(found):,} workloads; the components limit is {limits.components:,}"
        notes.stop(Place(display_name(inputs[0])), "", message, limit_rule("components"))
    if not inputs or (pods is None and not paths):
        notes.fail(Place(""), "", "no manifests and no pods dump to import")
    elif not found:
        notes.fail(Place(display_name(inputs[0])), "", "no pods or workloads to import")
    notes.check()
    if node_list is not None and node_count is not None:
        notes.warn(
            Place(display_name(nodes or "")), "", "node count given twice: the nodes file is used"
        )
    ids = Ids()
    builder = _Builder(ids, notes, node_list, node_count)
    if pods is not None:
        hosts = builder.node_hosts(found)
        title = f"Kubernetes cluster as it runs ({len(hosts)} nodes)"
    else:
        hosts = [builder.cluster_host(found)]
        title = "Kubernetes workloads: " + ", ".join(FilePath(p).name for p in paths)
    notes.check()
    sources = ", ".join(display_name(p) for p in inputs)
    comment = (
        f"Imported by diagramgen from Kubernetes: {sources}. One container per pod, with the"
        " pod's effective limits and requests (reservations). Edit freely; figures the sources"
        " do not give are left out."
    )
    return notes.imported(spec(comment, title, hosts, []), limits)


def _objects(data: Any, base: Path) -> Iterator[tuple[Path, Any]]:
    kind = data.get("kind") if isinstance(data, dict) else None
    if isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list):
        for index, item in enumerate(data["items"]):
            yield from _objects(item, (*base, "items", index))
    else:
        yield base, data


def _metadata(item: dict[str, Any]) -> tuple[str, str]:
    metadata = mapping(item.get("metadata"))
    name = metadata.get("name") or metadata.get("generateName") or "unnamed"
    return str(name), str(metadata.get("namespace") or "default")


def _manifest_pods(path: str | os.PathLike[str], notes: Notes, limits: Limits) -> Iterator[_Pod]:
    for document in read_documents(path, notes, limits):
        if document.data is None:
            continue
        for base, item in _objects(document.data, ()):
            if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
                notes.fail(document.place(base), base, "is not a Kubernetes object (no kind)")
                continue
            name = mapping(item.get("metadata")).get("name")
            if name is not None and not isinstance(name, str):
                at = (*base, "metadata", "name")
                notes.fail(document.place(at), at, "expected a string")
                continue
            pod = _workload(document, base, item, notes)
            if pod is not None:
                yield pod


def _workload(document: Document, base: Path, item: dict[str, Any], notes: Notes) -> _Pod | None:
    kind = item["kind"]
    name, namespace = _metadata(item)
    spec_ = mapping(item.get("spec"))
    if kind == "Pod":
        return _Pod(kind, name, namespace, document, (*base, "spec"), 1)
    template = (*base, "spec", "template", "spec")
    if kind in _REPLICATED:
        replicas = _count(spec_, "replicas", document, base, notes)
        return _Pod(kind, name, namespace, document, template, replicas)
    if kind == "DaemonSet":
        return _Pod(kind, name, namespace, document, template, None)
    if kind == "Job":
        if spec_.get("suspend") is True:
            notes.warn(
                document.place((*base, "spec", "suspend")),
                (*base, "spec", "suspend"),
                "suspended: no pods run, left out",
            )
            return None
        replicas = _count(spec_, "parallelism", document, base, notes)
        if spec_.get("completions") is not None:
            replicas = min(replicas, _count(spec_, "completions", document, base, notes))
        return _Pod(kind, name, namespace, document, template, replicas)
    notes.warn(document.place(base), base, f"{kind} {name} runs no pods of its own: skipped")
    return None


def _count(spec_: dict[str, Any], key: str, document: Document, base: Path, notes: Notes) -> int:
    value = spec_.get(key, 1)
    path = (*base, "spec", key)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        if value <= MAX_REPLICAS:
            return value
        message = f"{shown_count(value)} replicas: a spec runs at most {MAX_REPLICAS:,}"
        notes.fail(document.place(path), path, message)
        return 1
    notes.fail(document.place(path), path, f"expected a whole number, not {shown(value)}")
    return 1


def _running_pods(path: str | os.PathLike[str], notes: Notes, limits: Limits) -> list[_Pod]:
    found: list[_Pod] = []
    finished = 0
    for document in read_documents(path, notes, limits):
        for base, item in _objects(document.data, ()):
            if not isinstance(item, dict) or item.get("kind") != "Pod":
                notes.warn(document.place(base), base, "not a Pod: skipped")
                continue
            name, namespace = _metadata(item)
            if mapping(item.get("status")).get("phase") in ("Succeeded", "Failed"):
                finished += 1
                continue
            node = mapping(item.get("spec")).get("nodeName")
            if not node:
                notes.warn(
                    document.place(base),
                    base,
                    f"pod {namespace}/{name} is not scheduled on a node: left out",
                )
                continue
            owner = _owner(item, document, base, notes)
            found.append(
                _Pod("Pod", name, namespace, document, (*base, "spec"), 1, str(node), owner)
            )
        if finished:
            notes.warn(
                document.place(()),
                "",
                f"{finished} finished pod(s) (Succeeded or Failed) hold no resources: left out",
            )
    return found


def _owner(item: dict[str, Any], document: Document, base: Path, notes: Notes) -> str | None:
    references = mapping(item.get("metadata")).get("ownerReferences")
    at = (*base, "metadata", "ownerReferences")
    owners = [o for o in listed(references, document.place, at, notes) if isinstance(o, dict)]
    owners.sort(key=lambda o: not o.get("controller"))
    return f"{owners[0].get('kind')} {owners[0].get('name')}" if owners else None


class _Builder:
    def __init__(
        self, ids: Ids, notes: Notes, nodes: list[Node] | None, node_count: int | None
    ) -> None:
        self.ids = ids
        self.notes = notes
        self.nodes = nodes
        self.node_count = node_count

    def container(self, pod: _Pod, replicas: int, sizes: ImageSizes) -> dict[str, Any]:
        figures = pod_figures(pod.document.data_at(pod.base), pod.document, pod.base, self.notes)
        limits = resources(figures.limits["cpu"], figures.limits["memory"])
        reserved = resources(figures.requests["cpu"], figures.requests["memory"])
        owner = f", owned by {pod.owner}" if pod.owner else ""
        return container(
            self.ids.make(pod.name, "pod"),
            pod.name,
            comment=f"{pod.kind} {pod.namespace}/{pod.name}{owner}",
            image=figures.image,
            image_size=sizes.get(figures.image),
            libs=figures.libs if len(figures.libs) > 1 else (),
            limits=limits,
            reservations=reserved,
            replicas=replicas,
        )

    def replicas(self, pod: _Pod) -> int:
        if pod.replicas is not None:
            return pod.replicas
        spec_ = mapping(pod.document.data_at(pod.base))
        if self.nodes is not None:
            at = (*pod.base, "tolerations")
            tolerations = listed(spec_.get("tolerations"), pod.document.place, at, self.notes)
            spec_ = {**spec_, "tolerations": tolerations}
            return sum(runs_on(node, spec_) for node in self.nodes)
        if self.node_count is not None:
            return self.node_count
        place = pod.document.place(pod.base[:-3])
        self.notes.warn(
            place,
            pod.base[:-3],
            f"DaemonSet {pod.name} runs one pod per node: the node count is not given, 1 assumed",
        )
        return 1

    def cluster_host(self, pods: list[_Pod]) -> dict[str, Any]:
        host_id = self.ids.make("cluster")
        sizes = ImageSizes()
        for node in self.nodes or []:
            for ref, size in node.images.items():
                sizes.add(ref, size)
        containers = []
        for pod in pods:
            replicas = self.replicas(pod)
            if replicas == 0:
                place = pod.document.place(pod.base[:-3])
                self.notes.warn(
                    place,
                    pod.base[:-3],
                    f"{pod.kind} {pod.name} runs no pods (0 replicas): left out",
                )
                continue
            containers.append(self.container(pod, replicas, sizes))
        if not containers:
            self.notes.fail(
                Place(pods[0].document.file), "", "every workload runs 0 pods: nothing to draw"
            )
        nodes = self.nodes or []
        if nodes:
            first = nodes[0].place
            self.notes.warn(
                Place(first.file),
                "",
                f"the {len(nodes)} nodes are drawn as one host, cluster: give the pods dump"
                " (kubectl get pods -A -o json) to place pods on their nodes",
            )
        else:
            self.notes.warn(
                Place(pods[0].document.file),
                "",
                "no nodes file: capacity, node OS and runtime are not known;"
                " the workloads are drawn on one host, cluster",
            )
        return host(
            host_id,
            f"Kubernetes cluster ({len(nodes)} nodes)" if nodes else "Kubernetes cluster",
            infrastructure=f"{len(nodes)} nodes: " + ", ".join(n.name for n in nodes)
            if nodes
            else "Kubernetes cluster",
            capacity=self._summed(nodes) if nodes else None,
            infrastructure_comment="; ".join(
                f"{n.name}: allocatable {n.allocatable}" for n in nodes
            )
            or None,
            host_os=_one_name([n.os_image for n in nodes], "Node OS"),
            engine=_one_name([n.runtime for n in nodes], "Container runtime"),
            containers=containers,
        )

    def _summed(self, nodes: list[Node]) -> dict[str, Any] | None:
        totals: dict[str, int | None] = {}
        for resource in ("cpu", "memory", "disk"):
            values = [getattr(node, resource) for node in nodes]
            totals[resource] = None if None in values else sum(values)
        return resources(totals["cpu"], totals["memory"], totals["disk"])

    def node_hosts(self, pods: list[_Pod]) -> list[dict[str, Any]]:
        known = {node.name: node for node in self.nodes or []}
        names = list(dict.fromkeys([*known, *(pod.node or "" for pod in pods)]))
        hosts = []
        for name in names:
            on_node = _grouped([pod for pod in pods if pod.node == name])
            node = known.get(name)
            if not on_node:
                assert node is not None
                self.notes.warn(node.place, "", f"node {name} runs no pods: left out")
                continue
            host_id = self.ids.make(name, "node")
            if node is None and self.nodes is not None:
                place = on_node[0].document.place(on_node[0].base)
                self.notes.warn(
                    place,
                    on_node[0].base,
                    f"node {name} is not in the nodes file: its capacity is not known",
                )
            sizes = node.images if node else ImageSizes()
            hosts.append(
                host(
                    host_id,
                    name,
                    infrastructure=(node.instance_type or name) if node else name,
                    capacity=resources(node.cpu, node.memory, node.disk) if node else None,
                    infrastructure_comment=f"allocatable {node.allocatable}" if node else None,
                    host_os=node.os_image if node else "Node OS",
                    engine=node.runtime if node else "Container runtime",
                    containers=[self.container(pod, 1, sizes) for pod in on_node],
                )
            )
        return hosts


def _grouped(pods: list[_Pod]) -> list[_Pod]:
    """Return pods with those of one owner together, owners in the order first seen."""
    order: dict[str, int] = {}
    for pod in pods:
        order.setdefault(pod.owner or f"Pod {pod.name}", len(order))
    return sorted(pods, key=lambda pod: order[pod.owner or f"Pod {pod.name}"])


def _one_name(names: list[str], unknown: str) -> str:
    distinct = list(dict.fromkeys(names))
    return ", ".join(distinct) if distinct else unknown
