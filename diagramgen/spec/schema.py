"""The packaged JSON Schema of spec v1, and what its errors mean in words a user can act on.

A valid spec is checked by the compiled schema alone (:mod:`diagramgen.spec._fastschema`, no
jsonschema import); one it rejects goes through jsonschema, whose errors become findings with
messages that say what to do.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from ..assets import DATA
from .pointers import join, pointer_of
from .rules import QUANTITY_KEYS, Finding, check_quantities, nearest, show, suggest
from .wording import clip, kind

if TYPE_CHECKING:
    from jsonschema import ValidationError

__all__ = [
    "SCHEMA_NAME",
    "explain",
    "passes_compiled_schema",
    "schema",
    "schema_depth",
    "schema_errors",
    "schema_text",
]

SCHEMA_NAME = "spec-v1.schema.json"


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
    """Return the schema's jsonschema validator, agreeing with the compiled one on every value.

    Two changes to Draft 2020-12 make it so: an integer is a JSON integer (``2.0`` and ``1e18``
    parse as floats and are refused), and a pattern's ``$`` means the end of the string (``\\Z``,
    as the compiled schema has it), where Python's ``re.search`` lets ``$`` match before a final
    newline and would accept the id ``"web\\n"``.
    """
    # jsonschema is the slowest import on the path; load it only when validating.
    from jsonschema import Draft202012Validator, ValidationError, validators

    def pattern(validator: Any, expected: str, instance: Any, rule: Any) -> Any:
        if isinstance(instance, str) and not re.search(_END.sub(r"\\Z", expected), instance):
            yield ValidationError(f"{instance!r} does not match {expected!r}")

    checker = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda checker, instance: type(instance) is int
    )
    strict = validators.extend(  # type: ignore[no-untyped-call]  # untyped in the stubs
        Draft202012Validator, validators={"pattern": pattern}, type_checker=checker
    )
    return strict(schema())


#: An unescaped ``$``, as fastjsonschema finds it to write ``\\Z`` in its place.
_END = re.compile(r"(?<!\\)\$")


def schema_errors(document: dict[str, Any]) -> list[Finding]:
    """Return the findings of every schema error in ``document`` (slow: loads jsonschema).

    Each cause is reported once: a VM with containers but no engine is not also "no VM runs
    containers"; a host whose layers contradict its ``stack`` gets one line at ``stack``
    saying which stack its layers are, before the details.
    """
    findings = [f for error in _validator().iter_errors(document) for f in explain(error)]
    # A quoted number ("type": "1") is one mistake, however many rules it breaks.
    quoted = {f.pointer for f in findings if f.rule == _QUOTED}
    findings = [f for f in findings if f.pointer not in quoted or f.rule == _QUOTED]
    # A VM with containers but no engine is not also "no VM runs containers".
    needs = {f.pointer.rsplit("/", 1)[0] for f in findings if f.rule == "dependentRequired"}
    findings = [f for f in findings if not (f.rule == "contains" and f.pointer in needs)]
    leads = _stack_leads(document, findings)
    # Under a lead, what the wrong stack would need is noise: the fix is the stack. A key
    # every stack the lead suggests requires as well is still missing after the fix.
    kept = []
    for finding in findings:
        if finding.pointer not in leads or finding.stack is None:
            kept.append(finding)
        elif finding.key is not None and _still_missing(finding.key, leads[finding.pointer][1]):
            kept.append(_missing(finding.pointer, finding.key))  # without the wrong rule
    return [lead for lead, _ in leads.values()] + kept


def _missing(pointer: str, key: str, context: str = "", stack: str | None = None) -> Finding:
    """Return the finding of a required ``key`` missing at ``pointer``, under a stack's rule."""
    why = f" ({context})" if context else ""
    message = f'missing required key "{key}"{_SHAPES.get(key, "")}{why}'
    return Finding(pointer, message, rule="required", stack=stack, key=key)


def _still_missing(key: str, stacks: list[str]) -> bool:
    """Return whether ``key`` is missing from a host whichever of ``stacks`` it is."""
    required = _required_by_stack()
    return all(key in required.get(stack, ()) for stack in stacks)


@cache
def _required_by_stack() -> dict[str, frozenset[str]]:
    """Return the keys each ``stack`` requires of a host, as the schema's branches say."""
    required = {}
    for branch in schema()["$defs"]["host"]["allOf"]:
        stack = branch["if"]["properties"].get("stack", {}).get("const")
        if stack is not None:
            required[stack] = frozenset(branch["then"].get("required", ()))
    return required


#: The rule of a number written in quotes ("type": "1"), which breaks several schema keywords.
_QUOTED = "quoted-number"


