"""The output formats: one table of what each is, how Graphviz makes it and how it is finished.

Graphviz draws SVG, PNG and PDF from the DOT the layout writes; each then gets a finishing
step: the SVG is made ready for a web page (:mod:`diagramgen.draw.svg`), the PNG carries its
resolution, the PDF a fixed date so the file is reproducible. draw.io's editable copy is drawn
from the placed page itself (:mod:`diagramgen.draw.drawio`), where Graphviz's SVG puts each
box; its SVG form is the finished SVG carrying that copy.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable

from msgspec import Struct

from .draw.svg import finish_svg, prefix_for
from .draw.themes import AUTO, auto_colours
from .errors import InvalidArgument
from .settings import Settings

__all__ = [
    "DECLARED_DPI",
    "DOT",
    "FORMATS",
    "GRAPHVIZ",
    "PAGE",
    "RASTER_DPI",
    "Caption",
    "Format",
    "format_of",
    "verify_formats",
]

#: PNG resolution: 2x the 96 dpi of a screen (Graphviz measures in points, 72 per inch).
RASTER_DPI = 192
#: The resolution a PNG declares: Graphviz draws RASTER_DPI pixels per inch of its points, and
#: the SVG reads a point as a CSS px (96 an inch), so the PNG declares 96/72 as many pixels an
#: inch (256) to be placed at the SVG's size in Word, LaTeX or a browser.
DECLARED_DPI = RASTER_DPI * 96 // 72


class Caption(Struct, frozen=True):
    """What a finished picture says of itself: its title, its description (alt text) and
    where it came from (its spec's path, commit, digest and diagramgen's version)."""

    title: str
    description: str | None = None
    origin: str | None = None


def _svg(data: bytes, caption: Caption, settings: Settings) -> bytes:
    return finish_svg(
        data,
        caption.title,
        caption.description,
        prefix_for(settings.name or "diagram"),
        embed_fonts=settings.embed_fonts,
        text=settings.text,
        schemes=auto_colours() if settings.theme == AUTO else None,
        metadata=caption.origin,
    )


#: How each binary format's files begin: what a broken `dot` writes is refused, not written.
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PDF_MAGIC = b"%PDF-"


def _png(data: bytes, caption: Caption, settings: Settings) -> bytes:
    from PIL import Image, PngImagePlugin  # only for PNG: 20 ms of start-up

    if not data.startswith(PNG_MAGIC):
        raise ValueError("not a PNG file")
    # Our own picture, already held to the picture limit (api._check_raster): Image.open's
    # decompression-bomb guard (a warning above ~89 MP, an error above ~179 MP) is for images
    # from elsewhere. Opening with the PNG reader itself skips it, and leaves Pillow's
    # process-wide MAX_IMAGE_PIXELS as the caller set it.
    with PngImagePlugin.PngImageFile(io.BytesIO(data)) as image:
        # The picture's size in points is rarely whole pixels: cairo then leaves the last
        # column or row partly transparent. Flatten onto the background (the corner pixel,
        # always the page colour) so the file is opaque edge to edge.
        flat = image.convert("RGBA")
        corner = flat.getpixel((0, 0))
        assert isinstance(corner, tuple)
        ground = Image.new("RGBA", flat.size, (*corner[:3], 255))
        ground.alpha_composite(flat)
        out = io.BytesIO()
        info = PngImagePlugin.PngInfo()
        if caption.origin:  # where it came from, in a text chunk (iTXt: any text)
            info.add_itxt("Source", caption.origin)
        ground.convert("RGB").save(
            out, format="PNG", dpi=(DECLARED_DPI, DECLARED_DPI), optimize=False, pnginfo=info
        )
    return out.getvalue()


_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate) \(D:)([0-9]{14})")


_PDF_INFO = re.compile(rb"/Info ([0-9]+) 0 R")
_PDF_START = re.compile(rb"startxref\s+([0-9]+)\s+%%EOF\s*$")


def _pdf(data: bytes, caption: Caption, settings: Settings) -> bytes:
    if not data.startswith(PDF_MAGIC) or b"%%EOF" not in data[-1024:]:
        raise ValueError("not a PDF document")
    # Neither engine honours SOURCE_DATE_EPOCH.
    data = _PDF_DATE.sub(rb"\g<1>20000101000000", data)
    return _pdf_title(data, caption.title, caption.origin)


def _pdf_text(text: str) -> bytes:
    return b"<" + ("\ufeff" + text).encode("utf-16-be").hex().upper().encode() + b">"


def _pdf_title(data: bytes, title: str, subject: str | None = None) -> bytes:
    """Return the PDF with ``title`` (and ``subject``: where it came from) in its document
    information, as an incremental update.

    An update appended to the file (a new information object, a cross-reference section for
    it and a trailer pointing back) leaves every byte offset cairo wrote valid.
    """
    info, start = _PDF_INFO.search(data), _PDF_START.search(data)
    found = info and re.search(rb"\n" + info.group(1) + rb" 0 obj\s*<<(.*?)>>\s*endobj", data, re.S)
    if not (info and start and found):
        return data
    number = info.group(1)
    body = re.sub(rb"/(Title|Subject)\s*(\([^)]*\)|<[^>]*>)", b"", found.group(1))
    tail = data if data.endswith(b"\n") else data + b"\n"
    where = len(tail)
    fields = b"/Title " + _pdf_text(title)
    if subject:
        fields += b" /Subject " + _pdf_text(subject)
    entry = b"%s 0 obj\n<< %s%s>>\nendobj\n" % (number, fields, body)
    table = len(tail) + len(entry)
    sizes = re.findall(rb"/Size ([0-9]+)", data)
    update = (
        entry
        + b"xref\n%s 1\n%010d 00000 n \n" % (number, where)
        + b"trailer\n<< /Size %s /Root %s /Info %s 0 R /Prev %s >>\n"
        % (sizes[-1] if sizes else b"0", _root(data), number, start.group(1))
        + b"startxref\n%d\n%%%%EOF\n" % table
    )
    return tail + update


def _root(data: bytes) -> bytes:
    found = re.findall(rb"/Root ([0-9]+ [0-9]+ R)", data)
    return found[-1] if found else b"1 0 R"


def _as_is(data: bytes, caption: Caption, settings: Settings) -> bytes:
    return data


#: What a file is made from: the DOT source itself; Graphviz's drawing of it; the placed
#: page, drawn where Graphviz's SVG puts it (draw.io's copy).
DOT, GRAPHVIZ, PAGE = "dot", "graphviz", "page"


class Format(Struct, frozen=True):
    """One output format: its name, file suffix, what it is made from, Graphviz's ``-T``
    value and finishing step."""

    name: str
    suffix: str
    #: Graphviz's ``-T`` value and extra arguments; ``None`` when Graphviz does not draw it.
    graphviz: str | None
    arguments: tuple[str, ...]
    finish: Callable[[bytes, Caption, Settings], bytes]
    #: Whether the finished file carries the caption (its title, its description, its origin:
    #: a PNG only the origin).
    captioned: bool = False
    #: What the file is made from: DOT, GRAPHVIZ or PAGE.
    source: str = GRAPHVIZ
    #: Whether the file carries draw.io's editable copy (in its SVG root's ``content``).
    editable: bool = False

    @property
    def drawn(self) -> bool:
        """Return whether making the file needs an engine (Graphviz draws it, or the SVG
        that says where the page's boxes are)."""
        return self.source != DOT


#: The layout engine: ``nop2`` draws the nodes where the layout pinned them and the edges along
#: the paths given (``neato -n2``); the placement is ours (:mod:`diagramgen.draw.layout`).
LAYOUT = ("-Knop2",)

FORMATS: dict[str, Format] = {
    item.name: item
    for item in (
        Format("svg", ".svg", "svg", LAYOUT, _svg, captioned=True),
        Format("png", ".png", "png:cairo", (*LAYOUT, f"-Gdpi={RASTER_DPI}"), _png, captioned=True),
        Format("pdf", ".pdf", "pdf:cairo", LAYOUT, _pdf, captioned=True),
        Format("dot", ".dot", None, (), _as_is, source=DOT),
        Format("drawio", ".drawio", None, (), _as_is, captioned=True, source=PAGE),
        Format("drawio.svg", ".drawio.svg", "svg", LAYOUT, _svg, captioned=True, editable=True),
    )
}


def format_of(name: str) -> Format | None:
    """Return the format a file name's suffix names (``a.drawio.svg``: draw.io's SVG, not an
    SVG), or None."""
    found = [form for form in FORMATS.values() if name.endswith(form.suffix)]
    return max(found, key=lambda form: len(form.suffix), default=None)


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
