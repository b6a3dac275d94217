"""Mixed hosts: VMs beside system containers on one host OS (Proxmox VE, Incus), and stopped
guests. Totals by hand, the stack rules, and what the picture and the panel say."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from diagramgen import Settings, load, load_text
from diagramgen.accounting import compute
from diagramgen.accounting.report import totals_data
from diagramgen.api import render
from diagramgen.errors import SpecInvalid
from diagramgen.spec import validate

from .conftest import SPECS

GiB, MiB = 1024**3, 1024**2
PROXMOX = SPECS / "proxmox.json"


def _document() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PROXMOX.read_text())
    return data


def test_totals_of_the_example_by_hand() -> None:
    totals = compute(load(PROXMOX))
    host = totals.host("pve1")
    # cpu: haos 2 + media 4 (win11 stopped: 0) + three LXC containers 1 + 1 + 1 = 9 cores;
    # Proxmox VE's, KVM's and LXC's cpu are not given (3 unknown).
    assert (host.committed.cpu.value, host.committed.cpu.unknown) == (9000, 3)
    # memory: Proxmox VE 2 GB + haos 4 GiB + media 8 GiB + 512 MiB + 1 GiB + 256 MiB; the
    # stopped win11's 8 GiB is free. KVM and LXC give no figure (2 unknown).
    memory = 2 * 10**9 + 4 * GiB + 8 * GiB + 512 * MiB + 1 * GiB + 256 * MiB
    assert (host.committed.memory.value, host.committed.memory.unknown) == (memory, 2)
    # disk: VMs 32 + 64 + 128 GiB (a stopped VM keeps its disk) + root disks 4 + 8 + 2 GiB.
    assert host.committed.disk.value == (32 + 64 + 128 + 4 + 8 + 2) * GiB
    # OS copies: Proxmox VE and three guest OSes; the LXC userlands are not among them.
    assert host.os_copies == 4 and host.userland_copies == 3 and host.stopped == 1
    diagram = totals.diagram
    assert (diagram.containers, diagram.system_containers, diagram.apps) == (0, 3, 2)
    # A userland is no image: nothing in image disk, and no "unknown" from it either.
    assert diagram.image_disk_unique.value == 0 and diagram.image_disk_unique.unknown == 0
    # No warning but the figures not given (the example leaves unpublished ones out).
    assert {alert.code for alert in totals.warnings} == {"unspecified"}


def test_a_stopped_system_container_commits_only_its_root_disk() -> None:
    document = _document()
    document["hosts"][0]["containers"][1]["state"] = "stopped"  # proxy: 1 core, 1 GiB, 8 GiB
    before = compute(load(PROXMOX)).host("pve1").committed
    after = compute(load_text(json.dumps(document), "p.json")).host("pve1").committed
    assert before.cpu.value - after.cpu.value == 1000
    assert before.memory.value - after.memory.value == 1 * GiB
    assert before.disk == after.disk


def test_json_carries_the_new_figures_only_for_specs_that_have_them() -> None:
    data = totals_data(load(PROXMOX), compute(load(PROXMOX)))
    assert data["diagram"]["system_containers"] == 3
    assert data["diagram"]["userland_copies"] == 3
    assert data["diagram"]["userland_overhead"] == {
        "cpu": None,
        "memory": None,
        "disk": None,
        "unknown": {"cpu": 3, "memory": 3, "disk": 3},
    }
    assert data["hosts"][0]["stopped"] == 1
    hybrid = load(SPECS / "hybrid.json")
    plain = totals_data(hybrid, compute(hybrid))
    assert not {"system_containers", "userland_copies", "stopped"} & set(plain["diagram"])
    assert not {"userland_copies", "stopped"} & set(plain["hosts"][0])


def test_a_system_container_without_an_allocation_is_unspecified_not_unbounded() -> None:
    document = _document()
    del document["hosts"][0]["containers"][2]["allocated"]
    totals = compute(load_text(json.dumps(document), "p.json"))
    codes = {(alert.code, alert.pointer) for alert in totals.warnings}
    assert ("unspecified", "/hosts/0/containers/2") in codes
    assert not any(code == "unbounded-container" for code, _ in codes)


def _problems(document: dict[str, Any]) -> list[str]:
    with pytest.raises(SpecInvalid) as raised:
        validate(document, file="p.json")
    return [line.removeprefix("p.json: ") for line in raised.value.lines()]


def test_a_system_container_has_no_image_limits_or_replicas() -> None:
    document = _document()
    document["hosts"][0]["containers"][0]["image"] = {"ref": "debian:12"}
    document["hosts"][0]["containers"][0]["replicas"] = 2
    assert _problems(document) == [
        f'/hosts/0/containers/0/{key}: "{key}" is not allowed here; a system container (one'
        " with a userland) is given cores, memory and a root disk by allocated; it has no"
        " image, limits, reservations or replicas"
        for key in ("image", "replicas")
    ]


def test_an_allocation_needs_a_userland() -> None:
    document = _document()
    del document["hosts"][0]["containers"][0]["userland"]
    assert _problems(document) == [
        '/hosts/0/containers/0: a container with "allocated" also needs "userland"'
    ]


def test_a_host_with_vms_and_containers_is_led_to_the_mixed_stack() -> None:
    document = _document()
    document["hosts"][0]["stack"] = "hybrid"
    lead = (
        "/hosts/0/stack: this host has a hypervisor and VMs and containers beside them:"
        ' did you mean "mixed"?'
    )
    assert lead in _problems(document)


@pytest.mark.parametrize("key", ["host_os", "engine", "containers", "hypervisor"])
def test_a_mixed_host_needs_both_sides_on_a_host_os(key: str) -> None:
    document = copy.deepcopy(_document())
    del document["hosts"][0][key]
    problems = _problems(document)
    assert any(f'missing required key "{key}"' in p and '"mixed" host' in p for p in problems)


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_the_picture_says_what_runs_where_and_what_is_stopped() -> None:
    svg = render(load(PROXMOX), ["svg"], settings=Settings(embed_fonts=False))["svg"].decode()
    texts = _texts(svg)
    assert "mixed host · 4 OS copies · 3 userlands" in texts
    assert "LXC 6.0" in texts and "KVM/QEMU · type 1" in texts
    assert "userland alpine&#45;3.20&#45;default" in texts
    assert "stopped" in texts  # win11's own cell
    # The panel: full OS copies, the userland copies beside them, the stopped guest.
    assert "userland copies" in texts and "3 (no kernel)" in texts
    assert "full OS copies" in texts and "system containers" in texts
    assert "1: cores · memory not committed" in texts
