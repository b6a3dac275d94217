"""Turn Compose's ``depends_on`` into spec links, refusing what ``docker compose up`` refuses.

A link goes from a service to each service it depends on, labelled with the target's first
container port (``ports``, else ``expose``), e.g. ``TCP 5432``: the port the depending service
connects to. As Compose checks them, among the services that run (their profiles selected):

- a dependency on a service no file defines is refused;
- a dependency on a service whose profiles are not selected is refused, unless it is written
  ``required: false`` (then it is dropped, with a note);
- a service that depends on itself, or a cycle of dependencies, is refused at the entry that
  closes it.
"""

from __future__ import annotations

from typing import Any

from .compose_merge import Located
from .notes import Notes, shown
from .sources import mapping
from .specparts import link

__all__ = ["links"]


def links(
    model: Located,
    services: dict[str, Any],
    active: list[str],
    ids_of: dict[str, str],
    notes: Notes,
) -> list[dict[str, Any]]:
    """Return the links of the ``active`` services drawn (``ids_of``); record every problem."""
    running = set(active)
    edges: dict[str, list[str]] = {}
    result = []
    for name in active:
        targets = edges[name] = []
        for target, condition in mapping(mapping(services[name]).get("depends_on")).items():
            path = ("services", name, "depends_on", target)
            place = model.place(path)
            if target not in services:
                notes.fail(place, path, f"depends on an undefined service {shown(target)}")
            elif target not in running:
                if _required(condition):
                    notes.fail(
                        place,
                        path,
                        f"{target} does not run: its profiles ({_profiles(services[target])}) are"
                        " not selected, and docker compose up refuses a dependency on it"
                        " (select a profile of it, or make the dependency required: false)",
                    )
                else:
                    notes.warn(place, path, f"{target} is not in the selected profiles: no link")
            else:
                targets.append(target)
                if name in ids_of and target not in ids_of:
                    notes.warn(place, path, f"{target} is left out: no link")
                elif name in ids_of:
                    result.append(link(ids_of[name], ids_of[target], _port_label(services[target])))
    for source, target, cycle in _cycles(active, edges):
        path = ("services", source, "depends_on", target)
        if source == target:
            message = f"{source} depends on itself, which docker compose refuses"
        else:
            message = (
                f"makes a dependency cycle, which docker compose refuses: {' -> '.join(cycle)}"
            )
        notes.fail(model.place(path), path, message)
    notes.check()
    return result


def _required(condition: Any) -> bool:
    required = mapping(condition).get("required", True)
    if isinstance(required, str):  # interpolated: read as Compose casts it (strconv.ParseBool)
        return required not in ("0", "f", "F", "false", "FALSE", "False")
    return required is not False


def _profiles(service: Any) -> str:
    own = mapping(service).get("profiles")
    return ", ".join(map(str, own)) if isinstance(own, list) else ""


def _cycles(order: list[str], edges: dict[str, list[str]]) -> list[tuple[str, str, list[str]]]:
    """Return each dependency that closes a cycle, with the cycle (``a -> b -> a``).

    A depth-first walk in the order services and their dependencies are written; each edge
    back to a service on the walk's path closes one cycle (so each is found once, and the
    work is bounded by the number of dependencies whatever the graph).
    """
    done: set[str] = set()
    found = []
    for start in order:
        if start in done:
            continue
        path = [start]
        at = {start: 0}  # the services on the walk's path, by their index in it
        pending = [iter(edges[start])]
        while pending:
            target = next(pending[-1], None)
            if target is None:
                done.add(path[-1])
                del at[path.pop()]
                pending.pop()
            elif target in at:
                found.append((path[-1], target, _clipped([*path[at[target] :], target])))
            elif target not in done:
                at[target] = len(path)
                path.append(target)
                pending.append(iter(edges[target]))
    return found


def _clipped(cycle: list[str]) -> list[str]:
    """Return a cycle as a message shows it: at most 11 names (a line stays a line)."""
    if len(cycle) <= 11:
        return cycle
    return [*cycle[:5], f"… {len(cycle) - 10:,} more …", *cycle[-5:]]


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
