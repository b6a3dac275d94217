"""The output formats: one table of what each is, how Graphviz makes it and how it is finished.

Graphviz draws SVG, PNG and PDF from the DOT the layout writes; each then gets a finishing
step: the SVG is made ready for a web page (:mod:`diagramgen.draw.svg`), the PNG carries its
resolution, the PDF a fixed date so the file is reproducible.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable

from msgspec import Struct

from .draw.svg import finish_svg, prefix_for
from .errors import InvalidArgument

__all__ = ["FORMATS", "RASTER_DPI", "Finishing", "Format", "verify_formats"]

#: PNG resolution: 2x the 96 dpi of a screen (Graphviz measures in points, 72 per inch).
RASTER_DPI = 192


class Finishing(Struct, frozen=True):
    """What the finishing steps need to know of the picture."""

    title: str
    description: str | None = None
    name: str = "diagram"
    embed_fonts: bool = True


def _svg(data: bytes, picture: Finishing) -> bytes:
    prefix = prefix_for(picture.name)
    return finish_svg(data, picture.title, picture.description, prefix, picture.embed_fonts)


def _png(data: bytes, picture: Finishing) -> bytes:
    from PIL import PngImagePlugin  # only for PNG: 20 ms of start-up

    # Our own picture, already held to the picture limit (api._check_raster): Image.open's
    # decompression-bomb guard (a warning above ~89 MP, an error above ~179 MP) is for images
    # from elsewhere. Opening with the PNG reader itself skips it, and leaves Pillow's
    # process-wide MAX_IMAGE_PIXELS as the caller set it.
    with PngImagePlugin.PngImageFile(io.BytesIO(data)) as image:
        out = io.BytesIO()
        image.save(out, format="PNG", dpi=(RASTER_DPI, RASTER_DPI), optimize=False)
    return out.getvalue()


_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate) \(D:)([0-9]{14})")


def _pdf(data: bytes, picture: Finishing) -> bytes:
    # Neither engine honours SOURCE_DATE_EPOCH.
    return _PDF_DATE.sub(rb"\g<1>20000101000000", data)


def _as_is(data: bytes, picture: Finishing) -> bytes:
    return data


class Format(Struct, frozen=True):
    """One output format: its name, file suffix, Graphviz's ``-T`` value and finishing step."""

    name: str
    suffix: str
    #: Graphviz's ``-T`` value and extra arguments; ``None`` for the DOT source itself.
    graphviz: str | None
    arguments: tuple[str, ...]
    finish: Callable[[bytes, Finishing], bytes]


FORMATS: dict[str, Format] = {
    item.name: item
    for item in (
        Format("svg", ".svg", "svg", (), _svg),
        Format("png", ".png", "png:cairo", (f"-Gdpi={RASTER_DPI}",), _png),
        Format("pdf", ".pdf", "pdf:cairo", (), _pdf),
        Format("dot", ".dot", None, (), _as_is),
    )
}


def verify_formats(names: Iterable[str]) -> list[str]:
    """Return the formats in order without repeats; raise :class:`InvalidArgument` otherwise."""
    chosen: list[str] = []
    for name in names:
        name = name.strip().lower()
        if name not in FORMATS:
            raise InvalidArgument(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise InvalidArgument(f"no format given; choose from {', '.join(FORMATS)}")
    return chosen
