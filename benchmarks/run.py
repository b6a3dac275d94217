"""Benchmark diagramgen against Graphviz itself and mingrammer/diagrams, on this machine, now.

Usage: python3 benchmarks/run.py [--runs N] [--quick]

It installs what it needs into benchmarks/.work/ (a virtual environment with diagramgen built
from this checkout, another with the PyPI package `diagrams`), generates the workloads, and
times whole processes, our runs interleaved with the reference runs so that a noisy neighbour
slows both. It prints medians, ratios and the goal each ratio is held to, and writes the table
to benchmarks/.work/latest.md. Graphviz's `dot` must be on PATH (apt-get install graphviz).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
OURS = WORK / "venv-diagramgen"
PEERS = WORK / "venv-peers"


def _python(venv: Path) -> Path:
    return venv / "bin" / "python"


def setup() -> None:
    """Create the two environments (once) and install this checkout's diagramgen afresh."""
    WORK.mkdir(exist_ok=True)
    if shutil.which("dot") is None:
        sys.exit(
            "Graphviz's dot is not on PATH: apt-get install graphviz (or brew install graphviz)"
        )
    if not _python(PEERS).exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        _pip(PEERS, "diagrams==0.25.1")
    if not _python(OURS).exists():
        subprocess.run([sys.executable, "-m", "venv", str(OURS)], check=True)
    # A regular install, not an editable one: compiled bytecode, as users get it. pip
    # reinstalls a local folder every time (and adds dependencies it gained). setuptools
    # keeps files of earlier builds in build/; start from the checkout alone.
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    _pip(OURS, str(ROOT))


def _pip(venv: Path, *arguments: str) -> None:
    subprocess.run([str(_python(venv)), "-m", "pip", "install", "-q", *arguments], check=True)


def hybrid_spec(vms: int, containers: int, title: str) -> dict[str, object]:
    """Return the benchmark stack: VMS Docker-host VMs x CONTAINERS, plus a PostgreSQL VM."""
    hosts = []
    for index in range(vms):
        hosts.append(
            {
                "id": f"dh{index}",
                "name": f"docker-host-{index}",
                "allocated": {"cpu": 8, "memory": "32GiB", "disk": "200GiB"},
                "guest_os": {
                    "name": "Ubuntu 24.04",
                    "uses": {"cpu": 0.5, "memory": "1GiB", "disk": "6GiB"},
                },
                "engine": {
                    "name": "Docker Engine 27",
                    "uses": {"cpu": 0.2, "memory": "200MiB", "disk": "1GiB"},
                },
                "containers": [
                    {
                        "id": f"api{index}" if slot == 0 else f"c{index}-{slot}",
                        "name": "api" if slot == 0 else f"svc-{slot}",
                        "image": {"ref": f"app{slot}:1", "size": "130MiB"},
                        "libs": ["glibc"],
                        "limits": {"cpu": 0.5, "memory": "512MiB"},
                    }
                    for slot in range(containers)
                ],
            }
        )
    hosts.append(
        {
            "id": "dbvm",
            "name": "db-vm",
            "allocated": {"cpu": 8, "memory": "32GiB", "disk": "500GiB"},
            "guest_os": {
                "name": "Debian 12",
                "uses": {"cpu": 0.5, "memory": "512MiB", "disk": "4GiB"},
            },
            "apps": [
                {
                    "id": "pg",
                    "name": "PostgreSQL 16",
                    "libs": ["glibc"],
                    "uses": {"cpu": 4, "memory": "16GiB", "disk": "300GiB"},
                }
            ],
        }
    )
    return {
        "version": 1,
        "title": title,
        "hosts": [
            {
                "id": "rack",
                "name": "Server",
                "stack": "hybrid",
                "infrastructure": {
                    "name": "R750",
                    "capacity": {
                        "cpu": max(64, vms * 10),
                        "memory": f"{max(256, vms * 40)}GiB",
                        "disk": "100TiB",
                    },
                },
                "hypervisor": {
                    "name": "KVM",
                    "type": 1,
                    "uses": {"cpu": 1, "memory": "2GiB", "disk": "8GiB"},
                },
                "vms": hosts,
            }
        ],
        "links": [{"from": f"api{index}", "to": "pg", "label": "TCP 5432"} for index in range(vms)],
    }


