"""Note a Proxmox VE cluster's storage, and the guests' disks on each storage.

A dump lists a storage once per node that sees it: a shared one (NFS, Ceph) is one storage,
a local one (``local-lvm``) is a storage of each node. The guests' configs say on which
storage each disk stands (``local-lvm:vm-100-disk-0,size=32G``); the dump alone does not.
"""

from __future__ import annotations

from collections.abc import Collection

from ..spec.units import format_bytes
from .notes import Notes
from .proxmox_configs import Disk
from .proxmox_dump import Dump, Guest, Storage

__all__ = ["note_storage"]

#: A storage: its name, and its node ("" for a shared storage).
_Key = tuple[str, str]


def note_storage(
    dump: Dump, disks: dict[int, list[Disk]], configured: Collection[int], notes: Notes
) -> None:
    """Note each storage once, with the guests' disks on it from their configs (``disks``, by
    VMID), and warn when they add up to more than it holds."""
    if not dump.storages:
        if any(disk.storage for found in disks.values() for disk in found):
            notes.warn(dump.place(), "", "the dump lists no storage: guests' disks are not checked")
        return
    storages: dict[_Key, list[Storage]] = {}
    for storage in dump.storages:
        key = (storage.name, "" if storage.shared else storage.node)
        storages.setdefault(key, []).append(storage)
    guests = {guest.vmid: guest for guest in dump.guests}
    on, elsewhere = _placed(disks, guests, storages)
    for key, listed in storages.items():
        _storage(dump, listed, on.get(key, []), notes)
    for (name, node), placed in elsewhere.items():
        first = placed[0][1]
        notes.warn(
            first.place,
            first.key,
            f"storage {name} on {node} is not in the dump: the disks on it"
            f" ({_some([label for label, _ in placed])}) are not checked",
        )
    without = [g for g in dump.guests if g.vmid not in configured and not g.template]
    if without:
        notes.warn(
            dump.place(without[0].path),
            without[0].path,
            f"no config for {_some([guest.label for guest in without])}: on which storage"
            " their disks stand is not known, so they are counted on none",
        )


def _placed(
    disks: dict[int, list[Disk]], guests: dict[int, Guest], storages: dict[_Key, list[Storage]]
) -> tuple[dict[_Key, list[int]], dict[_Key, list[tuple[str, Disk]]]]:
    """Return the sizes of the disks on each storage, and the disks on storages not listed."""
    on: dict[_Key, list[int]] = {}
    elsewhere: dict[_Key, list[tuple[str, Disk]]] = {}
    for vmid, found in disks.items():
        guest = guests[vmid]
        for disk in found:
            if disk.storage is None or disk.size is None:
                continue
            key = (disk.storage, guest.node)
            if key not in storages:
                key = (disk.storage, "")
            if key in storages:
                on.setdefault(key, []).append(disk.size)
            else:
                label = f"{guest.label} {disk.key}"
                elsewhere.setdefault((disk.storage, guest.node), []).append((label, disk))
    return on, elsewhere


def _storage(dump: Dump, listed: list[Storage], sizes: list[int], notes: Notes) -> None:
    storage = listed[0]
    nodes = ", ".join(item.node for item in listed)
    what = ", ".join(part for part in (storage.plugin, "shared" * storage.shared) if part)
    head = f"storage {storage.name}" + (f" ({what})" if what else "") + f" on {nodes}"
    holds = f"holds {', '.join(storage.content)}" if storage.content else "holds no content type"
    size = storage.size if storage.available else None
    if size is None:
        figures = "not available: its size is not in the dump"
    elif storage.used is not None:
        figures = f"{format_bytes(storage.used)} used of {format_bytes(size)}"
    else:
        figures = f"{format_bytes(size)}, use not given"
    if storage.shared and size is not None and len(listed) > 1:
        figures += " (in the disk capacity of each of these nodes)"
    total = sum(sizes)
    if sizes:
        figures += f"; guests' disks on it: {format_bytes(total)} ({_disks(len(sizes))})"
    notes.warn(dump.place(storage.path), storage.path, f"{head}: {holds}; {figures}")
    if size is not None and total > size:
        share = (total * 200 + size) // (size * 2)  # percent, rounded half up
        notes.warn(
            dump.place(storage.path),
            storage.path,
            f"storage {storage.name}: the guests' disks on it add up to {format_bytes(total)},"
            f" more than its {format_bytes(size)} ({share}%): thin provisioning lets them be"
            " made, not all be filled",
        )


def _disks(count: int) -> str:
    return f"{count} disk{'s' if count > 1 else ''}"


def _some(names: list[str]) -> str:
    more = f" and {len(names) - 5:,} more" if len(names) > 5 else ""
    return ", ".join(names[:5]) + more
