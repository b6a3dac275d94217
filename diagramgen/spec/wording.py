"""How the spec stage shows a value in a message: its kind, its text clipped, its place.

JSON and YAML specs name kinds in their own words ("an object" and "a mapping"); both readers
and validation use these, so a message reads the same whichever reader wrote it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["clip", "kind", "position"]

_JSON = ("an object", "an array", "a string")
_YAML = ("a mapping", "a list", "text")


def kind(value: Any, yaml: bool = False) -> str:
    """Return what a value is, for a message: "an object", "a string", "null"… (in YAML's
    words with ``yaml``: "a mapping", "a list", "text")."""
    words = _YAML if yaml else _JSON
    if isinstance(value, dict):
        return words[0]
    if isinstance(value, list):
        return words[1]
    if isinstance(value, str):
        return words[2]
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def clip(text: str, limit: int = 60) -> str:
    """Return ``text``, shortened with "…" to ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def position(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of character ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
