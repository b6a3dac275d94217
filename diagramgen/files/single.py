"""Files written one at a time: a comparison's pictures, a starter spec."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..api import DEFAULT_WIDTH, Comparison, compare, comparison_labels
from ..engines import Engine
from ..errors import InvalidArgument, OutputError
from ..formats import FORMATS, verify_formats
from ..spec import DEFAULT_LIMITS, Limits
from ..spec.starters import starter_text
from .atomic import write_file

__all__ = ["compare_files", "comparison_base", "write_spec_text", "write_starter"]

Path_ = str | os.PathLike[str]


def comparison_base(first: Path_, second: Path_, output: Path_ | None = None) -> Path:
    """Return where a comparison's pictures go, without suffix (``output/A-vs-B``).

    ``output`` may name the file with or without a format suffix (``cmp.svg``: ``cmp``;
    ``design-1.2``: the whole name).
    """
    if output is None:
        return Path("output") / f"{Path(first).stem}-vs-{Path(second).stem}"
    base = Path(output)
    if base.suffix in {form.suffix for form in FORMATS.values()}:
        base = base.with_suffix("")
    return base


def compare_files(
    first: Path_,
    second: Path_,
    output: Path_ | None = None,
    formats: Iterable[str] = ("svg",),
    *,
    theme: str = "light",
    engine: str | Engine = "auto",
    limits: Limits = DEFAULT_LIMITS,
    width: int = DEFAULT_WIDTH,
    text: str = "font",
) -> tuple[Comparison, list[Path]]:
    """Compare two spec files and write the picture in each format; return what was written."""
    base = comparison_base(first, second, output)
    comparison = compare(
        first,
        second,
        verify_formats(formats),
        labels=comparison_labels(first, second),
        theme=theme,
        engine=engine,
        name=base.name,
        limits=limits,
        width=width,
        text=text,
    )
    written = []
    for kind, data in comparison.pictures.items():
        target = base.with_name(f"{base.name}.{kind}")
        write_file(target, data)
        written.append(target)
    return comparison, written


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
