"""Time this checkout's render against another revision's, interleaved, on the benchmark stacks.

    python3 benchmarks/against.py REV [--runs 21] [--large]

REV is checked out (``git worktree``) under ``benchmarks/.work/rev-REV``; both sides run as
whole processes (``python -m diagramgen render SPEC -f svg --force``) with this environment's
interpreter, each from its own tree, one after the other so a busy neighbour slows both. It
prints each side's median and the change. No test runs this: these machines are shared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import hybrid_spec

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"


def _tree(revision: str) -> Path:
    """Return a checkout of ``revision`` (made once)."""
    folder = WORK / f"rev-{revision}"
    if not folder.exists():
        WORK.mkdir(exist_ok=True)
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), revision],
            check=True,
            capture_output=True,
        )
    return folder


def _once(tree: Path, spec: Path, out: Path) -> float:
    command = [sys.executable, "-m", "diagramgen", "render", str(spec), "-f", "svg"]
    command += ["--force", "-o", str(out)]
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    start = time.perf_counter()
    subprocess.run(command, cwd=tree, env=environment, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="a git revision to compare with, e.g. HEAD~1")
    parser.add_argument("--runs", type=int, default=21, help="runs per side (median)")
    parser.add_argument("--large", action="store_true", help="also 1,000 VMs x 10 (slow)")
    arguments = parser.parse_args()
    other = _tree(arguments.revision)
    stacks = [("small", 3, 4), ("medium", 40, 12)]
    if arguments.large:
        stacks.append(("large", 1000, 10))
    print(f"this checkout against {arguments.revision}, {arguments.runs} runs a side, medians")
    print("| workload | then | now | change |\n| --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as scratch:
        for name, vms, containers in stacks:
            spec = Path(scratch) / f"{name}.json"
            spec.write_text(json.dumps(hybrid_spec(vms, containers, name)), "utf-8")
            then: list[float] = []
            now: list[float] = []
            runs = arguments.runs if name != "large" else max(3, arguments.runs // 5)
            for _ in range(runs):
                then.append(_once(other, spec, Path(scratch) / "then"))
                now.append(_once(ROOT, spec, Path(scratch) / "now"))
            before, after = statistics.median(then), statistics.median(now)
            change = (after / before - 1) * 100
            print(
                f"| {name} ({vms} VMs x {containers}) | {before * 1000:.0f} ms "
                f"| {after * 1000:.0f} ms | {change:+.1f} % |"
            )


if __name__ == "__main__":
    main()
