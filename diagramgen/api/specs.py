"""Many specs read and checked, without drawing: what ``validate`` and ``totals`` go through.

Each argument is a file, a folder (every spec below it), a glob, or ``-`` alone for one spec on
standard input. Every spec is read and checked in turn; one that fails is reported with its
error and the others go on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import BinaryIO

from msgspec import Struct

from ..accounting import Totals, compute
from ..errors import InvalidArgument, SpecInvalid
from ..files.discover import Found, find_specs
from ..spec import DEFAULT_LIMITS, Limits, Spec, load, load_text, read_spec_stream

__all__ = ["Checked", "check_specs"]


class Checked(Struct, frozen=True):
    """One spec read and checked: its model and totals, or why it is invalid.

    ``name`` is how it is shown: its path, or ``<stdin>``; ``alone`` says it was named by
    itself (one file, or ``-``), not found in a folder or by a glob.
    """

    name: str
    alone: bool
    spec: Spec | None = None
    totals: Totals | None = None
    error: SpecInvalid | None = None


def check_specs(
    arguments: Sequence[str],
    limits: Limits = DEFAULT_LIMITS,
    *,
    stdin: BinaryIO | None = None,
    syntax: str = "json",
) -> Iterator[Checked]:
    """Yield each spec named by ``arguments`` read, checked and totalled, in order.

    ``-`` reads ``stdin`` as ``syntax``. Raise :class:`InvalidArgument` before anything is read
    for an argument that names nothing (the specs found are then unknown).
    """
    found = find_specs(list(arguments), stdin=True)
    alone = len(found) == 1 and found[0].within is None
    for spec in found:
        yield _checked(spec, alone, limits, stdin, syntax)


def _checked(
    found: Found, alone: bool, limits: Limits, stdin: BinaryIO | None, syntax: str
) -> Checked:
    name = "<stdin>" if found.stdin else str(found.path)
    try:
        if found.stdin:
            if stdin is None:
                raise InvalidArgument("- (stdin) is not read here")
            model = load_text(read_spec_stream(stdin, limits), name, limits, syntax)
        else:
            model = load(found.path, limits, found.within)
    except SpecInvalid as error:
        return Checked(name, alone, error=error)
    return Checked(name, alone, model, compute(model))
