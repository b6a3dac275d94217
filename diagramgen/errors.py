"""User errors: what went wrong and where, kept apart from how it is printed.

Every error a user can cause is a :class:`DiagramgenError`; only the command line turns one into
stderr lines and an exit code. A bug is any other exception and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Callable

from msgspec import Struct

from .escape import terminal_text

__all__ = [
    "DiagramgenError",
    "EngineError",
    "EngineUnavailable",
    "Hint",
    "InvalidArgument",
    "OutputError",
    "PartialRender",
    "Problem",
    "SpecInvalid",
    "UsageError",
]


#: A front end's own words for what a user can do about a rule ("limit:text" → "change it
#: with --limit text=N"), or ``None``: the library's messages name no option of any front end.
Hint = Callable[[str], str | None]


def _hinted(message: str, rule: str | None, hint: Hint | None) -> str:
    extra = hint(rule) if hint is not None and rule is not None else None
    return f"{message}; {extra}" if extra else message


class Problem(Struct, frozen=True, order=True):
    """One problem in a spec: a message at a JSON Pointer, with a 1-based position when known.

    Problems sort by position, then pointer, so a list of them reads top to bottom like the file.
    ``rule`` names what was broken where a front end may say how to change it (``limit:text``).
    """

    line: int
    column: int
    pointer: str | None
    message: str
    rule: str | None = None

    def format(self, file: str, hint: Hint | None = None) -> str:
        """Return the problem as one line: ``FILE:LINE:COL: /pointer: message``.

        User text in any part (a file name, a key in the pointer, a value in the message) is
        shown escaped (:func:`~diagramgen.escape.terminal_text`): one problem is one line.
        """
        place = f"{file}:{self.line}:{self.column}" if self.line else file
        message = _hinted(self.message, self.rule, hint)
        if self.pointer is None:
            return terminal_text(f"{place}: {message}")
        return terminal_text(f"{place}: {self.pointer or '/'}: {message}")


class DiagramgenError(Exception):
    """Base of every error a user can cause; the command line prints it without a traceback.

    ``rule`` names what a front end may say how to change (``limit:picture``, ``exists``).
    """

    def __init__(self, *args: object, rule: str | None = None) -> None:
        super().__init__(*args)
        self.rule = rule

    def lines(self, hint: Hint | None = None) -> list[str]:
        """Return the lines to print on stderr, user text in them escaped (one line each)."""
        return [terminal_text(_hinted(str(self), self.rule, hint))]


class InvalidArgument(DiagramgenError, ValueError):
    """A library function was given a value it does not take: an unknown format, theme or
    engine, a spec path that does not exist, two specs that would write one output."""


class SpecInvalid(DiagramgenError):
    """A spec failed to load or validate; carries every problem found, sorted by position."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = sorted(problems)
        super().__init__(f"{file}: {len(self.problems)} problem(s)")

    def lines(self, hint: Hint | None = None) -> list[str]:
        return [problem.format(self.file, hint) for problem in self.problems]


class EngineError(DiagramgenError):
    """Graphviz could not render: it is missing, it failed, it crashed or it timed out."""


class PartialRender(EngineError):
    """Some formats could be drawn and others not (a PNG above the picture limit beside its SVG).

    ``pictures`` holds the formats drawn, ``failures`` why each other one was not.
    """

    def __init__(self, pictures: dict[str, bytes], failures: dict[str, EngineError]) -> None:
        self.pictures = pictures
        self.failures = failures
        super().__init__("; ".join(f"{name}: {error}" for name, error in failures.items()))

    def lines(self, hint: Hint | None = None) -> list[str]:
        return [
            f"{name}: {line}" for name, error in self.failures.items() for line in error.lines(hint)
        ]


class EngineUnavailable(EngineError):
    """The embedded engine (pygraphviz) cannot load on this machine; ``auto`` falls back."""


class UsageError(DiagramgenError):
    """The command line itself is wrong: raised by :mod:`diagramgen.cli` only, never the library."""


class OutputError(DiagramgenError):
    """An output cannot be written: a path that leaves its folder, a link, a full disk."""
