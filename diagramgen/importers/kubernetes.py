"""Turn Kubernetes manifests, or a dump of a running cluster, into a spec.

A pod becomes **one spec container**: its limits and reservations are the pod's effective
figures (see :mod:`.pods`: init containers and sidecars cannot be summed container by
container, so only the pod holds the right total), its image is that of its containers (see
below), ``libs`` lists its containers when it has more than one, and ``replicas`` is how many
copies run. One box per workload keeps the picture readable, and the totals right.

- Manifests (``paths``: files, folders, ``-`` for ``stdin``; see :mod:`.inputs`): the
  workloads :mod:`.workloads` reads. They stand on one host, ``cluster``: from manifests alone
  nobody knows which node a pod lands on. With ``nodes`` that host has the summed capacity of
  the nodes (and their image sizes).
- ``pods`` (``kubectl get pods -A -o json``): the cluster as it runs. Each node is a host, and
  the pods of one workload on it are one container (see :mod:`.running`).

A spec container has one image; a pod may run several (sidecars, init containers), each on the
node's disk. So a pod of several images has them all as its image's ``ref``, joined by `` + ``
(``nginx:1.27 + fluent-bit:3.1``), and the sum of their sizes as its size: image disk counts
every image a pod runs; only pods of the same images share one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, BinaryIO

from ..files.discover import existing
from ..spec import DEFAULT_LIMITS, Limits
from ..spec.limits import limit_rule
from ..spec.units import parse_bytes
from .cluster import Node, read_nodes, runs_on
from .images import ImageSizes
from .inputs import find_inputs, inputs_label
from .notes import Imported, Notes, Path, Place
from .pods import PodFigures, pod_figures, resource_figures
from .quantities import spec_bytes
from .running import Group, group_pods, read_running
from .sources import display_name, listed, mapping
from .specparts import Ids, container, host, resources, spec
from .workloads import Workload, read_workloads, verify_replicas

__all__ = ["import_kubernetes"]

_TITLE = "Kubernetes workloads: "
#: Dropped resources named in one note each, and what the note says of them.
_NO_DISK = "local disk a container may use; not drawn, as a spec container holds no disk"
_NO_PLACE = "not drawn, as a spec holds only cpu, memory and disk"


def import_kubernetes(
    paths: Sequence[str | os.PathLike[str]],
    *,
    nodes: str | os.PathLike[str] | None = None,
    pods: str | os.PathLike[str] | None = None,
    node_count: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    recursive: bool = False,
    replicas: str = "min",
    stdin: BinaryIO | None = None,
) -> Imported:
    """Return the spec of Kubernetes manifests, or of a cluster dump, with the notes made.

    ``paths`` are manifest files, folders (their ``*.yaml``, ``*.yml`` and ``*.json``; their
    subfolders too with ``recursive``) and ``-``, which reads ``stdin``. ``replicas`` is
    ``"min"`` or ``"max"``: which bound of a HorizontalPodAutoscaler its target is drawn with.
    ``nodes`` (``kubectl get nodes -o json``) gives capacity, OS, runtime and image sizes,
    and the node count for DaemonSets (``node_count`` when there is no nodes file).
    ``pods`` (``kubectl get pods -A -o json``) places running pods on their nodes; manifests
    are then not imported. ``limits`` bound each input (``input_bytes``) and the spec made,
    which is valid. Raises :class:`~diagramgen.InvalidArgument` for a path that names
    nothing and :class:`~diagramgen.importers.ImportFailed` for bad input.
    """
    choice = verify_replicas(replicas)
    inputs = find_inputs(paths, recursive=recursive)
    dumps = [path for path in (nodes, pods) if path is not None]
    for path in dumps:
        existing(path)  # a path that names nothing is the caller's mistake, not the file's
    notes = Notes([*(item.name for item in inputs), *(display_name(path) for path in dumps)])

    node_list = read_nodes(nodes, notes, limits) if nodes is not None else None
    found: list[Workload] = []
    if pods is not None:
        if inputs:
            notes.warn(
                Place(inputs[0].name), "", "manifests not imported: the pods dump shows what runs"
            )
        found = read_running(pods, notes, limits)
    elif inputs:
        found = read_workloads(inputs, notes, limits, stdin=stdin, replicas=choice)
    notes.check()
    first = inputs[0].name if inputs else display_name(dumps[0]) if dumps else ""
    if len(found) > limits.components:
        message = f"has {len(found):,} workloads; the components limit is {limits.components:,}"
        notes.stop(Place(first), "", message, limit_rule("components"))
    if not inputs and pods is None:
        notes.fail(Place(""), "", "no manifests and no pods dump to import")
    elif not found:
        notes.fail(Place(display_name(pods or first)), "", "no running pods to import")
    notes.check()
    if node_list is not None and node_count is not None:
        notes.warn(
            Place(display_name(nodes or "")), "", "node count given twice: the nodes file is used"
        )
    builder = _Builder(Ids(), notes, node_list, node_count)
    if pods is not None:
        hosts = builder.node_hosts(found)
        title = f"Kubernetes cluster as it runs ({len(hosts)} nodes)"
    else:
        hosts = [builder.cluster_host(found)]
        title = _TITLE + inputs_label(paths, limits.text - len(_TITLE))
    builder.note_dropped()
    notes.check()
    comment = (
        f"Imported by diagramgen from Kubernetes: {_sources(paths, dumps)}. One container per"
        " pod, with the pod's effective limits and requests (reservations). Edit freely;"
        " figures the sources do not give are left out."
    )
    return notes.imported(spec(comment, title, hosts, []), limits)


def _sources(paths: Sequence[str | os.PathLike[str]], dumps: list[str | os.PathLike[str]]) -> str:
    named = ["stdin" if os.fspath(p) == "-" else display_name(p) for p in [*paths, *dumps]]
    more = f" and {len(named) - 5:,} more" if len(named) > 5 else ""
    return ", ".join(named[:5]) + more


class _Builder:
    def __init__(
        self, ids: Ids, notes: Notes, nodes: list[Node] | None, node_count: int | None
    ) -> None:
        self.ids = ids
        self.notes = notes
        self.nodes = nodes
        self.node_count = node_count
        #: Resources a spec has no place for: where first given, and which workloads give them.
        self.dropped: dict[str, tuple[Workload, Path, list[str]]] = {}

    def figures(self, workload: Workload) -> PodFigures:
        data = workload.document.data_at(workload.pod)
        if workload.container is not None:
            return resource_figures(
                data, workload.container, workload.document, workload.pod, self.notes
            )
        return pod_figures(data, workload.document, workload.pod, self.notes)

    def container(
        self, workload: Workload, name: str, comment: str, replicas: int, sizes: ImageSizes
    ) -> dict[str, Any]:
        figures = self.figures(workload)
        for resource, path in figures.dropped.items():
            first = self.dropped.setdefault(resource, (workload, path, []))
            first[2].append(f"{workload.namespace}/{name}")
        limits = resources(figures.limits["cpu"], figures.limits["memory"])
        reserved = resources(figures.requests["cpu"], figures.requests["memory"])
        ref, size = _image(figures.images, sizes)
        return container(
            self.ids.make(name, "pod"),
            name,
            comment=comment,
            image=ref,
            image_size=size,
            libs=figures.libs if len(figures.libs) > 1 else (),
            limits=limits,
            reservations=reserved,
            replicas=replicas,
        )

    def replicas(self, workload: Workload) -> int:
        if workload.replicas is not None:
            return workload.replicas
        spec_ = mapping(workload.document.data_at(workload.pod))
        if self.nodes is not None:
            at = (*workload.pod, "tolerations")
            tolerations = listed(spec_.get("tolerations"), workload.document.place, at, self.notes)
            spec_ = {**spec_, "tolerations": tolerations}
            return sum(runs_on(node, spec_) for node in self.nodes)
        if self.node_count is not None:
            return self.node_count
        self.notes.warn(
            workload.document.place(workload.base),
            workload.base,
            f"DaemonSet {workload.name} runs one pod per node: the node count is not given,"
            " 1 assumed",
        )
        return 1

    def cluster_host(self, workloads: list[Workload]) -> dict[str, Any]:
        host_id = self.ids.make("cluster")
        sizes = ImageSizes()
        for node in self.nodes or []:
            for ref, size in node.images.items():
                sizes.add(ref, size)
        containers = []
        for workload in workloads:
            replicas = self.replicas(workload)
            if replicas == 0:
                self.notes.warn(
                    workload.document.place(workload.base),
                    workload.base,
                    f"{workload.kind} {workload.name} runs no pods (0 replicas): left out",
                )
                continue
            comment = workload.label + (f": {workload.comment}" if workload.comment else "")
            containers.append(self.container(workload, workload.name, comment, replicas, sizes))
        if not containers:
            self.notes.fail(
                Place(workloads[0].document.file), "", "every workload runs 0 pods: nothing to draw"
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
                Place(workloads[0].document.file),
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

    def node_hosts(self, pods: list[Workload]) -> list[dict[str, Any]]:
        known = {node.name: node for node in self.nodes or []}
        names = list(dict.fromkeys([*known, *(pod.node or "" for pod in pods)]))
        hosts = []
        for name in names:
            groups = group_pods([pod for pod in pods if pod.node == name])
            node = known.get(name)
            if not groups:
                assert node is not None
                self.notes.warn(node.place, "", f"node {name} runs no pods: left out")
                continue
            host_id = self.ids.make(name, "node")
            if node is None and self.nodes is not None:
                first = groups[0].first
                self.notes.warn(
                    first.document.place(first.base),
                    first.base,
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
                    containers=[self._grouped(group, sizes) for group in groups],
                )
            )
        return hosts

    def _grouped(self, group: Group, sizes: ImageSizes) -> dict[str, Any]:
        return self.container(group.first, group.name, group.comment, group.count, sizes)

    def note_dropped(self) -> None:
        """Note each resource a spec has no place for, once, where it is first given."""
        for resource, (workload, path, names) in self.dropped.items():
            unique = list(dict.fromkeys(names))
            listed_names = ", ".join(unique[:5]) + (
                f" and {len(unique) - 5:,} more" if len(unique) > 5 else ""
            )
            what = _NO_DISK if resource == "ephemeral-storage" else _NO_PLACE
            count = f"{len(unique)} workload{'s' if len(unique) > 1 else ''}"
            self.notes.warn(
                workload.document.place(path),
                path,
                f"{resource} is given for {count} ({listed_names}): {what}",
            )


def _image(images: list[str], sizes: ImageSizes) -> tuple[str | None, int | str | None]:
    """Return the image ref and size of a pod that runs ``images``: them all, and their sum."""
    if not images:
        return None, None
    if len(images) == 1:
        return images[0], sizes.get(images[0])
    known = [sizes.get(image) for image in images]
    total = None if None in known else sum(parse_bytes(size) for size in known)
    return " + ".join(images), None if total is None else spec_bytes(total)


def _one_name(names: list[str], unknown: str) -> str:
    distinct = list(dict.fromkeys(names))
    return ", ".join(distinct) if distinct else unknown
