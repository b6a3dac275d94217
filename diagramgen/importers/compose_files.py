"""Read Compose files and merge them as ``docker compose -f a.yaml -f b.yaml`` does.

Merge rules implemented (the Compose specification's "merge" section):

- mappings merge key by key, the later file winning for scalars;
- sequences are appended (later items after earlier ones), except ``command``, ``entrypoint``
  and ``healthcheck.test``, which the later file replaces, and ``ports``, ``expose``,
  ``volumes``, ``secrets`` and ``configs``, where an item with the same unique key (ports: host
  IP, published port, target, protocol; volumes/secrets/configs: target) replaces the earlier;
- ``depends_on`` is merged in its long (mapping) form, so a list in one file and a mapping in the
  other combine;
- ``!reset`` removes a value, ``!override`` replaces it instead of merging;
- a value of another kind (a list over a mapping, a scalar over either) replaces.

``extends`` within the merged files (``extends: base`` or ``{service: base}``) is followed; an
``extends`` naming another ``file`` and a top-level ``include`` are not, with a warning.
Positions follow the values: a merged value stands where the file that gave it wrote it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ..spec.limits import Limits
from .interpolation import InterpolationError, interpolate_tree
from .notes import Notes, Path, Place, shown
from .sources import Document, Tagged, pointer, read_documents

__all__ = ["Located", "read_compose"]

_REPLACED = {"command", "entrypoint", "test"}
_UNIQUE = {"ports", "expose", "volumes", "secrets", "configs"}
_RESET = object()


class Located:
    """Merged data and, for every value, the place in the input files that gave it."""

    def __init__(self, data: dict[str, Any], places: dict[str, Place]) -> None:
        self.data = data
        self.places = places

    def place(self, path: Path) -> Place:
        """Return where ``path`` stands; a missing value stands where its nearest parent does."""
        for length in range(len(path), -1, -1):
            found = self.places.get(pointer(path[:length]))
            if found is not None:
                return found
        return Place("")


def read_compose(paths: Sequence[str | os.PathLike[str]], notes: Notes, limits: Limits) -> Located:
    """Return the merged model of Compose files (YAML, or the JSON of ``docker compose config``),
    each read up to ``limits.input_bytes`` bytes."""
    merged = Located({}, {})
    for path in paths:
        documents = read_documents(path, notes, limits, keep_tags=True)
        if len(documents) > 1:
            notes.warn(Place(documents[1].file), "", "only the first YAML document is read")
        for document in documents[:1]:
            data = _prepare(document, notes)
            if data is not None:
                places = {key: Place(document.file, *at) for key, at in document.positions.items()}
                merged.data = _merge(
                    merged.data, data, (), merged.places, Located(data, places), ()
                )
    services = merged.data.get("services")
    if isinstance(services, dict):
        for name in list(services):
            _extend(merged, services, name, (), notes)
    return merged


def _extend(
    merged: Located, services: dict[str, Any], name: str, chain: tuple[str, ...], notes: Notes
) -> None:
    """Merge the service ``name`` onto the service it ``extends`` (resolved first)."""
    service = services[name]
    if not isinstance(service, dict) or "extends" not in service:
        return
    path = ("services", name, "extends")
    extends = service.pop("extends")
    base_name = extends.get("service") if isinstance(extends, dict) else extends
    if isinstance(extends, dict) and extends.get("file"):
        notes.warn(merged.place(path), path, "extends from another file is not followed")
        return
    if base_name == name or base_name in chain:
        notes.fail(merged.place(path), path, f"extends makes a cycle through {shown(base_name)}")
        return
    if not isinstance(base_name, str) or not isinstance(services.get(base_name), dict):
        notes.fail(merged.place(path), path, f"extends an unknown service {shown(base_name)}")
        return
    _extend(merged, services, base_name, (*chain, name), notes)
    places: dict[str, Place] = {}
    here = ("services", name)
    _copy_places(merged, ("services", base_name), places, here)
    services[name] = _merge(dict(services[base_name]), service, here, places, merged, here)
    _drop_places(merged.places, here)
    merged.places.update(places)


def _prepare(document: Document, notes: Notes) -> dict[str, Any] | None:
    if not isinstance(document.data, dict):
        notes.fail(Place(document.file, 1, 1), "", "is not a Compose file: expected a mapping")
        return None

    def warn(path: Path, message: str) -> None:
        notes.warn(document.place(path), path, message)

    try:
        data: dict[str, Any] = interpolate_tree(document.data, (), warn)
    except InterpolationError as error:
        notes.fail(document.place(error.path), error.path, str(error))
        return None
    if "include" in data:
        notes.warn(document.place(("include",)), "include", "included files are not read")
    services = data.get("services")
    if isinstance(services, dict):
        for name, service in services.items():
            if isinstance(service, dict) and isinstance(service.get("depends_on"), list):
                _depends_on_as_mapping(service, ("services", name, "depends_on"), document)
    return data


def _depends_on_as_mapping(service: dict[str, Any], path: Path, document: Document) -> None:
    mapping: dict[str, Any] = {}
    for index, name in enumerate(service["depends_on"]):
        if isinstance(name, str):
            mapping[name] = {"condition": "service_started"}
            found = document.positions.get(pointer((*path, index)))
            if found:
                document.positions[pointer((*path, name))] = found
    service["depends_on"] = mapping


def _copy_places(source: Located, src: Path, target: dict[str, Place], dst: Path) -> None:
    _drop_places(target, dst)
    prefix, new = pointer(src), pointer(dst)
    for key, place in source.places.items():
        if key == prefix or key.startswith(prefix + "/"):
            target[new + key[len(prefix) :]] = place


def _drop_places(target: dict[str, Place], path: Path) -> None:
    prefix = pointer(path)
    for key in [k for k in target if k == prefix or k.startswith(prefix + "/")]:
        del target[key]


def _untag(value: Any) -> Any:
    if isinstance(value, Tagged):
        return _RESET if value.tag == "!reset" else _untag(value.value)
    if isinstance(value, dict):
        return {k: v for k, v in ((k, _untag(v)) for k, v in value.items()) if v is not _RESET}
    if isinstance(value, list):
        return [item for item in map(_untag, value) if item is not _RESET]
    return value


def _merge(
    base: Any, over: Any, dst: Path, places: dict[str, Place], source: Located, src: Path
) -> Any:
    """Return ``over`` merged onto ``base``; ``_RESET`` when the value is to go."""
    if isinstance(over, Tagged) and over.tag in ("!reset", "!override"):
        if over.tag == "!reset":
            _drop_places(places, dst)
            return _RESET
        _copy_places(source, src, places, dst)
        return _untag(over.value)
    if isinstance(base, dict) and isinstance(over, dict):
        result = dict(base)
        for key, value in over.items():
            if key in base:
                merged = _merge(base[key], value, (*dst, key), places, source, (*src, key))
            else:
                merged = _untag(value)
                _copy_places(source, (*src, key), places, (*dst, key))
            if merged is _RESET:
                result.pop(key, None)
                _drop_places(places, (*dst, key))
            else:
                result[key] = merged
        return result
    key = dst[-1] if dst else None
    if isinstance(base, list) and isinstance(over, list) and key not in _REPLACED:
        result_list = list(base)
        keys = [_unique_key(key, item) for item in base] if key in _UNIQUE else []
        for index, item in enumerate(_untag(over)):
            at = len(result_list)
            if key in _UNIQUE:
                unique = _unique_key(key, item)
                if unique in keys:
                    at = keys.index(unique)
                else:
                    keys.append(unique)
            if at == len(result_list):
                result_list.append(item)
            else:
                result_list[at] = item
            _copy_places(source, (*src, index), places, (*dst, at))
        return result_list
    _copy_places(source, src, places, dst)
    return _untag(over)


def _unique_key(key: str | int | None, item: Any) -> Any:
    if key == "ports":
        return _port_key(item)
    if isinstance(item, dict):
        return item.get("target") or item.get("source") or repr(sorted(item.items()))
    text = str(item)
    if key == "volumes":
        parts = text.split(":")
        return parts[1] if len(parts) > 1 else parts[0]
    return text


def _port_key(item: Any) -> tuple[str, str, str, str]:
    if isinstance(item, dict):
        return (
            str(item.get("host_ip", "")),
            str(item.get("published", "")),
            str(item.get("target", "")),
            str(item.get("protocol", "tcp")),
        )
    text, _, protocol = str(item).partition("/")
    parts = text.rsplit(":", 2)
    target = parts[-1]
    published = parts[-2] if len(parts) > 1 else ""
    host_ip = parts[0] if len(parts) > 2 else ""
    return host_ip, published, target, protocol or "tcp"
