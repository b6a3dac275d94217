"""Fill Compose's ``${VAR}`` variables the way Compose does, from the variables given.

The variables come from ``.env`` files (:mod:`.envfiles`), never from the process environment:
the output must not depend on the shell the import runs in. As Compose reads them:
``${VAR:-default}`` gives the default when VAR is unset or empty, ``${VAR-default}`` only when
it is unset; ``${VAR:+alt}`` gives ``alt`` when VAR is set and not empty, ``${VAR+alt}`` when
it is set; ``$$`` is a ``$``. ``${VAR}``, ``$VAR`` and ``${VAR:?message}`` give a blank string
when VAR is unset, each reported as :class:`Unset` (Compose itself refuses the ``?`` forms).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from .notes import Path
from .sources import Tagged

__all__ = [
    "MAX_NESTING",
    "InterpolationError",
    "Report",
    "Unset",
    "interpolate",
    "interpolate_tree",
]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")
_BRACES = re.compile(r"\$\{|\}")

#: Levels of ``${A:-${B:-…}}``: Compose files use two or three. Each level is a call deeper.
MAX_NESTING = 20


class Unset(msgspec.Struct, frozen=True):
    """A variable a value uses that is not set: a blank string stands for it."""

    name: str
    #: The message of ``${VAR:?message}`` (``"required"`` when none): Compose refuses it unset.
    required: str | None = None

    def message(self) -> str:
        """Return what a note says about it."""
        if self.required is None:
            return f"variable {self.name} is not set: a blank string is used, as Compose does"
        return (
            f"variable {self.name} is not set, and Compose refuses that"
            f" ({_clipped(self.required)}): a blank string is used here"
        )


Report = Callable[[Path, Unset], None]


class InterpolationError(ValueError):
    """A ``$`` expression Compose cannot read either, or nested too deeply; at ``path``."""

    def __init__(self, message: str, path: Path = ()) -> None:
        super().__init__(message)
        self.path = path


def interpolate_tree(data: Any, path: Path, variables: Mapping[str, str], report: Report) -> Any:
    """Return ``data`` with every string value interpolated (keys are left as written).

    Raise :class:`InterpolationError` for the first value that cannot be interpolated.
    """
    if isinstance(data, dict):
        return {
            key: interpolate_tree(value, (*path, key), variables, report)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [
            interpolate_tree(item, (*path, index), variables, report)
            for index, item in enumerate(data)
        ]
    if isinstance(data, str) and "$" in data:
        return interpolate(data, variables, report, path)
    if isinstance(data, Tagged):
        return Tagged(data.tag, interpolate_tree(data.value, path, variables, report))
    return data


def interpolate(text: str, variables: Mapping[str, str], report: Report, path: Path = ()) -> str:
    """Return ``text`` interpolated; each unset variable is reported at ``path``.

    Raise :class:`InterpolationError` when Compose cannot read it either.
    """
    return _Interpolator(text, path, variables, report).text(0, len(text), 0)


def _clipped(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _shown(text: str) -> str:
    return repr(_clipped(text))


class _Interpolator:
    """Interpolate one string in one pass: each character is looked at a bounded number of
    times (once to pair the braces, once to read), whatever the nesting."""

    def __init__(
        self, source: str, path: Path, variables: Mapping[str, str], report: Report
    ) -> None:
        self.source = source
        self.path = path
        self.variables = variables
        self.report = report
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
                out.append(self.value(match.group()))
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
            return self.value(name)
        for operator in _OPERATORS:
            if source.startswith(operator, rest, end):
                argument = rest + len(operator)
                value = self.variables.get(name)
                if value == "" and operator.startswith(":"):
                    value = None  # with ":", an empty value counts as unset, as in the shell
                if operator in (":-", "-"):
                    return value if value is not None else self.text(argument, end, level)
                if operator in (":+", "+"):
                    return self.text(argument, end, level) if value is not None else ""
                if value is not None:
                    return value
                required = self.text(argument, end, level) or "required"
                self.report(self.path, Unset(name, required))
                return ""
        raise self.fail(f"invalid interpolation format: {_shown(source[start - 2 : end + 1])}")

    def value(self, name: str) -> str:
        value = self.variables.get(name)
        if value is None:
            self.report(self.path, Unset(name))
            return ""
        return value
