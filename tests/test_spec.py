from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from diagramgen import SpecInvalid, load, load_text, validate
from diagramgen.errors import InvalidArgument
from diagramgen.spec import schema, schema_text
from diagramgen.spec.limits import Limits, parse_limits
from diagramgen.spec.model import STACKS
from diagramgen.spec.sources import read_json
from diagramgen.spec.starters import starter_text

from .conftest import DATA, ROOT, example_specs

INVALID = DATA / "invalid"
INVALID_CASES = sorted(INVALID.glob("*.json"))


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(schema())
    assert json.loads(schema_text()) == schema()
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _objects(node: object) -> list[dict[str, object]]:
    found = []
    if isinstance(node, dict):
        if node.get("type") == "object":
            found.append(node)
        for value in node.values():
            found.extend(_objects(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_objects(value))
    return found


def test_schema_rejects_unknown_keys_and_describes_every_field() -> None:
    objects = _objects(schema())
    assert len(objects) >= 12
    for definition in objects:
        assert definition.get("additionalProperties") is False
        properties = definition["properties"]
        assert isinstance(properties, dict)
        for name, field in properties.items():
            if name == "$comment":
                continue
            described = "description" in field or "$ref" in field
            assert described, f"{name} has no description"


def test_stack_rules_use_if_then_not_one_of() -> None:
    text = schema_text()
    assert "oneOf" not in text and "anyOf" not in text
    branches = schema()["$defs"]["host"]["allOf"]
    stacks = [b["if"]["properties"].get("stack", {}).get("const") for b in branches]
    assert stacks[:3] == ["vm", "container", "hybrid"]


@pytest.mark.parametrize("path", example_specs(), ids=lambda p: p.name)
def test_every_example_validates(path: Path) -> None:
    spec = load(path)
    assert spec.title
    assert spec.description
    assert spec.hosts


def test_the_examples_cover_every_stack() -> None:
    names = {path.stem for path in example_specs()}
    assert {"vm", "container", "hybrid", "vms-vs-containers"} <= names
    stacks = {host.stack for path in example_specs() for host in load(path).hosts}
    assert stacks == {"vm", "container", "hybrid", "mixed"}


@pytest.mark.parametrize("stack", STACKS)
def test_starters_validate_and_carry_comments(stack: str) -> None:
    text = starter_text(stack)
    spec = load_text(text, f"{stack}.json")
    assert {host.stack for host in spec.hosts} == {stack}
    assert '"$comment"' in text


@pytest.mark.parametrize("path", INVALID_CASES, ids=lambda p: p.stem)
def test_invalid_spec_reports_expected_problems(path: Path) -> None:
    """Each invalid spec's problems match its .expected file: FILE:LINE:COL: /pointer: message."""
    with pytest.raises(SpecInvalid) as raised:
        load(path)
    lines = raised.value.lines()
    expected = path.with_suffix(".expected").read_text("utf-8").splitlines()
    assert [line.replace(str(path), path.name) for line in lines] == expected


def test_there_is_an_invalid_case_per_rule() -> None:
    assert len(INVALID_CASES) >= 30


def test_all_problems_are_reported_sorted_by_position() -> None:
    with pytest.raises(SpecInvalid) as raised:
        load(INVALID / "units-bad.json")
    problems = raised.value.problems
    assert len(problems) == 11
    positions = [(p.line, p.column) for p in problems]
    assert positions == sorted(positions)


@pytest.mark.parametrize("stack", [[], {}, ["vm"], {"vm": 1}, None, 1.5])
def test_a_stack_of_the_wrong_type_is_one_problem_at_its_place(stack: object) -> None:
    # A list or an object here was a TypeError (unhashable) in validate, totals and render.
    document = json.loads((ROOT / "specs" / "container.json").read_text())
    document["hosts"][0]["stack"] = stack
    with pytest.raises(SpecInvalid) as raised:
        load_text(json.dumps(document), "s.json")
    assert [p.pointer for p in raised.value.problems] == ["/hosts/0/stack"]


def test_validating_a_document_leaves_it_as_it_was() -> None:
    # The compiled schema filled in "replicas": 1, changing what an importer then wrote.
    document = json.loads((ROOT / "specs" / "container.json").read_text())
    before = json.dumps(document, sort_keys=True)
    validate(document)
    assert json.dumps(document, sort_keys=True) == before


def test_duplicate_id_names_the_first_use() -> None:
    with pytest.raises(SpecInvalid) as raised:
        load(INVALID / "duplicate-id.json")
    (problem,) = raised.value.problems
    assert problem.pointer == "/hosts/0/containers/1/id"
    assert "/hosts/0" in problem.message


def test_pointer_escapes_slash_and_tilde_in_keys() -> None:
    text = json.dumps({"version": 1, "hosts": [], "a/b~c": 1})
    with pytest.raises(SpecInvalid) as raised:
        load_text(text, "x.json")
    pointers = {p.pointer for p in raised.value.problems}
    assert "/a~1b~0c" in pointers
    unknown = next(p for p in raised.value.problems if p.pointer == "/a~1b~0c")
    assert (unknown.line, unknown.column) == (1, 29)


def test_validate_without_text_still_reports_pointers() -> None:
    with pytest.raises(SpecInvalid) as raised:
        validate({"version": 1, "hosts": [{"id": "h", "stack": "vm"}]})
    assert [(p.line, p.pointer) for p in raised.value.problems] == [
        (0, "/hosts/0"),
        (0, "/hosts/0"),
        (0, "/hosts/0"),
    ]


def test_model_keeps_spec_order_and_integer_quantities() -> None:
    spec = load(DATA.parent.parent / "diagramgen" / "data" / "starters" / "hybrid.json")
    (host,) = spec.hosts
    assert [vm.id for vm in host.vms] == ["docker-vm", "db-vm"]
    docker = host.vms[0]
    assert docker.allocated.cpu == 4000
    assert docker.allocated.memory == 8 * 1024**3
    assert [c.id for c in docker.containers] == ["web", "api"]
    assert docker.containers[0].replicas == 2
    assert docker.containers[0].limits.cpu == 500
    assert docker.containers[1].replicas == 1
    assert docker.containers[1].image is not None
    assert docker.containers[1].image.size == 130 * 1024**2
    assert docker.guest_os.uses.cpu == 100  # the starters give every figure
    hybrid = load(DATA.parent.parent / "specs" / "hybrid.json")
    assert hybrid.hosts[0].vms[0].guest_os.uses.cpu is None  # not given: unknown, not zero
    assert host.vms[1].apps[0].pointer == "/hosts/0/vms/1/apps/0"
    assert spec.links[0].source == "api" and spec.links[0].target == "pg"
    with pytest.raises(AttributeError):
        host.id = "x"  # type: ignore[misc]


def test_parse_rejects_deep_nesting_cleanly() -> None:
    with pytest.raises(SpecInvalid):
        read_json("[" * 100_000 + "]" * 100_000, "deep.json")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "version",
                    "hosts",
                    "id",
                    "stack",
                    "vms",
                    "containers",
                    "infrastructure",
                    "capacity",
                    "cpu",
                    "memory",
                    "links",
                    "from",
                    "to",
                    "guest_os",
                    "x",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_arbitrary_json_raises_only_spec_invalid(value: object) -> None:
    text = json.dumps(value)
    try:
        load_text(text, "fuzz.json")
    except SpecInvalid as error:
        assert error.lines()
        assert all(line.startswith("fuzz.json") for line in error.lines())


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_arbitrary_bytes_raise_only_spec_invalid(data: bytes) -> None:
    try:
        load_text(data, "bytes.json")
    except SpecInvalid as error:
        assert error.lines()


def test_a_utf8_byte_order_mark_is_accepted_and_positions_stay_right() -> None:
    data = (ROOT / "specs" / "vm.json").read_bytes()
    assert load_text(b"\xef\xbb\xbf" + data, "bom.json") == load_text(data, "bom.json")
    broken = b'\xef\xbb\xbf{\n  "version": 1,\n  "hosts": 3\n}\n'
    with pytest.raises(SpecInvalid) as raised:
        load_text(broken, "bom.json")
    assert raised.value.lines() == ["bom.json:3:12: /hosts: expected an array, got a number 3"]


def test_a_lowered_depth_limit_applies_to_valid_specs() -> None:
    with pytest.raises(SpecInvalid) as raised:
        load(ROOT / "specs" / "vm.json", Limits(depth=3))
    assert "the depth limit is 3" in raised.value.lines()[0]


def test_the_depth_of_a_valid_spec_is_read_from_the_schema() -> None:
    from diagramgen.spec.schema import schema_depth
    from diagramgen.spec.validate import _depth

    # document, hosts, a host, vms, a VM, containers, a container, its limits: 8 deep.
    hybrid = json.loads((ROOT / "specs" / "hybrid.json").read_text())
    assert _depth(hybrid) == 8
    # The deepest: a system container in a VM, its userland's uses (a container's and a
    # layer's figures are one level below them).
    vm = hybrid["hosts"][0]["vms"][0]
    vm["containers"].append({"id": "ct", "userland": {"name": "debian", "uses": {"disk": 1}}})
    assert schema_depth() == _depth(hybrid) == 9
    validate(hybrid, limits=Limits(depth=9))
    hybrid = json.loads((ROOT / "specs" / "hybrid.json").read_text())
    validate(hybrid, limits=Limits(depth=8))
    with pytest.raises(SpecInvalid) as raised:
        validate(hybrid, limits=Limits(depth=7))
    assert raised.value.lines() == ["<stdin>: is nested 8 levels deep; the depth limit is 7"]


def test_a_limit_out_of_range_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="between 1 and"):
        parse_limits(["spec-bytes=99999999999999999999"])
