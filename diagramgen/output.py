"""Files diagramgen writes: atomically, recorded in a manifest, never a partial or stale one.

Every output is written to a temporary file in its own folder and renamed into place, so a
reader sees the old file or the new one, never half of one. ``OUTPUT/.diagramgen.json`` records,
for each output, the key of its inputs and the SHA-256 of what was written: a re-run skips an
output whose key and bytes still match, and ``--check`` can trust it without rendering.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

from msgspec import Struct, field

from .errors import UsageError

__all__ = [
    "MANIFEST",
    "OUTPUT_SUFFIXES",
    "Manifest",
    "digest",
    "remove_stale_temporaries",
    "safe_target",
    "walk_files",
    "write_atomic",
]

MANIFEST = ".diagramgen.json"
OUTPUT_SUFFIXES = (".svg", ".png", ".pdf", ".dot")
_TEMPORARY = re.compile(r"^\..+\.(\d+)\.[A-Za-z0-9_]+\.diagramgen-tmp$")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename it.

    A crash or a full disk leaves the previous file (if any) untouched and no temporary file.
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=".diagramgen-tmp", dir=folder
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's process
        return True
    try:  # a killed process nobody has reaped yet is a zombie: as dead as it gets
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def remove_stale_temporaries(folder: Path) -> int:
    """Remove temporary files a killed diagramgen left in ``folder``; return how many."""
    removed = 0
    for path in walk_files(folder):
        match = _TEMPORARY.match(path.name)
        if match and not _alive(int(match.group(1))):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def walk_files(folder: Path) -> list[Path]:
    """Return the files below ``folder``, sorted, without following links to other folders."""
    found = []
    for root, _, files in os.walk(folder, followlinks=False):
        found += [Path(root) / name for name in files]
    return sorted(found)


def safe_target(folder: Path, name: str) -> Path:
    """Return ``folder/name``, refusing names that leave the folder (``..``, absolute, links)."""
    target = folder / name
    root = folder.resolve()
    resolved = target.parent.resolve() / target.name
    if not resolved.is_relative_to(root) or target.is_symlink():
        raise UsageError(f"{target}: refusing to write outside {folder} or through a link")
    return target


class Manifest(Struct):
    """What diagramgen last wrote into one output folder: name → (input key, output digest)."""

    folder: Path
    entries: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        try:
            data = json.loads((folder / MANIFEST).read_text("utf-8"))
            entries = data["outputs"] if data.get("format") == 1 else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            entries = {}
        return cls(folder, {k: v for k, v in entries.items() if isinstance(v, dict)})

    def fresh(self, name: str, key: str) -> bool:
        """Return whether ``name`` was written from ``key`` and still holds what was written."""
        entry = self.entries.get(name)
        if entry is None or entry.get("key") != key:
            return False
        try:
            return digest((self.folder / name).read_bytes()) == entry.get("sha256")
        except OSError:
            return False

    def record(self, name: str, key: str, sha256: str) -> None:
        self.entries[name] = {"key": key, "sha256": sha256}

    def forget(self, name: str) -> None:
        self.entries.pop(name, None)

    def save(self) -> None:
        existing = {n: e for n, e in self.entries.items() if (self.folder / n).exists()}
        text = json.dumps({"format": 1, "outputs": existing}, indent=1, sort_keys=True) + "\n"
        path = self.folder / MANIFEST
        try:
            if path.read_text("utf-8") == text:
                return
        except OSError:
            pass
        write_atomic(path, text.encode("utf-8"))
