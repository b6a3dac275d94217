"""How to render: one value, checked once where it is made, passed whole to what reads it.

A front end (the command line, a docs plugin, ``watch``) makes one :class:`Settings` from what
its user asked for; every verb takes it whole. Each field has one reader: the theme and width
the layout, text and fonts the SVG finisher, the engine the render, the limits the loading,
the name the SVG's ids. A new setting is a field here, its reader, its option and its docs.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from .draw.layout import DEFAULT_WIDTH, MIN_WIDTH
from .draw.svg import verify_text
from .draw.themes import verify_theme
from .engines import Engine, select_engine, verify_engine
from .errors import InvalidArgument
from .spec import DEFAULT_LIMITS, Limits

__all__ = ["DEFAULT_SETTINGS", "Settings"]


class Settings(Struct, frozen=True, kw_only=True):
    """How pictures are drawn; every field is checked when the value is made.

    ``theme="auto"`` is one SVG that follows the reader's ``prefers-color-scheme`` (PNG, PDF
    and DOT draw it light); ``width`` is the budget in CSS px the picture is laid out for;
    ``text="paths"`` draws SVG text as outlines; ``embed_fonts`` embeds the glyphs drawn;
    ``engine`` is ``auto``, ``embedded``, ``system`` or an engine already chosen; ``name``
    prefixes the SVG's element ids (default: the spec file's stem); ``footer`` draws where the
    picture came from under it (every file says it in its metadata).
    """

    theme: str = "light"
    width: int = DEFAULT_WIDTH
    text: str = "font"
    embed_fonts: bool = True
    engine: str | Engine = "auto"
    limits: Limits = DEFAULT_LIMITS
    name: str | None = None
    footer: bool = False

    def __post_init__(self) -> None:
        verify_theme(self.theme)
        verify_text(self.text)
        width = self.width
        if isinstance(width, bool) or not isinstance(width, int) or width < MIN_WIDTH:
            raise InvalidArgument(f"width must be a whole number of CSS px, at least {MIN_WIDTH}")
        if not isinstance(self.engine, Engine):
            verify_engine(self.engine)
        if not isinstance(self.limits, Limits):
            raise InvalidArgument("limits must be a diagramgen.Limits")

    def replace(self, **changes: Any) -> Settings:
        """Return these settings with ``changes``, checked as a new value is."""
        return replace(self, **changes)

    def with_engine(self) -> Settings:
        """Return these settings with the engine chosen (started, its version known)."""
        if isinstance(self.engine, Engine):
            return self
        return replace(self, engine=select_engine(self.engine))

    def chosen_engine(self) -> Engine:
        """Return the engine to render with: the one given, or the one its name chooses."""
        return self.engine if isinstance(self.engine, Engine) else select_engine(self.engine)

    def affecting(self, output: str) -> dict[str, Any]:
        """Return the settings an output in format ``output`` depends on, as JSON data.

        The engine is named by its identity (name and Graphviz version) once chosen.
        """
        engine = self.engine
        identity = f"{engine.name} {engine.version}" if isinstance(engine, Engine) else engine
        drawn = output != "dot"
        svg = output in ("svg", "drawio.svg")  # an SVG: draw.io's carries its copy too
        return {
            "theme": self.theme,
            "width": self.width,
            "text": self.text if svg else None,
            "embed_fonts": self.embed_fonts if svg else None,
            "engine": identity if drawn else None,
            "limits": {name: getattr(self.limits, name) for name in self.limits.__struct_fields__},
            "name": self.name if svg else None,
            **({"footer": True} if self.footer else {}),
        }


DEFAULT_SETTINGS = Settings()
