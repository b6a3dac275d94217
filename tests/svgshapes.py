"""Read boxes and texts back out of a Graphviz SVG, to check the geometry of a picture."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from diagramgen.draw.metrics import text_width

# A node's group holds nested groups (cells with tooltips or links): read up to the next
# node or edge instead of the first </g>.
_GROUP = re.compile(
    r'<g id="([^"]*)" class="node">(.*?)(?=<g id="[^"]*" class="(?:node|edge)">|</svg>)', re.S
)
_POLYGON = re.compile(r'<polygon fill="(#[0-9a-f]{6})" stroke="none" points="([^"]+)"')
_TEXT = re.compile(r'<text([^>]*)\bx="([-0-9.]+)" y="([-0-9.]+)"([^>]*)>([^<]*)</text>')


@dataclass(frozen=True)
class Box:
    fill: str
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    size: float
    bold: bool
    content: str


def _box(fill: str, points: str) -> Box:
    pairs = [tuple(float(v) for v in point.split(",")) for point in points.split()]
    xs = [x for x, _ in pairs]
    ys = [y for _, y in pairs]
    return Box(fill, min(xs), min(ys), max(xs), max(ys))


def _text(x: float, y: float, attributes: str, content: str) -> Text:
    """Return a text with ``x`` where it starts, as browsers draw it (unhinted widths)."""
    size = float(re.search(r'font-size="([0-9.]+)"', attributes).group(1))  # type: ignore[union-attr]
    bold = 'font-weight="bold"' in attributes
    if 'text-anchor="middle"' in attributes:
        x -= text_width(content, size, bold) / 2
    return Text(x, y, size, bold, content)


def nodes(svg: str) -> dict[str, tuple[list[Box], list[Text]]]:
    """Return each node's filled boxes and texts, keyed by the node's SVG id."""
    result = {}
    for ident, body in _GROUP.findall(svg):
        boxes = [_box(fill, points) for fill, points in _POLYGON.findall(body)]
        texts = [
            _text(float(x), float(y), before + after, html.unescape(content))
            for before, x, y, after, content in _TEXT.findall(body)
        ]
        result[html.unescape(ident)] = (boxes, texts)
    return result
