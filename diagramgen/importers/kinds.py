"""What each kind of Kubernetes object is to the importer: read whole for the pods it runs,
or only noted, and then not read past its ``kind`` (:func:`stand_in`).

One table per closed set: the workload kinds, the resources an operator runs pods for, the
custom resources that only configure one, Kubernetes' own API groups.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "AUTOSCALER",
    "BUILT_IN_GROUPS",
    "CONFIGURATION",
    "KUSTOMIZE",
    "LIMIT_RANGE",
    "MONITORING",
    "OPERATED",
    "POD_KINDS",
    "READ",
    "REPLICATED",
    "built_in",
    "group_of",
    "stand_in",
]

REPLICATED = ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController")
POD_KINDS = {"Pod", *REPLICATED, "DaemonSet", "Job", "CronJob"}
AUTOSCALER = "HorizontalPodAutoscaler"
LIMIT_RANGE = "LimitRange"
MONITORING = "monitoring.coreos.com"
KUSTOMIZE = "kustomize.config.k8s.io"
#: Resources an operator runs pods for, from figures the resource itself gives: (group, kind)
#: -> the main container's name, and whether ``spec.shards`` multiplies the replicas.
OPERATED = {
    (MONITORING, "Prometheus"): ("prometheus", True),
    (MONITORING, "Alertmanager"): ("alertmanager", False),
}
#: Custom resources that only configure an operator: they run no pods of their own.
CONFIGURATION = {
    (MONITORING, kind)
    for kind in (
        "ServiceMonitor",
        "PodMonitor",
        "Probe",
        "PrometheusRule",
        "AlertmanagerConfig",
        "ScrapeConfig",
    )
}
#: API groups of Kubernetes itself, besides ``*.k8s.io``: their kinds that are not read here
#: run no pods of their own.
BUILT_IN_GROUPS = {"", "apps", "batch", "autoscaling", "policy", "extensions"}
#: Kinds read whole; others only noted (see :func:`stand_in`).
READ = {*POD_KINDS, AUTOSCALER, LIMIT_RANGE, *(kind for _, kind in OPERATED)}


def group_of(item: dict[str, Any]) -> str:
    """Return the API group of an object: ``apps`` of ``apps/v1``, ``""`` of ``v1``."""
    version = item.get("apiVersion")
    return version.rpartition("/")[0] if isinstance(version, str) else ""


def built_in(group: str) -> bool:
    """Return whether an API group is Kubernetes' own (``apps``, ``""``, ``*.k8s.io``)."""
    return group in BUILT_IN_GROUPS or group.endswith(".k8s.io")


_KIND = re.compile(r"^kind:[ \t]*(['\"]?)([A-Za-z][A-Za-z0-9]*)\1[ \t]*(?:#.*)?$", re.MULTILINE)
_API_VERSION = re.compile(
    r"^apiVersion:[ \t]*(['\"]?)([A-Za-z0-9.-]+/)?([A-Za-z0-9]+)\1[ \t]*(?:#.*)?$", re.MULTILINE
)
_METADATA = re.compile(r"^metadata:[ \t]*(?:#.*)?\r?$", re.MULTILINE)
_FLOW_NAME = re.compile(
    r"^metadata:[ \t]*\{[^{}\n]*?\bname:[ \t]*(['\"]?)([A-Za-z0-9._:-]+)\1[ \t]*[,}]",
    re.MULTILINE,
)
_LINE = re.compile(r"^([ \t]*)([^\r\n]*)", re.MULTILINE)
_NAME = re.compile(r"name:[ \t]*(['\"]?)([A-Za-z0-9._:-]+)\1[ \t]*(?:#.*)?\r?")


def _probed_name(text: str) -> str | None:
    """Return ``metadata.name`` where ``metadata`` writes it plainly, or None."""
    flow = _FLOW_NAME.search(text)
    if flow is not None:
        return flow.group(2)
    start = _METADATA.search(text)
    if start is None:
        return None
    indent = None
    for line in _LINE.finditer(text, start.end() + 1):
        pad, rest = line.groups()
        if not rest or rest.startswith("#"):
            continue
        if not pad:
            return None  # the next top-level key: metadata gives no plain name
        indent = indent or pad
        name = _NAME.fullmatch(rest) if pad == indent else None
        if name is not None:
            return name.group(2)
    return None


def stand_in(text: str) -> dict[str, Any] | None:
    """Return what stands for a YAML document whose kind is only noted, or None to read it.

    Found in its text: ``kind`` and ``apiVersion`` each written once, at the start of a line
    (top-level keys, plain or quoted), and ``metadata.name`` when block ``metadata`` writes it
    plainly. Anything else, including every kind read whole, is read.
    """
    kinds = _KIND.findall(text)
    versions = _API_VERSION.findall(text)
    if len(kinds) != 1 or len(versions) != 1:
        return None
    kind = kinds[0][1]
    if kind in READ or kind.endswith("List"):
        return None
    stub: dict[str, Any] = {"apiVersion": f"{versions[0][1]}{versions[0][2]}", "kind": kind}
    name = _probed_name(text)
    if name is not None:
        stub["metadata"] = {"name": name}
    return stub
