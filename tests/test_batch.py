"""The docs-pipeline behaviour of `render`: batches, incremental runs, --check, failures."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import time
from pathlib import Path

import pytest

from diagramgen.api import batch
from diagramgen.api.batch import render_files
from diagramgen.engines import worker
from diagramgen.errors import InvalidArgument, OutputError
from diagramgen.files.discover import find_specs
from diagramgen.files.manifest import MANIFEST
from diagramgen.settings import Settings
from diagramgen.spec.limits import Limits

from .conftest import DATA, ROOT, cli, cli_on_terminal, example_specs


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """Return a folder of specs: two at the top, one in a subfolder."""
    specs = tmp_path / "specs"
    (specs / "team").mkdir(parents=True)
    (specs / "vm.json").write_bytes((ROOT / "specs" / "vm.json").read_bytes())
    (specs / "container.json").write_bytes((ROOT / "specs" / "container.json").read_bytes())
    (specs / "team" / "hybrid.json").write_bytes((ROOT / "specs" / "hybrid.json").read_bytes())
    return specs


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


_cli = cli


def test_folders_files_and_globs_keep_relative_subfolders(tree: Path) -> None:
    names = [found.name for found in find_specs([str(tree)])]
    assert names == ["container", "team/hybrid", "vm"]
    assert [f.name for f in find_specs([str(tree / "**" / "*.json")])] == names
    assert [f.name for f in find_specs([str(tree / "team" / "hybrid.json")])] == ["hybrid"]
    with pytest.raises(InvalidArgument, match="no such file or folder"):
        find_specs([str(tree / "nope.json")])
    with pytest.raises(InvalidArgument, match="no file matches"):
        find_specs([str(tree / "*.yaml")])


def test_two_specs_with_one_output_name_are_refused(tree: Path) -> None:
    (tree / "team" / "vm.json").write_bytes((tree / "vm.json").read_bytes())
    with pytest.raises(InvalidArgument, match="would both write outputs named 'vm'"):
        find_specs([str(tree / "vm.json"), str(tree / "team" / "vm.json")])
    find_specs([str(tree)])  # in one folder tree they are vm and team/vm: fine


def test_batch_writes_each_output_and_a_manifest(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = render_files(
        find_specs([str(tree)]), out, ["svg", "dot"], jobs=2, settings=Settings(engine="embedded")
    )
    assert [o.status for o in summary.outcomes] == ["rendered"] * 3
    assert sorted(_files(out)) == [
        MANIFEST,
        "container.dot",
        "container.svg",
        "team/hybrid.dot",
        "team/hybrid.svg",
        "vm.dot",
        "vm.svg",
    ]
    manifest = json.loads((out / MANIFEST).read_text())
    assert set(manifest["outputs"]) == set(_files(out)) - {MANIFEST}


def test_parallel_outputs_are_byte_identical_to_serial(tree: Path, tmp_path: Path) -> None:
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    specs = find_specs([str(tree)])
    render_files(specs, serial, ["svg", "png", "pdf"], jobs=1, settings=Settings(engine="embedded"))
    render_files(
        specs, parallel, ["svg", "png", "pdf"], jobs=3, settings=Settings(engine="embedded")
    )
    assert _files(serial) == _files(parallel)


def test_rerun_renders_only_what_changed(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    specs = find_specs([str(tree)])
    render_files(specs, out, ["svg"], jobs=1, settings=Settings(engine="embedded"))
    again = render_files(specs, out, ["svg"], jobs=1, settings=Settings(engine="embedded"))
    assert [o.status for o in again.outcomes] == ["unchanged"] * 3
    # An edited spec, an output edited by hand, a new theme, --force: each renders again.
    text = (tree / "vm.json").read_text().replace("Three VMs on ESXi", "Three VMs")
    (tree / "vm.json").write_text(text)
    (out / "container.svg").write_text("<svg/>")
    third = render_files(specs, out, ["svg"], jobs=1, settings=Settings(engine="embedded"))
    assert [o.status for o in third.outcomes] == ["rendered", "unchanged", "rendered"]
    assert b"Three VMs</title>" in (out / "vm.svg").read_bytes()
    dark = render_files(
        specs, out, ["svg"], jobs=1, settings=Settings(theme="dark", engine="embedded")
    )
    assert [o.status for o in dark.outcomes] == ["rendered"] * 3
    forced = render_files(
        specs, out, ["svg"], force=True, settings=Settings(theme="dark", engine="embedded")
    )
    assert [o.status for o in forced.outcomes] == ["rendered"] * 3


def test_an_edit_the_picture_does_not_show_renders_only_the_files_that_name_the_spec(
    tree: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    specs = find_specs([str(tree / "vm.json")])
    settings = Settings(engine="embedded")
    render_files(specs, out, ["svg", "png", "dot"], settings, jobs=1)
    before = {name: (out / name).read_bytes() for name in ("vm.svg", "vm.png", "vm.dot")}
    dot_time = (out / "vm.dot").stat().st_mtime_ns
    document = json.loads((tree / "vm.json").read_text())
    document["$comment"] = "reviewed"  # and the file laid out anew: other bytes, same picture
    (tree / "vm.json").write_text(json.dumps(document, indent=4))
    edited = render_files(specs, out, ["svg", "png", "dot"], settings, jobs=1)
    (outcome,) = edited.outcomes
    # The DOT is kept; the SVG and PNG say which bytes they were drawn from (the spec's
    # SHA-256 in their metadata), so they are written again, and differ only there.
    assert outcome.kept == ["vm.dot"] and sorted(outcome.written) == ["vm.png", "vm.svg"]
    assert (out / "vm.dot").stat().st_mtime_ns == dot_time
    svg = (out / "vm.svg").read_bytes()
    digest = hashlib.sha256((tree / "vm.json").read_bytes()).hexdigest().encode()
    assert digest in svg and digest not in before["vm.svg"]
    assert re.sub(rb"<metadata>.*?</metadata>", b"", svg) == re.sub(
        rb"<metadata>.*?</metadata>", b"", before["vm.svg"]
    )
    # The manifest now knows these bytes: the next run does not even lay the spec out.
    entries = json.loads((out / MANIFEST).read_text())["outputs"]
    again = render_files(specs, out, ["svg", "png", "dot"], settings, jobs=1)
    assert [(o.status, o.keys) for o in again.outcomes] == [("unchanged", {})]
    assert json.loads((out / MANIFEST).read_text())["outputs"] == entries


def test_an_output_key_names_the_version_and_not_the_code(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    specs = find_specs([str(tree / "vm.json")])
    render_files(specs, out, ["svg"], Settings(engine="embedded"), jobs=1)
    entry = json.loads((out / MANIFEST).read_text())["outputs"]["vm.svg"]
    assert set(entry) == {"key", "source", "sha256"}
    monkeypatch.setattr(batch, "__version__", "99.0")
    monkeypatch.setattr("diagramgen.api.picture.__version__", "99.0")
    upgraded = render_files(specs, out, ["svg"], Settings(engine="embedded"), jobs=1)
    assert [o.status for o in upgraded.outcomes] == ["rendered"]
    assert json.loads((out / MANIFEST).read_text())["outputs"]["vm.svg"]["key"] != entry["key"]


def test_check_writes_nothing_and_names_what_is_out_of_date(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    specs = find_specs([str(tree)])
    missing = render_files(specs, out, ["svg"], check=True, settings=Settings(engine="embedded"))
    assert missing.failed and not out.exists()
    assert sorted(n for o in missing.outcomes for n in o.differing) == [
        "container.svg",
        "team/hybrid.svg",
        "vm.svg",
    ]
    render_files(specs, out, ["svg"], settings=Settings(engine="embedded"))
    before = _files(out)
    fresh = render_files(specs, out, ["svg"], check=True, settings=Settings(engine="embedded"))
    assert not fresh.failed and fresh.count("unchanged") == 3
    (tree / "vm.json").write_text((tree / "vm.json").read_text().replace("ESXi host", "ESX host"))
    (out / "team" / "hybrid.svg").unlink()
    (out / "old.svg").write_text("<svg/>")
    stale = render_files(specs, out, ["svg"], check=True, settings=Settings(engine="embedded"))
    assert stale.failed
    assert sorted(n for o in stale.outcomes for n in o.differing) == ["team/hybrid.svg", "vm.svg"]
    assert stale.orphans == [str(out / "old.svg")]
    assert _files(out) == {
        **{k: v for k, v in before.items() if k != "team/hybrid.svg"},
        "old.svg": b"<svg/>",
    }


def test_check_without_a_manifest_compares_what_it_would_write(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    specs = find_specs([str(tree)])
    render_files(specs, out, ["svg", "png"], settings=Settings(engine="embedded"))
    (out / MANIFEST).unlink()  # e.g. outputs committed without it
    result = render_files(
        specs, out, ["svg", "png"], check=True, settings=Settings(engine="embedded")
    )
    assert not result.failed and result.count("unchanged") == 3


def test_a_bad_spec_does_not_stop_the_batch_and_leaves_no_stale_output(
    tree: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    specs = find_specs([str(tree)])
    render_files(specs, out, ["svg", "png"], settings=Settings(engine="embedded"))
    (tree / "container.json").write_text('{"version": 1, "hosts": []}')
    summary = render_files(specs, out, ["svg", "png"], jobs=2, settings=Settings(engine="embedded"))
    statuses = {o.spec.name: o.status for o in summary.outcomes}
    assert statuses == {"container": "failed", "team/hybrid": "unchanged", "vm": "unchanged"}
    failed = next(o for o in summary.outcomes if o.status == "failed")
    assert failed.errors == [f"{tree / 'container.json'}:1:25: /hosts: must have at least one item"]
    assert not (out / "container.svg").exists() and not (out / "container.png").exists()
    assert sorted(summary.removed) == [str(out / "container.png"), str(out / "container.svg")]
    assert not list(out.rglob("*.diagramgen-tmp"))


_ORIGINAL_WORK = batch._work


def dies_on_vm(task: batch._Task, *args: object, **keywords: object) -> batch.Outcome:
    """Stand in for a worker that is killed (OOM killer, kill -9) while rendering vm.json."""
    if task.spec.name == "vm":
        os.kill(os.getpid(), signal.SIGKILL)
    return _ORIGINAL_WORK(task, *args, **keywords)  # type: ignore[arg-type]


def hangs_on_vm(task: batch._Task, *args: object, **keywords: object) -> batch.Outcome:
    """Make Graphviz hang on vm.json: stop the pool worker's engine worker before it renders."""
    if task.spec.name == "vm":
        engine = worker.shared()
        engine.version()
        assert engine.pid is not None
        os.kill(engine.pid, signal.SIGSTOP)
    return _ORIGINAL_WORK(task, *args, **keywords)  # type: ignore[arg-type]


