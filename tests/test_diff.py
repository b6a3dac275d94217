"""`diagramgen diff`: one stack in two versions, what changed marked on the picture, in the
totals and in the JSON; the sides read from files or from git revisions."""

from __future__ import annotations

import copy
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from diagramgen import Settings, load_text
from diagramgen.api.diff import diff, git_spec
from diagramgen.spec import DEFAULT_LIMITS

from .conftest import SPECS, cli_text

GiB, MiB = 1024**3, 1024**2


def _spec(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SPECS / f"{name}.json").read_text())
    return data


def _model(document: dict[str, Any]) -> Any:
    return load_text(json.dumps(document), "spec.json")


def _diff(old: dict[str, Any], new: dict[str, Any], formats: list[str] | None = None) -> Any:
    settings = Settings(embed_fonts=False, name="d")
    return diff(_model(old), _model(new), formats or [], settings)


def _kinds(difference: Any) -> list[tuple[str, str]]:
    return [(change.kind, change.id) for change in difference.changes.items]


# --- each kind of change, on each kind of stack -----------------------------------------------


def test_container_stack_added_removed_changed_and_renamed() -> None:
    old = _spec("container")
    new = copy.deepcopy(old)
    containers = new["hosts"][0]["containers"]
    first, second = containers[0]["id"], containers[1]["id"]
    containers[0]["limits"]["memory"] = "2GiB"
    containers[1]["id"] = second + "-renamed"  # a renamed id is one removed, one added
    new["links"] = [
        {**link, **{end: second + "-renamed" for end in ("from", "to") if link[end] == second}}
        for link in new.get("links", [])
    ]
    containers.append({"id": "extra", "image": {"ref": "busybox:1.36"}, "limits": {"cpu": 1}})
    difference = _diff(old, new)
    assert _kinds(difference) == [
        ("changed", first),
        ("added", second + "-renamed"),
        ("added", "extra"),
        ("removed", second),
    ]
    change = difference.changes.items[0]
    before = old["hosts"][0]["containers"][0]["limits"]["memory"]
    assert change.figures[0][0] == "limit memory" and change.figures[0][2] == "2 GiB"
    assert before.replace("MiB", " MiB").replace("GiB", " GiB") == change.figures[0][1]


def test_vm_stack_vm_resized_and_app_moved() -> None:
    old = _spec("vm")
    new = copy.deepcopy(old)
    vms = new["hosts"][0]["vms"]
    vms[0]["allocated"]["memory"] = "12GiB"
    app = vms[1]["apps"].pop(0)
    vms[0]["apps"].append(app)
    data = _diff(old, new).data()
    changed = {change["id"]: change for change in data["changes"]}
    assert changed[vms[0]["id"]]["figures"] == [
        {"figure": "memory", "old": "4 GiB", "new": "12 GiB"}
    ]
    assert changed[app["id"]]["kind"] == "moved"
    assert (changed[app["id"]]["from"], changed[app["id"]]["to"]) == (vms[1]["id"], vms[0]["id"])
    # The host commits 8 GiB more: every VM's allocation, by hand.
    committed = [side["hosts"][0]["committed"]["memory"] for side in (data["old"], data["new"])]
    assert committed[1] - committed[0] == 8 * GiB


def test_hybrid_warnings_that_appear_and_go_away() -> None:
    old = _spec("hybrid")
    old["hosts"][0]["vms"][0]["allocated"]["memory"] = "1GiB"  # docker-host-1 overflows
    new = copy.deepcopy(_spec("hybrid"))
    new["hosts"][0]["vms"][2]["allocated"]["memory"] = "16GiB"  # db-vm overflows (24 GiB pg)
    data = _diff(old, new).data()
    appeared = [w["message"] for w in data["warnings"]["appeared"]]
    resolved = [w["message"] for w in data["warnings"]["resolved"]]
    assert appeared == ['VM "db-vm" holds 24.5 GiB of memory but is allocated 16 GiB']
    # docker-host-1: Debian 512 MiB + web 2 x 256 MiB + api 3 x 4 GiB = 13 GiB, and the
    # engine's memory not given: "at least".
    assert resolved == ['VM "docker-host-1" holds at least 13 GiB of memory but is allocated 1 GiB']


