"""The manifest ``OUTPUT/.diagramgen.json``: what diagramgen last wrote into an output folder.

For each output it records two keys and the SHA-256 of what was written: the key of its source
(the spec's bytes and the settings) and the key of the output itself (its layout, text and
settings). A re-run skips an output whose keys and bytes still match, and ``--check`` can
trust it without rendering.
The manifest is a cache: one that cannot be used (not a regular file, over 64 MiB, not UTF-8,
not JSON, nested too deeply, not the shape written here) is reported once, as a note, and
rebuilt; nothing in it can fail a run.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from msgspec import Struct, field

from ..reading import CHUNK, TooLarge, open_regular, read_regular
from .atomic import write_atomic

__all__ = ["MANIFEST", "MAX_MANIFEST", "Manifest", "digest"]

MANIFEST = ".diagramgen.json"
#: Bytes of a manifest read at most: a manifest of 100,000 outputs is about 25 MB.
MAX_MANIFEST = 64 * 1024 * 1024


def digest(data: bytes) -> str:
    """Return the SHA-256 of ``data`` in hex."""
    return hashlib.sha256(data).hexdigest()


def _digest_file(path: Path) -> str | None:
    """Return the SHA-256 of a regular file's bytes, read in chunks; ``None`` if there is none."""
    state = hashlib.sha256()
    try:
        with open_regular(path) as stream:
            while chunk := stream.read(CHUNK):
                state.update(chunk)
    except OSError:
        return None
    return state.hexdigest()


def _entries(data: object) -> tuple[dict[str, dict[str, str]], str | None]:
    """Return the usable entries of a parsed manifest, and what was wrong with it, if anything."""
    if not isinstance(data, dict) or data.get("format") != 1:
        return {}, "it is not a format-1 manifest"
    outputs = data.get("outputs")
    if not isinstance(outputs, dict):
        return {}, '"outputs" is not an object'
    entries = {
        name: entry
        for name, entry in outputs.items()
        if isinstance(entry, dict)
        and isinstance(entry.get("key"), str)
        and isinstance(entry.get("sha256"), str)
        and isinstance(entry.get("source", ""), str)
    }
    if len(entries) != len(outputs):
        return entries, "some entries are not what diagramgen writes"
    return entries, None


class Manifest(Struct):
    """What diagramgen last wrote into one output folder: name → (output key, source key,
    output digest).

    ``problem`` says why the manifest on disk could not be used (it is then rebuilt).
    """

    folder: Path
    entries: dict[str, dict[str, str]] = field(default_factory=dict)
    problem: str | None = None

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """Return the manifest in ``folder``: empty if there is none or it cannot be used."""
        path = folder / MANIFEST
        try:
            text = read_regular(path, MAX_MANIFEST).decode("utf-8")
            entries, problem = _entries(json.loads(text))
        except FileNotFoundError:
            return cls(folder)
        except TooLarge as error:
            entries, problem = {}, f"{error}; at most {MAX_MANIFEST:,} are read"
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
            reason = getattr(error, "strerror", None) or str(error).split("\n")[0][:200]
            entries, problem = {}, reason
        if problem is not None:
            problem = f"{path}: not usable as a manifest ({problem}); it is rebuilt"
        return cls(folder, entries, problem)

    def fresh(self, name: str, source: str) -> bool:
        """Return whether ``name`` was written from ``source`` and still holds what was
        written."""
        entry = self.entries.get(name)
        if entry is None or entry.get("source") != source:
            return False
        return _digest_file(self.folder / name) == entry.get("sha256")

    def holding(self, name: str) -> str | None:
        """Return the output key ``name`` was written with, if it still holds what was
        written."""
        entry = self.entries.get(name)
        if entry is None or _digest_file(self.folder / name) != entry.get("sha256"):
            return None
        return entry.get("key")

    def record(self, name: str, key: str, source: str, sha256: str) -> None:
        self.entries[name] = {"key": key, "sha256": sha256, "source": source}

    def renew(self, name: str, source: str) -> None:
        """Record that ``name``, left as it was, is what ``source`` draws now."""
        self.entries[name] = {**self.entries[name], "source": source}

    def forget(self, name: str) -> None:
        self.entries.pop(name, None)

    def save(self) -> None:
        existing = {n: e for n, e in self.entries.items() if (self.folder / n).exists()}
        text = json.dumps({"format": 1, "outputs": existing}, indent=1, sort_keys=True) + "\n"
        path = self.folder / MANIFEST
        data = text.encode("utf-8")
        try:
            if read_regular(path, len(data)) == data:
                return
        except OSError:
            pass
        write_atomic(path, data)
