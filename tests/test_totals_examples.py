"""Hand-computed totals for the four example specs in ``specs/``.

Every expected number below was worked out by hand from the literal figures in the spec files
(DESIGN.md, "Totals" and "Details that are decided"); nothing here sums parsed JSON or calls a
diagramgen helper to get an expectation. A reader can check each line against the spec.

Conventions:
- cpu in millicores: ``CORE = 1000``; "500m" is written ``500 * M``.
- memory/disk in bytes: IEC units are powers of 1024, SI units powers of 1000. Decimal SI sizes
  are rewritten as whole smaller units so the arithmetic stays exact, e.g. "62.32MB" = 62_320 KB.
- Sums are compared as ``(known value, number of unknown contributors)``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from diagramgen import load
from diagramgen.accounting import Figures, Sum, compute

from .conftest import ROOT

# --- units ---------------------------------------------------------------------------------
CORE = 1000  # millicores per core
M = 1  # one millicore ("500m")
KIB = 1024
MIB = 1024**2
GIB = 1024**3
TIB = 1024**4
KB = 1000
MB = 1000**2

# --- image sizes used in several specs (literal strings from the specs) ---------------------
NGINX_ALPINE = 62_320 * KB  # "nginx:1.30.4-alpine" size "62.32MB"
PYTHON_SLIM = 119_200 * KB  # "python:3.12.13-slim" size "119.2MB"
REDIS_ALPINE = 39_090 * KB  # "redis:7.4.11-alpine" size "39.09MB"
POSTGRES = 451_130 * KB  # "postgres:16.15" size "451.13MB"
NGINX = 161_270 * KB  # "nginx:1.30.4" size "161.27MB"

# --- component figures that recur ------------------------------------------------------------
DEBIAN_MEM = 512 * MIB  # Debian 12 uses memory "512MiB"
DEBIAN_DISK = 4 * GIB  # Debian 12 uses disk "4GiB"
DOCKER_DISK = 255_333 * KIB  # Docker Engine 20.10 uses disk "255333KiB" (no cpu, no memory)
KVM_DISK = 72_314 * KIB  # KVM/QEMU 7.2 uses disk "72314KiB" (no cpu, no memory)


def spec_totals(name: str):  # type: ignore[no-untyped-def]
    return compute(load(ROOT / "specs" / name))


def pair(total: Sum) -> tuple[int, int]:
    return (total.value, total.unknown)


def figures(fig: Figures) -> dict[str, tuple[int, int]]:
    return {"cpu": pair(fig.cpu), "memory": pair(fig.memory), "disk": pair(fig.disk)}


def warning_pairs(totals) -> Counter[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return Counter((w.code, w.pointer) for w in totals.warnings)


# ============================================================================================
# specs/vm.json — ESXi (type 1, no host OS), three Ubuntu VMs each with one app
# ============================================================================================


def test_vm_spec_vms() -> None:
    t = spec_totals("vm.json")

    web = t.vm("web-vm")
    assert web.host == "esx1"
    assert (web.allocated.cpu, web.allocated.memory, web.allocated.disk) == (
        2 * CORE,  # allocated cpu 2
        4 * GIB,  # allocated "4GiB"
        40 * GIB,  # allocated "40GiB"
    )
    assert figures(web.used) == {
        # guest OS cpu unknown + nginx cpu 1
        "cpu": (1 * CORE, 1),
        # guest OS "1.5GiB" + nginx "512MiB"  (= 2 GiB)
        "memory": (1536 * MIB + 512 * MIB, 0),
        # guest OS "5GiB" + nginx "1GiB"
        "disk": (5 * GIB + 1 * GIB, 0),
    }

    api = t.vm("api-vm")
    assert figures(api.used) == {
        "cpu": (3 * CORE, 1),  # guest OS unknown + API cpu 3
        "memory": (1536 * MIB + 4 * GIB, 0),  # guest OS "1.5GiB" + API "4GiB"
        "disk": (5 * GIB + 10 * GIB, 0),  # guest OS "5GiB" + API "10GiB"
    }

    db = t.vm("db-vm")
    assert figures(db.used) == {
        "cpu": (6 * CORE, 1),  # guest OS unknown + PostgreSQL cpu 6
        "memory": (1536 * MIB + 24 * GIB, 0),  # guest OS "1.5GiB" + PostgreSQL "24GiB"
        "disk": (5 * GIB + 400 * GIB, 0),  # guest OS "5GiB" + PostgreSQL "400GiB"
    }


def test_vm_spec_host() -> None:
    t = spec_totals("vm.json")
    h = t.host("esx1")
    assert (h.capacity.cpu, h.capacity.memory, h.capacity.disk) == (16 * CORE, 64 * GIB, 1 * TIB)
    assert figures(h.committed) == {
        # no host OS; ESXi cpu unknown + VMs 2 + 4 + 8 cores
        "cpu": (2 * CORE + 4 * CORE + 8 * CORE, 1),
        # ESXi "8GiB" + VM web 4 GiB + VM api 8 GiB + VM db 32 GiB  (= 52 GiB)
        "memory": (8 * GIB + 4 * GIB + 8 * GIB + 32 * GIB, 0),
        # ESXi "32GiB" + VM web 40 GiB + VM api 60 GiB + VM db 500 GiB  (= 632 GiB)
        "disk": (32 * GIB + 40 * GIB + 60 * GIB + 500 * GIB, 0),
    }
    assert h.overcommit("cpu") == 0.875  # 14 cores / 16 cores
    # 52 GiB / 64 GiB = 0.8125 exactly: ratios round half-up, as a reader does by hand.
    assert h.overcommit("memory") == 0.813
    assert h.overcommit("disk") == 0.617  # 632 GiB / 1024 GiB = 0.6171875
    assert h.os_copies == 3  # no host OS + 3 guest OSes


def test_vm_spec_diagram_and_warnings() -> None:
    t = spec_totals("vm.json")
    d = t.diagram
    assert (d.hosts, d.vms, d.containers, d.apps, d.os_copies) == (1, 3, 0, 3, 3)
    assert figures(d.os_overhead) == {
        "cpu": (0, 3),  # 3 Ubuntu guest OSes, no cpu figure
        "memory": (3 * 1536 * MIB, 0),  # 3 x "1.5GiB"
        "disk": (3 * 5 * GIB, 0),  # 3 x "5GiB"
    }
    assert pair(d.image_disk_unique) == (0, 0)  # no containers
    assert pair(d.image_disk_naive) == (0, 0)

    assert warning_pairs(t) == Counter(
        {
            ("unspecified", "/hosts/0/hypervisor"): 1,  # ESXi: no cpu
            ("unspecified", "/hosts/0/vms/0/guest_os"): 1,  # Ubuntu: no cpu
            ("unspecified", "/hosts/0/vms/1/guest_os"): 1,
            ("unspecified", "/hosts/0/vms/2/guest_os"): 1,
        }
    )


# ============================================================================================
# specs/container.json — Debian 12 + Docker, five services, "cache" without limits
# ============================================================================================


def test_container_spec_host() -> None:
    t = spec_totals("container.json")
    h = t.host("docker1")
    assert (h.capacity.cpu, h.capacity.memory, h.capacity.disk) == (16 * CORE, 32 * GIB, 512 * GIB)
    assert figures(h.committed) == {
        # host OS unknown + engine unknown + web 500mx2 + api 2x3 + worker 1x2 + cache unknown
        # + db 4  (= 13 cores; 3 unknown: host OS, engine, cache)
        "cpu": (500 * M * 2 + 2 * CORE * 3 + 1 * CORE * 2 + 4 * CORE, 3),
        # host OS "512MiB" + engine unknown + web 256MiBx2 + api 1GiBx3 + worker 1GiBx2
        # + cache unknown + db 16GiB  (= 22 GiB; 2 unknown: engine, cache)
        "memory": (DEBIAN_MEM + 256 * MIB * 2 + 1 * GIB * 3 + 1 * GIB * 2 + 16 * GIB, 2),
        # host OS "4GiB" + engine "255333KiB" + distinct images once each:
        # nginx-alpine 62.32MB + python-slim 119.2MB (api and worker share it) + redis 39.09MB
        # + postgres 451.13MB
        "disk": (
            DEBIAN_DISK + DOCKER_DISK + NGINX_ALPINE + PYTHON_SLIM + REDIS_ALPINE + POSTGRES,
            0,
        ),
    }
    assert h.committed.disk.value == 5_228_168_288  # the same sum, written out
    # 13 cores / 16 cores = 0.8125 exactly: a tie (see test_vm_spec_host).
    assert h.overcommit("cpu") == 0.813
    # 22 GiB / 32 GiB = 0.6875 (7 is odd, so half-up and half-even both give .688)
    assert h.overcommit("memory") == 0.688
    assert h.overcommit("disk") == 0.010  # 5_228_168_288 / 549_755_813_888 ≈ 0.00951
    assert h.os_copies == 1  # host OS only


def test_container_spec_diagram_and_warnings() -> None:
    t = spec_totals("container.json")
    assert t.vms == ()
    d = t.diagram
    # containers: web 2 + api 3 + worker 2 + cache 1 + db 1 = 9
    assert (d.hosts, d.vms, d.containers, d.apps, d.os_copies) == (1, 0, 2 + 3 + 2 + 1 + 1, 0, 1)
    assert figures(d.os_overhead) == {
        "cpu": (0, 1),  # Debian host OS: no cpu
        "memory": (DEBIAN_MEM, 0),
        "disk": (DEBIAN_DISK, 0),
    }
    # unique: each ref once on the one engine
    assert pair(d.image_disk_unique) == (NGINX_ALPINE + PYTHON_SLIM + REDIS_ALPINE + POSTGRES, 0)
    assert d.image_disk_unique.value == 671_740_000
    # naive: web 62.32MBx2 + api 119.2MBx3 + worker 119.2MBx2 + cache 39.09MB + db 451.13MB
    assert pair(d.image_disk_naive) == (
        NGINX_ALPINE * 2 + PYTHON_SLIM * 3 + PYTHON_SLIM * 2 + REDIS_ALPINE + POSTGRES,
        0,
    )
    assert d.image_disk_naive.value == 1_210_860_000

    assert warning_pairs(t) == Counter(
        {
            ("unbounded-container", "/hosts/0/containers/3"): 1,  # cache: no limits at all
            ("unspecified", "/hosts/0/host_os"): 1,  # Debian: no cpu
            ("unspecified", "/hosts/0/engine"): 1,  # Docker: no cpu, no memory
        }
    )


# ============================================================================================
# specs/hybrid.json — KVM on Debian 12, two Docker-host VMs and a PostgreSQL VM
# ============================================================================================


def test_hybrid_spec_vms() -> None:
    t = spec_totals("hybrid.json")

    dh1 = t.vm("dh1")
    assert dh1.host == "kvm1"
    assert (dh1.allocated.cpu, dh1.allocated.memory, dh1.allocated.disk) == (
        8 * CORE,
        16 * GIB,
        40 * GIB,
    )
    assert figures(dh1.used) == {
        # guest OS unknown + engine unknown + web 500mx2 + api 2x3  (= 7 cores)
        "cpu": (500 * M * 2 + 2 * CORE * 3, 2),
        # guest OS "512MiB" + engine unknown + web 256MiBx2 + api 4GiBx3  (= 13 GiB)
        "memory": (DEBIAN_MEM + 256 * MIB * 2 + 4 * GIB * 3, 1),
        # guest OS "4GiB" + engine "255333KiB" + nginx-alpine 62.32MB + python-slim 119.2MB
        # (images once each, not x replicas)
        "disk": (DEBIAN_DISK + DOCKER_DISK + NGINX_ALPINE + PYTHON_SLIM, 0),
    }
    assert dh1.used.disk.value == 4_737_948_288

    dh2 = t.vm("dh2")
    assert (dh2.allocated.cpu, dh2.allocated.memory, dh2.allocated.disk) == (
        4 * CORE,
        8 * GIB,
        40 * GIB,
    )
    assert figures(dh2.used) == {
        # guest OS unknown + engine unknown + worker 1500mx2 + cache 500mx1  (= 3.5 cores)
        "cpu": (1500 * M * 2 + 500 * M, 2),
        # guest OS "512MiB" + engine unknown + worker 3GiBx2 + cache 1GiB  (= 7.5 GiB)
        "memory": (DEBIAN_MEM + 3 * GIB * 2 + 1 * GIB, 1),
        # guest OS "4GiB" + engine "255333KiB" + python-slim 119.2MB + redis 39.09MB
        "disk": (DEBIAN_DISK + DOCKER_DISK + PYTHON_SLIM + REDIS_ALPINE, 0),
    }
    assert dh2.used.disk.value == 4_714_718_288

    dbvm = t.vm("dbvm")
    assert figures(dbvm.used) == {
        "cpu": (6 * CORE, 1),  # guest OS unknown + PostgreSQL 6
        "memory": (DEBIAN_MEM + 24 * GIB, 0),  # guest OS "512MiB" + PostgreSQL "24GiB"
        "disk": (DEBIAN_DISK + 400 * GIB, 0),  # guest OS "4GiB" + PostgreSQL "400GiB"
    }


def test_hybrid_spec_host() -> None:
    t = spec_totals("hybrid.json")
    h = t.host("kvm1")
    assert (h.capacity.cpu, h.capacity.memory, h.capacity.disk) == (24 * CORE, 64 * GIB, 1 * TIB)
    assert figures(h.committed) == {
        # host OS unknown + KVM unknown + VMs dh1 8 + dh2 4 + dbvm 8  (= 20 cores)
        "cpu": (8 * CORE + 4 * CORE + 8 * CORE, 2),
        # host OS "512MiB" + KVM unknown + dh1 16 GiB + dh2 8 GiB + dbvm 32 GiB  (= 56.5 GiB)
        "memory": (DEBIAN_MEM + 16 * GIB + 8 * GIB + 32 * GIB, 1),
        # host OS "4GiB" + KVM "72314KiB" + dh1 40 GiB + dh2 40 GiB + dbvm 500 GiB
        "disk": (DEBIAN_DISK + KVM_DISK + 40 * GIB + 40 * GIB + 500 * GIB, 0),
    }
    assert h.committed.disk.value == 627_139_274_752
    assert h.overcommit("cpu") == 0.833  # 20 / 24 = 0.8333…
    assert h.overcommit("memory") == 0.883  # 56.5 / 64 = 0.8828125
    assert h.overcommit("disk") == 0.570  # 627_139_274_752 / 1_099_511_627_776 ≈ 0.57038
    assert h.os_copies == 1 + 3  # host OS + 3 guest OSes


def test_hybrid_spec_diagram_and_warnings() -> None:
    t = spec_totals("hybrid.json")
    d = t.diagram
    # containers: web 2 + api 3 (dh1) + worker 2 + cache 1 (dh2) = 8; apps: pg = 1
    assert (d.hosts, d.vms, d.containers, d.apps, d.os_copies) == (1, 3, 2 + 3 + 2 + 1, 1, 1 + 3)
    assert figures(d.os_overhead) == {
        "cpu": (0, 4),  # host OS + 3 guest OSes, none with cpu
        "memory": (4 * DEBIAN_MEM, 0),  # 4 x "512MiB" = 2 GiB
        "disk": (4 * DEBIAN_DISK, 0),  # 4 x "4GiB"
    }
    # unique per engine: dh1 {nginx-alpine, python-slim} + dh2 {python-slim, redis}
    # (python-slim is on two engines, so it counts once on each)
    assert pair(d.image_disk_unique) == (NGINX_ALPINE + PYTHON_SLIM + PYTHON_SLIM + REDIS_ALPINE, 0)
    assert d.image_disk_unique.value == 339_810_000
    # naive: web 62.32MBx2 + api 119.2MBx3 + worker 119.2MBx2 + cache 39.09MB
    assert pair(d.image_disk_naive) == (
        NGINX_ALPINE * 2 + PYTHON_SLIM * 3 + PYTHON_SLIM * 2 + REDIS_ALPINE,
        0,
    )
    assert d.image_disk_naive.value == 759_730_000

    assert warning_pairs(t) == Counter(
        {
            ("unspecified", "/hosts/0/host_os"): 1,  # Debian: no cpu
            ("unspecified", "/hosts/0/hypervisor"): 1,  # KVM: no cpu, no memory
            ("unspecified", "/hosts/0/vms/0/guest_os"): 1,  # Debian: no cpu
            ("unspecified", "/hosts/0/vms/0/engine"): 1,  # Docker: no cpu, no memory
            ("unspecified", "/hosts/0/vms/1/guest_os"): 1,
            ("unspecified", "/hosts/0/vms/1/engine"): 1,
            ("unspecified", "/hosts/0/vms/2/guest_os"): 1,
        }
    )


# ============================================================================================
# specs/vms-vs-containers.json — the same three apps as KVM VMs (host 0) and containers (host 1)
# ============================================================================================

# host "vmhost"
VMHOST_CPU = (1 * CORE + 2 * CORE + 2 * CORE, 2)  # host OS ?, KVM ?, VMs 1 + 2 + 2 cores
# host OS "512MiB" + KVM unknown + VMs 1 + 3 + 2 GiB  (= 6.5 GiB)
VMHOST_MEMORY = (DEBIAN_MEM + 1 * GIB + 3 * GIB + 2 * GIB, 1)
# host OS "4GiB" + KVM "72314KiB" + 3 VMs x "10GiB"
VMHOST_DISK = (DEBIAN_DISK + KVM_DISK + 10 * GIB + 10 * GIB + 10 * GIB, 0)
# host "ctrhost"
CTRHOST_CPU = (500 * M + 1500 * M + 1500 * M, 2)  # host OS ?, engine ?, web 500m, api/worker 1500m
# host OS "512MiB" + engine unknown + web "256MiB" + api "2GiB" + worker "1GiB"  (= 3.75 GiB)
CTRHOST_MEMORY = (DEBIAN_MEM + 256 * MIB + 2 * GIB + 1 * GIB, 1)
CTRHOST_DISK = (DEBIAN_DISK + DOCKER_DISK + NGINX + PYTHON_SLIM, 0)  # python-slim shared: once


def test_vms_vs_containers_vms() -> None:
    t = spec_totals("vms-vs-containers.json")
    assert [v.id for v in t.vms] == ["vm-web", "vm-api", "vm-worker"]
    assert {v.host for v in t.vms} == {"vmhost"}

    assert figures(t.vm("vm-web").used) == {
        "cpu": (500 * M, 1),  # guest OS unknown + app "500m"
        "memory": (DEBIAN_MEM + 256 * MIB, 0),  # guest OS "512MiB" + app "256MiB"
        "disk": (DEBIAN_DISK + NGINX, 0),  # guest OS "4GiB" + app "161.27MB"
    }
    assert figures(t.vm("vm-api").used) == {
        "cpu": (1500 * M, 1),  # guest OS unknown + app "1500m"
        "memory": (DEBIAN_MEM + 2 * GIB, 0),  # guest OS "512MiB" + app "2GiB"
        "disk": (DEBIAN_DISK + PYTHON_SLIM, 0),  # guest OS "4GiB" + app "119.2MB"
    }
    assert figures(t.vm("vm-worker").used) == {
        "cpu": (1500 * M, 1),  # guest OS unknown + app "1500m"
        "memory": (DEBIAN_MEM + 1 * GIB, 0),  # guest OS "512MiB" + app "1GiB"
        "disk": (DEBIAN_DISK + PYTHON_SLIM, 0),  # guest OS "4GiB" + app "119.2MB"
    }
    v = t.vm("vm-api")
    assert (v.allocated.cpu, v.allocated.memory, v.allocated.disk) == (2 * CORE, 3 * GIB, 10 * GIB)


def test_vms_vs_containers_hosts() -> None:
    t = spec_totals("vms-vs-containers.json")

    vmh = t.host("vmhost")
    assert (vmh.capacity.cpu, vmh.capacity.memory, vmh.capacity.disk) == (
        8 * CORE,
        16 * GIB,
        256 * GIB,
    )
    assert figures(vmh.committed) == {
        "cpu": VMHOST_CPU,
        "memory": VMHOST_MEMORY,
        "disk": VMHOST_DISK,
    }
    assert vmh.committed.disk.value == 36_581_271_552
    assert vmh.overcommit("cpu") == 0.625  # 5 / 8
    assert vmh.overcommit("memory") == 0.406  # 6.5 GiB / 16 GiB = 0.40625
    assert vmh.overcommit("disk") == 0.133  # 36_581_271_552 / 274_877_906_944 ≈ 0.13308
    assert vmh.os_copies == 1 + 3

    ctr = t.host("ctrhost")
    assert figures(ctr.committed) == {
        "cpu": CTRHOST_CPU,
        "memory": CTRHOST_MEMORY,
        "disk": CTRHOST_DISK,
    }
    assert ctr.committed.disk.value == 4_836_898_288
    assert ctr.overcommit("cpu") == 0.438  # 3.5 / 8 = 0.4375 (7 is odd: both tie rules give .438)
    assert ctr.overcommit("memory") == 0.234  # 3.75 GiB / 16 GiB = 0.234375
    assert ctr.overcommit("disk") == 0.018  # 4_836_898_288 / 274_877_906_944 ≈ 0.01760
    assert ctr.os_copies == 1


VVC_WARNINGS = Counter(
    {
        ("unspecified", "/hosts/0/host_os"): 1,  # Debian: no cpu
        ("unspecified", "/hosts/0/hypervisor"): 1,  # KVM: no cpu, no memory
        ("unspecified", "/hosts/0/vms/0/guest_os"): 1,  # Debian guests: no cpu
        ("unspecified", "/hosts/0/vms/1/guest_os"): 1,
        ("unspecified", "/hosts/0/vms/2/guest_os"): 1,
        ("unspecified", "/hosts/1/host_os"): 1,  # Debian: no cpu
        ("unspecified", "/hosts/1/engine"): 1,  # Docker: no cpu, no memory
    }
)


def test_vms_vs_containers_diagram_and_warnings() -> None:
    t = spec_totals("vms-vs-containers.json")
    d = t.diagram
    # 2 hosts, 3 VMs, 3 containers (1 replica each), 3 apps, OS copies 2 host + 3 guest
    assert (d.hosts, d.vms, d.containers, d.apps, d.os_copies) == (2, 3, 3, 3, 2 + 3)
    assert figures(d.os_overhead) == {
        "cpu": (0, 5),  # 5 Debian copies, none with cpu
        "memory": (5 * DEBIAN_MEM, 0),  # 5 x "512MiB" = 2.5 GiB
        "disk": (5 * DEBIAN_DISK, 0),  # 5 x "4GiB"
    }
    assert pair(d.image_disk_unique) == (NGINX + PYTHON_SLIM, 0)  # 161.27MB + 119.2MB once
    assert d.image_disk_unique.value == 280_470_000
    assert pair(d.image_disk_naive) == (NGINX + PYTHON_SLIM + PYTHON_SLIM, 0)
    assert d.image_disk_naive.value == 399_670_000

    assert warning_pairs(t) == VVC_WARNINGS


# ============================================================================================
# CLI: diagramgen totals specs/vms-vs-containers.json --json
# ============================================================================================


@pytest.fixture(scope="module")
def vvc_json() -> dict:  # type: ignore[type-arg]
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "diagramgen", "totals", "specs/vms-vs-containers.json", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    data: dict = json.loads(result.stdout)  # type: ignore[type-arg]
    return data


def test_cli_json_keys(vvc_json: dict) -> None:  # type: ignore[type-arg]
    for key in ("diagram", "hosts", "vms", "warnings"):
        assert key in vvc_json
    for key in ("hosts", "vms", "containers", "apps", "os_copies", "os_overhead", "image_disk"):
        assert key in vvc_json["diagram"]
    assert set(vvc_json["diagram"]["image_disk"]) >= {"unique", "naive"}
    for host in vvc_json["hosts"]:
        assert set(host) >= {"id", "capacity", "committed", "overcommit", "os_copies"}
    for vm in vvc_json["vms"]:
        assert set(vm) >= {"id", "host", "allocated", "used"}
    for warning in vvc_json["warnings"]:
        assert set(warning) >= {"code", "pointer", "message"}
        assert warning["message"]


def test_cli_json_numbers(vvc_json: dict) -> None:  # type: ignore[type-arg]
    d = vvc_json["diagram"]
    assert (d["hosts"], d["vms"], d["containers"], d["apps"], d["os_copies"]) == (2, 3, 3, 3, 5)
    assert d["os_overhead"]["memory"] == 5 * DEBIAN_MEM
    assert d["os_overhead"]["disk"] == 5 * DEBIAN_DISK
    assert d["os_overhead"]["unknown"]["cpu"] == 5  # no Debian copy gives a cpu figure
    assert d["os_overhead"]["cpu"] is None  # so nothing is known about it: null
    assert d["image_disk"]["unique"] == NGINX + PYTHON_SLIM
    assert d["image_disk"]["naive"] == NGINX + 2 * PYTHON_SLIM

    hosts = {h["id"]: h for h in vvc_json["hosts"]}
    assert list(hosts) == ["vmhost", "ctrhost"]

    vmh = hosts["vmhost"]
    assert vmh["capacity"] == {"cpu": 8 * CORE, "memory": 16 * GIB, "disk": 256 * GIB}
    assert vmh["committed"]["cpu"] == VMHOST_CPU[0]
    assert vmh["committed"]["memory"] == VMHOST_MEMORY[0]
    assert vmh["committed"]["disk"] == VMHOST_DISK[0]
    unknown = vmh["committed"]["unknown"]
    assert (unknown.get("cpu", 0), unknown.get("memory", 0), unknown.get("disk", 0)) == (2, 1, 0)
    assert vmh["overcommit"] == {"cpu": 0.625, "memory": 0.406, "disk": 0.133}
    assert vmh["os_copies"] == 4

    ctr = hosts["ctrhost"]
    assert ctr["committed"]["cpu"] == CTRHOST_CPU[0]
    assert ctr["committed"]["memory"] == CTRHOST_MEMORY[0]
    assert ctr["committed"]["disk"] == CTRHOST_DISK[0]
    unknown = ctr["committed"]["unknown"]
    assert (unknown.get("cpu", 0), unknown.get("memory", 0), unknown.get("disk", 0)) == (2, 1, 0)
    assert ctr["overcommit"] == {"cpu": 0.438, "memory": 0.234, "disk": 0.018}
    assert ctr["os_copies"] == 1

    vms = {v["id"]: v for v in vvc_json["vms"]}
    assert list(vms) == ["vm-web", "vm-api", "vm-worker"]
    web = vms["vm-web"]
    assert web["host"] == "vmhost"
    assert web["allocated"] == {"cpu": 1 * CORE, "memory": 1 * GIB, "disk": 10 * GIB}
    assert web["used"]["cpu"] == 500 * M  # app "500m"; guest OS cpu unknown
    assert web["used"]["unknown"]["cpu"] == 1
    assert web["used"]["memory"] == DEBIAN_MEM + 256 * MIB
    assert web["used"]["disk"] == DEBIAN_DISK + NGINX
    assert vms["vm-worker"]["used"]["memory"] == DEBIAN_MEM + 1 * GIB

    pairs = Counter((w["code"], w["pointer"]) for w in vvc_json["warnings"])
    assert pairs == VVC_WARNINGS