def test_a_killed_worker_fails_its_spec_only(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "_work", dies_on_vm)  # workers are forked: they see it too
    out = tmp_path / "out"
    summary = render_files(
        find_specs([str(tree)]), out, ["svg"], jobs=2, settings=Settings(engine="embedded")
    )
    statuses = {o.spec.name: o.status for o in summary.outcomes}
    assert statuses == {"container": "rendered", "team/hybrid": "rendered", "vm": "failed"}
    vm = next(o for o in summary.outcomes if o.spec.name == "vm")
    assert "the process rendering it died" in vm.errors[0]
    assert sorted(_files(out)) == [MANIFEST, "container.svg", "team/hybrid.svg"]
    assert not list(out.rglob("*.diagramgen-tmp"))


def test_a_hanging_render_in_a_batch_is_stopped(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "_work", hangs_on_vm)
    monkeypatch.setattr(worker, "TIMEOUT", 1)
    started = time.monotonic()
    summary = render_files(
        find_specs([str(tree)]),
        tmp_path / "out",
        ["svg"],
        jobs=2,
        settings=Settings(engine="embedded"),
    )
    assert time.monotonic() - started < 60
    statuses = {o.spec.name: o.status for o in summary.outcomes}
    assert statuses == {"container": "rendered", "team/hybrid": "rendered", "vm": "failed"}
    assert (
        "did not finish within 1 s"
        in next(o for o in summary.outcomes if o.spec.name == "vm").errors[0]
    )


