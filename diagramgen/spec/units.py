"""Quantities: parse CPU and byte sizes into integers, format them for labels.

Internally every quantity is an ``int``: CPU in millicores, memory and disk in bytes.
Parsing uses :class:`decimal.Decimal` so ``"1.1 GB"`` is exact before it is rounded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    InvalidOperation,
    localcontext,
)
from functools import lru_cache, wraps

__all__ = [
    "BYTE_FORMS",
    "CPU_FORMS",
    "EXACT",
    "MAX_QUANTITY",
    "UnitError",
    "format_amount",
    "format_bytes",
    "format_cpu",
    "parse_bytes",
    "parse_cpu",
]

#: Largest quantity accepted (bytes or millicores): what a signed 64-bit integer holds.
MAX_QUANTITY = 2**63 - 1
#: Decimal arithmetic on totals: sums of many 2^63 quantities have more digits than the default
#: 28, and rounding them there raises InvalidOperation; 120 digits hold any sum a spec can make.
EXACT = Context(prec=120, Emax=MAX_EMAX, Emin=MIN_EMIN)

_SI = {"B": 1, "kB": 1000, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4, "PB": 1000**5}
_IEC = {"KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "TiB": 1024**4, "PiB": 1024**5}
_FACTORS = {**_SI, **_IEC}

BYTE_FORMS = (
    'integer bytes, or "<number>[ ]<unit>" like "512MiB" or "1.5 GB" '
    "(units B KB MB GB TB PB = powers of 1000, KiB MiB GiB TiB PiB = powers of 1024)"
)
CPU_FORMS = 'cores as a number (2, 0.5) or millicores as a string ("500m")'

# Longer strings cannot be a sensible quantity; refusing them early bounds the work.
_MAX_TEXT = 40
_BYTES_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?)( ?)([A-Za-z]+)")
_MILLI_RE = re.compile(r"([0-9]+)m")
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class UnitError(ValueError):
    """A quantity that cannot be parsed; the message says which forms are accepted."""


_NOT_FINITE = "NaN, Infinity and numbers too large for a float (1e400) are not quantities"


def _quote(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else '"' + value + '"'
    return text if len(text) <= _MAX_TEXT + 2 else text[:_MAX_TEXT] + "…"


def _unit_hint(unit: str) -> str:
    matches = [name for name in _FACTORS if name.lower() == unit.lower()]
    if matches:
        return f' (units are case-sensitive: did you mean "{matches[0]}"?)'
    return ""


def _memoized(parse: Callable[[object], int]) -> Callable[[object], int]:
    """Cache a parser for JSON scalars; lists and objects (always errors) go straight through."""
    cached = lru_cache(maxsize=4096, typed=True)(parse)  # typed: True is not 1

    @wraps(parse)
    def wrapper(value: object) -> int:
        if isinstance(value, (str, int, float)):
            return cached(value)
        return parse(value)

    return wrapper


@_memoized
def parse_bytes(value: object) -> int:
    """Return a memory or disk quantity in bytes.

    Accepts a non-negative JSON integer or a string ``<number>[ ]<unit>``.
    Fractions of a byte round half-up.
    """
    if isinstance(value, bool) or value is None:
        raise UnitError(f"{_quote(value)} is not a size; accepted: {BYTE_FORMS}")
    if isinstance(value, int):
        if value < 0:
            raise UnitError(f"{value} is negative; accepted: {BYTE_FORMS}")
        return _bounded(value, value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnitError(f"{_NOT_FINITE}; accepted: {BYTE_FORMS}")
        raise UnitError(f"{_quote(value)} is not a whole number of bytes; accepted: {BYTE_FORMS}")
    if not isinstance(value, str):
        raise UnitError(f"{_quote(value)} is not a size; accepted: {BYTE_FORMS}")
    if len(value) > _MAX_TEXT:
        raise UnitError(f"{_quote(value)} is too long for a size; accepted: {BYTE_FORMS}")
    match = _BYTES_RE.fullmatch(value)
    if match is None:
        raise UnitError(
            f"{_quote(value)} is not a size{_bytes_hint(value)}; accepted: {BYTE_FORMS}"
        )
    number, _, unit = match.groups()
    if unit not in _FACTORS:
        raise UnitError(
            f'{_quote(value)} has an unknown unit "{unit}"{_unit_hint(unit)}; '
            f"accepted: {BYTE_FORMS}"
        )
    with localcontext(EXACT):
        exact = Decimal(number) * _FACTORS[unit]
        return _bounded(int(exact.to_integral_value(rounding=ROUND_HALF_UP)), value)


def _bytes_hint(text: str) -> str:
    stripped = text.strip()
    if stripped.startswith("-"):
        return " (sizes cannot be negative)"
    if _NUMBER_RE.fullmatch(stripped):
        return " (a number in a string needs a unit; write bytes as a JSON integer)"
    if stripped.startswith("."):
        return ' (write a leading zero: "0.5GiB")'
    if stripped != text:
        return " (no spaces around the value)"
    if "  " in text:
        return " (at most one space before the unit)"
    if stripped and stripped[0].isalpha():
        return " (the number comes first)"
    return ""


@_memoized
def parse_cpu(value: object) -> int:
    """Return a CPU quantity in millicores.

    Accepts a non-negative JSON number of cores or a string of millicores (``"500m"``).
    Cores must resolve to whole millicores.
    """
    if isinstance(value, bool) or value is None:
        raise UnitError(f"{_quote(value)} is not a CPU quantity; accepted: {CPU_FORMS}")
    if isinstance(value, int):
        if value < 0:
            raise UnitError(f"{value} is negative; accepted: {CPU_FORMS}")
        return _bounded(value * 1000, value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnitError(f"{_NOT_FINITE}; accepted: {CPU_FORMS}")
        if value < 0:
            raise UnitError(f"{value} is negative; accepted: {CPU_FORMS}")
        try:
            with localcontext(EXACT):
                milli = Decimal(repr(value)) * 1000
                whole = milli == milli.to_integral_value()
        except InvalidOperation:  # pragma: no cover - repr of a finite float always parses
            raise UnitError(f"{_quote(value)} is not a number; accepted: {CPU_FORMS}") from None
        if not whole:
            raise UnitError(
                f"{_quote(value)} is finer than the 0.001-core (1m) step; accepted: {CPU_FORMS}"
            )
        return _bounded(int(milli), value)
    if not isinstance(value, str):
        raise UnitError(f"{_quote(value)} is not a CPU quantity; accepted: {CPU_FORMS}")
    if len(value) > _MAX_TEXT:
        raise UnitError(f"{_quote(value)} is too long for a CPU quantity; accepted: {CPU_FORMS}")
    match = _MILLI_RE.fullmatch(value)
    if match is None:
        hint = ""
        if _NUMBER_RE.fullmatch(value.strip()):
            hint = f" (write cores as a JSON number: {value.strip()}, not a string)"
        elif value.strip().startswith("-"):
            hint = " (CPU cannot be negative)"
        raise UnitError(f"{_quote(value)} is not a CPU quantity{hint}; accepted: {CPU_FORMS}")
    return _bounded(int(match.group(1)), value)


def _bounded(result: int, original: object) -> int:
    if result > MAX_QUANTITY:
        raise UnitError(f"{_quote(original)} is too large (the limit is 2^63 - 1 base units)")
    return result


_IEC_STEPS = (("PiB", 1024**5), ("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024))


@lru_cache(maxsize=4096)
def format_bytes(value: int) -> str:
    """Return ``value`` bytes as IEC text with at most 3 significant digits ("1.5 GiB").

    When the integer part alone has more digits, it is shown whole ("1000 MiB").
    """
    if value < 1024:
        return f"{value} B"
    for index, (unit, factor) in enumerate(_IEC_STEPS):
        if value >= factor:
            with localcontext(EXACT):
                text = _three_digits(Decimal(value) / factor)
            # Rounding 1023.6 MiB gives 1024 MiB: say 1 GiB instead.
            if index > 0 and Decimal(text) >= 1024:
                bigger, _ = _IEC_STEPS[index - 1]
                return f"1 {bigger}"
            return f"{text} {unit}"
    raise AssertionError("unreachable: value >= 1024 matches KiB")  # pragma: no cover


def _three_digits(number: Decimal) -> str:
    digits = len(str(int(number)))
    places = max(0, 3 - digits)
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@lru_cache(maxsize=4096)
def format_cpu(millicores: int) -> str:
    """Return a CPU quantity for labels: whole or fractional cores ("2", "0.5", "0.125")."""
    with localcontext(EXACT):
        text = f"{Decimal(millicores) / 1000:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_amount(resource: str, amount: int) -> str:
    """Return a quantity of ``cpu``, ``memory`` or ``disk`` as label text: "2 vCPU", "1.5 GiB"."""
    return f"{format_cpu(amount)} vCPU" if resource == "cpu" else format_bytes(amount)
