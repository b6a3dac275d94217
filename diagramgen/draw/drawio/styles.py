"""How cells look in draw.io: their style strings and HTML labels, in the theme's colours.

The page is laid out in the placeholder colours of theme ``auto`` (one per role, so a cell's
fill says what it is: :func:`~..themes.auto_colours`); each is drawn here in the colour the
chosen theme gives that role.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from ...assets import FAMILY
from ..cells import Cell, Line, text_room
from ..themes import Theme, auto_colours

__all__ = ["FONT", "Palette", "style", "text_style"]

_SPACES = re.compile(r"(?<![^ ]) ")

#: The font: ours first, then one of about its width for machines without it.
FONT = f"{FAMILY},Verdana,sans-serif"


def style(**entries: str | float | None) -> str:
    """Return a draw.io style string, its entries in the order given (``None`` left out)."""
    parts = []
    for key, value in entries.items():
        if value is None:
            continue
        shown = f"{value:g}" if isinstance(value, float | int) else value
        parts.append(f"{key}={shown}")
    return ";".join(parts) + ";"


class Palette:
    """The theme's colour of each placeholder colour, and what each placeholder stands for."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self._roles = {token: role for token, (role, _, _) in auto_colours().items()}

    def role(self, colour: str | None) -> str | None:
        """Return what a placeholder colour stands for ("engine", "text"…), None if none."""
        return None if colour is None else self._roles.get(colour)

    def colour(self, colour: str | None) -> str:
        """Return the theme's colour for a placeholder (``none`` for no colour)."""
        if colour is None:
            return "none"
        role = self._roles.get(colour)
        return self.theme.colour(role) if role is not None else colour

    def label(self, lines: Sequence[Line], room: float) -> str:
        """Return lines as draw.io's HTML label, each shortened to ``room`` as the SVG shows it."""
        parts = []
        for line in lines:
            text = html.escape(line.fitted(room).text, quote=False) or "&nbsp;"
            # HTML runs spaces together: the picture's indents and double spaces are kept.
            text = _SPACES.sub("&nbsp;", text)
            if line.bold:
                text = f"<b>{text}</b>"
            colour = self.colour(line.colour)
            parts.append(
                f'<font style="font-size: {line.size:g}px;" color="{colour}">{text}</font>'
            )
        return "<br>".join(parts)

    def box(self, cell: Cell, fill: str | None = None, **more: str | float | None) -> str:
        """Return the style of a box drawn like ``cell``: its fill (or ``fill``), border and
        text."""
        sizes = [line.size for line in cell.lines]
        entries: dict[str, str | float | None] = {
            "rounded": 0,
            "html": 1,
            "fillColor": fill or self.colour(cell.fill),
            "strokeColor": self.theme.border if cell.border else "none",
            "dashed": 1 if cell.dashed else None,
            "fontFamily": FONT,
            "fontSize": min(sizes, default=9.0),
            "fontColor": self.theme.text,
            "align": cell.align.lower(),
            "verticalAlign": "middle",
            "spacing": 0,
            "spacingLeft": cell.pad if cell.align != "CENTER" else None,
        }
        entries.update(more)
        return style(**entries)

    def cell_label(self, cell: Cell) -> str:
        return self.label(cell.lines, text_room(cell.width, cell.pad))


def text_style(palette: Palette, size: float, bold: bool) -> str:
    """Return the style of a free text (the page's title)."""
    return style(
        html=1,
        whiteSpace="wrap",
        align="center",
        verticalAlign="top",
        fontFamily=FONT,
        fontSize=size,
        fontStyle=1 if bold else 0,
        fontColor=palette.theme.text,
        strokeColor="none",
        fillColor="none",
        connectable=0,
    )