def test_the_summary_counts_the_changes_and_names_the_largest_move_of_a_host() -> None:
    old = _spec("hybrid")
    new = copy.deepcopy(old)
    vms = new["hosts"][0]["vms"]
    vms[1]["containers"].append({"id": "m", "image": {"ref": "x"}, "limits": {"cpu": 1}})
    vms[1]["containers"].append({"id": "n", "image": {"ref": "x"}, "limits": {"cpu": 1}})
    new["hosts"][0]["vms"] = [vms[0], vms[1]]  # db-vm removed
    new["links"] = [link for link in new["links"] if "pg" not in (link["from"], link["to"])]
    difference = _diff(old, new)
    # Committed memory of 64 GiB: Debian 512 MiB + VMs 16 + 8 + 32 GiB = 56.5 GiB (88%)
    # before; without db-vm's 32 GiB, 24.5 GiB (38%) after: 50 points, the largest move.
    # cpu: VMs 20 of 24 (83%) -> 12 (50%), 33 points; disk: Debian 4 GiB + KVM 70.6 MiB + VMs
    # 40 + 40 + 500 GiB = 584.07 GiB of 1 TiB (57%) -> 84.07 GiB (8%), 49 points.
    assert difference.summary() == (
        "+2 containers, \N{MINUS SIGN}1 VM, \N{MINUS SIGN}1 app; host KVM host memory 88% → 38%"
    )


# --- the picture --------------------------------------------------------------------------


def _texts(svg: bytes) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg.decode())


def test_the_picture_marks_each_change_and_draws_what_was_removed_where_it_stood() -> None:
    old = _spec("hybrid")
    new = copy.deepcopy(old)
    vms = new["hosts"][0]["vms"]
    vms[0]["containers"][1]["limits"]["memory"] = "6GiB"
    vms[1]["containers"] = [c for c in vms[1]["containers"] if c["id"] != "worker"]
    vms[1]["containers"].append({"id": "metrics", "image": {"ref": "x"}, "limits": {"cpu": 1}})
    new["links"] = [link for link in new["links"] if "worker" not in link.values()]
    svg = _diff(old, new, ["svg"]).pictures["svg"]
    texts = _texts(svg)
    assert "+ added" in texts and "\N{MINUS SIGN} removed" in texts
    assert "4 → 6 GiB" in " ".join(texts)  # "limit memory 4 → 6 GiB", maybe on two lines
    # The removed worker is drawn (dashed), in its old VM; the added one on the added fill.
    assert "worker \N{MULTIPLICATION SIGN} 2" in texts
    assert 'stroke-dasharray="5,2"' in svg.decode()
    assert "#bbf7d0" in svg.decode() and "#e9d5ff" in svg.decode()
    # The panel: the figures before and after.
    assert "Changes" in texts and "before" in texts and "after" in texts


def test_unchanged_specs_draw_no_mark_and_the_same_bytes_twice() -> None:
    old = _spec("container")
    first = _diff(old, copy.deepcopy(old), ["svg"])
    assert first.changes.items == () and first.summary() == "no component changed"
    assert "+ added" not in _texts(first.pictures["svg"])
    assert _diff(old, copy.deepcopy(old), ["svg"]).pictures == first.pictures


# --- the sides: files, standard input, git revisions --------------------------------------------


def _git(folder: Path, *arguments: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(folder), *arguments], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "config", "user.email", "t@example.com")
    _git(tmp_path, "config", "user.name", "t")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "stack.json").write_text(json.dumps(_spec("container")))
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "first")
    changed = _spec("container")
    changed["hosts"][0]["containers"][0]["limits"]["memory"] = "2GiB"
    (tmp_path / "docs" / "stack.json").write_text(json.dumps(changed))
    return tmp_path


def test_a_side_read_from_a_git_revision(repository: Path) -> None:
    spec = git_spec("main", repository / "docs" / "stack.json", DEFAULT_LIMITS)
    assert spec.hosts[0].containers[0].limits.memory != 2 * GiB
    with pytest.raises(Exception, match="cannot be read from git"):
        git_spec("nosuchrev", repository / "docs" / "stack.json", DEFAULT_LIMITS)


def test_the_command_against_a_revision_prints_json(repository: Path) -> None:
    path = repository / "docs" / "stack.json"
    done = cli_text("diff", f"main:{path}", str(path), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["changes"][0]["kind"] == "changed"
    assert data["labels"] == {"old": "main", "new": str(path)}
    again = cli_text("diff", str(path), "--against", "main", "--json")
    assert json.loads(again.stdout)["changes"] == data["changes"]


def test_the_command_writes_the_pictures(repository: Path, tmp_path: Path) -> None:
    path = repository / "docs" / "stack.json"
    out = tmp_path / "out" / "stack-diff"
    done = cli_text("diff", f"main:{path}", str(path), "-o", str(out), "-f", "svg,png")
    assert done.returncode == 0, done.stderr
    assert (out.parent / "stack-diff.svg").is_file() and (out.parent / "stack-diff.png").is_file()
    assert "changed" in done.stderr or "changed" in done.stdout
