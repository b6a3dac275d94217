"""A Python-Markdown extension: ```` ```diagramgen ```` fences and image references to specs.

Either list the extension alone (it sets up ``pymdownx.superfences`` and adds its fence to it,
beside any other custom fences such as Mermaid)::

    markdown.Markdown(extensions=["diagramgen.integrations.markdown"])

or name the fence in superfences' own ``custom_fences`` (``format`` :func:`fence_format`,
``validator`` :func:`fence_validator`). ``![Our stack](diagrams/stack.json)`` (or ``.yaml``)
needs the extension: it becomes the same inline SVG as a fence.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from msgspec import Struct
from pymdownx.superfences import SuperFencesException

from ..errors import DiagramgenError, Hint, InvalidArgument, SpecInvalid
from .pictures import (
    DEFAULT_THEME,
    Renderer,
    SpecText,
    error_html,
    figure_html,
    inline_svg,
    page_theme,
    parse_width,
)
from .schemes import page_schemes

__all__ = [
    "FENCE",
    "DiagramFailed",
    "DiagramgenExtension",
    "Page",
    "fence_format",
    "fence_validator",
    "makeExtension",
]

#: The fence's language name and CSS class.
FENCE = "diagramgen"
_OPTIONS = ("theme", "width", "alt", "caption")
_SPEC_FILE = re.compile(r"\.(json|ya?ml)$", re.IGNORECASE)
_LOG = logging.getLogger("diagramgen.markdown")


class Page(Struct, frozen=True):
    """The page being converted: ``file`` names it in errors, ``folder`` is where relative spec
    paths start, ``name`` prefixes its diagrams' SVG ids."""

    file: str = "<markdown>"
    folder: Path = Path(".")
    name: str = "diagram"


class DiagramFailed(SuperFencesException, DiagramgenError):  # type: ignore[misc]
    """A diagram failed and ``fail_fast`` is set: the error, raised so that superfences (which
    turns other errors in a fence into a plain code block) lets it through."""

    def __init__(self, error: DiagramgenError) -> None:
        self.error = error
        super().__init__("\n".join(error.lines()))

    def lines(self, hint: Hint | None = None) -> list[str]:
        return self.error.lines(hint)


def _log(error: DiagramgenError) -> None:
    for line in error.lines():
        _LOG.warning("%s", line)


