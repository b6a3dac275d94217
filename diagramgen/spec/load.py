"""Load a spec: read the file (within its limit), parse it with its source, validate, build."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import Problem, SpecInvalid
from .limits import DEFAULT_LIMITS, Limits
from .model import Spec, build
from .sources import read, syntax_of
from .units import format_bytes
from .validate import validate

__all__ = ["load", "load_text", "read_spec_file", "too_big"]


def too_big(size: int, limits: Limits) -> Problem:
    """Return the problem of a spec of ``size`` bytes, above the limit."""
    message = f"is {format_bytes(size)}, too large for a spec ({limits.hint('spec_bytes')} bytes)"
    return Problem(0, 0, None, message)


def read_spec_file(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Return a spec file's bytes; raise :class:`SpecInvalid` if it cannot be read or is too big."""
    file = str(path)
    try:
        size = Path(path).stat().st_size
        if size > limits.spec_bytes:
            raise SpecInvalid(file, [too_big(size, limits)])
        return Path(path).read_bytes()
    except IsADirectoryError:
        raise SpecInvalid(file, [Problem(0, 0, None, "is a folder, not a spec file")]) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise SpecInvalid(file, [Problem(0, 0, None, f"cannot read: {reason}")]) from None


def load(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> Spec:
    """Return the model of the spec file at ``path``; raise :class:`SpecInvalid` on any problem.

    The suffix chooses the syntax: ``.yaml`` and ``.yml`` are YAML, anything else JSON.
    """
    return load_text(read_spec_file(path, limits), str(path), limits, syntax_of(path))


def load_text(
    data: bytes | str,
    file: str = "<stdin>",
    limits: Limits = DEFAULT_LIMITS,
    syntax: str = "json",
) -> Spec:
    """Return the model of a spec given as bytes or text; ``file`` names it in errors."""
    if len(data) > limits.spec_bytes:
        raise SpecInvalid(file, [too_big(len(data), limits)])
    source = read(data, file, limits, syntax)
    validate(source.document, source.locate, file, limits)
    return build(source.document)
