"""``diagramgen import``: the command writes a spec that validates, totals and renders."""

from __future__ import annotations

import json
from pathlib import Path

from diagramgen import load, totals

from .conftest import DATA, cli_text

COMPOSE = DATA / "import" / "compose"
KUBERNETES = DATA / "import" / "kubernetes"
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
    assert done.stderr == (
        f"{big}:1:1: services: has 100 services; the components limit is 50;"
        " change it with --limit components=N\n"
    )
