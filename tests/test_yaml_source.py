"""The YAML source: same documents and positions as JSON, clear refusals, no tracebacks."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from diagramgen.accounting import compute
from diagramgen.errors import Problem, SpecInvalid
from diagramgen.spec import load_text, rules
from diagramgen.spec.limits import DEFAULT_LIMITS
from diagramgen.spec.model import build
from diagramgen.spec.sources import read_json
from diagramgen.spec.validate import validate
from diagramgen.spec.yaml_source import VALUES_PER_COMPONENT, read_yaml

from .conftest import DATA, ROOT, SPECS

STARTERS = ROOT / "diagramgen" / "data" / "starters"


# A small JSON -> YAML converter in block style, so that positions in both files can be compared.

_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_ ./()+-]*\Z")
_WORDS = {"null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "y", "n"}


def _quote(text: str) -> str:
    def escape(char: str) -> str:
        if char in '\\"':
            return "\\" + char
        if char.isprintable() and char not in "\x85\u2028\u2029\ufeff":
            return char
        return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"

    return '"' + "".join(map(escape, text)) + '"'


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        plain = _PLAIN.match(value) and value == value.strip() and value not in _WORDS
        return value if plain else _quote(value)
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    if isinstance(value, dict | list):  # only ever empty here
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value)


def _block(value: Any, pad: str = "") -> list[str]:
    if isinstance(value, dict) and value:
        lines = []
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines += [f"{pad}{_scalar(key)}:", *_block(item, pad + "  ")]
            else:
                lines.append(f"{pad}{_scalar(key)}: {_scalar(item)}")
        return lines
    if isinstance(value, list) and value:
        lines = []
        for item in value:
            inner = _block(item, pad + "  ")
            lines += [f"{pad}- {inner[0].lstrip()}", *inner[1:]]
        return lines
    return [pad + _scalar(value)]


def to_yaml(document: Any) -> str:
    """Return ``document`` as block-style YAML (flow style only for empty collections)."""
    return "\n".join(_block(document)) + "\n"


def read(text: str, limits: Any = DEFAULT_LIMITS) -> dict[str, Any]:
    return read_yaml(text, "s.yaml", limits)[0]


def problems(text: str, limits: Any = DEFAULT_LIMITS) -> list[str]:
    with pytest.raises(SpecInvalid) as caught:
        read_yaml(text, "s.yaml", limits)
    return caught.value.lines()


def _without_comments(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_comments(v) for k, v in node.items() if k != "$comment"}
    if isinstance(node, list):
        return [_without_comments(item) for item in node]
    return node


# Same documents as JSON


@pytest.mark.parametrize("path", sorted(SPECS.rglob("*.json")), ids=lambda p: p.name)
def test_each_example_as_yaml_reads_as_its_json(path: Path) -> None:
    text = path.read_text("utf-8")
    assert read(to_yaml(json.loads(text))) == json.loads(text)
    assert read(text) == json.loads(text)  # JSON is YAML 1.2 flow style


@pytest.mark.parametrize("stack", ["vm", "container", "hybrid"])
def test_each_yaml_starter_reads_as_its_json_twin(stack: str) -> None:
    text = (STARTERS / f"{stack}.yaml").read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=./spec-v1.schema.json\n")
    twin = json.loads((STARTERS / f"{stack}.json").read_text("utf-8"))
    document = read(text)
    assert document == _without_comments(twin)
    validate(document)


def test_the_yaml_example_is_valid_and_gives_every_figure() -> None:
    document = read((SPECS / "web-and-db.yaml").read_text("utf-8"))
    validate(document)
    model = build(document)
    alerts = list(compute(model).warnings)
    assert [(alert.code, alert.pointer) for alert in alerts] == []
    assert document["links"] and all(link.get("label") for link in document["links"])


_SCALARS = (
    "a: [no, yes, on, off, y, 1e3, 1E-2, 0o17, 0x1F, 017, +5, -3, .5, 1., 1_000, ~, null, "
    'NULL, "", true, False, .inf, -.Inf, "1", !!str 1, !!float 2, !!int "3", ! 4, !!null ~]'
)


def test_scalars_follow_the_yaml_1_2_core_schema() -> None:
    values = read(_SCALARS)["a"]
    assert values == [
        *("no", "yes", "on", "off", "y", 1000.0, 0.01, 15, 31, 17, 5, -3, 0.5, 1.0, "1_000"),
        *(None, None, None, "", True, False, math.inf, -math.inf),
        *("1", "1", 2.0, 3, "4", None),
    ]
    assert [type(v) for v in values[5:12]] == [float, float, int, int, int, int, int]
    assert math.isnan(read("a: .nan")["a"])
    assert all(type(key) is str for key in read("'1': x\nb: {c: 1}\n"))


def test_a_byte_order_mark_is_accepted_and_positions_stay_right() -> None:
    text = "version: 1\nhosts:\n  - id: h\n"
    plain = read_yaml(text, "a", DEFAULT_LIMITS)
    with_mark = read_yaml("\ufeff" + text, "b", DEFAULT_LIMITS)
    assert plain[0] == with_mark[0]
    assert with_mark[1]("/version", False) == (1, 10) == plain[1]("/version", False)
    assert with_mark[1]("/hosts/0/id", True) == (3, 5)
    crlf = read_yaml(text.replace("\n", "\r\n"), "c", DEFAULT_LIMITS)
    assert crlf[0] == plain[0] and crlf[1]("/hosts/0/id", False) == (3, 9)


# Positions


def test_locate_follows_json_pointers_and_falls_back_to_the_nearest_value() -> None:
    text = 'a: 1\nb:\n  c: [x, {d: 2}]\n  e/f: 3\n  "g~h":\n    - 1\n    - 2\n'
    _, locate = read_yaml(text, "s.yaml", DEFAULT_LIMITS)
    assert locate("", False) == (1, 1)
    assert locate("/a", False) == (1, 4) and locate("/a", True) == (1, 1)
    assert locate("/b", False) == (3, 3) and locate("/b", True) == (2, 1)
    assert locate("/b/c/1/d", False) == (3, 14) and locate("/b/c/1/d", True) == (3, 11)
    assert locate("/b/c/1", True) == (3, 10)  # a list item has no key: its value
    assert locate("/b/e~1f", True) == (4, 3)
    assert locate("/b/g~0h/1", False) == (7, 7)
    assert locate("/b/missing/deeper", True) == (3, 3)
    assert locate("/b/c/9", False) == (3, 6)
    assert locate("/b/c/-1", False) == locate("/b/c/01x", False) == (3, 6)


def _invalid_json_cases() -> list[Path]:
    """Return the invalid specs that are valid JSON objects, wrong only by schema or rules."""
    cases = []
    for path in sorted((DATA / "invalid").glob("*.json")):
        try:
            read_json(path.read_bytes().decode("utf-8"), path.name)
        except (SpecInvalid, UnicodeDecodeError):
            continue
        cases.append(path)
    return cases


def _json_token(text: str, line: int, column: int) -> tuple[str, Any]:
    offset = sum(len(row) for row in text.splitlines(keepends=True)[: line - 1]) + column - 1
    value, end = json.JSONDecoder().raw_decode(text, offset)
    after = text[end:].lstrip()
    return ("key", value) if after.startswith(":") else ("value", value)


def _yaml_fragment(text: str, line: int, column: int) -> Any:
    """Return what the YAML text holds from (line, column) to the end of that node's block."""
    rows = text.splitlines()
    fragment = [" " * (column - 1) + rows[line - 1][column - 1 :]]
    for row in rows[line:]:
        if row.strip() and len(row) - len(row.lstrip()) < column - 1:
            break
        fragment.append(row)
    wrapped = "x:\n" + "\n".join("  " + row for row in fragment)
    return read(wrapped)["x"]


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@pytest.mark.parametrize("path", _invalid_json_cases(), ids=lambda p: p.stem)
def test_problems_land_on_the_same_key_or_value_as_in_json(path: Path) -> None:
    json_text = path.read_text("utf-8")
    with pytest.raises(SpecInvalid) as from_json:
        load_text(json_text, path.name)
    yaml_text = to_yaml(json.loads(json_text))
    document, locate = read_yaml(yaml_text, path.name, DEFAULT_LIMITS)
    with pytest.raises(SpecInvalid) as from_yaml:
        validate(document, locate, path.name)
    by_finding: dict[tuple[str | None, str], Problem] = {
        (p.pointer, p.message): p for p in from_yaml.value.problems
    }
    assert sorted(by_finding) == sorted((p.pointer, p.message) for p in from_json.value.problems)
    for problem in from_json.value.problems:
        placed = by_finding[problem.pointer, problem.message]
        kind, expected = _json_token(json_text, problem.line, problem.column)
        found = _yaml_fragment(yaml_text, placed.line, placed.column)
        if kind == "key":
            assert isinstance(found, dict) and next(iter(found)) == expected, problem
        else:
            assert _same(found, expected), problem


