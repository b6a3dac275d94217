"""The Sphinx extension, ``extensions = ["diagramgen.sphinx"]``: see :mod:`.integrations.sphinx`."""

from __future__ import annotations

from .integrations.sphinx import setup

__all__ = ["setup"]
