"""The engines: the embedded engine's worker process, and the system ``dot``.

Faults are real: a worker is sent SIGABRT mid-render (as a Graphviz assertion does), stopped
with SIGSTOP (a hang), shadowed by a pygraphviz that cannot load, or left by a killed parent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from diagramgen import Settings, load
from diagramgen.api import render
from diagramgen.engines import Engine, select_engine, worker
from diagramgen.engines.worker import Worker
from diagramgen.errors import EngineError, InvalidArgument

from .conftest import ROOT, example_specs

# As diagramgen writes DOT: the bundled font named, every label HTML.
DOT = (
    'digraph { graph [fontname="DejaVu Sans"] node [fontname="DejaVu Sans" shape=plain]; '
    "a [label=<<TABLE><TR><TD>x</TD><TD><B>y</B></TD></TR></TABLE>>]; b [label=<b>]; a -> b }"
)
BROKEN_LABEL = "digraph { a [label=<<TABLE><TR><TD>x</TD></TR>>] }"
# Takes Graphviz a second or more: long enough to be interrupted mid-render.
SLOW = "digraph { " + " ".join(f"n{i} -> n{(i * 7919) % 1500};" for i in range(1500)) + " }"


@pytest.fixture
def fresh() -> Iterator[Worker]:
    started = Worker()
    yield started
    started.close()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state == "Z"


def _wait_gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        time.sleep(0.05)
    return False


def test_it_renders_svg_png_and_pdf(fresh: Worker) -> None:
    assert fresh.version().startswith("pygraphviz ")
    assert fresh.render(DOT, "svg").startswith(b"<?xml")
    assert fresh.render(DOT, "png:cairo", ("-Gdpi=192",)).startswith(b"\x89PNG")
    assert fresh.render(DOT, "pdf:cairo").startswith(b"%PDF")


@pytest.mark.parametrize(
    ("dot", "message"),
    [("digraph { a -> }", "syntax error in line 1"), (BROKEN_LABEL, "mismatched tag")],
)
def test_graphviz_errors_fail_the_render_and_the_worker_goes_on(
    fresh: Worker, dot: str, message: str, capfd: pytest.CaptureFixture[str]
) -> None:
    # A broken label must fail, not print to the terminal and leave a host missing.
    with pytest.raises(EngineError, match=f"Graphviz failed: .*{message}"):
        fresh.render(dot, "svg")
    assert capfd.readouterr().err == ""  # caught, not printed
    pid = fresh.pid
    assert fresh.render(DOT, "svg").startswith(b"<?xml")
    assert fresh.pid == pid


def test_a_crash_mid_render_is_a_clean_error_and_the_next_render_starts_anew(
    fresh: Worker,
) -> None:
    fresh.version()
    pid = fresh.pid
    assert pid is not None
    threading.Timer(0.3, os.kill, (pid, signal.SIGABRT)).start()
    with pytest.raises(EngineError, match=r"^Graphviz crashed \(SIGABRT\)"):
        fresh.render(SLOW, "svg")
    assert _wait_gone(pid)
    assert fresh.render(DOT, "svg").startswith(b"<?xml")
    assert fresh.pid != pid


def test_a_hang_is_stopped_after_the_timeout(fresh: Worker) -> None:
    fresh.version()
    pid = fresh.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    started = time.monotonic()
    with pytest.raises(EngineError, match=r"did not finish within 0\.5 s"):
        fresh.render(DOT, "svg", timeout=0.5)
    assert time.monotonic() - started < 30
    assert _wait_gone(pid)
    assert fresh.render(DOT, "svg").startswith(b"<?xml")


def test_it_holds_neither_the_callers_stdin_nor_stdout(fresh: Worker) -> None:
    fresh.version()
    for number in (0, 1):
        assert os.readlink(f"/proc/{fresh.pid}/fd/{number}") == os.devnull


def test_close_ends_and_reaps_it(fresh: Worker) -> None:
    fresh.version()
    pid = fresh.pid
    assert pid is not None
    fresh.close()
    assert _gone(pid)


_ORPHAN = """
import sys, time
from diagramgen.engines.worker import shared
shared().version()
print(shared().pid, flush=True)
time.sleep(60)
"""


def test_it_never_outlives_a_killed_parent() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    parent.stdout.close()
    parent.kill()
    parent.wait()
    assert _wait_gone(pid)


def test_a_forked_child_gets_a_worker_of_its_own() -> None:
    parents = worker.shared()
    parents.version()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, reported by its exit code
        code = 1
        try:
            mine = worker.shared()
            mine.render(DOT, "svg")
            code = 0 if mine is not parents and mine.pid != parents.pid else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert parents.render(DOT, "svg").startswith(b"<?xml")


@pytest.mark.parametrize("path", example_specs(), ids=lambda p: p.stem)
def test_every_example_renders_alike_in_a_fresh_and_a_warm_worker(path: Path) -> None:
    # Graphviz 14 draws no text for a plain label after an HTML one on a process's first
    # render; the worker warms up before its first answer, so fresh and warm agree.
    spec = load(path)
    warm = worker.shared()
    warm.render(DOT, "svg")
    first = Worker()
    try:
        engine = Engine("embedded", first.version())
        dot = render(spec, ["dot"])["dot"].decode()
        assert first.render(dot, "svg") == warm.render(dot, "svg")
        assert engine.name == "embedded"
    finally:
        first.close()


def test_unknown_engine_lists_the_engines() -> None:
    with pytest.raises(InvalidArgument, match="auto, embedded, system"):
        select_engine("magic")


def test_auto_prefers_the_embedded_engine() -> None:
    assert select_engine("auto").name == "embedded"


def test_missing_dot_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(EngineError) as raised:
        select_engine("system")
    message = str(raised.value)
    assert "`dot` is not on PATH" in message
    assert "install graphviz" in message
    assert "\n" not in message


def test_system_engine_that_cannot_run_is_an_engine_error() -> None:
    engine = Engine("system", "dot", "/nonexistent/dot")
    with pytest.raises(EngineError, match="cannot run /nonexistent/dot"):
        engine.render("digraph {}", "svg")


@pytest.mark.system_dot
@pytest.mark.parametrize("path", example_specs(), ids=lambda p: p.stem)
def test_system_engine_renders_every_example(path: Path) -> None:
    engine = select_engine("system")
    assert engine.name == "system" and engine.version.startswith("dot ")
    pictures = render(
        load(path), ["svg", "png", "pdf"], settings=Settings(engine="system", name=path.stem)
    )
    assert b"<title" in pictures["svg"]
    assert pictures["png"].startswith(b"\x89PNG")
    again = render(load(path), ["svg"], settings=Settings(engine="system", name=path.stem))
    assert again["svg"] == pictures["svg"]


@pytest.mark.system_dot
def test_system_engine_uses_the_bundled_fonts_only() -> None:
    spec = load(ROOT / "specs" / "vm.json")
    svg = render(spec, ["svg"], settings=Settings(embed_fonts=False, engine="system", name="vm"))[
        "svg"
    ].decode()
    assert 'font-family="DejaVu Sans,sans-serif"' in svg
    assert "Times" not in svg


_SELECT = """
import sys
from diagramgen.engines import select_engine
from diagramgen.errors import EngineError
try:
    print(select_engine(sys.argv[1]).name)
