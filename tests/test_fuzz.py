"""The whole command-line contract over generated and mutated specs.

For every spec: the exit code is 0, 1 or 2; nothing raises out of ``main`` (no traceback);
every line on stderr belongs to one problem and names its file; nothing on stdout or stderr is
a raw control character (text goes to strict UTF-8 streams, as on a terminal, so a lone
surrogate would crash); each run takes seconds and the process stays within its memory.

CI size by default (a few hundred runs, well under a minute); ``DIAGRAMGEN_FUZZ=nightly``
runs thousands.
"""

from __future__ import annotations

import copy
import io
import json
import os
import resource
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diagramgen.cli import main

from .conftest import DATA
from .strategies import specs

NIGHTLY = os.environ.get("DIAGRAMGEN_FUZZ") == "nightly"
EXAMPLES = 3000 if NIGHTLY else 300

#: Values that have broken diagramgen: control characters, escapes, surrogates, huge and
#: fractional numbers, wrong types, deep nesting.
HOSTILE: list[Any] = [
    "x\nfake.json:1:1: /hosts: forged line",
    "\x1b]0;title\x07\x1b[2J",
    "\udfff",
    "a\ud800b",
    "\x85\u2028\u202e",
    "web-vm\n",
    "]",
    "<b>x</b>",
    "\\N",
    "",
    " ",
    "1GiB\n",
    "500m\n",
    "x" * 5000,
    2.0,
    1e18,
    1e30,
    1e100,
    -1,
    0,
    10**30,
    2**63,
    0.0005,
    True,
    None,
    [],
    {},
    [[[[[[[[[[1]]]]]]]]]],
    {"a": {"b": {"c": {"d": {"e": {}}}}}},
]

hostile = st.sampled_from(HOSTILE)


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """Return a valid spec with a few places replaced by hostile values or keys."""
    return _mutate(draw, draw(specs()))


def _mutate(draw: st.DrawFn, document: Any) -> Any:
    """Return ``document`` (changed in place) with a few places replaced by hostile values or
    keys, or deleted."""
    for _ in range(draw(st.integers(0, 4))):
        places: list[tuple[Any, Any]] = []
        stack: list[Any] = [document]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                places += [(node, key) for key in node]
                stack += node.values()
            elif isinstance(node, list):
                places += [(node, index) for index in range(len(node))]
                stack += node
        if not places:
            break
        parent, key = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["value", "key", "delete"]))
        # A copy: HOSTILE's lists and dicts are shared, and a later step may change what it
        # put in; changing HOSTILE itself would make the next example draw differently.
        if action == "value":
            parent[key] = copy.deepcopy(draw(hostile))
        elif action == "key" and isinstance(parent, dict):
            name = draw(st.sampled_from([h for h in HOSTILE if isinstance(h, str)] + ["$comment"]))
            parent[name] = copy.deepcopy(draw(hostile))
        elif isinstance(parent, dict):
            del parent[key]
    return document


def _run(*argv: str) -> tuple[int, str, str, float]:
    """Run ``main`` with stdout and stderr as strict UTF-8 byte streams, as a terminal has."""
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", errors="strict", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", errors="strict", write_through=True)
    started = time.monotonic()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        code = main(list(argv))
    stdout.flush()
    stderr.flush()
    return code, out.getvalue().decode(), err.getvalue().decode(), time.monotonic() - started


def _check(code: int, stdout: str, stderr: str, seconds: float, file: str) -> None:
    assert code in (0, 1, 2)
    for text in (stdout, stderr):
        assert "Traceback" not in text
        raw = [ch for ch in text if ch != "\n" and (ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F)]
        assert raw == [], text[:300]
        assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)
    for line in stderr.splitlines():
        assert line.startswith((file, "note:", "rendered ", "checked ", "wrote ")), line[:200]
    assert seconds < 20


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(document=mutated(), command=st.sampled_from(["validate", "totals", "json", "render"]))
def test_the_contract_holds_for_mutated_specs(document: dict[str, Any], command: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        _mutated(Path(folder), document, command)


def _mutated(tmp_path: Path, document: dict[str, Any], command: str) -> None:
    path = tmp_path / "spec.json"
    text = json.dumps(document, ensure_ascii=True)  # lone surrogates as \\udfff escapes
    path.write_text(text)
    argv = {
        "validate": ["validate", str(path)],
        "totals": ["totals", str(path)],
        "json": ["totals", str(path), "--json"],
        "render": ["render", str(path), "-o", str(tmp_path / "out"), "-f", "dot", "-q"],
    }[command]
    code, stdout, stderr, seconds = _run(*argv)
    _check(code, stdout, stderr, seconds, str(tmp_path))
    if code == 0 and command == "json":
        json.loads(stdout)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.binary(max_size=2000))
