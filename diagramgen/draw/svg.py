"""Make Graphviz's SVG ready for a web page: self-contained, titled, prefixed ids, own fonts."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from functools import cache

from ..assets import FONTS
from ..escape import xml_text

__all__ = [
    "BASIC_CHARACTERS",
    "FONT_FILES",
    "embed_fonts",
    "finish_svg",
    "prefix_for",
    "subset_font",
]

# Graphviz's comments and doctype, and node and edge titles (Graphviz names such as
# "host_web": noise as tooltips); the SVG's own title is written anew.
_NOISE = re.compile(rb"<!--.*?-->\n?|<!DOCTYPE[^>]*>\n?|<title>[^<]*</title>\n", re.S)
# Only in attributes (="...): text content keeps a user's "url(#top)" as it is.
_REFERENCE = re.compile(rb'(href="#|="url\(#)([^")]+)')
_SVG_OPEN = re.compile(rb"<svg\b[^>]*>")
_TEXT = re.compile(r"<text\b([^>]*)>([^<]*)</text>")
_FONT_FAMILY = b'font-family="DejaVu Sans"'
FONT_FILES = {"normal": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
#: Characters of the shipped basic subsets: printable ASCII and the symbols diagramgen draws.
BASIC_CHARACTERS = "".join(
    sorted(
        {chr(code) for code in range(32, 127)}
        | set("·≥≤⚠▲…✓→—°µ±•")
        | set("\N{NO-BREAK SPACE}\N{MULTIPLICATION SIGN}\N{EN DASH}\u2018\u2019\u201c\u201d")
    )
)


def prefix_for(name: str) -> str:
    """Return an id prefix for a diagram called ``name`` (letters, digits, ``-`` and ``_``)."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")
    if safe != name:  # names that differ only in the characters replaced stay apart
        safe = f"{safe}-{hashlib.sha256(name.encode()).hexdigest()[:8]}".strip("-")
    return safe if safe[:1].isalpha() else f"d-{safe}"


def finish_svg(svg: bytes, title: str, description: str | None, prefix: str, fonts: bool) -> bytes:
    """Return Graphviz SVG without comments or external references, titled, ids prefixed.

    With ``fonts``, a subset of the bundled font is embedded so browsers draw the text with
    the widths Graphviz measured. The document is handled as bytes, in as few passes as can
    be: a big diagram's SVG runs to megabytes.
    """
    svg = _NOISE.sub(b"", svg)
    # Graphviz writes every id as ' id="...'; prefix_for() keeps prefixes to [A-Za-z0-9_-],
    # safe in a replacement template.
    svg = svg.replace(b' id="', f' id="{prefix}-'.encode())
    if b'href="#' in svg or b'="url(#' in svg:  # rare (gradients, links): skip the scan otherwise
        svg = _REFERENCE.sub(rf"\1{prefix}-\2".encode(), svg)
    svg = svg.replace(_FONT_FAMILY, b'font-family="DejaVu Sans,Verdana,sans-serif"')
    head = [f'<title id="{prefix}-title">{xml_text(title)}</title>']
    labels = f"{prefix}-title"
    if description:
        head.append(f'<desc id="{prefix}-desc">{xml_text(description)}</desc>')
        labels += f" {prefix}-desc"
    if fonts:
        head.append(embed_fonts(svg))
    opening = _SVG_OPEN.search(svg)
    if opening is None:  # pragma: no cover - Graphviz always writes an <svg> element
        raise ValueError("not an SVG document")
    tag = opening.group(0)[:-1] + f' role="img" aria-labelledby="{labels}">\n'.encode()
    added = "\n".join(head).encode("utf-8")
    return b"".join((svg[: opening.start()], tag, added, svg[opening.end() :]))


_ASCII = re.compile(rb"[\x00-\x7f]+")


def _characters(svg: bytes) -> dict[str, str]:
    """Return the characters drawn in each weight, sorted (the subset's input).

    When every character of the document is in the shipped basic subsets (the usual case),
    those cover both weights and the texts need not be read one by one.
    """
    if set(_ASCII.sub(b"", svg).decode("utf-8")) <= set(BASIC_CHARACTERS):
        return {"normal": BASIC_CHARACTERS, "bold": BASIC_CHARACTERS}
    import html

    used: dict[str, set[str]] = {"normal": set(), "bold": set()}
    for attributes, text in set(_TEXT.findall(svg.decode("utf-8"))):  # unescape each once
        weight = "bold" if 'font-weight="bold"' in attributes else "normal"
        used[weight].update(html.unescape(text))
    return {weight: "".join(sorted(chars)) for weight, chars in used.items() if chars - {" "}}


def embed_fonts(svg: bytes) -> str:
    """Return a ``<defs><style>`` with @font-face rules holding WOFF2 subsets of the used glyphs."""
    rules = [
        f'@font-face{{font-family:"DejaVu Sans";font-weight:{weight};'
        f'src:url(data:font/woff2;base64,{_woff2(weight, chars)}) format("woff2")}}'
        for weight, chars in _characters(svg).items()
    ]
    return "<defs><style>" + "".join(rules) + "</style></defs>"


@cache
def _woff2(weight: str, characters: str) -> str:
    """Return the base64 WOFF2 for ``characters``: the shipped basic subset when it covers them."""
    if set(characters) <= set(BASIC_CHARACTERS):
        name = FONT_FILES[weight].replace(".ttf", "-basic.woff2")
        data = (FONTS / name).read_bytes()
    else:
        data = subset_font(weight, characters)
    return base64.b64encode(data).decode("ascii")


def subset_font(weight: str, characters: str) -> bytes:
    """Return a WOFF2 subset of the bundled font holding ``characters`` (slow: fontTools)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["kern", "liga"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep the copyright and licence notices
    options.name_languages = [0x409]
    options.drop_tables += ["FFTM"]  # a FontForge timestamp: unknown to the subsetter, noisy
    buffer = io.BytesIO()
    with TTFont(FONTS / FONT_FILES[weight], recalcTimestamp=False) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=characters)
        subsetter.subset(font)
        font.flavor = "woff2"
        font.save(buffer)
    return buffer.getvalue()
