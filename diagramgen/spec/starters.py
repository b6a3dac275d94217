"""Starter specs written by ``diagramgen init``: commented, valid, one per kind of stack."""

from __future__ import annotations

from ..assets import DATA
from .model import verify_stack

__all__ = ["starter_text"]


def starter_text(stack: str) -> str:
    """Return the starter spec for a kind of stack (one of :data:`~.model.STACKS`)."""
    return (DATA / "starters" / f"{verify_stack(stack)}.json").read_text("utf-8")
