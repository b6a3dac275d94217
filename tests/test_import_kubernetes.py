"""The Kubernetes importer: pod figures, workloads, nodes, running pods, quantities, notes.

Hand-computed figures per pod for the fixtures (tests/data/import/kubernetes):

    web (3 replicas)  requests: apps + sidecars = 250m + 50m = 300m, 128 + 64 = 192 MiB;
                      wait-for-db starts after log-shipper: 400m + 50m = 450m, 32 + 64 = 96 MiB
                      -> 450m (the init container wins), 192 MiB
                      limits: 500m + 100m = 600m, 256 + 128 = 384 MiB; init 400m + 100m = 500m,
                      64 + 128 = 192 MiB -> 600m, 384 MiB
    db (1)            limits only: request = limit = 2 cores, 4 GiB (the init container is smaller)
    cache (2)         requests 100m, 129e6 B; limits 250m, 256 MiB
    node-exporter     requests 50m, 32 MiB; limits 100m, 64 MiB; tolerates the control plane:
                      3 nodes
    log-agent         requests 20m, 50 MiB; limits 100m and "100m" memory (0.1 B: left out); 2 nodes
    migrate (Job)     parallelism 2, completions 1 -> 1 pod; limits = requests = 500m, 512 MiB

With the nodes file, committed (limits x replicas):
    cpu    1800 + 2000 + 500 + 300 + 200 + 500 = 5300m
    memory 1152 + 4096 + 512 + 192 + 512 MiB = 6464 MiB (log-agent unknown)
and reserved (requests x replicas):
    cpu    1350 + 2000 + 200 + 150 + 40 + 500 = 4240m
    memory 576 + 4096 + 96 + 100 + 512 MiB + 2 x 129e6 B = 5899338880 B
Capacity: cp-1 4 cores, 8035340 Ki; workers 8 cores, 32863568 Ki each: 20 cores, 73762476 Ki.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diagramgen import load_text, render
from diagramgen.accounting import compute
from diagramgen.importers import Imported, ImportFailed, dump_spec, import_kubernetes
from diagramgen.importers.notes import Notes
from diagramgen.importers.pods import pod_figures
from diagramgen.importers.quantities import (
    MilliByteMemory,
    QuantityError,
    kubernetes_cpu,
    kubernetes_memory,
    kubernetes_quantity,
)
from diagramgen.importers.sources import Document

from .conftest import cli_process

DATA = Path(__file__).resolve().parent / "data" / "import" / "kubernetes"
WORKLOADS = str(DATA / "workloads.yaml")
CACHE = str(DATA / "cache.json")
NODES = str(DATA / "nodes.json")
PODS = str(DATA / "pods.json")
MiB = 1024**2


def containers(imported: Imported, host: int = 0) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in imported.document["hosts"][host]["containers"]}


def places(imported: Imported) -> list[tuple[str, int, int, str]]:
    return [(Path(w.file).name, w.line, w.column, w.path) for w in imported.warnings]


def noted(imported: Imported) -> list[tuple[str, int, int, str, str]]:
    return [
        (*place, w.message) for place, w in zip(places(imported), imported.warnings, strict=True)
    ]


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def totals(imported: Imported) -> Any:
    return compute(load_text(json.dumps(imported.document), "imported.json"))


# --- manifests -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifests() -> Imported:
    return import_kubernetes([WORKLOADS, CACHE])


@pytest.fixture(scope="module")
def with_nodes() -> Imported:
    return import_kubernetes([WORKLOADS, CACHE], nodes=NODES)


def test_one_container_per_workload_with_the_pods_effective_figures(manifests: Imported) -> None:
    found = containers(manifests)
    assert list(found) == ["web", "db", "node-exporter", "log-agent", "migrate", "cache"]
    web = found["web"]
    assert web["limits"] == {"cpu": "600m", "memory": "384MiB"}
    assert web["reservations"] == {"cpu": "450m", "memory": "192MiB"}
    assert web["replicas"] == 3
    assert web["libs"] == ["web", "log-shipper (sidecar)", "wait-for-db (init)"]
    # A spec container has one image: a pod's images are joined, app containers first.
    assert web["image"] == {"ref": "nginx:1.27-alpine + fluent/fluent-bit:3.1 + busybox:1.36"}
    assert web["$comment"] == "Deployment shop/web"
    assert found["db"]["limits"] == found["db"]["reservations"] == {"cpu": 2, "memory": "4GiB"}
    assert "replicas" not in found["db"]  # spec.replicas defaults to 1
    assert found["cache"]["reservations"] == {"cpu": "100m", "memory": "129MB"}  # 0.1, 129e6
    assert found["cache"]["replicas"] == 2
    assert found["log-agent"]["limits"] == {"cpu": "100m"}  # "100m" memory left out
    assert found["migrate"]["limits"] == {"cpu": "500m", "memory": "512MiB"}
    assert "replicas" not in found["migrate"]  # min(parallelism 2, completions 1)
    assert "libs" not in found["cache"]  # one container: nothing to list


def test_without_nodes_one_unknown_host_and_daemonsets_assume_one(manifests: Imported) -> None:
    host = manifests.document["hosts"][0]
    assert host["id"] == "cluster"
    assert host["infrastructure"] == {"name": "Kubernetes cluster"}
    assert host["host_os"] == {"name": "Node OS"}
    assert host["engine"] == {"name": "Container runtime"}
    assert "replicas" not in containers(manifests)["node-exporter"]
    assert places(manifests) == [
        ("workloads.yaml", 0, 0, ""),
        ("workloads.yaml", 71, 1, ""),
        ("workloads.yaml", 81, 1, ""),
        ("workloads.yaml", 104, 1, ""),
        ("workloads.yaml", 125, 23, "spec.template.spec.containers[0].resources.limits.memory"),
        ("workloads.yaml", 145, 1, ""),
    ]
    messages = [w.message for w in manifests.warnings]
    assert "drawn on one host, cluster" in messages[0]
    assert messages[1] == "Service db runs no pods of its own: skipped"
    assert messages[2].startswith("DaemonSet node-exporter runs one pod per node")
    assert messages[4] == (
        "WARNING: 100m memory is 0.1 bytes (m means milli-bytes); did you mean 100Mi or 100M?"
        " The figure is left out"
    )


def test_with_nodes_daemonsets_follow_taints(with_nodes: Imported) -> None:
    found = containers(with_nodes)
    assert found["node-exporter"]["replicas"] == 3  # tolerates the control-plane taint
    assert found["log-agent"]["replicas"] == 2  # does not: workers only


def test_with_nodes_the_cluster_host_has_their_capacity(with_nodes: Imported) -> None:
    host = with_nodes.document["hosts"][0]
    assert host["name"] == "Kubernetes cluster (3 nodes)"
    assert host["infrastructure"]["name"] == "3 nodes: cp-1, worker-1, worker-2"
    assert host["infrastructure"]["capacity"] == {
        "cpu": 20,
        "memory": 73762476 * 1024,
        "disk": (40470732 + 2 * 101203600) * 1024,
    }
    assert "cp-1: allocatable cpu 3900m" in host["infrastructure"]["$comment"]
    assert host["host_os"] == {"name": "Ubuntu 24.04.1 LTS"}
    assert host["engine"] == {"name": "containerd 1.7.22"}
    # Every image the pod runs is on the node's disk: 20458392 + 34560128 + 2155073 bytes.
    assert containers(with_nodes)["web"]["image"] == {
        "ref": "nginx:1.27-alpine + fluent/fluent-bit:3.1 + busybox:1.36",
        "size": 57173593,
    }
    assert containers(with_nodes)["cache"]["image"]["size"] == 17232456


def test_totals_by_hand(with_nodes: Imported) -> None:
    host = totals(with_nodes).hosts[0]
    assert host.committed.cpu.value == 1800 + 2000 + 500 + 300 + 200 + 500 == 5300
    assert host.committed.memory.value == (1152 + 4096 + 512 + 192 + 512) * MiB
    assert host.capacity.cpu == 20_000
    assert host.reserved.cpu.value == 1350 + 2000 + 200 + 150 + 40 + 500 == 4240
    assert host.reserved.memory.value == (576 + 4096 + 96 + 100 + 512) * MiB + 2 * 129_000_000


def test_node_count_option_for_daemonsets() -> None:
    imported = import_kubernetes([WORKLOADS], node_count=5)
    assert containers(imported)["node-exporter"]["replicas"] == 5
    assert containers(imported)["log-agent"]["replicas"] == 5
    both = import_kubernetes([WORKLOADS], nodes=NODES, node_count=5)
    assert containers(both)["node-exporter"]["replicas"] == 3
    assert any("node count given twice" in w.message for w in both.warnings)


# --- the cluster as it runs ----------------------------------------------------------------


@pytest.fixture(scope="module")
def running() -> Imported:
    return import_kubernetes([], nodes=NODES, pods=PODS)


def test_each_node_a_host_each_pod_on_its_node(running: Imported) -> None:
    hosts = running.document["hosts"]
    assert [h["id"] for h in hosts] == ["cp-1", "worker-1", "worker-2"]
    assert hosts[1]["infrastructure"]["name"] == "cx52"  # the instance type
    assert hosts[1]["infrastructure"]["capacity"] == {
        "cpu": 8,
        "memory": 32863568 * 1024,
        "disk": 101203600 * 1024,
    }
    # The pods of one workload on one node are one container, named by the workload.
    found = containers(running, 1)
    assert list(found) == ["cache", "web", "log-agent", "node-exporter-2"]
    assert found["web"]["name"] == "web"
    assert found["web"]["replicas"] == 2
    assert found["web"]["$comment"] == (
        "Deployment shop/web: pods web-7d4b9c6f5-abcde, web-7d4b9c6f5-klmno"
    )
    assert found["node-exporter-2"]["name"] == "node-exporter"  # ids are unique in a spec
    assert "replicas" not in found["cache"]
    apiserver = containers(running, 0)["kube-apiserver-cp-1"]
    assert apiserver["reservations"] == {"cpu": "250m"}  # no memory request: left out
    assert "limits" not in apiserver
    assert apiserver["$comment"] == "Pod kube-system/kube-apiserver-cp-1, owned by Node cp-1"


def test_running_totals_by_hand(running: Imported) -> None:
    found = totals(running)
    worker1, worker2 = found.hosts[1], found.hosts[2]
    # worker-1: web x2, cache, node-exporter, log-agent (memory limit left out)
    assert worker1.committed.cpu.value == 2 * 600 + 250 + 100 + 100 == 1650
    assert worker1.committed.memory.value == (2 * 384 + 256 + 64) * MiB
    assert worker1.reserved.cpu.value == 2 * 450 + 100 + 50 + 20
    assert worker1.reserved.memory.value == (2 * 192 + 32 + 50) * MiB + 129_000_000
    # worker-2: web, db, cache, node-exporter, log-agent
    assert worker2.committed.cpu.value == 600 + 2000 + 250 + 100 + 100 == 3050
    assert worker2.committed.memory.value == (384 + 4096 + 256 + 64) * MiB
    assert found.diagram.containers == 12


def test_running_notes(running: Imported) -> None:
    assert [(file, path) for file, _, _, path in places(running)] == [
        ("pods.json", ""),
        ("pods.json", "items[7]"),
        ("pods.json", "items[9].spec.containers[0].resources.limits.memory"),
        ("pods.json", "items[10].spec.containers[0].resources.limits.memory"),
    ]
    assert "1 finished pod(s)" in running.warnings[0].message
    assert "web-7d4b9c6f5-zzzzz is not scheduled" in running.warnings[1].message
    assert running.warnings[2].line == 552


def test_manifests_are_not_imported_beside_a_pods_dump() -> None:
    imported = import_kubernetes([WORKLOADS], pods=PODS)
    assert "manifests not imported" in imported.warnings[0].message
    assert [h["id"] for h in imported.document["hosts"]] == ["worker-1", "worker-2", "cp-1"]
    assert "capacity" not in imported.document["hosts"][0]["infrastructure"]


# --- pod figures ---------------------------------------------------------------------------


def figures(spec: dict[str, Any]) -> tuple[dict[str, int | None], dict[str, int | None]]:
    notes = Notes()
    result = pod_figures(spec, Document("pod.yaml", spec, {}), (), notes)
    return result.limits, result.requests


def box(
    name: str, cpu: str | None = None, memory: str | None = None, **extra: Any
) -> dict[str, Any]:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    return {"name": name, "resources": {"requests": requests}, **extra}


def test_a_sidecar_counts_for_the_init_containers_after_it_only() -> None:
    before = {"initContainers": [box("init", "1")], "containers": [box("app", "100m")]}
    before["initContainers"].append(box("side", "300m", restartPolicy="Always"))
    # init runs alone (1000m); then side + app = 400m
    assert figures(before)[1]["cpu"] == 1000
    after = {"initContainers": [box("side", "300m", restartPolicy="Always"), box("init", "1")]}
    after["containers"] = [box("app", "100m")]
    assert figures(after)[1]["cpu"] == 1300  # the init container runs beside the sidecar


def test_sidecars_add_to_the_app_containers() -> None:
    spec = {
        "initContainers": [
            box("a", "100m", "100Mi", restartPolicy="Always"),
            box("b", "200m", "50Mi", restartPolicy="Always"),
        ],
        "containers": [box("app", "1", "1Gi")],
    }
    assert figures(spec)[1] == {"cpu": 1300, "memory": 1174 * MiB}


def test_overhead_is_added() -> None:
    spec = {"containers": [box("app", "1", "1Gi")], "overhead": {"cpu": "250m", "memory": "120Mi"}}
    assert figures(spec)[1] == {"cpu": 1250, "memory": 1144 * MiB}


def test_requests_default_to_limits_and_limits_need_every_container() -> None:
    spec = {
        "containers": [
            {"name": "a", "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}}},
            {"name": "b", "resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "1"}}},
        ]
    }
    limits, requests = figures(spec)
    assert requests == {"cpu": 600, "memory": 1024 * MiB}  # b requests no memory: 0
    assert limits == {"cpu": 1500, "memory": None}  # b has no memory limit: unbounded


def test_pod_level_resources_replace_the_sum() -> None:
    spec = {
        "resources": {"limits": {"cpu": "2", "memory": "2Gi"}, "requests": {"memory": "1Gi"}},
        "containers": [box("a", "100m", "100Mi"), box("b", "100m")],
        "overhead": {"memory": "10Mi"},
    }
    limits, requests = figures(spec)
    assert limits == {"cpu": 2000, "memory": 2058 * MiB}
    assert requests == {"cpu": 2000, "memory": 1034 * MiB}  # cpu: the pod's limit


def test_a_best_effort_pod_has_no_figures() -> None:
    assert figures({"containers": [{"name": "a", "image": "x"}]}) == (
        {"cpu": None, "memory": None},
        {"cpu": None, "memory": None},
    )


# --- Kubernetes quantities -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cpu"),
    [
        ("500m", 500),
        ("0.5", 500),
        ("1", 1000),
        (2, 2000),
        (0.25, 250),
        ("1e3", 1_000_000),
        (".5", 500),
        ("5.", 5000),
        ("100e-3", 100),
        ("1k", 1_000_000),
        ("0.0001", 1),
    ],
)
def test_kubernetes_cpu(text: object, cpu: int) -> None:
    assert kubernetes_cpu(text)[0] == cpu


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("128Mi", 128 * MiB),
        ("1Gi", 1024**3),
        ("1.5Gi", 1536 * MiB),
        ("129e6", 129_000_000),
        ("129M", 129_000_000),
        ("1k", 1000),
        ("1Ki", 1024),
        ("1E", 10**18),
        ("1Ei", 2**60),
        ("1e3", 1000),
        ("1E3", 1000),
        (1073741824, 1073741824),
        ("0.5", 1),
        ("+1Ki", 1024),
    ],
)
def test_kubernetes_memory(text: object, size: int) -> None:
    assert kubernetes_memory(text)[0] == size


@pytest.mark.parametrize("text", ["1K", "1 Gi", "1.5.2", "Gi", "1GiB", "1g", "-1", "0x10", ""])
def test_kubernetes_quantity_refuses(text: str) -> None:
    with pytest.raises(QuantityError):
        kubernetes_quantity(text)


@pytest.mark.parametrize(
    "cpu", ["1e999999999", "1e-999999999", "1E+100", "2" * 65, "0." + "0" * 63]
)
def test_a_quantity_of_huge_exponent_or_length_fails_at_its_place_at_once(
    tmp_path: Path, cpu: str
) -> None:
    # A 150-byte manifest: 1e999999999 computed 10^999999999 for minutes, memory growing.
    path = write(
        tmp_path,
        "w.yaml",
        "kind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
        f"      containers: [{{name: web, resources: {{limits: {{cpu: '{cpu}'}}}}}}]\n",
    )
    out = tmp_path / "spec.yaml"
    done = cli_process("import", "kubernetes", path, "-o", str(out), timeout=60)
    assert done.returncode == 1, done.stderr
    assert b"w.yaml:6:58: spec.template.spec.containers[0].resources.limits.cpu: '" in done.stderr
    assert b"out of range" in done.stderr or b"has more than 64 digits" in done.stderr
    assert b"Traceback" not in done.stderr and not out.exists()


@pytest.mark.parametrize("text", ["512m", "1000m", "0.5m"])
def test_milli_bytes_of_memory_are_refused_with_the_likely_intent(text: str) -> None:
    with pytest.raises(MilliByteMemory, match=f"did you mean {text[:-1]}Mi"):
        kubernetes_memory(text)


SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 10**3, "M": 10**6, "G": 10**9}


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(sorted(SUFFIXES)))
def test_kubernetes_suffixes(number: int, suffix: str) -> None:
    assert kubernetes_quantity(f"{number}{suffix}") == (number * SUFFIXES[suffix], suffix)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=-3, max_value=9))
def test_kubernetes_exponents(number: int, exponent: int) -> None:
    assert kubernetes_quantity(f"{number}e{exponent}")[0] == number * Fraction(10) ** exponent


@given(st.decimals(min_value=0, max_value=10**4, places=3, allow_nan=False))
def test_kubernetes_cpu_rounds_up_to_whole_millicores(cores: Any) -> None:
    assert kubernetes_cpu(str(cores))[0] == int(cores * 1000)


# --- odd and bad input ---------------------------------------------------------------------


def test_workloads_running_nothing_are_left_out(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "w.yaml",
        "kind: Deployment\nmetadata: {name: idle}\nspec:\n  replicas: 0\n"
        "  template: {spec: {containers: [{name: a, image: a}]}}\n---\n"
        "kind: Job\nmetadata: {name: later}\nspec:\n  suspend: true\n"
        "  template: {spec: {containers: [{name: b, image: b}]}}\n---\n"
        "kind: Pod\nmetadata: {name: one}\nspec: {containers: [{name: c, image: c}]}\n",
    )
    imported = import_kubernetes([path])
    assert list(containers(imported)) == ["one"]
    assert places(imported)[1:] == [("w.yaml", 1, 1, ""), ("w.yaml", 10, 12, "spec.suspend")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{- if .Values.enabled }}\nkind: Deployment\n{{- end }}\n", ":1:3: is not valid YAML"),
        (
            "kind: Pod\nmetadata:\n  name: {{ .Values.name }}\n",
            ':3:9: metadata.name: "{{ .Values.name }}" looks like a template placeholder;'
            " render the chart or template first",
        ),
        ("kind: Pod\nmetadata:\n  name: [a]\n", ":3:3: metadata.name: expected a string"),
        ("metadata: {name: a}\n", ":1:1: is not a Kubernetes object (no kind)"),
        (
            "kind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - name: a\n"
            "      resources: {limits: {memory: 1GB}}\n",
            ":6:36: spec.containers[0].resources.limits.memory: '1GB' is not a Kubernetes quantity",
        ),
        (
            "kind: Deployment\nspec: {replicas: two}\n",
            ":2:18: spec.replicas: expected a whole number",
        ),
        ("kind: Service\n", ": no pods or workloads to import"),
    ],
)
def test_bad_input_fails_with_one_line_per_problem(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, "w.yaml", text)
    with pytest.raises(ImportFailed) as failed:
        import_kubernetes([path])
    assert failed.value.lines()[0].startswith(path + expected)


def test_nothing_to_import_fails() -> None:
    with pytest.raises(ImportFailed, match="no manifests and no pods dump"):
        import_kubernetes([])


def test_ids_are_unique_across_namespaces(tmp_path: Path) -> None:
    pod = "kind: Pod\nmetadata: {{name: api, namespace: {}}}\nspec: {{containers: [{{name: a}}]}}\n"
    path = write(tmp_path, "w.yaml", pod.format("a") + "---\n" + pod.format("b"))
    found = import_kubernetes([path]).document["hosts"][0]["containers"]
    assert [(c["id"], c["name"], c["$comment"]) for c in found] == [
        ("api", "api", "Pod a/api"),
        ("api-2", "api", "Pod b/api"),
    ]


@pytest.mark.parametrize(
    "arguments",
    [
        {"paths": [WORKLOADS, CACHE]},
        {"paths": [WORKLOADS, CACHE], "nodes": NODES},
        {"paths": [], "nodes": NODES, "pods": PODS},
        {"paths": [], "pods": PODS},
    ],
)
def test_every_fixture_validates_and_totals(arguments: dict[str, Any]) -> None:
    imported = import_kubernetes(**arguments)
    for fmt in ("json", "yaml"):
        assert dump_spec(imported, fmt)
    found = totals(imported)
    assert found.diagram.hosts == len(imported.document["hosts"])
    for fmt in ("json", "yaml"):
        assert compute(load_text(dump_spec(imported, fmt), f"imported.{fmt}", syntax=fmt)) == found


# --- arbitrary input -----------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.sampled_from(["500m", "1Gi", "129e6", "Always", "NoSchedule", "Exists", "a", "", "1e999"]),
)
KEYS = st.sampled_from(
    [
        "kind", "metadata", "name", "namespace", "spec", "template", "replicas", "parallelism",
        "completions", "containers", "initContainers", "restartPolicy", "resources", "limits",
        "requests", "cpu", "memory", "overhead", "image", "tolerations", "nodeSelector", "items",
    ]
)  # fmt: skip
TREES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=16,
)
KINDS = st.sampled_from(["Pod", "Deployment", "DaemonSet", "Job", "List", "StatefulSet", "X"])


@given(st.lists(st.fixed_dictionaries({"kind": KINDS}, optional={"spec": TREES}), max_size=3))
def test_arbitrary_objects_import_or_fail_with_our_error(objects: list[dict[str, Any]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "objects.json"
        path.write_text(json.dumps({"kind": "List", "items": objects}))
        try:
            imported = import_kubernetes([path], nodes=NODES if len(objects) == 2 else None)
        except ImportFailed as failed:
            assert failed.lines()
        else:
            totals(imported)


def test_the_imported_cluster_renders(running: Imported) -> None:
    spec = load_text(json.dumps(running.document), "imported.json")
    picture = render(spec, ["svg"])["svg"]
    assert b"Kubernetes cluster as it runs (3 nodes)" in picture
    assert b"containerd 1.7.22" in picture


def test_more_replicas_than_a_spec_runs_fail_at_their_place(tmp_path: Path) -> None:
    path = tmp_path / "deploy.json"
    objects = [{"kind": "Deployment", "spec": {"kind": None, "replicas": 1000001}}]
    path.write_text(json.dumps({"kind": "List", "items": objects}))
    with pytest.raises(ImportFailed) as failed:
        import_kubernetes([path])
    assert any(
        "1,000,001 replicas: a spec runs at most 1,000,000" in line for line in failed.value.lines()
    )


def test_the_replica_limit_is_the_schemas() -> None:
    from diagramgen.spec import schema
    from diagramgen.spec.model import MAX_REPLICAS

    assert schema()["$defs"]["container"]["properties"]["replicas"]["maximum"] == MAX_REPLICAS


# --- wrong types in a cluster dump -----------------------------------------------------------

ODD_NODES = """\
kind: List
items:
- kind: Node
  metadata: {name: n1}
  spec: {taints: 5}
  status: {images: 5, capacity: {cpu: 4}}
