"""Turn Docker Compose files into a spec: one container host, one spec container per service.

Figures, as Docker Compose applies them:

- cpu limit: ``deploy.resources.limits.cpus``, else the service's ``cpus`` (``0`` = no limit);
- memory limit: ``deploy.resources.limits.memory``, else ``mem_limit`` (Docker's byte syntax);
- reservations: ``deploy.resources.reservations`` (cpus, memory), else ``mem_reservation``
  (Compose without Swarm applies only the memory reservation; the cpu one is kept as declared);
- replicas: ``deploy.replicas``, else ``scale``, default 1; ``deploy.mode: global`` runs one per
  node (``nodes``, else 1 with a warning); a service scaled to 0 is left out with a note.

When a ``deploy`` figure and its legacy key disagree, recent Compose refuses the file and older
versions apply the ``deploy`` one; the importer uses the ``deploy`` figure and warns.
``depends_on`` becomes links, labelled with the target's first container port (``ports``, else
``expose``), e.g. ``TCP 5432``: the port the depending service connects to.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path as FilePath
from typing import Any, TypeVar

from ..files.discover import existing
from ..spec import DEFAULT_LIMITS, Limits
from ..spec.limits import limit_rule
from ..spec.model import MAX_REPLICAS
from .compose_files import Located, read_compose
from .images import ImageSizes, read_images
from .notes import Imported, Notes, Path, Place, dotted, shown, shown_count
from .quantities import QuantityError, docker_bytes, docker_cpus, spec_bytes, within
from .sources import display_name, mapping, read_documents
from .specparts import Ids, container, host, link, resources, spec

__all__ = ["import_compose"]

T = TypeVar("T")


def import_compose(
    paths: Sequence[str | os.PathLike[str]],
    *,
    profiles: Sequence[str] = (),
    docker_info: str | os.PathLike[str] | None = None,
    images: str | os.PathLike[str] | None = None,
    nodes: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Imported:
    """Return the spec of Compose files merged in order, with the notes made on the way.

    ``profiles`` selects services as ``docker compose --profile`` does; with none, every
    service is imported. ``docker_info`` (``docker info --format json``) gives the host's
    capacity, OS and engine; ``images`` (``docker image ls --format json`` lines or
    ``docker image inspect``) the image sizes. Without them those figures are left out.
    ``limits`` bound each input file (``input_bytes``) and the spec made, which is valid.
    Raises :class:`~diagramgen.InvalidArgument` for a path that names nothing and
    :class:`~diagramgen.importers.ImportFailed` for input that cannot be read.
    """
    inputs = [*paths, *(p for p in (docker_info, images) if p is not None)]
    for path in inputs:
        existing(path)  # a path that names nothing is the caller's mistake, not the file's
    notes = Notes([display_name(path) for path in inputs])
    model = read_compose(paths, notes, limits)
    facts = _read_docker_info(docker_info, notes, limits) if docker_info is not None else {}
    sizes = read_images(images, notes, limits) if images is not None else ImageSizes()
    notes.check()
    services = model.data.get("services")
    if not isinstance(services, dict) or not services:
        first = display_name(paths[0]) if paths else ""
        notes.stop(Place(first), "services", "no services: not a Compose file")
    if len(services) > limits.components:
        notes.stop(
            model.place(("services",)),
            "services",
            f"has {len(services):,} services; the components limit is {limits.components:,}",
            limit_rule("components"),
        )
    builder = _Builder(model, sizes, nodes, _project_name(model, paths), notes)
    name = str(facts.get("Name") or "Docker host")
    host_id = builder.ids.make(str(facts.get("Name") or "docker-host"), "docker-host")
    active = _active_services(model, services, profiles, notes)
    containers = [c for service in active if (c := builder.service(service, services[service]))]
    notes.check()
    if not containers:
        notes.stop(model.place(("services",)), "services", "no service left to import")
    links = _links(model, services, active, builder.ids_of, notes)
    version = facts.get("ServerVersion")
    architecture = facts.get("Architecture")
    the_host = host(
        host_id,
        name,
        infrastructure=f"Docker host ({architecture})" if architecture else "Docker host",
        capacity=_capacity(facts),
        infrastructure_comment=_capacity_comment(docker_info),
        host_os=str(facts.get("OperatingSystem") or "Host OS"),
        engine=f"Docker Engine {version}" if version else "Docker Engine",
        containers=containers,
    )
    title = f"{builder.project} (Docker Compose)"
    document = spec(_comment(paths, docker_info, images), title, [the_host], links)
    return notes.imported(document, limits)


def _comment(
    paths: Sequence[str | os.PathLike[str]],
    docker_info: str | os.PathLike[str] | None,
    images: str | os.PathLike[str] | None,
) -> str:
    sources = ", ".join(display_name(p) for p in paths)
    extras = [
        f"{label} {display_name(p)}"
        for label, p in (("docker info", docker_info), ("images", images))
        if p is not None
    ]
    with_facts = f" (with {', '.join(extras)})" if extras else ""
    return (
        f"Imported by diagramgen from Docker Compose: {sources}{with_facts}."
        " Edit freely; figures the sources do not give are left out."
    )


def _read_docker_info(path: str | os.PathLike[str], notes: Notes, limits: Limits) -> dict[str, Any]:
    for document in read_documents(path, notes, limits)[:1]:
        data = document.data
        if not isinstance(data, dict) or ("NCPU" not in data and "ServerVersion" not in data):
            errors = data.get("ServerErrors") if isinstance(data, dict) else None
            why = "; ".join(map(str, errors)) if isinstance(errors, list) else ""
            why = f" ({why[:197] + '...' if len(why) > 200 else why})" if why else ""
            notes.fail(
                document.place(()), "", f"is not the JSON of `docker info --format json`{why}"
            )
            return {}
        for key, unit, scale in (("NCPU", "millicores", 1000), ("MemTotal", "bytes", 1)):
            value = data.get(key)
            if value is None:
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                notes.fail(document.place((key,)), key, "expected a whole number")
                continue
            try:
                within(value * scale, value, unit)
            except QuantityError as error:
                notes.fail(document.place((key,)), key, str(error))
        return data
    return {}


def _capacity(facts: dict[str, Any]) -> dict[str, Any] | None:
    cpu, memory = facts.get("NCPU"), facts.get("MemTotal")
    return resources(
        cpu * 1000 if isinstance(cpu, int) else None, memory if isinstance(memory, int) else None
    )


def _capacity_comment(path: str | os.PathLike[str] | None) -> str | None:
    if path is None:
        return None
    return (
        f"From {display_name(path)} (docker info): NCPU and MemTotal; the disk size is not in it."
    )


def _project_name(model: Located, paths: Sequence[str | os.PathLike[str]]) -> str:
    name = model.data.get("name")
    if not isinstance(name, str) or not name:
        folder = FilePath(paths[0]).resolve().parent.name if paths else ""
        name = re.sub(r"[^a-z0-9_-]", "", folder.lower()) or "compose"
    return name


def _active_services(
    model: Located, services: dict[str, Any], profiles: Sequence[str], notes: Notes
) -> list[str]:
    if not profiles:
        return list(services)
    known = set()
    active = []
    for name, service in services.items():
        own = service.get("profiles") if isinstance(service, dict) else None
        own = [str(p) for p in own] if isinstance(own, list) else []
        known.update(own)
        if not own or "*" in profiles or set(own) & set(profiles):
            active.append(name)
    for profile in profiles:
        if profile != "*" and profile not in known:
            notes.warn(
                model.place(("services",)), "services", f"no service has the profile {profile!r}"
            )
    return active


class _Builder:
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

    def warn(self, path: Path, message: str) -> None:
        self.notes.warn(self.model.place(path), path, message)

    def read(self, value: Any, path: Path, parse: Callable[[Any], T]) -> T | None:
        if value is None:
            return None
        try:
            return parse(value)
        except QuantityError as error:
            self.notes.fail(self.model.place(path), path, str(error))
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
        if not isinstance(service, dict):
            self.notes.fail(self.model.place(base), base, "expected a mapping")
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
        image = service.get("image")
        if not isinstance(image, str) or not image:
            image = None
            if service.get("build") is not None:
                image = f"{self.project}-{name}"
                self.warn(
                    (*base, "build"),
                    f"built from source: the image is named {image!r} as docker compose names it",
                )
            else:
                self.warn(base, "neither image nor build: the image is left out")
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


def _links(
    model: Located,
    services: dict[str, Any],
    active: list[str],
    ids_of: dict[str, str],
    notes: Notes,
) -> list[dict[str, Any]]:
    links = []
    for name in active:
        if name not in ids_of:
            continue
        depends = mapping(services[name].get("depends_on"))
        for target in depends:
            path = ("services", name, "depends_on", target)
            if target not in services:
                notes.fail(
                    model.place(path), path, f"depends on an undefined service {shown(target)}"
                )
            elif target not in ids_of:
                why = "not in the selected profiles" if target not in active else "left out"
                notes.warn(model.place(path), path, f"{target} is {why}: no link")
            else:
                links.append(link(ids_of[name], ids_of[target], _port_label(services[target])))
    notes.check()
    return links


def _port_label(service: dict[str, Any]) -> str | None:
    for key in ("ports", "expose"):
        entries = service.get(key)
        if isinstance(entries, list) and entries:
            first = entries[0]
            if isinstance(first, dict):
                target, protocol = str(first.get("target", "")), str(first.get("protocol", "tcp"))
            else:
                text, _, protocol = str(first).partition("/")
                target = text.rsplit(":", 1)[-1] if key == "ports" else text
            if target:
                return f"{(protocol or 'tcp').upper()} {target}"
    return None


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
