"""The library's verbs, composed from the stages: ``render``, ``totals``, ``compare``.

Each takes a spec as a model, or as a path to load; each names the same thing the command line
verb of the same name does. The engine is chosen here, once, unless the caller passes one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from msgspec import Struct

from .draw.comparison import comparison_label
from .draw.layout import to_dot
from .draw.themes import verify_theme
from .engines import Engine, select_engine
from .errors import EngineError, PartialRender
from .formats import FORMATS, RASTER_DPI, Finishing, Format, verify_formats
from .spec import DEFAULT_LIMITS, Limits, Spec, load
from .totals import Totals, compute
from .totals.compare import Side, combine, comparison_data, measure

__all__ = ["MAX_RASTER", "Comparison", "Options", "compare", "render", "totals"]

#: cairo cannot draw a PNG wider or taller than this many pixels.
MAX_RASTER = 32767
_SVG_SIZE = re.compile(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')

SpecLike = Spec | str | os.PathLike[str]


class Options(Struct, frozen=True):
    """How a picture looks: its theme, and whether the SVG carries its font."""

    theme: str = "light"
    embed_fonts: bool = True

    def __post_init__(self) -> None:
        verify_theme(self.theme)


def _spec(spec: SpecLike, limits: Limits) -> Spec:
    return spec if isinstance(spec, Spec) else load(spec, limits)


def _name(spec: SpecLike, name: str | None) -> str:
    if name is not None:
        return name
    return "diagram" if isinstance(spec, Spec) else Path(spec).stem


def totals(spec: SpecLike, limits: Limits = DEFAULT_LIMITS) -> Totals:
    """Return the totals of a spec (a model or a path): per host and VM, diagram, warnings."""
    return compute(_spec(spec, limits))


def render(
    spec: SpecLike,
    formats: Iterable[str] = ("svg",),
    *,
    theme: str = "light",
    engine: str | Engine = "auto",
    name: str | None = None,
    embed_fonts: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    panel: str | None = None,
) -> dict[str, bytes]:
    """Return the picture of ``spec`` in each format, keyed by format.

    ``name`` (default: the spec file's stem) prefixes the SVG's element ids; ``panel`` replaces
    the totals panel (an HTML-like label, as :func:`compare` draws). A format that cannot be made
    (a PNG above the picture limit) fails alone: :class:`PartialRender` carries the others.
    """
    model = _spec(spec, limits)
    wanted = verify_formats(formats)
    options = Options(theme, embed_fonts)
    dot = to_dot(model, compute(model), verify_theme(options.theme), panel)
    drawn = [FORMATS[output] for output in wanted if FORMATS[output].graphviz]
    chosen = engine if isinstance(engine, Engine) or not drawn else select_engine(engine)
    label = _name(spec, name)
    picture = Finishing(model.title or label, model.description, label, options.embed_fonts)
    # The SVG is drawn whenever a PNG is: its size says whether the PNG can be made.
    svg = b""
    if {"svg", "png"} & set(wanted):
        assert isinstance(chosen, Engine)
        svg = chosen.render(dot, "svg")
    results: dict[str, bytes] = {}
    failures: dict[str, EngineError] = {}
    for output in wanted:
        form = FORMATS[output]
        if form.graphviz is None:
            results[output] = dot.encode("utf-8")
            continue
        assert isinstance(chosen, Engine)
        try:
            if output == "png":
                _check_raster(svg, limits)
            data = svg if output == "svg" else chosen.render(dot, form.graphviz, form.arguments)
            results[output] = _finish(form, data, picture)
        except EngineError as error:  # this format cannot be made; the others may be
            failures[output] = error
    if failures and not results:
        raise next(iter(failures.values()))
    if failures:
        raise PartialRender(results, {name: str(error) for name, error in failures.items()})
    return results


def _finish(form: Format, data: bytes, picture: Finishing) -> bytes:
    """Return an engine's picture finished; one that cannot be read is the engine's failure."""
    try:
        return form.finish(data, picture)
    except (ValueError, OSError) as error:  # not an SVG, not a PNG: a broken system `dot`
        raise EngineError(f"Graphviz's {form.name} output cannot be read ({error})") from None


def _check_raster(svg: bytes, limits: Limits) -> None:
    """Refuse a PNG that cairo would cut off or that is above the picture limit."""
    size = _SVG_SIZE.search(svg)
    if size is None:
        return
    width, height = (round(float(value) * RASTER_DPI / 72) for value in size.groups())
    if max(width, height) > MAX_RASTER:
        raise EngineError(
            f"the picture would be {width} x {height} px as PNG at {RASTER_DPI} dpi, more than "
            f"the {MAX_RASTER} px a PNG side can have; render SVG or PDF instead"
        )
    if width * height > limits.picture:
        raise EngineError(
            f"the picture would be {width} x {height} px as PNG ({width * height:,} pixels); "
            f"{limits.hint('picture')} pixels, or render SVG or PDF instead"
        )


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
    labels = (_name(first, None), _name(second, None))
    if labels[0] == labels[1]:
        return (f"A {labels[0]}", f"B {labels[1]}")
    return labels


def compare(
    first: SpecLike,
    second: SpecLike,
    formats: Iterable[str] = (),
    *,
    labels: tuple[str, str] | None = None,
    theme: str = "light",
    engine: str | Engine = "auto",
    name: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Comparison:
    """Return two specs compared: their figures and, in each of ``formats``, one picture.

    The picture holds both specs' hosts (ids prefixed ``a.`` and ``b.``) and a panel setting
    their numbers side by side; ``name`` (default ``A-vs-B``) prefixes its SVG ids.
    """
    models = (_spec(first, limits), _spec(second, limits))
    labels = labels or comparison_labels(first, second)
    side_a, side_b = measure(labels[0], compute(models[0])), measure(labels[1], compute(models[1]))
    wanted = list(formats)
    pictures: dict[str, bytes] = {}
    if wanted:
        panel = comparison_label(side_a, side_b, verify_theme(theme))
        both = combine(models[0], models[1], labels)
        default = f"{_name(first, None)}-vs-{_name(second, None)}"
        pictures = render(
            both,
            wanted,
            theme=theme,
            engine=engine,
            name=name or default,
            limits=limits,
            panel=panel,
        )
    return Comparison(side_a, side_b, pictures)