# NaN and Infinity are JSON extensions that YAML reads as text: units-nan is checked as YAML
# with .nan and .inf instead (test_nan_and_infinity_are_reported_as_quantities_at_their_values).
@pytest.mark.parametrize(
    "path",
    [p for p in _invalid_json_cases() if "NaN" not in p.read_text("utf-8")],
    ids=lambda p: p.stem,
)
def test_json_read_as_yaml_places_problems_exactly_where_json_does(path: Path) -> None:
    text = path.read_text("utf-8")
    with pytest.raises(SpecInvalid) as from_json:
        load_text(text, path.name)
    document, locate = read_yaml(text, path.name, DEFAULT_LIMITS)
    with pytest.raises(SpecInvalid) as from_yaml:
        validate(document, locate, path.name)
    assert from_yaml.value.lines() == from_json.value.lines()


def test_nan_and_infinity_are_reported_as_quantities_at_their_values() -> None:
    text = (
        "version: 1\nhosts:\n  - id: h\n    stack: container\n    infrastructure:\n"
        "      capacity: {memory: .nan, disk: 1e400, cpu: -.inf}\n"
        "    host_os: {}\n    engine: {}\n    containers: [{id: c}]\n"
    )
    document, locate = read_yaml(text, "n.yaml", DEFAULT_LIMITS)
    findings = rules.check(document, DEFAULT_LIMITS)
    placed = {f.pointer.rsplit("/", 1)[-1]: locate(f.pointer, f.at_key) for f in findings}
    assert placed == {"memory": (6, 26), "disk": (6, 38), "cpu": (6, 50)}
    assert all("NaN, Infinity" in f.message for f in findings)