except EngineError as error:
    print("error:", error)
"""


def _select_without_pygraphviz(tmp_path: Path, name: str, path: str | None = None) -> str:
    """Return what select_engine says where pygraphviz cannot load (a real ImportError)."""
    shadow = tmp_path / "shadow" / "pygraphviz"
    shadow.mkdir(parents=True, exist_ok=True)
    (shadow / "__init__.py").write_text(
        'raise ImportError("libXrender.so.1: cannot open shared object file")\n'
    )
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{shadow.parent}"}
    if path is not None:
        env["PATH"] = path
    done = subprocess.run(
        [sys.executable, "-c", _SELECT, name],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.system_dot
def test_auto_falls_back_to_system_dot_when_embedded_cannot_load(tmp_path: Path) -> None:
    assert _select_without_pygraphviz(tmp_path, "auto") == "system"
    embedded = _select_without_pygraphviz(tmp_path, "embedded")
    assert embedded.startswith("error: the embedded engine (pygraphviz) cannot load: libXrender")
    assert "apt-get install" in embedded


def test_embedded_missing_and_no_dot_says_both(tmp_path: Path) -> None:
    said = _select_without_pygraphviz(tmp_path, "auto", path="/nonexistent")
    assert "cannot load: libXrender.so.1" in said
    assert "and Graphviz `dot` is not on PATH" in said


_RENDER_SVG = """
import hashlib, sys
from diagramgen import Settings, load
from diagramgen.api import render
svg = render(load(sys.argv[1]), ["svg", "png"], Settings(engine="embedded", name="x"))
print(hashlib.sha256(svg["svg"]).hexdigest(), hashlib.sha256(svg["png"]).hexdigest())
"""


def test_output_does_not_depend_on_the_machine_s_fonts(tmp_path: Path) -> None:
    empty = tmp_path / "empty.conf"
    empty.write_text('<?xml version="1.0"?><fontconfig></fontconfig>')
    spec = str(ROOT / "specs" / "hybrid.json")
    digests = []
    for extra in ({}, {"FONTCONFIG_FILE": str(empty)}, {"FONTCONFIG_PATH": str(tmp_path)}):
        env = {**os.environ, "PYTHONPATH": str(ROOT), **extra}
        done = subprocess.run(
            [sys.executable, "-c", _RENDER_SVG, spec],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=True,
        )
        assert done.stderr == ""
        digests.append(done.stdout)
    assert digests[0] == digests[1] == digests[2]


@pytest.mark.parametrize(
    ("arguments", "starts"),
    [
        (["validate", "specs/vm.json"], False),
        (["totals", "specs/vm.json"], False),
        (["--help"], False),
        (["render", "-h"], False),
        (["schema"], False),
        (["compare", "specs/vm.json", "specs/hybrid.json", "--json"], False),
        (["render", "specs/vm.json", "-o", "OUT"], True),
        (["compare", "specs/vm.json", "specs/hybrid.json", "-o", "OUT/c.svg"], True),
    ],
)
def test_the_console_script_starts_the_engine_only_for_commands_that_draw(
    arguments: list[str], starts: bool, tmp_path: Path
) -> None:
    # The engine worker is a second interpreter: validate and --help should not pay for it.
    arguments = [a.replace("OUT", str(tmp_path)) for a in arguments]
    code = (
        "import sys\n"
        "import diagramgen.engines.worker as worker\n"
        "def started():\n"
        "    print('engine started', file=sys.stderr)\n"
        "    raise SystemExit(99)\n"
        "worker.shared = started\n"
        f"sys.argv = ['diagramgen', *{arguments!r}]\n"
        "from diagramgen.launch import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, cwd=ROOT, timeout=120, check=False
    )
    assert (done.returncode == 99) == starts, done.stderr
    assert (b"engine started" in done.stderr) == starts
