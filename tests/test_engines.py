from __future__ import annotations

import os
import time

import pytest
from msgspec.structs import replace

from diagramgen import load
from diagramgen.engines import Engine, EngineError, _in_child, _in_process, select_engine
from diagramgen.errors import UsageError
from diagramgen.render import Options, render

from .conftest import ROOT, example_specs


def _abort() -> bytes:
    os.abort()


def _hang() -> bytes:
    time.sleep(60)
    return b""


def _fail() -> bytes:
    raise RuntimeError("Error: syntax error in line 1")


def test_a_crash_in_graphviz_becomes_a_clean_error() -> None:
    with pytest.raises(EngineError, match=r"Graphviz crashed \(SIGABRT\)"):
        _in_child(_abort, timeout=30)


def test_a_hang_becomes_a_timeout() -> None:
    started = time.monotonic()
    with pytest.raises(EngineError, match=r"did not finish within 0\.5 s"):
        _in_child(_hang, timeout=0.5)
    assert time.monotonic() - started < 30


def test_a_failure_carries_graphviz_s_message() -> None:
    with pytest.raises(EngineError, match="syntax error in line 1"):
        _in_child(_fail, timeout=30)


def test_invalid_dot_is_an_engine_error_not_a_traceback() -> None:
    engine = select_engine("embedded")
    with pytest.raises(EngineError, match="Graphviz failed"):
        engine.render("digraph { a -> }", "svg")


BROKEN_LABEL = "digraph { a [label=<<TABLE><TR><TD>x</TD></TR>>] }"


@pytest.mark.parametrize("isolated", [True, False], ids=["forked", "in-process"])
@pytest.mark.parametrize(
    ("dot", "message"),
    [("digraph { a -> }", "syntax error in line 1"), (BROKEN_LABEL, "mismatched tag")],
)
def test_graphviz_errors_fail_in_a_child_and_in_process_alike(
    dot: str, message: str, isolated: bool, capfd: pytest.CaptureFixture[str]
) -> None:
    # Batch workers render in-process: a broken label must fail there too, not print to
    # the terminal and leave a picture with a host missing.
    engine = replace(select_engine("embedded"), isolated=isolated)
    with pytest.raises(EngineError, match=f"Graphviz failed: .*{message}"):
        engine.render(dot, "svg")
    assert capfd.readouterr().err == ""  # caught, not printed
    assert engine.render("digraph { a -> b }", "svg").startswith(b"<?xml")


def test_unknown_engine_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="auto, embedded, system"):
        select_engine("magic")


def test_missing_dot_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(EngineError) as raised:
        select_engine("system")
    message = str(raised.value)
    assert "`dot` is not on PATH" in message
    assert "install graphviz" in message
    assert "\n" not in message


def test_auto_prefers_the_embedded_engine() -> None:
    assert select_engine("auto").name == "embedded"


def test_system_engine_that_cannot_run_is_an_engine_error() -> None:
    engine = Engine("system", "dot", "/nonexistent/dot")
    with pytest.raises(EngineError, match="cannot run /nonexistent/dot"):
        engine.render("digraph {}", "svg")


@pytest.mark.system_dot
@pytest.mark.parametrize("path", example_specs(), ids=lambda p: p.stem)
def test_system_engine_renders_every_example(path: object) -> None:
    from pathlib import Path

    assert isinstance(path, Path)
    engine = select_engine("system")
    assert engine.name == "system" and "graphviz" in engine.version
    pictures = render(load(path), ["svg", "png", "pdf"], Options(engine="system"), path.stem)
    assert b"<title" in pictures["svg"]
    assert pictures["png"].startswith(b"\x89PNG")
    again = render(load(path), ["svg"], Options(engine="system"), path.stem)
    assert again["svg"] == pictures["svg"]


@pytest.mark.system_dot
def test_system_engine_uses_the_bundled_fonts_only() -> None:
    spec = load(ROOT / "specs" / "vm.json")
    svg = render(spec, ["svg"], Options(engine="system", embed_fonts=False), "vm")["svg"].decode()
    assert 'font-family="DejaVu Sans,Verdana,sans-serif"' in svg
    assert "Times" not in svg


@pytest.mark.system_dot
def test_auto_falls_back_to_system_dot_when_embedded_cannot_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> str:
        raise ImportError("libXrender.so.1: cannot open shared object file")

    monkeypatch.setattr("diagramgen.engines.load_embedded", broken)
    assert select_engine("auto").name == "system"
    with pytest.raises(EngineError, match=r"libXrender\.so\.1.*apt-get install"):
        select_engine("embedded")


def test_embedded_missing_and_no_dot_says_both(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> str:
        raise ImportError("no pygraphviz")

    monkeypatch.setattr("diagramgen.engines.load_embedded", broken)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(EngineError, match="cannot load: no pygraphviz, and Graphviz `dot` is not"):
        select_engine("auto")


_RENDER_SVG = """
import hashlib, sys
from diagramgen import load
from diagramgen.render import Options, render
svg = render(load(sys.argv[1]), ["svg", "png"], Options(engine="embedded"), "x")
print(hashlib.sha256(svg["svg"]).hexdigest(), hashlib.sha256(svg["png"]).hexdigest())
"""


def test_output_does_not_depend_on_the_machine_s_fonts(tmp_path: object) -> None:
    import subprocess
    import sys
    from pathlib import Path

    assert isinstance(tmp_path, Path)
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


def test_a_bug_in_an_in_process_render_keeps_its_traceback() -> None:
    # Only Graphviz refusing its input is a user-facing engine error; anything else is a bug.
    def broken() -> bytes:
        return {}["svgz"]  # type: ignore[no-any-return]

    with pytest.raises(KeyError):
        _in_process(broken)
