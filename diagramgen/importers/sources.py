"""Read YAML or JSON input files into plain data, keeping where each value stands in its file."""

from __future__ import annotations

import datetime
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO

import msgspec
from json_source_map import calculate
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedKeyMap, CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..reading import NotRegular, TooLarge, read_regular, read_stream
from ..spec.limits import DEFAULT_LIMITS, Limits, limit_rule
from ..spec.rules import NOT_UNICODE, lone_surrogates
from ..spec.sources import syntax_of
from ..spec.wording import clip, kind, position
from .notes import Notes, Path, Place

__all__ = [
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_NODES",
    "MAX_POINTER_CHARACTERS",
    "STDIN_NAME",
    "Document",
    "InputRefused",
    "Tagged",
    "display_name",
    "listed",
    "load_json",
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

#: Levels of lists and mappings (arrays and objects) in an input. The readers and the importer
#: walk them recursively, a few stack frames a level: past Python's recursion limit that is a
#: RecursionError. Real inputs nest a few dozen levels (a CRD's schema in a dump, ~40).
MAX_DEPTH = 100
#: Digits of an integer: Python reads and writes no longer ones (``sys.int_info``'s default
#: ``default_max_str_digits``), whatever the input holds them for.
MAX_DIGITS = 4300

#: The name standard input goes by in notes, as the spec reader names it.
STDIN_NAME = "<stdin>"

_NESTED = f"is nested more than {MAX_DEPTH} levels deep; an import reads at most {MAX_DEPTH} levels"
_TOO_LONG = f"is a number of more than {MAX_DIGITS:,} digits; too long to read"


class InputRefused(ValueError):
    """Input that is refused before it is read whole, at a 1-based line and column (0: unknown)."""

    def __init__(
        self, message: str, line: int = 0, column: int = 0, rule: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.rule = rule


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


def listed(value: Any, place: Callable[[Path], Place], path: Path, notes: Notes) -> list[Any]:
    """Return ``value`` if it is a list; else an empty one, with a note at ``path`` unless the
    value is absent (``None``). For optional lists of a dump: a wrong type is read as absent."""
    if isinstance(value, list):
        return value
    if value is not None:
        notes.warn(place(path), path, f"expected a list, not {kind(value)}: read as absent")
    return []


def display_name(path: str | os.PathLike[str]) -> str:
    """Return the name an input file goes by in notes: the path as the caller gave it."""
    return os.fspath(path)


def read_text(
    path: str | os.PathLike[str],
    notes: Notes,
    limits: Limits,
    *,
    stream: BinaryIO | None = None,
) -> str | None:
    """Return the UTF-8 text of an input file, or None after recording why it cannot be read.

    Only a regular file is read (a FIFO or a device is refused without waiting on it), and at
    most ``limits.input_bytes`` bytes of it. With ``stream`` (standard input) that stream is
    read instead, as far as the same bound, and ``path`` is only the name it goes by.
    """
    file = display_name(path)
    limit = limits.input_bytes
    try:
        data = read_regular(path, limit) if stream is None else read_stream(stream, limit)
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
    notes.read(file, data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        notes.fail(Place(file), "", f"is not UTF-8 text (byte {error.start} cannot be decoded)")
        return None


def read_documents(
    path: str | os.PathLike[str],
    notes: Notes,
    limits: Limits,
    *,
    keep_tags: bool = False,
    allow_empty: bool = False,
    stream: BinaryIO | None = None,
    stand_in: StandIn | None = None,
) -> list[Document]:
    """Return the documents of a YAML (1.2, multi-document) or JSON file; record any problem.

    At most ``limits.input_bytes`` bytes are read (:func:`read_text`; ``stream`` reads
    standard input instead), and in YAML no list or mapping may hold more entries than
    ``limits.components``: one that does is refused where the entry past it stands, before the
    rest is composed (a Compose file of 400,000 services would take minutes and gigabytes to
    compose; no input of an import holds more entries in one place than the components it
    draws). With ``keep_tags`` a value tagged ``!name`` comes back as :class:`Tagged`;
    otherwise local tags are dropped and the value read as if untagged. For ``allow_empty``
    and ``stand_in`` see :func:`parse_documents`.
    """
    text = read_text(path, notes, limits, stream=stream)
    if text is None:
        return []
    return parse_documents(
        text,
        display_name(path),
        notes,
        keep_tags=keep_tags,
        entries=limits.components,
        allow_empty=allow_empty,
        stand_in=stand_in,
    )


#: Given the text of one YAML document, return what may stand for it instead of reading it
#: whole (a caller that will skip it anyway), or None to read it.
StandIn = Callable[[str], Any]


def parse_documents(
    text: str,
    file: str,
    notes: Notes,
    *,
    keep_tags: bool = False,
    entries: int = DEFAULT_LIMITS.components,
    allow_empty: bool = False,
    stand_in: StandIn | None = None,
) -> list[Document]:
    """Return the documents in ``text``: JSON when ``file``'s suffix says so or the text is
    JSON (standard input, which has no suffix, is JSON when it reads as JSON), else YAML (1.2,
    several documents); record any problem.

    Text that holds no value (blank, or YAML of only comments and ``---``) is a problem, ``is
    empty``, unless ``allow_empty``: then it has no documents. Text no UTF-8 can write (a
    lone surrogate, as JSON's ``"\\udfff"`` reads) is refused at its place: it would reach a
    spec, a terminal or a picture and fail there, far from its cause.

    ``stand_in`` is asked about each document of YAML text of several (those between ``---``
    lines); what it returns for one is that document's data, placed at its first line, and
    the document is not read further (its syntax is not checked). Reading YAML takes about a
    second a megabyte: 4 MB of CustomResourceDefinitions, which an importer only skips, took
    seconds.
    """
    documents = _parse_documents(text, file, notes, keep_tags, entries, stand_in)
    if not documents and not allow_empty and not notes.failed(file):
        notes.fail(Place(file), "", "is empty")
    for document in documents:
        for path, at_key in lone_surrogates(document.data):
            notes.fail(document.place(path), path, f"{'this key ' if at_key else ''}{NOT_UNICODE}")
            return []
    return documents


def _parse_documents(
    text: str, file: str, notes: Notes, keep_tags: bool, entries: int, stand_in: StandIn | None
) -> list[Document]:
    if file != STDIN_NAME and syntax_of(file) == "json":
        return _read_json(file, text, notes)
    if not text.strip():
        return []
    if text.lstrip()[:1] in ("{", "["):
        try:
            data = load_json(text)
        except (json.JSONDecodeError, InputRefused):
            pass  # YAML in flow style, or broken: the YAML reader says which, and where
        else:
            return [Document(file, data, {}, text)]
    chunks = _yaml_chunks(text) if stand_in is not None else None
    if chunks is None or stand_in is None:
        return _read_yaml(text, file, notes, keep_tags, entries, 0) or []
    documents: list[Document] = []
    for before, chunk in chunks:
        standing = stand_in(chunk)
        if standing is None:
            read = _read_yaml(chunk, file, notes, keep_tags, entries, before)
            if read is None:
                return []
            documents += read
        else:
            documents.append(Document(file, standing, {"": _first_value(chunk, before)}))
    return documents


_MARKER = re.compile(r"^---(?=[ \t\r\n]|$)", re.MULTILINE)
_CONTENT = re.compile(r"^([ \t]*)[^ \t\r\n#]", re.MULTILINE)
_DIRECTIVE = re.compile(r"^%", re.MULTILINE)


def _yaml_chunks(text: str) -> list[tuple[int, str]] | None:
    """Return the documents of YAML ``text``, each with the lines before it, split where a
    line starts with ``---`` (YAML allows no such line inside a value); chunks of only
    comments are left out. None when the text has directives (``%YAML``), which belong to the
    document after them."""
    if _DIRECTIVE.search(text):
        return None
    starts = [0, *(match.start() for match in _MARKER.finditer(text) if match.start() > 0)]
    chunks = []
    line = 0
    for index, start in enumerate(starts):
        if index:
            line += text.count("\n", starts[index - 1], start)
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        chunk = text[start:end]
        if _content_line(chunk) is not None:
            chunks.append((line, chunk))
    return chunks


def _content_line(chunk: str) -> tuple[int, int] | None:
    """Return the 0-based line and column of the first value in ``chunk`` (past a ``---``)."""
    body = _MARKER.sub("   ", chunk, count=1) if chunk.startswith("---") else chunk
    match = _CONTENT.search(body)
    if match is None:
        return None
    return body.count("\n", 0, match.start()), len(match.group(1))


def _first_value(chunk: str, before: int) -> tuple[int, int]:
    """Return the 1-based position of the first value of a chunk that follows ``before`` lines."""
    line, column = _content_line(chunk) or (0, 0)
    return before + line + 1, column + 1


def _read_yaml(
    text: str, file: str, notes: Notes, keep_tags: bool, entries: int, before: int
) -> list[Document] | None:
    """Return the documents of YAML ``text`` that hold a value, positioned as if ``before``
    lines preceded it; None after recording a problem."""
    yaml = YAML(typ="rt")
    yaml.version = (1, 2)
    yaml.Composer = _bounded(entries)
    yaml.Constructor = _Constructor
    try:
        loaded = list(yaml.load_all(text))
    except InputRefused as refused:
        line = refused.line + before if refused.line else 0
        place = Place(file, line, refused.column)
        notes.fail(place, "", refused.message, rule=refused.rule)
        return None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        place = Place(file, before + mark.line + 1, mark.column + 1) if mark else Place(file)
        notes.fail(place, "", f"is not valid YAML: {_yaml_problem(error, text)}")
        return None
    except YAMLError as error:
        notes.fail(Place(file), "", f"is not valid YAML: {error}")
        return None
    documents = []
    for data in loaded:
        if data is None:  # a document of only comments, or a trailing ---
            continue
        too_big = _expansion_problem(data)
        if too_big is not None:
            notes.fail(Place(file), "", too_big)
            return None
        start = getattr(data, "lc", None)
        positions = {"": (start.line + 1, start.col + 1) if start else (1, 1)}
        plain = _Converter(positions, keep_tags, text).convert(data, ())
        if before:
            positions = {key: (line + before, column) for key, (line, column) in positions.items()}
        documents.append(Document(file, plain, positions))
    return documents


_DUPLICATE = re.compile(r'found duplicate key "(.*)" with value', re.DOTALL)
_TEMPLATE = re.compile(r"\{\{.*?\}\}")


def _yaml_problem(error: MarkedYAMLError, text: str) -> str:
    """Return what is wrong, in words: ruamel's own, but a duplicate key named without the
    Python repr of its values, and a template's syntax said to be one."""
    if isinstance(error, DuplicateKeyError):
        key = _DUPLICATE.search(str(error.problem))
        name = f'"{clip(key.group(1))}"' if key else "a key"
        return f"the key {name} appears twice in one mapping; each key may be given once"
    problem = " ".join(str(part) for part in (error.context, error.problem) if part)
    if _TEMPLATE.search(text):
        problem += "; it looks like a template ({{ … }}): render the chart or template first"
    return problem or str(error)


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
    laughs is refused in milliseconds: the values it stands for, the characters of their
    JSON Pointers, which :class:`_Converter` would build one by one, and the levels of
    nesting (an alias of an alias of … nests deeper than the text does), which it walks
    recursively.
    """
    # node id: (values, pointer characters below it, levels of lists and mappings)
    sizes: dict[int, tuple[int, int, int]] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        ident = id(node)
        if done:
            values, characters, levels = 1, 0, 0
            for step, child in _children(node):
                below, chars, deep = sizes.get(id(child), (1, 0, 0))
                values += below
                characters += below * step + chars
                levels = max(levels, deep)
            levels += 1
            if levels > MAX_DEPTH:
                return f"{_NESTED} (aliases)"
            if values > MAX_NODES:
                return f"expands to more than {MAX_NODES:,} values (aliases)"
            if characters > MAX_POINTER_CHARACTERS:
                return (
                    f"expands to more than {MAX_POINTER_CHARACTERS:,} characters of keys"
                    " (aliases under long keys)"
                )
            sizes[ident] = (values, characters, levels)
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
    if not text.strip():
        return []  # empty, which the caller says or allows
    try:
        data = load_json(text)
    except json.JSONDecodeError as error:
        notes.fail(Place(file, error.lineno, error.colno), "", f"is not valid JSON: {error.msg}")
        return []
    except InputRefused as refused:
        notes.fail(Place(file, refused.line, refused.column), "", refused.message)
        return []
    return [Document(file, data, {}, text)]


class _LongNumber(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _parse_int(text: str) -> int:
    if len(text) > MAX_DIGITS and len(text.lstrip("-")) > MAX_DIGITS:
        raise _LongNumber(text)
    try:
        return int(text)
    except ValueError:  # over a lower limit set for this Python (PYTHONINTMAXSTRDIGITS)
        raise _LongNumber(text) from None


_DECODER = json.JSONDecoder(parse_int=_parse_int)
_JSON_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_JSON_BRACKETS = re.compile(rf"(?P<string>{_JSON_STRING})|(?P<open>[\[{{])|(?P<close>[\]}}])")
_JSON_NUMBERS = re.compile(rf"(?P<string>{_JSON_STRING})|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def load_json(text: str) -> Any:
    """Return the value of JSON ``text``, read within the bounds of every input.

    Raise ``json.JSONDecodeError`` for text that is not JSON, and :class:`InputRefused`, at
    its place, for arrays and objects nested more than :data:`MAX_DEPTH` levels and integers
    of more than :data:`MAX_DIGITS` digits.
    """
    try:
        data = _DECODER.decode(text)
    except _LongNumber as long:
        found = (0, 0)
        for match in _JSON_NUMBERS.finditer(text):
            if match.lastgroup != "string" and match.group() == long.text:
                found = position(text, match.start())
                break
        raise InputRefused(_TOO_LONG, *found) from None
    except RecursionError:  # json nests on the C stack: it gives up past ~1,000 levels
        raise InputRefused(_NESTED, *_deep_json(text)) from None
    if _too_deep(data):
        raise InputRefused(_NESTED, *_deep_json(text))
    return data


def _too_deep(data: Any) -> bool:
    """Return whether ``data`` nests lists and dicts more than :data:`MAX_DEPTH` levels."""
    stack = [(data, 1)] if isinstance(data, (dict, list)) else []
    while stack:
        node, level = stack.pop()
        if level > MAX_DEPTH:
            return True
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, (dict, list)):
                stack.append((child, level + 1))
    return False


def _deep_json(text: str) -> tuple[int, int]:
    """Return where the first array or object deeper than :data:`MAX_DEPTH` opens in ``text``."""
    level = 0
    for match in _JSON_BRACKETS.finditer(text):
        if match.lastgroup == "open":
            level += 1
            if level > MAX_DEPTH:
                return position(text, match.start())
        elif match.lastgroup == "close":
            level -= 1
    return 0, 0


class _Composer(Composer):
    """ruamel.yaml's composer, refusing lists and mappings nested past :data:`MAX_DEPTH`.

    It recurses once a level (and its constructor, for keys, again): refused where the level
    opens, before the stack runs out.
    """

    levels = 0
    #: At most this many entries in one list or mapping: the components limit.
    entries = DEFAULT_LIMITS.components
    counted: dict[int, int]

    def compose_node(self, parent: Any, index: Any) -> Any:
        # A mapping's key is composed with index None, a list's item with its index: each an entry.
        if parent is not None and (index is None or isinstance(index, int)):
            if not hasattr(self, "counted"):
                self.counted = {}
            count = self.counted[id(parent)] = self.counted.get(id(parent), 0) + 1
            if count > self.entries:
                mark = self.parser.peek_event().start_mark
                raise InputRefused(
                    f"holds more than {self.entries:,} entries here;"
                    f" the components limit is {self.entries:,}",
                    mark.line + 1,
                    mark.column + 1,
                    rule=limit_rule("components"),
                )
        return super().compose_node(parent, index)

    def compose_sequence_node(self, anchor: Any) -> Any:
        return self._nested(super().compose_sequence_node, anchor)

    def compose_mapping_node(self, anchor: Any) -> Any:
        return self._nested(super().compose_mapping_node, anchor)

    def _nested(self, compose: Callable[[Any], Any], anchor: Any) -> Any:
        self.levels += 1
        try:
            if self.levels > MAX_DEPTH:
                mark = self.parser.peek_event().start_mark
                raise InputRefused(_NESTED, mark.line + 1, mark.column + 1)
            return compose(anchor)
        finally:
            self.levels -= 1


def _bounded(entries: int) -> type[Composer]:
    """Return a :class:`_Composer` that refuses more than ``entries`` entries in one place."""
    return type("_BoundedComposer", (_Composer,), {"entries": entries})


_TOO_LARGE = 10**MAX_DIGITS


class _Constructor(RoundTripConstructor):
    """ruamel.yaml's round-trip constructor, refusing integers of more than MAX_DIGITS digits.

    Python cannot turn them into text, nor read them from decimal text: a ValueError, raised
    without a place, at any later ``str`` (hexadecimal ones are read, then cannot be shown).
    """

    def construct_yaml_int(self, node: Any) -> Any:
        value = None
        if len(node.value.replace("_", "")) <= MAX_DIGITS + 3:  # a sign, a 0x
            try:
                value = super().construct_yaml_int(node)
            except ValueError:
                value = None
        if value is None or not -_TOO_LARGE < value < _TOO_LARGE:
            mark = node.start_mark
            raise InputRefused(_TOO_LONG, mark.line + 1, mark.column + 1)
        return value


_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)


class _Converter:
    """Turn ruamel's round-trip nodes into plain data, filling the position table."""

    def __init__(
        self, positions: dict[str, tuple[int, int]], keep_tags: bool, text: str = ""
    ) -> None:
        self.positions = positions
        self.keep_tags = keep_tags
        self.text = text
        self._lines: list[str] | None = None
        self.owners: dict[int, dict[Any, CommentedMap]] = {}

    def convert(self, node: Any, path: Path) -> Any:
        tag = _local_tag(node)
        value = self._plain(node, path)
        if tag and self.keep_tags:
            return Tagged(tag, value)
        return value

    def _plain(self, node: Any, path: Path) -> Any:
        if isinstance(node, CommentedMap) and _placeholder(node):
            return self._written(node)
        if isinstance(node, CommentedMap):
            result: dict[str, Any] = {}
            for key in node:
                name = key if isinstance(key, str) else _key_text(key)
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

    def _written(self, node: CommentedMap) -> str:
        """Return a template placeholder as written (``{{ .Values.replicas }}``)."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        line, column = node.lc.line, node.lc.col
        written = self._lines[line][column:] if line < len(self._lines) else ""
        match = _WRITTEN_PLACEHOLDER.match(written)
        return match.group() if match else "{" + _key_text(next(iter(node))) + "}"

    def _locate(self, node: CommentedMap, key: Any, child: Path) -> None:
        owner = self._owners_of(node).get(key)
        if owner is not None:
            value = owner[key]
            collection = isinstance(value, (CommentedMap, CommentedSeq)) or value is None
            if isinstance(value, CommentedMap) and _placeholder(value):
                collection = False  # read as the text it is written as
            line, column = owner.lc.key(key) if collection else owner.lc.value(key)
            self.positions[pointer(child)] = (line + 1, column + 1)

    def _owners_of(self, node: CommentedMap) -> dict[Any, CommentedMap]:
        """Return the mapping that writes each key of ``node``: itself, or one it merges."""
        found = self.owners.get(id(node))
        if found is None:
            found = {}
            for owner in _owners(node):
                for key in owner.lc.data:
                    found.setdefault(key, owner)
            self.owners[id(node)] = found
        return found


_WRITTEN_PLACEHOLDER = re.compile(r"\{\{.*?\}\}")


def _placeholder(node: CommentedMap) -> bool:
    """Return whether a mapping is how YAML reads a template placeholder: ``{{ x }}`` is a
    mapping whose one key is the mapping ``{x: null}``. No manifest or Compose file means a
    mapping as a key; an unrendered Helm chart or Go template does."""
    if len(node) != 1:
        return False
    key = next(iter(node))
    return isinstance(key, CommentedKeyMap) and node[key] is None


def _key_text(key: Any) -> str:
    """Return a key that is not a string as YAML's flow style writes it: ``{a}``, ``[1, 2]``."""
    if isinstance(key, Mapping):
        items = (
            _key_text(k) if v is None else f"{_key_text(k)}: {_key_text(v)}" for k, v in key.items()
        )
        return "{" + ", ".join(items) + "}"
    if isinstance(key, (list, tuple)):
        return "[" + ", ".join(_key_text(item) for item in key) + "]"
    if isinstance(key, str):
        return key
    return json.dumps(key, default=str)


def _owners(node: CommentedMap) -> Iterator[CommentedMap]:
    """Yield a mapping, then the mappings it merges with ``<<``, depth first, each once.

    Without recursion, and each once: a chain of merges is walked once, not once a key.
    """
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        # ruamel.yaml 0.18 keeps (position, mapping) pairs; 0.19 keeps the mappings.
        merged = [e[1] if isinstance(e, tuple) else e for e in getattr(current, "merge", ())]
        stack.extend(m for m in reversed(merged) if isinstance(m, CommentedMap))


def _local_tag(node: Any) -> str | None:
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", None)
    if isinstance(value, str) and value.startswith("!") and not value.startswith("!!"):
        return value
    return None
