"""Attacks from issue 12, each reproduced for real: links, FIFOs, /dev/zero, fake `dot` programs,
hostile text, bombs. Every test here failed before its fix."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagramgen import Settings, SpecInvalid, load_text
from diagramgen.api.batch import render_files, worker_count
from diagramgen.errors import InvalidArgument, PartialRender, Problem
from diagramgen.escape import terminal_json, terminal_text
from diagramgen.files.discover import find_specs
from diagramgen.spec.limits import Limits, parse_limits
from diagramgen.spec.schema import passes_compiled_schema, schema_errors

from .conftest import ROOT, cli, cli_process

BASE: dict[str, Any] = json.loads((ROOT / "specs" / "container.json").read_text())


def _spec(**changes: Any) -> dict[str, Any]:
    document = json.loads(json.dumps(BASE))
    document.update(changes)
    return document


def _container(**changes: Any) -> dict[str, Any]:
    document = _spec()
    document["hosts"][0]["containers"][0].update(changes)
    return document


def _write(path: Path, document: dict[str, Any] | str) -> Path:
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def _no_raw_controls(text: str) -> bool:
    return all(ch in "\n" or not (ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F) for ch in text)


# --- 1: links out of a spec folder ------------------------------------------------------


def test_a_link_to_a_file_outside_the_spec_folder_is_refused_without_its_content(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "config.json"
    secret.write_text('{"auths": "TOKEN-abc123", "version": 1}')
    specs = tmp_path / "specs"
    specs.mkdir()
    _write(specs / "ok.json", BASE)
    (specs / "leak.json").symlink_to(secret)
    (specs / "inside.json").symlink_to(specs / "ok.json")
    for command in (("validate",), ("render", "-o", str(tmp_path / "out"), "-f", "dot")):
        done = cli(*command, str(specs))
        assert done.returncode == 1
        assert b"TOKEN" not in done.stderr + done.stdout
        leak = [line for line in done.stderr.decode().splitlines() if "leak.json" in line]
        assert leak == [
            f"{specs / 'leak.json'}: is a link to a file outside {specs}; refused "
            "(links may point only inside it)"
        ]
    assert (tmp_path / "out" / "inside.dot").exists()  # a link inside the folder is followed


# --- 2: one problem per line, no terminal escapes ---------------------------------------


def test_terminal_text_escapes_controls_and_keeps_ordinary_text() -> None:
    assert terminal_text("web-1: 数据库 “ok” é") == "web-1: 数据库 “ok” é"
    assert terminal_text("a\nb\x1b[2J\x07\x85\u2028\u202e\udfff") == (
        "a\\nb\\x1b[2J\\x07\\x85\\u2028\\u202e\\udfff"
    )
    assert json.loads(terminal_json(json.dumps("x\x85\u2028", ensure_ascii=False))) == "x\x85\u2028"
    problem = Problem(1, 2, "/x\nfake.json:1:1: /hosts", "forged")
    assert "\n" not in problem.format("a\nb.json")


@pytest.mark.parametrize(
    "document",
    [
        _container(limits={"memory": "1GiB\nspec.json: valid (1 host)"}),
        {**_spec(), "x\nfake.json:1:1: /hosts: forged line": 1},
        _spec(hosts=[{**BASE["hosts"][0], "id": "h\x1b]0;owned\x07"}]),
    ],
)
def test_a_newline_or_escape_in_a_value_or_key_stays_on_one_line(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    path = _write(tmp_path / "s.json", document)
    done = cli("validate", str(path))
    assert done.returncode == 1
    stderr = done.stderr.decode()
    assert all(line.startswith(f"{path}:") for line in stderr.splitlines())
    assert _no_raw_controls(stderr)


def test_totals_never_writes_a_terminal_escape(tmp_path: Path) -> None:
    title = "T\x1b]0;pwned\x07\x1b[2J"
    path = _write(tmp_path / "s.json", _spec(title=title))
    for extra in ((), ("--json",)):
        done = cli("totals", str(path), *extra)
        assert done.returncode == 0
        assert b"\x1b" not in done.stdout and b"\x07" not in done.stdout
    assert json.loads(cli("totals", str(path), "--json").stdout)["title"] == title


def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / os.fsdecode(b"bad\xff.json")).write_text(json.dumps(BASE))
    for command in (("validate",), ("render", "-o", str(tmp_path / "out"), "-f", "dot")):
        done = cli(*command, str(specs))
        assert done.returncode == 0, done.stderr
        assert b"Traceback" not in done.stderr
    assert b"bad\\udcff.json: valid" in cli("validate", str(specs)).stdout


# --- 3: the system engine sees nothing of the system's fontconfig -----------------------


@pytest.mark.system_dot
def test_system_dot_reads_no_system_font_configuration_and_writes_no_cache(
    tmp_path: Path,
) -> None:
    if shutil.which("strace") is None:
        pytest.skip("strace is not on PATH (apt-get install strace)")
    trace = tmp_path / "trace"
    code = (
        "import sys; from diagramgen import Settings, load; from diagramgen.api import render;"
        f"render(load({str(ROOT / 'specs' / 'hybrid.json')!r}), ['svg', 'png'],"
        " Settings(engine='system'))"
    )
    subprocess.run(
        [
            "strace",
            "-f",
            "-e",
            "trace=openat,open,mkdir,access,rename",
            "-o",
            str(trace),
            sys.executable,
            "-c",
            code,
        ],
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
        capture_output=True,
    )
    calls = [line for line in trace.read_text().splitlines() if "ENOENT" not in line]
    touched = [
        line
        for line in calls
        if "/usr/share/fontconfig" in line
        or "/etc/fonts" in line
        or "/var/cache/fontconfig" in line
        or ".cache/fontconfig" in line
    ]
    assert touched == []
    assert any("DejaVuSans.ttf" in line for line in calls)  # and it did draw with our fonts


# --- 4, 5, 6, 7: values -----------------------------------------------------------------


@pytest.mark.parametrize("where", ["title", "name", "key"])
def test_a_lone_surrogate_is_refused_at_its_pointer(tmp_path: Path, where: str) -> None:
    document = _container(libs=["LIB"])
    document["title"] = "TITLE"
    text = json.dumps(document)
    if where == "title":
        text = text.replace('"TITLE"', '"a\\udfff"')
    elif where == "name":
        text = text.replace('"LIB"', '"\\ud800x"', 1)
    else:
        text = text.replace('"version": 1', '"version": 1, "\\udfff": 1')
    path = _write(tmp_path / "s.json", text)
    for command in (("totals",), ("totals", "--json"), ("render", "-o", str(tmp_path / "o"))):
        done = cli(*command, str(path))
        assert done.returncode == 1, done.stderr
        assert b"Traceback" not in done.stderr
        assert b"is not valid Unicode text (a lone surrogate)" in done.stderr


@pytest.mark.parametrize("value", ["2.0", "1e18", "1e19", "1e30", "1e100", "1000001", "0"])
def test_replicas_is_a_json_integer_within_its_bound(tmp_path: Path, value: str) -> None:
    text = json.dumps(_container(replicas=7)).replace('"replicas": 7', f'"replicas": {value}')
    path = _write(tmp_path / "s.json", text)
    for command in (("validate",), ("totals",), ("render", "-o", str(tmp_path / "o"))):
        done = cli(*command, str(path))
        assert done.returncode == 1
        assert b"Traceback" not in done.stderr and b"InvalidOperation" not in done.stderr
        assert b"/containers/0/replicas" in done.stderr
    load_text(json.dumps(_container(replicas=1_000_000)), "s.json")


def test_huge_sums_are_exact_not_invalid_operations() -> None:
    containers = [
        {
            "id": f"c{i}",
            "limits": {"cpu": "9223372036854775807m", "memory": 2**63 - 1},
            "image": {"size": 2**63 - 1},
            "replicas": 1_000_000,
        }
        for i in range(50)
    ]
    document = _spec(links=[])
    document["hosts"][0]["containers"] = containers
    document["hosts"][0]["infrastructure"]["capacity"] = {"cpu": 0.001, "memory": 1, "disk": 1}
    from diagramgen.accounting import compute
    from diagramgen.accounting.report import totals_data, totals_text

    spec = load_text(json.dumps(document), "s.json")
    totals = compute(spec)
    assert "%" in totals_text(spec, totals)
    json.dumps(totals_data(spec, totals))


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["web", "a.b_c-1", "1", "512MiB", "1.5 GB", "500m"]),
    st.sampled_from(["\n", "\r\n", "\n\n", " \n", ""]),
    st.sampled_from(["id", "memory", "cpu"]),
)
def test_fast_and_slow_validators_agree_on_trailing_newlines(
    text: str, tail: str, field: str
) -> None:
    value = text + tail
    if field == "id":
        document = _spec(hosts=[{**BASE["hosts"][0], "id": value}])
    else:
        document = _container(limits={field: value})
    fast = passes_compiled_schema(document)
    slow = not schema_errors(document)
    assert fast == slow
    if tail:
        assert not fast


def test_comment_takes_any_value_and_unbounded_is_not_also_unspecified() -> None:
    for value in (5, None, [1, "x"], {"a": 1}, True, "note"):
        document = _spec()
        document["$comment"] = value
        document["hosts"][0]["$comment"] = value
        load_text(json.dumps(document), "s.json")


# --- 8, 12, 14: files that are not what they seem --------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b'{"format": 1, "outputs": [1, 2]}',
        b'{"format": 1, "outputs": "x"}',
        b'{"format": 1, "outputs": 7}',
        b'{"format": 1, "outputs": {"a.svg": {"key": 1}}}',
        b"\xff\xfe not utf-8",
        b"[" * 100_000 + b"]" * 100_000,
        b"{" * 50_000,
        "fifo",
        "zero",
    ],
)
def test_an_unusable_manifest_is_a_note_and_is_rebuilt(
    tmp_path: Path, content: bytes | str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    manifest = out / ".diagramgen.json"
    if content == "fifo":
        os.mkfifo(manifest)
    elif content == "zero":
        manifest.symlink_to("/dev/zero")
    else:
        assert isinstance(content, bytes)
        manifest.write_bytes(content)
    spec = _write(tmp_path / "s.json", BASE)
    for attempt in range(2):
        done = cli_process("render", str(spec), "-o", str(out), "-f", "dot", timeout=60)
        assert done.returncode == 0, done.stderr
        notes = [line for line in done.stderr.decode().splitlines() if line.startswith("note:")]
        assert len(notes) == (1 if attempt == 0 else 0), notes
    assert json.loads(manifest.read_text())["format"] == 1


def test_fifos_dev_zero_and_huge_files_never_hang_and_the_other_specs_render(
    tmp_path: Path,
) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    _write(specs / "good.json", BASE)
    os.mkfifo(specs / "fifo.json")
    (specs / "zero.json").symlink_to("/dev/zero")  # outside: refused as such
    (specs / "inner").mkdir()
    os.mkfifo(specs / "inner" / "real.json")
    (specs / "inner" / "via-link.json").symlink_to(specs / "inner" / "real.json")
    started = time.monotonic()
    done = cli_process("render", str(specs), "-o", str(tmp_path / "out"), "-f", "dot", timeout=60)
    assert time.monotonic() - started < 30
    assert done.returncode == 1
    stderr = done.stderr.decode()
    assert "fifo.json: is a FIFO (named pipe), not a regular file" in stderr
    assert "zero.json: is a link to a file outside" in stderr
    assert (tmp_path / "out" / "good.dot").exists()
    zero = cli_process("validate", "/dev/zero", timeout=60)
    assert zero.returncode == 1 and b"is a device, not a regular file" in zero.stderr


def test_an_output_that_is_a_fifo_under_check_does_not_hang(tmp_path: Path) -> None:
    spec = _write(tmp_path / "s.json", BASE)
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "s.dot")
    done = cli_process("render", str(spec), "-o", str(out), "-f", "dot", "--check", timeout=60)
    assert done.returncode == 1 and b"s.dot: differs from" in done.stderr


def test_limits_are_bounded_and_stdin_preallocates_nothing(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="between 1 and 1,073,741,824"):
        parse_limits(["spec-bytes=9007199254740992"])
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], input=b'{}', capture_output=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            probe,
            sys.executable,
            "-m",
            "diagramgen",
            "validate",
            "-",
            "--limit",
            f"spec-bytes={1024**3}",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert int(done.stdout) < 200 * 1024  # KiB: nothing like the 1 GiB the limit allows


# --- 9: a title of "]" with the system engine -------------------------------------------


@pytest.mark.system_dot
def test_a_title_of_a_bracket_renders_on_the_system_engine() -> None:
    from diagramgen.api import render

    spec = load_text(json.dumps(_spec(title="]")), "s.json")
    svg = render(spec, ["svg"], settings=Settings(engine="system"))["svg"]
    assert b">]</text>" in svg


# --- 10: PNG between Pillow's guards, and a PNG refused alone ---------------------------


def test_a_png_between_pillows_bomb_guards_is_finished_without_warning() -> None:
    import io

    from PIL import Image

    from diagramgen.formats import FORMATS, Caption

    buffer = io.BytesIO()
    Image.new("1", (10_000, 9_500)).save(buffer, format="PNG")  # 95 MP, above the 89.5 MP guard
    finished = FORMATS["png"].finish(buffer.getvalue(), Caption("t"), Settings())
    assert finished.startswith(b"\x89PNG")


def test_a_png_over_the_limit_fails_alone_and_the_svg_is_written(tmp_path: Path) -> None:
    spec = _write(tmp_path / "s.json", BASE)
    from diagramgen.api import render

    with pytest.raises(PartialRender) as raised:
        render(
            load_text(spec.read_text()),
            ["svg", "png"],
            settings=Settings(limits=Limits(picture=1000)),
        )
    assert set(raised.value.pictures) == {"svg"} and set(raised.value.failures) == {"png"}
    summary = render_files(
        [str(spec)],
        tmp_path / "out",
        ["svg", "png"],
        settings=Settings(limits=Limits(picture=1000)),
    )
    assert summary.failed
    assert (tmp_path / "out" / "s.svg").exists() and not (tmp_path / "out" / "s.png").exists()
    assert summary.outcomes[0].errors[0].startswith(f"{spec}: png: the picture would be")


# --- 11, 15: fake dot programs ----------------------------------------------------------

FAKE_DOTS = {
    "garbage": "head -c 3000 /dev/urandom",
    "nothing": "exit 0",
    "hang": "sleep 1000",
    "hang-with-child": "sleep 1000 & sleep 1000",
    "flood-on-version": "head -c 100000000 /dev/zero",
}


def _fake_dot(folder: Path, body: str) -> dict[str, str]:
    folder.mkdir()
    dot = folder / "dot"
    dot.write_text(f"#!/bin/sh\n{body}\n")
    dot.chmod(0o755)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.parametrize("kind", list(FAKE_DOTS))
def test_a_dot_that_is_not_graphviz_is_one_line_of_error(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _fake_dot(tmp_path / "bin", FAKE_DOTS[kind])
    monkeypatch.setenv("PATH", env["PATH"])
    # The probe's own timeout (10 s), shortened: a hanging `dot` is one line either way.
    monkeypatch.setattr("diagramgen.engines.system.VERSION_TIMEOUT", 0.5)
    spec = _write(tmp_path / "s.json", BASE)
    done = cli("render", str(spec), "-o", str(tmp_path / "o"), "--engine", "system")
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 1 and len(lines) == 1, lines
    assert "is it Graphviz?" in lines[0]


@pytest.mark.parametrize(
    ("kind", "body", "expected"),
    [
        ("stdout", "head -c 1500000000 /dev/zero", "was stopped; is it Graphviz?"),
        ("nothing", "cat >/dev/null", "wrote no picture and no error"),
        ("svg-garbage", "cat >/dev/null; echo garbage", "svg output cannot be read"),
        ("png-garbage", "cat >/dev/null; echo garbage", "png output cannot be read"),
        ("png-almost", "cat >/dev/null; printf '\\211PNG\\r\\n\\032\\ngarbage'", "png output"),
        ("pdf-garbage", "cat >/dev/null; echo garbage", "pdf output cannot be read"),
    ],
)
def test_what_a_dot_writes_is_bounded_and_checked(
    tmp_path: Path, kind: str, body: str, expected: str
) -> None:
    from diagramgen.engines import Engine
    from diagramgen.errors import EngineError

    env = _fake_dot(tmp_path / "bin", body)
    engine = Engine("system", "dot fake", str(tmp_path / "bin" / "dot"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    old = os.environ["PATH"]
    os.environ["PATH"] = env["PATH"]
    try:
        from diagramgen.api import render

        with pytest.raises(EngineError, match=expected):
            form = kind.split("-")[0] if kind.startswith(("png", "pdf")) else "svg"
            render(load_text(json.dumps(BASE)), [form], settings=Settings(engine=engine))
    finally:
        os.environ["PATH"] = old
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown < 400 * 1024  # KiB: the cap (256 MiB), not the 1.5 GB written


@pytest.mark.parametrize("form", ["svg", "png", "pdf"])
def test_a_dot_writing_garbage_writes_no_picture(
    tmp_path: Path, form: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PNG was a traceback, a PDF of garbage was written with exit 0."""
    body = 'if [ "$1" = -V ]; then echo "dot - graphviz version 2.43.0" >&2; exit 0; fi\n'
    body += "cat >/dev/null; echo garbage"
    env = _fake_dot(tmp_path / "bin", body)
    monkeypatch.setenv("PATH", env["PATH"])
    spec = _write(tmp_path / "s.json", BASE)
    out = tmp_path / "o"
    done = cli("render", str(spec), "-o", str(out), "--engine", "system", "-f", form)
    errors = done.stderr.decode()
    assert done.returncode == 1 and "Traceback" not in errors
    assert f"Graphviz's {form} output cannot be read" in errors.splitlines()[0]
    assert not out.exists() or not [p for p in out.iterdir() if p.suffix == f".{form}"]