- kind: Node
  metadata: {name: n2}
  spec:
    taints: [{key: dedicated, effect: NoSchedule}]
  status:
    images: [{names: true, sizeBytes: 1000}, {names: [a:1], sizeBytes: 2000}]
"""
ODD_PODS = """\
kind: List
items:
- kind: Pod
  metadata: {name: p, ownerReferences: 5}
  spec: {nodeName: n1, containers: [{name: c, image: a:1}]}
"""
ODD_DAEMONSET = """\
kind: DaemonSet
metadata: {name: agent}
spec: {template: {spec: {tolerations: 7, containers: [{name: c, image: a:1}]}}}
"""


def test_a_list_of_the_wrong_type_in_a_cluster_dump_is_read_as_absent_with_a_note(
    tmp_path: Path,
) -> None:
    # Each was a TypeError ("'int' object is not iterable").
    nodes = write(tmp_path, "nodes.yaml", ODD_NODES)
    running = import_kubernetes([], nodes=nodes, pods=write(tmp_path, "pods.yaml", ODD_PODS))
    notes = [
        (*place, note.message)
        for place, note in zip(places(running), running.warnings, strict=True)
        if "read as absent" in note.message
    ]
    number, boolean = "a number", "a boolean"
    assert notes == [
        (
            "nodes.yaml",
            5,
            18,
            "items[0].spec.taints",
            f"expected a list, not {number}: read as absent",
        ),
        (
            "nodes.yaml",
            6,
            20,
            "items[0].status.images",
            f"expected a list, not {number}: read as absent",
        ),
        (
            "nodes.yaml",
            12,
            22,
            "items[1].status.images[0].names",
            f"expected a list, not {boolean}: read as absent",
        ),
        (
            "pods.yaml",
            4,
            40,
            "items[0].metadata.ownerReferences",
            f"expected a list, not {number}: read as absent",
        ),
    ]
    pod = containers(running)["p"]
    assert pod["$comment"] == "Pod default/p"  # no owner
    assert containers(running, 0) and running.document["hosts"][0]["name"] == "n1"
    assert running.document["hosts"][0]["infrastructure"]["capacity"] == {"cpu": 4}
    # The image sizes of n2 still read: the one with names.
    cluster = import_kubernetes([write(tmp_path, "ds.yaml", ODD_DAEMONSET)], nodes=nodes)
    agent = containers(cluster)["agent"]
    assert agent["image"] == {"ref": "a:1", "size": "2KB"}
    # tolerations: 7 tolerates nothing: n1 (its taints read as none) runs the pod, n2 does not.
    assert "replicas" not in agent
    assert ("ds.yaml", 3, 39, "spec.template.spec.tolerations") in places(cluster)


def test_a_request_over_its_limit_fails_at_the_request(tmp_path: Path) -> None:
    # Found by the CLI-contract fuzzer: the spec refused what the import wrote.
    path = write(
        tmp_path,
        "pod.yaml",
        "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    resources:\n"
        "      requests: {cpu: 500m, memory: 64Mi}\n      limits: {cpu: 100m, memory: 64Mi}\n",
    )
    with pytest.raises(ImportFailed) as failed:
        import_kubernetes([path])
    assert failed.value.lines() == [
        f"{path}:7:23: spec.containers[0].resources.requests.cpu: requests more cpu than its"
        " limit (500m > 100m); Kubernetes refuses such a container"
    ]


# --- folders, files and what a title says (#27) ---------------------------------------------

SPECIFICATIONS = DATA / "k8s-specifications"
PLATFORM = DATA / "platform"
CRDS = DATA / "crds"
NINE = sorted(str(path) for path in SPECIFICATIONS.glob("*.yaml"))


def test_a_folder_of_nine_manifests_is_read_as_kubectl_apply_reads_it() -> None:
    imported = import_kubernetes([SPECIFICATIONS])
    document = imported.document
    assert document["title"] == "Kubernetes workloads: k8s-specifications"
    found = containers(imported)
    assert list(found) == ["db", "redis", "result", "vote", "worker"]  # the files' order
    assert found["vote"]["replicas"] == 2
    assert found["db"]["limits"] == {"cpu": "500m", "memory": "512MiB"}
    assert [(Path(w.file).name, w.line, w.message) for w in imported.warnings] == [
        ("db-deployment.yaml", 0, "no nodes file: capacity, node OS and runtime are not known;"
         " the workloads are drawn on one host, cluster"),
        ("db-service.yaml", 1, "Service db and 3 more Service objects run no pods of their own:"
         " skipped"),
    ]  # fmt: skip


def test_nine_files_make_a_short_title() -> None:
    # The title was made of the nine names: 210 characters, cut to the text limit with a note.
    imported = import_kubernetes(NINE)
    assert imported.document["title"] == "Kubernetes workloads: db-deployment.yaml + 8 more"
    assert imported.document == import_kubernetes([SPECIFICATIONS]).document | {
        "title": imported.document["title"],
        "$comment": imported.document["$comment"],
    }
    assert not any("cut to the text limit" in w.message for w in imported.warnings)
    assert imported.document["$comment"].startswith(
        f"Imported by diagramgen from Kubernetes: {NINE[0]}, {NINE[1]}, {NINE[2]}, {NINE[3]},"
        f" {NINE[4]} and 4 more. "
    )


def test_a_title_fits_the_text_limit_whatever_the_names(tmp_path: Path) -> None:
    long = tmp_path / ("a" * 180 + ".yaml")
    long.write_text("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}\n")
    imported = import_kubernetes([long, long.parent / long.name, SPECIFICATIONS])
    title = imported.document["title"]
    assert title == "Kubernetes workloads: " + "a" * 168 + "… + 2 more"
    assert len(title) == 200
    assert not any("cut to the text limit" in w.message for w in imported.warnings)
    # The same file named twice is read once.
    assert list(containers(imported)) == ["p", "db", "redis", "result", "vote", "worker"]


def _pod(name: str) -> str:
    return f"kind: Pod\nmetadata: {{name: {name}}}\nspec: {{containers: [{{name: c, image: x}}]}}\n"


def test_a_folder_gives_its_manifests_sorted_and_subfolders_only_when_recursive(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "k8s"
    (folder / "sub").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    (folder / "b.yml").write_text(_pod("b"))
    (folder / "a.yaml").write_text(_pod("a"))
    (folder / "c.JSON").write_text(json.dumps({"kind": "Pod", "metadata": {"name": "c"}}))
    (folder / "notes.txt").write_text("not a manifest")
    (folder / ".skipped.yaml").write_text(_pod("hidden"))
    (folder / ".hidden" / "h.yaml").write_text(_pod("hidden-too"))
    (folder / "sub" / "d.yaml").write_text(_pod("d"))
    (folder / "aa").symlink_to(folder / "sub")  # a link to a folder is never followed
    assert list(containers(import_kubernetes([folder]))) == ["a", "b", "c"]
    recursive = import_kubernetes([folder], recursive=True)
    assert list(containers(recursive)) == ["a", "b", "c", "d"]


def test_a_link_out_of_the_folder_is_refused_unread(tmp_path: Path) -> None:
    folder = tmp_path / "k8s"
    folder.mkdir()
    (folder / "a.yaml").write_text(_pod("a"))
    (tmp_path / "secret.yaml").write_text(_pod("secret"))
    (folder / "b.yaml").symlink_to(tmp_path / "secret.yaml")
    (folder / "c.yaml").symlink_to(folder / "a.yaml")  # inside: read
    with pytest.raises(ImportFailed) as failed:
        import_kubernetes([folder])
    assert failed.value.lines() == [
        f"{folder / 'b.yaml'}: is a link to a file outside {folder}; refused (links may point"
        " only inside it)"
    ]


def test_a_folder_without_manifests_is_a_usage_error(tmp_path: Path) -> None:
    from diagramgen import InvalidArgument

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yaml").write_text(_pod("a"))
    with pytest.raises(InvalidArgument) as refused:
        import_kubernetes([tmp_path])
    assert str(refused.value) == (
        f"{tmp_path}: no *.yaml, *.yml, *.json files in this folder (its subfolders are read"
        " only when recursive)"
    )


def test_standard_input_is_read_bounded(tmp_path: Path) -> None:
    import io

    from diagramgen.spec import Limits

    text = "---\n# Source: chart/templates/pod.yaml\n" + _pod("from-helm")
    imported = import_kubernetes(["-"], stdin=io.BytesIO(text.encode()))
    assert list(containers(imported)) == ["from-helm"]
    assert imported.document["title"] == "Kubernetes workloads: stdin"
    with pytest.raises(ImportFailed) as failed:
        import_kubernetes(["-"], stdin=io.BytesIO(text.encode()), limits=Limits(input_bytes=20))
    assert failed.value.lines() == ["<stdin>: holds 21 bytes or more; the input-bytes limit is 20"]


# --- documents that are only noted are not read: a folder of CRDs -----------------------------


def test_a_folder_of_crds_is_refused_in_one_line() -> None:
    with pytest.raises(ImportFailed) as failed:
        import_kubernetes([CRDS])
    assert failed.value.lines() == [
        f"{CRDS}: no pods or workloads to import: the 3 files hold 3 objects, none a workload"
        " (CustomResourceDefinition: 3)"
    ]


def test_many_files_of_other_kinds_are_summarised(tmp_path: Path) -> None:
    files = []
    for index in range(12):
        path = tmp_path / f"{index:02}.yaml"
        path.write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{index}}}\n---\n"
            f"apiVersion: v1\nkind: Service\nmetadata:\n  name: s{index}\n"
        )
        files.append(str(path))
    with pytest.raises(ImportFailed) as failed:
        import_kubernetes(files)
    assert failed.value.lines() == [
        f"{files[0]}: no pods or workloads to import: the 12 files hold 24 objects, none a"
        " workload (ConfigMap: 12, Service: 12)"
    ]


def _big_crd(index: int) -> str:
    """Return a CustomResourceDefinition of about 400 kB, nested as operators' schemas are."""

    def properties(depth: int, indent: int) -> list[str]:
        lines = []
        for number in range(6):
            pad = " " * indent
            lines += [f"{pad}field{number}:", f"{pad}  description: {'words ' * 140}"]
            if depth < 5 and number < 2:
                lines += [f"{pad}  type: object", f"{pad}  properties:"]
                lines += properties(depth + 1, indent + 4)
            else:
                lines.append(f"{pad}  type: string")
        return lines

    head = (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
        f"  name: widgets{index}.example.com\nspec:\n  group: example.com\n  versions:\n"
        "  - name: v1\n    schema:\n      openAPIV3Schema:\n        properties:\n"
    )
    return head + "\n".join(properties(0, 10)) + "\n"


