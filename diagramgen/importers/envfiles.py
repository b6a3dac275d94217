"""Read the ``.env`` files whose variables fill ``${VAR}`` in Compose files, as Compose does.

The format as Compose reads it (compose-go's ``dotenv``):

- one ``KEY=VALUE`` a line (``KEY: VALUE`` too), ``export`` before the key allowed; blank lines
  and lines that start with ``#`` are skipped; a key is letters, digits and ``_ . - [ ]``;
- an unquoted value runs to the end of its line, less a comment after `` #`` and trailing blanks;
- ``'single quotes'`` keep the text as written; ``"double quotes"`` read the escapes
  ``\\n \\t \\" \\\\ \\$`` (and ``\\a \\b \\f \\r \\v``, ``\\0`` + three octal digits) and may
  span lines;
- unquoted and double-quoted values are interpolated (``${OTHER:-x}``) with the variables set
  so far: the outer ones first (an included project's parent), then earlier lines and files;
- a line of just ``KEY`` takes KEY from the process environment, which an import never reads:
  KEY is left unset, with a note.

A file Compose cannot read either (a quote left open, a key with a space) is a problem at its
line, and the rest of that file is not read.
"""

from __future__ import annotations

import os
import re
from collections import ChainMap
from collections.abc import Mapping, Sequence

from ..spec.limits import Limits
from .interpolation import InterpolationError, Unset, interpolate
from .notes import Notes, Path, Place, shown
from .sources import display_name, read_text

__all__ = ["read_env_files"]

_EXPORT = re.compile(r"export\s+")
#: Blanks within a line, as dotenv's ``isSpace`` has them (a line break is not one).
_BLANKS = "\t\v\f\r \x85\xa0"
_KEY_END = re.compile(r"[=:\n]")
_KEY_CHARACTER = re.compile(r"[\w.\-\[\]]")
_ESCAPES = re.compile(r'\\(?:[abcfnrtv$"\\]|0\d{0,3})')
_CHARACTERS = {
    "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
    '"': '"', "\\": "\\",
}  # fmt: skip


def read_env_files(
    paths: Sequence[str | os.PathLike[str]],
    notes: Notes,
    limits: Limits,
    outer: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Return the variables ``paths`` set, in order, a later file winning over an earlier one.

    Each file is read as every input is (:func:`~.sources.read_text`, within
    ``limits.input_bytes``); a problem is recorded in ``notes`` at its line.
    """
    values: dict[str, str] = {}
    for path in paths:
        text = read_text(path, notes, limits)
        if text is not None:
            _Reader(text, display_name(path), notes, ChainMap(dict(outer or {}), values)).read()
    return values


class _Refused(ValueError):
    def __init__(self, offset: int, message: str, path: Path = ()) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message
        self.path = path


class _Reader:
    """Read one file's statements into the last mapping of ``variables``."""

    def __init__(self, text: str, file: str, notes: Notes, variables: ChainMap[str, str]) -> None:
        self.text = text
        self.file = file
        self.notes = notes
        self.variables = variables
        self.values = variables.maps[-1]
        self.counted = (0, 1)  # (offset, its line): places are asked for in reading order

    def place(self, offset: int) -> Place:
        counted, line = self.counted
        if offset < counted:
            counted, line = 0, 1
        line += self.text.count("\n", counted, offset)
        self.counted = (offset, line)
        return Place(self.file, line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1)

    def line(self, offset: int) -> str:
        """Return the text from ``offset`` to the end of its line."""
        end = self.text.find("\n", offset)
        return self.text[offset : len(self.text) if end < 0 else end]

    def read(self) -> None:
        offset = self.statement_start(0)
        while offset < len(self.text):
            try:
                offset = self.statement_start(self.statement(offset))
            except _Refused as refused:
                self.notes.fail(self.place(refused.offset), refused.path, refused.message)
                return

    def statement_start(self, offset: int) -> int:
        """Return where the next statement starts: past blanks, line breaks and comments."""
        text = self.text
        while True:
            while offset < len(text) and text[offset].isspace():
                offset += 1
            if offset >= len(text) or text[offset] != "#":
                return offset
            offset = text.find("\n", offset)
            if offset < 0:
                return len(text)

    def statement(self, start: int) -> int:
        """Read the statement at ``start``; return where it ends."""
        text = self.text
        exported = _EXPORT.match(text, start)
        if exported:
            start += len("export")
            while start < len(text) and text[start] in _BLANKS:
                start += 1
        found = _KEY_END.search(text, start)
        end = found.start() if found else len(text)
        for offset in range(start, end):
            character = text[offset]
            if character not in _BLANKS and not _KEY_CHARACTER.fullmatch(character):
                raise _Refused(
                    offset,
                    f"unexpected character {character!r} in the variable name"
                    f" {shown(self.line(start))}",
                )
        key = text[start:end].rstrip()
        if " " in key:
            raise _Refused(start, f"a variable name cannot hold a space: {shown(key)}")
        if found is None or found.group() == "\n":
            if not key:
                return end + 1
            if key in self.variables:  # the outer project's value, or an earlier line's
                self.values[key] = self.variables[key]
                return end + 1
            self.notes.warn(
                self.place(start),
                key,
                f"{key} takes its value from the environment, which an import does not read:"
                " it is left unset",
            )
            return end + 1
        value_start = end + 1
        while value_start < len(text) and text[value_start] in _BLANKS:
            value_start += 1
        if text[value_start : value_start + 1] in ("'", '"'):
            return self.quoted(key, value_start)
        line_end = text.find("\n", value_start)
        line_end = len(text) if line_end < 0 else line_end
        value = text[value_start:line_end].split(" #", 1)[0].rstrip()
        self.values[key] = self.interpolated(key, value, value_start)
        return line_end + 1

    def quoted(self, key: str, start: int) -> int:
        """Read the quoted value of ``key`` that opens at ``start``; return where it ends."""
        text = self.text
        quote = text[start]
        stop = re.compile(rf"[\\{quote}]")
        characters: list[str] = []
        offset = start + 1
        while True:
            found = stop.search(text, offset)
            if found is None or (found.group() == "\\" and found.end() >= len(text)):
                raise _Refused(start, f"a quoted value is not closed: {shown(self.line(start))}")
            characters.append(text[offset : found.start()])
            if found.group() == quote:
                break
            escaped = text[found.end()]
            characters.append(escaped if escaped == quote else "\\" + escaped)
            offset = found.end() + 1
        value = "".join(characters)
        if quote == '"':
            value = self.interpolated(key, _ESCAPES.sub(_unescape, value), start)
        self.values[key] = value
        return found.end()

    def interpolated(self, key: str, value: str, offset: int) -> str:
        path: Path = (key,)

        def report(_: Path, unset: Unset) -> None:
            self.notes.warn(self.place(offset), path, unset.message())

        try:
            return interpolate(value, self.variables, report, path)
        except InterpolationError as error:
            raise _Refused(offset, str(error), path) from None


def _unescape(match: re.Match[str]) -> str:
    escape = match.group()
    if escape == "\\$":
        return "$$"  # a literal $ to the interpolation that follows
    if escape.startswith("\\0"):
        digits = escape[2:]
        if len(digits) == 3 and all(d in "01234567" for d in digits) and int(digits, 8) < 256:
            return chr(int(digits, 8))
        return escape
    return _CHARACTERS[escape[1]]
