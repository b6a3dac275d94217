"""Load and validate a spec: read the file, parse JSON, check it against the schema and rules.

Every problem is collected before anything is reported, and each one gets the line and
column of the value (or key) it is about. The source map is only computed when there are
problems to place, so a valid spec costs one ``json.loads``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import semantics
from .assets import DATA
from .errors import Problem, SpecInvalid
from .limits import DEFAULT_LIMITS, Limits
from .model import Spec, build
from .units import format_bytes

if TYPE_CHECKING:
    from jsonschema import ValidationError

__all__ = [
    "SCHEMA_NAME",
    "Finding",
    "load",
    "load_text",
    "parse",
    "schema",
    "schema_text",
    "validate",
]

SCHEMA_NAME = "spec-v1.schema.json"
SUPPORTED_VERSION = 1

Finding = semantics.Finding


def schema_text() -> str:
    """Return the JSON Schema of spec v1 as text (what ``diagramgen schema`` prints)."""
    return (DATA / SCHEMA_NAME).read_text("utf-8")


@cache
def schema() -> dict[str, Any]:
    """Return the JSON Schema of spec v1."""
    loaded: dict[str, Any] = json.loads(schema_text())
    return loaded


@cache
def _validator() -> Any:
    # jsonschema is the slowest import on the path; load it only when validating.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


#: The deepest a valid spec nests: document, hosts, host, vms, VM, containers, container, limits.
_SCHEMA_DEPTH = 8


def _passes_compiled_schema(document: dict[str, Any]) -> bool:
    """Return whether the compiled schema accepts the document (the fast path: no jsonschema).

    Only its verdict is used: a spec it rejects goes through jsonschema, which explains why.
    """
    from . import _fastschema

    try:
        _fastschema.validate_urn_diagramgen_spec_v1(document)
    except (_fastschema.JsonSchemaValueException, RecursionError):
        return False
    return True


def load(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Spec:
    """Return the model of the spec file at ``path``; raise :class:`SpecInvalid` on any problem."""
    file = str(path)
    try:
        size = Path(path).stat().st_size
        if size > limits.spec_bytes:
            raise SpecInvalid(file, [too_big(size, limits)])
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise SpecInvalid(file, [Problem(0, 0, None, "is a folder, not a spec file")]) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise SpecInvalid(file, [Problem(0, 0, None, f"cannot read: {reason}")]) from None
    return load_text(data, file, limits)


def too_big(size: int, limits: Limits) -> Problem:
    """Return the problem of a spec of ``size`` bytes, above the limit."""
    message = f"is {format_bytes(size)}, too large for a spec ({limits.hint('spec_bytes')} bytes)"
    return Problem(0, 0, None, message)


def load_text(data: bytes | str, file: str = "<stdin>", limits: Limits = DEFAULT_LIMITS) -> Spec:
    """Return the model of a spec given as bytes or text; ``file`` names it in errors."""
    if len(data) > limits.spec_bytes:
        raise SpecInvalid(file, [too_big(len(data), limits)])
    text = _decode(data, file) if isinstance(data, bytes) else data
    document = parse(text, file, limits)
    validate(document, text, file, limits)
    return build(document)


def _decode(data: bytes, file: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        message = "is UTF-16 text; save it as UTF-8 (without a byte-order mark)"
        raise SpecInvalid(file, [Problem(0, 0, None, message)])
    if data.startswith(b"\xef\xbb\xbf"):
        message = "starts with a UTF-8 byte-order mark; save it as UTF-8 without one"
        raise SpecInvalid(file, [Problem(0, 0, None, message)])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        message = f"is not valid UTF-8 (byte 0x{data[error.start]:02x}); save it as UTF-8"
        raise SpecInvalid(file, [Problem(line, column, None, message)]) from None


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
            stack.extend((value, semantics.join(pointer, key)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, semantics.join(pointer, i)) for i, value in enumerate(node))
    return found


def parse(text: str, file: str = "<stdin>", limits: Limits = DEFAULT_LIMITS) -> Any:
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
        line, column = _syntax_position(error, text)
        raise SpecInvalid(file, [Problem(line, column, None, message)]) from None
    except RecursionError:
        raise SpecInvalid(file, [Problem(0, 0, None, "is nested too deeply")]) from None
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        raise SpecInvalid(file, [Problem(0, 0, None, f"invalid JSON: {error}")]) from None
    # Only a document that repeats a key is walked for their pointers.
    duplicates = _duplicates(document) if marked else []
    if duplicates:
        findings = [
            Finding(
                semantics.join(pointer, key),
                f'duplicate key "{_clip(key)}"; each key may appear once per object',
                at_key=True,
            )
            for pointer, key in duplicates
        ]
        raise SpecInvalid(file, _place(findings, text))
    if not isinstance(document, dict):
        kind = _json_kind(document)
        message = f'must be a JSON object {{"version": 1, "hosts": [...]}}, not {kind}'
        raise SpecInvalid(file, [Problem(1, 1, None, message)])
    return document


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _syntax_position(error: json.JSONDecodeError, text: str) -> tuple[int, int]:
    """Return where to point for a syntax error: at a trailing comma, not the bracket after it."""
    before = text[: error.pos].rstrip()
    if before.endswith(",") and error.pos < len(text) and text[error.pos] in "]}":
        return _position(text, len(before) - 1)
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


def _depth(document: Any) -> int:
    """Return how deeply arrays and objects nest in ``document`` (without recursion)."""
    deepest = 0
    stack = [(document, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            deepest = max(deepest, level)
            stack.extend((value, level + 1) for value in node.values())
        elif isinstance(node, list):
            deepest = max(deepest, level)
            stack.extend((value, level + 1) for value in node)
    return deepest


def _json_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def validate(
    document: dict[str, Any],
    text: str | None = None,
    file: str = "<stdin>",
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Check a parsed spec against the schema and the semantic rules.

    Raise :class:`SpecInvalid` with every problem, placed in ``text`` when it is given.
    """
    version = document.get("version")
    if "version" in document and (type(version) is not int or version != SUPPORTED_VERSION):
        shown = json.dumps(version) if _is_small(version) else _json_kind(version)
        message = f"unsupported spec version {shown}; this diagramgen reads version 1"
        finding = Finding("/version", message)
        raise SpecInvalid(file, _place([finding], text))
    findings = semantics.check(document, limits)
    if not findings and _passes_compiled_schema(document) and limits.depth >= _SCHEMA_DEPTH:
        return  # valid: the schema bounds its depth, no need to measure it
    depth = _depth(document)
    if depth > limits.depth:
        message = f"is nested {depth} levels deep; {limits.hint('depth')}"
        raise SpecInvalid(file, [Problem(0, 0, None, message)])
    flagged = {finding.pointer for finding in findings}
    for error in _validator().iter_errors(document):
        for finding in _translate(error):
            if finding.pointer not in flagged:
                findings.append(finding)
    if findings:
        raise SpecInvalid(file, _place(_dedupe(findings), text))


