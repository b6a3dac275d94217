"""Colour themes as data: which fill each layer gets, and the colours of text drawn on it."""

from __future__ import annotations

from msgspec import Struct

from ..errors import InvalidArgument

__all__ = [
    "AUTO",
    "LAYERS",
    "ROLES",
    "THEMES",
    "THEME_NAMES",
    "Theme",
    "auto_colours",
    "contrast",
    "drawn_theme",
    "verify_theme",
]

#: Every kind of cell the picture fills; each theme gives each a colour.
LAYERS = (
    "host",
    "infrastructure",
    "host_os",
    "hypervisor",
    "vm",
    "guest_os",
    "engine",
    "container",
    "app",
    "libs",
    "panel",
    # What diff marks: a component added, removed (dashed) or changed (its figures, its place).
    "added",
    "removed",
    "changed",
)


class Theme(Struct, frozen=True):
    """Colours of one theme. ``text``, ``detail`` and ``warn`` are drawn on every fill."""

    name: str
    background: str
    text: str
    detail: str
    warn: str
    border: str
    link: str
    fills: dict[str, str]

    def fill(self, layer: str) -> str:
        return self.fills[layer]

    def colour(self, role: str) -> str:
        """Return the colour of ``role``: one of :data:`ROLES`."""
        return self.fills[role] if role in self.fills else str(getattr(self, role))


#: Every colour a theme gives: its own fields, then one fill per layer.
ROLES = ("background", "text", "detail", "warn", "border", "link", *LAYERS)


THEMES: dict[str, Theme] = {
    "light": Theme(
        name="light",
        background="#ffffff",
        text="#111827",
        detail="#374151",
        warn="#a4161a",
        border="#64748b",
        link="#4c1d95",
        fills={
            "host": "#ffffff",
            "infrastructure": "#dde3ec",
            "host_os": "#cdd9ea",
            "hypervisor": "#bccde4",
            "vm": "#f1f5f9",
            "guest_os": "#d4e6f8",
            "engine": "#b9def5",
            "container": "#fdd9a6",
            "app": "#fdd9a6",
            "libs": "#feecd6",
            "panel": "#ffffff",
            "added": "#bbf7d0",
            "removed": "#e5e7eb",
            "changed": "#e9d5ff",
        },
    ),
    "dark": Theme(
        name="dark",
        background="#0f172a",
        text="#f8fafc",
        detail="#cbd5e1",
        warn="#fca5a5",
        border="#94a3b8",
        link="#c4b5fd",
        fills={
            "host": "#0f172a",
            "infrastructure": "#334155",
            "host_os": "#1e3a5f",
            "hypervisor": "#243b63",
            "vm": "#1e293b",
            "guest_os": "#1b365d",
            "engine": "#0c4a6e",
            "container": "#6b3410",
            "app": "#6b3410",
            "libs": "#3f2410",
            "panel": "#111c33",
            "added": "#14532d",
            "removed": "#27272a",
            "changed": "#581c87",
        },
    ),
    "mono": Theme(
        name="mono",
        background="#ffffff",
        text="#000000",
        detail="#333333",
        warn="#000000",
        border="#000000",
        link="#000000",
        fills={
            "host": "#ffffff",
            "infrastructure": "#e0e0e0",
            "host_os": "#ebebeb",
            "hypervisor": "#e0e0e0",
            "vm": "#ffffff",
            "guest_os": "#f2f2f2",
            "engine": "#ebebeb",
            "container": "#ffffff",
            "app": "#ffffff",
            "libs": "#f5f5f5",
            "panel": "#ffffff",
            "added": "#ffffff",
            "removed": "#ffffff",
            "changed": "#ffffff",
        },
    ),
}


#: The SVG that follows the reader's ``prefers-color-scheme``: these two palettes, light first.
AUTO = "auto"
_AUTO_PAIR = ("light", "dark")
#: The names a caller may choose: each palette, and ``auto``.
THEME_NAMES = (*THEMES, AUTO)


def _token(index: int) -> str:
    return f"#0000{index + 1:02x}"


def _tokens() -> Theme:
    """Return the theme ``auto`` is drawn with: one placeholder colour per role.

    The SVG finisher (:func:`diagramgen.draw.svg.finish_svg`) puts the light colour back in each
    attribute and gives the element a class that the dark palette recolours; Graphviz draws
    nothing in a colour of its own, so every colour of the picture is one of these.
    """
    colours = {role: _token(index) for index, role in enumerate(ROLES)}
    return Theme(
        name=AUTO,
        background=colours["background"],
        text=colours["text"],
        detail=colours["detail"],
        warn=colours["warn"],
        border=colours["border"],
        link=colours["link"],
        fills={layer: colours[layer] for layer in LAYERS},
    )


_AUTO_TOKENS = _tokens()


def auto_colours() -> dict[str, tuple[str, str, str]]:
    """Return, for each placeholder colour of ``auto``, its role, light and dark colours."""
    light, dark = (THEMES[name] for name in _AUTO_PAIR)
    return {
        _token(index): (role, light.colour(role), dark.colour(role))
        for index, role in enumerate(ROLES)
    }


def verify_theme(name: str) -> Theme:
    """Return the theme called ``name``; raise :class:`InvalidArgument` listing the themes.

    ``auto`` returns the placeholder theme its SVG is drawn with (see :func:`auto_colours`).
    """
    if name == AUTO:
        return _AUTO_TOKENS
    try:
        return THEMES[name]
    except KeyError:
        raise InvalidArgument(
            f"unknown theme {name!r}; choose one of {', '.join(THEME_NAMES)}"
        ) from None


def drawn_theme(name: str, svg: bool) -> Theme:
    """Return the palette theme ``name`` draws with: ``auto`` is light except in SVG."""
    if name == AUTO and not svg:
        return THEMES[_AUTO_PAIR[0]]
    return verify_theme(name)


def _luminance(colour: str) -> float:
    channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """Return the WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
