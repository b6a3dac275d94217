"""Find the specs a command line names: files, folders (every spec file below) and globs.

Links to folders are not followed (a link can point anywhere, or at its own parent), and
hidden files and folders are skipped: ``.git``, and the manifest diagramgen writes beside its
outputs (``.diagramgen.json``), which would otherwise be taken for a spec when the outputs
live inside the spec folder.
Each spec gets the name its outputs are written under: its path relative to the folder or
glob base it was found from, without ``.json`` (``specs/web/a.json`` found in ``specs/`` is
``web/a``). Two specs that would write the same output are an error before anything is done.
"""

from __future__ import annotations

import glob
from pathlib import Path, PurePosixPath

from msgspec import Struct

from ..errors import InvalidArgument
from ..spec.sources import SYNTAXES
from .atomic import walk_files

__all__ = ["Found", "find_specs"]

_MAGIC = set("*?[")
#: The suffixes of spec files: folders are searched for these.
SUFFIXES = tuple(suffix for suffixes in SYNTAXES.values() for suffix in suffixes)


class Found(Struct, frozen=True):
    """A spec file and the name (a relative POSIX path without suffix) its outputs take."""

    path: Path
    name: str


def _glob_base(pattern: str) -> Path:
    parts = []
    for part in Path(pattern).parts:
        if _MAGIC & set(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")


def _name(path: Path, base: Path) -> str:
    relative = path.relative_to(base) if path.is_relative_to(base) else Path(path.name)
    name = PurePosixPath(*relative.parts).with_suffix("")
    if any(part in ("", ".", "..") for part in name.parts):  # pragma: no cover - defensive
        raise InvalidArgument(f"{path}: cannot derive an output name")
    return str(name)


def _through_link(path: Path, base: Path) -> bool:
    """Return whether ``path`` is reached through a linked folder below ``base`` (``**`` follows
    links; folder arguments do not, and globs should not either)."""
    folder = path.parent
    while folder != base and folder != folder.parent and base in folder.parents:
        if folder.is_symlink():
            return True
        folder = folder.parent
    return False


def find_specs(arguments: list[str]) -> list[Found]:
    """Return the specs named by ``arguments``, in the order given, folders sorted by path.

    Raise :class:`InvalidArgument` for a path that does not exist, a glob that matches nothing, or
    two specs that would write the same output.
    """
    found: list[Found] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            specs = [
                p
                for p in walk_files(path)
                if p.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            ]
            if not specs:
                raise InvalidArgument(f"{argument}: no spec files (*.json, *.yaml, *.yml) here")
            found += [Found(spec, _name(spec, path)) for spec in specs]
        elif path.exists():
            found.append(Found(path, _name(path, path.parent)))
        elif _MAGIC & set(argument):
            base = _glob_base(argument)
            matches = sorted(Path(m) for m in glob.glob(argument, recursive=True))
            specs = [m for m in matches if m.is_file() and not _through_link(m, base)]
            if not specs:
                raise InvalidArgument(f"{argument}: no file matches this pattern")
            found += [Found(spec, _name(spec, base)) for spec in specs]
        else:
            raise InvalidArgument(f"{argument}: no such file or folder")
    unique: dict[Path, Found] = {}
    for spec in found:
        unique.setdefault(spec.path.resolve(), spec)
    by_name: dict[str, Found] = {}
    for spec in unique.values():
        earlier = by_name.setdefault(spec.name, spec)
        if earlier is not spec:
            raise InvalidArgument(
                f"{earlier.path} and {spec.path} would both write outputs named {spec.name!r}"
            )
    return list(unique.values())
