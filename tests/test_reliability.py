"""Hostile and broken input, limits, safe file handling: diagramgen survives and loses nothing."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diagramgen import Settings, SpecInvalid, load_text
from diagramgen.accounting import compute
from diagramgen.api import render
from diagramgen.api.batch import render_files
from diagramgen.draw.layout import to_dot
from diagramgen.draw.themes import THEMES
from diagramgen.errors import InvalidArgument, OutputError
from diagramgen.files.atomic import safe_target
from diagramgen.files.discover import find_specs
from diagramgen.spec.limits import Limits, parse_limits

from .conftest import ROOT, cli
from .strategies import specs


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_every_valid_spec_validates_totals_and_lays_out(document: dict[str, Any]) -> None:
    spec = load_text(json.dumps(document), "fuzz.json")
    totals = compute(spec)
    assert totals.diagram.hosts == len(document["hosts"])
    dot = to_dot(spec, totals, THEMES["light"])
    assert dot.startswith("digraph diagramgen {")


@pytest.mark.parametrize(
    "engine", ["embedded", pytest.param("system", marks=pytest.mark.system_dot)]
)
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(document=specs())
def test_a_sample_of_valid_specs_renders_on_both_engines(
    engine: str, document: dict[str, Any]
) -> None:
    spec = load_text(json.dumps(document), "fuzz.json")
    svg = render(spec, ["svg"], settings=Settings(engine=engine, name="fuzz"))["svg"]
    assert svg.startswith(b"<?xml")


_cli = cli


BROKEN = {
    "random-bytes": bytes(range(256)) * 4,
    "invalid-utf8": b'{"version": 1, "title": "\xff\xfe"}',
    "utf16-bom": '{"version": 1}'.encode("utf-16"),
    "utf16-no-bom": '{"version": 1}'.encode("utf-16-le"),
    "utf8-bom": b"\xef\xbb\xbf" + b'{"version": 1}',
    "duplicate-keys": b'{"version": 1, "hosts": [], "hosts": []}',
    "deep-nesting": b"[" * 10_000 + b"]" * 10_000,
    "deep-objects": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "huge-float": b'{"version": 1e308, "hosts": []}',
    "huge-int": b'{"version": 1, "hosts": [{"id": "h", "stack": "vm", "infrastructure": '
    b'{"capacity": {"memory": 1' + b"0" * 100 + b"}}}]}",
    "overflowing-float": b'{"version": 1, "hosts": [{"id": "h", "stack": "vm", '
    b'"infrastructure": {"capacity": {"cpu": 1e400}}}]}',
    "ten-megabyte-string": b'{"version": 1, "title": "' + b"x" * (10 * 1024 * 1024) + b'"}',
    "nul-bytes": b'{"version": 1\x00}',
    "empty": b"",
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_input_gives_exit_1_and_clear_lines(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.json"
    path.write_bytes(BROKEN[name])
    started = time.monotonic()
    for command in (("validate",), ("render", "-o", str(tmp_path / "out")), ("totals",)):
        result = _cli(*command, str(path))
        assert result.returncode == 1, (command, result.stderr[:300])
        stderr = result.stderr.decode()
        assert "Traceback" not in stderr
        assert stderr.startswith(str(path)), stderr[:200]
        assert all(len(line) < 600 for line in stderr.splitlines())
    assert time.monotonic() - started < 60  # not a hang; generous for a loaded machine
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.svg"))


def test_memory_stays_bounded_on_a_ten_megabyte_string(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(BROKEN["ten-megabyte-string"])
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], capture_output=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, sys.executable, "-m", "diagramgen", "validate", str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert int(done.stdout) < 400 * 1024  # KiB: well under half a GiB for a 10 MB file


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=256))
def test_random_bytes_raise_only_spec_invalid(data: bytes) -> None:
    try:
        load_text(data, "bytes.json")
    except SpecInvalid as error:
        assert all(line.startswith("bytes.json") for line in error.lines())


# --- limits -----------------------------------------------------------------------------


def _spec_with(**changes: Any) -> dict[str, Any]:
    document = json.loads((ROOT / "specs" / "container.json").read_text())
    document.update(changes)
    return document


def test_each_limit_has_a_clear_error_and_can_be_raised() -> None:
    long_title = _spec_with(title="t" * 300)
    with pytest.raises(SpecInvalid) as raised:
        load_text(json.dumps(long_title), "x.json")
    (problem,) = raised.value.problems
    assert problem.pointer == "/title"
    # The library's words name the limit; the rule lets a front end say how to change it.
    assert problem.message == "is 300 characters long; the text limit is 200"
    assert problem.rule == "limit:text"
    assert raised.value.lines(lambda rule: f"<{rule}>") == [
        "x.json:1:25: /title: is 300 characters long; the text limit is 200; <limit:text>"
    ]
    load_text(json.dumps(long_title), "x.json", Limits(text=300))

    with pytest.raises(SpecInvalid) as raised:
        load_text(json.dumps(_spec_with()), "x.json", Limits(spec_bytes=100))
    assert "too large for a spec (the spec-bytes limit is 100 bytes)" in (raised.value.lines()[0])

    nested = _spec_with(hosts=[{**_spec_with()["hosts"][0], "x": [[[[[[1]]]]]]}])
    with pytest.raises(SpecInvalid) as raised:
        load_text(json.dumps(nested), "x.json", Limits(depth=8))
    # document, hosts, the host, then six arrays: nine levels
    assert "is nested 9 levels deep; the depth limit is 8" in raised.value.problems[0].message

    with pytest.raises(SpecInvalid) as raised:
        load_text(json.dumps(_spec_with()), "x.json", Limits(components=3))
    assert (
        "has 6 hosts, VMs, containers and apps; the components limit is 3"
        in (raised.value.lines()[0])
    )


def test_picture_limit(tmp_path: Path) -> None:
    from diagramgen import load
    from diagramgen.errors import EngineError

    spec = load(ROOT / "specs" / "hybrid.json")
    with pytest.raises(EngineError, match="the picture limit is 1,000 pixels") as raised:
        render(
            spec,
            ["png"],
            settings=Settings(engine="embedded", limits=Limits(picture=1000), name="h"),
        )
    assert raised.value.rule == "limit:picture"


def test_limits_on_the_command_line(tmp_path: Path) -> None:
    spec = tmp_path / "long.json"
    spec.write_text(json.dumps(_spec_with(title="t" * 250)))
    assert _cli("validate", str(spec)).returncode == 1
    assert _cli("validate", "--limit", "text=300", str(spec)).returncode == 0
    bad = _cli("validate", "--limit", "colour=3", str(spec))
    assert bad.returncode == 2 and b"unknown limit 'colour'" in bad.stderr
    assert parse_limits(["components=5", "depth=1_000"]) == Limits(components=5, depth=1000)
    with pytest.raises(InvalidArgument, match="not a whole number"):
        parse_limits(["text=many"])


# --- files ------------------------------------------------------------------------------


def test_output_names_cannot_leave_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OutputError, match="refusing to write outside"):
        safe_target(out, "../escape.svg")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (out / "linked").symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutputError, match="refusing to write outside"):
        safe_target(out, "linked/vm.svg")
    (outside / "victim.svg").write_text("keep")
    (out / "vm.svg").symlink_to(outside / "victim.svg")
    with pytest.raises(OutputError, match="through a link"):
        safe_target(out, "vm.svg")


def test_a_symlink_in_the_output_folder_is_not_followed(tmp_path: Path) -> None:
    specs_folder = tmp_path / "specs"
    (specs_folder / "team").mkdir(parents=True)
    (specs_folder / "team" / "vm.json").write_bytes((ROOT / "specs" / "vm.json").read_bytes())
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "team").symlink_to(outside, target_is_directory=True)
    summary = render_files(
        find_specs([str(specs_folder)]), out, ["svg"], settings=Settings(engine="embedded")
    )
    assert summary.failed
    assert "refusing to write outside" in summary.outcomes[0].errors[-1]
    assert list(outside.iterdir()) == []


def test_spec_folders_do_not_follow_links(tmp_path: Path) -> None:
    specs_folder = tmp_path / "specs"
    specs_folder.mkdir()
    (specs_folder / "vm.json").write_bytes((ROOT / "specs" / "vm.json").read_bytes())
    (specs_folder / "loop").symlink_to(specs_folder, target_is_directory=True)
    assert [found.name for found in find_specs([str(specs_folder)])] == ["vm"]


def test_a_full_disk_keeps_the_previous_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    specs_folder = find_specs([str(ROOT / "specs" / "vm.json")])
    render_files(specs_folder, out, ["svg"], settings=Settings(engine="embedded"))
    before = (out / "vm.svg").read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    summary = render_files(
        specs_folder, out, ["svg"], jobs=1, settings=Settings(theme="dark", engine="embedded")
    )
    assert summary.failed
    assert summary.outcomes[0].errors == [
        f"{ROOT / 'specs' / 'vm.json'}: cannot write {out / 'vm.svg'}: No space left on device"
    ]
    assert (out / "vm.svg").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [".diagramgen.json", "vm.svg"]


def test_a_batch_killed_midway_leaves_whole_files_only(tmp_path: Path) -> None:
    specs_folder = tmp_path / "specs"
    specs_folder.mkdir()
    for index in range(40):
        text = (ROOT / "specs" / "hybrid.json").read_text().replace("KVM host", f"KVM host {index}")
        (specs_folder / f"s{index:02}.json").write_text(text)
    out = tmp_path / "out"
    assert _cli("render", str(specs_folder), "-o", str(out), "-q").returncode == 0
    before = {p.name: p.read_bytes() for p in out.glob("*.svg")}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "diagramgen",
            "render",
            str(specs_folder),
            "-o",
            str(out),
            "--theme",
            "dark",
            "-q",
        ],
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        changed = [name for name, data in before.items() if (out / name).read_bytes() != data]
        if changed:
            break
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    import xml.etree.ElementTree as ET

    for path in out.glob("*.svg"):
        ET.fromstring(path.read_bytes())  # whole files: the old one or the new one
    assert len(list(out.glob("*.svg"))) == 40
    # The next run cleans up what the killed one left and finishes the job.
    assert (
        _cli("render", str(specs_folder), "-o", str(out), "--theme", "dark", "-q").returncode == 0
    )
    assert not [p for p in out.iterdir() if p.name.endswith(".diagramgen-tmp")]
    assert all((out / name).read_bytes() != data for name, data in before.items())


def test_a_failing_spec_never_removes_files_behind_a_link(tmp_path: Path) -> None:
    specs_folder = tmp_path / "specs"
    (specs_folder / "team").mkdir(parents=True)
    (specs_folder / "team" / "vm.json").write_text("{")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "vm.svg").write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "team").symlink_to(outside, target_is_directory=True)
    summary = render_files(
        find_specs([str(specs_folder)]), out, ["svg"], settings=Settings(engine="embedded")
    )
    assert summary.failed and summary.removed == []
    assert (outside / "vm.svg").read_text() == "precious"


def test_a_failing_spec_removes_only_what_diagramgen_wrote(tmp_path: Path) -> None:
    (tmp_path / "arch.json").write_text('{"version": 1, "hosts": []}')
    out = tmp_path / "img"
    out.mkdir()
    (out / "arch.png").write_text("drawn by hand")
    summary = render_files(
        find_specs([str(tmp_path / "arch.json")]),
        out,
        ["svg"],
        settings=Settings(engine="embedded"),
    )
    assert summary.failed and summary.removed == []
    assert (out / "arch.png").read_text() == "drawn by hand"


def test_file_problems_are_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "vm.json").write_bytes((ROOT / "specs" / "vm.json").read_bytes())
    (tmp_path / "specs" / "gone.json").symlink_to(tmp_path / "specs" / "missing.json")
    (tmp_path / "afile").write_text("x")
    broken = cli("render", "specs", "-o", "out", "-q", cwd=tmp_path)
    assert broken.returncode == 1
    assert b"gone.json: cannot read: No such file or directory" in broken.stderr
    assert b"Traceback" not in broken.stderr
    assert (tmp_path / "out" / "vm.svg").exists()
    into_file = cli("render", "specs/vm.json", "-o", "afile", cwd=tmp_path)
    assert into_file.returncode == 2 and b"afile: is a file; -o takes a folder" in into_file.stderr
    (tmp_path / "folder").mkdir()
    init = cli("init", "folder", "--force", cwd=tmp_path)
    assert init.returncode == 1 and b"Traceback" not in init.stderr
    assert init.stderr == b"folder: is a folder; give the path of the spec file to write\n"


def _many_links(count: int) -> dict[str, Any]:
    document = json.loads((ROOT / "specs" / "vm.json").read_text("utf-8"))
    apps = [a["id"] for h in document["hosts"] for v in h["vms"] for a in v.get("apps", [])]
    document["links"] = [{"from": apps[0], "to": apps[1]} for _ in range(count)]
    return document


def test_a_spec_over_the_links_limit_is_refused_before_the_rest_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """300,000 links (8 MB) took 34 s and 1 GiB: the source map of the whole text was built
    to place the one problem, and every text and the schema were gone through first. Now
    neither happens: both are made to fail here."""
    import json_source_map

    from diagramgen.spec import rules

    def never(*arguments: object) -> None:
        raise AssertionError("read the whole spec before refusing it")

    monkeypatch.setattr(json_source_map, "calculate", never)
    monkeypatch.setattr(rules, "check", never)
    text = json.dumps(_many_links(300_000), separators=(",", ":"))
    with pytest.raises(SpecInvalid) as caught:
        load_text(text, "links.json")
    (problem,) = caught.value.problems
    assert problem.pointer == "/links" and problem.rule == "limit:links"
    assert problem.message.startswith("has 300,000 links; the links limit is 2,000")
    assert (problem.line, problem.column) == (1, text.index('"links":') + len('"links":') + 1)


def test_a_yaml_spec_over_the_links_limit_is_refused_as_it_is_read() -> None:
    """The YAML reader counts links as it goes: it stops at the 2,001st, not at the end of a
    300,000-link file (28 s before)."""
    import io

    from ruamel.yaml import YAML

    document = _many_links(300_000)
    links = document.pop("links")
    written = io.StringIO()
    YAML().dump(document, written)
    text = written.getvalue() + "links:\n"
    text += "".join(f"  - {{from: {link['from']}, to: {link['to']}}}\n" for link in links)
    with pytest.raises(SpecInvalid) as caught:
        load_text(text, "links.yaml", syntax="yaml")
    (problem,) = caught.value.problems
    assert problem.pointer == "/links" and problem.rule == "limit:links"
    assert problem.message.startswith("has more than 2,000 links")
    first = text.count("\n", 0, text.index("links:")) + 1
    assert problem.line == first + 2_001  # the first link over the limit, not the file's end


@pytest.fixture
def read_only(tmp_path: Path) -> Any:
    """Yield a folder on a real read-only file system (a tmpfs mounted read-only)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a read-only file system here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.parametrize("below", ["", "new/sub"])
def test_rendering_onto_a_read_only_file_system_is_one_line_each(
    read_only: Path, below: str
) -> None:
    """The manifest's save ended in a traceback (OSError 30) after the pictures' own errors."""
    out = read_only / below if below else read_only
    spec = ROOT / "specs" / "vm.json"
    result = cli("render", str(spec), "-o", str(out), "-f", "svg,png")
    assert result.returncode == 1
    errors = result.stderr.decode()
    assert "Traceback" not in errors
    lines = errors.splitlines()
    assert f"{spec}: cannot write {out / 'vm.svg'}: Read-only file system" in lines
    assert f"{out}: cannot save .diagramgen.json: Read-only file system" in lines
    assert lines[-1].startswith("rendered 0, unchanged 0, failed 1")
    assert not list(read_only.iterdir())
