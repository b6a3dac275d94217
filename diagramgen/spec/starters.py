"""Starter specs written by ``diagramgen init``: commented, valid, one per kind of stack."""

from __future__ import annotations

from ..assets import DATA
from .model import verify_stack
from .sources import verify_syntax

__all__ = ["starter_text"]


def starter_text(stack: str, syntax: str = "json") -> str:
    """Return the starter spec for a kind of stack (one of :data:`~.model.STACKS`), commented.

    ``syntax`` is ``json`` (comments as ``$comment`` keys) or ``yaml`` (real comments).
    """
    return (DATA / "starters" / f"{verify_stack(stack)}.{verify_syntax(syntax)}").read_text("utf-8")
