"""`diagramgen watch` and `render --watch`: the server, its event stream, and the watch loops
driven by real file writes (plain writes, atomic renames, deletes, new files)."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from diagramgen.accounting import compute
from diagramgen.api import Drawn
from diagramgen.cli import main
from diagramgen.files.discover import Found
from diagramgen.watch import board as board_module
from diagramgen.watch import render_on_change, watch
from diagramgen.watch.board import THEME, Board, event
from diagramgen.watch.loop import serving
from diagramgen.watch.server import Server

from .conftest import ROOT, SPECS

pytest.importorskip("watchfiles")

TIMEOUT = 30.0


def _fake_draw(model: Any, name: str) -> Drawn:
    svg = f'<svg xmlns="http://www.w3.org/2000/svg"><title>{name}</title></svg>'
    return Drawn(model, compute(model), {"svg": svg.encode()})


def _save(path: Path, document: dict[str, Any] | str) -> None:
    """Save as vim and JetBrains do: write a new file, rename it over the old one."""
    text = document if isinstance(document, str) else json.dumps(document, indent=2)
    temporary = path.with_name(path.name + ".tmp~")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _hybrid() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SPECS / "hybrid.json").read_text())
    return document


class Events:
    """A server-sent event client: ``next(kind)`` returns the data of the next such event."""

    def __init__(self, server: Server) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
        self._connection.request("GET", "/events")
        self.response = self._connection.getresponse()
        self.raw: list[bytes] = []

    def next(self, kind: str, until: Callable[[dict[str, Any]], bool] = bool) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        name, data = "", ""
        while time.monotonic() < deadline:
            line = self.response.readline()
            self.raw.append(line)
            if not line:
                raise EOFError("the event stream ended")
            text = line.decode().rstrip("\n")
            if text.startswith("event: "):
                name = text[len("event: ") :]
            elif text.startswith("data: "):
                data = text[len("data: ") :]
            elif text == "" and name:
                value: dict[str, Any] = json.loads(data)
                if name == kind and until(value):
                    return value
                name, data = "", ""
        raise TimeoutError(
            f"no {kind} event in {TIMEOUT} s; got {[line[:900] for line in self.raw]}"
        )

    def close(self) -> None:
        self.response.close()
        self._connection.close()


@contextmanager
def _events(server: Server) -> Iterator[Events]:
    stream = Events(server)
    try:
        yield stream
    finally:
        stream.close()


@contextmanager
def _watching(spec: Path, lines: list[str] | None = None) -> Iterator[Server]:
    """Run ``watch(spec)`` in a thread; stop and join it afterwards."""
    stop = threading.Event()
    started: queue.SimpleQueue[Server] = queue.SimpleQueue()
    thread = threading.Thread(
        target=watch,
        args=(str(spec),),
        kwargs={
            "open_browser": False,
            "stop": stop,
            "started": started.put,
            "echo": (lines if lines is not None else []).append,
        },
    )
    thread.start()
    try:
        yield started.get(timeout=TIMEOUT)
    finally:
        stop.set()
        thread.join(TIMEOUT)
        assert not thread.is_alive()


def _get(
    server: Server, path: str, method: str = "GET", host: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        connection.putrequest(method, path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


@pytest.fixture(autouse=True)
def _worker_of_the_main_thread() -> None:
    """Start the engine worker from this thread, not a watch loop's.

    The worker asks Linux to kill it when its parent dies (PR_SET_PDEATHSIG), and Linux means
    the parent *thread*: a worker started by a loop thread dies with that thread, and the next
    test's first render would fail as a crash.
    """
    from diagramgen.engines.worker import shared

    shared().close()
    shared().start()


# The server.


@pytest.fixture
def board(tmp_path: Path) -> Board:
    spec = tmp_path / "web.json"
    shutil.copy(SPECS / "hybrid.json", spec)
    board = Board(_fake_draw, folder=False)
    board.refresh(Found(spec, "web"))
    return board


def test_it_serves_the_page_and_the_known_specs_only(board: Board) -> None:
    with serving(board) as server:
        assert server.server_address[0] == "127.0.0.1"
        status, headers, body = _get(server, "/")
        assert status == 200 and body.startswith(b"<!doctype html>")
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert "connect-src 'self'" in headers["Content-Security-Policy"]
        for path, kind in (("/page.js", "javascript"), ("/page.css", "css")):
            status, headers, _ = _get(server, path)
            assert status == 200 and kind in headers["Content-Type"]
        status, _, body = _get(server, "/spec/web")
        assert status == 200
        view = json.loads(body)
        assert (view["id"], view["status"], view["version"]) == ("web", "ok", 1)
        assert view["svg"].startswith("<svg") and "Host KVM host" in view["totals"]
        assert _get(server, "/spec/web?x=1")[0] == 200


@pytest.mark.parametrize(
    "path",
    [
        "/spec/nope",
        "/spec/",
        "/web.json",
        "/hybrid.json",
        "/../../../../etc/passwd",
        "/spec/..%2F..%2Fetc%2Fpasswd",
        "/spec/../web",
        "//etc/passwd",
        "/page.js/../page.html",
        "/data/watch/page.html",
    ],
)
def test_unknown_paths_are_404(board: Board, path: str) -> None:
    with serving(board) as server:
        status, _, body = _get(server, path)
    assert (status, body) == (404, b"not found\n")


def test_it_answers_only_requests_for_itself(board: Board) -> None:
    with serving(board) as server:
        # A page elsewhere that points its DNS name at 127.0.0.1 cannot read the specs.
        assert _get(server, "/spec/web", host=f"evil.example:{server.port}")[0] == 403
        assert _get(server, "/spec/web", host="127.0.0.1")[0] == 403
        assert _get(server, "/spec/web", host=f"localhost:{server.port}")[0] == 200
        assert _get(server, "/", method="POST")[0] == 501
        assert _get(server, "/", method="HEAD")[0] == 200


def test_event_format_is_one_json_line_per_event() -> None:
    assert event("spec", {"svg": "<svg>\n</svg>", "é": 1}) == (
        b'event: spec\ndata: {"svg":"<svg>\\n</svg>","\xc3\xa9":1}\n\n'
    )


def test_the_event_stream_sends_the_index_then_each_change(board: Board, tmp_path: Path) -> None:
    with serving(board) as server, _events(server) as stream:
        assert stream.response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
        index = stream.next("index")
        assert stream.raw[0] == b"retry: 500\n"
        assert index["folder"] is False and index["theme"] == THEME
        assert [(s["id"], s["status"], s["version"]) for s in index["specs"]] == [("web", "ok", 1)]
        document = _hybrid()
        document["title"] = "Changed"
        _save(tmp_path / "web.json", document)
        board.refresh(Found(tmp_path / "web.json", "web"))
        view = stream.next("spec")
        assert (view["version"], view["title"], view["status"]) == (2, "Changed", "ok")
        assert stream.raw[-3:-1] == [b"event: spec\n", stream.raw[-2]]
        assert stream.raw[-1] == b"\n"
    # Closing the server ended the stream: the thread serving it was joined.


def test_the_board_keeps_the_last_good_picture_under_every_error(
    board: Board, tmp_path: Path
) -> None:
    spec = tmp_path / "web.json"
    before = board.view("web")
    assert before is not None
    document = _hybrid()
    document["hosts"][0]["vms"][0]["allocated"]["memory"] = "4 gigs"
    document["hosts"][0]["vms"][0]["containers"][0]["replicas"] = 0
    _save(spec, document)
    assert board.refresh(Found(spec, "web"))
    view = board.view("web")
    assert view is not None
    assert (view["status"], view["stale"], view["svg"]) == ("invalid", True, before["svg"])
    assert [line.split(": ")[1] for line in view["errors"]] == [
        "/hosts/0/vms/0/allocated/memory",
        "/hosts/0/vms/0/containers/0/replicas",
    ]
    assert view["errors"][0].startswith(f"{spec}:38:23: /hosts/0/vms/0/allocated/memory: ")
    assert view["totals"] == before["totals"]
    assert not board.refresh(Found(spec, "web")) or True  # the same broken bytes may redraw
    shutil.copy(SPECS / "hybrid.json", spec)
    board.refresh(Found(spec, "web"))
    fixed = board.view("web")
    assert fixed is not None
    assert (fixed["status"], fixed["stale"], fixed["errors"]) == ("ok", False, [])
    # Saving the same bytes again draws nothing.
    assert not board.refresh(Found(spec, "web"))


# The loops, on real files.


def test_watch_follows_rename_saves_deletes_and_breakage(tmp_path: Path) -> None:
    spec = tmp_path / "stack.json"
    shutil.copy(SPECS / "hybrid.json", spec)
    lines: list[str] = []
    with _watching(spec, lines) as server, _events(server) as stream:
        first = stream.next("spec", lambda v: v["status"] == "ok")
        assert "<svg" in first["svg"]
        document = _hybrid()
        document["hosts"][0]["vms"][0]["name"] = "renamed_host"
        _save(spec, document)
        view = stream.next("spec", lambda v: "renamed_host" in v["totals"])
        assert "renamed_host" in view["svg"] and view["version"] > first["version"]
        # Broken bytes: an error with the file's name, the picture kept.
        _save(spec, "{ not json")
        broken = stream.next("spec", lambda v: v["status"] == "invalid")
        assert broken["errors"][0].startswith(f"{spec}:1:3: ")
        assert broken["svg"] == view["svg"] and broken["stale"]
        spec.unlink()
        gone = stream.next("spec", lambda v: v["status"] == "missing")
        assert gone["svg"] == view["svg"] and "gone" in gone["errors"][0]
        shutil.copy(SPECS / "hybrid.json", spec)  # a plain (non-atomic) write brings it back
        back = stream.next("spec", lambda v: v["status"] == "ok")
        assert back["errors"] == [] and "renamed_host" not in back["svg"]
    assert lines[0].startswith(f"watching {spec}: http://127.0.0.1:")
    assert any(line.endswith("error(s), shown on the page") for line in lines)


def test_watch_a_folder_as_it_gains_and_loses_specs(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    shutil.copy(SPECS / "vm.json", tmp_path / "web" / "a.json")
    with _watching(tmp_path) as server, _events(server) as stream:
        index = stream.next("index", lambda i: any(s["status"] == "ok" for s in i["specs"]))
        assert index["folder"] is True and [s["id"] for s in index["specs"]] == ["web/a"]
        shutil.copy(SPECS / "web-and-db.yaml", tmp_path / "b.yaml")
        index = stream.next("index", lambda i: len(i["specs"]) == 2)
        assert [s["id"] for s in index["specs"]] == ["b", "web/a"]
        (tmp_path / "web" / "a.json").unlink()
        index = stream.next("index", lambda i: len(i["specs"]) == 1)
        assert [s["id"] for s in index["specs"]] == ["b"]
        (tmp_path / "notes.txt").write_text("not a spec")
        (tmp_path / "c.json").write_text("[]")
        index = stream.next("index", lambda i: len(i["specs"]) == 2)
        status, _, body = _get(server, "/spec/c")
        assert status == 200 and json.loads(body)["status"] == "invalid"
        assert _get(server, "/spec/notes")[0] == 404


def test_a_graphviz_crash_or_hang_shows_on_the_page_and_the_next_save_draws(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diagramgen.engines.worker import shared

    monkeypatch.setattr(board_module, "RENDER_TIMEOUT", 3.0)
    spec = tmp_path / "stack.json"
    shutil.copy(SPECS / "container.json", spec)
    with _watching(spec) as server, _events(server) as stream:
        stream.next("spec", lambda v: v["status"] == "ok")
        # A crash mid-render: the worker is stopped, the save starts a render, then the worker
        # is killed while the render waits for it. A hang: the worker stays stopped.
        for killed, message in ((True, "crashed (SIGKILL)"), (False, "3 s")):
            pid = shared().pid
            assert pid is not None
            os.kill(pid, signal.SIGSTOP)
            if killed:
                threading.Timer(1.0, os.kill, (pid, signal.SIGKILL)).start()
            document = json.loads((SPECS / "container.json").read_text())
            document["title"] = f"after {'a crash' if killed else 'a hang'}"
            _save(spec, document)
            failed = stream.next("spec", lambda v: v["status"] == "invalid")
            assert message in failed["errors"][0], failed["errors"]
            assert failed["errors"][0].startswith(f"{spec}: Graphviz")
            _save(spec, json.dumps(document) + "\n")
            stream.next("spec", lambda v: v["status"] == "ok")


def test_render_watch_renders_what_changes(tmp_path: Path) -> None:
    folder, output = tmp_path / "specs", tmp_path / "out"
    folder.mkdir()
    shutil.copy(SPECS / "vm.json", folder / "a.json")
    lines: queue.SimpleQueue[str] = queue.SimpleQueue()
    stop = threading.Event()

    def next_line() -> str:
        return lines.get(timeout=TIMEOUT)

    thread = threading.Thread(
        target=render_on_change,
        args=([str(folder)], output, ["svg", "dot"]),
        kwargs={"stop": stop, "echo": lines.put, "fail": lambda line: lines.put("! " + line)},
    )
    thread.start()
    try:
        # Nothing was rendered before the loop started: it catches up.
        assert next_line().startswith(f"watching {folder} for changes")
        assert next_line().startswith(f"{folder / 'a.json'} -> {output / 'a.svg'}, ")
        document = json.loads((SPECS / "vm.json").read_text())
        document["title"] = "Changed"
        _save(folder / "a.json", document)
        assert next_line().startswith(f"{folder / 'a.json'} -> ")
        assert "Changed" in (output / "a.svg").read_text()
        _save(folder / "a.json", document)  # the same bytes: the manifest says so
        assert next_line() == f"{folder / 'a.json'}: unchanged"
        shutil.copy(SPECS / "container.json", folder / "b.json")
        assert next_line().startswith(f"{folder / 'b.json'} -> {output / 'b.svg'}")
        _save(folder / "b.json", "{")
        assert next_line().startswith(f"! {folder / 'b.json'}:")
        removed = {next_line(), next_line()}
        assert removed == {
            f"! {output / f'b.{o}'}: removed, its spec failed" for o in ("svg", "dot")
        }
        (folder / "a.json").unlink()
        assert next_line() == f"{folder / 'a.json'}: gone (its outputs in {output} stay)"
    finally:
        stop.set()
        thread.join(TIMEOUT)


# The command line.


def test_watch_without_watchfiles_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "watchfiles", None)
    assert main(["watch", str(SPECS / "hybrid.json"), "--no-open"]) == 1
    assert capsys.readouterr().err == (
        "watching needs the watchfiles package (diagramgen's watch extra): pip install watchfiles\n"
    )


def test_watch_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["watch", str(tmp_path / "nope.json"), "--no-open"]) == 2
    assert "nope.json: no such file or folder" in capsys.readouterr().err
    spec = str(SPECS / "vm.json")
    assert main(["render", spec, "-o", str(tmp_path), "--watch", "--check"]) == 2
    assert "--watch renders files as they change" in capsys.readouterr().err


def _hear_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _until(process: subprocess.Popen[bytes], text: bytes) -> bytes:
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + TIMEOUT
    while text not in seen and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen += line
    assert text in seen, seen
    return seen


def test_render_watch_keeps_every_setting_of_the_command_line(tmp_path: Path) -> None:
    # Each save was drawn at the default 760 px with font text, whatever the command said.
    spec, out = tmp_path / "stack.json", tmp_path / "out"
    shutil.copy(SPECS / "vm.json", spec)
    arguments = ["render", str(spec), "-o", str(out), "--width", "300", "--text", "paths"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    with subprocess.Popen(
        [sys.executable, "-m", "diagramgen", *arguments, "--watch"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        preexec_fn=_hear_ctrl_c,
    ) as process:
        try:
            _until(process, b"for changes")
            first = (out / "stack.svg").read_text()
            document = json.loads((SPECS / "vm.json").read_text())
            document["title"] = "Saved again"
            _save(spec, document)
            _until(process, b"stack.svg")
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=TIMEOUT)
        finally:
            process.kill()
    again = (out / "stack.svg").read_text()
    assert "Saved again" in again
    for svg in (first, again):
        assert '<svg width="300px"' in svg  # --width 300, not the default 760
        assert "<text" not in svg  # drawn as outlines


@pytest.mark.parametrize("command", ["watch", "render"])
def test_ctrl_c_stops_cleanly(command: str, tmp_path: Path) -> None:
    spec = tmp_path / "stack.json"
    shutil.copy(SPECS / "vm.json", spec)
    arguments = (
        ["watch", str(spec), "--no-open"]
        if command == "watch"
        else ["render", str(spec), "-o", str(tmp_path / "out"), "--watch"]
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    with subprocess.Popen(
        [sys.executable, "-m", "diagramgen", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        # A shell starts background jobs with Ctrl-C ignored, and the ignoring is inherited:
        # the suite run as `... &` would send SIGINT to a process that cannot hear it.
        preexec_fn=_hear_ctrl_c,
    ) as process:
        try:
            seen = _until(process, b"for changes" if command == "render" else b"drawn in")
            process.send_signal(signal.SIGINT)
            rest, _ = process.communicate(timeout=TIMEOUT)
        finally:
            process.kill()  # a failure must not leave the test waiting for it forever
    assert process.returncode == 0
    assert b"Traceback" not in seen + rest
    assert rest.decode().strip().endswith("stopped" if command == "watch" else "stopped watching")


# Hostile situations: what a folder, a link or a client can do to a running watch.


def test_watch_refuses_a_link_outside_the_folder_as_render_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    shutil.copy(SPECS / "vm.json", folder / "ok.json")
    secret = _hybrid()
    secret["title"] = "Secret plans"
    (tmp_path / "secret.json").write_text(json.dumps(secret))
    (folder / "leak.json").symlink_to(tmp_path / "secret.json")
    assert main(["render", str(folder), "-o", str(tmp_path / "out")]) == 1
    refusal = [line for line in capsys.readouterr().err.splitlines() if "leak.json" in line]
    assert len(refusal) == 1 and "outside" in refusal[0]
    with _watching(folder) as server, _events(server) as stream:
        stream.next("index", lambda i: len(i["specs"]) == 2)
        status, _, body = _get(server, "/spec/leak")
        index = _get(server, "/spec/ok")[2] + b"".join(stream.raw)
    view = json.loads(body)
    assert (status, view["status"], view["svg"], view["errors"]) == (200, "invalid", "", refusal)
    assert b"Secret" not in body + index


@pytest.mark.parametrize(
    ("argument", "seen_gone"), [("folder", True), ("file", True), ("folder", False)]
)
def test_watch_follows_a_folder_deleted_and_created_again(
    tmp_path: Path, argument: str, seen_gone: bool
) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    shutil.copy(SPECS / "vm.json", folder / "a.json")
    document = json.loads((SPECS / "vm.json").read_text())
    with (
        _watching(folder if argument == "folder" else folder / "a.json") as server,
        _events(server) as stream,
    ):
        stream.next("spec", lambda v: v["status"] == "ok")
        # A branch switch: the folder goes (its inode with it), and one of that name comes back,
        # after the page showed the spec gone, or at once (ext4 may give it the same inode).
        shutil.rmtree(folder)
        if seen_gone:
            stream.next("spec", lambda v: v["status"] == "missing")
        folder.mkdir()
        document["title"] = "Back"
        (folder / "a.json").write_text(json.dumps(document))
        stream.next("spec", lambda v: (v["status"], v["title"]) == ("ok", "Back"))
        # The next save is seen: the watcher follows the new folder, not the deleted one.
        document["title"] = "After the switch"
        _save(folder / "a.json", document)
        stream.next("spec", lambda v: v["title"] == "After the switch")
        status, _, body = _get(server, "/spec/a")
    view = json.loads(body)
    assert (status, view["status"], view["title"]) == (200, "ok", "After the switch")
    assert "After the switch" in view["svg"]


def test_render_watch_follows_a_folder_deleted_and_created_again(tmp_path: Path) -> None:
    folder, output = tmp_path / "specs", tmp_path / "out"
    folder.mkdir()
    shutil.copy(SPECS / "vm.json", folder / "a.json")
    lines: queue.SimpleQueue[str] = queue.SimpleQueue()
    stop = threading.Event()
    thread = threading.Thread(
        target=render_on_change,
        args=([str(folder)], output),
        kwargs={"stop": stop, "echo": lines.put, "fail": lines.put},
    )
    thread.start()
    try:
        assert lines.get(timeout=TIMEOUT).startswith(f"watching {folder} for changes")
        assert lines.get(timeout=TIMEOUT).startswith(f"{folder / 'a.json'} -> ")
        shutil.rmtree(folder)
        assert (
            lines.get(timeout=TIMEOUT)
            == f"{folder / 'a.json'}: gone (its outputs in {output} stay)"
        )
        folder.mkdir()
        document = json.loads((SPECS / "vm.json").read_text())
        document["title"] = "Back"
        _save(folder / "a.json", document)
        # Drawn again, and no second "watching" line: the watcher was armed again quietly.
        assert lines.get(timeout=TIMEOUT).startswith(f"{folder / 'a.json'} -> ")
        assert "Back" in (output / "a.svg").read_text()
    finally:
        stop.set()
        thread.join(TIMEOUT)
    rest = [lines.get() for _ in range(lines.qsize())]  # at most "unchanged", if the save came late
    assert not [line for line in rest if line.startswith("watching")], rest


def _hang_up(port: int, reset: bool) -> None:
    """Ask for a spec and go away before the answer, as a reload or a closed tab does.

    The request's last line is sent once the server waits for it, then the socket is closed:
    with a reset (SO_LINGER 0) the server's read fails, without one its write does.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as client:
        client.sendall(f"GET /spec/stack HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
        time.sleep(0.05)
        if reset:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            client.sendall(b"\r\n")


def test_watch_says_nothing_of_clients_that_hang_up(tmp_path: Path) -> None:
    spec = tmp_path / "stack.json"
    shutil.copy(SPECS / "hybrid.json", spec)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    with (
        (tmp_path / "stderr").open("w+b") as stderr,
        subprocess.Popen(
            [sys.executable, "-m", "diagramgen", "watch", str(spec), "--no-open"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            preexec_fn=_hear_ctrl_c,
        ) as process,
    ):
        try:
            seen = _until(process, b"drawn in")
            found = re.search(rb"http://127\.0\.0\.1:(\d+)/", seen)
            assert found is not None, seen
            port = int(found[1])
            for _ in range(5):
                _hang_up(port, reset=True)
                _hang_up(port, reset=False)
            # The server still answers, and every hung-up request was handled before this one.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
            connection.request("GET", "/spec/stack")
            assert connection.getresponse().status == 200
            connection.close()
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=TIMEOUT)
        finally:
            process.kill()
        stderr.seek(0)
        said = stderr.read().decode()
    assert process.returncode == 0
    assert "Traceback" not in said and "Error" not in said, said
    assert said.strip() == "stopped"
