"""Merge Compose models as ``docker compose -f a.yaml -f b.yaml`` does, keeping every place.

The rules (the Compose specification's "merge" section):

- mappings merge key by key, the later file winning for scalars; an empty value (null) leaves
  what an earlier file gave as it was;
- sequences are appended (later items after earlier ones), except ``command``, ``entrypoint``
  and ``healthcheck.test``, which the later file replaces, and ``ports``, ``expose``,
  ``volumes``, ``secrets`` and ``configs``, where an item with the same unique key (ports: host
  IP, published port, target, protocol; volumes/secrets/configs: target) replaces the earlier;
- ``depends_on`` is merged in its long (mapping) form, so a list in one file and a mapping in the
  other combine;
- ``!reset`` removes a value, ``!override`` replaces it instead of merging;
- a value of another kind (a list over a mapping, a scalar over either) replaces.

``extends`` within the merged files (``extends: base`` or ``{service: base}``) is followed; one
naming another ``file`` is not, with a note. Positions follow the values: a merged value stands
where the file that gave it wrote it.
"""

from __future__ import annotations

from typing import Any

from .notes import Notes, Path, Place, shown
from .sources import Tagged, pointer

__all__ = ["Located", "combined", "extend"]

_REPLACED = {"command", "entrypoint", "test"}
_UNIQUE = {"ports", "expose", "volumes", "secrets", "configs"}
_RESET = object()


class Located:
    """Merged data and, for every value, the place in the input files that gave it."""

    def __init__(self, data: dict[str, Any], places: dict[str, Place]) -> None:
        self.data = data
        self.places = places
        #: The variables ``${VAR}`` took values from (COMPOSE_PROFILES is one, as in Compose).
        self.variables: dict[str, str] = {}
        #: Values that use variables not set, by place: the value as written, and those names.
        self.unset: dict[Place, tuple[str, tuple[str, ...]]] = {}
        #: The env files read (the default ``.env``, or those given).
        self.env_files: list[str] = []
        #: The files given that hold nothing (blank, or only comments).
        self.empty: list[str] = []
        #: Why each included file that was not read was not (outside the project folder …).
        self.unread: list[str] = []

    def place(self, path: Path) -> Place:
        """Return where ``path`` stands; a missing value stands where its nearest parent does."""
        for length in range(len(path), -1, -1):
            found = self.places.get(pointer(path[:length]))
            if found is not None:
                return found
        return Place("")


def combined(base: Located, over: Located) -> Located:
    """Return ``over`` merged onto ``base``, each value keeping its place."""
    result = Located({}, {})
    for part in (base, over):
        result.data = _merge(result.data, part.data, (), result.places, part, ())
    return result


def extend(
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
    extend(merged, services, base_name, (*chain, name), notes)
    places: dict[str, Place] = {}
    here = ("services", name)
    _copy_places(merged, ("services", base_name), places, here)
    services[name] = _merge(dict(services[base_name]), service, here, places, merged, here)
    _drop_places(merged.places, here)
    merged.places.update(places)


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
    if over is None and base is not None:
        return base  # an empty value changes nothing (compose-go's MergeYaml)
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
