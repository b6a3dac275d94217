"""Two specs compared: their figures side by side, and one picture of both.

``compare`` returns the comparison; ``compare_files`` also writes its pictures (the command
line's ``compare``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from msgspec import Struct

from ..accounting import compute
from ..accounting.compare import Side, combine, comparison_data, measure
from ..draw.comparison import comparison_label
from ..files.atomic import write_file
from ..formats import FORMATS, format_of, verify_formats
from ..settings import DEFAULT_SETTINGS, Settings
from .picture import Drawing, SpecLike, load_spec, name_of

__all__ = ["Comparison", "compare", "compare_files", "comparison_base", "comparison_labels"]

Path_ = str | os.PathLike[str]


class Comparison(Struct, frozen=True):
    """Two specs compared: each side's figures, and the picture in each format asked for."""

    a: Side
    b: Side
    pictures: dict[str, bytes]

    def data(self) -> dict[str, Any]:
        """Return the comparison as JSON-ready data (millicores and bytes)."""
        return comparison_data(self.a, self.b)


def comparison_labels(first: SpecLike, second: SpecLike) -> tuple[str, str]:
    """Return the labels of two compared specs: their names, told apart when they are equal."""
    labels = (name_of(first), name_of(second))
    if labels[0] == labels[1]:
        return (f"A {labels[0]}", f"B {labels[1]}")
    return labels


def compare(
    first: SpecLike,
    second: SpecLike,
    formats: Iterable[str] = (),
    settings: Settings = DEFAULT_SETTINGS,
    *,
    labels: tuple[str, str] | None = None,
) -> Comparison:
    """Return two specs compared: their figures and, in each of ``formats``, one picture.

    The picture holds both specs' hosts (ids prefixed ``a.`` and ``b.``) and a panel setting
    their numbers side by side; the settings' name (default ``A-vs-B``) prefixes its SVG ids.
    ``labels`` name the two sides (default: the spec files' stems).
    """
    models = (load_spec(first, settings.limits), load_spec(second, settings.limits))
    labels = labels or comparison_labels(first, second)
    side_a, side_b = measure(labels[0], compute(models[0])), measure(labels[1], compute(models[1]))
    wanted = list(formats)
    pictures: dict[str, bytes] = {}
    if wanted:
        both = combine(models[0], models[1], labels)
        if settings.name is None:
            settings = settings.replace(name=f"{name_of(first)}-vs-{name_of(second)}")
        drawing = Drawing(
            both,
            settings,
            lambda theme, numbered: comparison_label(side_a, side_b, theme, both, numbered),
        )
        pictures = drawing.pictures(verify_formats(wanted))
    return Comparison(side_a, side_b, pictures)


def comparison_base(first: Path_, second: Path_, output: Path_ | None = None) -> Path:
    """Return where a comparison's pictures go, without suffix (``output/A-vs-B``).

    ``output`` may name the file with or without a format suffix (``cmp.svg``: ``cmp``;
    ``design-1.2``: the whole name).
    """
    if output is None:
        return Path("output") / f"{Path(first).stem}-vs-{Path(second).stem}"
    base = Path(output)
    form = format_of(base.name)
    if form is not None and base.name != form.suffix:
        return base.with_name(base.name.removesuffix(form.suffix))
    return base


def compare_files(
    first: Path_,
    second: Path_,
    output: Path_ | None = None,
    formats: Iterable[str] = ("svg",),
    settings: Settings = DEFAULT_SETTINGS,
) -> tuple[Comparison, list[Path]]:
    """Compare two spec files and write the picture in each format; return what was written."""
    base = comparison_base(first, second, output)
    comparison = compare(first, second, verify_formats(formats), settings.replace(name=base.name))
    written = []
    for kind, data in comparison.pictures.items():
        target = base.with_name(base.name + FORMATS[kind].suffix)
        write_file(target, data)
        written.append(target)
    return comparison, written
