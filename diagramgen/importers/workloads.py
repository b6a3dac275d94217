"""Read Kubernetes manifests as workloads: which objects run pods, how many, from which spec.

- Pod; Deployment, ReplicaSet, StatefulSet and ReplicationController (``spec.replicas``,
  default 1); Job (``parallelism``, at most ``completions``); CronJob (one run of its
  ``jobTemplate``, noted as periodic); DaemonSet (one pod per node, counted later), also
  inside ``List`` objects.
- ``Prometheus`` and ``Alertmanager`` (``monitoring.coreos.com``): the Prometheus Operator runs
  their pods from what the resource gives: ``spec.replicas`` (default 1; for Prometheus times
  ``spec.shards``) and ``spec.resources`` as the main container's figures.
- A HorizontalPodAutoscaler sets its target's replicas to its ``minReplicas`` (default 1), or
  to its ``maxReplicas`` (``replicas="max"``), with a note.
- Noted, once for all objects of a kind: objects of Kubernetes' own API groups that run no
  pods; custom resources, whose pods (if their operator runs any) are not drawn; LimitRange
  defaults (not applied); StatefulSet ``volumeClaimTemplates`` (a spec container holds no
  disk).

Documents of a kind that is only noted are not read past their ``kind`` and ``apiVersion``
(see :func:`.kinds.stand_in`): a folder of CustomResourceDefinitions is refused in
milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO, Literal, cast

import msgspec

from ..errors import InvalidArgument
from ..spec.limits import Limits
from ..spec.model import MAX_REPLICAS
from .inputs import Input, read_input
from .kinds import (
    AUTOSCALER,
    CONFIGURATION,
    KUSTOMIZE,
    LIMIT_RANGE,
    OPERATED,
    REPLICATED,
    built_in,
    group_of,
    stand_in,
)
from .notes import Notes, Path, Place, placeholder, shown, shown_count
from .quantities import QuantityError, kubernetes_memory, spec_bytes
from .sources import Document, listed, mapping

__all__ = ["REPLICAS", "Workload", "read_workloads", "verify_replicas"]

#: Which of an autoscaler's bounds a workload is drawn with.
REPLICAS = ("min", "max")
Replicas = Literal["min", "max"]


def verify_replicas(choice: str) -> Replicas:
    """Return ``choice`` if it is one of :data:`REPLICAS`; raise ``InvalidArgument``."""
    if choice not in REPLICAS:
        raise InvalidArgument(
            f"unknown replicas bound {choice!r}; choose from {', '.join(REPLICAS)}"
        )
    return cast(Replicas, choice)


class Workload(msgspec.Struct):
    """What runs pods: a workload's pod template with its replica count, or one running pod."""

    kind: str
    name: str
    namespace: str
    document: Document
    base: Path  # the object
    pod: Path  # its pod spec, or for an operated resource its spec
    replicas: int | None  # None: a DaemonSet, one per node it runs on
    #: For an operated resource: the main container, whose figures the resource's spec gives.
    container: str | None = None
    #: What the container's ``$comment`` adds ("runs on a schedule …").
    comment: str = ""
    node: str | None = None
    owner: str | None = None

    @property
    def label(self) -> str:
        """Return the workload as notes name it: ``Deployment shop/web``."""
        return f"{self.kind} {self.namespace}/{self.name}"


class _Seen(msgspec.Struct):
    """Objects of one kind that are only noted: where the first stands, how many there are."""

    document: Document
    base: Path
    name: str | None
    count: int = 1


def read_workloads(
    inputs: list[Input],
    notes: Notes,
    limits: Limits,
    *,
    stdin: BinaryIO | None = None,
    replicas: Replicas = "min",
) -> list[Workload]:
    """Return the workloads of the manifests ``inputs``, noting what else they hold.

    When there are none, the failure recorded says what the inputs held instead.
    """
    reader = _Reader(notes, replicas)
    for item in inputs:
        documents = read_input(item, notes, limits, stdin, allow_empty=True, stand_in=stand_in)
        if not documents and not notes.failed(item.name):
            reader.empty.append(item.name)
            notes.warn(Place(item.name), "", "is empty: nothing to import from it")
        for document in documents:
            reader.read(document)
    reader.scale()
    reader.note_skipped()
    reader.note_claims()
    if not reader.workloads and not notes.failed():
        notes.fail(Place(_where(inputs)), "", reader.nothing(len(inputs)))
    return reader.workloads


