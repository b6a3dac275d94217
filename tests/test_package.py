"""The library API: what ``import diagramgen`` offers, loaded on first use."""

from __future__ import annotations

import subprocess
import sys

import diagramgen


def test_every_exported_name_resolves_and_is_listed() -> None:
    for name in diagramgen.__all__:
        assert getattr(diagramgen, name) is not None
        assert name in dir(diagramgen)


def test_importing_the_package_loads_no_pipeline() -> None:
    # The command line imports the package first: it must not pay for validation or layout.
    code = "import sys, diagramgen; print(sorted(m for m in sys.modules if 'diagramgen.' in m))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
