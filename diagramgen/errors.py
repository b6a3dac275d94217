"""User errors: what went wrong and where, kept apart from how it is printed."""

from __future__ import annotations

from msgspec import Struct

__all__ = ["DiagramgenError", "Problem", "SpecInvalid", "UsageError"]


class Problem(Struct, frozen=True, order=True):
    """One problem in a spec: a message at a JSON Pointer, with a 1-based position when known.

    Problems sort by position, then pointer, so a list of them reads top to bottom like the file.
    """

    line: int
    column: int
    pointer: str | None
    message: str

    def format(self, file: str) -> str:
        """Return the problem as one line: ``FILE:LINE:COL: /pointer: message``."""
        place = f"{file}:{self.line}:{self.column}" if self.line else file
        if self.pointer is None:
            return f"{place}: {self.message}"
        return f"{place}: {self.pointer or '/'}: {self.message}"


class DiagramgenError(Exception):
    """Base of every error a user can cause; the CLI prints it without a traceback."""

    exit_code = 1

    def lines(self) -> list[str]:
        """Return the lines to print on stderr."""
        return [str(self)]


class UsageError(DiagramgenError):
    """The command line itself is wrong (exit code 2)."""

    exit_code = 2


class SpecInvalid(DiagramgenError):
    """A spec failed to load or validate; carries every problem found, sorted by position."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = sorted(problems)
        super().__init__(f"{file}: {len(self.problems)} problem(s)")

    def lines(self) -> list[str]:
        return [problem.format(self.file) for problem in self.problems]