def _stack_leads(
    document: dict[str, Any], findings: list[Finding]
) -> dict[str, tuple[Finding, list[str]]]:
    """Return, by host pointer, a finding for each host whose stack rules failed, at its
    ``stack``, naming the stacks its layers fit, with those stacks."""
    leads = {}
    hosts = document.get("hosts")
    for index, host in enumerate(hosts if isinstance(hosts, list) else []):
        at = f"/hosts/{index}"
        stack = host.get("stack") if isinstance(host, dict) else None
        if (
            not isinstance(stack, str)
            or stack not in _STACK_RULES
            or not any(f.pointer.startswith(at) and f.stack == stack for f in findings)
        ):
            continue
        fits = _fitting_stacks(host)
        if fits and stack not in fits:
            has = "containers on an engine" if fits == ["container"] else _what_it_has(host)
            choices = " or ".join(f'"{name}"' for name in fits)
            message = f"this host has {has}: did you mean {choices}?"
            leads[at] = (Finding(f"{at}/stack", message, rule="stack"), fits)
    return leads


def _what_it_has(host: dict[str, Any]) -> str:
    """Return what a VM or hybrid host has, in words: "a hypervisor and VMs running containers"."""
    vms = host.get("vms")
    parts = ["a hypervisor"] if "hypervisor" in host else []
    if isinstance(vms, list) and vms:
        runs = any(isinstance(vm, dict) and ("containers" in vm or "engine" in vm) for vm in vms)
        parts.append("VMs running containers" if runs else "VMs")
    if "containers" in host:
        parts.append("containers beside them")
    return " and ".join(parts)


def _fitting_stacks(host: dict[str, Any]) -> list[str]:
    """Return the stacks a host's layers fit, by what it has."""
    vms = host.get("vms")
    if isinstance(vms, list) and vms:
        if "containers" in host or "engine" in host:
            return ["mixed"]
        runs = any(isinstance(vm, dict) and ("containers" in vm or "engine" in vm) for vm in vms)
        return ["hybrid"] if runs else ["vm", "hybrid"]
    if "containers" in host or "engine" in host:
        return ["container"]
    if "hypervisor" in host:
        return ["vm", "hybrid"]
    return []


@cache
def schema_depth() -> int:
    """Return how deeply the arrays and objects of a valid spec nest (``$comment`` values left
    aside: they may hold anything), read from the schema."""
    definitions = schema()["$defs"]

    def depth(node: dict[str, Any], seen: frozenset[str]) -> int:
        reference = node.get("$ref")
        if isinstance(reference, str):
            name = reference.rsplit("/", 1)[-1]
            return 0 if name in seen else depth(definitions[name], seen | {name})
        kinds = node.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        below = [
            depth(child, seen)
            for key, child in node.get("properties", {}).items()
            if key != "$comment"
        ]
        if isinstance(node.get("items"), dict):
            below.append(depth(node["items"], seen))
        level = 1 if {"object", "array"} & set(kinds) else 0
        return level + max(below, default=0)

    return depth(schema(), frozenset())


def passes_compiled_schema(document: dict[str, Any]) -> bool:
    """Return whether the compiled schema accepts the document (the fast path: no jsonschema).

    Only its verdict is used: a spec it rejects goes through jsonschema, which explains why.
    """
    from . import _fastschema

    try:
        _fastschema.validate_urn_diagramgen_spec_v1(document)
    except (_fastschema.JsonSchemaValueException, RecursionError):
        return False
    return True


