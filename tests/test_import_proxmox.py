"""The Proxmox VE importer: nodes as hosts, VMs and LXC containers on them, configs, storage.

The fixture (tests/data/import/proxmox) is a two-node cluster as `pvesh get /cluster/resources
--output-format json-pretty` prints it, with `qm config` / `pct config` text for six guests and
the pvesh JSON of one (101):

    node  CPUs  memory        guest      name       state    vCPU  memory   disks (config)
    pve1  8     33546305536   VM 100     haos       running  2     4 GiB    32G + efidisk 4M
                              VM 101     media      running  4     8 GiB    64G + 256G
                              VM 102     win11      stopped  4     8 GiB    128G + 4M + 4M
                              CT 200     pihole     running  1     512 MiB  rootfs 4G
                              CT 201     proxy      running  2     1 GiB    8G + mp0 16G (nas)
                              CT 202     restic     stopped  1     256 MiB  2G (+ a bind mount)
    pve2  4     16647876608   VM 110     nextcloud  running  2     8 GiB    32G + 500G (nas)
                              VM 111     db         running  2     10 GiB   (none: maxdisk 64G)
                              VM 9000    template: left out

VM 110 balloons down to 4 GiB. A stopped guest commits its disk only. Committed, by hand:

    pve1  cpu     2 + 4 + 1 + 2 = 9 vCPU, of 8: cpu-overcommit, 9 / 8 = 112.5 % -> 113 %
          memory  4 GiB + 8 GiB + 512 MiB + 1 GiB = 13.5 GiB
          disk    (32 GiB + 4 MiB) + 320 GiB + (128 GiB + 8 MiB) + 4 + 24 + 2 GiB = 510 GiB + 12 MiB
    pve2  cpu     2 + 2 = 4 vCPU, of 4: no warning
          memory  8 + 10 = 18 GiB = 19327352832 B of 16647876608 B: memory-overcommit, 116 %
          disk    (32 + 500) + 64 = 596 GiB

Disk capacity is the storage for guests' disks each node sees: pve1 local-lvm 374538764288 B
+ nas 3998832590848 B = 4373371355136 B; pve2 local-lvm 140387549184 B + nas = 4139220140032 B.
On pve1's local-lvm stand 10 disks: 32G + 4M + 64G + 256G + 128G + 4M + 4M + 4G + 8G + 2G =
494 GiB + 12 MiB = 530441043968 B, 141.6 % of its 374538764288 B -> 142 %.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagramgen import InvalidArgument, load_text, render
from diagramgen.accounting import compute
from diagramgen.importers import Imported, ImportFailed, dump_spec, import_proxmox
from diagramgen.importers.proxmox_configs import QuantityError, size_bytes
from diagramgen.spec import Limits

DATA = Path(__file__).resolve().parent / "data" / "import" / "proxmox"
RESOURCES = str(DATA / "resources.json")
CONFIGS = str(DATA / "configs")
GiB = 1024**3
MiB = 1024**2

NODE = {
    "id": "node/pve1",
    "type": "node",
    "node": "pve1",
    "status": "online",
    "maxcpu": 4,
    "maxmem": 8 * GiB,
    "maxdisk": 64 * GiB,
}
VM = {
    "id": "qemu/100",
    "type": "qemu",
    "vmid": 100,
    "name": "web",
    "node": "pve1",
    "status": "running",
    "template": 0,
    "maxcpu": 2,
    "maxmem": 2 * GiB,
    "maxdisk": 32 * GiB,
}
CT = {
    "id": "lxc/200",
    "type": "lxc",
    "vmid": 200,
    "name": "dns",
    "node": "pve1",
    "status": "running",
    "template": 0,
    "maxcpu": 1,
    "maxmem": 512 * MiB,
    "maxdisk": 4 * GiB,
}


@pytest.fixture(scope="module")
def cluster() -> Imported:
    return import_proxmox(RESOURCES, configs=[CONFIGS])


@pytest.fixture(scope="module")
def bare() -> Imported:
    return import_proxmox(RESOURCES)


def write(folder: Path, name: str, data: Any) -> str:
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=1))
    return str(path)


def guests(imported: Imported, host: int) -> dict[str, dict[str, Any]]:
    found = imported.document["hosts"][host]
    return {g["id"]: g for g in [*found.get("vms", []), *found.get("containers", [])]}


def notes(imported: Imported) -> list[tuple[str, int, int, str, str]]:
    return [(Path(w.file).name, w.line, w.column, w.path, w.message) for w in imported.warnings]


def totals(imported: Imported) -> Any:
    return compute(load_text(json.dumps(imported.document), "imported.json"))


def failure(path: str, **options: Any) -> list[str]:
    with pytest.raises(ImportFailed) as failed:
        import_proxmox(path, **options)
    return failed.value.lines()


# --- the cluster --------------------------------------------------------------------------


def test_one_host_per_node_with_proxmox_ve_kvm_and_lxc(cluster: Imported) -> None:
    document = cluster.document
    assert document["title"] == "Proxmox VE cluster (2 nodes)"
    pve1, pve2 = document["hosts"]
    assert (pve1["id"], pve1["stack"], pve2["id"], pve2["stack"]) == ("pve1", "mixed", "pve2", "vm")
    assert pve1["infrastructure"]["capacity"] == {
        "cpu": 8,
        "memory": 33546305536,
        "disk": 374538764288 + 3998832590848,
    }
    assert pve2["infrastructure"]["capacity"]["disk"] == 140387549184 + 3998832590848
    assert pve1["host_os"] == pve2["host_os"] == {"name": "Proxmox VE"}
    assert pve1["hypervisor"] == pve2["hypervisor"] == {"name": "KVM/QEMU", "type": 1}
    assert pve1["engine"] == {"name": "LXC"}
    assert "engine" not in pve2 and "containers" not in pve2
    assert pve1["infrastructure"]["$comment"] == (
        "Proxmox VE node pve1; disk: storage local-lvm, nas, where guests' disks go (not the"
        " 93.9 GiB root file system); when dumped: 7.1% CPU busy, 13 GiB of memory in use"
    )


def test_guests_with_what_they_are_given_their_state_and_os(cluster: Imported) -> None:
    pve1, pve2 = guests(cluster, 0), guests(cluster, 1)
    assert list(pve1) == ["haos", "media", "win11", "pihole", "proxy", "restic"]
    assert list(pve2) == ["nextcloud", "db"]  # the template 9000 is left out
    assert pve1["haos"] == {
        "id": "haos",
        "name": "haos (VM 100)",
        "$comment": "VM 100 on pve1, pool home; disks: efidisk0 4 MiB on local-lvm,"
        " scsi0 32 GiB on local-lvm; 2 cores",
        "allocated": {"cpu": 2, "memory": "4GiB", "disk": "32772MiB"},
        "guest_os": {"name": "Linux"},
    }
    # The dump's maxdisk is the boot disk; the config gives both disks.
    assert pve1["media"]["allocated"] == {"cpu": 4, "memory": "8GiB", "disk": "320GiB"}
    assert pve1["media"]["$comment"].endswith("; 2 sockets x 2 cores")
    assert pve1["win11"]["state"] == "stopped"
    assert pve1["win11"]["guest_os"] == {"name": "Windows 11/2022/2025"}
    # Its snapshot [before-update] (2 cores, 96G) is not the current config.
    assert pve1["win11"]["allocated"] == {"cpu": 4, "memory": "8GiB", "disk": 128 * GiB + 8 * MiB}
    assert pve1["pihole"] == {
        "id": "pihole",
        "name": "pihole (CT 200)",
        "$comment": "CT 200 on pve1; disks: rootfs 4 GiB on local-lvm; 1 core",
        "userland": {"name": "Debian"},
        "allocated": {"cpu": 1, "memory": "512MiB", "disk": "4GiB"},
    }
    assert pve1["proxy"]["userland"] == {"name": "Alpine Linux"}
    assert pve1["proxy"]["allocated"]["disk"] == "24GiB"  # rootfs 8G + mp0 16G
    assert pve1["restic"]["state"] == "stopped"
    assert pve1["restic"]["allocated"]["disk"] == "2GiB"  # the bind mount is the host's disk
    assert pve2["nextcloud"]["allocated"] == {"cpu": 2, "memory": "8GiB", "disk": "532GiB"}
    assert pve2["db"] == {
        "id": "db",
        "name": "db (VM 111)",
        "$comment": "VM 111 on pve2",
        "allocated": {"cpu": 2, "memory": "10GiB", "disk": "64GiB"},
        "guest_os": {"name": "guest OS"},
    }


def test_totals_by_hand(cluster: Imported) -> None:
    found = totals(cluster)
    pve1, pve2 = found.hosts
    assert pve1.committed.cpu.value == (2 + 4 + 1 + 2) * 1000
    assert pve1.committed.memory.value == 4 * GiB + 8 * GiB + 512 * MiB + 1 * GiB
    assert pve1.committed.disk.value == (32 + 320 + 128 + 4 + 24 + 2) * GiB + 12 * MiB
    assert pve1.stopped == 2
    assert pve1.userland_copies == 3
    assert pve2.committed.cpu.value == (2 + 2) * 1000
    assert pve2.committed.memory.value == (8 + 10) * GiB == 19327352832
    assert pve2.committed.disk.value == (32 + 500 + 64) * GiB
    assert found.diagram.vms == 5 and found.diagram.system_containers == 3
    overcommits = [(a.code, a.pointer, a.subject) for a in found.warnings if "over" in a.code]
    assert overcommits == [
        ("cpu-overcommit", "/hosts/0", 'host "pve1", 113% of cpu'),
        ("memory-overcommit", "/hosts/1", 'host "pve2", 116% of memory'),
    ]


def test_notes_name_their_place(cluster: Imported) -> None:
    assert notes(cluster) == [
        (
            "resources.json",
            85,
            4,
            "[4]",
            "no config for VM 111: on which storage their disks stand is not known,"
            " so they are counted on none",
        ),
        ("resources.json", 165, 4, "[8]", "VM 9000 (debian12-tmpl) is a template: left out"),
        (
            "resources.json",
            185,
            4,
            "[9]",
            "1 pool resource: not drawn (a spec holds nodes and guests)",
        ),
        (
            "resources.json",
            220,
            4,
            "[12]",
            "storage local (dir) on pve1: holds iso, vztmpl, backup; 9.2 GiB used of 93.9 GiB",
        ),
        (
            "resources.json",
            232,
            4,
            "[13]",
            "storage local-lvm (lvmthin) on pve1: holds rootdir, images; 92 GiB used of 349 GiB;"
            " guests' disks on it: 494 GiB (10 disks)",
        ),
        (
            "resources.json",
            232,
            4,
            "[13]",
            "storage local-lvm: the guests' disks on it add up to 494 GiB, more than its 349 GiB"
            " (142%): thin provisioning lets them be made, not all be filled",
        ),
        (
            "resources.json",
            244,
            4,
            "[14]",
            "storage nas (nfs, shared) on pve1, pve2: holds backup, images, iso; 1.12 TiB used of"
            " 3.64 TiB (in the disk capacity of each of these nodes); guests' disks on it:"
            " 516 GiB (2 disks)",
        ),
        (
            "resources.json",
            256,
            4,
            "[15]",
            "storage local (dir) on pve2: holds iso, vztmpl, backup; 5 GiB used of 64.2 GiB",
        ),
        (
            "resources.json",
            268,
            4,
            "[16]",
            "storage local-lvm (lvmthin) on pve2: holds rootdir, images; 20 GiB used of 131 GiB;"
            " guests' disks on it: 32 GiB (1 disk)",
        ),
        (
            "resources.json",
            292,
            4,
            "[18]",
            "2 sdn resources: not drawn (a spec holds nodes and guests)",
        ),
        (
            "110.conf",
            1,
            10,
            "balloon",
            "ballooning: VM 110 may be left with 4 GiB of its 8 GiB when pve2 runs short of"
            " memory; the totals count the 8 GiB it may use",
        ),
    ]


def test_without_configs_the_dump_alone(bare: Imported) -> None:
    pve1 = guests(bare, 0)
    assert pve1["media"]["allocated"] == {"cpu": 4, "memory": "8GiB", "disk": "64GiB"}
    assert pve1["media"]["guest_os"] == {"name": "guest OS"}
    assert pve1["pihole"]["userland"] == {"name": "userland"}
    assert pve1["haos"]["$comment"] == "VM 100 on pve1, pool home"
    messages = [message for *_, message in notes(bare)]
    assert messages[0] == (
        "no config for VM 100, VM 101, VM 102, VM 110, VM 111 and 3 more: on which storage"
        " their disks stand is not known, so they are counted on none"
    )
    assert not any("ballooning" in m or "guests' disks on it" in m for m in messages)
    # maxdisk: 32 + 64 + 128 + 4 + 8 + 2 GiB on pve1
    assert totals(bare).hosts[0].committed.disk.value == (32 + 64 + 128 + 4 + 8 + 2) * GiB


@pytest.mark.parametrize("imported", ["cluster", "bare"])
def test_the_spec_validates_totals_and_renders(imported: str, request: Any) -> None:
    found: Imported = request.getfixturevalue(imported)
    by_json = totals(found)
    for fmt in ("json", "yaml"):
        text = dump_spec(found, fmt)
        assert compute(load_text(text, f"imported.{fmt}", syntax=fmt)) == by_json
    picture = render(load_text(dump_spec(found, "json"), "imported.json"), ["svg"])["svg"]
    assert b"Proxmox VE cluster (2 nodes)" in picture
    assert b"KVM/QEMU" in picture and b"pihole (CT 200)" in picture


# --- the configs --------------------------------------------------------------------------


def test_a_config_that_disagrees_with_the_dump_is_noted_and_the_dump_drawn(
    tmp_path: Path,
) -> None:
    dump = write(tmp_path, "resources.json", [NODE, VM])
    config = write(tmp_path, "100.conf", "cores: 2\nsockets: 2\nmemory: 4096\nostype: win10\n")
    imported = import_proxmox(dump, configs=[config])
    vm = guests(imported, 0)["web"]
    assert vm["allocated"] == {"cpu": 2, "memory": "2GiB", "disk": "32GiB"}
    assert vm["guest_os"] == {"name": "Windows 10/2016/2019"}
    assert [note for note in notes(imported) if note[0] == "100.conf"] == [
        (
            "100.conf",
            1,
            8,
            "cores",
            "2 sockets x 2 cores: 4 vCPU, but the dump gives VM 100 2 vCPU: the dump's (what"
            " runs) is drawn",
        ),
        (
            "100.conf",
            3,
            9,
            "memory",
            "4 GiB, but the dump gives VM 100 2 GiB: the dump's (what runs) is drawn",
        ),
    ]


def test_config_forms_of_pvesh_and_proxmox_ve_8(tmp_path: Path) -> None:
    dump = write(tmp_path, "resources.json", [NODE, {**VM, "maxcpu": None}, {**CT, "maxcpu": 0.5}])
    folder = tmp_path / "configs"
    folder.mkdir()
    # The API's own answer, memory as Proxmox VE 8.1 writes it, vcpus below cores x sockets.
    vm = {
        "cores": 4,
        "vcpus": 3,
        "memory": "current=2048",
        "scsi0": "file=local-lvm:vm-100-disk-0,size=1.5G",
    }
    write(folder, "qemu-100.json", {"data": vm})
    ct = "cpulimit: 0.5\ncores: 2\nmemory: 512\nrootfs: volume=local-lvm:vm-200-disk-0,size=4G\n"
    write(folder, "pct-200.txt", ct + "unused0: local-lvm:vm-200-disk-1\nostype: nixos\n")
    write(folder, "README.md", "not a config")  # not a config's suffix: not read
    (folder / ".git").mkdir()
    write(folder / ".git", "100.conf", "cores: 99\n")  # hidden: not read
    imported = import_proxmox(dump, configs=[folder])
    found = guests(imported, 0)
    assert found["web"]["allocated"] == {"cpu": 3, "memory": "2GiB", "disk": "1.5GiB"}
    assert found["dns"]["allocated"] == {"cpu": "500m", "memory": "512MiB", "disk": "4GiB"}
    assert found["dns"]["userland"] == {"name": "NixOS"}
    assert notes(imported) == [
        ("resources.json", 1, 1, "", "the dump lists no storage: guests' disks are not checked"),
        (
            "resources.json",
            2,
            2,
            "[0]",
            "no storage for guests' disks on pve1 in the dump: its capacity.disk is its root file"
            " system's (maxdisk)",
        ),
        (
            "pct-200.txt",
            5,
            10,
            "unused0",
            "'local-lvm:vm-200-disk-1' is a detached disk: it takes room on its storage, but its"
            " size is not in the config; not counted",
        ),
    ]


def test_a_copy_of_etc_pve_nodes_is_read_as_it_is(tmp_path: Path) -> None:
    dump = write(tmp_path, "resources.json", [NODE, VM, CT])
    nodes = tmp_path / "nodes"
    (nodes / "pve1" / "qemu-server").mkdir(parents=True)
    (nodes / "pve1" / "lxc").mkdir()
    write(nodes / "pve1", "lrm_status", '{"mode": "active"}')  # no config's suffix
    write(nodes / "pve1" / "qemu-server", "100.conf", "ostype: l26\nscsi0: local-lvm:a,size=8G\n")
    write(nodes / "pve1" / "lxc", "200.conf", "ostype: alpine\nrootfs: local-lvm:b,size=1G\n")
    found = guests(import_proxmox(dump, configs=[nodes]), 0)
    assert (found["web"]["guest_os"], found["web"]["allocated"]["disk"]) == (
        {"name": "Linux"},
        "8GiB",
    )
    assert (found["dns"]["userland"], found["dns"]["allocated"]["disk"]) == (
        {"name": "Alpine Linux"},
        "1GiB",
    )


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("notes.conf", "cores: 2\n", "notes.conf: its name does not end in the guest's VMID"),
        ("100.conf", "", "100.conf: is empty"),
        (
            "100.conf",
            "cores: 2\nthis is text\n",
            "100.conf:2:1: 'this is text' is not a `key: value`",
        ),
        ("100.conf", "cores: two\n", "100.conf:1:8: cores: expected a whole number, not 'two'"),
        (
            "100.conf",
            "scsi0: local-lvm:vm-100-disk-0,size=32X\n",
            "100.conf:1:8: scsi0: size='32X' is not a size as Proxmox VE writes it",
        ),
        (
            "100.conf",
            "rootfs: local-lvm:vm-100-disk-0,size=8G\n",
            "100.conf:1:1: is a container's config, but 100 in the dump is VM 100",
        ),
        ("100.json", "[1, 2]", "100.json:1:1: expected a guest config, not an array"),
        ("100.json", '{"cores": 2,', "100.json:1:13: is not valid JSON"),
    ],
)
def test_a_bad_config_is_one_line_at_its_place(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    dump = write(tmp_path, "resources.json", [NODE, VM])
    config = write(tmp_path, name, text)
    lines = failure(dump, configs=[config])
    assert lines[0].startswith(str(tmp_path / expected)), lines


def test_a_vms_config_for_a_container_fails_and_a_partial_one_is_read(tmp_path: Path) -> None:
    dump = write(tmp_path, "resources.json", [NODE, CT])
    config = write(tmp_path, "200.conf", "cores: 1\nscsi0: local-lvm:vm-200-disk-0,size=8G\n")
    assert failure(dump, configs=[config]) == [
        f"{config}:1:1: is a VM's config, but 200 in the dump is CT 200: is the file named for"
        " the right VMID?"
    ]
    partial = write(tmp_path, "ct-200.conf", "cores: 1\nostype: ubuntu\n")
    found = guests(import_proxmox(dump, configs=[partial]), 0)["dns"]
    assert found["userland"] == {"name": "Ubuntu"}


def test_a_config_of_no_guest_in_the_dump_is_noted_and_one_guest_read_once(
    tmp_path: Path,
) -> None:
    dump = write(tmp_path, "resources.json", [NODE, VM])
    unused = write(tmp_path, "300.conf", "cores: 2\n")
    assert notes(import_proxmox(dump, configs=[unused]))[-1] == (
        "300.conf", 1, 1, "", "no guest 300 in the dump: this config is not used"
    )  # fmt: skip
    (tmp_path / "a").mkdir()
    first = write(tmp_path / "a", "100.conf", "cores: 2\n")
    second = write(tmp_path, "qemu-100.txt", "cores: 2\n")
    assert failure(dump, configs=[first, second]) == [
        f"{second}: a second config of guest 100 (the first: {first})"
    ]


def test_a_disk_on_a_storage_the_dump_does_not_list_is_noted(tmp_path: Path) -> None:
    storage = {
        "id": "storage/pve1/local-lvm",
        "type": "storage",
        "storage": "local-lvm",
        "node": "pve1",
        "status": "available",
        "plugintype": "lvmthin",
        "content": "images,rootdir",
        "shared": 0,
        "maxdisk": 100 * GiB,
        "disk": 10 * GiB,
    }
    dump = write(tmp_path, "resources.json", [NODE, VM, storage])
    disks = "scsi0: local-lvm:vm-100-disk-0,size=32G\nscsi1: tank:vm-100-disk-1,size=1T\n"
    config = write(tmp_path, "100.conf", disks + "scsi2: /dev/disk/by-id/ata-WDC_1234\n")
    imported = import_proxmox(dump, configs=[config])
    assert guests(imported, 0)["web"]["allocated"]["disk"] == "1056GiB"  # 32 GiB + 1 TiB
    assert [(file, line, path, message) for file, line, _, path, message in notes(imported)] == [
        (
            "resources.json",
            23,
            "[2]",
            "storage local-lvm (lvmthin) on pve1: holds images, rootdir; 10 GiB used of 100 GiB;"
            " guests' disks on it: 32 GiB (1 disk)",
        ),
        (
            "100.conf",
            2,
            "scsi1",
            "storage tank on pve1 is not in the dump: the disks on it (VM 100 scsi1) are not"
            " checked",
        ),
        ("100.conf", 3, "scsi2", "has no size: the guest's disk figure leaves it out"),
    ]


@pytest.mark.parametrize(
    ("text", "size"),
    [("32G", 32 * GiB), ("512M", 512 * MiB), ("1.5T", 1536 * GiB), ("4194304", 4194304),
     ("715188K", 715188 * 1024), ("0.5K", 512)],
)  # fmt: skip
def test_proxmox_sizes(text: str, size: int) -> None:
    assert size_bytes(text) == size


@pytest.mark.parametrize("text", ["32GB", "32g", "", "-1G", "1e9", "9" * 40, "8E"])
def test_proxmox_sizes_refused(text: str) -> None:
    with pytest.raises(QuantityError):
        size_bytes(text)


# --- other stacks, other dumps ------------------------------------------------------------


def test_a_node_of_only_vms_or_only_containers(tmp_path: Path) -> None:
    pve2 = {**NODE, "id": "node/pve2", "node": "pve2"}
    dump = write(tmp_path, "resources.json", [NODE, pve2, {**CT, "node": "pve2"}, VM])
    document = import_proxmox(dump).document
    assert [(h["id"], h["stack"]) for h in document["hosts"]] == [
        ("pve1", "vm"),
        ("pve2", "container"),
    ]
    assert document["hosts"][1]["engine"] == {"name": "LXC"}
    assert "hypervisor" not in document["hosts"][1]
    assert totals(import_proxmox(dump)).diagram.system_containers == 1


def test_one_node_without_storage_its_root_file_system_is_its_disk(tmp_path: Path) -> None:
    offline = {"id": "node/pve3", "type": "node", "node": "pve3", "status": "offline"}
    stale = {**CT, "node": "pve3", "status": "unknown"}
    no_status = {k: v for k, v in {**CT, "vmid": 201, "name": "ns"}.items() if k != "status"}
    dump = write(tmp_path, "resources.json", [NODE, VM, offline, stale, no_status])
    imported = import_proxmox(dump)
    pve1, pve3 = imported.document["hosts"]
    assert imported.document["title"] == "Proxmox VE cluster (2 nodes)"
    assert pve1["infrastructure"]["capacity"]["disk"] == "64GiB"  # maxdisk: root file system
    assert "capacity" not in pve3["infrastructure"]
    assert "state" not in pve3["containers"][0]
    assert [(line, path, message) for _, line, _, path, message in notes(imported)] == [
        (2, "[0]", "no storage for guests' disks on pve1 in the dump: its capacity.disk is its"
                   " root file system's (maxdisk)"),
        (23, "[2]", "node pve3 is 'offline': its figures may be missing or old"),
        (35, "[3].status", "CT 200 is 'unknown': drawn as running"),
        (41, "[4].status", "CT 201 is of unknown status (none given): drawn as running"),
    ]  # fmt: skip


def test_one_node_titles_the_spec_and_a_template_only_node_is_left_out(tmp_path: Path) -> None:
    pve2 = {**NODE, "id": "node/pve2", "node": "pve2"}
    template = {**VM, "vmid": 9000, "node": "pve2", "template": 1, "status": "stopped"}
    dump = write(tmp_path, "resources.json", [NODE, pve2, VM, template])
    imported = import_proxmox(dump)
    assert imported.document["title"] == "Proxmox VE node pve1"
    messages = [message for *_, message in notes(imported)]
    assert "node pve2 has no guests to draw: left out" in messages
    assert "VM 9000 (web) is a template: left out" in messages


def test_the_api_answer_yaml_and_stdin_are_read(tmp_path: Path) -> None:
    expected = import_proxmox(write(tmp_path, "plain.json", [NODE, VM])).document["hosts"]
    wrapped = write(tmp_path, "api.json", {"data": [NODE, VM]})
    assert import_proxmox(wrapped).document["hosts"] == expected
    yaml = "- " + json.dumps(NODE) + "\n- " + json.dumps(VM) + "\n"
    assert import_proxmox(write(tmp_path, "dump.yaml", yaml)).document["hosts"] == expected
    stdin = io.BytesIO(json.dumps([NODE, VM]).encode())
    piped = import_proxmox("-", stdin=stdin)
    assert piped.document["hosts"] == expected
    assert piped.document["$comment"].startswith("Imported by diagramgen from Proxmox VE: stdin.")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", ": is empty"),
        ({"nodes": []}, ":1:1: expected the list of resources of `pvesh get /cluster/resources"),
        ([NODE, 5], ":11:2: [1]: expected a resource (an object), not a number"),
        ([NODE, {"id": "x"}],
         ":11:2: [1].type: expected a resource type (node, qemu, lxc, storage…), not null"),
        ([NODE, {**VM, "maxmem": "2G"}],
         ":20:13: [1].maxmem: expected a whole number of bytes, not '2G'"),
        ([NODE, {**VM, "maxdisk": -1}], ":21:14: [1].maxdisk: -1 is negative"),
        ([NODE, {**VM, "maxmem": 2**63}],
         ":20:13: [1].maxmem: 9223372036854775808 is too large: a spec's figures are at most"
         " 2^63 - 1 bytes"),
        ([NODE, {**VM, "maxcpu": 0.0001}],
         ":19:13: [1].maxcpu: 0.0001 CPUs is not a whole number of millicores (0.001)"),
        ([NODE, {**VM, "vmid": "100"}],
         ":14:11: [1].vmid: expected a VMID (a whole number, 100 to 999999999), not '100'"),
        ([NODE, {k: v for k, v in VM.items() if k != "node"}],
         ":11:2: [1]: a VM has no node field"),
        ([NODE, {**VM, "node": "pve9"}],
         ":16:11: [1].node: VM 100 runs on node pve9, which is not in the dump: give the whole"
         " output of `pvesh get /cluster/resources` (without --type)"),
        ([VM], ":7:11: [0].node: VM 100 runs on node pve1, which is not in the dump"),
        ([NODE, VM, VM], ":26:11: [2].vmid: VMID 100 is listed twice (first [1])"),
        ([NODE, NODE, VM], ":11:2: [1]: node pve1 is listed twice (first [0])"),
        ([NODE], ":1:1: no VMs or containers to import"),
        ([NODE, {**VM, "template": 1}],
         ":1:1: no VMs or containers to import (1 template left out)"),
        ([NODE, VM, {"type": "storage", "node": "pve1"}],
         ":23:2: [2]: a storage has no storage field"),
        ("[{\"type\": \"node\",]", ":1:18: is not valid JSON"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_at_its_place(tmp_path: Path, data: Any, expected: str) -> None:
    path = write(tmp_path, "resources.json", data)
    lines = failure(path)
    assert len(lines) == 1 and lines[0].startswith(path + expected), lines


def test_a_path_that_names_nothing_is_the_callers_mistake(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="no such file or folder"):
        import_proxmox(tmp_path / "missing.json")
    dump = write(tmp_path, "resources.json", [NODE, VM])
    with pytest.raises(InvalidArgument, match="no such file or folder"):
        import_proxmox(dump, configs=[tmp_path / "configs"])
    with pytest.raises(InvalidArgument, match="no stream"):
        import_proxmox("-")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidArgument, match=r"empty: no \*.conf, \*.json, \*.txt files"):
        import_proxmox(dump, configs=[tmp_path / "empty"])


def test_more_guests_than_the_components_limit_fail(tmp_path: Path) -> None:
    dump = write(tmp_path, "resources.json", [NODE, VM, CT])
    lines = failure(dump, limits=Limits(components=2))
    assert lines == [f"{dump}:1:1: has 2 guests on 1 nodes; the components limit is 2"]


# --- arbitrary input ----------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.sampled_from(["pve1", "running", "stopped", "images,rootdir", "", "1"]),
)
RESOURCE = st.fixed_dictionaries(
    {"type": st.sampled_from(["node", "qemu", "lxc", "storage", "pool", 5])},
    optional={
        key: st.one_of(SCALARS, st.lists(SCALARS, max_size=2))
        for key in ["node", "vmid", "name", "status", "template", "maxcpu", "maxmem",
                    "maxdisk", "cpu", "mem", "storage", "content", "shared", "plugintype"]
    },
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(RESOURCE, SCALARS), max_size=5))
def test_arbitrary_dumps_import_or_fail_with_our_error(resources: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "resources.json"
        path.write_text(json.dumps(resources))
        try:
            imported = import_proxmox(path)
        except ImportFailed as failed:
            assert failed.lines()
        else:
            totals(imported)


CONFIG_VALUES = st.one_of(
    SCALARS,
    st.sampled_from(
        [
            "local-lvm:vm-100-disk-0,size=32G",
            "nas:100/vm-100-disk-0.qcow2,size=9999999999T",
            "none,media=cdrom",
            "/dev/sdb,size=2T",
            "local-lvm:vm-100-disk-1",
            "current=4096",
            "99999999999999999999999",
            "0.5",
            "l26",
            "debian",
        ]
    ),
)
CONFIG = st.dictionaries(
    st.sampled_from(
        ["cores", "sockets", "vcpus", "memory", "balloon", "cpulimit", "ostype", "name",
         "hostname", "rootfs", "scsi0", "virtio1", "mp0", "unused0", "efidisk0"]
    ),
    CONFIG_VALUES,
    max_size=6,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(CONFIG, st.booleans(), st.booleans())
def test_arbitrary_configs_import_or_fail_with_our_error(
    config: dict[str, Any], container: bool, as_text: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        guest = {**CT, "vmid": 100} if container else VM
        dump = write(Path(folder), "resources.json", [NODE, guest])
        text = "".join(f"{key}: {value}\n" for key, value in config.items())
        path = write(
            Path(folder), "100.conf" if as_text else "100.json", text if as_text else config
        )
        try:
            imported = import_proxmox(dump, configs=[path])
        except ImportFailed as failed:
            assert failed.lines()
        else:
            totals(imported)


def test_config_figures_a_spec_cannot_hold_fail_at_their_place(tmp_path: Path) -> None:
    dump = write(tmp_path, "resources.json", [NODE, {**VM, "maxcpu": None, "maxmem": None}])
    config = write(tmp_path, "100.conf", f"cores: {2**62}\nsockets: 4\nmemory: {2**50}\n")
    assert failure(dump, configs=[config]) == [
        f"{config}:1:8: cores: comes to 1.84e+22 millicores: a spec's figures are at most 2^63 - 1",
        f"{config}:3:9: memory: comes to 1.18e+21 bytes: a spec's figures are at most 2^63 - 1",
    ]


def test_the_command_imports_a_cluster_and_reads_stdin(tmp_path: Path) -> None:
    from .conftest import cli_process, cli_text

    resources = DATA / "resources.json"
    out = tmp_path / "cluster.yaml"
    done = cli_text(
        "import", "proxmox", str(resources), "--configs", str(DATA / "configs"), "-o", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in done.stderr
    assert cli_text("validate", str(out)).returncode == 0
    piped = cli_process("import", "proxmox", "-", stdin=resources.read_bytes())
    assert piped.returncode == 0 and b"stack: mixed" in piped.stdout
    empty = cli_process("import", "proxmox", "-", stdin=b"")
    assert (empty.returncode, empty.stderr.decode()) == (1, "<stdin>: is empty\n")
