"""Where a picture came from: its spec's path, digest and, in a git repository, the last
commit that changed the spec file (not HEAD: an unchanged spec keeps an unchanged picture)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from msgspec import Struct

__all__ = ["Origin", "origin_of"]

#: How long one git question may take (seconds): a hung git is no reason to stop a render.
GIT_TIMEOUT = 10


class Origin(Struct, frozen=True):
    """A spec's provenance: its path (from the repository's top, else the working folder,
    with ``/``), its SHA-256, and the last commit that changed it (None outside git, or for
    a file git does not track); ``modified`` when the file differs from that commit."""

    path: str
    sha256: str
    commit: str | None = None
    modified: bool = False

    def line(self, version: str) -> str:
        """Return the provenance as one line: "from docs/stack.yaml @ 3f2a1c9 · diagramgen 0.1"."""
        at = f" @ {self.commit[:7]}{' (modified)' if self.modified else ''}" if self.commit else ""
        return f"from {self.path}{at} · diagramgen {version}"

    def text(self, version: str) -> str:
        """Return the provenance as a file's metadata says it, the digest included."""
        return f"{self.line(version)} · sha256 {self.sha256}"


def origin_of(path: str | os.PathLike[str], data: bytes) -> Origin:
    """Return the provenance of the spec file at ``path`` whose bytes are ``data``."""
    digest = hashlib.sha256(data).hexdigest()
    file = Path(path)
    top = _git(file.parent if str(file.parent) else Path("."), "rev-parse", "--show-toplevel")
    if top is None:
        return Origin(_relative(file, Path.cwd()), digest)
    root = Path(top)
    inside = _relative(file, root)
    commit = _git(root, "log", "-1", "--format=%H", "--", inside) or None
    if commit is None:
        return Origin(inside, digest)
    changed = _git(root, "status", "--porcelain", "--", inside)
    return Origin(inside, digest, commit, bool(changed))


def _relative(file: Path, folder: Path) -> str:
    try:
        return file.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return Path(os.path.relpath(file.resolve(), folder.resolve())).as_posix()


def _git(folder: Path, *arguments: str) -> str | None:
    """Return what ``git -C folder ARGUMENTS`` prints, stripped; None when it cannot say."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *arguments],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
