"""The compiled schema (the fast path) says "valid" exactly when jsonschema does."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagramgen.spec import read, syntax_of
from diagramgen.spec.schema import _validator
from diagramgen.spec.schema import passes_compiled_schema as _passes_compiled_schema

from .conftest import DATA, ROOT, example_specs

# The product's jsonschema validator: Draft 2020-12 with JSON integers and ``$`` as the end
# of the string. Plain Draft 2020-12 calls 0.0 an integer, so the two would disagree there.
VALIDATOR = _validator()
BASES = [
    read(p.read_bytes(), str(p), syntax=syntax_of(p)).document
    for p in [*example_specs(), *sorted((DATA / "render").glob("*.json"))]
]


def test_generated_module_is_up_to_date() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import compile_schema
    finally:
        sys.path.pop(0)
    assert (ROOT / "diagramgen" / "spec" / "_fastschema.py").read_text(
        "utf-8"
    ) == compile_schema.source(), "run python tools/compile_schema.py"


def _agree(document: Any) -> None:
    schema_valid = not any(True for _ in VALIDATOR.iter_errors(document))
    assert _passes_compiled_schema(document) == schema_valid, json.dumps(document)[:400]


def _json_objects(folder: Path) -> list[Path]:
    """Return the invalid cases that are JSON objects (the others never reach a schema)."""
    found = []
    for path in sorted(folder.glob("*.json")):
        try:
            document = json.loads(path.read_bytes().decode("utf-8"))
        except ValueError:
            continue
        if isinstance(document, dict):
            found.append(path)
    return found


@pytest.mark.parametrize("path", _json_objects(DATA / "invalid"), ids=lambda p: p.stem)
def test_agrees_on_every_invalid_case(path: Path) -> None:
    _agree(json.loads(path.read_text("utf-8")))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=False)
    | st.sampled_from(
        ["", "x", "vm", "container", "hybrid", "1GiB", "500m", "a b", "-x", 1, 2, 0, True]
    ),
    lambda inner: (
        st.lists(inner, max_size=2)
        | st.dictionaries(
            st.sampled_from(["id", "name", "x", "engine", "containers", "vms", "type", "uses"]),
            inner,
            max_size=2,
        )
    ),
    max_leaves=4,
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(range(len(BASES))), st.data())
def test_agrees_on_mutated_specs(base: int, data: st.DataObject) -> None:
    document = copy.deepcopy(BASES[base])
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(document) if p]
        path = data.draw(st.sampled_from(paths))
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        action = data.draw(st.sampled_from(["delete", "replace", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = data.draw(values)
        elif isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["extra", "engine", "vms", "host_os", "apps"]))] = (
                data.draw(values)
            )
        if not paths:
            break
    _agree(document)
