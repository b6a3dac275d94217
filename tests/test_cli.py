from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import typer

from diagramgen import __version__, load
from diagramgen.cli import app

from .conftest import DATA, ROOT, cli, cli_on_terminal, cli_text, example_specs

INVALID = DATA / "invalid"


run = cli_text


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout == f"diagramgen {__version__}\n"
    assert result.stderr == ""


def test_validate_examples_exit_0_and_report_on_stdout() -> None:
    paths = [str(p.relative_to(ROOT)) for p in example_specs()]
    result = run("validate", *paths)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines()[0].startswith(f"{paths[0]}: valid (")
    assert len(result.stdout.splitlines()) == len(paths)


def test_validate_quiet_prints_nothing() -> None:
    result = run("validate", "-q", "specs/vm.json")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_invalid_spec_exits_1_with_errors_on_stderr_only() -> None:
    path = INVALID / "units-bad.json"
    result = run("validate", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    expected = path.with_suffix(".expected").read_text().replace("units-bad.json", str(path))
    assert result.stderr == expected
    assert "Traceback" not in result.stderr


def test_every_invalid_case_exits_1_without_traceback() -> None:
    paths = [str(p) for p in sorted(INVALID.glob("*.json"))]
    result = run("validate", *paths)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    reported = {line.split(":", 1)[0] for line in result.stderr.splitlines()}
    assert reported == set(paths)


def test_valid_and_invalid_together_still_reports_both() -> None:
    result = run("validate", "specs/vm.json", str(INVALID / "link-self.json"))
    assert result.returncode == 1
    assert "specs/vm.json: valid" in result.stdout
    assert "link-self.json:5:35: /links/0/to:" in result.stderr


@pytest.mark.parametrize(
    "args",
    [("validate", "no-such-file.json"), ("validate",), ("bogus",), ("init", "--stack", "kvm", "-")],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_names_it() -> None:
    result = run("validate", "no-such-file.json")
    assert result.stderr == "no-such-file.json: no such file or folder\n"


def test_validate_takes_folders_and_an_empty_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.endswith(": no spec files (*.json, *.yaml, *.yml) here\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "vm.json").write_bytes((ROOT / "specs" / "vm.json").read_bytes())
    (tmp_path / "bad.json").write_text("{}")
    both = run("validate", str(tmp_path))
    assert both.returncode == 1
    assert (
        both.stdout
        == f"{tmp_path / 'sub' / 'vm.json'}: valid (1 host, 3 VMs, 0 containers, 3 apps)\n"
    )
    assert both.stderr.startswith(f"{tmp_path / 'bad.json'}:")


def test_validate_reads_stdin() -> None:
    result = run("validate", "-", stdin=b'{"version": 1, "hosts": []}')
    assert result.returncode == 1
    assert result.stderr == "<stdin>:1:25: /hosts: must have at least one item\n"
    good = run("validate", "-", stdin=(ROOT / "specs" / "vm.json").read_bytes())
    assert good.returncode == 0
    assert good.stdout.startswith("<stdin>: valid")


def test_schema_prints_the_packaged_schema() -> None:
    result = run("schema")
    assert result.returncode == 0
    assert result.stderr == ""
    assert json.loads(result.stdout)["$id"] == "urn:diagramgen:spec:v1"


@pytest.mark.parametrize("stack", ["vm", "container", "hybrid"])
def test_init_writes_a_starter_that_validates(tmp_path: Path, stack: str) -> None:
    target = tmp_path / "sub" / "my.json"
    result = run("init", "--stack", stack, str(target))
    assert result.returncode == 0, result.stderr
    assert str(target) in result.stdout
    assert {host.stack for host in load(target).hosts} == {stack}
    assert [p.name for p in target.parent.iterdir()] == ["my.json"]  # no temp file left


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "spec.json"
    target.write_text("mine")
    result = run("init", str(target))
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert target.read_text() == "mine"
    forced = run("init", "--force", str(target))
    assert forced.returncode == 0
    load(target)


def test_init_default_path_is_in_the_current_folder(tmp_path: Path) -> None:
    result = run("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    load(tmp_path / "spec.json")


def test_every_command_has_help_text() -> None:
    for command in app.registered_commands:
        assert command.callback is not None
        assert command.callback.__doc__, command.name
        result = run(command.callback.__name__, "--help")
        assert result.returncode == 0
        assert "Usage:" in result.stdout


def test_totals_table_fits_80_columns_without_colour_when_piped() -> None:
    for path in example_specs():
        result = run("totals", str(path.relative_to(ROOT)))
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        assert "\x1b[" not in result.stdout
        assert max(len(line) for line in result.stdout.splitlines()) <= 80
    table = run("totals", "specs/vms-vs-containers.json").stdout
    assert "Host As VMs (vmhost)  vm stack, 4 OS copies" in table
    assert "No warnings\n9 figures not given: totals marked ≥ (--verbose lists them)\n" in table


def test_totals_json_has_the_documented_keys() -> None:
    result = run("totals", "specs/hybrid.json", "--json")
    assert result.returncode == 0
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert set(data) >= {"diagram", "hosts", "vms", "warnings"}
    assert set(data["diagram"]) >= {
        "hosts",
        "vms",
        "containers",
        "apps",
        "os_copies",
        "os_overhead",
        "image_disk",
    }
    assert set(data["diagram"]["image_disk"]) >= {"unique", "naive"}
    host = data["hosts"][0]
    assert set(host) >= {"id", "capacity", "committed", "overcommit", "os_copies"}
    assert set(data["vms"][0]) >= {"id", "host", "allocated", "used"}
    assert set(data["warnings"][0]) == {"code", "severity", "pointer", "message"}
    assert {w["severity"] for w in data["warnings"]} <= {"warning", "info"}
    assert host["committed"]["unknown"]["cpu"] >= 1  # the OS and hypervisor CPU are unknown


def test_totals_colour_only_on_a_terminal_and_without_no_color() -> None:
    base = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    _, coloured = cli_on_terminal("totals", "specs/container.json", stream="stdout", env=base)
    _, plain = cli_on_terminal(
        "totals", "specs/container.json", stream="stdout", env={**base, "NO_COLOR": "1"}
    )
    assert b"\x1b[" in coloured
    assert b"\x1b[" not in plain


def test_totals_of_an_invalid_spec_gives_the_validation_errors() -> None:
    path = INVALID / "link-self.json"
    result = run("totals", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"{path}:5:35: /links/0/to:")


def test_totals_of_a_missing_file_is_a_usage_error() -> None:
    result = run("totals", "nope.json")
    assert (result.returncode, result.stderr) == (2, "nope.json: no such file or folder\n")


@pytest.mark.parametrize(
    ("argv", "code", "stream", "text"),
    [
        (["--version"], 0, "out", f"diagramgen {__version__}\n"),
        (["validate", "specs/vm.json"], 0, "out", "specs/vm.json: valid ("),
        (["validate", "tests/data/invalid/unknown-key.json"], 1, "err", "unknown-key.json:5:58:"),
        (["validate", "nope.json"], 2, "err", "nope.json: no such file or folder\n"),
        (["render", "specs/vm.json", "-f", "gif"], 2, "err", "unknown format 'gif'"),
        (["render", "specs/vm.json", "--theme", "neon"], 2, "err", "unknown theme 'neon'"),
        (["render", "specs/vm.json", "--engine", "x"], 2, "err", "unknown engine 'x'"),
        (["render", "--no-such-option"], 2, "err", "No such option"),
        (["totals", "specs/vm.json", "--limit", "nope=1"], 2, "err", "unknown limit 'nope'"),
        (["frobnicate"], 2, "err", "No such command"),
    ],
)
def test_main_returns_every_exit_code_in_process(
    argv: list[str], code: int, stream: str, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from diagramgen.cli import main

    os.chdir(ROOT)
    assert main(argv) == code
    captured = capsys.readouterr()
    shown = captured.out if stream == "out" else captured.err
    assert text in shown
    other = captured.err if stream == "out" else captured.out
    assert other == ""


def test_render_from_stdin_refuses_an_output_folder(tmp_path: Path) -> None:
    spec = (ROOT / "specs" / "vm.json").read_bytes()
    result = cli_text("render", "-", "-o", str(tmp_path), stdin=spec)
    assert (result.returncode, result.stderr) == (
        2,
        "with - (stdin), give exactly one format: the picture goes to stdout "
        "(no -o, --check or --watch)\n",
    )


def _commands() -> list[list[str]]:
    """Return every command of the app, the import sub-commands included, as found in it."""

    def name(info: typer.models.CommandInfo) -> str:
        assert info.callback is not None
        return info.name or info.callback.__name__.replace("_", "-")

    found = [[name(info)] for info in app.registered_commands]
    for group in app.registered_groups:
        assert group.name is not None and group.typer_instance is not None
        found += [[group.name, name(info)] for info in group.typer_instance.registered_commands]
    return found


def test_help_works_as_h_and_every_command_shows_examples() -> None:
    commands = _commands()
    assert ["watch"] in commands and ["import", "kubernetes"] in commands, commands
    for command in commands:
        result = run(*command, "-h")
        assert result.returncode == 0, command
        assert "Examples:" in result.stdout, command


def test_totals_takes_folders_and_globs(tmp_path: Path) -> None:
    folder = run("totals", "specs/compare")
    assert folder.returncode == 0, folder.stderr
    assert folder.stdout.startswith("== specs/compare/as-containers.json ==\nThree apps as")
    assert "\n== specs/compare/as-vms.json ==\nThree apps as VMs\n" in folder.stdout
    data = json.loads(run("totals", "specs/compare/*.json", "--json").stdout)
    assert list(data) == ["specs/compare/as-containers.json", "specs/compare/as-vms.json"]
    assert data["specs/compare/as-vms.json"]["diagram"]["vms"] == 3
    (tmp_path / "good.json").write_bytes((ROOT / "specs" / "vm.json").read_bytes())
    (tmp_path / "bad.json").write_text("{}")
    mixed = run("totals", str(tmp_path))
    assert mixed.returncode == 1
    assert f"== {tmp_path / 'good.json'} ==" in mixed.stdout
    assert mixed.stderr.startswith(f"{tmp_path / 'bad.json'}:")


def test_check_of_standard_input_is_refused(tmp_path: Path) -> None:
    check = cli(
        "render", "-", "--check", cwd=tmp_path, stdin=(ROOT / "specs" / "vm.json").read_bytes()
    )
    assert check.returncode == 2 and b"--check" in check.stderr


def test_an_output_folder_under_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    spec = str(ROOT / "specs" / "vm.json")
    done = cli("render", spec, "-o", "afile/sub", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == b"afile/sub: afile is a file; -o takes a folder\n"
    compared = cli("compare", spec, spec, "-o", "afile/x", cwd=tmp_path)
    assert compared.returncode == 1
    assert compared.stderr == b"afile/x.svg: cannot write: afile is a file, not a folder\n"
    assert (tmp_path / "afile").read_text() == "x"


def test_init_refuses_a_format_the_file_name_contradicts(tmp_path: Path) -> None:
    done = cli("init", "--format", "yaml", "x.json", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        b"x.json: would be read as JSON, not YAML; name it x.yaml or leave out the format\n"
    )
    assert not (tmp_path / "x.json").exists()
    assert cli("init", "--format", "yaml", "x.yml", cwd=tmp_path).returncode == 0
