"""Name the files an import reads: files, folders of them, and standard input (``-``).

A folder gives its ``*.yaml``, ``*.yml`` and ``*.json`` files sorted by name, as ``kubectl apply
-f DIR`` reads it; its subfolders too when ``recursive`` (``kubectl -R``), walked in the same
order. Hidden files and folders (``.github/``) are skipped. Links to folders are never
followed; a link to a file is read only when it resolves inside the folder it was found in.
Every file, and standard input, is read as every input is (:func:`.sources.read_documents`):
at most ``input-bytes`` of it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from ..errors import InvalidArgument
from ..files.discover import existing
from ..spec.limits import Limits
from .notes import Notes, Place
from .sources import STDIN_NAME, Document, read_documents

__all__ = ["MANIFEST_SUFFIXES", "STDIN", "Input", "find_inputs", "inputs_label", "read_input"]

#: The argument that names standard input.
STDIN = "-"
#: What a folder of manifests is read for, as ``kubectl apply -f DIR`` reads it.
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


class Input(msgspec.Struct, frozen=True):
    """One input: a file named or found in a folder, or standard input."""

    path: str
    #: The folder argument it was found in; None for a file named, or standard input.
    within: str | None = None

    @property
    def stdin(self) -> bool:
        """Return whether this is standard input."""
        return self.path == STDIN and self.within is None

    @property
    def name(self) -> str:
        """Return the name notes give this input: its path, or ``<stdin>``."""
        return STDIN_NAME if self.stdin else self.path


def find_inputs(
    arguments: Sequence[str | os.PathLike[str]],
    *,
    recursive: bool = False,
    suffixes: tuple[str, ...] = MANIFEST_SUFFIXES,
) -> list[Input]:
    """Return the inputs ``arguments`` name, in their order, each file once.

    Raise :class:`~diagramgen.InvalidArgument` for a path that names nothing, a folder with no
    file to read, or ``-`` given twice.
    """
    inputs: list[Input] = []
    seen: set[str] = set()
    for argument in arguments:
        text = os.fspath(argument)
        if text == STDIN:
            if any(found.stdin for found in inputs):
                raise InvalidArgument("- (standard input) is given twice; it can be read once")
            inputs.append(Input(STDIN))
            continue
        path = existing(argument)
        if path.is_dir():
            files = _folder_files(path, recursive, suffixes)
            if not files:
                wanted = ", ".join(f"*{suffix}" for suffix in suffixes)
                below = "" if recursive else " (its subfolders are read only when recursive)"
                raise InvalidArgument(f"{text}: no {wanted} files in this folder{below}")
            found = [Input(str(file), text) for file in files]
        else:
            found = [Input(text)]
        for item in found:
            key = _key(Path(item.path))
            if key not in seen:
                seen.add(key)
                inputs.append(item)
    return inputs


def _folder_files(folder: Path, recursive: bool, suffixes: tuple[str, ...]) -> list[Path]:
    """Return the files to read in ``folder``, in the order of their paths, without recursion
    (a folder nested ten thousand deep is walked like a flat one)."""
    found: list[Path] = []
    pending: list[os.DirEntry[str]] = list(reversed(_entries(folder)))
    while pending:
        entry = pending.pop()
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            if recursive:
                pending.extend(reversed(_entries(Path(entry.path))))
        elif entry.name.lower().endswith(suffixes) and not _links_to_folder(entry):
            found.append(Path(entry.path))
    return found


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except OSError as error:
        raise InvalidArgument(f"{folder}: cannot read the folder: {error.strerror}") from None


def _links_to_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a link loop: read as a file, it is refused with its reason
        return False


def _key(path: Path) -> str:
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):  # a link loop
        return str(path.absolute())


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop resolves nowhere
        return False


def read_input(
    item: Input, notes: Notes, limits: Limits, stdin: BinaryIO | None, **options: Any
) -> list[Document]:
    """Return the documents of one input (see :func:`.sources.read_documents` for
    ``options``); a file found in a folder that resolves outside it is refused, unread."""
    if item.within is not None and not _inside(Path(item.path), Path(item.within)):
        notes.fail(
            Place(item.name),
            "",
            f"is a link to a file outside {item.within}; refused (links may point only inside it)",
        )
        return []
    if item.stdin:
        if stdin is None:
            raise InvalidArgument("- names standard input, and no stream was given to read it")
        return read_documents(item.name, notes, limits, stream=stdin, **options)
    return read_documents(item.path, notes, limits, **options)


def inputs_label(arguments: Sequence[str | os.PathLike[str]], width: int) -> str:
    """Return a short name for what an import read, in at most ``width`` characters: the first
    argument's name (a folder's, a file's, or ``stdin``), then ``+ N more`` for the others."""
    if not arguments:
        return ""
    first = os.fspath(arguments[0])
    if first == STDIN:
        name = "stdin"
    else:
        path = Path(first)
        name = path.name or _key(path).rstrip("/").rpartition("/")[2] or first
    # A name that is not UTF-8 is shown escaped (x\xff), as a spec's own file name is.
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    more = f" + {len(arguments) - 1:,} more" if len(arguments) > 1 else ""
    room = max(width - len(more), 2)
    if len(name) > room:
        name = name[: room - 1] + "…"
    return name + more