# Refusals, each with its exact message

_ONE_DOCUMENT = "a spec is one document of plain data"
_TAG = (
    "is not supported: "
    + _ONE_DOCUMENT
    + (" (text, numbers, true/false, null, lists and mappings); remove the tag")
)

REFUSALS = {
    "anchor": (
        "a: &base {cpu: 1}\n",
        f"s.yaml:1:4: {_ONE_DOCUMENT}: anchors and aliases are not supported; repeat the value",
    ),
    "alias": (
        "a: 1\nb: *x\n",
        f"s.yaml:2:4: {_ONE_DOCUMENT}: anchors and aliases are not supported; repeat the value",
    ),
    "merge": (
        "a:\n  <<: {cpu: 1}\n",
        f"s.yaml:2:3: {_ONE_DOCUMENT}: merge keys (<<) are not supported; repeat the keys",
    ),
    "python-tag": (
        "a: !!python/object:os.system x\n",
        f"s.yaml:1:4: the tag !!python/object:os.system {_TAG}",
    ),
    "local-tag": ("a: !custom x\n", f"s.yaml:1:4: the tag !custom {_TAG}"),
    "binary": ("a: !!binary aGk=\n", f"s.yaml:1:4: the tag !!binary {_TAG}"),
    "timestamp": ("a: !!timestamp 2001-12-14\n", f"s.yaml:1:4: the tag !!timestamp {_TAG}"),
    "set": ("a: !!set {x: null}\n", f"s.yaml:1:4: the tag !!set {_TAG}"),
    "omap": ("a: !!omap [x: 1]\n", f"s.yaml:1:4: the tag !!omap {_TAG}"),
    "seq-tag-on-mapping": ("a: !!seq {x: 1}\n", f"s.yaml:1:4: the tag !!seq {_TAG}"),
    "tag-mismatch": ("a: !!int ten\n", "s.yaml:1:4: the tag !!int does not fit the value ten"),
    "second-document": (
        "a: 1\n---\nb: 2\n",
        f"s.yaml:2:1: starts a second YAML document here; {_ONE_DOCUMENT.split(' of')[0]}: "
        "put each spec in a file of its own",
    ),
    "yaml-1.1": (
        "%YAML 1.1\n---\na: 1\n",
        "s.yaml:2:1: is read as YAML 1.2; remove the `%YAML 1.1` line",
    ),
    "empty": (
        "",
        "s.yaml: is empty; a spec is a YAML mapping such as `version: 1` and `hosts: [...]` "
        "(`diagramgen init --format yaml` writes a starter)",
    ),
    "only-comments": (
        "# a spec\n\n# to come\n",
        "s.yaml: is empty; a spec is a YAML mapping such as `version: 1` and `hosts: [...]` "
        "(`diagramgen init --format yaml` writes a starter)",
    ),
    "list": (
        "- version: 1\n",
        "s.yaml:1:1: must be a YAML mapping with keys such as `version: 1` and `hosts:`, "
        "not a list",
    ),
    "text": (
        "\n  version 1\n",
        "s.yaml:2:3: must be a YAML mapping with keys such as `version: 1` and `hosts:`, not text",
    ),
    "complex-key": (
        "a:\n  ? [x]\n  : 1\n",
        "s.yaml:2:5: /a: a key must be text, not a mapping or a list",
    ),
    "tab": (
        "a:\n\tb: 1\n",
        "s.yaml:2:1: invalid YAML: a tab character; "
        "indent with spaces (YAML does not allow tabs here)",
    ),
    "unclosed-quote": (
        'a: "x\n',
        "s.yaml:1:4: invalid YAML: the file ends inside the quoted text that starts here; "
        "is it left open?",
    ),
    "unclosed-list": (
        "a: [1, 2\n",
        "s.yaml:1:4: invalid YAML: the file ends inside the [ list that starts here; "
        "is it left open?",
    ),
    "no-colon": (
        "a: 1\nb\nc: 2\n",
        "s.yaml:2:1: invalid YAML: expected `key: value`; this line has no colon after its key",
    ),
    "colon-in-value": (
        "a: b: c\n",
        "s.yaml:1:5: invalid YAML: a colon here starts a key where none is allowed; "
        "quote text that holds ': '",
    ),
    "indentation": (
        "a:\n  b: 1\n c: 2\n",
        "s.yaml:3:2: invalid YAML: a key is indented differently from the lines above; "
        "line them up",
    ),
    "reserved-character": (
        "a: @home\n",
        "s.yaml:1:4: invalid YAML: a value cannot start with '@'; put the value in quotes",
    ),
    "control-character": (
        "a: x\x07y\n",
        "s.yaml:1:5: invalid YAML: the character \\x07 is not allowed",
    ),
    "huge-number": (
        "a: " + "9" * 5000 + "\n",
        "s.yaml:1:4: a number of 5,000 digits is too long to read",
    ),
}


