"""Make Graphviz's SVG ready for a web page: self-contained, titled, prefixed ids, own fonts.

In order: Graphviz's comments and node titles go; ids get the diagram's prefix; cell tooltips
become ``<title>`` elements; centred text is anchored at its cell's centre (browsers draw
with other widths than Graphviz measured, ENGINE-NOTES "Hinted vs unhinted"); the text gets
the embedded font (or becomes outlines); ``auto`` pictures get their dark palette.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from functools import lru_cache

from ..assets import FAMILY
from ..escape import LINK_SCHEMES, link_scheme, xml_text
from .cells import PAD_Y
from .fontfile import FONT_FILES, font, woff2_subset
from .metrics import engine_width

__all__ = ["TEXT_MODES", "finish_svg", "font_faces", "prefix_for", "verify_text"]

#: How the SVG draws text: with its embedded font (or the reader's, if not embedded), or as
#: outlines that look the same in every renderer.
TEXT_MODES = ("font", "paths")

# Graphviz's comments and doctype, and node and edge titles (Graphviz names such as
# "host_web": noise as tooltips); the SVG's own title is written anew.
_NOISE = re.compile(r"<!--.*?-->\n?|<!DOCTYPE[^>]*>\n?|<title>[^<]*</title>\n", re.S)
# Only in attributes (="...): text content keeps a user's "url(#top)" as it is.
_REFERENCE = re.compile(r'(href="#|="url\(#)([^")]+)')
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_SIZE_IN_POINTS = re.compile(r'\b(width|height)="([0-9.]+)pt"')
# A cell tooltip or link (Graphviz's TOOLTIP and HREF): <a xlink:href xlink:title>...</a>.
# The body is "anything up to the first </a>", written out so the engine does not try to
# match </a> at every character as a lazy ".*?" does.
_ANCHOR = re.compile(
    r'<a((?: xlink:href="[^"]*")?)(?: xlink:title="([^"]*)")?>([^<]*(?:<(?!/a>)[^<]*)*)</a>'
)
# A cell's background, or a line of text. Graphviz writes every text as <text [xml:space]
# text-anchor="..." x="..." y="..." font-...>: the parts the centring reads and rewrites are
# groups of their own, so the rest of the element is copied as it is.
_CELL_OR_TEXT = re.compile(
    r'<polygon fill="#[0-9a-f]{6}" stroke="none" points="([^"]*)"/>'
    r'|<text\b([^>]*?) text-anchor="([a-z]+)" x="([^"]*)" y="([^"]*)"([^>]*)>([^<]*)</text>'
)
_FONT_SIZE = re.compile(r' font-size="([^"]*)"')
_ATTRIBUTE = re.compile(r'([a-z:-]+)="([^"]*)"')
# Where Graphviz starts left-aligned text in a cell: its padding, plus its border if drawn.
_INSETS = (float(PAD_Y), float(PAD_Y + 1))


def verify_text(mode: str) -> str:
    """Return ``mode`` if it is one of :data:`TEXT_MODES`; raise ``InvalidArgument`` otherwise."""
    from ..errors import InvalidArgument

    if mode not in TEXT_MODES:
        raise InvalidArgument(f"unknown text mode {mode!r}; choose from {', '.join(TEXT_MODES)}")
    return mode


def prefix_for(name: str) -> str:
    """Return an id prefix for a diagram called ``name`` (letters, digits, ``-`` and ``_``)."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")
    if safe != name:  # names that differ only in the characters replaced stay apart
        # A name from a file name that is not UTF-8 holds surrogates: hash its bytes.
        digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        safe = f"{safe}-{digest}".strip("-")
    return safe if safe[:1].isalpha() else f"d-{safe}"


def _tooltip(match: re.Match[str]) -> str:
    href, title, body = match.groups()
    if href and link_scheme(href[len(' xlink:href="') : -1]) not in (None, *LINK_SCHEMES):
        href = ""  # the spec check refuses such a link; should one get here, it is not drawn
    tag = "a" if href else "g"  # an <a> without a link is a group with a tooltip
    head = f"<title>{title}</title>" if title else ""
    return f"<{tag}{href}>{head}{body}</{tag}>"


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


