"""Watch specs and show every save at once: a live page (``watch``) or re-rendered files.

``changes`` follows the files, ``board`` keeps each spec's latest picture, totals and errors,
``server`` and ``page`` show them in a browser, ``loop`` runs it all. Needs the optional
``watchfiles`` package (the ``watch`` extra).
"""

from __future__ import annotations

from .loop import render_on_change, watch

__all__ = ["render_on_change", "watch"]