def _is_small(value: Any) -> bool:
    return isinstance(value, (int, float, str)) and len(json.dumps(value)) <= 40


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for finding in findings:
        key = (finding.pointer, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def _place(findings: list[Finding], text: str | None) -> list[Problem]:
    locate = _locator(text) if text is not None else None
    problems = []
    for finding in findings:
        line, column = locate(finding) if locate else (0, 0)
        problems.append(Problem(line, column, finding.pointer, finding.message))
    return problems


def _locator(text: str) -> Callable[[Finding], tuple[int, int]]:
    from json_source_map import calculate

    try:
        entries = calculate(text)
    except Exception:  # the map's own parser rejects a few things json accepts (NaN)
        entries = {}

    def entry_at(pointer: str) -> Any:
        # json-source-map keys its entries by unescaped pointers ("/a/b" for the key "a/b").
        return entries.get(pointer.replace("~1", "/").replace("~0", "~"))

    def locate(finding: Finding) -> tuple[int, int]:
        pointer = finding.pointer
        entry = entry_at(pointer)
        if entry is not None and finding.at_key and entry.key_start is not None:
            return (entry.key_start.line + 1, entry.key_start.column + 1)
        while entry is None and pointer:
            pointer = pointer.rsplit("/", 1)[0]
            entry = entry_at(pointer)
        if entry is None:
            return (0, 0)
        return (entry.value_start.line + 1, entry.value_start.column + 1)

    return locate


def _translate(error: ValidationError) -> list[Finding]:
    """Return the findings a jsonschema error stands for, with messages that say what to do."""
    pointer = semantics.pointer_of(error.absolute_path)
    instance = error.instance
    # The stubs type these as unions with an "unset" marker; a raised error always has them.
    validator: Any = error.validator
    expected: Any = error.validator_value
    rule: Any = error.schema
    context = _stack_context(error)
    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(rule.get("properties", {}))
        extras = [key for key in instance if key not in allowed]
        return [
            Finding(
                semantics.join(pointer, key),
                f'unknown key "{_clip(key)}"{semantics.suggest(key, allowed) or ";"} '
                f"allowed here: {', '.join(k for k in allowed if k != '$comment')}",
                at_key=True,
            )
            for key in extras
        ]
    if validator == "required" and isinstance(instance, dict):
        missing = [key for key in expected if key not in instance]
        why = f" ({context})" if context else ""
        return [
            Finding(pointer, f'missing required key "{key}"{_SHAPES.get(key, "")}{why}')
            for key in missing
        ]
    if validator == "not":
        key = pointer.rsplit("/", 1)[-1]
        why = f"; {context}" if context else ""
        return [Finding(pointer, f'"{key}" is not allowed here{why}', at_key=True)]
    if validator == "contains":
        return [Finding(pointer, f"no VM runs containers; {context}")]
    if validator == "dependentRequired" and isinstance(instance, dict):
        needed = [key for key in expected if key not in instance]
        present = [key for key in rule["dependentRequired"] if key in instance]
        return [Finding(pointer, f'a VM with "{present[0]}" also needs "{key}"') for key in needed]
    if validator in ("enum", "const"):
        options = expected if validator == "enum" else [expected]
        shown = ", ".join(json.dumps(option) for option in options)
        hint = (
            semantics.suggest(instance, [str(o) for o in options])
            if isinstance(instance, str)
            else ""
        )
        return [Finding(pointer, f"{semantics.show(instance)} is not one of {shown}{hint}")]
    if validator == "pattern" and expected == schema()["$defs"]["id"]["pattern"]:
        message = (
            f"{semantics.show(instance)} is not a valid id: start with a letter or digit, "
            'then use only letters, digits, "_", "." and "-"'
        )
        return [Finding(pointer, message)]
    if validator == "type":
        names: list[str] = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPE_NAMES.get(name) or name for name in names)
        return [
            Finding(
                pointer, f"expected {wanted}, got {_json_kind(instance)} {semantics.show(instance)}"
            )
        ]
    if validator == "minItems":
        return [Finding(pointer, "must have at least one item")]
    if validator == "minimum":
        return [
            Finding(
                pointer,
                f"{semantics.show(instance)} is too small; the minimum is {expected}",
            )
        ]
    if validator == "minLength":
        return [Finding(pointer, "must not be empty")]
    if validator == "maxLength":
        return [Finding(pointer, f"is longer than {expected} characters")]
    return [Finding(pointer, error.message)]


