"""An inline picture of theme ``auto`` follows the page's own light/dark switch, not only the OS.

The SVG of theme ``auto`` draws its light colours and recolours each element dark inside
``@media (prefers-color-scheme:dark)`` (:func:`diagramgen.draw.svg.finish_svg`). A file or an
``<img>`` keeps exactly that. A docs theme with a toggle, though, may show a dark page on a light
OS or a light page on a dark one; so for an SVG inlined in such a page, :func:`follow_page`
rewrites that block to follow the page:

- dark when an ancestor element matches a *dark* selector, whatever the OS says;
- dark when the OS prefers dark, unless an ancestor matches a *light* selector;
- light otherwise (the colours the SVG's attributes hold).

The selectors known without configuration: Material for MkDocs (``data-md-color-scheme`` on
``<body>``: ``slate`` dark, ``default`` light), furo and the PyData theme (``data-theme`` =
``dark`` or ``light``; furo's ``auto`` follows the OS) and diagramgen's own hook,
``data-diagramgen-scheme`` = ``dark`` or ``light`` on ``<html>`` or ``<body>``, which a page script
of any other theme can set. A site adds its theme's own with the ``dark_selector`` and
``light_selector`` options (``html.dark``).
"""

from __future__ import annotations

import re

from msgspec import Struct

from ..errors import InvalidArgument

__all__ = ["DEFAULT_SCHEMES", "PageSchemes", "follow_page", "page_schemes"]

#: Ancestors that make a picture dark or light, whatever the OS prefers.
DARK = (
    '[data-md-color-scheme="slate"]',
    '[data-theme="dark"]',
    '[data-diagramgen-scheme="dark"]',
)
LIGHT = (
    '[data-md-color-scheme="default"]',
    '[data-theme="light"]',
    '[data-diagramgen-scheme="light"]',
)


class PageSchemes(Struct, frozen=True):
    """The selectors of a page's dark and light schemes (each a CSS selector list)."""

    dark: tuple[str, ...] = DARK
    light: tuple[str, ...] = LIGHT


DEFAULT_SCHEMES = PageSchemes()

# A selector goes into a <style> inside inline SVG, where the HTML parser still reads tags
# and character references: no '<' or '&', nothing that ends a rule or a selector list.
_UNSAFE = re.compile(r"[<&{};@\\]|/\*|^\s*$|^\s*,|,\s*$|,\s*,")


def page_schemes(dark: str = "", light: str = "") -> PageSchemes:
    """Return the known schemes plus a site's own ``dark`` and ``light`` selector lists;
    raise :class:`InvalidArgument` for a selector that cannot go into a style sheet."""
    extra = {}
    for name, value in (("dark", dark), ("light", light)):
        if not value.strip():
            continue
        if _UNSAFE.search(value):
            raise InvalidArgument(
                f"{name}_selector {value!r}: give a CSS selector list such as 'html.{name}' "
                "(no < & { } ; @ \\ or comments)"
            )
        extra[name] = (value.strip(),)
    return PageSchemes(DARK + extra.get("dark", ()), LIGHT + extra.get("light", ()))


# Exactly what finish_svg writes for theme auto: one media block of flat rules.
_DARK_BLOCK = re.compile(r"@media \(prefers-color-scheme:dark\)\{((?:[^{}@]+\{[^{}]*\})*)\}")
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def follow_page(svg: str, schemes: PageSchemes = DEFAULT_SCHEMES) -> str:
    """Return ``svg`` (an SVG document's text) with its dark colours following the page's
    scheme as well as the OS; unchanged when it has no dark colours (a fixed theme)."""
    found = _DARK_BLOCK.search(svg)
    if found is None:
        return svg
    rules = _RULE.findall(found.group(1))
    light, dark = ",".join(schemes.light), ",".join(schemes.dark)
    # Both forms set the same dark colours: a picture is dark where either applies. Each
    # weighs a class and an attribute, more than a page's own `.content svg path` rules.
    by_os = "".join(f"{selector}:not(:is({light}) *){{{rule}}}" for selector, rule in rules)
    by_page = "".join(f":is({dark}) {selector}{{{rule}}}" for selector, rule in rules)
    block = f"@media (prefers-color-scheme:dark){{{by_os}}}{by_page}"
    return svg[: found.start()] + block + svg[found.end() :]