def test_megabytes_of_crds_are_refused_in_well_under_a_second(tmp_path: Path) -> None:
    import time

    for index in range(11):
        (tmp_path / f"{index:02}-crd.yaml").write_text(_big_crd(index))
    size = sum(path.stat().st_size for path in tmp_path.iterdir())
    assert size > 4_000_000
    started = time.perf_counter()
    with pytest.raises(ImportFailed) as failed:
        import_kubernetes([tmp_path])
    seconds = time.perf_counter() - started
    assert "the 11 files hold 11 objects, none a workload" in failed.value.lines()[0]
    assert seconds < 2, seconds  # every document read whole: 8 s


def test_a_document_only_noted_keeps_its_place_and_name(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "w.yaml",
        "# comment\n---\n\n  # indented comment\napiVersion: v1\nkind: Secret\nmetadata:\n"
        "  labels:\n    name: not-this\n  name: 'creds' # the name\n---\n" + _pod("p"),
    )
    imported = import_kubernetes([path])
    assert places(imported)[1:] == [("w.yaml", 5, 1, "")]
    assert imported.warnings[1].message == "Secret creds runs no pods of its own: skipped"


# --- operators and controllers ----------------------------------------------------------------


def test_prometheus_and_alertmanager_run_the_pods_their_resources_give() -> None:
    # They were "skipped: runs no pods of its own", and the picture said "no warnings".
    imported = import_kubernetes([PLATFORM / "monitoring.yaml"])
    found = containers(imported)
    assert found == {
        "prometheus-k8s": {
            "id": "prometheus-k8s",
            "name": "prometheus-k8s",
            "$comment": "Prometheus monitoring/prometheus-k8s: pods run by the Prometheus"
            " Operator: 2 replicas",
            "image": {"ref": "quay.io/prometheus/prometheus:v2.54.1"},
            "reservations": {"memory": "400MiB"},
            "replicas": 2,
        },
        "alertmanager-main": {
            "id": "alertmanager-main",
            "name": "alertmanager-main",
            "$comment": "Alertmanager monitoring/alertmanager-main: pods run by the Prometheus"
            " Operator: 3 replicas",
            "image": {"ref": "quay.io/prometheus/alertmanager:v0.27.0"},
            "limits": {"cpu": "100m", "memory": "100MiB"},
            "reservations": {"cpu": "4m", "memory": "100MiB"},
            "replicas": 3,
        },
    }
    sidecar = (
        "the config-reloader sidecar the operator adds is not counted (its figures are the"
        " operator's)"
    )
    assert [(w.line, w.message) for w in imported.warnings] == [
        (0, "no nodes file: capacity, node OS and runtime are not known; the workloads are"
         " drawn on one host, cluster"),
        (3, "Prometheus objects: their pods are run by the Prometheus Operator and drawn from"
         " the resource: spec.replicas times spec.shards pods, with spec.resources as the"
         f" prometheus container's figures; {sidecar}"),
        (18, "Alertmanager objects: their pods are run by the Prometheus Operator and drawn"
         " from the resource: spec.replicas pods, with spec.resources as the alertmanager"
         f" container's figures; {sidecar}"),
        (34, "ServiceMonitor alertmanager-main runs no pods of its own: skipped"),
        (47, "PrometheusRule node-rules runs no pods of its own: skipped"),
    ]  # fmt: skip


