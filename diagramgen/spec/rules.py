"""Rules the JSON Schema cannot express: unique ids, links that resolve, quantities that parse.

The checks walk the document defensively: they run before the schema verdict is known, so any
value may have any type. A check that finds the wrong type leaves it to the schema to report.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from msgspec import Struct

from ..escape import LINK_SCHEMES, link_scheme
from .limits import DEFAULT_LIMITS, Limits, limit_rule
from .pointers import join
from .units import UnitError, parse_bytes, parse_cpu

__all__ = [
    "NOT_UNICODE",
    "TEXT_KEYS",
    "Finding",
    "check",
    "lone_surrogates",
    "long_texts",
    "show",
    "suggest",
]

Path = tuple[str | int, ...]


class Finding(Struct, frozen=True):
    """A problem at a JSON Pointer, before it is placed in the source text.

    ``at_key`` places it on the key rather than the value (unknown or forbidden keys).
    ``rule`` is what was broken: the schema's keyword (``required``, ``enum``…), a limit
    (``limit:text``) or one of the rules here; later checks sort findings by it, never by their
    words. ``stack`` is the stack whose rules a schema finding comes from, ``key`` a missing key.
    """

    pointer: str
    message: str
    at_key: bool = False
    rule: str | None = None
    stack: str | None = None
    key: str | None = None


#: Options compared with a word at most: a suggestion costs milliseconds, even among 20,000 ids.
SUGGESTION_CANDIDATES = 1000
#: Suggestions made for unknown link ends in one spec; later ones go without (10,000 typos
#: would otherwise cost minutes).
SUGGESTIONS = 20


def nearest(word: str, options: Iterable[str]) -> str | None:
    """Return the option nearest to ``word`` (case-insensitive), or ``None`` if none is near.

    Only options of a similar length can be near, and only the first
    :data:`SUGGESTION_CANDIDATES` of those are compared, so the cost is bounded.
    """
    lowered: dict[str, str] = {}
    for option in options:
        if abs(len(option) - len(word)) <= max(2, len(word) // 2):
            lowered.setdefault(option.lower(), option)
            if len(lowered) >= SUGGESTION_CANDIDATES:
                break
    matches = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[matches[0]] if matches else None


def suggest(word: str, options: Iterable[str]) -> str:
    """Return '; did you mean "x"?' for the nearest option, or an empty string."""
    meant = nearest(word, options)
    return f'; did you mean "{meant}"?' if meant else ""


def show(value: Any, limit: int = 40) -> str:
    """Return a short JSON rendering of a user's value for a message."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):  # pragma: no cover - parsed JSON always dumps
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _items(value: Any, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield join(pointer, index), item


def _child(parent: dict[str, Any], key: str, pointer: str) -> tuple[str, dict[str, Any]] | None:
    value = parent.get(key)
    return (join(pointer, key), value) if isinstance(value, dict) else None


_QUANTITY_PARSERS = {"cpu": parse_cpu, "memory": parse_bytes, "disk": parse_bytes}
_ALL = ("cpu", "memory", "disk")
#: The keys that hold figures, and which figures each holds.
QUANTITY_KEYS: dict[str, tuple[str, ...]] = {
    "capacity": _ALL,
    "allocated": _ALL,
    "uses": _ALL,
    "limits": ("cpu", "memory"),
    "reservations": ("cpu", "memory"),
}


def check_quantities(
    resources: dict[str, Any], pointer: str, keys: tuple[str, ...] = _ALL
) -> list[Finding]:
    """Return a finding for each figure under ``pointer`` that does not parse."""
    return list(_check_quantities(resources, pointer, keys))


def _check_quantities(
    resources: dict[str, Any], pointer: str, keys: tuple[str, ...] = _ALL
) -> Iterator[Finding]:
    for key in keys:
        parser = _QUANTITY_PARSERS[key]
        if key in resources:
            try:
                parser(resources[key])
            except UnitError as error:
                yield Finding(join(pointer, key), str(error))


class _Walk(Struct):
    """What one pass over the document collects."""

    ids: dict[str, str]
    findings: list[Finding]
    #: Each id's name, where it has one: a link to a name is told the id.
    names: dict[str, str]
    suggested: int = 0

    def component(self, item: dict[str, Any], pointer: str) -> None:
        url = item.get("url")
        problem = _url_problem(url) if isinstance(url, str) else None
        if problem is not None:
            message = (
                f"{show(url)} is not a link diagramgen draws: {problem}; use an http or https "
                'URL, or a relative one ("docs/db.html")'
            )
            self.findings.append(Finding(join(pointer, "url"), message))
        value = item.get("id")
        if not isinstance(value, str):
            return
        first = self.ids.get(value)
        if first is None:
            self.ids[value] = pointer
            name = item.get("name")
            if isinstance(name, str):
                self.names[value] = name
        else:
            message = f'id "{value}" is already used at {first}; ids must be unique in the spec'
            self.findings.append(Finding(join(pointer, "id"), message))

    def resources(self, owner: dict[str, Any], key: str, pointer: str) -> None:
        found = _child(owner, key, pointer)
        if found:
            where, values = found
            self.findings.extend(_check_quantities(values, where))

    def software(self, owner: dict[str, Any], key: str, pointer: str) -> None:
        found = _child(owner, key, pointer)
        if found:
            where, layer = found
            self.resources(layer, "uses", where)

    def containers(self, owner: dict[str, Any], pointer: str) -> None:
        sizes: dict[str, tuple[int, str]] = {}
        for where, container in _items(owner.get("containers"), join(pointer, "containers")):
            self.component(container, where)
            self.resources(container, "limits", where)
            self.resources(container, "reservations", where)
            self.reserved(container, where)
            image = _child(container, "image", where)
            if image:
                self.image(*image, sizes)

    def reserved(self, container: dict[str, Any], where: str) -> None:
        """Refuse a reservation above the limit beside it: Docker and Kubernetes refuse it."""
        limits, reservations = container.get("limits"), container.get("reservations")
        if not isinstance(limits, dict) or not isinstance(reservations, dict):
            return
        for key in ("cpu", "memory"):
            if key not in limits or key not in reservations:
                continue
            try:
                limit = _QUANTITY_PARSERS[key](limits[key])
                reserved = _QUANTITY_PARSERS[key](reservations[key])
            except UnitError:
                continue  # reported where it is written
            if reserved > limit:
                message = (
                    f"reserves {show(reservations[key])}, more than its limit of "
                    f"{show(limits[key])}; a container cannot set aside more than it may use"
                )
                self.findings.append(Finding(join(join(where, "reservations"), key), message))

    def image(self, where: str, image: dict[str, Any], sizes: dict[str, tuple[int, str]]) -> None:
        if "size" not in image:
            return
        try:
            size = parse_bytes(image["size"])
        except UnitError as error:
            self.findings.append(Finding(join(where, "size"), str(error)))
            return
        ref = image.get("ref")
        if not isinstance(ref, str):
            return
        earlier = sizes.setdefault(ref, (size, where))
        if earlier[0] != size:
            message = (
                f'image "{ref}" has size {show(image["size"])} here but a different size at '
                f"{earlier[1]}; one image on one engine has one size"
            )
            self.findings.append(Finding(join(where, "size"), message))


# Characters a link never holds as they are (%-encode them): markup, quotes and backslashes.
_URL_MARKUP = frozenset("<>\"'`\\")
# A character reference ("&#106;", "&colon;"): a browser reads the character it stands for,
# and Graphviz writes it into the SVG undecoded. A bare "&" (a query's "a=1&b=2") is fine.
_CHARACTER_REFERENCE = re.compile(r"&(#[xX]?[0-9A-Za-z]*;?|[A-Za-z][A-Za-z0-9]*;)")


def _url_problem(url: str) -> str | None:
    """Return what makes ``url`` unsafe as a link, or ``None``.

    The link must mean the same to a browser as it reads here: no character a browser strips,
    drops or decodes before it reads the scheme, and then an http, https or no scheme at all.
    """
    for character in url:
        if character in _URL_MARKUP:
            return f"it holds {character} (%-encode it)"
        if character > "~" or character <= " ":
            category = unicodedata.category(character)
            if category[0] in "CZ":  # controls, format characters, spaces, separators
                return f"it holds U+{ord(character):04X}, a space or control character"
    reference = _CHARACTER_REFERENCE.search(url)
    if reference is not None:
        return f'it holds "{reference.group()}", which a browser reads as a character reference'
    scheme = link_scheme(url)
    if scheme is not None and scheme not in LINK_SCHEMES:
        return f"a browser reads its scheme as {scheme!r}"
    return None


#: The keys whose strings the text limit bounds (and the items of ``libs``).
TEXT_KEYS = ("title", "name", "ref", "label")


_SURROGATE = re.compile(r"[\ud800-\udfff]")
NOT_UNICODE = "is not valid Unicode text (a lone surrogate)"


def _broken(text: str) -> bool:
    """Return whether ``text`` holds a lone surrogate (JSON's ``"\\udfff"``): no UTF-8 for it."""
    return not text.isascii() and _SURROGATE.search(text) is not None


def _longest(document: Any) -> tuple[int, bool]:
    """Return the length of the longest string value in ``document`` and whether any string,
    key or value, is not valid Unicode (a quick first pass: it visits every value of a spec,
    so it asks each the fewest questions; most are ASCII)."""
    longest = 0
    broken = False
    stack = [document]
    pop, push, push_all = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        if isinstance(node, str):
            if len(node) > longest:
                longest = len(node)
            if not node.isascii() and _broken(node):
                broken = True
        elif isinstance(node, dict):
            for key, value in node.items():
                if not key.isascii() and _broken(key):
                    broken = True
                push(value)
        elif isinstance(node, list):
            push_all(node)
    return longest, broken


def _check_unicode(document: Any) -> Iterator[Finding]:
    """Yield a finding at each key or string that holds a lone surrogate.

    Such text cannot be written as UTF-8 (to a terminal, a JSON file, an SVG): it is refused at
    its pointer rather than drawn or printed as something else.
    """
    for path, at_key in lone_surrogates(document):
        pointer = _pointer(path)
        yield Finding(pointer, f"this key {NOT_UNICODE}" if at_key else NOT_UNICODE, at_key=at_key)


def lone_surrogates(document: Any) -> Iterator[tuple[Path, bool]]:
    """Yield the path of each key or string in ``document`` that holds a lone surrogate, and
    whether it is a key (JSON's ``"\\udfff"`` reads as one; no UTF-8 can write it)."""
    if not _longest(document)[1]:
        return
    stack: list[tuple[Any, Path]] = [(document, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if _broken(key):
                    yield (*path, key), True
                stack.append((value, (*path, key)))
        elif isinstance(node, list):
            stack.extend((value, (*path, index)) for index, value in enumerate(node))
        elif isinstance(node, str) and _broken(node):
            yield path, False


def _check_texts(document: Any, limits: Limits) -> Iterator[Finding]:
    """Yield a finding for each title, name, label, library or ref longer than the limit, and
    for each string that is not valid Unicode."""
    longest, broken = _longest(document)
    if broken:
        yield from _check_unicode(document)
    if longest <= limits.text:
        return  # the usual case: no pointers to build
    for parent, key, path in long_texts(document, limits.text):
        message = f"is {len(parent[key]):,} characters long; {limits.hint('text')}"
        yield Finding(_pointer(path), message, rule=limit_rule("text"))


def long_texts(document: Any, limit: int) -> Iterator[tuple[Any, str | int, Path]]:
    """Yield each title, name, label, library or ref longer than ``limit`` characters as the
    dict or list holding it, its key or index there, and its path from the root."""
    stack: list[tuple[Any, Path, str]] = [(document, (), "")]
    while stack:
        node, path, key = stack.pop()
        if isinstance(node, dict):
            for k, value in node.items():
                if isinstance(value, str) and k in TEXT_KEYS and len(value) > limit:
                    yield node, k, (*path, k)
                stack.append((value, (*path, k), k))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, str) and key == "libs" and len(value) > limit:
                    yield node, index, (*path, index)
                stack.append((value, (*path, index), key))


def _pointer(path: Path) -> str:
    pointer = ""
    for step in path:
        pointer = join(pointer, step)
    return pointer


def over_limits(document: dict[str, Any], limits: Limits = DEFAULT_LIMITS) -> list[Finding]:
    """Return the spec's counts over their limits, counted without reading the rest: a spec of
    300,000 links is refused before its texts, schema and depth are gone through."""
    findings = []
    links = document.get("links")
    if isinstance(links, list) and len(links) > limits.links:
        message = f"has {len(links):,} links; {limits.hint('links')}"
        findings.append(Finding("/links", message, rule=limit_rule("links")))
    hosts = document.get("hosts")
    count = len(hosts) if isinstance(hosts, list) else 0
    for host in hosts if isinstance(hosts, list) else ():
        if not isinstance(host, dict):
            continue
        for key in ("vms", "containers"):
            if isinstance(host.get(key), list):
                count += len(host[key])
        vms = host.get("vms")
        for vm in vms if isinstance(vms, list) else ():
            if isinstance(vm, dict):
                count += sum(
                    len(vm[k]) for k in ("apps", "containers") if isinstance(vm.get(k), list)
                )
    if count > limits.components:
        message = f"has {count:,} hosts, VMs, containers and apps; {limits.hint('components')}"
        findings.append(Finding("", message, rule=limit_rule("components")))
    return findings


def check(document: dict[str, Any], limits: Limits = DEFAULT_LIMITS) -> list[Finding]:
    """Return the semantic problems of a parsed spec (in document order)."""
    walk = _Walk(ids={}, findings=[], names={})
    for host_at, host in _items(document.get("hosts"), "/hosts"):
        walk.component(host, host_at)
        infrastructure = _child(host, "infrastructure", host_at)
        if infrastructure:
            walk.resources(infrastructure[1], "capacity", infrastructure[0])
        for layer in ("host_os", "hypervisor", "engine"):
            walk.software(host, layer, host_at)
        walk.containers(host, host_at)
        for vm_at, vm in _items(host.get("vms"), join(host_at, "vms")):
            walk.component(vm, vm_at)
            walk.resources(vm, "allocated", vm_at)
            walk.software(vm, "guest_os", vm_at)
            walk.software(vm, "engine", vm_at)
            walk.containers(vm, vm_at)
            for app_at, app in _items(vm.get("apps"), join(vm_at, "apps")):
                walk.component(app, app_at)
                walk.resources(app, "uses", app_at)
    links = document.get("links")
    if isinstance(links, list) and len(links) > limits.links:
        message = f"has {len(links):,} links; {limits.hint('links')}"
        # and no link is checked: refused early
        walk.findings.append(Finding("/links", message, rule=limit_rule("links")))
    else:
        for link_at, link in _items(links, "/links"):
            _check_link(link, link_at, walk)
    if len(walk.ids) > limits.components:
        message = (
            f"has {len(walk.ids):,} hosts, VMs, containers and apps; {limits.hint('components')}"
        )
        walk.findings.append(Finding("", message, rule=limit_rule("components")))
    walk.findings.extend(sorted(_check_texts(document, limits), key=lambda f: f.pointer))
    return walk.findings


def _check_link(link: dict[str, Any], pointer: str, walk: _Walk) -> None:
    ends = {}
    for end in ("from", "to"):
        target = link.get(end)
        if not isinstance(target, str):
            continue
        ends[end] = target
        if target not in walk.ids:
            message = f'"{target}" is not the id of any host, VM, container or app'
            hint = ""
            if walk.suggested < SUGGESTIONS:
                walk.suggested += 1
                hint = _link_hint(target, walk)
            walk.findings.append(Finding(join(pointer, end), message + hint))
    if len(ends) == 2 and ends["from"] == ends["to"]:
        message = f'a link from "{ends["from"]}" to itself; join two different components'
        walk.findings.append(Finding(join(pointer, "to"), message))


_KINDS = (("/apps/", "app"), ("/containers/", "container"), ("/vms/", "VM"), ("/hosts/", "host"))


def _kind_of(pointer: str) -> str:
    """Return what the component at ``pointer`` is: host, VM, container or app."""
    found = max(_KINDS, key=lambda entry: pointer.rfind(entry[0]))
    return found[1]


def _link_hint(target: str, walk: _Walk) -> str:
    """Return how to fix a link to an unknown id: the id of a component so named, else the
    nearest id, else the ids themselves when there are few."""
    wanted = target.casefold()
    named = [ident for ident, name in walk.names.items() if name.casefold() == wanted]
    named = named or [
        ident for ident, name in walk.names.items() if name.casefold().startswith(wanted)
    ]
    if len(named) == 1:
        ident = named[0]
        what = _kind_of(walk.ids[ident])
        return (
            f'; links take ids, not names: the {what} named "{walk.names[ident]}" '
            f'has the id "{ident}"'
        )
    near = suggest(target, walk.ids)
    if near:
        return near
    if 0 < len(walk.ids) <= 8:
        return f"; the ids are {', '.join(walk.ids)}"
    return ""