class DiagramgenExtension(Extension):
    """The fence and the image references, with their defaults and their cache."""

    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "theme": [DEFAULT_THEME, "Theme of the pictures: auto, light, dark or mono."],
            "width": [0, "Width of each picture in CSS px (0: its natural width)."],
            "base_path": [".", "Folder that spec paths in image references start from."],
            "cache_dir": ["", "Folder to keep renders in ('': no cache)."],
            "fail_fast": [False, "Raise on an invalid spec instead of showing an error box."],
            "dark_selector": ["", "CSS selectors of the theme's dark scheme, beside the known."],
            "light_selector": ["", "CSS selectors of the theme's light scheme, beside the known."],
        }
        super().__init__(**kwargs)
        #: What makes a page dark or light, for pictures of theme auto (checked here, once).
        self.schemes = page_schemes(
            self.getConfig("dark_selector"), self.getConfig("light_selector")
        )
        self.page = Page(folder=Path(self.getConfig("base_path")))
        #: Called with each error before its box is drawn; the MkDocs plugin logs through it.
        self.report: Callable[[DiagramgenError], None] = _log
        #: Raised with ``fail_fast``; the MkDocs plugin raises one that stops the build.
        self.failure: type[DiagramFailed] = DiagramFailed
        cache = self.getConfig("cache_dir")
        self.renderer = Renderer(Path(cache) if cache else None)
        #: The spec files image references named (resolved), for the MkDocs plugin.
        self.referenced: set[Path] = set()
        self._count = 0
        self._text = ""  # the page's Markdown, to place fences in it
        self._found = 0  # the line after the last fence placed

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        if _superfences(md) is None:
            md.registerExtensions(["pymdownx.superfences"], {})
        # Before superfences (25) runs, whichever instance of it is in place by then.
        md.preprocessors.register(_AddFence(md), "diagramgen_fence", 40)
        # After inline patterns (20) made <img> elements; before MkDocs checks links (0).
        md.treeprocessors.register(_SpecImages(md, self), "diagramgen_images", 15)

    def reset(self) -> None:
        self._count = 0
        self._found = 0

    def read(self, lines: list[str]) -> None:
        """Keep the text of the page about to be converted."""
        self._text = "\n".join(lines)
        self._found = 0

    def next_name(self) -> str:
        """Return the SVG id prefix of the page's next diagram: unique on the page."""
        self._count += 1
        return f"{self.page.name}-{self._count}"

    def defaults(self) -> tuple[str, int | None]:
        """Return the configured theme and width, checked."""
        return page_theme(self.getConfig("theme")), parse_width(self.getConfig("width"))

    def place(self, source: str) -> tuple[int, int]:
        """Return the lines before a fence's text in the page, and its indentation."""
        first = source.split("\n", 1)[0].strip()
        lines = self._text.split("\n")
        for index in range(self._found, len(lines) - 1):
            opening = lines[index].lstrip(" \t>")
            content = lines[index + 1]
            if opening[:3] in ("```", "~~~") and FENCE in opening and content.strip() == first:
                self._found = index + 1
                return (index + 1, len(content) - len(content.lstrip()))
        return (0, 0)

    def reference(self, written: str) -> str:
        """Return where the page refers to the spec file ``written``: ``page:line: written``."""
        for number, line in enumerate(self._text.split("\n"), start=1):
            if f"]({written}" in line or f"]( {written}" in line:
                return f"{self.page.file}:{number}: {written}"
        return f"{self.page.file}: {written}"

    def failed(self, error: DiagramgenError) -> str:
        """Report an error; return its box, or raise :attr:`failure` with ``fail_fast``."""
        self.report(error)
        if self.getConfig("fail_fast"):
            raise self.failure(error) from error
        return error_html(error)

    def html(
        self,
        spec: SpecText,
        options: dict[str, str],
        alt: str | None = None,
        caption: str | None = None,
    ) -> str:
        """Return the picture of ``spec`` for the page, or the box of its error."""
        try:
            theme, width = self.defaults()
            if "error" in options:
                raise InvalidArgument(f"{spec.file}:{spec.line}: {options['error']}")
            theme = page_theme(options.get("theme", theme))
            width = parse_width(options["width"]) if "width" in options else width
            svg = self.renderer.picture(spec, "svg", theme, self.next_name(), width)
        except DiagramgenError as error:
            return self.failed(error)
        alt = options.get("alt", alt)
        element = inline_svg(svg, width, alt, self.schemes)
        return figure_html(element, options.get("caption", caption))


def makeExtension(**kwargs: Any) -> DiagramgenExtension:
    """Return the extension (Python-Markdown loads extensions by this name)."""
    return DiagramgenExtension(**kwargs)


# The extension of a Markdown instance whose fence was set up in custom_fences alone.
_DEFAULTS: WeakKeyDictionary[Markdown, DiagramgenExtension] = WeakKeyDictionary()


def _extension(md: Markdown) -> DiagramgenExtension:
    for extension in md.registeredExtensions:
        if isinstance(extension, DiagramgenExtension):
            return extension
    return _DEFAULTS.setdefault(md, DiagramgenExtension())


def _superfences(md: Markdown) -> Any:
    """Return the superfences extension that handles fences now, if any."""
    if "fenced_code_block" not in md.preprocessors:
        return None
    owner = getattr(md.preprocessors["fenced_code_block"], "extension", None)
    return owner if hasattr(owner, "extend_super_fences") else None