@pytest.mark.parametrize("case", REFUSALS, ids=str)
def test_refusal_message(case: str) -> None:
    text, expected = REFUSALS[case]
    assert problems(text) == [expected]


def test_duplicate_keys_are_all_reported_at_their_second_key_like_json() -> None:
    text = "version: 1\nhosts:\n  - id: a\n    'id': b\n    name: x\n    name: y\nversion: 1\n"
    duplicate = 'duplicate key "{}"; each key may appear once per object'
    assert problems(text) == [
        f"s.yaml:4:5: /hosts/0/id: {duplicate.format('id')}",
        f"s.yaml:6:5: /hosts/0/name: {duplicate.format('name')}",
        f"s.yaml:7:1: /version: {duplicate.format('version')}",
    ]
    with pytest.raises(SpecInvalid) as from_json:
        read_json('{"a": {"b/c": 1,\n  "b/c": 2}}', "s.yaml")
    assert (
        problems("a:\n  b/c: 1\n  b/c: 2\n")[0].split(":", 3)[3]
        == (from_json.value.lines()[0].split(":", 3)[3])
    )


def test_non_text_keys_are_reported_at_each_key() -> None:
    assert problems("1: x\nnull: y\ntrue: z\n: w\nok: 1\n") == [
        "s.yaml:1:1: /: the key 1 is read as a number, and keys must be text; "
        'write it in quotes ("1":) to keep it as text',
        "s.yaml:2:1: /: the key null is read as null, and keys must be text; "
        'write it in quotes ("null":) to keep it as text',
        "s.yaml:3:1: /: the key true is read as a boolean, and keys must be text; "
        'write it in quotes ("true":) to keep it as text',
        "s.yaml:4:1: /: a key is missing before this colon",
    ]


def test_a_refusal_where_a_key_problem_stands_is_reported_once() -> None:
    # Found by fuzzing: an empty key, then a tag at the same place (problems with and
    # without a pointer at one position cannot be sorted).
    assert problems("a: {b: 1,:!sk: 5}") == [f"s.yaml:1:11: the tag !sk: {_TAG}"]


def test_messages_escape_control_characters_from_the_users_text() -> None:
    with pytest.raises(SpecInvalid) as caught:
        read_yaml('a:\n  "x\\ny\\u0085": 1\n  "x\\ny\\u0085": 2\n', "s.yaml", DEFAULT_LIMITS)
    [problem] = caught.value.problems
    assert problem.message == 'duplicate key "x\\ny\\x85"; each key may appear once per object'
    assert (problem.line, problem.column, problem.pointer) == (3, 3, "/a/x\ny\x85")


# Limits: checked on events, before anything large is built


