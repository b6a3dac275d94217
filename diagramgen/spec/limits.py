"""Limits on what a spec may ask for: each has a default, and each can be raised or lowered.

Specs come from contributors and CI jobs; these keep a hostile or broken one from taking
unbounded time, memory or disk. Exceeding one is an ordinary error naming the limit; its
problem carries the rule ``limit:NAME``, so a front end can say how to change it.
"""

from __future__ import annotations

from msgspec import Struct
from msgspec.structs import fields, replace

from ..errors import InvalidArgument

__all__ = ["DEFAULT_LIMITS", "MAXIMA", "Limits", "limit_rule", "parse_limits"]


class Limits(Struct, frozen=True):
    """The limits in force; the defaults suit any diagram a person can read."""

    #: Size of a spec file in bytes.
    spec_bytes: int = 10 * 1024 * 1024
    #: Hosts, VMs, containers and apps in one spec (replicas not counted).
    components: int = 20_000
    #: Characters in a title, name, label, library or image reference.
    text: int = 200
    #: Levels of nesting in the JSON document.
    depth: int = 64
    #: Pixels of a PNG (width x height, at 2x); PNG sides are also capped at 32,767 px.
    picture: int = 200_000_000
    #: Links between components: each is an edge Graphviz routes, the slowest part of a layout.
    links: int = 2_000
    #: Size in bytes of each file an importer reads (a Compose file, manifests, a cluster dump).
    input_bytes: int = 64 * 1024 * 1024

    @staticmethod
    def names() -> dict[str, str]:
        """Return the command-line name of each limit (``spec-bytes``) and its field."""
        return {field.name.replace("_", "-"): field.name for field in fields(Limits)}

    def hint(self, field: str) -> str:
        """Return the words that name the limit ``field`` and its value ("the text limit is
        200"); a front end says how to change it (the rule :func:`rule` names)."""
        return f"the {field.replace('_', '-')} limit is {getattr(self, field):,}"


def limit_rule(field: str) -> str:
    """Return the rule a problem over the limit ``field`` carries (``limit:spec-bytes``)."""
    return f"limit:{field.replace('_', '-')}"


DEFAULT_LIMITS = Limits()
#: The most each limit may be raised to: a limit is a promise of bounded time and memory, so it
#: is bounded itself (a spec-bytes of 2^53 would have stdin preallocate that much).
MAXIMA = {
    "spec_bytes": 1024**3,
    "components": 1_000_000,
    "text": 100_000,
    "depth": 10_000,
    "picture": 32767 * 32767,
    "links": 1_000_000,
    "input_bytes": 1024**3,
}


def parse_limits(items: list[str] | None) -> Limits:
    """Return the defaults changed by NAME=VALUE items; raise :class:`InvalidArgument` if bad."""
    limits = Limits()
    known = Limits.names()
    for item in items or []:
        name, _, value = item.partition("=")
        field = known.get(name.strip())
        if field is None:
            raise InvalidArgument(f"unknown limit {name!r}; choose from {', '.join(known)}")
        try:
            number = int(value.replace("_", ""))
        except ValueError:
            raise InvalidArgument(f"limit {name}: {value!r} is not a whole number") from None
        if not 1 <= number <= MAXIMA[field]:
            raise InvalidArgument(f"limit {name}: must be between 1 and {MAXIMA[field]:,}")
        limits = replace(limits, **{field: number})
    return limits
