"""The benchmark stack drawn with mingrammer/diagrams (the peer diagramgen is measured against).

Usage: python diagrams_stack.py VMS CONTAINERS OUTPUT_STEM

A server cluster holds one cluster per Docker-host VM (its guest OS, engine and containers) and
a database VM running PostgreSQL; each VM's api container links to PostgreSQL. Every cluster gets
a unique label, since diagrams merges clusters whose labels are equal.
"""

from __future__ import annotations

import sys

from diagrams import Cluster, Diagram
from diagrams.generic.os import Debian, Ubuntu
from diagrams.generic.virtualization import Qemu
from diagrams.onprem.container import Docker
from diagrams.onprem.database import PostgreSQL


def main() -> None:
    vms, containers, stem = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with (
        Diagram("Hybrid stack", filename=stem, outformat="svg", show=False),
        Cluster("server (KVM)"),
    ):
        Qemu("KVM")
        apis = []
        for vm in range(vms):
            with Cluster(f"docker-host-{vm}"):
                Ubuntu(f"Ubuntu 24.04 ({vm})")
                Docker(f"Docker Engine ({vm})")
                nodes = [Docker(f"svc-{vm}-{index}") for index in range(containers)]
                apis.append(nodes[0])
        with Cluster("db-vm"):
            Debian("Debian 12")
            database = PostgreSQL("PostgreSQL 16")
        for api in apis:
            api >> database


if __name__ == "__main__":
    main()