_SHAPES = {
    "version": ': write "version": 1',
    "hosts": ': a list of hosts, e.g. [{"id": "h1", "stack": "vm", ...}]',
    "id": ': a name like "web-1"',
    "stack": ': "vm", "container" or "hybrid"',
    "infrastructure": ': {"name": ..., "capacity": {"cpu": 8, "memory": "32GiB", "disk": "1TiB"}}',
    "guest_os": ': {"name": "Debian 12", "uses": {"memory": "512MiB", "disk": "4GiB"}}',
    "host_os": ': {"name": "Debian 12", "uses": {...}}',
    "hypervisor": ': {"name": "KVM", "type": 1, "uses": {...}}',
    "engine": ': {"name": "Docker Engine", "uses": {...}}',
    "vms": ': a list of VMs, e.g. [{"id": "vm1", "guest_os": {...}}]',
    "containers": ': a list of containers, e.g. [{"id": "web", "image": {...}}]',
    "from": ": the id of a host, VM, container or app",
    "to": ": the id of a host, VM, container or app",
}

_TYPE_NAMES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
}

_STACK_RULES = {
    "vm": 'a "vm" host has a hypervisor and vms whose guest OSes run apps; '
    'use stack "container" or "hybrid" for containers',
    "container": 'a "container" host has host_os, engine and containers; '
    'use stack "vm" or "hybrid" for a hypervisor with VMs',
    "hybrid": 'a "hybrid" host has a hypervisor and vms, at least one of them with '
    "engine and containers",
}


def _stack_context(error: ValidationError) -> str:
    """Explain the rule behind an error raised inside an ``if``/``then`` branch of the schema."""
    path = list(error.schema_path)
    if "then" not in path:
        return ""
    branch = path.index("then")
    if branch >= 2 and path[branch - 2] == "allOf":
        rules = schema()["$defs"]["host"]["allOf"][path[branch - 1]]["if"]["properties"]
        if "stack" in rules:
            return _STACK_RULES[rules["stack"]["const"]]
        if "hypervisor" in rules:
            return "a type-2 hypervisor runs on a host OS"
    return ""
