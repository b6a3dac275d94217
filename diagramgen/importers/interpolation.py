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

__all__ = ["MAX_NESTING", "InterpolationError", "interpolate_tree"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")
_BRACES = re.compile(r"\$\{|\}")

#: Levels of ``${A:-${B:-…}}``: Compose files use two or three. Each level is a call deeper.
MAX_NESTING = 20

Warn = Callable[[Path, str], None]


class InterpolationError(ValueError):
    """A ``$`` expression Compose cannot read either, or nested too deeply; at ``path``."""

    def __init__(self, message: str, path: Path = ()) -> None:
        super().__init__(message)
        self.path = path


def interpolate_tree(data: Any, path: Path, warn: Warn) -> Any:
    """Return ``data`` with every string value interpolated (keys are left as written).

    Raise :class:`InterpolationError` for the first value that cannot be interpolated.
    """
    if isinstance(data, dict):
        return {key: interpolate_tree(value, (*path, key), warn) for key, value in data.items()}
    if isinstance(data, list):
        return [interpolate_tree(item, (*path, index), warn) for index, item in enumerate(data)]
    if isinstance(data, str) and "$" in data:
        return _Interpolator(data, path, warn).text(0, len(data), 0)
    if isinstance(data, Tagged):
        return Tagged(data.tag, interpolate_tree(data.value, path, warn))
    return data


def _clipped(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _shown(text: str) -> str:
    return repr(_clipped(text))


class _Interpolator:
    """Interpolate one string in one pass: each character is looked at a bounded number of
    times (once to pair the braces, once to read), whatever the nesting."""

    def __init__(self, source: str, path: Path, warn: Warn) -> None:
        self.source = source
        self.path = path
        self.warn = warn
        # The closing brace of each ``${``, paired as Compose pairs them: every ``${`` opens a
        # level (even one after a ``$``), every ``}`` closes the innermost open one.
        self.closing: dict[int, int] = {}
        opened: list[int] = []
        for match in _BRACES.finditer(source):
            if match.group() == "${":
                opened.append(match.start())
            elif opened:
                self.closing[opened.pop()] = match.start()

    def fail(self, message: str) -> InterpolationError:
        return InterpolationError(message, self.path)

    def text(self, start: int, end: int, level: int) -> str:
        """Return ``source[start:end]`` interpolated; ``level`` is the ``${`` around it."""
        source = self.source
        out: list[str] = []
        index = start
        while index < end:
            dollar = source.find("$", index, end)
            if dollar < 0:
                out.append(source[index:end])
                break
            out.append(source[index:dollar])
            following = source[dollar + 1 : dollar + 2] if dollar + 1 < end else ""
            if following == "$":
                out.append("$")
                index = dollar + 2
            elif following == "{":
                close = self.closing.get(dollar)
                if close is None or close >= end:
                    raise self.fail(
                        f"invalid interpolation format: unclosed ${{ in {_shown(self.source)}"
                    )
                out.append(self.braced(dollar + 2, close, level + 1))
                index = close + 1
            else:
                match = _NAME.match(source, dollar + 1, end)
                if not match:
                    raise self.fail(f"invalid interpolation format in {_shown(self.source)}")
                out.append(self.unset(match.group(), None))
                index = match.end()
        return "".join(out)

    def braced(self, start: int, end: int, level: int) -> str:
        """Return the value of ``${…}`` whose inside is ``source[start:end]``."""
        if level > MAX_NESTING:
            raise self.fail(
                f"variables are nested more than {MAX_NESTING} levels deep;"
                f" an import reads at most {MAX_NESTING} levels"
            )
        source = self.source
        match = _NAME.match(source, start, end)
        if not match:
            raise self.fail(f"invalid interpolation format: {_shown(source[start - 2 : end + 1])}")
        name, rest = match.group(), match.end()
        if rest == end:
            return self.unset(name, None)
        for operator in _OPERATORS:
            if source.startswith(operator, rest, end):
                argument = rest + len(operator)
                if operator in (":-", "-"):
                    return self.text(argument, end, level)
                if operator in (":+", "+"):
                    return ""
                return self.unset(name, self.text(argument, end, level) or "required")
        raise self.fail(f"invalid interpolation format: {_shown(source[start - 2 : end + 1])}")

    def unset(self, name: str, required: str | None) -> str:
        if required is None:
            self.warn(
                self.path, f"variable {name} is not set: a blank string is used, as Compose does"
            )
        else:
            self.warn(
                self.path,
                f"variable {name} is not set, and Compose refuses that ({_clipped(required)}):"
                " a blank string is used here",
            )
        return ""
