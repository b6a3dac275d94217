"""Read the pods of a running cluster (``kubectl get pods -A -o json``) and group them as
their workloads run them.

Each running pod stands on the node in its ``spec.nodeName``; finished pods (Succeeded,
Failed) hold no resources and pending ones no node: both are left out, with notes. The pods of
one workload on one node are one group (drawn as one container with ``replicas``): the same
controller owner (``ownerReferences``), a ReplicaSet named as its Deployment's
(``web-6d8f7c9b54`` with the label ``pod-template-hash: 6d8f7c9b54`` is Deployment ``web``,
as the Deployment controller names it; without the label, a ReplicaSet name that ends in such a
hash), and the same containers and figures (during a rollout the old and the
new template's pods are two groups). A pod without a controller, or a static pod (owned by its
Node), is a group of its own.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import msgspec

from ..spec.limits import Limits
from .notes import Notes, Path
from .sources import Document, listed, mapping, read_documents
from .workloads import Workload

__all__ = ["Group", "group_pods", "read_running"]

#: A ReplicaSet a Deployment made: its name, ``-``, and the hash of its pod template, written
#: in the alphabet Kubernetes writes such hashes in (no vowels, no 0, 1 or 3).
_TEMPLATE_HASH = re.compile(r"(.+)-([bcdfghjklmnpqrstvwxz2456789]{5,10})")


class Group(msgspec.Struct, frozen=True):
    """Pods drawn as one container: the first of them (figures are read from it), the name
    and comment of the container, and how many pods there are."""

    first: Workload
    name: str
    comment: str
    count: int


def read_running(path: str | os.PathLike[str], notes: Notes, limits: Limits) -> list[Workload]:
    """Return the running pods of a pods dump, each a workload of one replica on its node."""
    found: list[Workload] = []
    for document in read_documents(path, notes, limits):
        finished = 0
        for base, item in _items(document):
            if not isinstance(item, dict) or item.get("kind") != "Pod":
                notes.warn(document.place(base), base, "not a Pod: skipped")
                continue
            metadata = mapping(item.get("metadata"))
            name = str(metadata.get("name") or metadata.get("generateName") or "unnamed")
            namespace = str(metadata.get("namespace") or "default")
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
            pod = Workload("Pod", name, namespace, document, base, (*base, "spec"), 1)
            pod.node = str(node)
            pod.owner = _owner(item, document, base, notes)
            found.append(pod)
        if finished:
            notes.warn(
                document.place(()),
                "",
                f"{finished} finished pod(s) (Succeeded or Failed) hold no resources: left out",
            )
    return found


def _items(document: Document) -> list[tuple[Path, Any]]:
    data = document.data
    kind = data.get("kind") if isinstance(data, dict) else None
    if isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list):
        return [(("items", index), item) for index, item in enumerate(data["items"])]
    return [((), data)]


def _owner(item: dict[str, Any], document: Document, base: Path, notes: Notes) -> str | None:
    """Return the pod's owner, the controller first: ``ReplicaSet web-6d8f7c9b54``."""
    references = mapping(item.get("metadata")).get("ownerReferences")
    at = (*base, "metadata", "ownerReferences")
    owners = [o for o in listed(references, document.place, at, notes) if isinstance(o, dict)]
    owners.sort(key=lambda o: not o.get("controller"))
    return f"{owners[0].get('kind')} {owners[0].get('name')}" if owners else None


def _workload(pod: Workload) -> str | None:
    """Return the workload a pod belongs to, ``Deployment web``, or None for a pod drawn alone."""
    if pod.owner is None:
        return None
    kind, _, name = pod.owner.partition(" ")
    if kind == "Node":  # a static pod: each is a workload of its own
        return None
    labels = mapping(mapping(pod.document.data_at(pod.base)).get("metadata")).get("labels")
    template = mapping(labels).get("pod-template-hash")
    if kind == "ReplicaSet" and isinstance(template, str) and name.endswith(f"-{template}"):
        return f"Deployment {name[: -len(template) - 1]}"
    hashed = _TEMPLATE_HASH.fullmatch(name)
    if kind == "ReplicaSet" and template is None and hashed:
        return f"Deployment {hashed.group(1)}"
    return pod.owner


def _template(pod: Workload) -> str:
    """Return what decides a pod's figures and images, as text to compare pods by."""
    spec = mapping(pod.document.data_at(pod.pod))
    parts = {
        key: spec.get(key)
        for key in ("containers", "initContainers", "overhead", "resources")
        if key in spec
    }
    return json.dumps(parts, sort_keys=True, default=str)


def group_pods(pods: list[Workload]) -> list[Group]:
    """Return the pods (of one node) as groups, in the order each group is first seen."""
    groups: dict[tuple[str, str, str], list[Workload]] = {}
    for pod in pods:
        workload = _workload(pod)
        key = (pod.namespace, workload or f"Pod {pod.name}", _template(pod) if workload else "")
        groups.setdefault(key, []).append(pod)
    found = []
    for (namespace, workload, _), members in groups.items():
        first = members[0]
        if _workload(first) is None:
            owner = f", owned by {first.owner}" if first.owner else ""
            found.append(Group(first, first.name, f"{first.label}{owner}", 1))
            continue
        kind, _, name = workload.partition(" ")
        names = ", ".join(member.name for member in members[:5])
        more = f" and {len(members) - 5:,} more" if len(members) > 5 else ""
        comment = f"{kind} {namespace}/{name}: pod{'s' if len(members) > 1 else ''} {names}{more}"
        found.append(Group(first, name, comment, len(members)))
    return found