def workloads() -> None:
    """Write the spec files, the batch folders and the DOT files for the dot loop."""
    specs = WORK / "specs"
    shutil.rmtree(specs, ignore_errors=True)
    (specs / "batch50").mkdir(parents=True)
    (specs / "check500").mkdir()
    for name, vms, containers in (("small", 3, 4), ("medium", 40, 12), ("large", 1000, 10)):
        (specs / f"{name}.json").write_text(json.dumps(hybrid_spec(vms, containers, name)))
    for index in range(50):
        spec = hybrid_spec(3, 4, f"small {index}")
        (specs / "batch50" / f"s{index:02}.json").write_text(json.dumps(spec))
    for index in range(500):
        spec = hybrid_spec(1, 2, f"tiny {index}")
        (specs / "check500" / f"t{index:03}.json").write_text(json.dumps(spec))
    dots = WORK / "dots"
    shutil.rmtree(dots, ignore_errors=True)
    _ours("render", str(specs / "batch50"), "-o", str(dots), "-f", "dot", "-q")


def _ours(*arguments: str) -> None:
    subprocess.run(
        [str(_python(OURS)), "-m", "diagramgen", *arguments], check=True, stdout=subprocess.DEVNULL
    )


def _timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, check=True, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def interleaved(ours: list[str], reference: list[str], runs: int) -> tuple[float, float]:
    """Return the median seconds of ours and of the reference, run alternately."""
    scratch = WORK / "scratch"
    scratch.mkdir(exist_ok=True)
    mine, theirs = [], []
    for _ in range(runs):
        mine.append(_timed(ours, scratch))
        theirs.append(_timed(reference, scratch))
    return statistics.median(mine), statistics.median(theirs)


def peak_memory(command: list[str]) -> tuple[float, float]:
    """Return (seconds, peak MiB) of one run, measured apart.

    The peak is the largest sum of the resident memory of the process and its children
    (diagramgen's engine process holds Graphviz's memory), sampled every 5 ms from /proc; shared
    libraries count once per process, so it errs high. Without /proc: the largest process.
    """
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=WORK, stdout=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        pids = [process.pid, *_children(process.pid)]
        peak = max(peak, sum(_resident_kib(pid) for pid in pids))
        time.sleep(0.005)
    seconds = time.perf_counter() - started
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    if not peak:  # no /proc
        import resource

        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, peak / 1024


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in found.split()]


