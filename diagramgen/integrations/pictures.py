"""Pictures on docs pages: a spec's text, its render through a cache, inline SVG, error boxes.

The Markdown fence, the MkDocs plugin and the Sphinx directive all render through
:class:`Renderer`, so each caches the same way: one file per render, named by everything the
picture depends on (the spec's bytes, the options, the diagramgen version and build), in a
folder that is safe to delete.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

from msgspec import Struct

from ..api import render, source_key
from ..draw.themes import AUTO, verify_theme
from ..errors import DiagramgenError, InvalidArgument, Problem, SpecInvalid
from ..files.atomic import write_atomic
from ..files.manifest import digest
from ..settings import Settings
from ..spec import DEFAULT_LIMITS, Limits, Spec, load_text, read_spec_file, syntax_of
from .schemes import DEFAULT_SCHEMES, PageSchemes, follow_page

__all__ = [
    "DEFAULT_THEME",
    "PRINT_THEME",
    "Renderer",
    "SpecText",
    "error_html",
    "figure_html",
    "inline_svg",
    "page_theme",
    "parse_width",
    "print_theme",
]

#: The theme of pictures on web pages: one SVG that follows the page's colour scheme.
DEFAULT_THEME = AUTO
#: The theme of pictures in print (LaTeX, PDF), where no colour scheme is followed.
PRINT_THEME = "light"
_MAX_WIDTH = 10_000
_CACHED = re.compile(r"^[0-9a-f]{64}\.(svg|pdf)$")


def page_theme(name: str) -> str:
    """Return ``name`` if it is a theme; raise :class:`InvalidArgument` listing the themes."""
    return verify_theme(name).name


def print_theme(name: str) -> str:
    """Return the theme to print a picture of theme ``name`` with: ``auto`` prints light."""
    return PRINT_THEME if name == "auto" else name


def parse_width(value: object) -> int | None:
    """Return a width in CSS px from ``600``, ``"600"`` or ``"600px"``; ``None`` for none."""
    if value is None or value == "" or value == 0:
        return None
    text = str(value).strip().removesuffix("px")
    if not text.isdigit() or not 1 <= int(text) <= _MAX_WIDTH:
        raise InvalidArgument(
            f"width {value!r}: give a whole number of CSS px between 1 and {_MAX_WIDTH:,}"
        )
    return int(text)


class SpecText(Struct, frozen=True):
    """A spec's bytes and where they are: a spec file, or inline in a page.

    ``line`` and ``column`` place inline text in its page (the lines before it, its
    indentation), so errors point into the page, not into the fence.
    """

    data: bytes
    file: str
    syntax: str
    line: int = 0
    column: int = 0

    @classmethod
    def from_file(
        cls, path: Path, label: str | None = None, limits: Limits = DEFAULT_LIMITS
    ) -> SpecText:
        """Return the spec file at ``path`` (named ``label`` in errors); the suffix picks YAML."""
        name = label or str(path)
        try:
            data = read_spec_file(path, limits)
        except SpecInvalid as error:
            raise SpecInvalid(name, error.problems) from None
        return cls(data, name, syntax_of(path))

    @classmethod
    def inline(cls, text: str, file: str, line: int = 0, column: int = 0) -> SpecText:
        """Return a spec written in a page: JSON when it starts with ``{``, else YAML."""
        syntax = "json" if text.lstrip().startswith("{") else "yaml"
        return cls(text.encode("utf-8"), file, syntax, line, column)

    def load(self, limits: Limits = DEFAULT_LIMITS) -> Spec:
        """Return the model; raise :class:`SpecInvalid` with positions in the page."""
        try:
            return load_text(self.data, self.file, limits, self.syntax)
        except SpecInvalid as error:
            if not (self.line or self.column):
                raise
            raise SpecInvalid(self.file, [self._shift(item) for item in error.problems]) from None

    def _shift(self, problem: Problem) -> Problem:
        if not problem.line:  # the whole text (empty, not a mapping): point at the fence
            return Problem(max(self.line, 1), self.column + 1, problem.pointer, problem.message)
        column = problem.column + self.column
        return Problem(problem.line + self.line, column, problem.pointer, problem.message)


class Renderer:
    """Render specs for pages, each render kept in ``cache`` (a folder; ``None``: no cache).

    ``rendered`` and ``reused`` count renders and cache hits; ``used`` names the cache files
    this renderer read or wrote, so :meth:`prune` can drop the rest.
    """

    def __init__(self, cache: Path | None = None, limits: Limits = DEFAULT_LIMITS) -> None:
        self.cache = cache
        self.limits = limits
        self.rendered = 0
        self.reused = 0
        self.used: set[str] = set()

    def settings(self, theme: str, name: str, width: int | None) -> Settings:
        """Return the settings a page's picture is drawn with."""
        settings = Settings(theme=theme, name=name, limits=self.limits)
        return settings.replace(width=width) if width else settings

    def key(self, spec: SpecText, output: str, settings: Settings) -> str:
        """Return the digest of everything the picture depends on."""
        base = source_key(spec.data, output, settings)
        extra = {"base": base, "syntax": spec.syntax, "name": settings.name}
        return digest(json.dumps(extra, sort_keys=True).encode())

    def picture(
        self, spec: SpecText, output: str, theme: str, name: str, width: int | None = None
    ) -> bytes:
        """Return the picture of ``spec`` in ``output`` (``svg`` or ``pdf``), from the cache
        when it holds it; raise :class:`SpecInvalid` or :class:`EngineError` on failure."""
        settings = self.settings(theme, name, width)
        path = None
        if self.cache is not None:
            path = self.cache / f"{self.key(spec, output, settings)}.{output}"
            try:
                data = path.read_bytes()
            except OSError:
                pass
            else:
                os.utime(path)  # recently used: trim() keeps it
                self.used.add(path.name)
                self.reused += 1
                return data
        pictures = render(spec.load(self.limits), [output], settings)
        self.rendered += 1
        if path is not None:
            write_atomic(path, pictures[output])
            self.used.add(path.name)
        return pictures[output]

    def _entries(self) -> list[Path]:
        if self.cache is None or not self.cache.is_dir():
            return []
        return [path for path in self.cache.iterdir() if _CACHED.match(path.name)]

    def prune(self) -> int:
        """Remove the cached renders this renderer did not use; return how many."""
        stale = [path for path in self._entries() if path.name not in self.used]
        for path in stale:
            path.unlink(missing_ok=True)
        return len(stale)

    def trim(self, keep: int) -> int:
        """Remove all but the ``keep`` most recently used cached renders; return how many."""
        entries = sorted(self._entries(), key=lambda path: path.stat().st_mtime, reverse=True)
        for path in entries[keep:]:
            path.unlink(missing_ok=True)
        return len(entries[keep:])


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>\s*")
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_LABELLED_BY = re.compile(r' aria-labelledby="([^"]*)"')


def inline_svg(
    svg: bytes,
    width: int | None = None,
    alt: str | None = None,
    schemes: PageSchemes = DEFAULT_SCHEMES,
) -> str:
    """Return an SVG document as an element for an HTML page that scales to its column.

    The picture keeps its viewBox and natural size (or ``width`` CSS px) but never overflows
    its column: ``max-width:100%; height:auto``. ``alt`` becomes its accessible name; its
    description stays. A picture of theme ``auto`` follows the page's light or dark scheme
    (``schemes``) as well as the OS (:mod:`.schemes`).
    """
    text = follow_page(_XML_DECLARATION.sub("", svg.decode("utf-8"), count=1), schemes)
    opening = _SVG_OPEN.search(text)
    if opening is None:  # pragma: no cover - render() always returns an <svg> element
        raise ValueError("not an SVG document")
    tag = opening.group(0)[:-1]
    if alt is not None:
        labels = _LABELLED_BY.search(tag)
        described = [item for item in (labels.group(1).split() if labels else []) if "desc" in item]
        name = f' aria-label="{html.escape(alt)}"'
        if described:
            name += f' aria-describedby="{" ".join(described)}"'
        tag = _LABELLED_BY.sub("", tag) + name
    size = f"width:{width}px;" if width else ""
    style = f"{size}max-width:100%;height:auto"
    if ' style="' in tag:
        tag = tag.replace(' style="', f' style="{style};', 1)
    else:
        tag += f' style="{style}"'
    return text[: opening.start()] + tag + ">" + text[opening.end() :].rstrip()


def figure_html(element: str, caption: str | None = None) -> str:
    """Return a picture element wrapped for a page: a ``<figure>`` when it has a caption."""
    if caption:
        escaped = html.escape(caption)
        return f'<figure class="diagramgen">{element}<figcaption>{escaped}</figcaption></figure>'
    return f'<div class="diagramgen">{element}</div>'


def error_html(error: DiagramgenError) -> str:
    """Return a box that shows, on the page, why a picture is missing (any theme, no CSS)."""
    lines = html.escape("\n".join(error.lines()))
    title = "diagramgen: the spec is invalid" if isinstance(error, SpecInvalid) else "diagramgen"
    return (
        '<div class="diagramgen-error" role="alert" style="border:1px solid #b91c1c;'
        "border-left:6px solid #b91c1c;border-radius:4px;background:#fef2f2;color:#450a0a;"
        'padding:.6em .9em;margin:1em 0">'
        f'<p style="margin:0 0 .4em;font-weight:bold;color:#7f1d1d">{title}</p>'
        '<pre style="margin:0;padding:0;white-space:pre-wrap;background:none;color:inherit;'
        f'border:0;font-size:.85em">{lines}</pre></div>'
    )
