"""``diagramgen import``: the command writes a spec that validates, totals and renders."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from diagramgen import load, totals

from .conftest import DATA, cli_process, cli_text

COMPOSE = DATA / "import" / "compose"
KUBERNETES = DATA / "import" / "kubernetes"
PODS = KUBERNETES / "pods.json"
MIB = 1024**2


def test_import_compose_writes_a_spec_that_renders(tmp_path: Path) -> None:
    spec = tmp_path / "stack.yaml"
    done = cli_text(
        "import",
        "compose",
        str(COMPOSE / "compose.yaml"),
        str(COMPOSE / "compose.override.yaml"),
        "--docker-info",
        str(COMPOSE / "docker-info.json"),
        "--images",
        str(COMPOSE / "images.jsonl"),
        "-o",
        str(spec),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    notes = done.stderr.splitlines()
    # Each note names its source place; the last line says where the spec went.
    assert any(line.startswith(f"{COMPOSE / 'compose.yaml'}:") for line in notes)
    assert notes[-1] == f"wrote {spec}; draw it with: diagramgen render {spec}"
    host = totals(load(spec)).hosts[0]
    # By hand (tests/test_import_compose.py): reservations 750m and 1792 MiB with the override.
    assert host.reserved.cpu.value == 750
    assert host.reserved.memory.value == 1792 * MIB
    rendered = cli_text("render", str(spec), "-o", str(tmp_path / "out"), "-f", "svg,png")
    assert rendered.returncode == 0, rendered.stderr
    assert (tmp_path / "out" / "stack.svg").exists()


def test_import_compose_to_stdout_and_as_json(tmp_path: Path) -> None:
    yaml_out = cli_text("import", "compose", str(COMPOSE / "compose.yaml"))
    assert yaml_out.returncode == 0 and yaml_out.stdout.startswith("version: 1\n")
    target = tmp_path / "stack.json"
    as_json = cli_text("import", "compose", str(COMPOSE / "compose.yaml"), "-o", str(target))
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(target.read_text())["version"] == 1
    again = cli_text("import", "compose", str(COMPOSE / "compose.yaml"), "-o", str(target))
    assert again.returncode == 2 and "already exists; use --force" in again.stderr


def test_import_kubernetes_from_a_cluster_dump(tmp_path: Path) -> None:
    spec = tmp_path / "cluster.yaml"
    done = cli_text(
        "import",
        "kubernetes",
        "--nodes",
        str(KUBERNETES / "nodes.json"),
        "--pods",
        str(KUBERNETES / "pods.json"),
        "-o",
        str(spec),
    )
    assert done.returncode == 0, done.stderr
    model = load(spec)
    assert len(model.hosts) == 3 and all(host.stack == "container" for host in model.hosts)
    assert cli_text("validate", str(spec)).returncode == 0


def test_import_errors_are_one_line_each_and_exit_1(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text("services:\n  web: [\n")
    done = cli_text("import", "compose", str(broken))
    assert done.returncode == 1
    assert done.stderr.startswith(f"{broken}:")
    assert "Traceback" not in done.stderr
    nothing = cli_text("import", "kubernetes")
    assert nothing.returncode == 2
    assert "give manifests, or --pods" in nothing.stderr


def test_a_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    for arguments in (
        ["compose", str(tmp_path / "nope.yaml")],
        ["compose", str(COMPOSE / "compose.yaml"), "--images", str(tmp_path / "nope.json")],
        ["kubernetes", "--pods", str(tmp_path / "nope.json")],
    ):
        done = cli_text("import", *arguments)
        assert done.returncode == 2, arguments
        assert (
            done.stderr
            == f"{tmp_path / 'nope'}{Path(arguments[-1]).suffix}: no such file or folder\n"
        )


def test_an_output_under_a_file_is_named_as_the_problem(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    done = cli_text(
        "import", "compose", str(COMPOSE / "compose.yaml"), "-o", str(tmp_path / "afile" / "s.yaml")
    )
    assert done.returncode == 1
    blocked = tmp_path / "afile"
    expected = f"{blocked / 's.yaml'}: cannot write: {blocked} is a file, not a folder\n"
    assert done.stderr.endswith(expected)
    assert "Traceback" not in done.stderr


def test_a_figure_too_large_for_a_spec_fails_at_its_place_in_the_compose_file(
    tmp_path: Path,
) -> None:
    # It was refused as "<imported spec>: /hosts/0/containers/0/limits/cpu: … too large", and a
    # library caller got the invalid document.
    compose = tmp_path / "compose.yaml"
    compose.write_text("services:\n  s:\n    image: x\n    cpus: 9223372036854776.0\n")
    done = cli_text("import", "compose", str(compose))
    assert done.returncode == 1
    assert done.stderr == (
        f"{compose}:4:11: services.s.cpus: '9223372036854776.0' is too large: a spec's figures"
        " are at most 2^63 - 1 millicores\n"
    )


def test_inputs_are_read_bounded_and_only_if_they_are_files(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "compose.yaml"
    os.mkfifo(fifo)
    done = cli_text("import", "compose", str(fifo))
    assert (done.returncode, done.stderr) == (
        1,
        f"{fifo}: is a FIFO (named pipe), not a regular file; only files are read\n",
    )
    zero = tmp_path / "pods.json"
    zero.symlink_to("/dev/zero")
    done = cli_text("import", "kubernetes", "--pods", str(zero))
    assert done.stderr == f"{zero}: is a device, not a regular file; only files are read\n"
    big = tmp_path / "big.yaml"
    big.write_text("services:\n" + "".join(f"  s{i}: {{image: x}}\n" for i in range(100)))
    done = cli_text("import", "compose", str(big), "--limit", "input-bytes=1000")
    assert (done.returncode, done.stderr) == (
        1,
        f"{big}: holds {big.stat().st_size:,} bytes or more; the input-bytes limit is 1,000;"
        " change it with --limit input-bytes=N\n",
    )
    done = cli_text("import", "compose", str(big), "--limit", "components=50")
    assert done.returncode == 1
    # Refused where the 51st service stands, before the other 49 are read.
    assert done.stderr == (
        f"{big}:52:3: holds more than 50 entries here; the components limit is 50;"
        " change it with --limit components=N\n"
    )
    big.write_text(json.dumps({"services": {f"s{i}": {"image": "x"} for i in range(100)}}))
    done = cli_text("import", "compose", str(big), "--limit", "components=50")
    assert done.stderr == (
        f"{big}:1:2: services: has 100 services; the components limit is 50;"
        " change it with --limit components=N\n"
    )


# --- hostile inputs: every input file, every way it can be broken ----------------------------
#
# The command line names six kinds of input: Compose files, --docker-info and --images;
# manifests, --nodes and --pods. Each must end in one line naming the file and the place. An
# import reads all its inputs before it stops, so one run shows the problem of each.

INPUTS = ("compose.yaml", "info.json", "images.jsonl", "w.yaml", "nodes.json", "pods.json")


def _commands(tmp_path: Path, make: Callable[[Path], object]) -> list[list[str]]:
    """Make every input with ``make(path)``; return the three commands that read them all."""
    for name in INPUTS:
        make(tmp_path / name)
    at = {name: str(tmp_path / name) for name in INPUTS}
    return [
        [
            *("import", "compose", at["compose.yaml"]),
            *("--docker-info", at["info.json"], "--images", at["images.jsonl"]),
        ],
        ["import", "kubernetes", at["w.yaml"], "--nodes", at["nodes.json"]],
        ["import", "kubernetes", "--pods", at["pods.json"]],
    ]


def _refused(tmp_path: Path, make: Callable[[Path], object], run: Callable[..., Any]) -> list[str]:
    """Return the lines on stderr of the three commands, each of which must fail."""
    lines = []
    for command in _commands(tmp_path, make):
        done = run(*command)
        stderr = done.stderr if isinstance(done.stderr, str) else done.stderr.decode()
        assert done.returncode == 1, stderr
        assert "Traceback" not in stderr
        lines += stderr.splitlines()
    return sorted(lines)


def test_every_input_that_is_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    # A FIFO with no writer: opening it to read would wait for one. Each command runs in a
    # process of its own with a timeout, only so that a hang fails the test, not the run.
    def run(*command: str) -> Any:
        return cli_process(*command, timeout=120)

    lines = _refused(tmp_path, lambda path: os.mkfifo(path), run)
    message = "is a FIFO (named pipe), not a regular file; only files are read"
    assert lines == sorted(f"{tmp_path / name}: {message}" for name in INPUTS)


def test_every_input_that_is_a_link_to_dev_zero_is_refused(tmp_path: Path) -> None:
    lines = _refused(tmp_path, lambda path: path.symlink_to("/dev/zero"), cli_text)
    message = "is a device, not a regular file; only files are read"
    assert lines == sorted(f"{tmp_path / name}: {message}" for name in INPUTS)


NESTED = "is nested more than 100 levels deep; an import reads at most 100 levels"


def _nested(
    levels: int, block: bool, places: dict[str, tuple[int, int]]
) -> Callable[[Path], object]:
    """Return what writes an input nested ``levels`` deep in its syntax, in flow style
    (``a: [[[…]]]``, JSON on one line) or in block style (YAML indented, JSON as ``json.dumps``
    indents); ``places`` gets where its 101st level opens. JSON lines stay on one line."""

    def make(path: Path) -> object:
        if block and path.suffix == ".yaml":  # mappings, one space a level
            places[path.name] = (101, 101)
            return path.write_text("".join(f"{' ' * i}k{i}:\n" for i in range(levels)))
        if block and path.suffix == ".json":  # as `kubectl … -o json` writes
            places[path.name] = (101, 101)
            return path.write_text("".join(" " * i + "[\n" for i in range(levels)))
        prefix = "a: " if path.suffix == ".yaml" else '{"a": '
        places[path.name] = (1, len(prefix) + 100)
        end = "" if path.suffix == ".yaml" else "}"
        return path.write_text(prefix + "[" * levels + "]" * levels + end + "\n")

    return make


@pytest.mark.parametrize(("levels", "block"), [(20_000, False), (1_500, True), (900, False)])
def test_inputs_nested_too_deeply_are_refused_at_the_place(
    tmp_path: Path, levels: int, block: bool
) -> None:
    # It was a RecursionError's traceback (in ruamel.yaml, in json, or in the importer's own
    # walks), or, from JSON, "nested too deeply" without a place.
    places: dict[str, tuple[int, int]] = {}
    lines = _refused(tmp_path, _nested(levels, block, places), cli_text)
    assert lines == sorted(
        f"{tmp_path / name}:{line}:{column}: {NESTED}" for name, (line, column) in places.items()
    )


def test_inputs_nested_to_the_limit_are_read(tmp_path: Path) -> None:
    # services (level 2), a (3), then 97 lists: the innermost at level 100.
    compose = tmp_path / "compose.yaml"
    compose.write_text(f"services:\n  a:\n    image: x\n    x-deep: {'[' * 97}{']' * 97}\n")
    # items (2), the pod (3), metadata (4), annotations (5), then 95 lists.
    pods = json.loads(PODS.read_text())
    pods["items"][0]["metadata"]["annotations"] = {"deep": json.loads("[" * 95 + "]" * 95)}
    (tmp_path / "pods.json").write_text(json.dumps(pods))
    for command in (
        ["compose", str(compose)],
        ["kubernetes", "--pods", str(tmp_path / "pods.json")],
    ):
        done = cli_text("import", *command)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("version: 1\n")


LONG = "9" * 5000
TOO_LONG = "is a number of more than 4,300 digits; too long to read"
POD = (
    "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n"
    "    resources:\n      limits:\n        cpu: %s\n"
)


def _place(text: str, start: str) -> str:
    """Return ``LINE:COLUMN`` (1-based) of the first ``start`` in ``text``."""
    index = text.index(start)
    return f"{text.count(chr(10), 0, index) + 1}:{index - text.rfind(chr(10), 0, index)}"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("compose.yaml", f"services:\n  a:\n    image: x\n    mem_limit: {LONG}\n"),
        ("compose.yaml", f"services:\n  a:\n    image: x\n    scale: {LONG}\n"),
        # 4,000 hex digits are read, but the number has 4,817 digits in decimal.
        ("compose.yaml", f"services:\n  a:\n    image: x\n    cpus: 0x{'f' * 4000}\n"),
        ("compose.json", f'{{"services": {{"a": {{"image": "x", "cpus": {LONG}}}}}}}'),
        ("w.yaml", POD % LONG),
        ("w.yaml", f"kind: Deployment\nmetadata: {{name: d, generation: {LONG}}}\n"),
    ],
)
def test_a_number_too_long_to_read_is_refused_at_its_place(
    tmp_path: Path, name: str, text: str
) -> None:
    # Python refuses to convert an integer of more than 4,300 digits to or from text: the
    # ValueError ("Exceeds the limit (4300 digits) for integer string conversion") came out
    # as a traceback, from ruamel.yaml, json or the importer's messages.
    path = tmp_path / name
    path.write_text(text)
    done = cli_text("import", "compose" if "compose" in name else "kubernetes", str(path))
    place = _place(text, "0x" if "0x" in text else LONG)
    assert (done.returncode, done.stderr) == (1, f"{path}:{place}: {TOO_LONG}\n")


@pytest.mark.parametrize(
    ("option", "text"),
    [
        ("--docker-info", f'{{"ServerVersion": "27.1", "NCPU": {LONG}}}'),
        ("--images", f'{{"RepoTags": ["x:1"], "Size": 1}}\n{{"Size": {LONG}}}\n'),
        ("--images", f'[{{"RepoTags": ["x:1"], "Size": {LONG}}}]'),
        ("--nodes", f'{{"kind": "Node", "status": {{"capacity": {{"cpu": {LONG}}}}}}}'),
        ("--pods", f'{{"kind": "List", "items": [{{"kind": "Pod", "n": {LONG}}}]}}'),
    ],
)
def test_a_number_too_long_to_read_is_refused_in_every_input(
    tmp_path: Path, option: str, text: str
) -> None:
    path = tmp_path / "input.json"
    path.write_text(text)
    command = {
        "--docker-info": ["compose", str(COMPOSE / "compose.yaml")],
        "--images": ["compose", str(COMPOSE / "compose.yaml")],
        "--nodes": ["kubernetes", "--pods", str(PODS)],
        "--pods": ["kubernetes"],
    }[option] + [option, str(path)]
    done = cli_text("import", *command)
    assert (done.returncode, done.stderr) == (1, f"{path}:{_place(text, LONG)}: {TOO_LONG}\n")


@pytest.mark.parametrize(
    ("name", "text", "path"),
    [
        # Numbers Python reads, far too large for their field: shown clipped, not in full.
        (
            "compose.yaml",
            f"services:\n  a:\n    image: x\n    scale: {'9' * 4000}\n",
            "4:12: services.a.scale",
        ),
        (
            "compose.yaml",
            f"services:\n  a:\n    image: x\n    scale: '{LONG}'\n",
            "4:12: services.a.scale",
        ),
        (
            "compose.yaml",
            f"services:\n  a:\n    image: x\n    mem_limit: '{'x' * 5000}'\n",
            "4:16: services.a.mem_limit",
        ),
        (
            "compose.yaml",
            f"services:\n  a:\n    image: x\n    cpus: '-{LONG}'\n",
            "4:11: services.a.cpus",
        ),
        (
            "w.yaml",
            f"kind: Deployment\nmetadata: {{name: d}}\nspec: {{replicas: {'9' * 4000}}}\n",
            "3:18: spec.replicas",
        ),
        (
            "w.yaml",
            f"kind: Deployment\nmetadata: {{name: d}}\nspec: {{replicas: '{LONG}'}}\n",
            "3:18: spec.replicas",
        ),
        ("w.yaml", POD % f"'{LONG}'", "9:14: spec.containers[0].resources.limits.cpu"),
        ("w.yaml", POD % "'1e4300'", "9:14: spec.containers[0].resources.limits.cpu"),
        ("w.yaml", POD % f"'{'x' * 5000}'", "9:14: spec.containers[0].resources.limits.cpu"),
    ],
)
def test_a_huge_figure_is_refused_in_one_short_line(
    tmp_path: Path, name: str, text: str, path: str
) -> None:
    # A 4,000-digit number was written out whole ("9999…999 replicas: a spec runs at most …"),
    # and a 5,000-digit one was a traceback (int() of it, in the replica count).
    file = tmp_path / name
    file.write_text(text)
    done = cli_text("import", "compose" if "compose" in name else "kubernetes", str(file))
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"{file}:{path}: ")
    assert done.stderr.count("\n") == 1 and len(done.stderr) < len(str(file)) + 300, done.stderr
    assert not re.search(r"\d{41}|x{41}", done.stderr), done.stderr


# --- import kubernetes: folders, -, --replicas, --limit (#27) ---------------------------------

SPECIFICATIONS = KUBERNETES / "k8s-specifications"


def test_import_kubernetes_reads_a_folder(tmp_path: Path) -> None:
    spec = tmp_path / "voting.yaml"
    done = cli_text("import", "kubernetes", str(SPECIFICATIONS), "-o", str(spec))
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        f"{SPECIFICATIONS / 'db-deployment.yaml'}: no nodes file: capacity, node OS and runtime"
        " are not known; the workloads are drawn on one host, cluster",
        f"{SPECIFICATIONS / 'db-service.yaml'}:1:1: Service db and 3 more Service objects run no"
        " pods of their own: skipped",
        f"wrote {spec}; draw it with: diagramgen render {spec}",
    ]
    model = load(spec)
    assert model.title == "Kubernetes workloads: k8s-specifications"
    assert [c.id for c in model.hosts[0].containers] == ["db", "redis", "result", "vote", "worker"]


def test_import_kubernetes_reads_subfolders_with_recursive(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "pod.yaml").write_text(
        "kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}\n"
    )
    flat = cli_text("import", "kubernetes", str(tmp_path))
    assert (flat.returncode, flat.stderr) == (
        2,
        f"{tmp_path}: no *.yaml, *.yml, *.json files in this folder (its subfolders are read"
        " only when recursive)\n",
    )
    for flag in ("-R", "--recursive"):
        done = cli_text("import", "kubernetes", flag, str(tmp_path))
        assert done.returncode == 0, done.stderr
        assert "  - id: p\n" in done.stdout


HELM = b"""\
---
# Source: shop/templates/web.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resources:
          limits: {cpu: 250m, memory: 128Mi}