def test_prometheus_shards_multiply_its_replicas(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.yaml",
        "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: big}\n"
        "spec: {replicas: 2, shards: 3, resources: {limits: {cpu: 1, memory: 2Gi}}}\n",
    )
    found = containers(import_kubernetes([path]))["prometheus-big"]
    assert found["replicas"] == 6
    assert found["$comment"].endswith(": 2 replicas in each of 3 shards")
    assert found["limits"] == found["reservations"] == {"cpu": 1, "memory": "2GiB"}


def test_a_cron_job_is_one_run_of_its_job_template() -> None:
    imported = import_kubernetes([PLATFORM / "periodic.yaml"])
    assert containers(imported)["backup"] == {
        "id": "backup",
        "name": "backup",
        "$comment": "CronJob shop/backup: runs on a schedule (0 3 * * *): one run drawn",
        "image": {"ref": "postgres:16"},
        "limits": {"cpu": "200m", "memory": "256MiB"},
        "reservations": {"cpu": "200m", "memory": "256MiB"},
    }
    assert imported.warnings[1].message == (
        "CronJob backup runs on a schedule (0 3 * * *): drawn as one run of its job; its pods"
        " hold their figures only while a run lasts"
    )


def test_an_autoscaler_sets_its_targets_replicas_to_its_minimum_or_maximum() -> None:
    least = import_kubernetes([PLATFORM / "autoscaled.yaml"])
    assert containers(least)["frontend"]["replicas"] == 2  # the manifest says 3
    assert containers(least)["frontend"]["$comment"] == (
        "Deployment shop/frontend: 2 replicas: the minimum of HorizontalPodAutoscaler frontend"
    )
    note = least.warnings[1]
    assert (note.line, note.column, note.path, note.rule) == (
        31,
        16,
        "spec.minReplicas",
        "replicas:max",
    )
    assert note.message == (
        "HorizontalPodAutoscaler frontend scales Deployment shop/frontend from 2 to 10"
        " replicas: drawn with its minimum, 2 (the manifest gives 3)"
    )
    most = import_kubernetes([PLATFORM / "autoscaled.yaml"], replicas="max")
    assert containers(most)["frontend"]["replicas"] == 10
    assert most.warnings[1].message.endswith("drawn with its maximum, 10 (the manifest gives 3)")
    assert most.warnings[1].rule is None


