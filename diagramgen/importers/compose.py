"""Turn Docker Compose files into a spec: one container host, one spec container per service.

The files are read and merged by :mod:`.compose_files`, each service becomes a container by
:mod:`.compose_service`, and ``depends_on`` becomes links by :mod:`.compose_links`. The
services are those ``docker compose up`` starts: one with ``profiles`` only when a profile of
it is selected. ``docker info`` gives the host's capacity, OS and engine.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path as FilePath
from typing import Any

from ..files.discover import existing
from ..spec import DEFAULT_LIMITS, Limits
from ..spec.limits import limit_rule
from .compose_files import read_compose
from .compose_links import links as depends_on_links
from .compose_merge import Located
from .compose_service import ServiceBuilder, in_words
from .images import ImageSizes, read_images
from .notes import Imported, Notes, Place
from .quantities import QuantityError, within
from .sources import display_name, read_documents
from .specparts import host, resources, spec

__all__ = ["import_compose"]


def import_compose(
    paths: Sequence[str | os.PathLike[str]],
    *,
    profiles: Sequence[str] = (),
    docker_info: str | os.PathLike[str] | None = None,
    images: str | os.PathLike[str] | None = None,
    nodes: int | None = None,
    env_files: Sequence[str | os.PathLike[str]] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> Imported:
    """Return the spec of Compose files merged in order, with the notes made on the way.

    ``${VAR}`` takes its value from the ``.env`` file beside the first Compose file, or, when
    ``env_files`` are given, from them instead (a later one winning), as ``docker compose
    --env-file`` does; never from the process environment. ``profiles`` selects services as
    ``docker compose --profile`` does (``"*"``: all); with none, ``COMPOSE_PROFILES`` from those
    variables does, and a service with profiles runs only when one of them is selected, as with
    ``docker compose up``. ``docker_info`` (``docker info --format json``) gives the host's
    capacity, OS and engine; ``images`` (``docker image ls --format json`` lines or
    ``docker image inspect``) the image sizes. Without them those figures are left out.
    ``limits`` bound each input file (``input_bytes``) and the spec made, which is valid.
    Raises :class:`~diagramgen.InvalidArgument` for a path that names nothing and
    :class:`~diagramgen.importers.ImportFailed` for input that cannot be read.
    """
    inputs = [*paths, *env_files, *(p for p in (docker_info, images) if p is not None)]
    for path in inputs:
        existing(path)  # a path that names nothing is the caller's mistake, not the file's
    notes = Notes([display_name(path) for path in inputs])
    model = read_compose(paths, notes, limits, env_files)
    facts = _read_docker_info(docker_info, notes, limits) if docker_info is not None else {}
    sizes = read_images(images, notes, limits) if images is not None else ImageSizes()
    notes.check()
    services = _services(model, paths, notes)
    if len(services) > limits.components:
        notes.stop(
            model.place(("services",)),
            "services",
            f"has {len(services):,} services; the components limit is {limits.components:,}",
            limit_rule("components"),
        )
    builder = ServiceBuilder(model, sizes, nodes, _project_name(model, paths), notes)
    name = str(facts.get("Name") or "Docker host")
    host_id = builder.ids.make(str(facts.get("Name") or "docker-host"), "docker-host")
    active = _active_services(model, services, profiles, notes)
    containers = [c for service in active if (c := builder.service(service, services[service]))]
    builder.note_not_drawn()
    notes.check()
    if not containers:
        notes.stop(model.place(("services",)), "services", "no service left to import")
    links = depends_on_links(model, services, active, builder.ids_of, notes)
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
    document = spec(_comment(paths, model.env_files, docker_info, images), title, [the_host], links)
    return notes.imported(document, limits)


def _services(
    model: Located, paths: Sequence[str | os.PathLike[str]], notes: Notes
) -> dict[str, Any]:
    """Return the services of the model; stop, saying why, when there are none."""
    services = model.data.get("services")
    if isinstance(services, dict) and services:
        return services
    first = Place(display_name(paths[0]) if paths else "")
    if paths and len(model.empty) == len(paths):
        for file in model.empty:
            notes.fail(Place(file), "", "is empty")
        notes.check()
    if model.unread:
        more = f" (and {len(model.unread) - 1:,} more)" if len(model.unread) > 1 else ""
        notes.stop(
            first,
            "services",
            f"no services: the files it includes are not read: {model.unread[0]}{more}",
        )
    notes.stop(first, "services", "no services: not a Compose file")


def _comment(
    paths: Sequence[str | os.PathLike[str]],
    env_files: Sequence[str],
    docker_info: str | os.PathLike[str] | None,
    images: str | os.PathLike[str] | None,
) -> str:
    sources = ", ".join(display_name(p) for p in paths)
    extras = [
        f"{label} {', '.join(files)}"
        for label, files in (
            ("variables from", env_files),
            ("docker info", [display_name(docker_info)] if docker_info is not None else []),
            ("images", [display_name(images)] if images is not None else []),
        )
        if files
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
        when = data.get("SystemTime")
        if isinstance(when, str) and 0 < len(when) <= 64:
            notes.taken(document.file, when)
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
    # Compose's order: COMPOSE_PROJECT_NAME (which a .env file may set), the top-level name,
    # the folder of the first file.
    name = model.variables.get("COMPOSE_PROJECT_NAME") or model.data.get("name")
    if not isinstance(name, str) or not name:
        folder = FilePath(paths[0]).resolve().parent.name if paths else ""
        name = re.sub(r"[^a-z0-9_-]", "", folder.lower()) or "compose"
    return name


def _active_services(
    model: Located, services: dict[str, Any], profiles: Sequence[str], notes: Notes
) -> list[str]:
    """Return the services ``docker compose up`` starts with these profiles selected (else
    those COMPOSE_PROFILES names): each without profiles, and each with a selected one."""
    selected = list(profiles) or [
        name.strip() for name in model.variables.get("COMPOSE_PROFILES", "").split(",")
    ]
    selected = [name for name in selected if name]
    known = set()
    active = []
    left_out = []
    for name, service in services.items():
        own = service.get("profiles") if isinstance(service, dict) else None
        own = [str(p) for p in own] if isinstance(own, list) else []
        known.update(own)
        if not own or "*" in selected or set(own) & set(selected):
            active.append(name)
        else:
            left_out.append(f"{name} ({', '.join(own)})")
    for profile in selected:
        if profile != "*" and profile not in known:
            notes.warn(
                model.place(("services",)), "services", f"no service has the profile {profile!r}"
            )
    if not active:
        notes.stop(
            model.place(("services",)),
            "services",
            "no service to import: each has profiles, and none of them is selected"
            f" ({in_words(sorted(known))}); docker compose up starts none",
        )
    if left_out:
        notes.warn(
            model.place(("services",)),
            "services",
            f"{in_words(left_out)} {'is' if len(left_out) == 1 else 'are'} left out:"
            " docker compose up starts a service with profiles only when one of them is"
            " selected",
        )
    return active
