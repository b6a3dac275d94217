"""JSON Pointers (RFC 6901): how every problem and component points back into the spec."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["join", "pointer_of", "tokens"]


def join(pointer: str, key: str | int) -> str:
    """Return ``pointer`` extended by one reference token, escaped per RFC 6901."""
    token = str(key).replace("~", "~0").replace("/", "~1")
    return f"{pointer}/{token}"


def pointer_of(path: Iterable[str | int]) -> str:
    """Return the JSON Pointer of a path of keys and indexes."""
    pointer = ""
    for key in path:
        pointer = join(pointer, key)
    return pointer


def tokens(pointer: str) -> list[str]:
    """Return the unescaped reference tokens of ``pointer`` (``""`` has none)."""
    if not pointer:
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]
