"""Importer notes and failures, each naming its source place (file:line:col and a dotted path)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any, NoReturn

import msgspec

from ..errors import DiagramgenError, Hint
from ..spec import Limits, validate
from ..spec.rules import long_texts

__all__ = [
    "ImportFailed",
    "ImportNote",
    "Imported",
    "Notes",
    "Place",
    "dotted",
    "placeholder",
    "shown",
    "shown_count",
]

Path = tuple[str | int, ...]


def dotted(path: Path) -> str:
    """Return a source path written as people read it: ``spec.containers[1].resources``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def shown(value: Any, width: int = 40) -> str:
    """Return a value from an input as a message shows it, in at most ``width`` characters (a
    line stays a line, whatever the input holds: a 4,000-digit number, a megabyte of text).

    A string is quoted; a number is written out; ``true``, ``false`` and ``null`` as YAML and
    JSON write them; a mapping or a list is named (``a mapping``), never printed as Python
    would print it.
    """
    if isinstance(value, str) and len(value) > width:
        return repr(value[: width - 3] + "...")
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    tag = getattr(value, "tag", None)
    if isinstance(tag, str) and hasattr(value, "value"):  # a tagged value (``!reset x``)
        return f"{tag} {shown(value.value, width)}"
    text = repr(value) if isinstance(value, (str, int, float)) else type(value).__name__
    return text if len(text) <= width else text[: width - 3] + "..."


_PLACEHOLDER = re.compile(r"\{\{.*?\}\}", re.DOTALL)


def placeholder(value: Any, width: int = 60) -> str | None:
    """Return what to say of a value that holds a template placeholder (``{{ .Values.x }}``),
    or None: a chart or template given before it was rendered."""
    if not isinstance(value, str) or not _PLACEHOLDER.search(value):
        return None
    text = value if len(value) <= width else value[: width - 3] + "..."
    written = json.dumps(text, ensure_ascii=False)
    return f"{written} looks like a template placeholder; render the chart or template first"


def shown_count(count: int) -> str:
    """Return a whole number as a message shows it: ``1,000,001``, or clipped if very long."""
    return f"{count:,}" if count < 10**24 else shown(count)


class Place(msgspec.Struct, frozen=True):
    """A position in an input file, 1-based; line and column are 0 when unknown."""

    file: str
    line: int = 0
    column: int = 0


class ImportNote(msgspec.Struct, frozen=True):
    """One importer note: what the importer did or could not do, and where in which input."""

    file: str
    line: int
    column: int
    path: str
    message: str
    #: What was broken, where a front end may say how to change it (``limit:input-bytes``).
    rule: str | None = None

    def format(self, hint: Hint | None = None) -> str:
        """Return the note as one line: ``FILE:LINE:COL: dotted.path: message``."""
        place = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        parts = [part for part in (place, self.path) if part]
        extra = hint(self.rule) if hint is not None and self.rule is not None else None
        return ": ".join([*parts, f"{self.message}; {extra}" if extra else self.message])


class Imported(msgspec.Struct, frozen=True):
    """The result of an import: a spec v1 document and the notes made while building it."""

    document: dict  # type: ignore[type-arg]  # a JSON-shaped document; its values vary by key
    warnings: tuple[ImportNote, ...]


class ImportFailed(DiagramgenError):
    """An input file could not be read or interpreted; carries every problem found."""

    def __init__(self, problems: Sequence[ImportNote]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0].format() if self.problems else "import failed"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)

    def lines(self, hint: Hint | None = None) -> list[str]:
        """Return one line per problem: ``FILE:LINE:COL: dotted.path: message``."""
        return [problem.format(hint) for problem in self.problems]


class Notes:
    """Collect the warnings and problems of one import, in the order of the input files."""

    def __init__(self, files: Sequence[str] = ()) -> None:
        self._files: dict[str, int] = {file: index for index, file in enumerate(files)}
        self._warnings: list[ImportNote] = []
        self._problems: list[ImportNote] = []
        #: Each file read, in order: its SHA-256, and when the system it shows was dumped.
        self._read: dict[str, list[str]] = {}

    def read(self, file: str, data: bytes) -> None:
        """Record that ``file`` was read, with ``data``'s digest (the spec says what it read)."""
        self._read.setdefault(file, [f"sha256 {hashlib.sha256(data).hexdigest()}"])

    def taken(self, file: str, when: str) -> None:
        """Record when the dump ``file`` was taken, as the dump itself says."""
        self._read.setdefault(file, []).append(f"taken {when}")

    def _note(
        self, place: Place, path: Path | str, message: str, rule: str | None = None
    ) -> ImportNote:
        self._files.setdefault(place.file, len(self._files))
        text = path if isinstance(path, str) else dotted(path)
        return ImportNote(place.file, place.line, place.column, text, message, rule)

    def warn(self, place: Place, path: Path | str, message: str, rule: str | None = None) -> None:
        """Record a warning at ``place`` about the value at ``path``; ``rule`` names what a
        front end may say how to change (see :class:`ImportNote`)."""
        self._warnings.append(self._note(place, path, message, rule))

    def fail(self, place: Place, path: Path | str, message: str, rule: str | None = None) -> None:
        """Record a problem that makes the import fail (raised by :meth:`check`)."""
        self._problems.append(self._note(place, path, message, rule))

    def stop(
        self, place: Place, path: Path | str, message: str, rule: str | None = None
    ) -> NoReturn:
        """Record a problem and raise :class:`ImportFailed` with every problem so far."""
        self.fail(place, path, message, rule)
        raise ImportFailed(self._sorted(self._problems))

    def _sorted(self, notes: list[ImportNote]) -> tuple[ImportNote, ...]:
        order = self._files
        return tuple(
            sorted(notes, key=lambda note: (order.get(note.file, 0), note.line, note.column))
        )

    def _shorten(self, document: dict[str, Any], limits: Limits) -> None:
        """Cut each name, ref, label or title longer than the text limit to fit, with a warning.

        Such a text was read whole from an input (a 300-character image reference) or made of
        many (a title from forty file names): the import still draws; the note says what was cut.
        """
        first = next(iter(self._files), "")
        for parent, key, path in long_texts(document, limits.text):
            text = parent[key]
            parent[key] = text[: limits.text - 1] + "…"
            self.warn(
                Place(first),
                path,
                f"{shown(text)} is {len(text):,} characters long: cut to the text limit,"
                f" {limits.text:,} (change it with --limit text=N)",
            )

    def failed(self, file: str | None = None) -> bool:
        """Return whether a problem was recorded (in ``file``, when given)."""
        return any(file is None or note.file == file for note in self._problems)

    def check(self) -> None:
        """Raise :class:`ImportFailed` with every problem recorded so far, if there is any."""
        if self._problems:
            raise ImportFailed(self._sorted(self._problems))

    def warnings(self) -> tuple[ImportNote, ...]:
        """Return the warnings sorted by input file (in the order first seen), line and column."""
        return self._sorted(self._warnings)

    def imported(self, document: dict[str, Any], limits: Limits) -> Imported:
        """Return the import: ``document``, checked as every spec is, and the warnings.

        Each figure was checked where it was read, so a spec that fails here is a mistake of
        the importer's; it is still an error (:class:`SpecInvalid`), never a file written.
        """
        self.check()
        self._shorten(document, limits)
        if self._read and isinstance(document.get("$comment"), str):
            read = "; ".join(f"{file} ({', '.join(facts)})" for file, facts in self._read.items())
            document["$comment"] += f" Files read: {read}."
        validate(document, file="<imported spec>", limits=limits)
        return Imported(document, self.warnings())