def test_a_kustomization_is_named_as_kustomizes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources: [pod.yaml]\n---\n" + _pod("p"),
    )
    imported = import_kubernetes([path])
    assert imported.warnings[1].message == (
        "Kustomization is kustomize's, not an object of a cluster: skipped; what"
        " `kustomize build` makes of the folder is what is applied (read it from standard input)"
    )


def test_an_autoscaler_without_its_target_is_noted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "hpa.yaml",
        _pod("p") + "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
        "metadata: {name: h}\nspec:\n  scaleTargetRef: {kind: Deployment, name: gone}\n"
        "  maxReplicas: 4\n",
    )
    imported = import_kubernetes([path])
    assert (places(imported)[1], imported.warnings[1].message) == (
        ("hpa.yaml", 9, 3, "spec.scaleTargetRef"),
        "HorizontalPodAutoscaler h scales Deployment default/gone, which these manifests do"
        " not hold: ignored",
    )


def test_an_unknown_replicas_bound_is_refused() -> None:
    from diagramgen import InvalidArgument

    with pytest.raises(
        InvalidArgument, match="unknown replicas bound 'most'; choose from min, max"
    ):
        import_kubernetes([WORKLOADS], replicas="most")


def test_a_custom_resource_is_named_as_one_whose_pods_are_not_drawn() -> None:
    with pytest.raises(ImportFailed) as failed:
        import_kubernetes([PLATFORM / "kafka.yaml"])
    assert failed.value.lines() == [
        f"{PLATFORM / 'kafka.yaml'}: no pods or workloads to import: it holds 1 object, none a"
        " workload (Kafka)"
    ]
    imported = import_kubernetes([PLATFORM / "kafka.yaml", PLATFORM / "periodic.yaml"])
    assert imported.warnings[0].message == (
        "Kafka events is a custom resource (kafka.strimzi.io): any pods an operator runs for it"
        " are not drawn, as only the operator knows their figures"
    )
    assert not any("runs no pods of its own" in w.message for w in imported.warnings)


