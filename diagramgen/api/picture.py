"""One spec's verbs: its totals, and its picture in each format asked for.

Each takes a spec as a model, or as a path to load, and the :class:`~diagramgen.Settings` to
draw with, whole; each names the same thing as the command line verb of the same name.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from msgspec import Struct

from .. import __version__
from ..accounting import Totals, compute
from ..accounting.describe import describe
from ..draw.cells import Label
from ..draw.drawio import drawio_file, embed_drawio, svg_frame
from ..draw.layout import Marking, placement, to_dot
from ..draw.themes import AUTO, Theme, drawn_theme, verify_theme
from ..engines import Engine
from ..errors import EngineError, PartialRender
from ..files.discover import spec_file
from ..files.manifest import digest
from ..files.origin import Origin, origin_of
from ..formats import DOT, FORMATS, PAGE, RASTER_DPI, Caption, Format, verify_formats
from ..settings import DEFAULT_SETTINGS, Settings
from ..spec import DEFAULT_LIMITS, Limits, Spec, load, load_text, read_spec_file, syntax_of
from ..spec.limits import limit_rule

__all__ = [
    "MAX_RASTER",
    "Drawing",
    "Drawn",
    "SpecLike",
    "draw",
    "load_spec",
    "name_of",
    "render",
    "totals",
]

#: cairo cannot draw a PNG wider or taller than this many pixels.
MAX_RASTER = 32767
_SVG_SIZE = re.compile(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')

SpecLike = Spec | str | os.PathLike[str]


def load_spec(spec: SpecLike, limits: Limits = DEFAULT_LIMITS) -> Spec:
    """Return ``spec`` if it is a model, else the model of the spec file it names.

    A path that names no file is an :class:`InvalidArgument`; a file that is no valid spec,
    :class:`SpecInvalid`.
    """
    return spec if isinstance(spec, Spec) else load(spec_file(spec), limits)


def name_of(spec: SpecLike, settings: Settings = DEFAULT_SETTINGS) -> str:
    """Return the name a picture of ``spec`` goes by: the settings', or the spec file's stem."""
    if settings.name is not None:
        return settings.name
    return "diagram" if isinstance(spec, Spec) else Path(spec).stem


def totals(spec: SpecLike, limits: Limits = DEFAULT_LIMITS) -> Totals:
    """Return the totals of a spec (a model or a path): per host and VM, diagram, warnings."""
    return compute(load_spec(spec, limits))


class Drawn(Struct, frozen=True):
    """A spec drawn: its model, its totals and its picture in each format asked for."""

    spec: Spec
    totals: Totals
    pictures: dict[str, bytes]


def render(
    spec: SpecLike, formats: Iterable[str] = ("svg",), settings: Settings = DEFAULT_SETTINGS
) -> dict[str, bytes]:
    """Return the picture of ``spec`` in each format, keyed by format.

    Without a spec ``description``, the SVG's is written from the totals. A format that
    cannot be made (a PNG above the picture limit) fails alone: :class:`PartialRender`
    carries the others.
    """
    return draw(spec, formats, settings).pictures


def draw(
    spec: SpecLike, formats: Iterable[str] = ("svg",), settings: Settings = DEFAULT_SETTINGS
) -> Drawn:
    """Return ``spec`` drawn in each format, with its model and totals (computed once)."""
    limits = settings.limits
    if isinstance(spec, Spec):
        model, origin = spec, None
    else:
        path = spec_file(spec)
        data = read_spec_file(path, limits)
        model, origin = load_text(data, str(path), limits, syntax_of(path)), origin_of(path, data)
    drawing = Drawing(model, settings.replace(name=name_of(spec, settings)), origin=origin)
    return Drawn(drawing.spec, drawing.totals, drawing.pictures(verify_formats(formats)))


class Drawing:
    """A spec laid out for its settings: the DOT (made when first asked for), the key of each
    output, and the pictures.

    An output's key is everything its bytes depend on: diagramgen's version, the DOT, what the
    finisher adds (title and description), the settings it reads and the engine's identity.
    Two specs that differ only where the picture does not show (a ``$comment``, spacing) have
    the same keys.
    """

    def __init__(
        self,
        spec: Spec,
        settings: Settings,
        panel: Callable[[Theme, dict[int, str]], Label] | None = None,
        *,
        totals: Totals | None = None,
        marking: Marking | None = None,
        origin: Origin | None = None,
    ) -> None:
        """Lay ``spec`` out; ``panel`` replaces the totals panel (a comparison has its own).

        A diff gives the ``totals`` its cells show (the new version's, and the old one's for
        what it removed) and its ``marking`` of the components. ``origin`` (the spec file's
        provenance) goes in every file's metadata, and under the picture with ``footer``.
        """
        self.spec = spec
        self.totals = compute(spec) if totals is None else totals
        self.settings = settings
        self.panel = panel
        self.marking = marking
        description = spec.description or describe(spec, self.totals)
        # A name from a file name that is not UTF-8 is shown with its bytes escaped (\xff).
        name = (settings.name or "").encode("utf-8", "surrogateescape")
        shown = name.decode("utf-8", "backslashreplace")
        self.origin = origin.text(__version__) if origin is not None else None
        self.footer = origin.line(__version__) if origin is not None and settings.footer else None
        self.caption = Caption(spec.title or shown, description, self.origin)
        self._dots: dict[bool, str] = {}
        self._drawio: bytes | None = None

    def dot(self, svg: bool) -> str:
        """Return the DOT of the SVG (``svg``) or of every other format."""
        # auto draws its SVG in placeholder colours (the finisher maps them to light and
        # dark) and everything else light: two DOTs, one layout (colours never move a box).
        key = svg and self.settings.theme == AUTO
        if key not in self._dots:
            theme = drawn_theme(self.settings.theme, svg)
            make = self.panel
            label: Callable[[dict[int, str]], Label] | None = None
            if make is not None:
                label = lambda numbered: make(theme, numbered)  # noqa: E731
            self._dots[key] = to_dot(
                self.spec,
                self.totals,
                theme,
                label,
                self.settings.width,
                self.marking,
                self.footer,
            )
        return self._dots[key]

    def key(self, output: str) -> str:
        """Return the key of the picture in format ``output``."""
        inputs = {
            "diagramgen": __version__,
            "format": output,
            "dot": digest(self.dot(FORMATS[output].graphviz == "svg").encode("utf-8")),
            "caption": (
                [self.caption.title, self.caption.description, self.origin]
                if FORMATS[output].captioned
                else None
            ),
            **self.settings.affecting(output),
        }
        return digest(json.dumps(inputs, sort_keys=True).encode("utf-8"))

    def drawio(self, svg: bytes) -> bytes:
        """Return draw.io's copy of the picture, where ``svg`` (Graphviz's, unfinished) draws
        each box."""
        if self._drawio is None:
            # Placed in auto's placeholder colours, one a role: a cell's fill says what it
            # is. Colours never move a box, so the page is the one the DOT draws.
            tokens = verify_theme(AUTO)
            make = self.panel
            label: Callable[[dict[int, str]], Label] | None = None
            if make is not None:
                label = lambda numbered: make(tokens, numbered)  # noqa: E731
            placed = placement(
                self.spec, self.totals, tokens, label, self.settings.width, self.marking
            )
            try:
                frame = svg_frame(svg, placed.blocks[-1].rect)
            except ValueError as error:  # a broken system `dot`
                raise EngineError(f"Graphviz's svg output cannot be read ({error})") from None
            theme = drawn_theme(self.settings.theme, False)
            self._drawio = drawio_file(
                self.caption.title,
                placed,
                frame,
                self.spec,
                self.totals,
                theme,
                self.caption.origin,
                self.footer,
            )
        return self._drawio

    def pictures(self, wanted: list[str]) -> dict[str, bytes]:
        """Return the picture in each of the formats ``wanted`` (checked names)."""
        settings = self.settings
        forms = [FORMATS[output] for output in wanted]
        engine: Engine | None = None
        if any(form.drawn for form in forms):
            engine = settings.chosen_engine()
        # The SVG is drawn whenever a PNG is (its size says whether the PNG can be made) and
        # for draw.io's copy (it says where the page's boxes are).
        svg = b""
        if engine is not None and any(
            form.graphviz == "svg" or form.name == "png" or form.source == PAGE for form in forms
        ):
            svg = engine.render(self.dot(True), "svg", FORMATS["svg"].arguments)
        results: dict[str, bytes] = {}
        failures: dict[str, EngineError] = {}
        for form in forms:
            output = form.name
            if form.source == DOT:
                results[output] = self.dot(False).encode("utf-8")
                continue
            assert engine is not None
            try:
                if form.source == PAGE:
                    results[output] = form.finish(self.drawio(svg), self.caption, settings)
                    continue
                if output == "png":
                    _check_raster(svg, settings.limits)
                data = (
                    svg
                    if form.graphviz == "svg"
                    else engine.render(self.dot(False), form.graphviz or "", form.arguments)
                )
                finished = _finish(form, data, self.caption, settings)
                if form.editable:
                    finished = embed_drawio(finished, self.drawio(svg))
                results[output] = finished
            except EngineError as error:  # this format cannot be made; the others may be
                failures[output] = error
        if failures and not results:
            raise next(iter(failures.values()))
        if failures:
            raise PartialRender(results, failures)
        return results


def _finish(form: Format, data: bytes, caption: Caption, settings: Settings) -> bytes:
    """Return an engine's picture finished; one that cannot be read is the engine's failure."""
    try:
        return form.finish(data, caption, settings)
    # Not an SVG, PNG or PDF (a broken system `dot`); Pillow says SyntaxError of a bad PNG.
    except (ValueError, OSError, SyntaxError) as error:
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
            f"{limits.hint('picture')} pixels: render SVG or PDF instead",
            rule=limit_rule("picture"),
        )