def _resident_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def growth() -> list[tuple[int, float, float]]:
    """Return (containers, validation s, totals s) for growing specs, measured in-process."""
    code = (
        "import json, sys, time\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from run import hybrid_spec\n"
        "from diagramgen import load_text\n"
        "from diagramgen.accounting import compute\n"
        "load_text(json.dumps(hybrid_spec(1, 2, 'warm')))\n"
        "for vms in (1, 10, 100, 1000):\n"
        "    text = json.dumps(hybrid_spec(vms, 10, 'g'))\n"
        "    times = []\n"
        "    for _ in range(3):\n"
        "        a = time.perf_counter(); spec = load_text(text); b = time.perf_counter()\n"
        "        compute(spec); c = time.perf_counter(); times.append((b - a, c - b))\n"
        "    times.sort()\n"
        "    print(vms * 10, times[1][0], times[1][1])\n"
    )
    done = subprocess.run(
        [str(_python(OURS)), "-c", code, str(HERE)], check=True, capture_output=True, text=True
    )
    return [
        (int(n), float(v), float(t))
        for n, v, t in (line.split() for line in done.stdout.splitlines())
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per measurement (median)")
    arguments = parser.parse_args()
    setup()
    workloads()
    specs = WORK / "specs"
    ours = [str(OURS / "bin" / "diagramgen"), "render"]
    diagrams = [str(_python(PEERS)), str(HERE / "peers" / "diagrams_stack.py")]
    rows = []

    def row(name: str, mine: float, theirs: float, goal: float, reference: str) -> None:
        ratio = mine / theirs
        verdict = "met" if ratio <= goal else "NOT met"
        rows.append(
            (
                name,
                f"{mine * 1000:.0f} ms",
                f"{theirs * 1000:.0f} ms ({reference})",
                f"{ratio:.2f}x",
                f"<= {goal}x",
                verdict,
            )
        )

    runs = arguments.runs
    mine, theirs = interleaved(
        [*ours, str(specs / "small.json"), "-o", "out", "--force", "-q"],
        [*diagrams, "3", "4", "small"],
        runs,
    )
    row("small hybrid (3 VMs x 4) to SVG", mine, theirs, 1.25, "diagrams")
    mine, theirs = interleaved(
        [str(OURS / "bin" / "diagramgen"), "validate", str(specs / "small.json"), "-q"],
        [*ours, str(specs / "small.json"), "-o", "out", "--force", "-q"],
        runs,
    )
    row("validate the small hybrid", mine, theirs, 0.5, "our render of it")
    mine, theirs = interleaved(
        [*ours, str(specs / "medium.json"), "-o", "out", "--force", "-q"],
        [*diagrams, "40", "12", "medium"],
        max(3, runs // 2),
    )
    row("medium hybrid (40 VMs x 12) to SVG", mine, theirs, 0.75, "diagrams")
    loop = ["sh", "-c", f'for f in {WORK / "dots"}/*.dot; do dot -Tsvg "$f" -o "$f.svg"; done']
    mine, theirs = interleaved(
        [*ours, str(specs / "batch50"), "-o", "out50", "--force", "-q"], loop, max(3, runs // 2)
    )
    row("50 small specs, one call", mine, theirs, 0.5, "dot -Tsvg loop")
    _ours("render", str(specs / "check500"), "-o", str(WORK / "out500"), "-q")
    checks = [
        _timed([*ours, str(specs / "check500"), "-o", str(WORK / "out500"), "--check", "-q"], WORK)
        for _ in range(runs)
    ]
    check = statistics.median(checks)
    large = [
        peak_memory([*ours, str(specs / "large.json"), "-o", "out", "--force", "-q"])
        for _ in range(3)
    ]
    seconds = statistics.median(run[0] for run in large)
    mebibytes = max(run[1] for run in large)
    curve = growth()

    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, "
        f"{_dot_version()}; {runs} runs per figure, medians, ours interleaved with the reference.",
        "",
        "| workload | diagramgen | reference | ratio | goal | |",
        "| --- | --- | --- | --- | --- | --- |",
        *(f"| {' | '.join(row)} |" for row in rows),
        f"| `render --check`, 500 specs unchanged | {check * 1000:.0f} ms | - | - | <= 1000 ms | "
        f"{'met' if check <= 1 else 'NOT met'} |",
        f"| 1,000 VMs x 10 containers to SVG | {seconds:.2f} s, {mebibytes:.0f} MiB peak | - | - | "
        f"<= 5 s, <= 512 MiB | {'met' if seconds <= 5 and mebibytes <= 512 else 'NOT met'} |",
        "",
        "Validation and totals (in-process) by spec size:",
        "",
        "| containers | validate | per container | totals | per container |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {n} | {v * 1000:.1f} ms | {v / n * 1e6:.0f} us "
            f"| {t * 1000:.1f} ms | {t / n * 1e6:.0f} us |"
            for n, v, t in curve
        ),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    (WORK / "latest.md").write_text(text)


def _dot_version() -> str:
    done = subprocess.run(["dot", "-V"], capture_output=True, text=True, check=False)
    return done.stderr.strip().split(" (")[0]


if __name__ == "__main__":
    main()