# --- init containers, and figures a spec has no place for -----------------------------------


def test_an_init_container_without_limits_leaves_the_pod_its_app_containers_limits() -> None:
    # It removed the pod's limits: the picture flagged a well-limited pod as unbounded.
    imported = import_kubernetes([PLATFORM / "loadgenerator.yaml"])
    found = containers(imported)["loadgenerator"]
    assert found["limits"] == {"cpu": "500m", "memory": "512MiB"}
    assert found["reservations"] == {"cpu": "300m", "memory": "256MiB"}
    assert found["image"] == {"ref": "example/loadgenerator:0.10 + busybox:1.36"}
    assert (places(imported)[1], imported.warnings[1].message) == (
        ("loadgenerator.yaml", 17, 9, "spec.template.spec.initContainers[0]"),
        "init container frontend-check has no cpu or memory limit: it runs to completion before"
        " the app containers start, so the pod's limits are theirs",
    )
    assert not [w for w in totals(imported).warnings if w.code == "unbounded-container"]


def test_a_pods_limit_is_its_running_containers() -> None:
    spec = {
        "initContainers": [
            {
                "name": "setup",
                "resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "2", "memory": "2Gi"}},
            },
            box("side", "50m", "64Mi", restartPolicy="Always"),
        ],
        "containers": [{"name": "app", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}],
    }
    spec["initContainers"][1]["resources"]["limits"] = {"cpu": "100m", "memory": "128Mi"}
    limits, requests = figures(spec)
    # The init container's 2 cores run before the others start: they bound nothing that runs
    # (Kubernetes' pod-level limit would be 2 cores).
    assert limits["cpu"] == 1000 + 100
    assert requests["cpu"] == 1000 + 50
    # It requests 2 GiB (its limit), which the scheduler reserves for the pod's life: more
    # than app + sidecar may use (1 GiB + 128 MiB), so the limit is raised to the request.
    assert requests["memory"] == limits["memory"] == 2048 * MiB


