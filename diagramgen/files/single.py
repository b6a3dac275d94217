"""Spec files written whole: a starter spec, an imported spec."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InvalidArgument, OutputError
from ..spec.starters import starter_text
from .atomic import write_file

__all__ = ["write_spec_text", "write_starter"]

Path_ = str | os.PathLike[str]


def write_starter(path: Path_, stack: str, force: bool = False, syntax: str = "json") -> Path:
    """Write the starter spec for ``stack`` to ``path``; refuse to overwrite without ``force``."""
    return write_spec_text(path, starter_text(stack, syntax), force)


def write_spec_text(path: Path_, text: str, force: bool = False) -> Path:
    """Write a spec's text to ``path`` whole; refuse to overwrite without ``force``."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give the path of the spec file to write")
    if target.exists() and not force:
        raise InvalidArgument(f"{path}: already exists; use --force to overwrite it")
    write_file(target, text.encode("utf-8"))
    return target
