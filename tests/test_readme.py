from __future__ import annotations

import json
import re

from diagramgen import load_text
from diagramgen.spec import schema

from .conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


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


def test_readme_documents_every_spec_key() -> None:
    missing = sorted(key for key in _keys(schema()) if f"`{key}`" not in README)
    assert missing == []


def test_readme_example_spec_validates() -> None:
    block = README.split("### A complete example", 1)[1]
    text = re.search(r"```json\n(.*?)```", block, re.S)
    assert text is not None
    spec = load_text(text.group(1), "README.md")
    assert [vm.id for vm in spec.hosts[0].vms] == ["dh1", "dbvm"]
    json.loads(text.group(1))


def test_readme_has_exactly_two_setup_commands() -> None:
    for marker in ("examples-command", "test-command"):
        assert README.count(f"<!-- {marker} -->") == 1
    commands = [line for line in README.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2


def test_readme_worked_totals_example_matches_the_real_output() -> None:
    from diagramgen.accounting import compute
    from diagramgen.accounting.report import totals_text

    block = README.split("### A complete example", 1)[1]
    text = re.search(r"```json\n(.*?)```", block, re.S)
    assert text is not None
    spec = load_text(text.group(1), "example.json")
    shown = README.split("$ diagramgen totals example.json\n", 1)[1].split("  ...\n")[0]
    assert totals_text(spec, compute(spec)).startswith(shown)
