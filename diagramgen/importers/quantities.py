"""Read Docker and Kubernetes quantities exactly, and write them in the spec's own syntax.

Figures are :class:`~fractions.Fraction` while read (no float rounding), then whole millicores
and whole bytes, rounded the way the source tool rounds.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from ..spec.units import MAX_QUANTITY
from .notes import shown

__all__ = [
    "MilliByteMemory",
    "QuantityError",
    "docker_bytes",
    "docker_cpus",
    "docker_human_size",
    "kubernetes_cpu",
    "kubernetes_memory",
    "kubernetes_quantity",
    "spec_bytes",
    "spec_cpu",
    "within",
]


class QuantityError(ValueError):
    """A quantity that cannot be read; the message says which forms are accepted."""


class MilliByteMemory(QuantityError):
    """A Kubernetes memory quantity with the ``m`` suffix: valid, but surely not what was meant."""


_DOCKER_BYTES = re.compile(r"(\d+(?:\.\d+)?) ?([kmgtp])?(i)?(b)?", re.IGNORECASE)
_BINARY_POWER = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}


def within(figure: int, value: object, unit: str) -> int:
    """Return ``figure`` (in ``unit``) if a spec can hold it; raise :class:`QuantityError`."""
    if figure > MAX_QUANTITY:
        raise QuantityError(
            f"{shown(str(value))} is too large: a spec's figures are at most 2^63 - 1 {unit}"
        )
    return figure


def _number(value: object) -> Fraction | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(value) if math.isfinite(value) else None
    return None


def docker_bytes(value: object) -> int:
    """Return Docker's byte figure (``mem_limit``, ``memory``): a number is bytes; ``512m`` is MiB.

    As Docker reads it (go-units ``RAMInBytes``): ``b k m g t p`` powers of 1024, any case, an
    optional ``i`` and ``b`` after the letter, a decimal number, the fraction of a byte dropped.
    """
    number = _number(value)
    if number is not None:
        if number < 0:
            raise QuantityError(f"{shown(value)} is negative")
        return within(math.floor(number), value, "bytes")
    text = str(value).strip()
    match = _DOCKER_BYTES.fullmatch(text)
    if not match:
        raise QuantityError(
            f"{shown(text)} is not a Docker size: a number of bytes or <number>[b|k|m|g|t|p]"
            ", e.g. 512m, 1.5g, 1073741824"
        )
    digits, letter, _, _ = match.groups()
    if len(digits) > _DIGITS:
        raise QuantityError(f"{shown(text)} has more than {_DIGITS} digits")
    power: int = 1024 ** _BINARY_POWER[(letter or "").lower()]
    return within(math.floor(Fraction(digits) * power), text, "bytes")


def docker_cpus(value: object) -> Fraction:
    """Return Docker's ``cpus`` (a number or a numeric string) as a number of cores."""
    number = _number(value)
    if number is None:
        text = str(value).strip()
        if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", text):
            raise QuantityError(f"{shown(text)} is not a number of CPUs, e.g. 0.5, '1.5', 2")
        if len(text) > _DIGITS:
            raise QuantityError(f"{shown(text)} has more than {_DIGITS} digits")
        number = Fraction(text)
    if number < 0:
        raise QuantityError(f"{shown(value)} is negative")
    within(math.ceil(number * 1000), value, "millicores")
    return number


_HUMAN = re.compile(r"(\d+(?:\.\d+)?) ?(B|kB|KB|MB|GB|TB|PB)", re.IGNORECASE)
_SI_POWER = {"b": 0, "kb": 1, "mb": 2, "gb": 3, "tb": 4, "pb": 5}


def docker_human_size(text: str) -> tuple[int, str]:
    """Return a size as ``docker image ls`` prints it (``187MB``): its bytes and its spec text.

    Docker rounds these to 3 significant digits, so the bytes are approximate; the spec text
    keeps the figure as printed (``187MB``) rather than pretending to more precision.
    """
    match = _HUMAN.fullmatch(text.strip())
    if not match:
        raise QuantityError(f"{shown(text)} is not a size as docker prints it, e.g. 187MB, 1.2GB")
    digits, unit = match.groups()
    if len(digits) > _DIGITS:
        raise QuantityError(f"{shown(text)} has more than {_DIGITS} digits")
    power = _SI_POWER[unit.lower()]
    size = Fraction(digits) * 1000**power
    within(round(size), text, "bytes")
    canonical = {"b": "B", "kb": "kB"}.get(unit.lower(), unit.upper())
    return round(size), f"{digits}{canonical}"


