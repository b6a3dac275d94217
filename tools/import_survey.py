"""Run the importers over checkouts of real repositories and count what happens.

Every Compose file (``compose.yaml``, ``docker-compose*.yml`` …) is imported alone, and every
folder holding Kubernetes manifests is imported as ``kubectl apply -f FOLDER`` reads it. Each
run ends one of three ways: imported (a spec that ``validate`` accepts), refused (exit 1, every
line naming an input file), or anything else (a traceback, another exit code, a problem in
``<imported spec>``: a spec the import should not have written) — which is a bug to look at.

Run: python tools/import_survey.py CHECKOUT... [--show refused|other]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

COMPOSE = re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$")
KINDS = re.compile(
    r"^kind:\s*(Deployment|StatefulSet|DaemonSet|ReplicaSet|Job|CronJob|Pod|Prometheus|"
    r"Alertmanager|List)\s*$",
    re.M,
)


def _runs(root: Path) -> list[tuple[str, list[str]]]:
    """Return (label, import arguments) for every Compose file and manifests folder."""
    runs: list[tuple[str, list[str]]] = []
    folders: set[Path] = set()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in path.parts):
            continue
        if COMPOSE.match(path.name):
            runs.append((str(path), ["compose", str(path)]))
        elif path.suffix in (".yaml", ".yml", ".json") and path.stat().st_size < 8_000_000:
            text = path.read_text("utf-8", "replace")
            if KINDS.search(text) and "{{" not in text:
                folders.add(path.parent)
    runs += [(str(folder), ["kubernetes", str(folder)]) for folder in sorted(folders)]
    return runs


def _import(arguments: list[str], out: Path) -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "diagramgen", "import", *arguments, "-o", str(out), "--force"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors = done.stderr
    if "Traceback" in errors or "<imported spec>" in errors or done.returncode not in (0, 1):
        return "other", errors
    if done.returncode == 1:
        return "refused", errors
    checked = subprocess.run(
        [sys.executable, "-m", "diagramgen", "validate", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return ("imported", "") if checked.returncode == 0 else ("other", checked.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="+", type=Path)
    parser.add_argument("--show", choices=["refused", "other"], action="append", default=[])
    options = parser.parse_args()
    counts: Counter[tuple[str, str]] = Counter()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "spec.yaml"
        for checkout in options.checkouts:
            for label, arguments in _runs(checkout):
                outcome, errors = _import(arguments, out)
                counts[(arguments[0], outcome)] += 1
                if outcome in options.show:
                    first = errors.strip().splitlines()[:2]
                    print(f"{outcome}: {label}\n    " + "\n    ".join(first))
    for importer in ("compose", "kubernetes"):
        row = {o: counts[(importer, o)] for o in ("imported", "refused", "other")}
        total = sum(row.values())
        print(f"{importer:<11} {total:>4} runs: " + ", ".join(f"{n} {o}" for o, n in row.items()))
    return 1 if any(outcome == "other" for _, outcome in counts) else 0


if __name__ == "__main__":
    raise SystemExit(main())