def test_the_contract_holds_for_random_bytes(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bytes.json"
        path.write_bytes(data)
        code, stdout, stderr, seconds = _run("validate", str(path))
        _check(code, stdout, stderr, seconds, str(path))
        assert code == 1


# --- the importers: our error or a valid spec, never a traceback -------------------------

IMPORTS = DATA / "import"


def _yaml_documents(path: Path) -> list[Any]:
    from ruamel.yaml import YAML

    return list(YAML(typ="safe", pure=True).load_all(path.read_text()))


#: Real-shaped inputs to mutate: a Compose file, Kubernetes manifests, and a cluster's dumps.
COMPOSE = _yaml_documents(IMPORTS / "compose" / "compose.yaml")[0]
MANIFESTS = _yaml_documents(IMPORTS / "kubernetes" / "workloads.yaml")
NODES = json.loads((IMPORTS / "kubernetes" / "nodes.json").read_text())
PODS = json.loads((IMPORTS / "kubernetes" / "pods.json").read_text())
DOCKER_INFO = json.loads((IMPORTS / "compose" / "docker-info.json").read_text())


@st.composite
def imports(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """Return an importer and its inputs by file name, one or two of them mutated."""
    importer = draw(st.sampled_from(["compose", "manifests", "cluster"]))
    inputs: dict[str, Any] = {
        "compose": {"compose.yaml": [COMPOSE], "info.json": DOCKER_INFO},
        "manifests": {"workloads.yaml": MANIFESTS},
        "cluster": {"nodes.json": NODES, "pods.json": PODS},
    }[importer]
    inputs = copy.deepcopy(inputs)
    for name in draw(st.lists(st.sampled_from(sorted(inputs)), min_size=1, max_size=2)):
        inputs[name] = _mutate(draw, inputs[name])
    return importer, inputs


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(imports())
def test_the_contract_holds_for_mutated_imports(generated: tuple[str, dict[str, Any]]) -> None:
    import tempfile

    importer, inputs = generated
    with tempfile.TemporaryDirectory() as folder:
        _imported(Path(folder), importer, inputs)


def _imported(tmp_path: Path, importer: str, inputs: dict[str, Any]) -> None:
    from ruamel.yaml import YAML

    at = {name: str(tmp_path / name) for name in inputs}
    for name, value in inputs.items():
        if name.endswith(".yaml"):
            # YAML in JSON's flow style, every document of the file: strings escaped as
            # JSON escapes them (a lone surrogate as \udfff, which YAML reads back).
            text = "\n---\n".join(json.dumps(v, ensure_ascii=True) for v in value)
        else:
            text = json.dumps(value, ensure_ascii=True)
        Path(at[name]).write_text(text)
    spec = tmp_path / "spec.yaml"
    if importer == "compose":
        argv = ["compose", at["compose.yaml"], "--docker-info", at["info.json"]]
    elif importer == "manifests":
        argv = ["kubernetes", at["workloads.yaml"]]
    else:
        argv = ["kubernetes", "--nodes", at["nodes.json"], "--pods", at["pods.json"]]
    code, stdout, stderr, seconds = _run("import", *argv, "-o", str(spec))
    _check(code, stdout, stderr, seconds, str(tmp_path))
    if code == 0:
        assert spec.is_file()
        # What an import writes passes its own check: validate finds nothing to refuse.
        checked = _run("validate", str(spec))
        assert checked[0] == 0, checked[2][:500]
        assert YAML(typ="safe", pure=True).load(spec.read_text())
    else:
        assert not spec.exists()


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in KiB is Linux's")
def test_the_fuzzing_process_stayed_within_its_memory() -> None:
    # Runs after the fuzz tests above, in the same process.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1536 * 1024
