"""Render a spec to picture bytes: DOT from the layout, then SVG, PNG or PDF from an engine."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from .engines import RASTER_DPI, Engine, EngineError, select_engine
from .layout import to_dot
from .limits import DEFAULT_LIMITS, Limits
from .model import Spec
from .options import DEFAULT_OPTIONS, FORMATS, Options, verify_formats
from .svg import finish_svg, prefix_for
from .themes import verify_theme
from .totals import compute

__all__ = ["FORMATS", "MAX_RASTER", "Options", "render", "verify_formats"]

#: cairo cannot draw a PNG wider or taller than this many pixels.
MAX_RASTER = 32767

_SVG_SIZE = re.compile(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')
_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate) \(D:)([0-9]{14})")


def render(
    spec: Spec,
    formats: Iterable[str],
    options: Options = DEFAULT_OPTIONS,
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
        prefix = prefix_for(name)
        results["svg"] = finish_svg(svg, title, spec.description, prefix, options.embed_fonts)
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