class _Texts:
    """One pass over cells and texts: anchor centred text at the centre, note the glyphs used."""

    def __init__(self, draw: Callable[[dict[str, str], str], str] | None) -> None:
        self.boxes: list[tuple[float, float, float, float]] = []
        self.used: dict[str, set[str]] = {"normal": set(), "bold": set()}
        self.draw = draw

    def __call__(self, match: re.Match[str]) -> str:
        points, head, anchor, x, y, tail, content = match.groups()
        if points is not None:
            self.boxes.append(_box(points))
            return match.group(0)
        text = html.unescape(content) if "&" in content else content
        bold = ' font-weight="bold"' in tail
        self.used["bold" if bold else "normal"].update(text)
        if anchor == "start" and text.strip():
            centre = self._centre(float(x), float(y), text, _font_size(tail), bold)
            if centre is not None:
                anchor, x = "middle", _number(centre)
        attributes = f'{head} text-anchor="{anchor}" x="{x}" y="{y}"{tail}'
        if self.draw is not None:
            return self.draw(dict(_ATTRIBUTE.findall(attributes)), text)
        return f"<text{attributes}>{content}</text>"

    def _centre(self, x: float, y: float, text: str, size: float, bold: bool) -> float | None:
        """Return where to anchor ``text`` at ``x``, ``y`` if Graphviz centred it in its cell."""
        width = engine_width(text, size, bold)
        boxes = self.boxes
        for index in range(len(boxes) - 1, max(-1, len(boxes) - 65), -1):
            left, top, right, bottom = boxes[index]
            if left <= x <= right and top <= y <= bottom:
                break
        else:
            return None
        if round(x - left, 2) in _INSETS:  # left-aligned: Graphviz starts it a padding in
            return None
        centre = (left + right) / 2
        miss = abs(x + width / 2 - centre)
        # Kerning moves a centred line by a fraction of a point from where Graphviz's widths
        # put it; left- and right-aligned text is further off.
        if miss <= max(1.5, 0.02 * width):
            return centre
        if (left, top, right, bottom) == self.boxes[0]:
            # On the picture's background, not in a cell: a link's label, which Graphviz
            # centres on a point of its own.
            return x + width / 2
        return None


@lru_cache(maxsize=256)  # a picture's texts share a few sets of attributes
def _box(points: str) -> tuple[float, float, float, float]:
    """Return the box of a cell's background: a rectangle, whose first and third corners are
    opposite (any other polygon: the box of all its points)."""
    corners = points.split(" ")
    if len(corners) == 5 and corners[0] == corners[4]:
        x1, y1 = map(float, corners[0].split(","))
        x2, y2 = map(float, corners[2].split(","))
        return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)
    numbers = [float(value) for value in points.replace(",", " ").split()]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def _font_size(attributes: str) -> float:
    found = _FONT_SIZE.search(attributes)
    if found is None:  # pragma: no cover - Graphviz gives every text its size
        raise ValueError("a text without a font size")
    return float(found.group(1))


def font_faces(used: dict[str, set[str]], family: str | None = None) -> tuple[str, str]:
    """Return the embedded font's family name and ``@font-face`` rules for the glyphs used.

    The family is named after the subset (``dg-`` and a hash of its characters and fonts), so
    no text of a page the SVG is inlined in can pick it up.
    """
    wanted = {weight: "".join(sorted(chars)) for weight, chars in used.items() if chars - {" "}}
    digest = hashlib.sha256()
    for weight, chars in wanted.items():
        digest.update(f"{FONT_FILES[weight]}:{chars}\0".encode())
        digest.update(font(weight).table("head")[:12])  # the font's revision and checksum
    family = family or f"dg-{digest.hexdigest()[:10]}"
    import base64

    rules = []
    for weight, chars in wanted.items():
        data = base64.b64encode(woff2_subset(weight, chars, family)).decode("ascii")
        rules.append(
            f"@font-face{{font-family:{family};font-weight:{weight};"
            f'src:url(data:font/woff2;base64,{data}) format("woff2")}}'
        )
    return family, "".join(rules)


