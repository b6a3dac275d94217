"""Figures: sums of CPU (millicores), memory and disk (bytes) that know what they do not know.

A figure the spec does not give is *unknown*: a :class:`Sum` adds the known values and counts
the unknown contributors, so a label can say "≥ 12 GiB" instead of inventing a number.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from msgspec import Struct

from ..spec.model import Resources
from ..spec.units import EXACT, format_amount

__all__ = ["RESOURCES", "Figures", "Sum", "figures_data", "percent", "ratio", "sum_data", "total"]

RESOURCES = ("cpu", "memory", "disk")


class Sum(Struct, frozen=True):
    """A total of known values plus how many contributors gave no figure."""

    value: int = 0
    unknown: int = 0

    def __add__(self, other: Sum) -> Sum:
        return Sum(self.value + other.value, self.unknown + other.unknown)

    @staticmethod
    def of(figure: int | None, times: int = 1) -> Sum:
        """Return the sum of one contributor (``None``: unknown), counted ``times`` times."""
        return Sum(0, 1) if figure is None else Sum(figure * times, 0)

    @property
    def known(self) -> int | None:
        """Return the known part, or ``None`` when only unknown contributors make the sum."""
        return None if self.unknown and self.value == 0 else self.value

    def label(self, resource: str, unknown: str = "?", at_least: str = "≥") -> str:
        """Return the sum as label text: "2 GiB", "≥1.5 vCPU", or ``unknown``."""
        if self.known is None:
            return unknown
        text = format_amount(resource, self.value)
        return f"{at_least}{text}" if self.unknown else text


class Figures(Struct, frozen=True):
    """One :class:`Sum` per resource."""

    cpu: Sum = Sum()
    memory: Sum = Sum()
    disk: Sum = Sum()

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.cpu + other.cpu, self.memory + other.memory, self.disk + other.disk)

    def get(self, resource: str) -> Sum:
        result: Sum = getattr(self, resource)
        return result

    @staticmethod
    def of(resources: Resources, times: int = 1) -> Figures:
        return Figures(
            Sum.of(resources.cpu, times),
            Sum.of(resources.memory, times),
            Sum.of(resources.disk, times),
        )


def total(parts: Iterable[Figures]) -> Figures:
    result = Figures()
    for part in parts:
        result = result + part
    return result


def ratio(part: Sum, whole: int | None) -> float | None:
    """Return ``part / whole`` rounded half-up to 3 decimals; ``None`` if ``whole`` is unknown or 0.

    Half-up, not Python's half-even ``round``: 52/64 = 0.8125 reads 0.813, as by hand.
    """
    if whole is None or whole == 0:
        return None
    with localcontext(EXACT):
        exact = Decimal(part.value) / Decimal(whole)
        return float(exact.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def percent(part: Sum, whole: int | None) -> int | None:
    """Return ``part / whole`` as a whole percentage, rounded half-up; ``None`` as :func:`ratio`.

    More than the whole is never shown as 100 % or less (1001 of 1000 is 101 %, not "100 %"
    beside an overcommit warning).
    """
    if whole is None or whole == 0:
        return None
    with localcontext(EXACT):
        exact = Decimal(part.value) * 100 / Decimal(whole)
        shown = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return max(shown, 101) if part.value > whole else shown


def sum_data(figure: Sum) -> int | None:
    """Return a sum as JSON-ready data: its known part, ``None`` when nothing is known."""
    return figure.known


def figures_data(figures: Figures) -> dict[str, Any]:
    """Return sums as JSON-ready data: the known parts (null if none) and unknown counts.

    The one serialiser of figures: ``totals --json`` and ``compare --json`` both use it.
    """
    data: dict[str, Any] = {key: sum_data(figures.get(key)) for key in RESOURCES}
    unknown = {key: figures.get(key).unknown for key in RESOURCES if figures.get(key).unknown}
    if unknown:
        data["unknown"] = unknown
    return data