def fence_validator(
    language: str, inputs: dict[str, str], options: dict[str, str], attrs: Any, md: Markdown
) -> bool:
    """Take the fence's header options (``theme=dark width=600 alt="…" caption="…"``).

    An unknown option is kept as an error, which the fence then shows on the page, rather than
    letting the fence fall back to a code block without a word.
    """
    for key, value in inputs.items():
        if key in _OPTIONS:
            options[key] = value
        else:
            choices = ", ".join(_OPTIONS)
            options["error"] = f"unknown diagramgen fence option {key!r}; choose from {choices}"
    return True


def fence_format(
    src: str, language: str, class_name: str, options: dict[str, str], md: Markdown, **kwargs: Any
) -> str:
    """Return the inline SVG of the spec in a fence (JSON if it starts with ``{``, else YAML)."""
    extension = _extension(md)
    line, column = extension.place(src)
    spec = SpecText.inline(src, extension.page.file, line, column)
    return extension.html(spec, options)


def _superfences_validator(
    language: str, inputs: dict[str, str], options: dict[str, str], attrs: Any, md: Markdown
) -> bool:
    # superfences reads its highlight settings on the first validator call; ours must too,
    # or a page whose first fence is ours breaks its attribute handling.
    fenced: Any = md.preprocessors["fenced_code_block"]
    fenced.get_hl_settings()
    return fence_validator(language, inputs, options, attrs, md)


def _superfences_formatter(
    src: str = "",
    language: str = "",
    options: dict[str, str] | None = None,
    md: Markdown | None = None,
    **kwargs: Any,
) -> str:
    assert md is not None
    return fence_format(src, language, FENCE, options or {}, md, **kwargs)


def _test(language: str) -> bool:
    return language == FENCE


class _AddFence(Preprocessor):
    """Add the fence to superfences unless ``custom_fences`` has it; keep the page's text to
    place fences in (before any preprocessor changes it); change no text."""

    def run(self, lines: list[str]) -> list[str]:
        _extension(self.md).read(lines)
        owner = _superfences(self.md)
        if owner is not None and not any(fence["name"] == FENCE for fence in owner.superfences):
            owner.superfences.append(
                {
                    "name": FENCE,
                    "test": _test,
                    "formatter": _superfences_formatter,
                    "validator": _superfences_validator,
                    "reset": None,
                }
            )
        return lines


class _SpecImages(Treeprocessor):
    """Replace ``<img>`` elements whose source is a spec file by its inline SVG."""

    def __init__(self, md: Markdown, extension: DiagramgenExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                source = child.get("src", "") if child.tag == "img" else ""
                if "://" in source or not _SPEC_FILE.search(source.split("?")[0]):
                    continue
                self._replace(parent, index, child)

    def _replace(self, parent: etree.Element, index: int, image: etree.Element) -> None:
        extension = self.extension
        written = image.get("src", "")
        resolved = (extension.page.folder / written).resolve()
        extension.referenced.add(resolved)
        try:
            # Named as the page writes it: problems in the spec are placed in that file.
            spec = SpecText.from_file(resolved, written)
        except SpecInvalid as error:
            if not any(problem.line for problem in error.problems):
                # Not read at all (missing, not a file, too big): the page and line that
                # refer to it, not the build machine's absolute path.
                error = SpecInvalid(extension.reference(written), error.problems)
            markup = extension.failed(error)
        except DiagramgenError as error:
            markup = extension.failed(error)
        else:
            markup = extension.html(spec, {}, image.get("alt") or None, image.get("title"))
        placeholder = self.md.htmlStash.store(markup)
        alone = parent.tag == "p" and len(parent) == 1 and not (parent.text or "").strip()
        if alone and not (image.tail or "").strip():
            # The paragraph is the picture: the stash puts a block element in its place.
            parent.remove(image)
            parent.text = placeholder
            return
        holder = etree.Element("span")
        holder.text = placeholder
        holder.tail = image.tail
        parent.remove(image)
        parent.insert(index, holder)
