"""How the picture puts figures and links into words: "2 vCPU · mem 4 GiB", "used ≥1 vCPU"
with its percentages, a component's full name, and the marks that number links on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from msgspec import Struct

from ..accounting.figures import RESOURCES, Figures, percent
from ..spec.model import Component, Resources, Spec
from ..spec.units import format_amount

__all__ = [
    "MAX_LINKS",
    "OVER",
    "WARN",
    "Usage",
    "join_figures",
    "link_marks",
    "named",
    "trio",
    "usage_lines",
]

#: Marks a figure over its limit, and a container without one.
OVER = "▲"
WARN = "⚠"
#: Memory and disk figures are named whenever a figure beside them is left out: "2 GiB"
#: alone could be either ("vCPU" names itself).
SHORT = {"cpu": "", "memory": "mem ", "disk": "disk "}


def join_figures(parts: Sequence[tuple[str, str]], keys: Sequence[str]) -> str:
    """Return figures joined with " · ", named when one of ``keys`` is left out."""
    naming = len(parts) < len(keys) and len(keys) > 1
    return " · ".join((SHORT[key] if naming else "") + text for key, text in parts)


def trio(resources: Resources, keys: Sequence[str] = RESOURCES) -> str:
    """Return "2 vCPU · 4 GiB · 40 GiB"; an unknown figure is left out and the rest named.

    "" when no figure is known.
    """
    parts = [
        (key, format_amount(key, figure))
        for key in keys
        if (figure := getattr(resources, key)) is not None
    ]
    return join_figures(parts, keys)


class Usage(Struct):
    """Lines saying how much of a limit is used: "used ≥1 vCPU · 2 GiB" and the percentages."""

    amounts: str
    shares: str
    over: bool


def usage_lines(label: str, used: Figures, limit: Resources) -> Usage:
    """Return the usage lines; a resource nothing is known about is left out of both."""
    amounts: list[tuple[str, str]] = []
    shares: list[tuple[str, str]] = []
    over = False
    for key in RESOURCES:
        total, bound = used.get(key), getattr(limit, key)
        if total.known is None:
            continue
        amounts.append((key, total.label(key)))
        share = percent(total, bound)
        if share is None:
            continue
        exceeded = bound is not None and total.value > bound
        over = over or exceeded
        prefix = OVER + " " if exceeded else ("≥" if total.unknown else "")
        shares.append((key, f"{prefix}{share}%"))
    text = join_figures(amounts, RESOURCES)
    return Usage(f"{label} {text}" if text else "", join_figures(shares, RESOURCES), over)


def named(component: Component, kind: str) -> str:
    name = component.name or component.id
    return f"{name} ({kind} {component.id})" if component.name else f"{name} ({kind})"


#: Links numbered on the picture (the panel lists as many).
MAX_LINKS = 24


def link_marks(spec: Spec, numbers: Iterable[int]) -> dict[str, list[str]]:
    """Return, per component, the marks of the links ``numbers`` that have no line: "1 →"
    leaves, "→ 2" arrives; the panel lists them by number."""
    marks: dict[str, list[str]] = {}
    for number in sorted(numbers):
        link = spec.links[number - 1]
        marks.setdefault(link.source, []).append(f"{number} \N{RIGHTWARDS ARROW}")
        marks.setdefault(link.target, []).append(f"\N{RIGHTWARDS ARROW} {number}")
    return marks
