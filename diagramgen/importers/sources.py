"""Read YAML or JSON input files into plain data, keeping where each value stands in its file."""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Iterator
from typing import Any

import msgspec
from json_source_map import calculate
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..reading import NotRegular, TooLarge, read_regular
from ..spec.sources import syntax_of
from .notes import Notes, Path, Place

__all__ = [
    "MAX_NODES",
    "MAX_POINTER_CHARACTERS",
    "Document",
    "Tagged",
    "display_name",
    "mapping",
    "parse_documents",
    "pointer",
    "read_documents",
    "read_text",
]

# Aliases may point at aliases: a few lines of YAML can expand to billions of values, and each
# value read keeps its JSON Pointer, whose length grows with the keys above it. Both are
# measured on the shared nodes before anything is expanded.
MAX_NODES = 2_000_000
MAX_POINTER_CHARACTERS = 64 * 1024 * 1024


class Tagged(msgspec.Struct, frozen=True):
    """A value written with a local tag (Compose's ``!reset`` and ``!override``)."""

    tag: str
    value: Any


def pointer(path: Path) -> str:
    """Return the JSON Pointer of a path (the key of a document's position table)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


class Document(msgspec.Struct, frozen=True):
    """One document of an input file: plain data and the 1-based position of every value.

    For JSON the positions are worked out on first use (``json_source_map`` takes seconds on a
    large cluster dump, and most imports never need a position).
    """

    file: str
    data: Any
    _positions: dict[str, tuple[int, int]]
    _json: str | None = None

    @property
    def positions(self) -> dict[str, tuple[int, int]]:
        """Return the table of positions by JSON Pointer (1-based line and column)."""
        if self._json is not None and not self._positions:
            text = self._json
            for key, entry in calculate(text).items():
                start = entry.value_start
                if (
                    entry.key_start is not None
                    and text[start.position : start.position + 1] in "{["
                ):
                    start = entry.key_start
                self._positions[key] = (start.line + 1, start.column + 1)
        return self._positions

    def place(self, path: Path) -> Place:
        """Return where ``path`` stands; a missing value stands where its nearest parent does."""
        positions = self.positions
        for length in range(len(path), -1, -1):
            found = positions.get(pointer(path[:length]))
            if found:
                return Place(self.file, *found)
        return Place(self.file)

    def data_at(self, path: Path) -> Any:
        """Return the value at ``path``, or None where the path leads nowhere."""
        value = self.data
        for part in path:
            if isinstance(value, dict) and isinstance(part, str):
                value = value.get(part)
            elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
                value = value[part]
            else:
                return None
        return value


def mapping(value: Any) -> dict[str, Any]:
    """Return ``value`` if it is a mapping, else an empty one (for reading optional sections)."""
    return value if isinstance(value, dict) else {}


def display_name(path: str | os.PathLike[str]) -> str:
    """Return the name an input file goes by in notes: the path as the caller gave it."""
    return os.fspath(path)


def read_text(path: str | os.PathLike[str], notes: Notes, limit: int) -> str | None:
    """Return the UTF-8 text of an input file, or None after recording why it cannot be read.

    Only a regular file is read (a FIFO or a device is refused without waiting on it), and at
    most ``limit`` bytes of it: the input-bytes limit.
    """
    file = display_name(path)
    try:
        data = read_regular(path, limit)
    except NotRegular as error:
        notes.fail(Place(file), "", f"is {error.what}, not a regular file; only files are read")
        return None
    except TooLarge as error:
        message = f"holds {error.size:,} bytes or more; the input-bytes limit is {limit:,}"
        notes.fail(Place(file), "", message, rule="limit:input-bytes")
        return None
    except OSError as error:
        notes.fail(Place(file), "", f"cannot read the file: {error.strerror or error}")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        notes.fail(Place(file), "", f"is not UTF-8 text (byte {error.start} cannot be decoded)")
        return None


def read_documents(
    path: str | os.PathLike[str], notes: Notes, limit: int, *, keep_tags: bool = False
) -> list[Document]:
    """Return the documents of a YAML (1.2, multi-document) or JSON file; record any problem.

    At most ``limit`` bytes are read (:func:`read_text`). With ``keep_tags`` a value tagged
    ``!name`` comes back as :class:`Tagged`; otherwise local tags are dropped and the value
    read as if untagged.
    """
    text = read_text(path, notes, limit)
    if text is None:
        return []
    return parse_documents(text, display_name(path), notes, keep_tags=keep_tags)


def parse_documents(
    text: str, file: str, notes: Notes, *, keep_tags: bool = False
) -> list[Document]:
    """Return the documents in ``text``: JSON when ``file``'s suffix says so or the text is
    JSON, else YAML (1.2, several documents); record any problem."""
    if syntax_of(file) == "json":
        return _read_json(file, text, notes)
    if text.lstrip()[:1] in ("{", "["):
        try:
            json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            pass  # YAML in flow style, or broken: the YAML reader says which
        else:
            return _read_json(file, text, notes)
    yaml = YAML(typ="rt")
    yaml.version = (1, 2)
    try:
        loaded = list(yaml.load_all(text))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        place = Place(file, mark.line + 1, mark.column + 1) if mark else Place(file)
        problem = " ".join(str(part) for part in (error.context, error.problem) if part)
        notes.fail(place, "", f"is not valid YAML: {problem or error}")
        return []
    except YAMLError as error:
        notes.fail(Place(file), "", f"is not valid YAML: {error}")
        return []
    documents = []
    for data in loaded:
        too_big = _expansion_problem(data)
        if too_big is not None:
            notes.fail(Place(file), "", too_big)
            return []
        start = getattr(data, "lc", None)
        positions = {"": (start.line + 1, start.col + 1) if start else (1, 1)}
        plain = _Converter(positions, keep_tags).convert(data, ())
        documents.append(Document(file, plain, positions))
    return documents


def _children(node: Any) -> list[tuple[int, Any]]:
    """Return a node's children, each with the characters it adds to a JSON Pointer."""
    if isinstance(node, CommentedMap):
        return [(len(str(key)) + 1, node[key]) for key in node]
    if isinstance(node, CommentedSeq):
        return [(len(str(index)) + 1, item) for index, item in enumerate(node)]
    return []


