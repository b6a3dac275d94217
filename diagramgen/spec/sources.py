"""Spec sources: bytes or text → the document and a way to place a JSON Pointer in the text.

A source knows its syntax and nothing of the spec format: it decodes, parses, refuses what is
not one document of plain data (syntax errors, repeated keys), and returns the document with a
``locate(pointer, at_key)`` function that validation uses to give every problem a line and a
column. JSON is read here; YAML in :mod:`diagramgen.spec.yaml_source`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from msgspec import Struct

from ..errors import InvalidArgument, Problem, SpecInvalid
from .limits import DEFAULT_LIMITS, Limits
from .pointers import join
from .wording import clip, kind, position

__all__ = [
    "SYNTAXES",
    "Locate",
    "Source",
    "decode",
    "read",
    "read_json",
    "syntax_of",
    "unplaced",
    "verify_syntax",
]

#: (pointer, at_key) → 1-based (line, column); (0, 0) where nothing is known.
Locate = Callable[[str, bool], tuple[int, int]]

#: Spec syntaxes and the file suffixes that select them.
SYNTAXES: dict[str, tuple[str, ...]] = {"json": (".json",), "yaml": (".yaml", ".yml")}


def verify_syntax(name: str) -> str:
    """Return ``name`` if it is a spec syntax; raise :class:`InvalidArgument` listing them."""
    if name not in SYNTAXES:
        raise InvalidArgument(f"unknown spec format {name!r}; choose from {', '.join(SYNTAXES)}")
    return name


def syntax_of(path: str | os.PathLike[str]) -> str:
    """Return the syntax a spec file's suffix names (JSON for any other suffix)."""
    suffix = PurePath(path).suffix.lower()
    for name, suffixes in SYNTAXES.items():
        if suffix in suffixes:
            return name
    return "json"


class Source(Struct, frozen=True):
    """A parsed spec document and where its parts are in the text."""

    document: dict[str, Any]
    locate: Locate


def _nowhere(pointer: str, at_key: bool) -> tuple[int, int]:
    return (0, 0)


def unplaced(document: dict[str, Any]) -> Source:
    """Return a source for a document that has no text (built in code)."""
    return Source(document, _nowhere)


