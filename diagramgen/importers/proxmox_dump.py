"""Read a Proxmox VE cluster dump: ``pvesh get /cluster/resources --output-format json``.

The dump is a list of resources, each with a ``type``: ``node``, ``qemu`` (a VM), ``lxc`` (a
container), ``storage`` (one storage as one node sees it), ``pool``, ``sdn``… Figures are as
the API gives them: ``maxcpu`` in CPUs (a node's threads, a guest's vCPUs), ``maxmem`` and
``maxdisk`` in bytes. The API's own answer (``{"data": [...]}``) and ``--output-format yaml``
are read too.
"""

from __future__ import annotations

import math
import os
import re
from fractions import Fraction
from typing import Any, BinaryIO, cast

import msgspec

from ..spec.limits import Limits
from ..spec.units import MAX_QUANTITY
from ..spec.wording import kind
from .notes import Notes, Path, Place, shown
from .sources import STDIN_NAME, Document, read_documents

__all__ = ["Dump", "Guest", "Node", "Storage", "read_dump"]

_WORD = re.compile(r"[a-z][a-z0-9-]{0,30}")
_MOST = "a spec's figures are at most 2^63 - 1"
_WHAT = "`pvesh get /cluster/resources --output-format json`"


class Node(msgspec.Struct, frozen=True):
    """A node: its capacity (millicores, bytes; None when not given) and use when dumped."""

    name: str
    status: str | None
    cpu: int | None
    memory: int | None
    disk: int | None
    busy: float | None
    memory_used: int | None
    path: Path


class Guest(msgspec.Struct, frozen=True):
    """A VM (``qemu``) or container (``lxc``) with what it is given (millicores, bytes)."""

    vm: bool
    vmid: int
    name: str | None
    node: str
    status: str | None
    template: bool
    cpu: int | None
    memory: int | None
    disk: int | None
    pool: str | None
    path: Path

    @property
    def label(self) -> str:
        """Return the guest as Proxmox VE names it: ``VM 100``, ``CT 200``."""
        return f"{'VM' if self.vm else 'CT'} {self.vmid}"


class Storage(msgspec.Struct, frozen=True):
    """A storage as one node sees it (a shared one is listed once per node)."""

    name: str
    node: str
    plugin: str | None
    content: tuple[str, ...]
    shared: bool
    available: bool
    size: int | None
    used: int | None
    path: Path

    def holds_guests(self) -> bool:
        """Return whether guests' disks may be put on it (content ``images`` or ``rootdir``)."""
        return "images" in self.content or "rootdir" in self.content


class Dump(msgspec.Struct, frozen=True):
    """The resources of a dump that are drawn or noted, in the dump's order."""

    document: Document
    nodes: list[Node]
    guests: list[Guest]
    storages: list[Storage]

    def place(self, path: Path = ()) -> Place:
        """Return where ``path`` stands in the dump (see :meth:`.Document.place`)."""
        return self.document.place(path)


def read_dump(
    path: str | os.PathLike[str], notes: Notes, limits: Limits, stdin: BinaryIO | None
) -> Dump | None:
    """Return the nodes, guests and storages of a dump; None after recording why not."""
    stream = stdin if os.fspath(path) == "-" else None
    name = STDIN_NAME if stream is not None else os.fspath(path)
    documents = read_documents(name, notes, limits, stream=stream)
    if notes.failed():
        return None
    if len(documents) > 1:
        notes.fail(documents[1].place(()), "", f"a second document: expected the one of {_WHAT}")
        return None
    document = documents[0]
    data, base = document.data, cast(Path, ())
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data, base = data["data"], ("data",)  # the API's own answer
    if not isinstance(data, list):
        message = f"expected the list of resources of {_WHAT}, not {kind(data)}"
        notes.fail(document.place(()), "", message)
        return None
    dump = Dump(document, [], [], [])
    skipped: dict[str, list[Path]] = {}
    for index, item in enumerate(data):
        read = _Reader(document, notes, item, (*base, index))
        if not isinstance(item, dict):
            notes.fail(
                read.place(), read.path, f"expected a resource (an object), not {kind(item)}"
            )
            continue
        type_ = item.get("type")
        if type_ == "node":
            dump.nodes.append(read.node())
        elif type_ in ("qemu", "lxc"):
            guest = read.guest(type_ == "qemu")
            if guest is not None:
                dump.guests.append(guest)
        elif type_ == "storage":
            storage = read.storage()
            if storage is not None:
                dump.storages.append(storage)
        elif isinstance(type_, str):
            skipped.setdefault(type_, []).append(read.path)
        else:
            read.fail(
                "type", f"expected a resource type (node, qemu, lxc, storage…), not {shown(type_)}"
            )
    for type_, paths in skipped.items():
        count = len(paths)
        notes.warn(
            document.place(paths[0]),
            paths[0],
            f"{count} {type_ if _WORD.fullmatch(type_) else shown(type_)}"
            f" resource{'s' if count > 1 else ''}: not drawn (a spec holds nodes and guests)",
        )
    return dump