_KUBERNETES = re.compile(
    r"([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|(m|k|M|G|T|P|E)?)"
)
_DECIMAL_SI = {"m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_IEC_POWER = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}


#: Digits of a quantity's number, and the size of its exponent: past them a figure is over
#: 2^63 - 1 or under 0.001 whatever the rest says (10^19 > 2^63; 64 digits of fraction).
_DIGITS = 64
_EXPONENT = 99


def kubernetes_quantity(value: object) -> tuple[Fraction, str]:
    """Return a Kubernetes quantity and its suffix (``"m"``, ``"Mi"``, ``"e6"``, ``""`` …).

    The grammar of ``resource.Quantity``: an optional sign, a decimal number (``1``, ``1.5``,
    ``.5``, ``5.``), then one binary suffix ``Ki Mi Gi Ti Pi Ei``, one decimal suffix
    ``m k M G T P E``, or a decimal exponent (``e3``, ``E-2``). Negative values are refused.
    """
    number = _number(value)
    if number is not None:
        if number < 0:
            raise QuantityError(f"{shown(value)} is negative")
        return number, ""
    text = str(value).strip()
    match = _KUBERNETES.fullmatch(text)
    if not match:
        raise QuantityError(
            f"{shown(text)} is not a Kubernetes quantity: <number>[suffix], suffix one of"
            " Ki Mi Gi Ti Pi Ei, m k M G T P E, or an exponent (e3), e.g. 500m, 128Mi, 1e9"
        )
    sign, digits, binary, exponent, decimal = match.groups()
    if len(digits) > _DIGITS:
        raise QuantityError(f"{shown(text)} has more than {_DIGITS} digits")
    mantissa = Fraction(digits.rstrip(".") or "0")
    if binary:
        quantity, suffix = mantissa * 1024 ** _IEC_POWER[binary], binary
    elif exponent:
        # 10 ** exponent is computed exactly: bound it before (1e999999999 would take minutes).
        # Kubernetes caps every quantity at 2^63 - 1 and rounds it up to 0.001.
        if len(exponent) > 4 or abs(int(exponent[1:])) > _EXPONENT:
            raise QuantityError(
                f"{shown(text)} is out of range: a Kubernetes quantity has an exponent of"
                f" -{_EXPONENT} to {_EXPONENT} here (it is at most 2^63 - 1, in steps of 0.001)"
            )
        quantity, suffix = mantissa * Fraction(10) ** int(exponent[1:]), exponent
    else:
        suffix = decimal or ""
        quantity = mantissa * Fraction(10) ** _DECIMAL_SI[suffix]
    if sign == "-" and quantity:
        raise QuantityError(f"{shown(text)} is negative")
    return quantity, suffix


def kubernetes_cpu(value: object) -> tuple[int, bool]:
    """Return a CPU quantity in millicores, rounded up as Kubernetes does; and whether it was."""
    quantity, _ = kubernetes_quantity(value)
    millicores = quantity * 1000
    return within(math.ceil(millicores), value, "millicores"), millicores.denominator != 1


def kubernetes_memory(value: object) -> tuple[int, bool]:
    """Return a memory quantity in bytes, rounded up as Kubernetes does; and whether it was.

    Raises :class:`QuantityError` for the ``m`` suffix: on memory it means milli-bytes
    (``512m`` is 0.512 bytes), which is always a slip for ``Mi`` or ``M``.
    """
    quantity, suffix = kubernetes_quantity(value)
    if suffix == "m":
        text = str(value).strip()
        raise MilliByteMemory(
            f"{text} memory is {_plain(quantity)} bytes (m means milli-bytes);"
            f" did you mean {text[:-1]}Mi or {text[:-1]}M? The figure is left out"
        )
    return within(math.ceil(quantity), value, "bytes"), quantity.denominator != 1


def _plain(quantity: Fraction) -> str:
    text = f"{float(quantity):.6f}".rstrip("0").rstrip(".")
    return text if Fraction(text) == quantity else f"about {text}"


_IEC_UNITS = ("PiB", "TiB", "GiB", "MiB", "KiB")
_SI_UNITS = ("PB", "TB", "GB", "MB", "KB")


def spec_bytes(size: int) -> int | str:
    """Return a byte figure as the spec writes it: the shortest exact unit form, else an integer.

    ``536870912`` → ``"512MiB"``, ``1610612736`` → ``"1.5GiB"``, ``129000000`` → ``"129MB"``;
    a figure no unit states exactly and briefly (a whole number under 100000, or under 1000 with
    at most 3 decimals) stays integer bytes.
    """
    candidates: list[str] = []
    for units, base in ((_IEC_UNITS, 1024), (_SI_UNITS, 1000)):
        for index, unit in enumerate(units):
            value = Fraction(size, base ** (len(units) - index))
            whole = value.denominator == 1
            if (whole and 1 <= value < 100_000) or (
                1 <= value < 1000 and (value * 1000).denominator == 1
            ):
                candidates.append(_decimal(value) + unit)
                break
    if not candidates:
        return size
    return min(candidates, key=len)  # IEC first, so it wins a tie


def _decimal(value: Fraction) -> str:
    whole, rest = divmod(value * 1000, 1000)
    if not rest:
        return str(whole)
    return f"{whole}.{int(rest):03d}".rstrip("0")


def spec_cpu(millicores: int) -> int | str:
    """Return a CPU figure as the spec writes it: whole cores as a number, else ``"1500m"``."""
    return millicores // 1000 if millicores % 1000 == 0 else f"{millicores}m"