def test_an_init_container_requesting_more_than_the_limit_raises_it_with_a_note() -> None:
    spec = {
        "initContainers": [{"name": "warm", "resources": {"requests": {"cpu": "2"}}}],
        "containers": [{"name": "app", "resources": {"limits": {"cpu": "500m"}}}],
    }
    notes = Notes()
    result = pod_figures(spec, Document("pod.yaml", spec, {}), (), notes)
    assert (result.limits["cpu"], result.requests["cpu"]) == (2000, 2000)
    assert [w.message for w in notes.warnings()] == [
        "init container warm has no cpu limit: it runs to completion before the app containers"
        " start, so the pod's limits are theirs",
        "the pod requests 2000m of cpu (an init container asks for more than the running"
        " containers' limit, 500m), which the scheduler reserves for the pod's life: its limit"
        " is drawn as that much",
    ]


def test_gpus_and_ephemeral_storage_are_named_once_per_resource() -> None:
    imported = import_kubernetes([PLATFORM / "gpu.yaml"])
    assert noted(imported)[1:] == [
        ("gpu.yaml", 24, 32, "spec.template.spec.containers[0].resources.limits.ephemeral-storage",
         "ephemeral-storage is given for 1 workload (ml/trainer): local disk a container may"
         " use; not drawn, as a spec container holds no disk"),
        ("gpu.yaml", 25, 29, "spec.template.spec.containers[0].resources.limits.nvidia.com/gpu",
         "nvidia.com/gpu is given for 2 workloads (ml/trainer, ml/infer): not drawn, as a spec"
         " holds only cpu, memory and disk"),
    ]  # fmt: skip
    assert containers(imported)["trainer"]["limits"] == {"cpu": 4, "memory": "16GiB"}


def test_claims_and_limit_range_defaults_are_noted() -> None:
    imported = import_kubernetes([PLATFORM / "storage.yaml"])
    assert containers(imported)["queue"]["replicas"] == 3
    assert noted(imported)[1:] == [
        ("storage.yaml", 1, 1, "",
         "LimitRange defaults gives default container figures, which the API server applies"
         " when a pod is created: not applied here; containers that give none are drawn"
         " without"),
        ("storage.yaml", 34, 3, "spec.volumeClaimTemplates",
         "1 StatefulSet claims 33GiB of persistent volumes (shop/queue: 3 replicas of 11GiB):"
         " not drawn, as a spec container holds no disk"),
    ]  # fmt: skip


def test_the_platform_folder_validates_and_totals() -> None:
    imported = import_kubernetes([PLATFORM])
    assert list(containers(imported)) == [
        "frontend", "trainer", "infer", "loadgenerator", "prometheus-k8s", "alertmanager-main",
        "backup", "queue",
    ]  # fmt: skip
    found = totals(imported)
    # Committed cpu, limits x replicas: frontend 2 x 200m, trainer 4, infer 2 x 1, loadgenerator
    # 500m, alertmanager 3 x 100m, backup 200m, queue 3 x 1; prometheus has no limit.
    assert found.hosts[0].committed.cpu.value == 400 + 4000 + 2000 + 500 + 300 + 200 + 3000
    assert found.diagram.containers == 2 + 1 + 2 + 1 + 2 + 3 + 1 + 3