# --- 13: glob and links to "." ----------------------------------------------------------


def test_a_recursive_glob_does_not_follow_links_to_folders(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    (specs / "team").mkdir(parents=True)
    _write(specs / "team" / "a.json", BASE)
    (specs / "loop1").symlink_to(".", target_is_directory=True)
    (specs / "loop2").symlink_to(".", target_is_directory=True)
    started = time.monotonic()
    found = find_specs([f"{specs}/**/*.json"])
    assert time.monotonic() - started < 5
    assert [spec.name for spec in found] == ["team/a"]


# --- 16, 17: links --------------------------------------------------------------------


def test_links_are_limited_and_refused_before_they_are_checked() -> None:
    document = _spec(links=[{"from": "web", "to": "nowhere"}] * 3)
    with pytest.raises(SpecInvalid) as raised:
        load_text(json.dumps(document), "s.json", Limits(links=2))
    assert [p.message for p in raised.value.problems] == ["has 3 links; the links limit is 2"]


def test_did_you_mean_stays_cheap_with_thousands_of_unknown_ids() -> None:
    document = _spec()
    container = document["hosts"][0]["containers"][0]
    document["hosts"][0]["containers"] = [{**container, "id": f"c{i}"} for i in range(9000)]
    document["links"] = [{"from": f"x{i}", "to": "c1"} for i in range(10_000)]
    started = time.process_time()
    with pytest.raises(SpecInvalid) as raised:
        load_text(json.dumps(document), "s.json", Limits(links=10_000))
    assert time.process_time() - started < 20  # was 212 s
    messages = [problem.message for problem in raised.value.problems]
    assert len(messages) == 10_000
    assert sum("did you mean" in message for message in messages) <= 20


# --- 18, 19: workers --------------------------------------------------------------------


def test_jobs_are_capped_at_what_the_machine_holds() -> None:
    cpus = len(os.sched_getaffinity(0))
    workers, note = worker_count(200, 1000)
    assert workers <= cpus
    assert note is not None and note.startswith("-j 200 lowered to")
    assert worker_count(0, 1000)[1] is None
    assert worker_count(1, 1000) == (1, None)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_batch_killed_with_sigkill_leaves_no_workers(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    for index in range(60):
        _write(specs / f"s{index:02}.json", _spec(title=f"t{index}"))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "diagramgen",
            "render",
            str(specs),
            "-o",
            str(tmp_path / "o"),
            "-j",
            "2",
            "-q",
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 60
    children: set[int] = set()
    while time.monotonic() < deadline and len(children) < 2:
        children = set(_descendants(process.pid))
        time.sleep(0.05)
    assert children, "the batch started no workers"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    time.sleep(2)
    alive = [pid for pid in children if _alive(pid)]
    assert alive == []


def _descendants(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            found += [int(entry.name), *_descendants(int(entry.name))]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.parametrize(
    "engine", ["embedded", pytest.param("system", marks=pytest.mark.system_dot)]
)
def test_a_spec_whose_file_name_is_not_utf8_is_drawn(tmp_path: Path, engine: str) -> None:
    """The name's surrogates failed the SVG ids' hash and its title ("surrogates not
    allowed"): the picture is drawn, the file keeps its name, the title shows it escaped."""
    document = {key: value for key, value in BASE.items() if key != "title"}
    folder = os.fsencode(tmp_path)
    spec = os.fsdecode(folder + b"/x\xff.json")
    Path(spec).write_text(json.dumps(document), "utf-8")
    out = tmp_path / "o"
    done = cli("render", spec, "-o", str(out), "--engine", engine)
    assert done.returncode == 0, done.stderr.decode()
    (written,) = out.glob("*.svg")
    assert os.fsencode(written.name) == b"x\xff.svg"
    assert re.search(r"<title[^>]*>x\\xff</title>", written.read_text("utf-8"))


def test_an_app_with_45000_libs_is_drawn() -> None:
    """A valid 9 MB spec: its tooltip made a Graphviz attribute of 9 MB ("longer than
    16384?") and its libs a 9 MB text to wrap. The tooltip's line and the cell are cut."""
    document = json.loads((ROOT / "specs" / "vm.json").read_text("utf-8"))
    app = document["hosts"][0]["vms"][0]["apps"][0]
    app["libs"] = [f"{index:06d}" + "L" * 194 for index in range(45_000)]
    from diagramgen.api import render

    svg = render(load_text(json.dumps(document), "libs.json"), ["svg"])["svg"].decode()
    assert f"bins/libs: 000000{'L' * 194}, 000001" in svg
    assert "044999" not in svg
    tooltips = re.findall(r"<title>([^<]*)</title>", svg)
    assert tooltips and max(len(line) for t in tooltips for line in t.split("&#10;")) <= 600
