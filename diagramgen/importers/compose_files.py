"""Read Compose files, the files they include and their variables, and merge them.

Variables (``${VAR}``, :mod:`.interpolation`) take their values from the ``.env`` file beside the
first Compose file, as Compose reads it by default, or instead from the env files given (as
``docker compose --env-file``), never from the process environment (:mod:`.envfiles`). Files
merge as ``docker compose -f a.yaml -f b.yaml`` merges them (:mod:`.compose_merge`).

``include`` reads each file it lists (a path, or ``{path, env_file, project_directory}``) as a
Compose project of its own, relative to the including file: its variables are the including
project's, then those of its ``env_file`` (else of the ``.env`` beside it); its services,
networks, volumes, secrets, configs and models are added, and the including file's definitions
are merged over them (recent Compose merges them; older versions refuse the file). Only files
inside the project folder (the first Compose file's) are read, at most :data:`MAX_INCLUDED`;
a file outside it, or remote, is not read, with a note.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path as FilePath
from typing import Any

from ..spec.limits import Limits
from .compose_merge import Located, combined, extend
from .envfiles import read_env_files
from .interpolation import InterpolationError, Report, Unset, interpolate_tree
from .notes import Notes, Path, Place, shown
from .sources import Document, display_name, mapping, parse_documents, pointer, read_text

__all__ = ["MAX_INCLUDED", "read_compose"]

#: Files read through ``include`` in one import (real projects include a handful).
MAX_INCLUDED = 100

_RESOURCES = ("services", "networks", "volumes", "secrets", "configs", "models")
#: A line with something on it (not blank, not a comment), and a document marker with no value.
_CONTENT = re.compile(r"^[ \t]*([^ \t\r\n#][^\r\n]*)", re.MULTILINE)
_MARKER = re.compile(r"(?:---|\.\.\.)(?:[ \t]+#.*)?[ \t\r]*")


def read_compose(
    paths: Sequence[str | os.PathLike[str]],
    notes: Notes,
    limits: Limits,
    env_files: Sequence[str | os.PathLike[str]] = (),
) -> Located:
    """Return the merged model of Compose files (YAML, or the JSON of ``docker compose config``),
    each read up to ``limits.input_bytes`` bytes; ``env_files`` replace the default ``.env``."""
    first = FilePath(paths[0]) if paths else FilePath("compose.yaml")
    reader = _Reader(first.resolve().parent, notes, limits)
    if env_files:
        variables = read_env_files(env_files, notes, limits)
        read = [display_name(path) for path in env_files]
    else:
        default = first.parent / ".env"
        found = reader.dotenv(default, {}, None)
        variables = found or {}
        read = [] if found is None else [display_name(default)]
    merged = Located({}, {})
    for path in paths:
        located = reader.file(path, variables, ())
        if located is not None:
            merged = combined(merged, located)
    services = merged.data.get("services")
    if isinstance(services, dict):
        for name in list(services):
            extend(merged, services, name, (), notes)
    merged.variables = variables
    merged.unset = reader.unset.values
    merged.unread = reader.unread
    merged.env_files = read
    merged.empty = [display_name(p) for p in paths if display_name(p) in reader.empty]
    reader.unset.note(notes)
    return merged


class _Unset:
    """The variables that values use but no file sets: one note a variable, at its first use."""

    def __init__(self) -> None:
        self.first: dict[Unset, tuple[Place, Path]] = {}
        self.count: dict[Unset, int] = {}
        self.values: dict[Place, tuple[str, tuple[str, ...]]] = {}

    def reporter(self, document: Document) -> Report:
        def report(path: Path, unset: Unset) -> None:
            place = document.place(path)
            written = document.data_at(path)
            text, names = self.values.get(place, (written if isinstance(written, str) else "", ()))
            if unset.name in names:
                return
            self.values[place] = (text, (*names, unset.name))
            self.first.setdefault(unset, (place, path))
            self.count[unset] = self.count.get(unset, 0) + 1

        return report

    def note(self, notes: Notes) -> None:
        for unset, (place, path) in self.first.items():
            more = self.count[unset] - 1
            also = f" (and in {more:,} more value{'s' if more > 1 else ''})" if more else ""
            notes.warn(place, path, unset.message() + also)


class _Reader:
    """Read Compose files and the files they include, within the project folder ``root``."""

    def __init__(self, root: FilePath, notes: Notes, limits: Limits) -> None:
        self.root = root
        self.notes = notes
        self.limits = limits
        self.unset = _Unset()
        self.included = 0
        self.empty: list[str] = []
        self.unread: list[str] = []

    def file(
        self, path: str | os.PathLike[str], variables: dict[str, str], chain: tuple[FilePath, ...]
    ) -> Located | None:
        """Return the model of one Compose file with the files it includes; None if it has none."""
        file = display_name(path)
        text = read_text(path, self.notes, self.limits)
        if text is None:
            return None
        if _empty(text):
            self.empty.append(file)
            self.notes.warn(Place(file), "", "is empty: nothing is read from it")
            return None
        documents = parse_documents(
            text, file, self.notes, keep_tags=True, entries=self.limits.components
        )
        if len(documents) > 1:
            self.notes.warn(Place(documents[1].file), "", "only the first YAML document is read")
        if not documents:
            return None
        document = documents[0]
        data = _prepare(document, self.notes, variables, self.unset.reporter(document))
        if data is None:
            return None
        places = {key: Place(file, *at) for key, at in document.positions.items()}
        located = Located(data, places)
        if "include" not in data:
            return located
        here = FilePath(path)
        return self.include(located, here.parent, variables, (*chain, here.resolve()))

    def include(
        self,
        located: Located,
        folder: FilePath,
        variables: dict[str, str],
        chain: tuple[FilePath, ...],
    ) -> Located:
        """Return ``located`` merged over the resources of the files its ``include`` lists."""
        entries = located.data.pop("include")
        if entries is None:
            return located
        if not isinstance(entries, list):
            self.fail(located, ("include",), "expected a list of files to include")
            return located
        included = Located({}, {})
        for index, entry in enumerate(entries):
            at: Path = ("include", index)
            files, env_files, project = _include_entry(entry)
            if files is None:
                self.fail(
                    located,
                    at,
                    "expected a path, or a mapping of path (and env_file, project_directory)",
                )
                continue
            targets = [self.inside(located, at, folder, name) for name in files]
            if targets[0] is None:
                continue
            project_folder = folder / project if project else targets[0].parent
            if env_files is None:
                own = self.dotenv(project_folder / ".env", variables, (located, at)) or variables
            else:
                own = self.variables_from(located, at, folder, env_files, variables)
            model = Located({}, {})
            for target in targets:
                found = self.included_file(located, at, target, own, chain)
                if found is not None:
                    model = combined(model, found)
            resources = Located({k: v for k, v in model.data.items() if k in _RESOURCES}, {})
            resources.places = model.places
            self.note_conflicts(resources, included)
            merged = combined(resources, included)  # an earlier include wins, as in Compose
            for key in _RESOURCES:  # and comes first
                if isinstance(merged.data.get(key), dict):
                    order = [*mapping(included.data.get(key)), *merged.data[key]]
                    merged.data[key] = {
                        name: merged.data[key][name] for name in dict.fromkeys(order)
                    }
            included = merged
        self.note_conflicts(included, located)
        return combined(included, located)

    def included_file(
        self,
        located: Located,
        at: Path,
        target: FilePath | None,
        variables: dict[str, str],
        chain: tuple[FilePath, ...],
    ) -> Located | None:
        if target is None:
            return None
        if target.resolve() in chain:
            names = " -> ".join(
                os.path.relpath(file, self.root) for file in (*chain, target.resolve())
            )
            self.fail(located, at, f"an include cycle ({names}): Compose refuses it")
            return None
        if self.included >= MAX_INCLUDED:
            self.fail(
                located,
                at,
                f"more than {MAX_INCLUDED} files are included; an import reads at most"
                f" {MAX_INCLUDED}",
            )
            return None
        self.included += 1
        return self.file(target, variables, chain)

    def inside(self, located: Located, at: Path, folder: FilePath, name: str) -> FilePath | None:
        """Return ``folder / name`` if it is a file of the project folder; else None, noted."""
        if "://" in name or name.startswith("git@"):
            self.skip(located, at, f"{shown(name)} is a remote resource: not read")
            return None
        path = folder / name
        if not path.resolve().is_relative_to(self.root):
            self.skip(
                located,
                at,
                f"{shown(name)} is outside the project folder (that of the first Compose file):"
                " not read",
            )
            return None
        return path

    def dotenv(
        self, path: FilePath, outer: dict[str, str], included: tuple[Located, Path] | None
    ) -> dict[str, str] | None:
        """Return ``outer`` with the variables of the ``.env`` file ``path`` that it does not
        set; None when there is no such file to read (or it is outside the project folder)."""
        if not path.exists() or path.is_dir():
            return None
        if not path.resolve().is_relative_to(self.root):
            message = f"{display_name(path)} is outside the project folder: not read"
            if included is None:
                self.notes.warn(Place(display_name(path)), "", message)
            else:
                self.skip(*included, message)
            return None
        own = read_env_files([path], self.notes, self.limits, outer)
        return {**outer, **{key: value for key, value in own.items() if key not in outer}}

    def variables_from(
        self,
        located: Located,
        at: Path,
        folder: FilePath,
        names: list[str],
        outer: dict[str, str],
    ) -> dict[str, str]:
        paths = [
            path
            for name in names
            if name != "/dev/null"  # Compose's way to read none
            and (path := self.inside(located, (*at, "env_file"), folder, name)) is not None
        ]
        own = read_env_files(paths, self.notes, self.limits, outer)
        return {**outer, **{key: value for key, value in own.items() if key not in outer}}

    def note_conflicts(self, base: Located, over: Located) -> None:
        """Note each service ``over`` defines that ``base``, an included file, defines too."""
        ours, theirs = over.data.get("services"), base.data.get("services")
        if not isinstance(ours, dict) or not isinstance(theirs, dict):
            return
        for name in ours:
            if name in theirs:
                path = ("services", name)
                self.notes.warn(
                    over.place(path),
                    path,
                    f"{name} is defined by an included file too: merged over it, as recent"
                    " Compose does (older versions refuse this)",
                )

    def fail(self, located: Located, path: Path, message: str) -> None:
        self.notes.fail(located.place(path), path, message)

    def skip(self, located: Located, path: Path, message: str) -> None:
        self.unread.append(message)
        self.notes.warn(located.place(path), path, message)


def _include_entry(entry: Any) -> tuple[list[str] | None, list[str] | None, str | None]:
    """Return the files, env files and project folder an ``include`` entry names."""
    if isinstance(entry, str):
        return [entry], None, None
    if not isinstance(entry, dict):
        return None, None, None
    files, env_files = _strings(entry.get("path")), _strings(entry.get("env_file"))
    project = entry.get("project_directory")
    if not files or (env_files is None and entry.get("env_file") is not None):
        return None, None, None
    return files, env_files, project if isinstance(project, str) else None


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def _empty(text: str) -> bool:
    """Return whether ``text`` holds no value: blank, or YAML of comments and markers."""
    return all(_MARKER.fullmatch(match.group(1)) for match in _CONTENT.finditer(text))


def _prepare(
    document: Document, notes: Notes, variables: dict[str, str], report: Report
) -> dict[str, Any] | None:
    if not isinstance(document.data, dict):
        notes.fail(Place(document.file, 1, 1), "", "is not a Compose file: expected a mapping")
        return None
    try:
        data: dict[str, Any] = interpolate_tree(document.data, (), variables, report)
    except InterpolationError as error:
        notes.fail(document.place(error.path), error.path, str(error))
        return None
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
