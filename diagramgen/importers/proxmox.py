"""Turn a Proxmox VE cluster dump, and optionally its guests' configs, into a spec.

The dump is ``pvesh get /cluster/resources --output-format json`` (see :mod:`.proxmox_dump`).
Each node with guests becomes a host: ``mixed`` with VMs and containers, ``vm`` with VMs only,
``container`` with containers only. Its capacity is the node's ``maxcpu`` (threads) and
``maxmem``, and for disk the storages where the node may put guests' disks (content
``images`` or ``rootdir``): a node's own ``maxdisk`` is its root file system, which holds no
guest disk on a default install (they go to ``local-lvm``). On it stand Proxmox VE, KVM/QEMU
(type 1) with the VMs and LXC with the containers, as system containers. A guest is given
its ``maxcpu``, ``maxmem`` and ``maxdisk``; a stopped one is ``"state": "stopped"``; a
template is left out with a note.

The configs (see :mod:`.proxmox_configs`) add what the dump lacks: every disk (a VM's
``maxdisk`` is its boot disk only) and on which storage each stands, the OS type (the guest
OS's or userland's name), balloon. Where a config and the dump disagree on cores or memory,
the dump, what runs, is drawn and the difference noted.

Storage is noted, each storage once (a shared one is listed once per node), with the guests'
disks on it from the configs, and a warning when they add up to more than it holds. vCPU
and memory overcommit per node are the totals' own warnings on the spec written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, BinaryIO

from ..errors import InvalidArgument
from ..files.discover import existing
from ..spec import DEFAULT_LIMITS, Limits
from ..spec.limits import limit_rule
from ..spec.units import MAX_QUANTITY, format_amount, format_bytes
from .notes import Imported, Notes, Path, Place, dotted, shown
from .proxmox_configs import (
    LXC_OSTYPES,
    QEMU_OSTYPES,
    Disk,
    GuestConfig,
    config_files,
    guest_cpu,
    read_configs,
)
from .proxmox_dump import Dump, Guest, Node, read_dump
from .proxmox_storage import note_storage
from .sources import STDIN_NAME
from .specparts import Ids, resources, spec, system_container, vm

__all__ = ["import_proxmox"]

HOST_OS = "Proxmox VE"
HYPERVISOR = "KVM/QEMU"
ENGINE = "LXC"
_MOST = "a spec's figures are at most 2^63 - 1"  # as quantities.within says it


def import_proxmox(
    resources_dump: str | os.PathLike[str],
    *,
    configs: Sequence[str | os.PathLike[str]] = (),
    limits: Limits = DEFAULT_LIMITS,
    stdin: BinaryIO | None = None,
) -> Imported:
    """Return the spec of a Proxmox VE cluster dump, with the notes made on the way.

    ``resources_dump`` is the JSON (or YAML) of ``pvesh get /cluster/resources``, or ``-``,
    which reads ``stdin``. ``configs`` are guest config files and folders of them (see
    :func:`.proxmox_configs.config_files`), each named for its VMID. ``limits`` bound each
    input (``input_bytes``) and the spec made, which is valid. Raises
    :class:`~diagramgen.InvalidArgument` for a path that names nothing and
    :class:`~diagramgen.importers.ImportFailed` for bad input.
    """
    reads_stdin = os.fspath(resources_dump) == "-"
    if reads_stdin and stdin is None:
        raise InvalidArgument("- names standard input, and no stream was given to read it")
    if not reads_stdin:
        existing(resources_dump)  # a path that names nothing is the caller's mistake
    files = config_files(configs)
    dump_name = STDIN_NAME if reads_stdin else os.fspath(resources_dump)
    notes = Notes([dump_name, *files])
    dump = read_dump(resources_dump, notes, limits, stdin)
    found = read_configs(files, notes, limits)
    notes.check()
    assert dump is not None  # read_dump records a problem whenever it returns None
    builder = _Builder(dump, found, notes, limits)
    hosts = builder.hosts()
    notes.check()
    note_storage(dump, builder.disks, set(found), notes)
    notes.check()
    sources = "stdin" if reads_stdin else dump_name
    if found:
        sources += f" and {len(found)} guest config{'s' if len(found) > 1 else ''}"
    comment = (
        f"Imported by diagramgen from Proxmox VE: {sources}. One host per node; VMs and LXC"
        " system containers with the cores, memory and disks they are given. Edit freely;"
        " figures the sources do not give are left out."
    )
    title = (
        f"Proxmox VE node {hosts[0]['name']}"
        if len(hosts) == 1
        else f"Proxmox VE cluster ({len(hosts)} nodes)"
    )
    return notes.imported(spec(comment, title, hosts, []), limits)


class _Builder:
    def __init__(
        self, dump: Dump, configs: dict[int, GuestConfig], notes: Notes, limits: Limits
    ) -> None:
        self.dump = dump
        self.configs = configs
        self.notes = notes
        self.limits = limits
        self.ids = Ids()
        #: Each guest's disks as its config gives them, by VMID.
        self.disks: dict[int, list[Disk]] = {}

    def hosts(self) -> list[dict[str, Any]]:
        dump, notes = self.dump, self.notes
        nodes: dict[str, Node] = {}
        for node in dump.nodes:
            if node.name in nodes:
                first = dotted(nodes[node.name].path)
                notes.fail(
                    dump.place(node.path),
                    node.path,
                    f"node {node.name} is listed twice (first {first})",
                )
            nodes.setdefault(node.name, node)
        guests: dict[int, Guest] = {}
        for guest in dump.guests:
            if guest.vmid in guests:
                first = dotted(guests[guest.vmid].path)
                message = f"VMID {guest.vmid} is listed twice (first {first})"
                notes.fail(dump.place((*guest.path, "vmid")), (*guest.path, "vmid"), message)
            elif guest.node not in nodes:
                notes.fail(
                    dump.place((*guest.path, "node")),
                    (*guest.path, "node"),
                    f"{guest.label} runs on node {guest.node}, which is not in the dump: give"
                    " the whole output of `pvesh get /cluster/resources` (without --type)",
                )
            guests.setdefault(guest.vmid, guest)
        self._match_configs(guests)
        notes.check()
        drawn = [guest for guest in guests.values() if not self._template(guest)]
        if not drawn:
            templates = len(guests)
            left = f" ({templates} template{'s' if templates > 1 else ''} left out)" * bool(guests)
            notes.stop(self.dump.place(), "", f"no VMs or containers to import{left}")
        busy = {guest.node for guest in drawn}
        if len(busy) + len(drawn) > self.limits.components:
            message = (
                f"has {len(drawn):,} guests on {len(busy):,} nodes; the components limit is"
                f" {self.limits.components:,}"
            )
            notes.stop(self.dump.place(), "", message, limit_rule("components"))
        hosts = []
        for node in nodes.values():
            mine = [guest for guest in drawn if guest.node == node.name]
            if mine:
                hosts.append(self._host(node, mine))
            else:
                notes.warn(
                    self.dump.place(node.path),
                    node.path,
                    f"node {node.name} has no guests to draw: left out",
                )
        return hosts

    def _match_configs(self, guests: dict[int, Guest]) -> None:
        for vmid, config in self.configs.items():
            guest = guests.get(vmid)
            if guest is None:
                self.notes.warn(
                    config.place(), "", f"no guest {vmid} in the dump: this config is not used"
                )
                continue
            kind = config.guest_kind()
            if kind is not None and (kind == "VM") != guest.vm:
                self.notes.fail(
                    config.place(),
                    "",
                    f"is a {kind}'s config, but {vmid} in the dump is {guest.label}:"
                    " is the file named for the right VMID?",
                )
                continue
            self.disks[vmid] = config.disks(self.notes)

    def _template(self, guest: Guest) -> bool:
        if guest.template:
            self.notes.warn(
                self.dump.place(guest.path),
                guest.path,
                f"{guest.label} ({guest.name or 'no name'}) is a template: left out",
            )
        return guest.template

    def _host(self, node: Node, guests: list[Guest]) -> dict[str, Any]:
        host_id = self.ids.make(node.name, "node")
        vms = [self._guest(guest, node) for guest in guests if guest.vm]
        containers = [self._guest(guest, node) for guest in guests if not guest.vm]
        if node.status != "online":
            self.notes.warn(
                self.dump.place(node.path),
                node.path,
                f"node {node.name} is {_status(node.status)}: its figures may be missing or old",
            )
        disk, comment = self._disk_capacity(node)
        infrastructure: dict[str, Any] = {"$comment": comment, "name": f"node {node.name}"}
        capacity = resources(node.cpu, node.memory, disk)
        if capacity is not None:
            infrastructure["capacity"] = capacity
        return host(host_id, node.name, infrastructure, vms, containers)

    def _disk_capacity(self, node: Node) -> tuple[int | None, str]:
        """Return the disk a node's guests may use, and a comment that says what it is."""
        usage = []
        if node.busy is not None:
            usage.append(f"{node.busy * 100:.1f}% CPU busy")
        if node.memory_used is not None:
            usage.append(f"{format_bytes(node.memory_used)} of memory in use")
        stores = [
            storage
            for storage in self.dump.storages
            if storage.node == node.name
            and storage.holds_guests()
            and storage.size is not None
            and storage.available
        ]
        root = f"{format_bytes(node.disk)} root file system" if node.disk is not None else None
        if stores:
            names = ", ".join(storage.name for storage in stores)
            total = sum(storage.size or 0 for storage in stores)
            disk = self._bounded(total, self.dump.place(node.path), node.path, "bytes of storage")
            said = f"disk: storage {names}, where guests' disks go" + (
                f" (not the {root})" if root else ""
            )
        else:
            disk = node.disk
            said = "disk: the node's root file system (no storage for guests' disks is listed)"
            if disk is not None:
                self.notes.warn(
                    self.dump.place(node.path),
                    node.path,
                    f"no storage for guests' disks on {node.name} in the dump:"
                    " its capacity.disk is its root file system's (maxdisk)",
                )
        when = f"; when dumped: {', '.join(usage)}" if usage else ""
        return disk, f"Proxmox VE node {node.name}; {said}{when}"

    def _guest(self, guest: Guest, node: Node) -> dict[str, Any]:
        config = self.configs.get(guest.vmid)
        name = guest.name or (config.text("name" if guest.vm else "hostname") if config else None)
        ident = self.ids.make(name or f"{'vm' if guest.vm else 'ct'}-{guest.vmid}")
        label = f"{name} ({guest.label})" if name else guest.label
        comment = f"{guest.label} on {guest.node}" + (f", pool {guest.pool}" if guest.pool else "")
        cpu, memory, disk = guest.cpu, guest.memory, guest.disk
        system = "guest OS" if guest.vm else "userland"
        if config is not None:
            cpu, how = self._cpu(guest, config, cpu)
            memory = self._memory(guest, config, memory)
            disks = self.disks.get(guest.vmid, [])
            sized = [found.size for found in disks if found.size is not None]
            if sized:
                disk = self._bounded(sum(sized), config.place(), "", "bytes of disks")
            details = [*(["disks: " + ", ".join(map(_disk_text, disks))] if disks else []), how]
            comment = "; ".join([comment, *filter(None, details)])
            ostype = config.text("ostype")
            if ostype:
                system = (QEMU_OSTYPES if guest.vm else LXC_OSTYPES).get(ostype, ostype)
            if not guest.vm and not how and cpu is not None and cpu == node.cpu:
                self.notes.warn(
                    config.place(),
                    "",
                    f"{guest.label} has no cores or cpulimit set: it may use all {cpu // 1000}"
                    f" of {node.name}'s CPUs, and is counted so",
                )
        if guest.status not in ("running", "stopped"):
            self.notes.warn(
                self.dump.place((*guest.path, "status")),
                (*guest.path, "status"),
                f"{guest.label} is {_status(guest.status)}: drawn as running",
            )
        stopped = guest.status == "stopped"
        allocated = resources(cpu, memory, disk)
        if guest.vm:
            return vm(ident, label, comment, stopped, allocated, system)
        return system_container(ident, label, comment, stopped, allocated, system)

    def _cpu(self, guest: Guest, config: GuestConfig, dumped: int | None) -> tuple[int | None, str]:
        """Return the dump's cores (the config's when the dump has none), noting a difference."""
        configured, how, key = guest_cpu(config, guest.vm, self.notes)
        configured = self._bounded(configured, config.place(key), key, "millicores")
        if configured is not None and dumped is not None and configured != dumped:
            self.notes.warn(
                config.place(key),
                key,
                f"{how}: {format_amount('cpu', configured)}, but the dump gives {guest.label}"
                f" {format_amount('cpu', dumped)}: the dump's (what runs) is drawn",
            )
        return (dumped if dumped is not None else configured), how

    def _bounded(self, figure: int | None, place: Place, path: Path | str, unit: str) -> int | None:
        """Return ``figure`` if a spec can hold it; else record a problem at ``place``."""
        if figure is None or figure <= MAX_QUANTITY:
            return figure
        self.notes.fail(place, path, f"comes to {figure:.3g} {unit}: {_MOST}")
        return None

    def _memory(self, guest: Guest, config: GuestConfig, dumped: int | None) -> int | None:
        mebibytes = config.whole("memory", self.notes)
        configured = None if mebibytes is None else mebibytes * 1024**2
        configured = self._bounded(configured, config.place("memory"), "memory", "bytes")
        if configured is not None and dumped is not None and configured != dumped:
            self.notes.warn(
                config.place("memory"),
                "memory",
                f"{format_bytes(configured)}, but the dump gives {guest.label}"
                f" {format_bytes(dumped)}: the dump's (what runs) is drawn",
            )
        memory = dumped if dumped is not None else configured
        balloon = config.whole("balloon", self.notes) if guest.vm else None
        if balloon and memory is not None and balloon * 1024**2 < memory:
            self.notes.warn(
                config.place("balloon"),
                "balloon",
                f"ballooning: {guest.label} may be left with {format_bytes(balloon * 1024**2)}"
                f" of its {format_bytes(memory)} when {guest.node} runs short of memory;"
                f" the totals count the {format_bytes(memory)} it may use",
            )
        return memory


def host(
    id_: str,
    name: str,
    infrastructure: dict[str, Any],
    vms: list[dict[str, Any]],
    containers: list[dict[str, Any]],
) -> dict[str, Any]:
    """Return a host with Proxmox VE on it: a ``mixed`` stack with VMs and containers, else a
    ``vm`` or a ``container`` one."""
    stack = "mixed" if vms and containers else "vm" if vms else "container"
    result: dict[str, Any] = {"id": id_, "name": name, "stack": stack}
    result["infrastructure"] = infrastructure
    result["host_os"] = {"name": HOST_OS}
    if vms:
        result["hypervisor"] = {"name": HYPERVISOR, "type": 1}
        result["vms"] = vms
    if containers:
        result["engine"] = {"name": ENGINE}
        result["containers"] = containers
    return result


def _status(status: str | None) -> str:
    return shown(status) if status else "of unknown status (none given)"


def _disk_text(disk: Disk) -> str:
    size = format_bytes(disk.size) if disk.size is not None else "size not given"
    where = f" on {disk.storage}" if disk.storage else ""
    return f"{disk.key} {size}{where}"
