"""Totals on small hand-written specs: every figure here is computed by hand in a comment."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from diagramgen import load_text
from diagramgen.accounting import Figures, Sum, Totals, compute
from diagramgen.spec.model import VM, Container, Host, Image, Infrastructure, Layer, Resources, Spec

GIB = 1024**3
MIB = 1024**2


def totals_of(*hosts: dict[str, Any]) -> Totals:
    return compute(load_text(json.dumps({"version": 1, "hosts": list(hosts)}), "t.json"))


def codes(totals: Totals) -> list[tuple[str, str]]:
    return [(alert.code, alert.pointer) for alert in totals.warnings]


FULL = {"cpu": 1, "memory": "1GiB", "disk": "10GiB"}


def container_host(
    *containers: dict[str, Any], capacity: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "id": "h",
        "stack": "container",
        "infrastructure": {"capacity": capacity or {"cpu": 8, "memory": "32GiB", "disk": "1TiB"}},
        "host_os": {"uses": {"cpu": "500m", "memory": "512MiB", "disk": "4GiB"}},
        "engine": {"uses": {"cpu": "100m", "memory": "256MiB", "disk": "1GiB"}},
        "containers": list(containers),
    }


def test_replicas_multiply_limits_but_not_the_image() -> None:
    web = {
        "id": "web",
        "image": {"ref": "nginx", "size": "50MiB"},
        "limits": {"cpu": "250m", "memory": "128MiB"},
        "replicas": 3,
    }
    totals = totals_of(container_host(web))
    host = totals.host("h")
    assert host.committed.cpu == Sum(500 + 100 + 3 * 250)  # 1350m
    assert host.committed.memory == Sum(512 * MIB + 256 * MIB + 3 * 128 * MIB)
    assert host.committed.disk == Sum(4 * GIB + 1 * GIB + 50 * MIB)  # image once
    assert totals.diagram.containers == 3
    assert totals.diagram.image_disk_unique == Sum(50 * MIB)
    assert totals.diagram.image_disk_naive == Sum(150 * MIB)
    assert codes(totals) == []


def test_same_image_on_one_engine_counts_once_on_two_engines_twice() -> None:
    image = {"ref": "python:3.12-slim", "size": "130MiB"}
    limits = {"cpu": 1, "memory": "1GiB"}
    one_engine = totals_of(
        container_host(
            {"id": "a", "image": image, "limits": limits},
            {"id": "b", "image": image, "limits": limits},
        )
    )
    assert one_engine.diagram.image_disk_unique == Sum(130 * MIB)
    assert one_engine.diagram.image_disk_naive == Sum(260 * MIB)
    assert one_engine.host("h").committed.disk == Sum(4 * GIB + GIB + 130 * MIB)

    vm = {
        "allocated": {"cpu": 2, "memory": "4GiB", "disk": "20GiB"},
        "guest_os": {"uses": FULL},
        "engine": {"uses": FULL},
    }
    hybrid = {
        "id": "h",
        "stack": "hybrid",
        "infrastructure": {"capacity": {"cpu": 8, "memory": "32GiB", "disk": "1TiB"}},
        "hypervisor": {"type": 1, "uses": FULL},
        "vms": [
            {**vm, "id": "v1", "containers": [{"id": "a", "image": image, "limits": limits}]},
            {**vm, "id": "v2", "containers": [{"id": "b", "image": image, "limits": limits}]},
        ],
    }
    two_engines = totals_of(hybrid)
    assert two_engines.diagram.image_disk_unique == Sum(260 * MIB)
    assert two_engines.vm("v1").used.disk == Sum(10 * GIB + 10 * GIB + 130 * MIB)


def test_containers_without_ref_are_never_deduplicated() -> None:
    limits = {"cpu": 1, "memory": "1GiB"}
    totals = totals_of(
        container_host(
            {"id": "a", "image": {"size": "10MiB"}, "limits": limits},
            {"id": "b", "image": {"size": "10MiB"}, "limits": limits},
        )
    )
    assert totals.diagram.image_disk_unique == Sum(20 * MIB)


def test_type2_hypervisor_with_host_os() -> None:
    host = {
        "id": "laptop",
        "stack": "vm",
        "infrastructure": {"capacity": {"cpu": 4, "memory": "16GiB", "disk": "512GiB"}},
        "host_os": {"name": "Windows 11", "uses": {"cpu": 1, "memory": "4GiB", "disk": "64GiB"}},
        "hypervisor": {
            "name": "VirtualBox",
            "type": 2,
            "uses": {"cpu": "200m", "memory": "512MiB", "disk": "1GiB"},
        },
        "vms": [
            {
                "id": "v",
                "allocated": {"cpu": 2, "memory": "4GiB", "disk": "40GiB"},
                "guest_os": {"uses": {"cpu": "100m", "memory": "1GiB", "disk": "5GiB"}},
            }
        ],
    }
    totals = totals_of(host)
    laptop = totals.host("laptop")
    # host OS + hypervisor + VM allocation
    assert laptop.committed.cpu == Sum(1000 + 200 + 2000)
    assert laptop.committed.memory == Sum(4 * GIB + 512 * MIB + 4 * GIB)
    assert laptop.committed.disk == Sum(64 * GIB + 1 * GIB + 40 * GIB)
    assert laptop.os_copies == 2
    assert totals.diagram.os_copies == 2
    assert totals.diagram.os_overhead.memory == Sum(5 * GIB)
    assert laptop.overcommit("cpu") == 0.8  # 3200 / 4000
    assert laptop.overcommit("memory") == 0.531  # 8.5 / 16 = 0.53125
    assert codes(totals) == []


def test_missing_figures_are_counted_not_invented() -> None:
    host = container_host({"id": "a", "limits": {"cpu": 1}}, capacity={"cpu": 8})
    del host["engine"]["uses"]
    totals = totals_of(host)
    committed = totals.host("h").committed
    assert committed.cpu == Sum(500 + 1000, unknown=1)  # engine cpu unknown
    assert committed.memory == Sum(512 * MIB, unknown=2)  # engine + unbounded container
    assert committed.disk == Sum(4 * GIB, unknown=2)  # engine + image without size
    assert totals.host("h").overcommit("memory") is None  # capacity unknown
    assert codes(totals) == [
        ("unspecified", "/hosts/0/infrastructure"),
        ("unspecified", "/hosts/0/engine"),
        ("unbounded-container", "/hosts/0/containers/0"),  # not also "unspecified" (README)
    ]
    assert "it has no image.size figure either" in totals.warnings[-1].message
    messages = {alert.pointer: alert.message for alert in totals.warnings}
    assert "capacity.memory or capacity.disk" in messages["/hosts/0/infrastructure"]


def _host_at(memory: str | int) -> dict[str, Any]:
    return {
        "id": "h",
        "stack": "vm",
        "infrastructure": {"capacity": {"cpu": 4, "memory": memory, "disk": "100GiB"}},
        "hypervisor": {"type": 1, "uses": {"cpu": 0, "memory": "1GiB", "disk": "1GiB"}},
        "vms": [
            {
                "id": "v",
                "allocated": {"cpu": 4, "memory": "3GiB", "disk": "99GiB"},
                "guest_os": {"uses": {"cpu": 0, "memory": "1GiB", "disk": "1GiB"}},
            }
        ],
    }


def test_exactly_full_is_not_overcommitted() -> None:
    totals = totals_of(_host_at("4GiB"))  # 1 GiB hypervisor + 3 GiB VM = 4 GiB
    host = totals.host("h")
    assert host.overcommit("memory") == 1.0
    assert host.overcommit("cpu") == 1.0
    assert host.overcommit("disk") == 1.0
    assert codes(totals) == []


def test_one_byte_over_is_overcommitted() -> None:
    totals = totals_of(_host_at(4 * GIB - 1))  # committed is 4 GiB: one byte more than capacity
    assert codes(totals) == [("memory-overcommit", "/hosts/0")]
    assert 'host "h" commits 4 GiB of memory but has 4 GiB' in totals.warnings[0].message


def test_known_lower_bound_over_capacity_warns() -> None:
    host = _host_at("3GiB")
    del host["hypervisor"]["uses"]["memory"]  # 3 GiB VM alone fills 3 GiB; +unknown
    host["vms"][0]["allocated"]["memory"] = "3GiB"
    host["infrastructure"]["capacity"]["memory"] = 3 * GIB - 1
    totals = totals_of(host)
    assert ("memory-overcommit", "/hosts/0") in codes(totals)
    assert "at least 3 GiB" in totals.warnings[0].message


def test_vm_whose_contents_exceed_its_allocation() -> None:
    host = _host_at("8GiB")
    host["vms"][0]["apps"] = [{"id": "db", "uses": {"cpu": 5, "memory": "2GiB", "disk": "1GiB"}}]
    totals = totals_of(host)
    used = totals.vm("v").used
    assert used.cpu == Sum(5000)  # guest 0 + app 5 cores > 4 allocated
    assert used.memory == Sum(3 * GIB)  # guest 1 GiB + app 2 GiB = allocation: fine
    assert codes(totals) == [("vm-overflow", "/hosts/0/vms/0")]
    assert "holds 5 vCPU of cpu but is allocated 4 vCPU" in totals.warnings[0].message


def test_unbounded_container_warns_once_not_unspecified() -> None:
    totals = totals_of(container_host({"id": "cache", "image": {"ref": "redis", "size": "40MB"}}))
    assert codes(totals) == [("unbounded-container", "/hosts/0/containers/0")]
    assert "no cpu or memory limit" in totals.warnings[0].message


# --- properties -------------------------------------------------------------------------

figures = st.one_of(st.none(), st.integers(min_value=0, max_value=10**12))
resources = st.builds(Resources, figures, figures, figures)


# Validation allows one size per image ref on an engine (or none given); keep that invariant.
images = st.one_of(
    st.none(),
    st.builds(Image, st.none(), figures),
    st.builds(Image, st.just("a"), st.sampled_from([None, 100])),
    st.builds(Image, st.just("b"), st.sampled_from([None, 7 * 1024**2])),
)


@st.composite
def containers(draw: st.DrawFn, prefix: str) -> tuple[Container, ...]:
    count = draw(st.integers(min_value=1, max_value=4))
    return tuple(
        Container(
            pointer=f"{prefix}/containers/{index}",
            id=f"{prefix}-c{index}",
            name=None,
            image=draw(images),
            libs=(),
            limits=draw(st.builds(Resources, figures, figures)),
            replicas=draw(st.integers(min_value=1, max_value=5)),
        )
        for index in range(count)
    )


def layer(pointer: str) -> st.SearchStrategy[Layer]:
    return st.builds(Layer, st.just(pointer), st.none(), resources)


@st.composite
def hosts(draw: st.DrawFn, index: int) -> Host:
    pointer = f"/hosts/{index}"
    stack = draw(st.sampled_from(["vm", "container", "hybrid"]))
    infrastructure = Infrastructure(f"{pointer}/infrastructure", None, draw(resources))
    if stack == "container":
        return Host(
            pointer,
            f"h{index}",
            None,
            "container",
            infrastructure,
            draw(layer(f"{pointer}/host_os")),
            None,
            draw(layer(f"{pointer}/engine")),
            draw(containers(pointer)),
            (),
        )
    vms = []
    for number in range(draw(st.integers(min_value=1, max_value=3))):
        at = f"{pointer}/vms/{number}"
        engine = draw(st.booleans()) or (stack == "hybrid" and number == 0)
        vms.append(
            VM(
                at,
                f"h{index}v{number}",
                None,
                draw(resources),
                draw(layer(f"{at}/guest_os")),
                draw(layer(f"{at}/engine")) if engine and stack == "hybrid" else None,
                draw(containers(at)) if engine and stack == "hybrid" else (),
                (),
            )
        )
    from diagramgen.spec.model import Hypervisor

    hypervisor = Hypervisor(f"{pointer}/hypervisor", None, 1, draw(resources))
    host_os = draw(st.one_of(st.none(), layer(f"{pointer}/host_os")))
    return Host(
        pointer, f"h{index}", None, stack, infrastructure, host_os, hypervisor, None, (), tuple(vms)
    )


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    count = draw(st.integers(min_value=1, max_value=4))
    return Spec(None, None, tuple(draw(hosts(index)) for index in range(count)), ())


def _diagram_figures(totals: Totals) -> tuple[Any, ...]:
    d = totals.diagram
    return (
        d.hosts,
        d.vms,
        d.containers,
        d.apps,
        d.os_copies,
        d.os_overhead,
        d.image_disk_unique,
        d.image_disk_naive,
    )


@settings(max_examples=100, deadline=None)
@given(specs(), specs())
def test_diagram_totals_are_additive_over_hosts(first: Spec, second: Spec) -> None:
    # Rename the second spec's ids so the two can sit in one spec.
    renamed = tuple(
        replace(host, id="b" + host.id, vms=tuple(replace(vm, id="b" + vm.id) for vm in host.vms))
        for host in second.hosts
    )
    both = compute(Spec(None, None, first.hosts + renamed, ()))
    a, b = compute(first), compute(second)
    assert both.diagram.os_overhead == a.diagram.os_overhead + b.diagram.os_overhead
    assert (
        both.diagram.image_disk_unique == a.diagram.image_disk_unique + b.diagram.image_disk_unique
    )
    assert both.diagram.image_disk_naive == a.diagram.image_disk_naive + b.diagram.image_disk_naive
    for field in ("hosts", "vms", "containers", "apps", "os_copies"):
        assert getattr(both.diagram, field) == getattr(a.diagram, field) + getattr(b.diagram, field)
    assert len(both.warnings) == len(a.warnings) + len(b.warnings)
    committed = Figures()
    for host in a.hosts + b.hosts:
        committed = committed + host.committed
    assert sum((h.committed for h in both.hosts), Figures()) == committed


@settings(max_examples=100, deadline=None)
@given(specs(), st.randoms(use_true_random=False))
def test_totals_do_not_depend_on_order(spec: Spec, random: Any) -> None:
    def shuffled(items: tuple[Any, ...]) -> tuple[Any, ...]:
        result = list(items)
        random.shuffle(result)
        return tuple(result)

    reordered = Spec(
        None,
        None,
        shuffled(
            tuple(
                replace(
                    host,
                    vms=shuffled(
                        tuple(replace(vm, containers=shuffled(vm.containers)) for vm in host.vms)
                    ),
                    containers=shuffled(host.containers),
                )
                for host in spec.hosts
            )
        ),
        (),
    )
    before, after = compute(spec), compute(reordered)
    assert _diagram_figures(before) == _diagram_figures(after)
    assert {h.id: h for h in before.hosts} == {h.id: h for h in after.hosts}
    assert {v.id: v for v in before.vms} == {v.id: v for v in after.vms}
    assert sorted(map(repr, before.warnings)) == sorted(map(repr, after.warnings))


def test_reservations_make_a_reserved_total_beside_the_committed_one() -> None:
    app = {
        "id": "app",
        "image": {"ref": "app", "size": "100MiB"},
        "limits": {"cpu": 1, "memory": "1GiB"},
        "reservations": {"cpu": "250m", "memory": "512MiB"},
        "replicas": 4,
    }
    # No reservations: nothing reserved (Compose and Kubernetes reserve nothing for it).
    worker = {
        "id": "worker",
        "image": {"ref": "w", "size": "10MiB"},
        "limits": {"cpu": 1, "memory": "1GiB"},
    }
    totals = totals_of(container_host(app, worker))
    host = totals.host("h")
    # committed: host OS 500m + engine 100m + app 4 x 1000m + worker 1000m = 5600m
    assert host.committed.cpu == Sum(5600)
    # reserved: host OS 500m + engine 100m + app 4 x 250m + worker 0 = 1600m
    assert host.reserved.cpu == Sum(1600)
    # reserved memory: 512 MiB + 256 MiB + 4 x 512 MiB = 2816 MiB; disk as committed
    assert host.reserved.memory == Sum(2816 * MIB)
    assert host.reserved.disk == host.committed.disk
    assert codes(totals) == []


def test_reservations_beyond_capacity_warn_apart_from_limit_overcommit() -> None:
    app = {
        "id": "app",
        "image": {"ref": "app", "size": "1GiB"},
        "limits": {"cpu": 2, "memory": "4GiB"},
        "reservations": {"cpu": 1, "memory": "3GiB"},
        "replicas": 3,
    }
    capacity = {"cpu": 4, "memory": "8GiB", "disk": "100GiB"}
    totals = totals_of(container_host(app, capacity=capacity))
    # committed cpu: 0.6 + 6 = 6.6 > 4 (a limit overcommit: allowed, a risk);
    # reserved cpu: 0.6 + 3 = 3.6 <= 4; reserved memory: 768 MiB + 9 GiB > 8 GiB: cannot place
    assert codes(totals) == [
        ("cpu-overcommit", "/hosts/0"),
        ("memory-overcommit", "/hosts/0"),
        ("reservation-overcommit", "/hosts/0"),
    ]
    reserved = next(a for a in totals.warnings if a.code == "reservation-overcommit")
    assert reserved.message == (
        'host "h" reserves 9.75 GiB of memory but has 8 GiB; those workloads cannot all be placed'
    )


def test_reservations_in_a_vm_are_checked_against_its_allocation() -> None:
    host = {
        "id": "h",
        "stack": "hybrid",
        "infrastructure": {"capacity": {"cpu": 16, "memory": "64GiB", "disk": "1TiB"}},
        "hypervisor": {"type": 1, "uses": FULL},
        "vms": [
            {
                "id": "dh",
                "allocated": {"cpu": 2, "memory": "4GiB", "disk": "50GiB"},
                "guest_os": {"uses": {"cpu": "100m", "memory": "512MiB", "disk": "4GiB"}},
                "engine": {"uses": {"cpu": "100m", "memory": "256MiB", "disk": "1GiB"}},
                "containers": [
                    {
                        "id": "web",
                        "image": {"ref": "web", "size": "50MiB"},
                        "limits": {"cpu": "500m", "memory": "512MiB"},
                        "reservations": {"cpu": "500m", "memory": "512MiB"},
                        "replicas": 4,
                    }
                ],
            }
        ],
    }
    totals = totals_of(host)
    vm = totals.vm("dh")
    # used cpu = reserved cpu: 100m + 100m + 4 x 500m = 2200m > 2000m allocated
    assert vm.used.cpu == vm.reserved.cpu == Sum(2200)
    assert ("reservation-overcommit", "/hosts/0/vms/0") in codes(totals)
    assert ("vm-overflow", "/hosts/0/vms/0") in codes(totals)


def test_a_share_over_the_whole_is_never_shown_as_100_percent() -> None:
    from diagramgen.accounting.figures import percent

    gib = 1 << 30
    assert percent(Sum(1001 * gib, 0), 1000 * gib) == 101  # 100.1 %: over, so not "100 %"
    assert percent(Sum(1000 * gib, 0), 1000 * gib) == 100
    assert percent(Sum(999 * gib, 0), 1000 * gib) == 100  # 99.9 % rounds up, and is not over
    assert percent(Sum(1500, 0), 1000) == 150


def test_a_long_name_in_the_totals_table_is_never_cut() -> None:
    from diagramgen.accounting.report import totals_text

    name = "kubernetes-worker-node-with-long-name-1"
    spec = load_text(
        json.dumps(
            {
                "version": 1,
                "hosts": [
                    {
                        "id": "h",
                        "stack": "vm",
                        "infrastructure": {"name": "box"},
                        "hypervisor": {"name": "KVM", "type": 1},
                        "vms": [{"id": "w1", "name": name, "guest_os": {"name": "Debian"}}],
                    }
                ],
            }
        )
    )
    lines = totals_text(spec, compute(spec)).splitlines()
    heading = lines.index(f"  VM {name} (w1)")
    assert lines[heading + 1].split() == ["used", "allocated", "use"]
