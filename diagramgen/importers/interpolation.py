"""Fill Compose's ``${VAR}`` variables the way Compose does when no variable is set.

The importer reads no environment and no ``.env`` file: its output must not depend on the shell
it runs in. So every variable counts as unset: ``${VAR:-default}`` and ``${VAR-default}`` give
their default, ``${VAR:+alt}`` gives nothing, and ``${VAR}``, ``$VAR`` and ``${VAR:?message}``
give a blank string with a warning (Compose itself refuses the ``?`` forms when unset).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .notes import Path
from .sources import Tagged

__all__ = ["InterpolationError", "interpolate_tree"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")

Warn = Callable[[Path, str], None]


class InterpolationError(ValueError):
    """A ``$`` expression Compose cannot read either."""


def interpolate_tree(data: Any, path: Path, warn: Warn) -> Any:
    """Return ``data`` with every string value interpolated (keys are left as written)."""
    if isinstance(data, dict):
        return {key: interpolate_tree(value, (*path, key), warn) for key, value in data.items()}
    if isinstance(data, list):
        return [interpolate_tree(item, (*path, index), warn) for index, item in enumerate(data)]
    if isinstance(data, str) and "$" in data:
        return _Interpolator(path, warn).text(data)
    if isinstance(data, Tagged):
        return Tagged(data.tag, interpolate_tree(data.value, path, warn))
    return data


class _Interpolator:
    def __init__(self, path: Path, warn: Warn) -> None:
        self.path = path
        self.warn = warn

    def text(self, text: str) -> str:
        out: list[str] = []
        index = 0
        while index < len(text):
            char = text[index]
            if char != "$":
                out.append(char)
                index += 1
                continue
            following = text[index + 1 : index + 2]
            if following == "$":
                out.append("$")
                index += 2
            elif following == "{":
                end = _closing_brace(text, index + 2)
                out.append(self.braced(text[index + 2 : end]))
                index = end + 1
            else:
                match = _NAME.match(text, index + 1)
                if not match:
                    raise InterpolationError(f"invalid interpolation format in {text!r}")
                out.append(self.unset(match.group(), None))
                index = match.end()
        return "".join(out)

    def braced(self, inner: str) -> str:
        match = _NAME.match(inner)
        if not match:
            raise InterpolationError(f"invalid interpolation format: ${{{inner}}}")
        name, rest = match.group(), inner[match.end() :]
        if not rest:
            return self.unset(name, None)
        for operator in _OPERATORS:
            if rest.startswith(operator):
                argument = rest[len(operator) :]
                if operator in (":-", "-"):
                    return self.text(argument)
                if operator in (":+", "+"):
                    return ""
                return self.unset(name, self.text(argument) or "required")
        raise InterpolationError(f"invalid interpolation format: ${{{inner}}}")

    def unset(self, name: str, required: str | None) -> str:
        if required is None:
            self.warn(
                self.path, f"variable {name} is not set: a blank string is used, as Compose does"
            )
        else:
            self.warn(
                self.path,
                f"variable {name} is not set, and Compose refuses that ({required}):"
                " a blank string is used here",
            )
        return ""


def _closing_brace(text: str, start: int) -> int:
    depth = 1
    for index in range(start, len(text)):
        if text.startswith("${", index):
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    raise InterpolationError(f"invalid interpolation format: unclosed ${{ in {text!r}")
