"""Random pages: valid specs of any stack, with links, that nobody drew by hand."""

from __future__ import annotations

import random

__all__ = ["random_spec"]


def random_spec(seed: int) -> dict[str, object]:
    """Return a valid spec of 1-3 hosts of any stack, with 2-10 links between any components.

    Seeded: the same seed always gives the same spec, so a failure can be replayed.
    """
    pick = random.Random(seed)
    ids: list[str] = []

    def ident(kind: str) -> str:
        ids.append(f"{kind}{len(ids)}")
        return ids[-1]

    def workload(kind: str) -> dict[str, object]:
        name = pick.choice(["api", "web", "worker", "cache", "a-much-longer-service-name"])
        item: dict[str, object] = {"id": ident(kind), "name": name}
        if kind == "c":
            item["limits"] = {"cpu": pick.choice([0.5, 1, 2]), "memory": "512MiB"}
        return item

    hosts = []
    for _ in range(pick.randint(1, 3)):
        stack = pick.choice(["vm", "container", "hybrid"])
        host: dict[str, object] = {
            "id": ident("h"),
            "stack": stack,
            "infrastructure": {"capacity": {"cpu": 64, "memory": "256GiB", "disk": "4TiB"}},
        }
        if stack == "container":
            host["host_os"] = {"name": "Debian 12"}
            host["engine"] = {"name": "Docker"}
            host["containers"] = [workload("c") for _ in range(pick.randint(1, 8))]
        else:
            host["hypervisor"] = {"name": "KVM", "type": 1}
            vms = []
            for number in range(pick.randint(1, 5)):
                vm: dict[str, object] = {
                    "id": ident("v"),
                    "allocated": {"cpu": 4, "memory": "8GiB", "disk": "50GiB"},
                    "guest_os": {"name": "Ubuntu"},
                }
                if stack == "hybrid" and (number == 0 or pick.random() < 0.5):
                    vm["engine"] = {"name": "Docker"}
                    vm["containers"] = [workload("c") for _ in range(pick.randint(1, 7))]
                else:
                    vm["apps"] = [workload("a") for _ in range(pick.randint(0, 3))]
                vms.append(vm)
            host["vms"] = vms
        hosts.append(host)
    links = []
    for _ in range(pick.randint(2, 10)):
        source, target = pick.sample(ids, 2)
        links.append({"from": source, "to": target, "label": f"TCP {pick.randint(80, 9000)}"})
    return {"version": 1, "title": f"Random page {seed}", "hosts": hosts, "links": links}
