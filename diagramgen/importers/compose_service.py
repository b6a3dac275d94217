"""Turn one Compose service into a spec container, with figures as Docker Compose applies them.

- cpu limit: ``deploy.resources.limits.cpus``, else the service's ``cpus`` (``0`` = no limit);
- memory limit: ``deploy.resources.limits.memory``, else ``mem_limit`` (Docker's byte syntax);
- reservations: ``deploy.resources.reservations`` (cpus, memory), else ``mem_reservation``
  (Compose without Swarm applies only the memory reservation; the cpu one is kept as declared);
- replicas: ``deploy.replicas``, else ``scale``, default 1; ``deploy.mode: global`` runs one per
  node (``nodes``, else 1 with a warning); a service scaled to 0 is left out with a note;
- image: ``image``, else the name Compose gives an image it builds; a reference that variables
  not set leave broken (``:-ad``, ``postgres:``) is left out with a note at its line.

When a ``deploy`` figure and its legacy key disagree, recent Compose refuses the file and older
versions apply the ``deploy`` one; the importer uses the ``deploy`` figure and warns. What a spec
has no figure for (GPU and device reservations, process limits, ``shm_size``,
``memswap_limit``) is named in one note per kind, listing the services.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any, TypeVar

from ..spec.model import MAX_REPLICAS
from ..spec.wording import kind
from .compose_merge import Located
from .images import ImageSizes, is_reference
from .notes import Notes, Path, dotted, placeholder, shown, shown_count
from .quantities import QuantityError, docker_bytes, docker_cpus, spec_bytes
from .sources import mapping
from .specparts import Ids, container, resources

__all__ = ["ServiceBuilder", "in_words"]

T = TypeVar("T")

#: Settings a spec has no figure for, noted once a kind: the kind, and what a note calls it.
_NOT_DRAWN = {
    "gpu": "GPU reservations",
    "device": "device reservations",
    "pids": "process limits (pids_limit)",
    "shm_size": "shared memory sizes (shm_size)",
    "memswap_limit": "memory-and-swap limits (memswap_limit)",
}


def in_words(names: Sequence[str], most: int = 10) -> str:
    """Return names as a sentence lists them, at most ``most`` of them: ``a, b and c``."""
    if len(names) > most:
        return f"{', '.join(names[:most])} and {len(names) - most:,} more"
    if len(names) > 1:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return names[0] if names else ""


class ServiceBuilder:
    """Build spec containers from services, recording notes at their places."""

    def __init__(
        self, model: Located, sizes: ImageSizes, nodes: int | None, project: str, notes: Notes
    ) -> None:
        self.model = model
        self.sizes = sizes
        self.nodes = nodes
        self.project = project
        self.notes = notes
        self.ids = Ids()
        self.ids_of: dict[str, str] = {}
        #: Where each kind of setting a spec has no figure for was found: (service, path).
        self.not_drawn: dict[str, list[tuple[str, Path]]] = {}

    def warn(self, path: Path, message: str) -> None:
        self.notes.warn(self.model.place(path), path, message)

    def fail(self, path: Path, message: str) -> None:
        self.notes.fail(self.model.place(path), path, message)

    def read(self, value: Any, path: Path, parse: Callable[[Any], T]) -> T | None:
        if value is None:
            return None
        problem = placeholder(value)
        if problem is None and isinstance(value, (dict, list)):
            problem = f"expected a number or text, not {kind(value, yaml=True)}"
        if problem is not None:
            self.fail(path, problem)
            return None
        try:
            return parse(value)
        except QuantityError as error:
            self.fail(path, str(error))
            return None

    def pick(
        self,
        deploy: tuple[Any, Path],
        legacy: tuple[Any, Path],
        parse: Callable[[Any], T],
        show: Callable[[T], object],
        *,
        zero_is_unset: bool = True,
    ) -> T | None:
        """Return the deploy figure, else the legacy one; warn when both are given and differ."""
        first = self.read(deploy[0], deploy[1], parse)
        second = self.read(legacy[0], legacy[1], parse)
        if zero_is_unset:
            first, second = first or None, second or None
        if first is not None and second is not None and first != second:
            self.warn(
                deploy[1],
                f"{dotted(deploy[1][2:])} ({show(first)}) and {dotted(legacy[1][2:])}"
                f" ({show(second)}) disagree: recent Compose refuses this, older versions"
                f" apply {dotted(deploy[1][2:])}; it is used here",
            )
        return first if first is not None else second

    def service(self, name: str, service: Any) -> dict[str, Any] | None:
        base: Path = ("services", name)
        if service is None:
            self.fail(
                base,
                "is empty: docker compose refuses a service that is not a mapping;"
                " give it an image or a build, or remove it",
            )
            return None
        if not isinstance(service, dict):
            self.fail(base, f"expected a mapping, not {kind(service, yaml=True)}")
            return None
        deploy = mapping(service.get("deploy"))
        limits = mapping(mapping(deploy.get("resources")).get("limits"))
        reserved = mapping(mapping(deploy.get("resources")).get("reservations"))
        at = (*base, "deploy", "resources")
        cpu = self.pick(
            (limits.get("cpus"), (*at, "limits", "cpus")),
            (service.get("cpus"), (*base, "cpus")),
            docker_cpus,
            _cores,
        )
        memory = self.pick(
            (limits.get("memory"), (*at, "limits", "memory")),
            (service.get("mem_limit"), (*base, "mem_limit")),
            docker_bytes,
            spec_bytes,
        )
        reserved_cpu = self.read(reserved.get("cpus"), (*at, "reservations", "cpus"), docker_cpus)
        reserved_memory = self.pick(
            (reserved.get("memory"), (*at, "reservations", "memory")),
            (service.get("mem_reservation"), (*base, "mem_reservation")),
            docker_bytes,
            spec_bytes,
        )
        if service.get("cpu_shares") is not None:
            self.warn(
                (*base, "cpu_shares"),
                "cpu_shares is a relative weight under contention, not a figure: not counted",
            )
        replicas = self.replicas(base, service, deploy)
        if replicas == 0:
            self.warn(base, "scaled to 0: not running, left out")
            return None
        id_ = self.ids.make(name, "service")
        self.ids_of[name] = id_
        image = self.image(name, base, service)
        self.find_not_drawn(name, base, service, deploy)
        limit = (self.millicores(cpu, base), memory)
        reservation = (self.millicores(reserved_cpu, base), reserved_memory)
        reserved_at = (
            (*at, "reservations", "cpus"),
            (*at, "reservations", "memory")
            if reserved.get("memory") is not None
            else (*base, "mem_reservation"),
        )
        for resource, most, least, path in zip(
            ("CPU", "memory"), limit, reservation, reserved_at, strict=True
        ):
            if most is not None and least is not None and least > most:
                shown = (lambda m: f"{m}m") if resource == "CPU" else spec_bytes
                self.notes.fail(
                    self.model.place(path),
                    path,
                    f"reserves more {resource} than its limit ({shown(least)} > {shown(most)});"
                    " Docker refuses such a container",
                )
        return container(
            id_,
            name,
            image=image,
            image_size=self.sizes.get(image),
            limits=resources(*limit),
            reservations=resources(*reservation),
            replicas=replicas,
        )

    def image(self, name: str, base: Path, service: dict[str, Any]) -> str | None:
        """Return the service's image reference; None, noted, when there is none to draw."""
        path = (*base, "image")
        written = service.get("image")
        problem = placeholder(written)
        if problem is None and written is not None and not isinstance(written, str):
            problem = f"expected an image reference, not {kind(written, yaml=True)}"
        if problem is not None:
            self.fail(path, problem)
            return None
        image: str | None = written
        unset = self.model.unset.get(self.model.place(path))
        gives = ""  # what variables not set made of the value as written
        if unset is not None:
            names = f"{in_words(unset[1])} not set"
            gives = f"{shown(unset[0])} is {shown(image)} with {names}" if image else ""
        if image and not is_reference(image):
            self.warn(
                path,
                f"{gives or shown(image)}: not an image reference (docker compose refuses it);"
                " the image is left out",
            )
            return None
        if image:
            return image
        if service.get("build") is not None:
            built = f"{self.project}-{name}"
            self.warn(
                (*base, "build"),
                f"built from source: the image is named {built!r} as docker compose names it",
            )
            return built
        if unset is not None:
            self.warn(path, f"{shown(unset[0])} is blank with {names}: the image is left out")
        else:
            self.warn(base, "neither image nor build: the image is left out")
        return None

    def find_not_drawn(
        self, name: str, base: Path, service: dict[str, Any], deploy: dict[str, Any]
    ) -> None:
        """Record the settings of a service that a spec has no figure for, by kind."""
        resources = mapping(deploy.get("resources"))
        devices = mapping(resources.get("reservations")).get("devices")
        at = (*base, "deploy", "resources")
        found: dict[str, Path] = {}
        if service.get("gpus") is not None:
            found["gpu"] = (*base, "gpus")
        for index, device in enumerate(devices if isinstance(devices, list) else []):
            capabilities = mapping(device).get("capabilities")
            key = "gpu" if isinstance(capabilities, list) and "gpu" in capabilities else "device"
            found.setdefault(key, (*at, "reservations", "devices", index))
        for value, path in (
            (service.get("pids_limit"), (*base, "pids_limit")),
            (mapping(resources.get("limits")).get("pids"), (*at, "limits", "pids")),
        ):
            if value is not None and str(value) not in ("0", "-1"):  # Docker's "no limit"
                found.setdefault("pids", path)
        for key in ("shm_size", "memswap_limit"):
            if service.get(key) is not None:
                found[key] = (*base, key)
        for key, path in found.items():
            self.not_drawn.setdefault(key, []).append((name, path))

    def note_not_drawn(self) -> None:
        """Note each kind of setting a spec has no figure for, once, naming its services."""
        for key, label in _NOT_DRAWN.items():
            found = self.not_drawn.get(key, [])
            if found:
                names = [name for name, _ in found]
                which = f"service{'s' if len(names) > 1 else ''} {in_words(names)}"
                self.warn(
                    found[0][1], f"{label} are not drawn (a spec has no figure for them): {which}"
                )

    def millicores(self, cores: Fraction | None, path: Path) -> int | None:
        if not cores:
            return None
        millicores = cores * 1000
        if millicores.denominator != 1:
            self.warn(
                path,
                f"{float(cores)} CPUs rounded to {round(millicores)}m"
                " (the spec counts whole millicores)",
            )
        return round(millicores)

    def replicas(self, base: Path, service: dict[str, Any], deploy: dict[str, Any]) -> int:
        if deploy.get("mode") in ("global", "global-job"):
            if self.nodes is not None:
                return self.nodes
            self.warn(
                (*base, "deploy", "mode"),
                "global mode runs one container per node: the node count is not given, 1 assumed",
            )
            return 1
        count = self.pick(
            (deploy.get("replicas"), (*base, "deploy", "replicas")),
            (service.get("scale"), (*base, "scale")),
            _count,
            str,
            zero_is_unset=False,
        )
        return 1 if count is None else count


def _cores(cores: Fraction) -> str:
    return f"{float(cores):g} CPUs"


def _count(value: Any) -> int:
    count = None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        count = value
    elif isinstance(value, str) and re.fullmatch(r"\+?\d+", value.strip()):
        digits = value.strip().lstrip("+")
        if len(digits.lstrip("0")) > 20:  # more than any spec runs, and than int() may read
            raise QuantityError(f"{shown(digits)} replicas: a spec runs at most {MAX_REPLICAS:,}")
        count = int(digits)
    if count is None:
        raise QuantityError(f"{shown(value)} is not a whole number of replicas")
    if count > MAX_REPLICAS:
        raise QuantityError(f"{shown_count(count)} replicas: a spec runs at most {MAX_REPLICAS:,}")
    return count