def _expansion_problem(root: Any) -> str | None:
    """Return why a document read with aliases expanded is too big to read, or ``None``.

    Counted over the nodes as YAML shares them (each once, without recursion), so a billion
    laughs is refused in milliseconds: the values it stands for and the characters of their
    JSON Pointers, which :class:`_Converter` would build one by one.
    """
    sizes: dict[int, tuple[int, int]] = {}  # node id: (values, pointer characters below it)
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        ident = id(node)
        if done:
            values, characters = 1, 0
            for step, child in _children(node):
                below, chars = sizes.get(id(child), (1, 0))
                values += below
                characters += below * step + chars
            if values > MAX_NODES:
                return f"expands to more than {MAX_NODES:,} values (aliases)"
            if characters > MAX_POINTER_CHARACTERS:
                return (
                    f"expands to more than {MAX_POINTER_CHARACTERS:,} characters of keys"
                    " (aliases under long keys)"
                )
            sizes[ident] = (values, characters)
            open_nodes.discard(ident)
            continue
        if ident in sizes:
            continue
        if ident in open_nodes:
            return "holds itself through an alias"
        children = _children(node)
        if children:
            open_nodes.add(ident)
            stack.append((node, True))
            stack.extend((child, False) for _, child in children)
    return None


def _read_json(file: str, text: str, notes: Notes) -> list[Document]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        notes.fail(Place(file, error.lineno, error.colno), "", f"is not valid JSON: {error.msg}")
        return []
    except RecursionError:
        notes.fail(Place(file), "", "is not valid JSON: nested too deeply")
        return []
    return [Document(file, data, {}, text)]


class _Converter:
    """Turn ruamel's round-trip nodes into plain data, filling the position table."""

    def __init__(self, positions: dict[str, tuple[int, int]], keep_tags: bool) -> None:
        self.positions = positions
        self.keep_tags = keep_tags

    def convert(self, node: Any, path: Path) -> Any:
        tag = _local_tag(node)
        value = self._plain(node, path)
        if tag and self.keep_tags:
            return Tagged(tag, value)
        return value

    def _plain(self, node: Any, path: Path) -> Any:
        if isinstance(node, CommentedMap):
            result: dict[str, Any] = {}
            for key in node:
                name = key if isinstance(key, str) else json.dumps(key, default=str)
                child = (*path, name)
                self._locate(node, key, child)
                result[name] = self.convert(node[key], child)
            return result
        if isinstance(node, CommentedSeq):
            items = []
            for index, item in enumerate(node):
                child = (*path, index)
                line, column = node.lc.item(index)
                self.positions[pointer(child)] = (line + 1, column + 1)
                items.append(self.convert(item, child))
            return items
        if isinstance(node, TaggedScalar):
            return str(node.value)
        if node is None or isinstance(node, bool):
            return node
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        if isinstance(node, (datetime.date, datetime.datetime)):
            return node.isoformat()
        return str(node)

    def _locate(self, node: CommentedMap, key: Any, child: Path) -> None:
        for owner in _owners(node):
            if key in owner.lc.data:
                value = owner[key]
                collection = isinstance(value, (CommentedMap, CommentedSeq))
                line, column = owner.lc.key(key) if collection else owner.lc.value(key)
                self.positions[pointer(child)] = (line + 1, column + 1)
                return


def _owners(node: CommentedMap) -> Iterator[CommentedMap]:
    """Yield a mapping, then the mappings it merges with ``<<`` (where merged keys stand)."""
    yield node
    for entry in getattr(node, "merge", ()):
        # ruamel.yaml 0.18 keeps (position, mapping) pairs; 0.19 keeps the mappings.
        merged = entry[1] if isinstance(entry, tuple) else entry
        if isinstance(merged, CommentedMap):
            yield from _owners(merged)


def _local_tag(node: Any) -> str | None:
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", None)
    if isinstance(value, str) and value.startswith("!") and not value.startswith("!!"):
        return value
    return None
