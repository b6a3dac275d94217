"""A copy of this checkout for tests that build or install it (builds never write into it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .conftest import ROOT


def _git(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def copy_checkout(target: Path) -> Path:
    """Return ``target`` made a copy of the checkout as it stands: a clone sharing its history
    (so each spec's last commit is the same), with the working tree's changes laid over it."""
    subprocess.run(
        ["git", "clone", "--quiet", "--shared", str(ROOT), str(target)],
        check=True,
        capture_output=True,
    )
    for name in _git("ls-files", "--deleted", "-z").split("\0"):
        if name:
            (target / name).unlink(missing_ok=True)
    changed = _git("ls-files", "--modified", "--others", "--exclude-standard", "-z")
    for name in changed.split("\0"):
        if name and (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target
