"""Find the specs a command line names: files, folders (every spec file below) and globs.

Links to folders are never followed, by a folder argument or a glob (``**`` included): a link
can point anywhere, or at its own parent, which makes a walk endless. A link to a *file* found
in a folder or by a glob is followed only when it resolves inside that folder (or the glob's
fixed base); one that resolves outside is refused when it would be read, with one line that
shows nothing of what it points to. A file named on the command line is read wherever it is.
Hidden files and folders are skipped: ``.git``, and the manifest diagramgen writes beside its
outputs (``.diagramgen.json``), which would otherwise be taken for a spec when the outputs
live inside the spec folder.
Each spec gets the name its outputs are written under: its path relative to the folder or
glob base it was found from, without ``.json`` (``specs/web/a.json`` found in ``specs/`` is
``web/a``). Two specs that would write the same output are an error before anything is done.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path, PurePosixPath

from msgspec import Struct

from ..errors import InvalidArgument
from ..spec.sources import SYNTAXES
from .atomic import walk_files

__all__ = ["STDIN", "Found", "existing", "find_specs", "spec_file"]

_MAGIC = set("*?[")
#: The argument that names standard input, where a command reads one spec from it.
STDIN = "-"
#: The suffixes of spec files: folders are searched for these.
SUFFIXES = tuple(suffix for suffixes in SYNTAXES.values() for suffix in suffixes)


class Found(Struct, frozen=True):
    """A spec file and the name (a relative POSIX path without suffix) its outputs take."""

    path: Path
    name: str
    #: The folder it was found in (a folder argument, or a glob's base): the file must resolve
    #: inside it. ``None`` for a file named on the command line.
    within: Path | None = None

    @property
    def stdin(self) -> bool:
        """Return whether this is standard input (the argument ``-``), not a file."""
        return self.within is None and str(self.path) == STDIN


def existing(argument: str | os.PathLike[str]) -> Path:
    """Return ``argument`` as a path; raise :class:`InvalidArgument` if nothing is there."""
    path = Path(argument)
    if not (path.exists() or path.is_symlink()):
        raise InvalidArgument(f"{argument}: no such file or folder")
    return path


def spec_file(argument: str | os.PathLike[str]) -> Path:
    """Return the path of one spec file; raise :class:`InvalidArgument` if there is none."""
    if Path(argument).is_dir():
        raise InvalidArgument(f"{argument}: is a folder; give a spec file")
    return existing(argument)


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


def _glob(pattern: str) -> list[Path]:
    """Return the files matching ``pattern`` (``*``, ``?``, ``[…]``, ``**`` for any folders).

    The walk is our own, not :mod:`glob`'s: ``**`` in :mod:`glob` follows links to folders, and
    two links to ``.`` make it walk 2^depth paths.
    """
    base = _glob_base(pattern)
    parts = Path(pattern).parts[len(base.parts) :]
    found: set[Path] = set()
    if parts:
        _walk_pattern(base, parts, found)
    return sorted(found)


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except OSError:  # not a folder, or unreadable: nothing matches below it
        return []


def _walk_pattern(folder: Path, parts: tuple[str, ...], found: set[Path]) -> None:
    head, rest = parts[0], parts[1:]
    if head == "**":
        if rest:
            _walk_pattern(folder, rest, found)  # ** matches no folder at all, too
        for entry in _entries(folder):
            if not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
                _walk_pattern(Path(entry.path), parts, found)
        return
    segment = re.compile(fnmatch.translate(head))
    for entry in _entries(folder):
        if not segment.match(entry.name):
            continue
        if entry.name.startswith(".") and not head.startswith("."):
            continue  # as in a shell, * does not match hidden names
        if rest:
            if entry.is_dir(follow_symlinks=False):
                _walk_pattern(Path(entry.path), rest, found)
        elif not _is_folder(entry):
            found.add(Path(entry.path))


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a link loop: not a folder, and read as a file it is refused
        return False


def _key(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a link loop
        return path.absolute()


def find_specs(arguments: list[str], *, stdin: bool = False) -> list[Found]:
    """Return the specs named by ``arguments``, in the order given, folders sorted by path.

    With ``stdin``, ``-`` alone names standard input (a :class:`Found` whose ``stdin`` is
    true). Raise :class:`InvalidArgument` for a path that does not exist, a glob that matches
    nothing, ``-`` beside other specs, or two specs that would write the same output.
    """
    if stdin and STDIN in arguments:
        if len(arguments) > 1:
            raise InvalidArgument(f"{STDIN} (stdin) cannot be combined with other specs")
        return [Found(Path(STDIN), "stdin")]
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
            found += [Found(spec, _name(spec, path), path) for spec in specs]
        elif path.exists():
            found.append(Found(path, _name(path, path.parent)))
        elif _MAGIC & set(argument):
            base = _glob_base(argument)
            specs = _glob(argument)
            if not specs:
                raise InvalidArgument(f"{argument}: no file matches this pattern")
            found += [Found(spec, _name(spec, base), base) for spec in specs]
        else:
            existing(argument)
    unique: dict[Path, Found] = {}
    for spec in found:
        unique.setdefault(_key(spec.path), spec)
    by_name: dict[str, Found] = {}
    for spec in unique.values():
        earlier = by_name.setdefault(spec.name, spec)
        if earlier is not spec:
            raise InvalidArgument(
                f"{earlier.path} and {spec.path} would both write outputs named {spec.name!r}"
            )
    return list(unique.values())
