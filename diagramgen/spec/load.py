"""Load a spec: read the file (within its limit), parse it with its source, validate, build."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from ..errors import Problem, SpecInvalid
from ..reading import NotRegular, TooLarge, read_regular, read_stream
from .limits import DEFAULT_LIMITS, Limits, limit_rule
from .model import Spec, build
from .sources import read, syntax_of
from .units import format_bytes
from .validate import validate

__all__ = ["load", "load_text", "read_spec_file", "read_spec_stream", "too_big"]


def too_big(size: int, limits: Limits, at_least: bool = False) -> Problem:
    """Return the problem of a spec of ``size`` bytes (``at_least``: or more), above the limit."""
    amount = f"{'at least ' if at_least else ''}{format_bytes(size)}"
    message = f"is {amount}, too large for a spec ({limits.hint('spec_bytes')} bytes)"
    return Problem(0, 0, None, message, limit_rule("spec_bytes"))


def read_spec_file(
    path: str | os.PathLike[str],
    limits: Limits = DEFAULT_LIMITS,
    within: str | os.PathLike[str] | None = None,
) -> bytes:
    """Return a spec file's bytes; raise :class:`SpecInvalid` if it cannot be read or is too big.

    Only a regular file is read (a FIFO, ``/dev/zero`` or a device is refused without waiting
    on it), and at most ``spec-bytes`` bytes of it: the limit holds for what is read, whatever
    ``stat`` says. With ``within`` (the folder a spec was found in), a path that resolves
    outside that folder (a link to ``~/.docker/config.json``) is refused before it is opened,
    with one line that shows nothing of it; links that stay inside the folder are followed.
    """
    file = str(path)
    if within is not None and not _inside(Path(path), Path(within)):
        message = f"is a link to a file outside {within}; refused (links may point only inside it)"
        raise SpecInvalid(file, [Problem(0, 0, None, message)])
    try:
        return read_regular(path, limits.spec_bytes)
    except TooLarge as error:
        raise SpecInvalid(
            file, [too_big(error.size, limits, at_least=error.size == limits.spec_bytes + 1)]
        ) from None
    except NotRegular as error:
        if error.what == "a folder":
            message = "is a folder, not a spec file"
        else:
            message = f"is {error.what}, not a regular file; only regular files are read"
        raise SpecInvalid(file, [Problem(0, 0, None, message)]) from None
    except IsADirectoryError:  # pragma: no cover - Windows opens no folder; fstat says so
        raise SpecInvalid(file, [Problem(0, 0, None, "is a folder, not a spec file")]) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise SpecInvalid(file, [Problem(0, 0, None, f"cannot read: {reason}")]) from None


def read_spec_stream(
    stream: BinaryIO, limits: Limits = DEFAULT_LIMITS, file: str = "<stdin>"
) -> bytes:
    """Return what ``stream`` (standard input) holds, read in chunks: at most ``spec-bytes``
    + 1 bytes are held; raise :class:`SpecInvalid` when it holds more."""
    try:
        return read_stream(stream, limits.spec_bytes)
    except TooLarge as error:
        raise SpecInvalid(file, [too_big(error.size, limits, at_least=True)]) from None


def _inside(path: Path, folder: Path) -> bool:
    """Return whether ``path``, with every link resolved, is inside ``folder`` (resolved)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop resolves nowhere
        return False


def load(
    path: str | os.PathLike[str],
    limits: Limits = DEFAULT_LIMITS,
    within: str | os.PathLike[str] | None = None,
) -> Spec:
    """Return the model of the spec file at ``path``; raise :class:`SpecInvalid` on any problem.

    The suffix chooses the syntax: ``.yaml`` and ``.yml`` are YAML, anything else JSON.
    ``within`` is the folder the file was found in (see :func:`read_spec_file`).
    """
    return load_text(read_spec_file(path, limits, within), str(path), limits, syntax_of(path))


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
