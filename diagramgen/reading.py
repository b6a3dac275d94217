"""Reading files and streams whole, within a bound: the one way diagramgen reads what it is given.

A path may name anything: a FIFO (opening it waits for a writer; reading it waits for data),
``/dev/zero`` (endless), a device, a folder. Only regular files are read; the size limit is
enforced on the bytes actually read, not on what ``stat`` says (a link to ``/dev/zero`` has
size 0). Nothing here blocks on a file that is not regular: it is opened without waiting
(``O_NONBLOCK``), checked with ``fstat`` and refused.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

__all__ = ["CHUNK", "NotRegular", "TooLarge", "open_regular", "read_regular", "read_stream"]

#: Bytes read at a time: the memory a read holds is what was read, never what was asked for.
CHUNK = 1 << 20


class NotRegular(OSError):
    """The path is not a regular file (a FIFO, a device, a socket, a folder)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"is {what}, not a regular file")
        self.what = what


class TooLarge(OSError):
    """More than the bound was read; ``size`` is a lower bound of the whole."""

    def __init__(self, size: int) -> None:
        super().__init__(f"holds {size:,} bytes or more")
        self.size = size


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"  # pragma: no cover - every other mode is one of the above


@contextmanager
def open_regular(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Open the regular file at ``path`` for reading, without ever waiting on it.

    Raise :class:`NotRegular` for anything but a regular file (links are followed to what they
    name) and ``OSError`` when it cannot be opened.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular(_kind(mode))
        with os.fdopen(descriptor, "rb", buffering=0, closefd=False) as stream:
            yield stream
    finally:
        os.close(descriptor)


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """Return the bytes of the regular file at ``path``, at most ``limit`` of them.

    Raise :class:`NotRegular` for anything but a regular file, :class:`TooLarge` when the file
    holds more than ``limit`` bytes, and ``OSError`` when it cannot be opened.
    """
    with open_regular(path) as stream:
        try:
            return read_stream(stream, limit)
        except TooLarge as error:  # say how large, when the file says so itself
            raise TooLarge(max(error.size, os.fstat(stream.fileno()).st_size)) from None


def read_stream(stream: BinaryIO, limit: int) -> bytes:
    """Return what ``stream`` holds, reading at most ``limit + 1`` bytes in chunks.

    Raise :class:`TooLarge` when there is more than ``limit``: memory grows with what was read,
    never with the limit itself (a limit of 1 GiB allocates nothing up front).
    """
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(CHUNK, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise TooLarge(size)
    return b"".join(chunks)
