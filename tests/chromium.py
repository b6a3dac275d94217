"""Headless Chromium for the tests: one way to find it, one set of flags to start it with."""

from __future__ import annotations

import shutil
from pathlib import Path


def browser() -> str:
    """Return Chromium's executable (the ``browser`` marker skips tests on machines without)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "the browser marker skips tests without Chromium"
    return found


def headless(profile: Path, *arguments: str) -> list[str]:
    """Return the command that starts a quiet headless Chromium with its own ``profile``:
    no network of its own, no scrollbars, one device pixel per CSS px."""
    return [
        browser(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--user-data-dir={profile}",
        *arguments,
    ]
