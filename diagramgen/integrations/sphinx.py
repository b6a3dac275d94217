"""The Sphinx extension: a ``diagramgen`` directive, in reStructuredText and through MyST.

``extensions = ["diagramgen.sphinx"]``, then::

    .. diagramgen:: diagrams/stack.json
       :caption: Our stack
       :name: fig-stack

A path (relative to the page, or to the source folder when it starts with ``/``) or the spec
inline (JSON if it starts with ``{``, else YAML). The result is a ``figure`` — numbered with
``numfig`` and referenceable with ``:numref:`` and ``:ref:`` — holding an inline SVG that
scales to the column in HTML, and the PDF render in LaTeX, so a PDF book needs no browser.
The spec is checked when the page is read: each problem is a warning at its
``file:line:col`` (``sphinx-build -W`` fails) and the page shows it in an error box. Renders
are cached in the build's doctree folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, ClassVar
from weakref import WeakKeyDictionary

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxTranslator

from .. import __version__
from ..errors import DiagramgenError, InvalidArgument
from ..files.atomic import write_atomic
from ..files.manifest import digest
from ..settings import DEFAULT_SETTINGS
from .pictures import (
    DEFAULT_THEME,
    Renderer,
    SpecText,
    error_html,
    inline_svg,
    page_theme,
    parse_width,
    print_theme,
)
from .schemes import PageSchemes, page_schemes

__all__ = ["DiagramgenDirective", "diagramgen", "setup"]

_LOG = logging.getLogger(__name__)
#: Cached renders kept per build folder (the most recently used).
CACHE_ENTRIES = 1000


class diagramgen(nodes.General, nodes.Element):  # docutils names nodes in lower case
    """A diagram: the spec's text and where it came from, and how to draw it.

    Its builders draw it when they write: HTML an inline SVG, LaTeX the PDF render.
    """


def _shown(path: str) -> str:
    """Return ``path`` as errors show it: relative to the working folder when inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


class DiagramgenDirective(SphinxDirective):
    """``.. diagramgen:: [PATH]`` with the spec as content when there is no path."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {
        "theme": directives.unchanged_required,
        "width": directives.length_or_percentage_or_unitless,
        "alt": directives.unchanged,
        "caption": directives.unchanged,
        "name": directives.unchanged,
        "class": directives.class_option,
        "align": lambda value: directives.choice(value, ("left", "center", "right")),
    }

    def run(self) -> list[nodes.Node]:
        try:
            spec = self._spec()
            theme = page_theme(self.options.get("theme", self.config.diagramgen_theme))
            width = self.options.get("width") or self.config.diagramgen_width
            _pixels(width)
            spec.load()  # checked now, so each problem is reported at its place when read
        except DiagramgenError as error:
            for line in error.lines():
                _LOG.warning("%s", line, location=self.get_location(), type="diagramgen")
            return [_error_node(error)]
        node = diagramgen(
            spec=spec.data.decode("utf-8"),
            file=spec.file,
            syntax=spec.syntax,
            line=spec.line,
            column=spec.column,
            theme=theme,
            width=str(width or ""),
            alt=self.options.get("alt", ""),
            name=f"{self.env.docname}-{self.env.new_serialno('diagramgen')}",
        )
        self.set_source_info(node)
        figure = nodes.figure("", node, classes=["diagramgen", *self.options.get("class", [])])
        figure["align"] = self.options.get("align", "default")
        self.set_source_info(figure)
        caption = self.options.get("caption")
        if caption:
            parsed, messages = self.state.inline_text(caption, self.lineno)
            figure += nodes.caption(caption, "", *parsed)
            figure += messages
        self.add_name(figure)
        return [figure]

    def _spec(self) -> SpecText:
        if self.arguments and self.content:
            raise InvalidArgument(
                f"{self.get_location()}: diagramgen takes a spec path or the spec as content, "
                "not both"
            )
        if self.arguments:
            relative, absolute = self.env.relfn2path(self.arguments[0], self.env.docname)
            self.env.note_dependency(relative)
            return SpecText.from_file(Path(absolute), _shown(absolute))
        if not self.content:
            raise InvalidArgument(
                f"{self.get_location()}: diagramgen needs a spec path or the spec as content"
            )
        source, _ = self.get_source_info()
        first = self.content[0]
        indent = next(
            (
                len(raw) - len(raw.lstrip())
                for raw in self.block_text.splitlines()
                if raw.strip() == first.strip() and raw.endswith(first)
            ),
            0,
        )
        text = "\n".join(self.content)
        return SpecText.inline(text, _shown(source), self.content_offset, indent)


def _pixels(width: str | None) -> int | None:
    """Return a width in CSS px (``600``, ``600px``); ``None`` for none or a percentage."""
    if not width or width.endswith("%"):
        return None
    return parse_width(width)


def _error_node(error: DiagramgenError) -> nodes.Element:
    text = "\n".join(error.lines())
    lines = nodes.literal_block(text, text, language="text")
    box = nodes.error("", lines, classes=["diagramgen-error"])
    return box


# One renderer per builder (its cache folder is the build's); a parallel build's processes
# each have their own.
_RENDERERS: WeakKeyDictionary[Builder, Renderer] = WeakKeyDictionary()


def _renderer(builder: Builder) -> Renderer:
    renderer = _RENDERERS.get(builder)
    if renderer is None:
        renderer = Renderer(Path(builder.doctreedir) / "diagramgen")
        _RENDERERS[builder] = renderer
    return renderer


def _spec_of(node: nodes.Element) -> SpecText:
    return SpecText(
        node["spec"].encode("utf-8"), node["file"], node["syntax"], node["line"], node["column"]
    )


def _picture(
    translator: SphinxTranslator, node: nodes.Element, output: str
) -> bytes | DiagramgenError:
    """Return the picture of a node, or the error (reported) that stopped it."""
    theme = node["theme"] if output == "svg" else print_theme(node["theme"])
    try:
        renderer = _renderer(translator.builder)
        return renderer.picture(_spec_of(node), output, theme, node["name"], _pixels(node["width"]))
    except DiagramgenError as error:
        for line in error.lines():
            _LOG.warning("%s", line, location=node, type="diagramgen")
        return error


def visit_html(translator: Any, node: nodes.Element) -> None:
    """Write the diagram as an inline SVG that scales to the column."""
    svg = _picture(translator, node, "svg")
    if isinstance(svg, DiagramgenError):
        translator.body.append(error_html(svg))
        raise nodes.SkipNode
    width = node["width"]
    style = f' style="width:{width}"' if width.endswith("%") else ""
    schemes = _schemes(translator.builder)
    element = inline_svg(svg, _pixels(width), node["alt"] or None, schemes)
    translator.body.append(f'<div class="diagramgen"{style}>{element}</div>\n')
    raise nodes.SkipNode


def _schemes(builder: Builder) -> PageSchemes:
    """Return what makes the site's pages dark or light: the known themes' switches and the
    ``diagramgen_dark_selector`` and ``diagramgen_light_selector`` of ``conf.py``."""
    config = builder.config
    return page_schemes(config.diagramgen_dark_selector, config.diagramgen_light_selector)


def visit_latex(translator: Any, node: nodes.Element) -> None:
    """Write the PDF render into the build's image folder and include it at its size."""
    pdf = _picture(translator, node, "pdf")
    if isinstance(pdf, DiagramgenError):
        _error_node(pdf).walkabout(translator)
        raise nodes.SkipNode
    builder = translator.builder
    name = f"diagramgen-{digest(pdf)[:20]}.pdf"
    uri = f"{builder.imagedir}/{name}" if builder.imagedir else name
    target = Path(builder.outdir) / uri
    if not target.exists():
        write_atomic(target, pdf)
    options = latex_size(pdf, node["width"], _caption_text(node))
    # As Sphinx's own image writer: the name in braces (dots in a name are not an extension).
    base = uri.removesuffix(".pdf")
    translator.body.append(f"\n\\noindent\\sphinxincludegraphics[{options}]{{{{{base}}}.pdf}}\n")
    raise nodes.SkipNode


