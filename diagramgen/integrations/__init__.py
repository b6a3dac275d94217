"""Docs integrations: a Python-Markdown fence, an MkDocs plugin and a Sphinx extension.

Each is a thin consumer of the library (:func:`diagramgen.api.render`,
:func:`diagramgen.spec.load_text`); :mod:`.pictures` holds what they share: the options of a
picture on a page, the cache of renders, the inline SVG and the error box. Importing
:mod:`diagramgen` never imports these modules, nor Markdown, MkDocs or Sphinx.
"""

from __future__ import annotations

__all__: list[str] = []
