"""Read a spec written in YAML: the document, and where each of its keys and values stands.

A spec is one document of plain data, so only what JSON can say is accepted: mappings with
text keys, lists, text, numbers, true/false and null. Anchors, aliases, merge keys, custom
tags and further documents are refused rather than half-supported. The document is built
straight from ruamel.yaml's parse events, never by its constructor: each check (depth, size,
anchors, tags) fires at the event that breaks it, before anything large exists, and scalars
are resolved here by the YAML 1.2 core schema so that no ruamel type leaks out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import Problem, SpecInvalid
from .limits import limit_rule
from .pointers import join, pointer_of
from .wording import clip, kind, position

__all__ = ["read_yaml"]

Locate = Callable[[str, bool], tuple[int, int]]

#: A spec component is a few dozen keys and values; a document far beyond that per allowed
#: component is not a diagram, and is refused before its values are built.
VALUES_PER_COMPONENT = 64

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{name}" for name in ("str", "int", "float", "bool", "null")}

# The YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution), written out
# rather than taken from ruamel's resolver, which accepts extras such as "1_000".
_NULL = re.compile(r"(?:null|Null|NULL|~|)\Z")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_BASED = re.compile(r"0o[0-7]+\Z|0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z")

_NOT_PLAIN = "a spec is one document of plain data"
_ANCHORS = f"{_NOT_PLAIN}: anchors and aliases are not supported; repeat the value"
_MERGE = f"{_NOT_PLAIN}: merge keys (<<) are not supported; repeat the keys"


def read_yaml(text: str, file: str, limits: Any) -> tuple[dict[str, Any], Locate]:
    """Return the spec document in YAML ``text`` and a ``locate(pointer, at_key)`` function.

    ``limits`` gives ``spec_bytes``, ``depth`` and ``components`` and a ``hint(name)``
    sentence. Raise :class:`SpecInvalid` for any text that is not such a document.
    """
    if text.startswith("\ufeff"):  # a byte-order mark; editors do not count it as a column
        text = text[1:]
    if len(text) > limits.spec_bytes:
        message = f"is {len(text):,} characters, too large for a spec ({limits.hint('spec_bytes')})"
        raise SpecInvalid(file, [Problem(0, 0, None, message, limit_rule("spec_bytes"))])
    # ruamel is imported only here: a run that reads no YAML does not pay for it.
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.reader import ReaderError

    builder = _Builder(file, limits)
    try:
        builder.run(YAML(typ="safe", pure=True).parse(text))
    except MarkedYAMLError as error:
        raise SpecInvalid(file, [_syntax_problem(error)]) from None
    except ReaderError as error:  # a character YAML does not allow in a file
        line, column = position(text, error.position)
        message = f"invalid YAML: the character {_shown(chr(error.character))} is not allowed"
        raise SpecInvalid(file, [Problem(line, column, None, message)]) from None
    return builder.result()


class _Refused(Exception):
    """Stop reading at the first problem that makes reading on pointless or unsafe."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


# Where a node stands: (line, column, children); children is a dict from key to
# (key line, key column, node) for a mapping, a list of nodes for a list, None for a scalar.
_Where = tuple[int, int, Any]
_SKIP = object()  # the pending key of a mapping whose last key was refused
#: The lists whose items count against the components limit.
_COMPONENT_LISTS = frozenset({"hosts", "vms", "containers", "apps"})


class _Frame:
    """A mapping or list being filled, with the token that reaches it from its parent."""

    __slots__ = ("key", "key_at", "kids", "parent", "token", "value")

    def __init__(self, value: Any, kids: Any, parent: _Frame | None, token: str | int) -> None:
        self.value = value
        self.kids = kids
        self.parent = parent
        self.token = token
        self.key: Any = None  # in a mapping: the key whose value comes next, if any
        self.key_at = (0, 0)

    def pointer(self) -> str:
        tokens = []
        frame: _Frame | None = self
        while frame is not None and frame.parent is not None:
            tokens.append(frame.token)
            frame = frame.parent
        return pointer_of(reversed(tokens))


