from __future__ import annotations

import json
import re

from diagramgen import load_text
from diagramgen.spec import schema

from .conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")
SPEC_FORMAT = (ROOT / "docs" / "spec-format.md").read_text("utf-8")
TOTALS = (ROOT / "docs" / "totals.md").read_text("utf-8")
EXAMPLES_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -q . && "
    ".venv/bin/diagramgen render specs -o output -f svg,png"
)


def _keys(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            found.add(key)
            found |= _keys(value)
        for value in node.values():
            if isinstance(value, (dict, list)):
                found |= _keys(value)
    elif isinstance(node, list):
        for value in node:
            found |= _keys(value)
    return found


def _complete_example() -> str:
    block = SPEC_FORMAT.split("## A complete example", 1)[1]
    text = re.search(r"```json\n(.*?)```", block, re.S)
    assert text is not None
    return text.group(1)


def test_spec_format_documents_every_spec_key() -> None:
    keys = _keys(schema())
    assert {"version", "hosts", "replicas", "guest_os"} <= keys
    missing = sorted(key for key in keys if f"`{key}`" not in SPEC_FORMAT)
    assert missing == []


def test_spec_format_complete_example_validates() -> None:
    text = _complete_example()
    spec = load_text(text, "docs/spec-format.md")
    assert [vm.id for vm in spec.hosts[0].vms] == ["dh1", "dbvm"]
    json.loads(text)


def test_readme_has_exactly_two_setup_commands() -> None:
    for marker in ("examples-command", "test-command"):
        assert README.count(f"<!-- {marker} -->") == 1
    commands = [line for line in README.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2


def test_readme_examples_command_is_unchanged_and_explained() -> None:
    after = README.split("<!-- examples-command -->\n```sh\n", 1)[1]
    command, _, explanation = after.partition("\n```\n")
    assert command == EXAMPLES_COMMAND
    explanation = explanation.split("<!-- test-command -->", 1)[0]
    assert "already" in explanation and "`output/`" in explanation
    assert "-o my-output" in explanation


def test_readme_tour_opens_with_what_a_new_user_does_first() -> None:
    steps = [
        "pip install diagramgen-stacks",
        "$ diagramgen init my-stack.yaml",
        "$ diagramgen render my-stack.yaml -o my-diagrams",
        "$ diagramgen totals my-stack.yaml",
        "## A tour of the commands",
    ]
    places = [README.find(step) for step in steps]
    assert -1 not in places and places == sorted(places)
    # The name on PyPI is not the command's; the clone install stays the developer's way.
    assert "`diagramgen-stacks` (the command and the import name" in README
    assert "install it from a clone instead ([Development](#development))" in README
    # Not into output/: in a clone it holds the examples, and its manifest is committed.
    assert "`my-diagrams/my-stack.svg`" in README


def test_totals_worked_example_matches_the_real_output() -> None:
    from diagramgen.accounting import compute
    from diagramgen.accounting.report import totals_text

    spec = load_text(_complete_example(), "example.json")
    shown = TOTALS.split("$ diagramgen totals example.json\n", 1)[1].split("```", 1)[0]
    assert shown.count("\n") > 20
    assert totals_text(spec, compute(spec), listing="--verbose lists them") == shown