def _where(inputs: list[Input]) -> str:
    folders = list(dict.fromkeys(item.within for item in inputs))
    if len(inputs) == 1 or (folders == [inputs[0].within] and inputs[0].within is not None):
        return inputs[0].within or inputs[0].name
    return inputs[0].name


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


class _Reader:
    def __init__(self, notes: Notes, replicas: Replicas) -> None:
        self.notes = notes
        self.choice = replicas
        self.workloads: list[Workload] = []
        self.autoscalers: list[tuple[Document, Path, dict[str, Any]]] = []
        self.skipped: dict[tuple[str, str], _Seen] = {}  # (kind, group) -> the first
        self.operated: set[str] = set()
        self.empty: list[str] = []
        self.objects = 0

    def read(self, document: Document) -> None:
        for base, item in _objects(document.data, ()):
            if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
                self.notes.fail(document.place(base), base, "is not a Kubernetes object (no kind)")
                continue
            self.objects += 1
            if self._names_are_text(document, base, item):
                self._object(document, base, item)

    def _names_are_text(self, document: Document, base: Path, item: dict[str, Any]) -> bool:
        metadata = mapping(item.get("metadata"))
        for key in ("name", "namespace"):
            value = metadata.get(key)
            if value is None or (isinstance(value, str) and placeholder(value) is None):
                continue
            at = (*base, "metadata", key)
            self.notes.fail(document.place(at), at, placeholder(value) or "expected a string")
            return False
        return True

    def _object(self, document: Document, base: Path, item: dict[str, Any]) -> None:
        kind, group = item["kind"], group_of(item)
        name, namespace = _metadata(item)
        spec = mapping(item.get("spec"))
        at = (*base, "spec")
        found = None
        if kind == "Pod":
            found = Workload(kind, name, namespace, document, base, at, 1)
        elif kind in REPLICATED:
            replicas = self.count(spec, "replicas", document, at)
            found = Workload(
                kind, name, namespace, document, base, (*at, "template", "spec"), replicas
            )
        elif kind == "DaemonSet":
            found = Workload(kind, name, namespace, document, base, (*at, "template", "spec"), None)
        elif kind == "Job":
            found = self._job(kind, name, namespace, document, base, spec, at)
        elif kind == "CronJob":
            found = self._cron_job(name, namespace, document, base, spec)
        elif (group, kind) in OPERATED:
            found = self._operated(kind, group, name, namespace, document, base, spec)
        elif kind == AUTOSCALER and built_in(group):
            self.autoscalers.append((document, base, item))
        else:
            given = mapping(item.get("metadata")).get("name")
            self._skip(kind, group, given if isinstance(given, str) else None, document, base)
        if found is not None:
            self.workloads.append(found)

    def _job(
        self,
        kind: str,
        name: str,
        namespace: str,
        document: Document,
        base: Path,
        spec: dict[str, Any],
        at: Path,
    ) -> Workload | None:
        if spec.get("suspend") is True:
            where = (*at, "suspend")
            self.notes.warn(document.place(where), where, "suspended: no pods run, left out")
            return None
        replicas = self.count(spec, "parallelism", document, at)
        if spec.get("completions") is not None:
            replicas = min(replicas, self.count(spec, "completions", document, at))
        return Workload(kind, name, namespace, document, base, (*at, "template", "spec"), replicas)

    def _cron_job(
        self, name: str, namespace: str, document: Document, base: Path, spec: dict[str, Any]
    ) -> Workload | None:
        if spec.get("suspend") is True:
            where = (*base, "spec", "suspend")
            self.notes.warn(document.place(where), where, "suspended: no pods run, left out")
            return None
        at = (*base, "spec", "jobTemplate", "spec")
        job = mapping(mapping(spec.get("jobTemplate")).get("spec"))
        found = self._job("CronJob", name, namespace, document, base, job, at)
        if found is None:
            return None
        schedule = spec.get("schedule")
        when = f" ({schedule})" if isinstance(schedule, str) and len(schedule) <= 60 else ""
        found.comment = f"runs on a schedule{when}: one run drawn"
        self.notes.warn(
            document.place(base),
            base,
            f"CronJob {name} runs on a schedule{when}: drawn as one run of its job; its pods"
            " hold their figures only while a run lasts",
        )
        return found

    def _operated(
        self,
        kind: str,
        group: str,
        name: str,
        namespace: str,
        document: Document,
        base: Path,
        spec: dict[str, Any],
    ) -> Workload | None:
        container, sharded = OPERATED[(group, kind)]
        at = (*base, "spec")
        replicas = self.count(spec, "replicas", document, at)
        shards = self.count(spec, "shards", document, at) if sharded else 1
        if replicas * shards > MAX_REPLICAS:
            self.notes.fail(
                document.place(at),
                at,
                f"{replicas:,} replicas in each of {shards:,} shards: a spec runs at most"
                f" {MAX_REPLICAS:,}",
            )
            return None
        if kind not in self.operated:
            self.operated.add(kind)
            self.notes.warn(
                document.place(base),
                base,
                f"{kind} objects: their pods are run by the Prometheus Operator and drawn from"
                f" the resource: spec.replicas{' times spec.shards' if sharded else ''} pods, with"
                f" spec.resources as the {container} container's figures; the config-reloader"
                " sidecar the operator adds is not counted (its figures are the operator's)",
            )
        shard_text = f" in each of {shards} shards" if shards > 1 else ""
        return Workload(
            kind,
            f"{container}-{name}",  # the StatefulSet the operator makes, which names the pods
            namespace,
            document,
            base,
            at,
            replicas * shards,
            container=container,
            comment=f"pods run by the Prometheus Operator: {replicas} replicas{shard_text}",
        )

    def _skip(
        self, kind: str, group: str, name: str | None, document: Document, base: Path
    ) -> None:
        seen = self.skipped.get((kind, group))
        if seen is None:
            self.skipped[(kind, group)] = _Seen(document, base, name)
        else:
            seen.count += 1

    def count(
        self, spec: dict[str, Any], key: str, document: Document, at: Path, default: int = 1
    ) -> int:
        """Return the count at ``key`` of the mapping ``spec`` (at ``at``): absent or null is
        ``default``; anything but a whole number from 0 to a spec's most is a failure."""
        value = spec.get(key)
        path = (*at, key)
        if value is None:
            return default
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            if value <= MAX_REPLICAS:
                return value
            message = f"{shown_count(value)} replicas: a spec runs at most {MAX_REPLICAS:,}"
        else:
            message = placeholder(value) or f"expected a whole number, not {shown(value)}"
        self.notes.fail(document.place(path), path, message)
        return default

    def scale(self) -> None:
        """Set the replicas of each autoscaler's target to its bound, with a note."""
        targets = {(w.kind, w.namespace, w.name): w for w in reversed(self.workloads)}
        scaled: set[tuple[str, str, str]] = set()
        for document, base, item in self.autoscalers:
            name, namespace = _metadata(item)
            spec = mapping(item.get("spec"))
            at = (*base, "spec")
            least = self.count(spec, "minReplicas", document, at)
            most = self.count(spec, "maxReplicas", document, at, default=least)
            if least > most:
                where = (*at, "minReplicas")
                self.notes.fail(
                    document.place(where),
                    where,
                    f"minReplicas ({least}) is more than maxReplicas ({most});"
                    " Kubernetes refuses such an autoscaler",
                )
                continue
            ref = mapping(spec.get("scaleTargetRef"))
            key = (str(ref.get("kind")), namespace, str(ref.get("name")))
            target = targets.get(key)
            what = f"HorizontalPodAutoscaler {name} scales {key[0]} {namespace}/{key[2]}"
            place = document.place((*at, "scaleTargetRef"))
            if target is None:
                self.notes.warn(
                    place,
                    (*at, "scaleTargetRef"),
                    f"{what}, which these manifests do not hold: ignored",
                )
                continue
            if target.kind not in REPLICATED:
                self.notes.warn(
                    place,
                    (*at, "scaleTargetRef"),
                    f"{what}, which has no replica count to set: ignored",
                )
                continue
            if key in scaled:
                self.notes.warn(
                    place,
                    (*at, "scaleTargetRef"),
                    f"{what}, which another autoscaler scales already: ignored",
                )
                continue
            scaled.add(key)
            if target.replicas == 0:
                self.notes.warn(
                    place,
                    (*at, "scaleTargetRef"),
                    f"{what}, which has 0 replicas: an autoscaler does not scale a workload"
                    " at 0; left out",
                )
                continue
            chosen = most if self.choice == "max" else least
            bound = "maximum" if self.choice == "max" else "minimum"
            where = (*at, "maxReplicas" if self.choice == "max" else "minReplicas")
            self.notes.warn(
                document.place(where),
                where,
                f"{what} from {least} to {most} replicas: drawn with its {bound}, {chosen}"
                f" (the manifest gives {target.replicas})",
                rule="replicas:max" if self.choice == "min" else None,
            )
            target.replicas = chosen
            target.comment = f"{chosen} replicas: the {bound} of HorizontalPodAutoscaler {name}"

    def note_skipped(self) -> None:
        """Note each kind of object that is not drawn, once, where its first object stands."""
        for (kind, group), seen in self.skipped.items():
            many = seen.count > 1
            names = (f"{kind} {seen.name}" if seen.name else kind) + (
                f" and {seen.count - 1:,} more {kind} objects" if many else ""
            )
            if kind == LIMIT_RANGE and built_in(group):
                message = (
                    f"{names} {'give' if many else 'gives'} default container figures, which the"
                    " API server applies when a pod is created: not applied here; containers"
                    " that give none are drawn without"
                )
            elif group == KUSTOMIZE:
                message = (
                    f"{names} {'are' if many else 'is'} kustomize's, not"
                    f" {'objects' if many else 'an object'} of a cluster: skipped; what"
                    " `kustomize build` makes of the folder is what"
                    " is applied (read it from standard input)"
                )
            elif built_in(group) or (group, kind) in CONFIGURATION:
                runs = "run no pods of their own" if many else "runs no pods of its own"
                message = f"{names} {runs}: skipped"
            else:
                message = (
                    f"{names} {'are custom resources' if many else 'is a custom resource'}"
                    f" ({group}): any pods an operator runs for {'them' if many else 'it'} are"
                    " not drawn, as only the operator knows their figures"
                )
            self.notes.warn(seen.document.place(seen.base), seen.base, message)

    def note_claims(self) -> None:
        """Note the persistent volumes StatefulSets claim, once for all of them."""
        claims: list[tuple[Workload, int, bool]] = []
        for workload in self.workloads:
            if workload.kind != "StatefulSet" or not workload.replicas:
                continue
            at = (*workload.base, "spec", "volumeClaimTemplates")
            templates = listed(
                workload.document.data_at(at), workload.document.place, at, self.notes
            )
            if not templates:
                continue
            size, unknown = 0, False
            for index in range(len(templates)):
                path = (*at, index, "spec", "resources", "requests", "storage")
                value = workload.document.data_at(path)
                figure = self._storage(value, workload.document, path)
                unknown |= figure is None
                size += figure or 0
            claims.append((workload, size, unknown))
        if not claims:
            return
        first = claims[0][0]
        at = (*first.base, "spec", "volumeClaimTemplates")
        total = sum(size * (w.replicas or 0) for w, size, _ in claims)
        least = "at least " if any(unknown for _, _, unknown in claims) else ""
        each = ", ".join(
            f"{w.namespace}/{w.name}: {w.replicas} replicas of {spec_bytes(size)}"
            for w, size, _ in claims[:5]
        )
        more = f", and {len(claims) - 5:,} more" if len(claims) > 5 else ""
        sets = f"{len(claims)} StatefulSets claim" if len(claims) > 1 else "1 StatefulSet claims"
        self.notes.warn(
            first.document.place(at),
            at,
            f"{sets} {least}{spec_bytes(total)} of persistent volumes"
            f" ({each}{more}): not drawn, as a spec container holds no disk",
        )

    def _storage(self, value: Any, document: Document, path: Path) -> int | None:
        if value is None:
            return None
        template = placeholder(value)
        if template is not None:
            self.notes.fail(document.place(path), path, template)
            return None
        try:
            return kubernetes_memory(value)[0]
        except QuantityError as error:
            self.notes.fail(document.place(path), path, str(error))
            return None

    def nothing(self, files: int) -> str:
        """Return why there is nothing to import, in a line however many files there were."""
        if not self.objects:
            return (
                "is empty"
                if files == 1
                else f"no pods or workloads to import: the {files:,} files are empty"
            )
        kinds = sorted(self.skipped.items(), key=lambda entry: -entry[1].count)
        listed_kinds = ", ".join(
            f"{kind}: {seen.count:,}" if seen.count > 1 else kind for (kind, _), seen in kinds[:5]
        )
        if len(kinds) > 5:
            listed_kinds += f", and {len(kinds) - 5:,} more kinds"
        objects = f"{self.objects:,} object{'s' if self.objects > 1 else ''}"
        holds = "it holds" if files == 1 else f"the {files:,} files hold"
        return (
            f"no pods or workloads to import: {holds} {objects}, none a workload ({listed_kinds})"
        )
