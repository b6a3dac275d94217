"""Writing files whole: through a temporary file and a rename, never a partial one.

Every output is written to a temporary file in its own folder and renamed into place, so a
reader sees the old file or the new one, never half of one; temporary files a killed run left
are removed by the next. Names that would leave the output folder are refused.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from ..errors import OutputError

__all__ = [
    "file_in_the_way",
    "not_a_folder",
    "remove_stale_temporaries",
    "safe_target",
    "walk_files",
    "write_atomic",
    "write_file",
]

_TEMPORARY = re.compile(r"^\..+\.(\d+)\.[A-Za-z0-9_]+\.diagramgen-tmp$")


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
        raise OutputError(f"{target}: refusing to write outside {folder} or through a link")
    return target


def file_in_the_way(folder: Path) -> Path | None:
    """Return ``folder`` or the nearest of its parents that exists, if that is not a folder:
    the file that stops ``folder`` from being made (``out.png/pictures``)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists() or candidate.is_symlink():
            return None if candidate.is_dir() else candidate
    return None


def not_a_folder(folder: Path) -> str | None:
    """Return why ``folder`` cannot be an output folder ("is a file", "out.png is a file"),
    or None when it is one or can be made."""
    blocker = file_in_the_way(folder)
    if blocker is None:
        return None
    return "is a file" if blocker == folder else f"{blocker} is a file"


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole (:func:`write_atomic`); a failure is an OutputError."""
    try:
        write_atomic(path, data)
    except OSError as error:
        blocker = file_in_the_way(path.parent)
        if blocker is not None:
            raise OutputError(f"{path}: cannot write: {blocker} is a file, not a folder") from None
        raise OutputError(f"{path}: cannot write: {error.strerror or error}") from None
