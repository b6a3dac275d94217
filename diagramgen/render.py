"""Render a spec to picture bytes: DOT from the layout, then SVG, PNG or PDF from an engine."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .engines import RASTER_DPI, Engine, EngineError, select_engine
from .errors import UsageError
from .layout import to_dot
from .limits import DEFAULT_LIMITS, Limits
from .model import Spec
from .svg import finish_svg, prefix_for
from .themes import THEMES, verify_theme
from .totals import compute

__all__ = ["FORMATS", "MAX_RASTER", "Options", "render", "verify_formats"]

FORMATS = ("svg", "png", "pdf", "dot")
#: cairo cannot draw a PNG wider or taller than this many pixels.
MAX_RASTER = 32767

_SVG_SIZE = re.compile(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')
_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate) \(D:)([0-9]{14})")


def verify_formats(formats: Iterable[str]) -> list[str]:
    """Return the formats in order without repeats; raise :class:`UsageError` for an unknown one."""
    chosen: list[str] = []
    for name in formats:
        name = name.strip().lower()
        if name not in FORMATS:
            raise UsageError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise UsageError(f"no format given; choose from {', '.join(FORMATS)}")
    return chosen


@dataclass(frozen=True)
class Options:
    """How to render: theme, engine (``auto``, ``embedded``, ``system``), fonts in the SVG."""

    theme: str = "light"
    engine: str = "auto"
    embed_fonts: bool = True

    def __post_init__(self) -> None:
        if self.theme not in THEMES:
            raise UsageError(f"unknown theme {self.theme!r}; choose one of {', '.join(THEMES)}")


def render(
    spec: Spec,
    formats: Iterable[str],
    options: Options = Options(),
    name: str = "diagram",
    engine: Engine | None = None,
    panel: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, bytes]:
    """Return the picture of ``spec`` in each format, keyed by format.

    ``name`` (usually the spec file's stem) prefixes the SVG's element ids; ``panel`` replaces
    the totals panel.
    """
    wanted = verify_formats(formats)
    dot = to_dot(spec, compute(spec), verify_theme(options.theme), panel)
    results: dict[str, bytes] = {}
    if "dot" in wanted:
        results["dot"] = dot.encode("utf-8")
    drawn = [output for output in wanted if output != "dot"]
    if not drawn:
        return results
    engine = engine or select_engine(options.engine)
    svg = engine.render(dot, "svg")
    if "svg" in drawn:
        title = spec.title or name
        text = finish_svg(
            svg.decode("utf-8"), title, spec.description, prefix_for(name), options.embed_fonts
        )
        results["svg"] = text.encode("utf-8")
    if "png" in drawn:
        results["png"] = _png(engine, dot, svg, limits)
    if "pdf" in drawn:
        results["pdf"] = _PDF_DATE.sub(rb"\g<1>20000101000000", engine.render(dot, "pdf"))
    return {output: results[output] for output in wanted}


def _png(engine: Engine, dot: str, svg: bytes, limits: Limits) -> bytes:
    """Return the PNG at 2x with its resolution recorded; refuse sizes cairo would truncate."""
    size = _SVG_SIZE.search(svg)
    if size is not None:
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
    from PIL import Image

    raw = engine.render(dot, "png")
    with Image.open(io.BytesIO(raw)) as image:
        out = io.BytesIO()
        image.save(out, format="PNG", dpi=(RASTER_DPI, RASTER_DPI), optimize=False)
    return out.getvalue()