class _Builder:
    """Turn parse events into the document and its map of positions, checking as it goes."""

    def __init__(self, file: str, limits: Any) -> None:
        self.file = file
        self.depth_limit: int = limits.depth
        self.limits = limits
        self.values_limit: int = limits.components * VALUES_PER_COMPONENT
        self.problems: list[Problem] = []
        self.stack: list[_Frame] = []
        self.root: tuple[Any, _Where] | None = None
        self.documents = 0
        self.components = 0

    def run(self, events: Iterable[Any]) -> None:
        try:
            self._consume(events)
        except _Refused as refused:
            # Problems sort by position, then pointer; one place cannot hold a pointer and None.
            last = refused.problem
            earlier = [p for p in self.problems if (p.line, p.column) != (last.line, last.column)]
            raise SpecInvalid(self.file, [*earlier, last]) from None

    def result(self) -> tuple[dict[str, Any], Locate]:
        if self.problems:
            raise SpecInvalid(self.file, self.problems)
        if self.root is None:
            message = (
                "is empty; a spec is a YAML mapping such as `version: 1` and `hosts: [...]` "
                "(`diagramgen init --format yaml` writes a starter)"
            )
            raise SpecInvalid(self.file, [Problem(0, 0, None, message)])
        document, where = self.root
        if not isinstance(document, dict):
            message = (
                "must be a YAML mapping with keys such as `version: 1` and `hosts:`, "
                f"not {kind(document, yaml=True)}"
            )
            raise SpecInvalid(self.file, [Problem(where[0], where[1], None, message)])
        return document, _locator(where)

    def _consume(self, events: Iterable[Any]) -> None:
        values = 0
        for event in events:
            name = type(event).__name__
            if name == "DocumentStartEvent":
                self._start_document(event)
                continue
            if name in ("MappingEndEvent", "SequenceEndEvent"):
                self.stack.pop()
                continue
            if name not in ("ScalarEvent", "MappingStartEvent", "SequenceStartEvent", "AliasEvent"):
                continue  # stream and document ends
            values += 1
            if values > self.values_limit:
                message = (
                    f"has more than {self.values_limit:,} keys and values "
                    f"({VALUES_PER_COMPONENT} per component); {self.limits.hint('components')}"
                )
                raise self._refuse(event, message, limit_rule("components"))
            if name == "AliasEvent" or event.anchor is not None:
                raise self._refuse(event, _ANCHORS)
            if name == "ScalarEvent":
                self._scalar(event)
            else:
                self._collection(event, mapping=name == "MappingStartEvent")

    def _start_document(self, event: Any) -> None:
        self.documents += 1
        if self.documents > 1:
            message = (
                "starts a second YAML document here; a spec is one document: "
                "put each spec in a file of its own"
            )
            raise self._refuse(event, message)
        if event.version not in (None, (1, 2)):
            major, minor = event.version
            message = f"is read as YAML 1.2; remove the `%YAML {major}.{minor}` line"
            raise self._refuse(event, message)

    def _scalar(self, event: Any) -> None:
        frame = self.stack[-1] if self.stack else None
        if frame is None and event.value == "" and event.style is None and event.tag is None:
            return  # a document with no content: reported as an empty file
        value = self._resolve(event)
        if frame is not None and isinstance(frame.value, dict) and frame.key is None:
            self._key(frame, event, value)
        else:
            self._attach(value, (*_start(event), None))

    def _key(self, frame: _Frame, event: Any, key: Any) -> None:
        frame.key_at = _start(event)
        if not isinstance(key, str):
            written = clip(_shown(event.value))
            message = (
                f"the key {written} is read as {kind(key, yaml=True)}, and keys must be text; "
                f'write it in quotes ("{written}":) to keep it as text'
                if written
                else "a key is missing before this colon"
            )
            self.problems.append(Problem(*frame.key_at, frame.pointer(), message))
            frame.key = _SKIP
            return
        if key == "<<" and event.style is None:
            raise self._refuse(event, _MERGE)
        if key in frame.value:
            message = f'duplicate key "{clip(_shown(key))}"; each key may appear once per object'
            pointer = join(frame.pointer(), key)
            self.problems.append(Problem(*frame.key_at, pointer, message))
        frame.key = key

    def _collection(self, event: Any, *, mapping: bool) -> None:
        parent = self.stack[-1] if self.stack else None
        if parent is not None and isinstance(parent.value, dict) and parent.key is None:
            message = "a key must be text, not a mapping or a list"
            raise _Refused(Problem(*_start(event), parent.pointer(), message))
        tag = event.tag
        if tag not in (None, "!", f"{_CORE}{'map' if mapping else 'seq'}"):
            raise self._refuse(event, _tag_message(tag))
        if len(self.stack) >= self.depth_limit:
            message = f"is nested more than {self.depth_limit} levels deep; "
            raise self._refuse(event, message + self.limits.hint("depth"), limit_rule("depth"))
        value: Any = {} if mapping else []
        kids: Any = {} if mapping else []
        token: str | int = ""
        if parent is not None:
            token = parent.key if isinstance(parent.value, dict) else len(parent.value)
        self._attach(value, (*_start(event), kids))
        self.stack.append(_Frame(value, kids, parent, token))

    def _attach(self, value: Any, where: _Where) -> None:
        if not self.stack:
            self.root = (value, where)
            return
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            frame.value.append(value)
            frame.kids.append(where)
            self._count(frame, where)
            return
        key, frame.key = frame.key, None
        if key is not _SKIP:
            frame.value[key] = value
            frame.kids[key] = (*frame.key_at, where)

    def _count(self, frame: _Frame, where: _Where) -> None:
        """Refuse a spec as soon as it holds more links or components than its limits allow:
        the count is known long before the rest is read (300,000 links took 28 s to read)."""
        if frame.token == "links" and len(self.stack) == 2:
            if len(frame.value) > self.limits.links:
                message = f"has more than {self.limits.links:,} links; {self.limits.hint('links')}"
                problem = Problem(where[0], where[1], "/links", message, limit_rule("links"))
                raise _Refused(problem)
        elif frame.token in _COMPONENT_LISTS:
            self.components += 1
            if self.components > self.limits.components:
                message = (
                    f"has more than {self.limits.components:,} hosts, VMs, containers and "
                    f"apps; {self.limits.hint('components')}"
                )
                pointer = frame.pointer()
                rule = limit_rule("components")
                raise _Refused(Problem(where[0], where[1], pointer, message, rule))

    def _resolve(self, event: Any) -> Any:
        """Return the value of a scalar by the core schema, or as its explicit core tag says."""
        tag, text = event.tag, event.value
        if tag in ("!", f"{_CORE}str") or (tag is None and event.style is not None):
            return text
        if tag is not None and tag not in _SCALAR_TAGS:
            raise self._refuse(event, _tag_message(tag))
        try:
            value = _core_value(text)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            message = f"a number of {len(text):,} digits is too long to read"
            raise self._refuse(event, message) from None
        if tag is None:
            return value
        if tag == f"{_CORE}float" and type(value) is int:
            return float(value)
        if _CORE + _core_name(value) != tag:
            message = f"the tag {_short_tag(tag)} does not fit the value {clip(_shown(text))}"
            raise self._refuse(event, message)
        return value

    def _refuse(self, event: Any, message: str, rule: str | None = None) -> _Refused:
        return _Refused(Problem(*_start(event), None, message, rule))