def explain(error: ValidationError) -> list[Finding]:
    """Return the findings a jsonschema error stands for, with messages that say what to do."""
    pointer = pointer_of(error.absolute_path)
    instance = error.instance
    # The stubs type these as unions with an "unset" marker; a raised error always has them.
    validator: Any = error.validator
    expected: Any = error.validator_value
    rule: Any = error.schema
    context, stack = _stack_context(error)
    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(rule.get("properties", {}))
        found = []
        for key in (key for key in instance if key not in allowed):
            meant = nearest(key, allowed)
            hint = f'; did you mean "{meant}"?' if meant else ";"
            message = (
                f'unknown key "{clip(key)}"{hint} '
                f"allowed here: {', '.join(k for k in allowed if k != '$comment')}"
            )
            found.append(Finding(join(pointer, key), message, True, validator))
            if meant in QUANTITY_KEYS and isinstance(instance[key], dict):
                # Check the figures under the key as if it were spelt right: both at once.
                found += check_quantities(instance[key], join(pointer, key), QUANTITY_KEYS[meant])
        return found
    if validator == "required" and isinstance(instance, dict):
        return [_missing(pointer, key, context, stack) for key in expected if key not in instance]

    def finding(message: str, at_key: bool = False, why: str = validator) -> list[Finding]:
        return [Finding(pointer, message, at_key, why, stack)]

    if validator == "not":
        key = pointer.rsplit("/", 1)[-1]
        return finding(f'"{key}" is not allowed here{f"; {context}" if context else ""}', True)
    if validator == "contains":
        return finding(f"no VM runs containers; {context}")
    if validator == "dependentRequired" and isinstance(instance, dict):
        owner = "a VM" if pointer.rsplit("/", 2)[-2] == "vms" else "a container"
        return [
            Finding(pointer, f'{owner} with "{present}" also needs "{key}"', rule=validator)
            for present, needs in expected.items()
            if present in instance
            for key in needs
            if key not in instance
        ]
    if validator in ("enum", "const"):
        options = expected if validator == "enum" else [expected]
        shown = ", ".join(json.dumps(option) for option in options)
        quoted = [o for o in options if not isinstance(o, str) and json.dumps(o) == instance]
        if quoted:  # "type": "1" for 1
            message = f"{show(instance)} is a string; write the number {quoted[0]} without quotes"
            return finding(message, why=_QUOTED)
        hint = suggest(instance, [str(o) for o in options]) if isinstance(instance, str) else ""
        return finding(f"{show(instance)} is not one of {shown}{hint}")
    if validator == "pattern" and expected == schema()["$defs"]["id"]["pattern"]:
        return finding(
            f"{show(instance)} is not a valid id: start with a letter or digit, "
            'then use only letters, digits, "_", "." and "-"'
        )
    if validator == "type":
        names: list[str] = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPE_NAMES.get(name) or name for name in names)
        return finding(f"expected {wanted}, got {kind(instance)} {show(instance)}")
    if validator == "minItems":
        return finding("must have at least one item")
    if validator == "minimum":
        return finding(f"{show(instance)} is too small; the minimum is {expected}")
    if validator == "maximum":
        return finding(f"{show(instance)} is too large; the maximum is {expected:,}")
    if validator == "minLength":
        return finding("must not be empty")
    if validator == "maxLength":
        return finding(f"is longer than {expected} characters")
    return finding(error.message)


_SHAPES = {
    "version": ': write "version": 1',
    "hosts": ': a list of hosts, e.g. [{"id": "h1", "stack": "vm", ...}]',
    "id": ': a name like "web-1"',
    "stack": ': "vm", "container", "hybrid" or "mixed"',
    "infrastructure": (
        ': {"name": <hardware name>, "capacity": {"cpu": <cores>, "memory": <size>, '
        '"disk": <size>}}'
    ),
    "guest_os": ': {"name": <OS name>, "uses": {"memory": <size>, "disk": <size>}}',
    "host_os": ': {"name": <OS name>, "uses": {"cpu": <cores>, "memory": <size>, ...}}',
    "hypervisor": ': {"name": <hypervisor name>, "type": 1 or 2, "uses": {...}}',
    "engine": ': {"name": <engine name>, "uses": {"memory": <size>, "disk": <size>}}',
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
    'use stack "container", "hybrid" or "mixed" for containers',
    "container": 'a "container" host has host_os, engine and containers; '
    'use stack "vm", "hybrid" or "mixed" for a hypervisor with VMs',
    "hybrid": 'a "hybrid" host has a hypervisor and vms, at least one of them with '
    "engine and containers",
    "mixed": 'a "mixed" host has host_os, a hypervisor with vms, and an engine with containers '
    "beside them (Proxmox VE: KVM and LXC)",
}


def _stack_context(error: ValidationError) -> tuple[str, str | None]:
    """Return the rule behind an error raised inside an ``if``/``then`` branch of the schema,
    in words, and the stack it is the rule of (``None`` for another rule)."""
    path = list(error.schema_path)
    if "then" not in path:
        return "", None
    branch = path.index("then")
    if branch >= 2 and path[branch - 2] == "allOf":
        rules = schema()["$defs"]["host"]["allOf"][path[branch - 1]]["if"]["properties"]
        if "stack" in rules:
            stack = rules["stack"]["const"]
            return _STACK_RULES[stack], stack
        if "hypervisor" in rules:
            return "a type-2 hypervisor runs on a host OS", None
    if path[branch - 1] == "items":  # a container's own rule, its only if/then
        return (
            "a system container (one with a userland) is given cores, memory and a root disk"
            " by allocated; it has no image, limits, reservations or replicas"
        ), None
    return "", None