def test_depth_limit_is_enforced_while_reading() -> None:
    limits = replace(DEFAULT_LIMITS, depth=3)
    assert read("a: {b: [1]}", limits) == {"a": {"b": [1]}}
    assert problems("a: {b: [[1]]}", limits) == [
        "s.yaml:1:9: is nested more than 3 levels deep; the depth limit is 3"
    ]
    started = time.perf_counter()
    assert "nested more than 64" in problems("a: " + "[" * 100_000 + "]" * 100_000)[0]
    assert time.perf_counter() - started < 2


def test_values_are_bounded_by_the_components_limit() -> None:
    limits = replace(DEFAULT_LIMITS, components=1)
    bound = VALUES_PER_COMPONENT
    items = bound - 3  # and the document, its key and the list make the bound
    read("a: [" + ", ".join(["1"] * items) + "]", limits)
    assert problems("a: [" + ", ".join(["1"] * (items + 1)) + "]", limits) == [
        f"s.yaml:1:{len('a: [') + 3 * items + 1}: has more than {bound} keys and values "
        f"({bound} per component); the components limit is 1"
    ]


def test_an_alias_bomb_is_refused_fast_and_small() -> None:
    layers = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 10):
        layers.append(f"{chr(97 + n)}: &{chr(97 + n)} [" + ", ".join([f"*{chr(96 + n)}"] * 9) + "]")
    started = time.perf_counter()
    assert problems("\n".join(layers)) == [
        f"s.yaml:1:4: {_ONE_DOCUMENT}: anchors and aliases are not supported; repeat the value"
    ]
    assert time.perf_counter() - started < 0.5


def test_text_beyond_the_size_limit_is_refused_before_parsing() -> None:
    limits = replace(DEFAULT_LIMITS, spec_bytes=10)
    assert problems("a: 12345678901\n", limits) == [
        "s.yaml: is 15 characters, too large for a spec (the spec-bytes limit is 10)"
    ]


def test_ruamel_is_imported_only_when_yaml_is_read() -> None:
    code = (
        "import sys, diagramgen.spec.yaml_source as y, diagramgen.spec.limits as l\n"
        "before = 'ruamel.yaml' in sys.modules\n"
        "y.read_yaml('a: 1', 'x', l.DEFAULT_LIMITS)\n"
        "print(before, 'ruamel.yaml' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True"]


# No tracebacks, whatever the text


def _check_outcome(text: str) -> None:
    try:
        document, locate = read_yaml(text, "fuzz.yaml", DEFAULT_LIMITS)
    except SpecInvalid as error:
        assert error.problems and all(line.startswith("fuzz.yaml") for line in error.lines())
        for problem in error.problems:
            # Pointers stay data (Problem.format prints them); messages must be one clean line.
            assert not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in problem.message)
        return
    assert isinstance(document, dict) and _plain(document)
    for pointer in ("", "/version", "/hosts/0/id", "/hosts/0/vms/0", "/x~1y/0"):
        line, column = locate(pointer, True)
        assert line >= 1 and column >= 1


def _plain(node: Any) -> bool:
    if isinstance(node, dict):
        return all(type(k) is str and _plain(v) for k, v in node.items())
    if isinstance(node, list):
        return all(_plain(item) for item in node)
    return node is None or type(node) in (str, int, float, bool)


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(codec="utf-8"), max_size=80))
def test_arbitrary_text_gives_a_document_or_spec_invalid(text: str) -> None:
    _check_outcome(text)


_YAML_CHARS = ":-?[]{},#&*!|>'\"%@`\t\n ~.\\\ufeff\x85\u2028"
_SEEDS = [to_yaml(json.loads(path.read_text("utf-8"))) for path in sorted(SPECS.glob("*.json"))]


@st.composite
def mutated_specs(draw: Callable[..., Any]) -> str:
    text: str = draw(st.sampled_from(_SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        piece = draw(st.text(st.sampled_from(_YAML_CHARS) | st.characters(), max_size=3))
        cut = draw(st.integers(0, 4))
        text = text[:at] + piece + text[at + cut :]
    return text


@settings(max_examples=400, deadline=None)
@given(mutated_specs())
def test_mutated_specs_give_a_document_or_spec_invalid(text: str) -> None:
    _check_outcome(text)


json_documents = st.dictionaries(
    st.text(max_size=6),
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=8),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=6), children, max_size=3)
        ),
        max_leaves=12,
    ),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(json_documents)
def test_any_json_document_round_trips_through_block_yaml(document: dict[str, Any]) -> None:
    assert _same(read(to_yaml(document)), document)