def _core_value(text: str) -> Any:
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        return int(text)
    if _INT_BASED.match(text):
        return int(text[2:], 8 if text[1] == "o" else 16)
    if _FLOAT.match(text):
        return float(text)
    if _SPECIAL_FLOAT.match(text):
        return float(text.lower().replace(".", ""))  # "-.Inf" -> "-inf", ".NaN" -> "nan"
    return text


def _core_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "bool", int: "int", float: "float"}.get(type(value), "str")


def _locator(root: _Where) -> Locate:
    def locate(pointer: str, at_key: bool) -> tuple[int, int]:
        """Return where the value at ``pointer`` (or its key) starts; else its nearest ancestor."""
        line, column, kids = root
        tokens = pointer.split("/")[1:] if pointer.startswith("/") else []
        for index, raw in enumerate(tokens):
            token = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(kids, dict) and token in kids:
                key_line, key_column, (line, column, kids) = kids[token]
                if at_key and index == len(tokens) - 1:
                    return key_line, key_column
            elif isinstance(kids, list) and token.isdigit() and int(token) < len(kids):
                line, column, kids = kids[int(token)]
            else:
                break
        return line, column

    return locate


def _syntax_problem(error: Any) -> Problem:
    """Return a YAML syntax error as one short line at its 1-based position."""
    problem: str = error.problem or error.context or "not YAML"
    mark = error.problem_mark or error.context_mark
    context: str = error.context or ""
    if "'\\t'" in problem:
        message = "a tab character; indent with spaces (YAML does not allow tabs here)"
    elif ("end of stream" in problem or "<stream end>" in problem) and error.context_mark:
        what = _OPENED.get(context.split(" a ", 1)[-1], "value")
        message = f"the file ends inside the {what} that starts here; is it left open?"
        mark = error.context_mark
    elif problem == "could not find expected ':'" and error.context_mark:
        message = "expected `key: value`; this line has no colon after its key"
        mark = error.context_mark
    elif problem == "mapping values are not allowed here":
        message = "a colon here starts a key where none is allowed; quote text that holds ': '"
    elif problem.startswith("expected <block end>"):
        found = _FOUND.get(problem.rsplit("found ", 1)[-1].strip("'"), "this")
        message = f"{found} is indented differently from the lines above; line them up"
    elif problem.endswith("that cannot start any token"):
        character = problem.removeprefix("found character ").split(" that")[0]
        message = f"a value cannot start with {character}; put the value in quotes"
    else:
        message = problem + (f" ({context})" if context else "")
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    return Problem(line, column, None, f"invalid YAML: {_shown(message)}")


_OPENED = {
    "quoted scalar": "quoted text",
    "flow sequence": "[ list",
    "flow mapping": "{ mapping",
    "block scalar": "block of text",
}

_FOUND = {
    "<block mapping start>": "a key",
    "?": "a key",
    "<scalar>": "a value",
    "<block sequence start>": "a list item",
    "-": "a list item",
}


def _tag_message(tag: str) -> str:
    return (
        f"the tag {clip(_shown(_short_tag(tag)))} is not supported: {_NOT_PLAIN} "
        "(text, numbers, true/false, null, lists and mappings); remove the tag"
    )


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _start(event: Any) -> tuple[int, int]:
    mark = event.start_mark
    return mark.line + 1, mark.column + 1


def _shown(text: str) -> str:
    """Return ``text`` with control characters and line breaks escaped, as repr() writes them."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
