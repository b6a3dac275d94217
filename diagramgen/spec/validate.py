"""Validate a spec document: the version, the semantic rules and the schema, every problem at once.

Each problem is placed with the source's ``locate`` function, so it reads
``FILE:LINE:COL: /pointer: message`` whatever syntax the spec was written in.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import Problem, SpecInvalid
from . import rules
from .limits import DEFAULT_LIMITS, Limits, limit_rule
from .rules import Finding
from .schema import passes_compiled_schema, schema_depth, schema_errors
from .sources import Locate
from .wording import kind

__all__ = ["SUPPORTED_VERSION", "validate"]

SUPPORTED_VERSION = 1


def _nowhere(pointer: str, at_key: bool) -> tuple[int, int]:
    return (0, 0)


def validate(
    document: dict[str, Any],
    locate: Locate = _nowhere,
    file: str = "<stdin>",
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Check a parsed spec against the schema and the semantic rules.

    Raise :class:`SpecInvalid` with every problem, placed by ``locate`` (a source's).
    """
    version = document.get("version")
    if "version" in document and (type(version) is not int or version != SUPPORTED_VERSION):
        shown = json.dumps(version) if _is_small(version) else kind(version)
        message = f"unsupported spec version {shown}; this diagramgen reads version 1"
        raise SpecInvalid(file, place([Finding("/version", message)], locate))
    over = rules.over_limits(document, limits)
    if over:
        raise SpecInvalid(file, place(over, locate))
    findings = rules.check(document, limits)
    schema_valid = passes_compiled_schema(document)
    if not findings and schema_valid and limits.depth >= schema_depth():
        return  # valid: the schema bounds its depth, no need to measure it
    depth = _depth(document)
    if depth > limits.depth:
        message = f"is nested {depth} levels deep; {limits.hint('depth')}"
        raise SpecInvalid(file, [Problem(0, 0, None, message, limit_rule("depth"))])
    flagged = {finding.pointer for finding in findings}
    if not schema_valid:  # jsonschema explains what the compiled schema refused (seconds, on
        # a large spec: not spent on one that breaks only the rules above)
        findings += [f for f in schema_errors(document) if f.pointer not in flagged]
    if findings:
        raise SpecInvalid(file, place(_dedupe(findings), locate))


def place(findings: list[Finding], locate: Locate) -> list[Problem]:
    """Return the findings as problems with their line and column."""
    problems = []
    for finding in findings:
        line, column = locate(finding.pointer, finding.at_key)
        problems.append(Problem(line, column, finding.pointer, finding.message, finding.rule))
    return problems


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
