"""The engine worker's pipe protocol: frames of an 8-byte length, then the bytes.

A request is ``FORMAT \\0 ARGUMENTS \\0 DOT`` (arguments separated by ``\\x1f``). The worker's
first frame says whether it could load the engine: ``V`` and its version, or ``M`` and why not.
Each answer is ``O`` and the output, or ``E`` and Graphviz's refusal. Graphviz's messages go to
the worker's stderr, a pipe of its own that the caller reads beside the answers.
"""

from __future__ import annotations

import os

__all__ = ["HEADER", "parse_request", "read_frame", "request", "write_frame"]

HEADER = 8


def write_frame(fd: int, payload: bytes) -> None:
    """Write one frame to ``fd``."""
    data = memoryview(len(payload).to_bytes(HEADER, "little") + payload)
    while data:
        data = data[os.write(fd, data) :]


def read_frame(fd: int) -> bytes | None:
    """Return the next frame from ``fd``, or ``None`` at the end of the stream."""
    head = _read_exactly(fd, HEADER)
    return None if head is None else _read_exactly(fd, int.from_bytes(head, "little"))


def _read_exactly(fd: int, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, min(size - len(data), 1 << 20))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def request(dot: str, layout_format: str, arguments: tuple[str, ...]) -> bytes:
    """Return the payload of a render request."""
    head = f"{layout_format}\0{chr(0x1F).join(arguments)}\0".encode()
    return head + dot.encode("utf-8")


def parse_request(payload: bytes) -> tuple[str, str, tuple[str, ...]]:
    """Return (DOT, Graphviz format, arguments) from a request payload."""
    layout_format, arguments, dot = payload.split(b"\0", 2)
    words = tuple(arguments.decode().split("\x1f")) if arguments else ()
    return dot.decode("utf-8"), layout_format.decode(), words
