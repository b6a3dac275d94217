"""The accounting stage: what a spec adds up to (its totals), its warnings, and their reports."""

from __future__ import annotations

from .alerts import CODES, Alert
from .compute import DiagramTotals, HostTotals, Totals, VMTotals, compute, host_committed, vm_used
from .figures import RESOURCES, Figures, Sum, percent, ratio

__all__ = [
    "CODES",
    "RESOURCES",
    "Alert",
    "DiagramTotals",
    "Figures",
    "HostTotals",
    "Sum",
    "Totals",
    "VMTotals",
    "compute",
    "host_committed",
    "percent",
    "ratio",
    "vm_used",
]
