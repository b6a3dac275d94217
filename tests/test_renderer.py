"""The engine process: renders as the engine does in process, and fails as a forked child does."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from diagramgen import embedded, load, renderer
from diagramgen.batch import run_batch
from diagramgen.discover import find_specs
from diagramgen.engines import EngineError, select_engine
from diagramgen.options import Options
from diagramgen.render import render
from diagramgen.renderer import EngineProcess

from .conftest import ROOT, example_specs

# As diagramgen writes DOT: the bundled font named, every label HTML. (On a process's first
# render Graphviz 14 drops the text of a plain label that follows an HTML one; a warm engine
# process draws it, a cold child does not, so this test keeps to what diagramgen draws.)
DOT = (
    'digraph { graph [fontname="DejaVu Sans"] node [fontname="DejaVu Sans" shape=plain]; '
    "a [label=<<TABLE><TR><TD>x</TD><TD><B>y</B></TD></TR></TABLE>>]; b [label=<b>]; a -> b }"
)
BROKEN_LABEL = "digraph { a [label=<<TABLE><TR><TD>x</TD></TR>>] }"


def _started() -> EngineProcess:
    process = renderer.start()
    assert process is not None
    return process


@pytest.fixture
def process() -> Iterator[EngineProcess]:
    started = _started()
    yield started
    started.close()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_it_renders_what_the_engine_renders_in_process(process: EngineProcess) -> None:
    engine = select_engine("embedded", process)
    assert engine.version == select_engine("embedded").version
    for output in ("svg", "png", "pdf"):  # several renders, one process
        assert engine.render(DOT, output)[:4] == select_engine("embedded").render(DOT, output)[:4]
    assert engine.render(DOT, "svg") == select_engine("embedded").render(DOT, "svg")


@pytest.mark.parametrize("path", example_specs(), ids=lambda p: p.stem)
def test_examples_render_alike_in_the_process_and_in_a_child(
    process: EngineProcess, path: Path
) -> None:
    spec = load(path)
    through_process = render(
        spec, ["svg", "png"], name=path.stem, engine=select_engine("embedded", process)
    )
    through_child = render(spec, ["svg", "png"], name=path.stem, engine=select_engine("embedded"))
    assert through_process == through_child


@pytest.mark.parametrize(
    ("dot", "message"),
    [("digraph { a -> }", "syntax error in line 1"), (BROKEN_LABEL, "mismatched tag")],
)
def test_graphviz_errors_fail_the_render_and_the_process_goes_on(
    process: EngineProcess, dot: str, message: str
) -> None:
    engine = select_engine("embedded", process)
    with pytest.raises(EngineError, match=f"Graphviz failed: .*{message}"):
        engine.render(dot, "svg")
    assert process.alive
    assert engine.render(DOT, "svg").startswith(b"<?xml")


def test_a_crash_becomes_a_clean_error_and_later_renders_fork_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    draw = embedded.draw

    def aborts_on_crash(dot: str, output: str) -> bytes:
        if "crash" in dot:
            os.abort()
        return draw(dot, output)

    monkeypatch.setattr(embedded, "draw", aborts_on_crash)  # the forked process has it too
    process = _started()
    engine = select_engine("embedded", process)
    with pytest.raises(EngineError, match=r"Graphviz crashed \(SIGABRT\)"):
        engine.render("digraph { crash }", "svg")
    assert not process.alive and _gone(process.pid)
    assert engine.render(DOT, "svg").startswith(b"<?xml")  # a child per render now
    process.close()  # nothing left to end


def test_a_hang_becomes_a_timeout_and_the_process_is_ended(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    draw = embedded.draw

    def hangs(dot: str, output: str) -> bytes:
        if "hang" in dot:
            time.sleep(60)
        return draw(dot, output)

    monkeypatch.setattr(embedded, "draw", hangs)
    process = _started()
    started = time.monotonic()
    with pytest.raises(EngineError, match=r"did not finish within 0\.5 s"):
        process.render("digraph { hang }", "svg", timeout=0.5)
    assert time.monotonic() - started < 30
    assert not process.alive and _gone(process.pid)


def test_without_pygraphviz_auto_falls_back_and_embedded_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing() -> str:
        raise ImportError("libgvc.so.6: cannot open shared object file")

    monkeypatch.setattr(embedded, "load", missing)
    process = _started()
    try:
        with pytest.raises(EngineError, match=r"libgvc\.so\.6"):
            select_engine("embedded", process)
        if subprocess.run(["which", "dot"], capture_output=True).returncode == 0:
            assert select_engine("auto", process).name == "system"
    finally:
        process.close()


def test_close_ends_and_reaps_the_process(process: EngineProcess) -> None:
    process.version()
    process.close()
    assert _gone(process.pid)
    process.close()  # twice is harmless


def test_it_never_outlives_its_parent() -> None:
    # The parent ends without closing it (killed, say): the process sees its requests end.
    code = (
        "import os; from diagramgen.renderer import start; "
        "print(start().pid, flush=True); os._exit(0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    pid = int(done.stdout)
    deadline = time.monotonic() + 30
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(pid)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_it_holds_neither_stdin_nor_stdout(process: EngineProcess) -> None:
    process.version()  # started and past its set-up
    for fd in (0, 1):
        target = os.readlink(f"/proc/{process.pid}/fd/{fd}")
        assert target == os.devnull


def test_a_failure_that_is_no_dot_error_fails_the_render_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    draw = embedded.draw

    def fails_on_layout(dot: str, output: str) -> bytes:
        if "fail" in dot:
            raise ValueError("Graphviz layout failed")  # as pygraphviz says it
        return draw(dot, output)

    monkeypatch.setattr(embedded, "draw", fails_on_layout)
    process = _started()
    try:
        with pytest.raises(EngineError, match="Graphviz failed: Graphviz layout failed"):
            process.render("digraph { fail }", "svg", timeout=30)
        assert process.alive
    finally:
        process.close()


def test_it_removes_its_temporary_files_and_not_its_parent_s(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    parents = embedded.fonts_conf()  # made here before the fork: the parent's to remove
    load = embedded.load

    def without_bundled_fontconfig() -> str:  # as on wheels without libfontconfig
        marker = tmp_path / "made-by-the-process"
        marker.write_text(embedded.fonts_conf.__wrapped__())
        return load()

    monkeypatch.setattr(embedded, "load", without_bundled_fontconfig)
    process = _started()
    process.version()
    made = Path((tmp_path / "made-by-the-process").read_text())
    assert made.exists() and made != Path(parents)
    process.close()
    assert not made.exists()
    assert Path(parents).exists()


@pytest.mark.system_dot
def test_a_batch_draws_with_the_engine_its_keys_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The engine process cannot load pygraphviz, this process can: auto means the system dot
    # for the keys, so the pool's workers must draw with it too.
    def missing() -> str:
        raise ImportError("no pygraphviz here")

    monkeypatch.setattr(embedded, "load", missing)
    process = _started()
    monkeypatch.undo()
    specs = find_specs([str(ROOT / "specs" / "vm.json"), str(ROOT / "specs" / "container.json")])
    summary = run_batch(specs, ["svg"], Options(), tmp_path / "pool", jobs=2, process=process)
    assert [outcome.status for outcome in summary.outcomes] == ["rendered", "rendered"]
    assert not process.alive  # not needed by a pool
    run_batch(specs, ["svg"], Options(engine="system"), tmp_path / "system", jobs=1)
    for name in ("vm.svg", "container.svg"):
        assert (tmp_path / "pool" / name).read_bytes() == (tmp_path / "system" / name).read_bytes()


def test_released_it_ends_by_itself(process: EngineProcess) -> None:
    process.version()
    process.release()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if os.waitpid(process.pid, os.WNOHANG)[0]:
            break
        time.sleep(0.01)
    assert _gone(process.pid)
