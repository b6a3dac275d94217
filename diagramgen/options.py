"""How to render, as the command line gives it: formats, theme, engine, fonts.

Kept apart from :mod:`diagramgen.render` so that the command line can check its options without
loading the drawing pipeline.
"""

from __future__ import annotations

from collections.abc import Iterable

from msgspec import Struct

from .errors import UsageError
from .themes import THEMES

__all__ = ["DEFAULT_OPTIONS", "FORMATS", "Options", "verify_formats"]

FORMATS = ("svg", "png", "pdf", "dot")


def verify_formats(formats: Iterable[str]) -> list[str]:
    """Return the formats in order without repeats; raise :class:`UsageError` for an unknown one."""
    chosen: list[str] = []
    for name in formats:
        name = name.strip().lower()
        if name not in FORMATS:
            raise UsageError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise UsageError(f"no format given; choose from {', '.join(FORMATS)}")
    return chosen


class Options(Struct, frozen=True):
    """How to render: theme, engine (``auto``, ``embedded``, ``system``), fonts in the SVG."""

    theme: str = "light"
    engine: str = "auto"
    embed_fonts: bool = True

    def __post_init__(self) -> None:
        if self.theme not in THEMES:
            raise UsageError(f"unknown theme {self.theme!r}; choose one of {', '.join(THEMES)}")


DEFAULT_OPTIONS = Options()
