"""Processes diagramgen starts (engine workers, batch workers) end when it does."""

from __future__ import annotations

import os
import sys

__all__ = ["die_with_parent"]


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent ``parent`` dies, even by SIGKILL.

    Called first thing in a child. Elsewhere the child relies on its pipes closing.
    """
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        set_death_signal = 1  # PR_SET_PDEATHSIG
        libc.prctl(set_death_signal, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request above took effect
        os._exit(0)
