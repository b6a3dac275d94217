"""The manifest ``OUTPUT/.diagramgen.json``: what diagramgen last wrote into an output folder.

For each output it records the key of its inputs and the SHA-256 of what was written: a re-run
skips an output whose key and bytes still match, and ``--check`` can trust it without rendering.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from msgspec import Struct, field

from .atomic import write_atomic

__all__ = ["MANIFEST", "Manifest", "digest"]

MANIFEST = ".diagramgen.json"


def digest(data: bytes) -> str:
    """Return the SHA-256 of ``data`` in hex."""
    return hashlib.sha256(data).hexdigest()


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