def _scheme_classes(
    svg: str, prefix: str, schemes: dict[str, tuple[str, str, str]]
) -> tuple[str, str]:
    """Return ``svg`` with each placeholder colour made light plus a class, and the dark CSS."""
    used: dict[str, str] = {}

    def element(match: re.Match[str]) -> str:
        tag, attributes, closing = match.groups()
        classes: list[str] = []

        def colour(found: re.Match[str]) -> str:
            prop, token = found.groups()
            role, light, dark = schemes[token]
            name = f"{prefix}-{prop[0]}-{role}"
            classes.append(name)
            used[name] = f"{prop}:{dark}"
            return f'{prop}="{light}"'

        attributes = _COLOUR.sub(colour, attributes)
        if classes:
            attributes += f' class="{" ".join(classes)}"'
        return f"<{tag}{attributes}{closing}>"

    svg = _TAG.sub(element, svg)
    rules = "".join(f".{name}{{{rule}}}" for name, rule in sorted(used.items()))
    return svg, f"@media (prefers-color-scheme:dark){{{rules}}}"


_TAG = re.compile(r"<(polygon|polyline|path|ellipse|text|rect|circle)\b([^>]*?)(/?)>")
_COLOUR = re.compile(r'\b(fill|stroke)="(#0000[0-9a-f]{2})"')


def finish_svg(
    svg: bytes,
    title: str,
    description: str | None,
    prefix: str,
    *,
    embed_fonts: bool = True,
    text: str = "font",
    schemes: dict[str, tuple[str, str, str]] | None = None,
    metadata: str | None = None,
) -> bytes:
    """Return Graphviz SVG without comments or external references, titled, ids prefixed.

    With ``embed_fonts``, a subset of the bundled font (the glyphs drawn, one face per weight)
    is embedded so browsers draw the text as Graphviz laid it out; with ``text="paths"`` the
    text becomes outlines of the bundled font instead, and needs no font at all. ``schemes``
    (theme ``auto``) gives each placeholder colour its role, light and dark colour;
    ``metadata`` (where the picture came from) goes in its ``<metadata>``.
    """
    document = _NOISE.sub("", svg.decode("utf-8"))
    # Graphviz writes every id as ' id="...'; prefix_for() keeps prefixes to [A-Za-z0-9_-].
    document = document.replace(' id="', f' id="{prefix}-')
    if 'href="#' in document or '="url(#' in document:
        document = _REFERENCE.sub(rf"\1{prefix}-\2", document)
    if "<a " in document:
        document = _ANCHOR.sub(_tooltip, document)
    draw = None
    if text == "paths":
        from .outlines import text_path

        draw = text_path
    texts = _Texts(draw)
    document = _CELL_OR_TEXT.sub(texts, document)
    head = [f'<title id="{prefix}-title">{xml_text(title)}</title>']
    aria = f' aria-labelledby="{prefix}-title"'
    if description:
        head.append(f'<desc id="{prefix}-desc">{xml_text(description)}</desc>')
        aria += f' aria-describedby="{prefix}-desc"'
    if metadata:
        head.append(f"<metadata>{xml_text(metadata)}</metadata>")
    css = []
    if text == "font":
        family = FAMILY
        if embed_fonts:
            family, faces = font_faces(texts.used)
            css.append(faces)
            family += f",{FAMILY}"
        document = document.replace(f'font-family="{FAMILY}"', f'font-family="{family},sans-serif"')
    if schemes:
        document, dark = _scheme_classes(document, prefix, schemes)
        css.append(dark)
    if css:
        head.append("<defs><style>" + "".join(css) + "</style></defs>")
    opening = _SVG_OPEN.search(document)
    if opening is None:  # pragma: no cover - Graphviz always writes an <svg> element
        raise ValueError("not an SVG document")
    # Graphviz sizes the picture in points; a browser draws a point as 4/3 px, so the picture
    # laid out for a 760 px column would be 1013 px wide. One unit is one CSS px instead: the
    # width budget is the picture's natural width, and 9 pt text reads at 9 px.
    tag = _SIZE_IN_POINTS.sub(r'\1="\2px"', opening.group(0)[:-1]) + f' role="img"{aria}>\n'
    return "".join(
        (document[: opening.start()], tag, "\n".join(head), document[opening.end() :])
    ).encode("utf-8")
