"""Read boxes and texts back out of a Graphviz SVG, to check the geometry of a picture."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_GROUP = re.compile(r'<g id="([^"]*)" class="node">(.*?)</g>', re.S)
_POLYGON = re.compile(r'<polygon fill="(#[0-9a-f]{6})" stroke="none" points="([^"]+)"')
_TEXT = re.compile(r'<text[^>]*\bx="([-0-9.]+)" y="([-0-9.]+)"([^>]*)>([^<]*)</text>')


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


def nodes(svg: str) -> dict[str, tuple[list[Box], list[Text]]]:
    """Return each node's filled boxes and texts, keyed by the node's SVG id."""
    result = {}
    for ident, body in _GROUP.findall(svg):
        boxes = [_box(fill, points) for fill, points in _POLYGON.findall(body)]
        texts = [
            Text(
                float(x),
                float(y),
                float(re.search(r'font-size="([0-9.]+)"', attributes).group(1)),  # type: ignore[union-attr]
                'font-weight="bold"' in attributes,
                html.unescape(content),
            )
            for x, y, attributes, content in _TEXT.findall(body)
        ]
        result[html.unescape(ident)] = (boxes, texts)
    return result