class _Reader:
    """Read the fields of one resource, recording a problem at the field's place."""

    def __init__(self, document: Document, notes: Notes, item: Any, path: Path) -> None:
        self.document = document
        self.notes = notes
        self.item: dict[str, Any] = item if isinstance(item, dict) else {}
        self.path = path

    def place(self, key: str | None = None) -> Place:
        return self.document.place(self.path if key is None else (*self.path, key))

    def fail(self, key: str, message: str) -> None:
        self.notes.fail(self.place(key), (*self.path, key), message)

    def text(self, key: str, required: str | None = None) -> str | None:
        value = self.item.get(key)
        if isinstance(value, str) and value:
            return value
        if value is not None:
            self.fail(key, f"expected a name, not {shown(value)}")
        elif required:
            self.notes.fail(self.place(), self.path, f"{required} has no {key} field")
        return None

    def whole(self, key: str) -> int | None:
        """Return a figure in bytes (or a count), or None when it is not given."""
        value = self.item.get(key)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"expected a whole number of bytes, not {shown(value)}")
        elif value < 0:
            self.fail(key, f"{shown(value)} is negative")
        elif value > MAX_QUANTITY:
            self.fail(key, f"{shown(value)} is too large: {_MOST} bytes")
        else:
            return value
        return None

    def cores(self, key: str) -> int | None:
        """Return a number of CPUs in millicores (``maxcpu`` may be ``0.5``: a cpulimit)."""
        value = self.item.get(key)
        if value is None:
            return None
        finite = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not finite or not math.isfinite(value) or value < 0:
            self.fail(key, f"expected a number of CPUs, not {shown(value)}")
            return None
        millicores = Fraction(repr(value)) * 1000
        if millicores.denominator != 1:
            self.fail(key, f"{shown(value)} CPUs is not a whole number of millicores (0.001)")
            return None
        if millicores > MAX_QUANTITY:
            self.fail(key, f"{shown(value)} is too large: {_MOST} millicores")
            return None
        return int(millicores)

    def share(self, key: str) -> float | None:
        value = self.item.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return float(value) if math.isfinite(value) else None

    def node(self) -> Node:
        return Node(
            name=self.text("node", "a node") or "",
            status=self.text("status"),
            cpu=self.cores("maxcpu"),
            memory=self.whole("maxmem"),
            disk=self.whole("maxdisk"),
            busy=self.share("cpu"),
            memory_used=self.whole("mem"),
            path=self.path,
        )

    def guest(self, vm: bool) -> Guest | None:
        what = "a VM" if vm else "a container"
        node = self.text("node", what)
        vmid = self.item.get("vmid")
        if vmid is None and isinstance(self.item.get("id"), str):
            number = self.item["id"].rpartition("/")[2]
            vmid = int(number) if number.isdigit() and len(number) < 10 else None
        if vmid is None:
            self.notes.fail(self.place(), self.path, f"{what} has no vmid field")
        elif isinstance(vmid, bool) or not isinstance(vmid, int) or not 100 <= vmid < 10**9:
            self.fail(
                "vmid", f"expected a VMID (a whole number, 100 to 999999999), not {shown(vmid)}"
            )
            vmid = None
        template = self.item.get("template")
        guest = Guest(
            vm=vm,
            vmid=vmid or 0,
            name=self.text("name"),
            node=node or "",
            status=self.text("status"),
            template=template in (1, True, "1"),
            cpu=self.cores("maxcpu"),
            memory=self.whole("maxmem"),
            disk=self.whole("maxdisk"),
            pool=self.text("pool"),
            path=self.path,
        )
        return guest if node is not None and vmid is not None else None

    def storage(self) -> Storage | None:
        name = self.text("storage", "a storage")
        node = self.text("node", "a storage")
        content = self.item.get("content")
        if content is not None and not isinstance(content, str):
            self.fail("content", f"expected content types (images,rootdir…), not {shown(content)}")
        parts = content.split(",") if isinstance(content, str) else []
        if name is None or node is None:
            return None
        return Storage(
            name=name,
            node=node,
            plugin=self.text("plugintype"),
            content=tuple(part.strip() for part in parts if part.strip()),
            shared=self.item.get("shared") in (1, True, "1"),
            available=self.item.get("status", "available") == "available",
            size=self.whole("maxdisk"),
            used=self.whole("disk"),
            path=self.path,
        )
