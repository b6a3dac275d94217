"""Starter specs written by ``diagramgen init``: commented, valid, one per kind of stack."""

from __future__ import annotations

from .assets import DATA

__all__ = ["STACKS", "starter_text"]

STACKS = ("vm", "container", "hybrid")


def starter_text(stack: str) -> str:
    """Return the starter spec for a kind of stack (one of :data:`STACKS`)."""
    if stack not in STACKS:
        raise ValueError(f"unknown stack {stack!r}; expected one of {', '.join(STACKS)}")
    return (DATA / "starters" / f"{stack}.json").read_text("utf-8")