"""


def test_import_kubernetes_reads_standard_input() -> None:
    done = cli_text("import", "kubernetes", "-", stdin=HELM)
    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        "<stdin>: no nodes file: capacity, node OS and runtime are not known; the workloads"
        " are drawn on one host, cluster\n"
    )
    assert "title: 'Kubernetes workloads: stdin'\n" in done.stdout
    assert "        replicas: 2\n" in done.stdout
    empty = cli_text("import", "kubernetes", "-", stdin=b"")
    assert (empty.returncode, empty.stderr) == (1, "<stdin>: is empty\n")
    big = cli_text("import", "kubernetes", "-", "--limit", "input-bytes=100", stdin=HELM)
    assert (big.returncode, big.stderr) == (
        1,
        "<stdin>: holds 101 bytes or more; the input-bytes limit is 100;"
        " change it with --limit input-bytes=N\n",
    )
    twice = cli_text("import", "kubernetes", "-", "-", stdin=HELM)
    assert (twice.returncode, twice.stderr) == (
        2,
        "- (standard input) is given twice; it can be read once\n",
    )


def test_import_kubernetes_replicas_of_an_autoscaled_workload(tmp_path: Path) -> None:
    autoscaled = str(KUBERNETES / "platform" / "autoscaled.yaml")
    least = cli_text("import", "kubernetes", autoscaled)
    assert least.returncode == 0, least.stderr
    assert (
        f"{autoscaled}:31:16: spec.minReplicas: HorizontalPodAutoscaler frontend scales"
        " Deployment shop/frontend from 2 to 10 replicas: drawn with its minimum, 2 (the"
        " manifest gives 3); --replicas max draws the maximum\n"
    ) in least.stderr
    assert "        replicas: 2\n" in least.stdout
    most = cli_text("import", "kubernetes", autoscaled, "--replicas", "max")
    assert most.returncode == 0, most.stderr
    assert "drawn with its maximum, 10 (the manifest gives 3)\n" in most.stderr
    assert "        replicas: 10\n" in most.stdout
    wrong = cli_text("import", "kubernetes", autoscaled, "--replicas", "all")
    assert (wrong.returncode, wrong.stdout, wrong.stderr) == (
        2,
        "",
        "unknown replicas bound 'all'; choose from min, max\n",
    )


def test_import_kubernetes_honours_limits() -> None:
    few = cli_text("import", "kubernetes", str(SPECIFICATIONS), "--limit", "components=4")
    assert (few.returncode, few.stderr) == (
        1,
        f"{SPECIFICATIONS / 'db-deployment.yaml'}: has 5 workloads; the components limit is 4;"
        " change it with --limit components=N\n",
    )
    short = cli_text("import", "kubernetes", str(SPECIFICATIONS), "--limit", "text=30")
    assert short.returncode == 0, short.stderr
    assert "title: 'Kubernetes workloads: k8s-spe…'\n" in short.stdout
    assert "cut to the text limit" not in short.stderr


def test_import_kubernetes_refuses_a_folder_of_crds_in_one_line() -> None:
    crds = KUBERNETES / "crds"
    done = cli_text("import", "kubernetes", str(crds))
    assert (done.returncode, done.stdout, done.stderr) == (
        1,
        "",
        f"{crds}: no pods or workloads to import: the 3 files hold 3 objects, none a workload"
        " (CustomResourceDefinition: 3)\n",
    )


def test_import_kubernetes_help_names_folders_stdin_and_the_new_options() -> None:
    done = cli_text("import", "kubernetes", "--help")
    assert done.returncode == 0
    for text in ("[FILE|FOLDER|-]...", "--recursive", "-R", "--replicas", "--limit"):
        assert text in done.stdout, text
