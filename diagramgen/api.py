"""The library's verbs, composed from the stages: ``render``, ``totals``, ``compare``.

Each takes a spec as a model, or as a path to load; each names the same thing the command line
verb of the same name does. The engine is chosen here, once, unless the caller passes one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from msgspec import Struct

from .accounting import Totals, compute
from .accounting.compare import Side, combine, comparison_data, measure
from .accounting.describe import describe
from .draw.cells import Label
from .draw.comparison import comparison_label
from .draw.layout import DEFAULT_WIDTH, MIN_WIDTH, to_dot
from .draw.svg import verify_text
from .draw.themes import AUTO, Theme, auto_colours, drawn_theme, verify_theme
from .engines import Engine, select_engine
from .errors import EngineError, InvalidArgument, PartialRender
from .formats import FORMATS, RASTER_DPI, Finishing, Format, verify_formats
from .spec import DEFAULT_LIMITS, Limits, Spec, load

__all__ = ["DEFAULT_WIDTH", "MAX_RASTER", "Comparison", "Options", "compare", "render", "totals"]

#: cairo cannot draw a PNG wider or taller than this many pixels.
MAX_RASTER = 32767
_SVG_SIZE = re.compile(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')

SpecLike = Spec | str | os.PathLike[str]


class Options(Struct, frozen=True):
    """How a picture looks: its theme, whether the SVG carries its font, how it draws text.

    ``theme="auto"`` is one SVG that follows the reader's ``prefers-color-scheme`` (light
    and dark); PNG, PDF and DOT draw it light. ``text="paths"`` draws SVG text as outlines.
    """

    theme: str = "light"
    embed_fonts: bool = True
    text: str = "font"
    #: The width budget in CSS px: the column the picture is laid out for.
    width: int = DEFAULT_WIDTH

    def __post_init__(self) -> None:
        verify_theme(self.theme)
        verify_text(self.text)
        _width(self.width)


def _width(width: int) -> int:
    if isinstance(width, bool) or not isinstance(width, int) or width < MIN_WIDTH:
        raise InvalidArgument(f"width must be a whole number of CSS px, at least {MIN_WIDTH}")
    return width


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
    panel: Label | None = None,
    text: str = "font",
    width: int = DEFAULT_WIDTH,
) -> dict[str, bytes]:
    """Return the picture of ``spec`` in each format, keyed by format.

    ``name`` (default: the spec file's stem) prefixes the SVG's element ids; ``panel`` replaces
    the totals panel (as :func:`compare` draws); ``width`` is the budget in CSS px the picture
    is laid out for (VMs and workloads wrap into rows, the panel moves below the hosts).
    ``theme="auto"`` follows
    the reader's colour scheme in SVG and is light elsewhere; ``text="paths"`` draws the SVG's
    text as outlines of the bundled font. Without a spec ``description``, the SVG's is
    written from the totals. A format that cannot be made (a PNG above the picture limit)
    fails alone: :class:`PartialRender` carries the others.
    """
    return _render(
        spec,
        formats,
        Options(theme, embed_fonts, text, width),
        engine,
        name,
        limits,
        None if panel is None else (lambda _: panel),
    )


def _render(
    spec: SpecLike,
    formats: Iterable[str],
    options: Options,
    engine: str | Engine,
    name: str | None,
    limits: Limits,
    panel: Callable[[Theme], Label] | None,
) -> dict[str, bytes]:
    model = _spec(spec, limits)
    wanted = verify_formats(formats)
    figures = compute(model)
    dots: dict[bool, str] = {}

    def dot_for(svg: bool) -> str:
        # auto draws its SVG in placeholder colours (the finisher maps them to light and
        # dark) and everything else light: two DOTs, one layout (colours never move a box).
        key = svg and options.theme == AUTO
        if key not in dots:
            theme = drawn_theme(options.theme, svg)
            label = panel(theme) if panel else None
            dots[key] = to_dot(model, figures, theme, label, options.width)
        return dots[key]

    drawn = [FORMATS[output] for output in wanted if FORMATS[output].graphviz]
    chosen = engine if isinstance(engine, Engine) or not drawn else select_engine(engine)
    label = _name(spec, name)
    picture = Finishing(
        model.title or label,
        model.description or describe(model, figures),
        label,
        options.embed_fonts,
        options.text,
        auto_colours() if options.theme == AUTO else None,
    )
    # The SVG is drawn whenever a PNG is: its size says whether the PNG can be made.
    svg = b""
    if {"svg", "png"} & set(wanted):
        assert isinstance(chosen, Engine)
        svg = chosen.render(dot_for(True), "svg", FORMATS["svg"].arguments)
    results: dict[str, bytes] = {}
    failures: dict[str, EngineError] = {}
    for output in wanted:
        form = FORMATS[output]
        if form.graphviz is None:
            results[output] = dot_for(False).encode("utf-8")
            continue
        assert isinstance(chosen, Engine)
        try:
            if output == "png":
                _check_raster(svg, limits)
            data = (
                svg
                if output == "svg"
                else chosen.render(dot_for(False), form.graphviz, form.arguments)
            )
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
    embed_fonts: bool = True,
    text: str = "font",
    width: int = DEFAULT_WIDTH,
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
        both = combine(models[0], models[1], labels)
        default = f"{_name(first, None)}-vs-{_name(second, None)}"
        pictures = _render(
            both,
            wanted,
            Options(theme, embed_fonts, text, width),
            engine,
            name or default,
            limits,
            lambda drawn: comparison_label(side_a, side_b, drawn, both),
        )
    return Comparison(side_a, side_b, pictures)