def test_temporaries_of_a_killed_run_are_cleaned_up(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    leftover = out / f".vm.svg.{2**22 + 1}.abc123.diagramgen-tmp"  # above any pid_max: dead
    leftover.write_text("half")
    render_files(
        find_specs([str(tree / "vm.json")]), out, ["svg"], settings=Settings(engine="embedded")
    )
    assert not leftover.exists()


def test_cli_batch_reports_failures_and_exits_1(tree: Path, tmp_path: Path) -> None:
    (tree / "broken.json").write_text("{")
    result = _cli("render", str(tree), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    stderr = result.stderr.decode()
    assert f"{tree / 'broken.json'}:1:2: invalid JSON" in stderr
    assert re.search(r"rendered 3, unchanged 0, failed 1 in [0-9.]+ s", stderr)
    assert result.stdout == b""


def test_cli_check_exit_codes(tree: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    assert _cli("render", str(tree), "-o", out, "-q").returncode == 0
    ok = _cli("render", str(tree), "-o", out, "--check")
    assert ok.returncode == 0, ok.stderr
    assert "checked 3 specs: 3 up to date, 0 out of date, 0 failed" in ok.stderr.decode()
    (tmp_path / "out" / "vm.svg").unlink()
    stale = _cli("render", str(tree), "-o", out, "--check")
    assert stale.returncode == 1
    assert (
        f"{out}/vm.svg: is missing from what `diagramgen render` writes now"
        in stale.stderr.decode()
    )
    assert not (tmp_path / "out" / "vm.svg").exists()


def test_cli_quiet_prints_nothing_and_no_progress_without_a_terminal(
    tree: Path, tmp_path: Path
) -> None:
    quiet = _cli("render", str(tree), "-o", str(tmp_path / "a"), "-q")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, b"", b"")
    loud = _cli("render", str(tree), "-o", str(tmp_path / "b"))
    assert loud.stderr.decode().count("\n") == 1  # the summary only: stderr is not a terminal


def test_progress_bar_on_a_terminal(tree: Path, tmp_path: Path) -> None:
    code, shown_bytes = cli_on_terminal(
        "render", str(tree), "-o", str(tmp_path / "o"), "-j", "1", stream="stderr"
    )
    assert code == 0
    shown = shown_bytes.decode("utf-8", "replace")
    assert "rendering" in shown and "rendered 3, unchanged 0, failed 0" in shown


def test_stdin_renders_one_format_to_stdout() -> None:
    spec = (ROOT / "specs" / "vm.json").read_bytes()
    result = _cli("render", "-", "-f", "svg", stdin=spec)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"<?xml") and b"Three VMs on ESXi" in result.stdout
    two = _cli("render", "-", "-f", "svg,png", stdin=spec)
    assert two.returncode == 2 and b"exactly one format" in two.stderr
    bad = _cli("render", "-", "-f", "svg", stdin=b"{}")
    assert bad.returncode == 1 and bad.stdout == b""
    assert b"<stdin>:1:1: /: missing required key" in bad.stderr


def test_every_example_and_render_fixture_renders_in_one_batch(tmp_path: Path) -> None:
    specs = find_specs([str(p) for p in example_specs()] + [str(DATA / "render")])
    summary = render_files(specs, tmp_path, ["svg"], settings=Settings(engine="embedded"))
    assert not summary.failed


def test_outputs_inside_the_spec_folder_are_not_taken_for_specs(tree: Path) -> None:
    out = tree / "img"
    first = render_files(
        find_specs([str(tree)]), out, ["svg"], settings=Settings(engine="embedded")
    )
    assert not first.failed and (out / ".diagramgen.json").exists()
    (tree / ".git").mkdir()
    (tree / ".git" / "config.json").write_text("{}")
    again = render_files(
        find_specs([str(tree)]), out, ["svg"], settings=Settings(engine="embedded")
    )
    assert [o.spec.name for o in again.outcomes] == ["container", "team/hybrid", "vm"]
    assert [o.status for o in again.outcomes] == ["unchanged"] * 3


def test_check_leaves_out_a_nested_output_folder_with_its_own_manifest(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "vm.json").write_bytes((ROOT / "specs" / "vm.json").read_bytes())
    out = tmp_path / "output"
    render_files([str(specs)], out, ["svg"], settings=Settings(engine="embedded"))
    render_files(
        [str(specs)], out / "auto", ["svg"], settings=Settings(theme="auto", engine="embedded")
    )
    (out / "stray.svg").write_text("<svg/>")
    checked = render_files(
        [str(specs)], out, ["svg"], check=True, settings=Settings(engine="embedded")
    )
    assert checked.orphans == [str(out / "stray.svg")]


def test_globs_do_not_follow_folder_links(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "net").mkdir(parents=True)
    (docs / "top.json").write_bytes((ROOT / "specs" / "vm.json").read_bytes())
    (docs / "net" / "edge.json").write_bytes((ROOT / "specs" / "vm.json").read_bytes())
    (docs / "net" / "up").symlink_to(docs, target_is_directory=True)
    names = [found.name for found in find_specs([str(docs / "**" / "*.json")])]
    assert names == ["net/edge", "top"]


def test_spec_size_is_checked_before_reading_in_a_batch(tmp_path: Path) -> None:
    (tmp_path / "vm.json").write_bytes((ROOT / "specs" / "vm.json").read_bytes())
    summary = render_files(
        find_specs([str(tmp_path / "vm.json")]),
        tmp_path / "out",
        ["svg"],
        settings=Settings(engine="embedded", limits=Limits(spec_bytes=100)),
    )
    assert "too large for a spec" in summary.outcomes[0].errors[0]


def test_changing_a_limit_invalidates_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "vm.json").write_bytes((ROOT / "specs" / "vm.json").read_bytes())
    specs = find_specs([str(tmp_path / "vm.json")])
    render_files(specs, tmp_path / "out", ["svg"], settings=Settings(engine="embedded"))
    strict = render_files(
        specs,
        tmp_path / "out",
        ["svg"],
        check=True,
        settings=Settings(engine="embedded", limits=Limits(components=1)),
    )
    assert strict.failed


def test_a_format_that_cannot_be_made_leaves_the_others(tmp_path: Path) -> None:
    (tmp_path / "vm.json").write_bytes((ROOT / "specs" / "vm.json").read_bytes())
    specs = find_specs([str(tmp_path / "vm.json")])
    out = tmp_path / "out"
    render_files(specs, out, ["svg", "pdf"], settings=Settings(engine="embedded"))
    kept = {name: (out / name).read_bytes() for name in ("vm.svg", "vm.pdf")}
    failed = render_files(
        specs, out, ["png"], settings=Settings(engine="embedded", limits=Limits(picture=1))
    )
    assert failed.failed and failed.removed == []
    assert {name: (out / name).read_bytes() for name in kept} == kept
    assert not (out / "vm.png").exists()


def test_a_library_batch_into_a_file_fails_clearly(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    specs = find_specs([str(ROOT / "specs" / "vm.json")])
    with pytest.raises(OutputError, match="afile is a file, not a folder"):
        render_files(
            specs, tmp_path / "afile" / "sub", ["svg"], settings=Settings(engine="embedded")
        )
