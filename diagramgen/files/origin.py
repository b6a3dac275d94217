"""Where a picture came from: its spec's path, and the spec's content named as git names it.

The content is named by its git blob id (``git hash-object``), not by a commit: it depends on
the spec's bytes alone, so a picture rendered before its spec is committed is the picture
after, a rebase or a squash changes nothing, and a shallow clone renders the same bytes. Git
finds the spec from it: ``git show 3f2a1c9`` prints it, ``git log --find-object=3f2a1c9`` lists
the commits that hold it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import subprocess
from pathlib import Path

from msgspec import Struct

__all__ = ["Origin", "origin_of"]

#: How long asking git for the repository's top may take (seconds).
GIT_TIMEOUT = 10


class Origin(Struct, frozen=True):
    """A spec's provenance: its path (from its git repository's top, else from the working
    folder, with ``/``), its git blob id and its SHA-256."""

    path: str
    blob: str
    sha256: str

    def line(self, version: str) -> str:
        """Return the provenance as one line: "from docs/stack.yaml @ 3f2a1c9 · diagramgen 0.1"."""
        return f"from {self.path} @ {self.blob[:7]} · diagramgen {version}"

    def text(self, version: str) -> str:
        """Return the provenance as a file's metadata says it: the ids in full."""
        return (
            f"from {self.path} · git blob {self.blob} · sha256 {self.sha256} · diagramgen {version}"
        )


def origin_of(path: str | os.PathLike[str], data: bytes) -> Origin:
    """Return the provenance of the spec file at ``path`` whose bytes are ``data``."""
    blob = hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
    digest = hashlib.sha256(data).hexdigest()
    file = Path(path)
    top = _top(str(file.resolve().parent))
    return Origin(_relative(file, top or Path.cwd()), blob, digest)


def _relative(file: Path, folder: Path) -> str:
    try:
        return file.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return Path(os.path.relpath(file.resolve(), folder.resolve())).as_posix()


@functools.lru_cache(maxsize=256)
def _top(folder: str) -> Path | None:
    """Return the top of the git repository ``folder`` is in, or None: asked once a folder (a
    batch of a thousand specs in a few folders asks git a few times, not a thousand)."""
    try:
        done = subprocess.run(
            ["git", "-C", folder, "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None
