"""Spec files written whole: a starter spec, an imported spec."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InvalidArgument, OutputError
from ..spec.sources import SYNTAXES, syntax_of, verify_syntax
from ..spec.starters import starter_text
from .atomic import write_file

__all__ = ["write_spec_text", "write_starter"]

Path_ = str | os.PathLike[str]


def write_starter(
    path: Path_ | None, stack: str, *, syntax: str | None = None, force: bool = False
) -> Path:
    """Write the starter spec for ``stack`` and return where; refuse to overwrite without
    ``force``.

    ``syntax`` (``json`` or ``yaml``) defaults to the one ``path``'s suffix names; ``path``
    defaults to ``spec.json`` or ``spec.yaml``. A syntax the suffix contradicts is refused:
    every command would read the file as the other.
    """
    chosen = verify_syntax(syntax) if syntax else ("json" if path is None else syntax_of(path))
    target = Path(path) if path is not None else Path(f"spec{SYNTAXES[chosen][0]}")
    read_as = syntax_of(target)
    if chosen != read_as:
        raise InvalidArgument(
            f"{target}: would be read as {read_as.upper()}, not {chosen.upper()}; "
            f"name it {target.stem}{SYNTAXES[chosen][0]} or leave out the format"
        )
    return write_spec_text(target, starter_text(stack, chosen), force)


def write_spec_text(path: Path_, text: str, force: bool = False) -> Path:
    """Write a spec's text to ``path`` whole; refuse to overwrite without ``force``."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give the path of the spec file to write")
    if target.exists() and not force:
        raise InvalidArgument(f"{path}: already exists", rule="exists")
    write_file(target, text.encode("utf-8"))
    return target