# --- messages: templates, empty files, no Python reprs ----------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "kind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: {{replicas}}\n",
            ':4:13: spec.replicas: "{{replicas}}" looks like a template placeholder; render the'
            " chart or template first",
        ),
        (
            "kind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: {{ .Values.replicas }}\n",
            ':4:13: spec.replicas: "{{ .Values.replicas }}" looks like a template placeholder;'
            " render the chart or template first",
        ),
        (
            "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n"
            "    image: x\n    resources: {limits: {cpu: '{{ .Values.cpu }}'}}\n",
            ':7:31: spec.containers[0].resources.limits.cpu: "{{ .Values.cpu }}" looks like a'
            " template placeholder; render the chart or template first",
        ),
        (
            "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n"
            "    image: nginx:{{ .Values.tag }}\n",
            ':6:12: spec.containers[0].image: "nginx:{{ .Values.tag }}" looks like a template'
            " placeholder; render the chart or template first",
        ),
        (
            "kind: Deployment\nmetadata: {name: web}\nspec: {replicas: {a: 1}}\n",
            ":3:8: spec.replicas: expected a whole number, not a mapping",
        ),
        (
            "kind: Deployment\nmetadata: {name: web}\nspec: {replicas: [1]}\n",
            ":3:8: spec.replicas: expected a whole number, not a list",
        ),
        (
            "kind: Deployment\nmetadata: {name: web}\nspec: {replicas: true}\n",
            ":3:18: spec.replicas: expected a whole number, not true",
        ),
        ("", ": is empty"),
        ("# only a comment\n---\n", ": is empty"),
        (
            # ruamel.yaml's words printed both values' Python reprs ("{'matchLabels': …}").
            "kind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {a: b}}\n"
            "  selector: {matchLabels: {a: c}}\n",
            ':5:3: is not valid YAML: the key "selector" appears twice in one mapping; each key'
            " may be given once",
        ),
        (
            "{{- if .Values.enabled }}\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
            "spec:\n  containers:\n  - name: c\n    image: x\n{{- end }}\n",
            ":1:3: is not valid YAML: while parsing a flow node expected the node content, but"
            " found '-'; it looks like a template ({{ … }}): render the chart or template first",
        ),
    ],
)
def test_what_cannot_be_read_is_said_plainly(tmp_path: Path, text: str, expected: str) -> None:
    # A placeholder was "expected a whole number, not {'"ordereddict([('replicas', None)])"':
    # None}"; an empty JSON file "is not valid JSON: Expecting value".
    path = write(tmp_path, "w.yaml", text)
    with pytest.raises(ImportFailed) as failed:
        import_kubernetes([path])
    assert failed.value.lines() == [path + expected]


def test_an_empty_json_file_says_it_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "pods.json", "\n")
    with pytest.raises(ImportFailed) as failed:
        import_kubernetes([], pods=path)
    assert failed.value.lines() == [f"{path}: is empty"]


def test_an_empty_file_among_others_is_a_note(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(_pod("a"))
    (tmp_path / "b.yaml").write_text("")
    imported = import_kubernetes([tmp_path])
    assert [(w.file, w.message) for w in imported.warnings][1] == (
        str(tmp_path / "b.yaml"),
        "is empty: nothing to import from it",
    )
    (tmp_path / "a.yaml").write_text("# nothing yet\n")
    with pytest.raises(ImportFailed) as failed:
        import_kubernetes([tmp_path])
    assert failed.value.lines() == [
        f"{tmp_path}: no pods or workloads to import: the 2 files are empty"
    ]


def test_template_text_that_is_not_read_is_left_alone() -> None:
    # A PrometheusRule's annotation is a template of its own: not a figure, not refused.
    assert containers(import_kubernetes([PLATFORM / "monitoring.yaml"]))


# --- the cluster as it runs: pods as their workloads -------------------------------------------


def _running_pod(name: str, node: str, owner: tuple[str, str] | None, **spec: Any) -> dict:
    metadata: dict[str, Any] = {"name": name, "namespace": "shop"}
    if owner is not None:
        metadata["ownerReferences"] = [{"kind": owner[0], "name": owner[1], "controller": True}]
    labels = spec.pop("labels", None)
    if labels:
        metadata["labels"] = labels
    containers_ = spec.pop("containers", [{"name": "c", "image": "web:1"}])
    return {
        "kind": "Pod",
        "metadata": metadata,
        "spec": {"nodeName": node, "containers": containers_, **spec},
        "status": {"phase": "Running"},
    }


def test_the_pods_of_one_workload_on_one_node_are_one_container(tmp_path: Path) -> None:
    hashed = {"pod-template-hash": "6d8f7c9b54"}
    sidecar = [
        {"name": "c", "image": "web:1"},
        {"name": "exporter", "image": "exporter:0.15"},
    ]
    items = [
        _running_pod("web-6d8f7c9b54-2xkqz", "n1", ("ReplicaSet", "web-6d8f7c9b54"), labels=hashed),
        _running_pod("web-6d8f7c9b54-8fj2m", "n1", ("ReplicaSet", "web-6d8f7c9b54"), labels=hashed),
        # During a rollout: the new template's pod is drawn apart from the old ones.
        _running_pod(
            "web-7b5d9f8c6-abcde",
            "n1",
            ("ReplicaSet", "web-7b5d9f8c6"),
            labels={"pod-template-hash": "7b5d9f8c6"},
            containers=sidecar,
        ),
        _running_pod("etcd-n1", "n1", ("Node", "n1")),
        _running_pod("kube-scheduler-n1", "n1", ("Node", "n1")),
        _running_pod("debug", "n1", None),
        _running_pod("web-6d8f7c9b54-q9w8e", "n2", ("ReplicaSet", "web-6d8f7c9b54"), labels=hashed),
    ]
    pods = write(tmp_path, "pods.json", json.dumps({"kind": "List", "items": items}))
    nodes = write(
        tmp_path,
        "nodes.json",
        json.dumps(
            {
                "kind": "List",
                "items": [
                    {
                        "kind": "Node",
                        "metadata": {"name": name},
                        "status": {
                            "images": [
                                {"names": ["web:1"], "sizeBytes": 100 * MiB},
                                {"names": ["exporter:0.15"], "sizeBytes": 20 * MiB},
                            ]
                        },
                    }
                    for name in ("n1", "n2")
                ],
            }
        ),
    )
    imported = import_kubernetes([], pods=pods, nodes=nodes)
    found = {c["id"]: c for c in imported.document["hosts"][0]["containers"]}
    assert {key: (c["name"], c["$comment"], c.get("replicas", 1)) for key, c in found.items()} == {
        "web": ("web", "Deployment shop/web: pods web-6d8f7c9b54-2xkqz, web-6d8f7c9b54-8fj2m", 2),
        "web-2": ("web", "Deployment shop/web: pod web-7b5d9f8c6-abcde", 1),
        "etcd-n1": ("etcd-n1", "Pod shop/etcd-n1, owned by Node n1", 1),
        "kube-scheduler-n1": (
            "kube-scheduler-n1", "Pod shop/kube-scheduler-n1, owned by Node n1", 1
        ),
        "debug": ("debug", "Pod shop/debug", 1),
    }  # fmt: skip
    # The sidecar's image is on the node's disk too: 100 + 20 MiB.
    assert found["web-2"]["image"] == {"ref": "web:1 + exporter:0.15", "size": "120MiB"}
    assert found["web"]["image"] == {"ref": "web:1", "size": "100MiB"}
    on_n2 = imported.document["hosts"][1]["containers"]
    assert [(c["id"], c["name"]) for c in on_n2] == [("web-3", "web")]
    assert totals(imported).diagram.containers == 7  # every pod counted
