"""Write nodes.json and pods.json: what kubectl would print for the shop on a three-node cluster.

Run once by hand (``python make_dumps.py``); the JSON files are the committed fixtures. The pods
are the templates of workloads.yaml and cache.json with what the API server adds (requests
defaulted from limits, nodeName, owner references, status).
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

from ruamel.yaml import YAML

HERE = Path(__file__).parent
IMAGES = {
    "nginx:1.27-alpine": 20_458_392,
    "postgres:16": 150_230_112,
    "redis:7-alpine": 17_232_456,
    "quay.io/prometheus/node-exporter:v1.8.2": 11_675_648,
    "fluent/fluent-bit:3.1": 34_560_128,
    "busybox:1.36": 2_155_073,
    "registry.k8s.io/kube-apiserver:v1.31.2": 28_120_345,
}


def full(ref: str) -> str:
    return (
        ref
        if "." in ref.split("/")[0]
        else f"docker.io/library/{ref}"
        if "/" not in ref
        else f"docker.io/{ref}"
    )


def node(
    name: str, cpu: str, memory_ki: int, disk_ki: int, images: list[str], control: bool
) -> dict:
    labels = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": "cx32" if control else "cx52",
    }
    spec: dict = {"podCIDR": "10.244.0.0/24"}
    if control:
        labels["node-role.kubernetes.io/control-plane"] = ""
        spec["taints"] = [{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}]
    reserved_ki = 1_048_576 if control else 2_097_152
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": spec,
        "status": {
            "capacity": {
                "cpu": cpu,
                "ephemeral-storage": f"{disk_ki}Ki",
                "hugepages-2Mi": "0",
                "memory": f"{memory_ki}Ki",
                "pods": "110",
            },
            "allocatable": {
                "cpu": f"{int(cpu) * 1000 - 100}m",
                "ephemeral-storage": str(disk_ki * 1024 * 9 // 10),
                "hugepages-2Mi": "0",
                "memory": f"{memory_ki - reserved_ki}Ki",
                "pods": "110",
            },
            "nodeInfo": {
                "architecture": "amd64",
                "containerRuntimeVersion": "containerd://1.7.22",
                "kernelVersion": "6.8.0-48-generic",
                "kubeletVersion": "v1.31.2",
                "operatingSystem": "linux",
                "osImage": "Ubuntu 24.04.1 LTS",
            },
            "images": [
                {
                    "names": [
                        f"{full(ref)}@sha256:{hashlib.sha256(ref.encode()).hexdigest()}",
                        full(ref),
                    ],
                    "sizeBytes": IMAGES[ref],
                }
                for ref in images
            ],
        },
    }


def defaulted(pod_spec: dict) -> dict:
    spec = copy.deepcopy(pod_spec)
    for group in ("initContainers", "containers"):
        for container in spec.get(group, []):
            resources = container.setdefault("resources", {})
            for key, value in resources.get("limits", {}).items():
                resources.setdefault("requests", {}).setdefault(key, value)
    return spec


def pod(
    name: str,
    namespace: str,
    owner: tuple[str, str],
    spec: dict,
    node_name: str | None,
    phase: str = "Running",
) -> dict:
    spec = defaulted(spec)
    if node_name:
        spec["nodeName"] = node_name
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "ownerReferences": [
                {"apiVersion": "apps/v1", "controller": True, "kind": owner[0], "name": owner[1]}
            ],
        },
        "spec": spec,
        "status": {"phase": phase},
    }


def main() -> None:
    yaml = YAML(typ="safe")
    documents = yaml.load_all((HERE / "workloads.yaml").read_text())
    workloads = {d["metadata"]["name"]: d for d in documents if "template" in d.get("spec", {})}
    workloads["cache"] = json.loads((HERE / "cache.json").read_text())["items"][0]
    template = {
        name: json.loads(json.dumps(w["spec"]["template"]["spec"]))
        for name, w in workloads.items()
        if "template" in w.get("spec", {})
    }
    nodes = [
        node(
            "cp-1",
            "4",
            8_035_340,
            40_470_732,
            ["quay.io/prometheus/node-exporter:v1.8.2", "registry.k8s.io/kube-apiserver:v1.31.2"],
            True,
        ),
        node(
            "worker-1",
            "8",
            32_863_568,
            101_203_600,
            [
                "nginx:1.27-alpine",
                "redis:7-alpine",
                "quay.io/prometheus/node-exporter:v1.8.2",
                "fluent/fluent-bit:3.1",
                "busybox:1.36",
            ],
            False,
        ),
        node(
            "worker-2",
            "8",
            32_863_568,
            101_203_600,
            [
                "nginx:1.27-alpine",
                "postgres:16",
                "redis:7-alpine",
                "quay.io/prometheus/node-exporter:v1.8.2",
                "fluent/fluent-bit:3.1",
                "busybox:1.36",
            ],
            False,
        ),
    ]
    apiserver = {
        "containers": [
            {
                "name": "kube-apiserver",
                "image": "registry.k8s.io/kube-apiserver:v1.31.2",
                "resources": {"requests": {"cpu": "250m"}},
            }
        ],
        "priorityClassName": "system-node-critical",
    }
    pods = [
        pod(
            "cache-6c8f7b9d4-pqrst",
            "shop",
            ("ReplicaSet", "cache-6c8f7b9d4"),
            template["cache"],
            "worker-1",
        ),
        pod(
            "cache-6c8f7b9d4-uvwxy",
            "shop",
            ("ReplicaSet", "cache-6c8f7b9d4"),
            template["cache"],
            "worker-2",
        ),
        pod("db-0", "shop", ("StatefulSet", "db"), template["db"], "worker-2"),
        pod(
            "migrate-x7k2p",
            "shop",
            ("Job", "migrate"),
            template["migrate"],
            "worker-1",
            "Succeeded",
        ),
        pod(
            "web-7d4b9c6f5-abcde",
            "shop",
            ("ReplicaSet", "web-7d4b9c6f5"),
            template["web"],
            "worker-1",
        ),
        pod(
            "web-7d4b9c6f5-fghij",
            "shop",
            ("ReplicaSet", "web-7d4b9c6f5"),
            template["web"],
            "worker-2",
        ),
        pod(
            "web-7d4b9c6f5-klmno",
            "shop",
            ("ReplicaSet", "web-7d4b9c6f5"),
            template["web"],
            "worker-1",
        ),
        pod(
            "web-7d4b9c6f5-zzzzz",
            "shop",
            ("ReplicaSet", "web-7d4b9c6f5"),
            template["web"],
            None,
            "Pending",
        ),
        pod("kube-apiserver-cp-1", "kube-system", ("Node", "cp-1"), apiserver, "cp-1"),
        pod(
            "log-agent-4hx8m",
            "monitoring",
            ("DaemonSet", "log-agent"),
            template["log-agent"],
            "worker-1",
        ),
        pod(
            "log-agent-9qw2z",
            "monitoring",
            ("DaemonSet", "log-agent"),
            template["log-agent"],
            "worker-2",
        ),
        pod(
            "node-exporter-2bn5c",
            "monitoring",
            ("DaemonSet", "node-exporter"),
            template["node-exporter"],
            "cp-1",
        ),
        pod(
            "node-exporter-7fj3d",
            "monitoring",
            ("DaemonSet", "node-exporter"),
            template["node-exporter"],
            "worker-1",
        ),
        pod(
            "node-exporter-k8s4t",
            "monitoring",
            ("DaemonSet", "node-exporter"),
            template["node-exporter"],
            "worker-2",
        ),
    ]
    for name, items in (("nodes.json", nodes), ("pods.json", pods)):
        text = json.dumps(
            {
                "apiVersion": "v1",
                "items": items,
                "kind": "List",
                "metadata": {"resourceVersion": ""},
            },
            indent=4,
        )
        (HERE / name).write_text(text + "\n")


if __name__ == "__main__":
    main()