def decode(data: bytes, file: str) -> str:
    """Return spec bytes as text: UTF-8, with or without a byte-order mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        message = "is UTF-16 text; save it as UTF-8"
        raise SpecInvalid(file, [Problem(0, 0, None, message)])
    try:
        # Windows editors write a byte-order mark; json with utf-8-sig, ajv and
        # check-jsonschema all accept it.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = error.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        message = f"is not valid UTF-8 (byte 0x{data[start]:02x}); save it as UTF-8"
        raise SpecInvalid(file, [Problem(line, column, None, message)]) from None


def read(
    data: bytes | str, file: str, limits: Limits = DEFAULT_LIMITS, syntax: str = "json"
) -> Source:
    """Return the document in ``data`` (a spec file's bytes or text) read as ``syntax``."""
    text = decode(data, file) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    if verify_syntax(syntax) == "yaml":
        from .yaml_source import read_yaml  # ruamel.yaml: only for YAML specs

        return Source(*read_yaml(text, file, limits))
    return read_json(text, file)


def read_json(text: str, file: str) -> Source:
    """Return the JSON document in ``text``; raise :class:`SpecInvalid` if it is not one."""
    if not text.strip():
        message = (
            'is empty; a spec is a JSON object such as {"version": 1, "hosts": [...]} '
            "(`diagramgen init` writes a starter)"
        )
        raise SpecInvalid(file, [Problem(0, 0, None, message)])
    try:
        marked: list[_Object] = []
        document = json.loads(text, object_pairs_hook=_unique_keys(marked))
    except json.JSONDecodeError as error:
        message = f"invalid JSON: {_explain(error, text)}"
        line, column = _syntaxposition(error, text)
        raise SpecInvalid(file, [Problem(line, column, None, message)]) from None
    except RecursionError:
        raise SpecInvalid(file, [Problem(0, 0, None, "is nested too deeply")]) from None
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        raise SpecInvalid(file, [Problem(0, 0, None, f"invalid JSON: {error}")]) from None
    locate = _locator(text)
    # Only a document that repeats a key is walked for their pointers.
    duplicates = _duplicates(document) if marked else []
    if duplicates:
        problems = []
        for pointer, key in duplicates:
            where = join(pointer, key)
            line, column = locate(where, True)
            message = f'duplicate key "{clip(key)}"; each key may appear once per object'
            problems.append(Problem(line, column, where, message))
        raise SpecInvalid(file, problems)
    if not isinstance(document, dict):
        message = f'must be a JSON object {{"version": 1, "hosts": [...]}}, not {kind(document)}'
        raise SpecInvalid(file, [Problem(1, 1, None, message)])
    return Source(document, locate)


class _Object(dict[str, Any]):
    """A JSON object that repeated some of its keys (json keeps only the last value)."""

    duplicates: list[str]


def _unique_keys(marked: list[_Object]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """Return a json object hook that marks objects repeating a key and lists them in ``marked``."""

    def build(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) == len(pairs):
            return result
        seen: set[str] = set()
        duplicates = []
        for key, _ in pairs:
            if key in seen:
                duplicates.append(key)
            seen.add(key)
        repeating = _Object(result)
        repeating.duplicates = duplicates
        marked.append(repeating)
        return repeating

    return build


def _duplicates(document: Any) -> list[tuple[str, str]]:
    """Return (pointer of the object, key) for every repeated key, in document order."""
    found = []
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, _Object):
            found += [(pointer, key) for key in node.duplicates]
        if isinstance(node, dict):
            stack.extend((value, join(pointer, key)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, join(pointer, i)) for i, value in enumerate(node))
    return found


def _syntaxposition(error: json.JSONDecodeError, text: str) -> tuple[int, int]:
    """Return where to point for a syntax error: at a trailing comma, not the bracket after it."""
    before = text[: error.pos].rstrip()
    if before.endswith(",") and error.pos < len(text) and text[error.pos] in "]}":
        return position(text, len(before) - 1)
    return error.lineno, error.colno


def _explain(error: json.JSONDecodeError, text: str) -> str:
    if text.startswith(("//", "/*", "#"), error.pos):
        return 'JSON has no comments; write them as a "$comment" key (any object may have one)'
    if error.msg.startswith("Illegal trailing comma"):  # Python 3.13 and later say so
        return f"a trailing comma before {'}' if 'object' in error.msg else ']'}; JSON allows none"
    if error.pos >= len(text.rstrip()):
        return "the file ends too early; is a bracket or brace left open?"
    trailing_comma = text[: error.pos].rstrip().endswith(",")
    if error.msg.startswith("Expecting property name"):
        if trailing_comma:
            return "a trailing comma before }; JSON allows none"
        return "expected a key in double quotes"
    if error.msg == "Expecting value" and trailing_comma and text[error.pos] in "]}":
        return "a trailing comma before ]; JSON allows none"
    if error.msg == "Expecting value":
        return "expected a value (strings need double quotes; true, false and null are lowercase)"
    return error.msg


#: A spec's first problems are placed by walking the text to each one (fast: the decoder
#: skips what is not on the way); past this many, the whole source map is built once.
WALKED = 32
_SPACE = re.compile(r"[ \t\n\r]*")


def _past_space(text: str, at: int) -> int:
    """Return where the JSON whitespace from ``at`` ends."""
    found = _SPACE.match(text, at)
    assert found is not None  # the pattern matches an empty run too
    return found.end()


_DECODER = json.JSONDecoder()


def _locator(text: str) -> Locate:
    """Return a locate function for JSON ``text``: the first few pointers found by walking
    the text (a 300,000-link spec refused by its links limit is placed in milliseconds, where
    its source map takes 12 s and 1 GiB), the rest from the source map, built on first use."""
    entries: dict[str, Any] | None = None
    walked = 0

    def entry_at(pointer: str) -> Any:
        nonlocal entries
        if entries is None:
            from json_source_map import calculate  # only a spec with many problems needs it

            try:
                entries = calculate(text)
            except Exception:  # the map's own parser rejects a few things json accepts (NaN)
                entries = {}
        # json-source-map keys its entries by unescaped pointers ("/a/b" for the key "a/b").
        return entries.get(pointer.replace("~1", "/").replace("~0", "~"))

    def mapped(pointer: str, at_key: bool) -> tuple[int, int]:
        entry = entry_at(pointer)
        if entry is not None and at_key and entry.key_start is not None:
            return (entry.key_start.line + 1, entry.key_start.column + 1)
        while entry is None and pointer:
            pointer = pointer.rsplit("/", 1)[0]
            entry = entry_at(pointer)
        if entry is None:
            return (0, 0)
        return (entry.value_start.line + 1, entry.value_start.column + 1)

    def locate(pointer: str, at_key: bool) -> tuple[int, int]:
        nonlocal walked
        if entries is not None or walked >= WALKED:
            return mapped(pointer, at_key)
        walked += 1
        try:
            found = _walk(text, pointer)
        except (ValueError, IndexError):  # text json reads but the walk does not (NaN)
            return mapped(pointer, at_key)
        while found is None and pointer:
            pointer, at_key = pointer.rsplit("/", 1)[0], False
            found = _walk(text, pointer)
        if found is None:
            return (0, 0)
        value, key = found
        return position(text, key if at_key and key is not None else value)

    return locate


def _walk(text: str, pointer: str) -> tuple[int, int | None] | None:
    """Return where the value at ``pointer`` starts in JSON ``text``, and where its key does
    (None in a list), or None where nothing is; what is not on the way is skipped whole."""
    at, key_at = _past_space(text, 0), None
    for raw in pointer.split("/")[1:] if pointer else []:
        token = raw.replace("~1", "/").replace("~0", "~")
        opening = text[at]
        at = _past_space(text, at + 1)
        if opening == "{":
            # The last of repeated keys is the one that counts (json keeps it): go on past a
            # match to the object's end.
            match: tuple[int, int] | None = None
            while text[at] == '"':
                key, end = _DECODER.raw_decode(text, at)
                start, at = at, _past_space(text, end) + 1  # past the colon
                at = _past_space(text, at)
                if key == token:
                    match = (start, at)
                at = _next(text, at, "}")
            if match is None:
                return None
            key_at, at = match
        elif opening == "[" and token.isdigit():
            for _ in range(int(token)):
                if text[at] == "]":
                    return None
                at = _next(text, at, "]")
            if text[at] == "]":
                return None
            key_at = None
        else:
            return None
    return at, key_at


def _next(text: str, at: int, closing: str) -> int:
    """Return where the item after the value at ``at`` starts (or the closing bracket)."""
    _, end = _DECODER.raw_decode(text, at)
    end = _past_space(text, end)
    if text[end] == ",":
        end = _past_space(text, end + 1)
    return end