#: Characters a caption line holds at the least, in the smallest text block Sphinx sets up.
_CAPTION_LINE = 70
_MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")


def latex_size(pdf: bytes, width: str, caption: str) -> str:
    """Return the ``\\includegraphics`` options that place a diagram's PDF in the text block.

    Every diagram is drawn for a column of ``DEFAULT_SETTINGS.width`` CSS px, so that column is
    the text width and a CSS px is the same length in every figure: text reads the same size
    from figure to figure, and a narrower diagram is narrower (``width`` as a percentage caps it
    as it does in HTML). A tall diagram is scaled down to the text height less its caption, so
    the figure and its caption fit the page (LaTeX's "Float too large").
    """
    found = _MEDIA_BOX.search(pdf)
    share = 1.0
    if found is not None:
        left, _, right, _ = (float(value) for value in found.groups())
        # Graphviz's points are the layout's CSS px: a diagram of 760 points fills the column.
        share = min(share, (right - left) / DEFAULT_SETTINGS.width)
    if width.endswith("%"):
        share = min(share, float(width[:-1]) / 100)
    height = "\\textheight"
    if caption:
        # The caption's lines, its skips and one line to spare, at the figure's baselineskip.
        lines = -(-(len(caption) + len("Fig. 100: ")) // _CAPTION_LINE) + 1
        skips = "\\abovecaptionskip-\\belowcaptionskip"
        height = f"\\dimexpr\\textheight-{skips}-{lines}\\baselineskip\\relax"
    return f"width={share:.4f}\\linewidth,height={height},keepaspectratio"


def _caption_text(node: nodes.Element) -> str:
    """Return the text of the caption of the figure ``node`` stands in, if any."""
    figure = node.parent
    if figure is None:
        return ""
    return " ".join(child.astext() for child in figure.children if isinstance(child, nodes.caption))


def visit_text(translator: Any, node: nodes.Element) -> None:
    """Write the diagram's alternative text where no picture can go."""
    translator.add_text(f"[diagram: {node['alt'] or node['name']}]")
    raise nodes.SkipNode


def skip(translator: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode


def _check_config(app: Sphinx, config: Any) -> None:
    try:
        page_schemes(config.diagramgen_dark_selector, config.diagramgen_light_selector)
    except DiagramgenError as error:
        raise ExtensionError(f"diagramgen: {error}") from None


def _trim(app: Sphinx, exception: Exception | None) -> None:
    renderer = _RENDERERS.get(app.builder)
    if renderer is not None and exception is None:
        renderer.trim(CACHE_ENTRIES)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive, its node's writers and the config values."""
    app.add_config_value("diagramgen_theme", DEFAULT_THEME, "env", str)
    app.add_config_value("diagramgen_width", "", "env", str)
    app.add_config_value("diagramgen_dark_selector", "", "html", str)
    app.add_config_value("diagramgen_light_selector", "", "html", str)
    app.connect("config-inited", _check_config)
    app.add_node(
        diagramgen,
        html=(visit_html, None),
        latex=(visit_latex, None),
        text=(visit_text, None),
        man=(skip, None),
        texinfo=(skip, None),
    )
    app.add_directive("diagramgen", DiagramgenDirective)
    app.connect("build-finished", _trim)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
