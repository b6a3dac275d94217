"""Read Proxmox VE guest configs: ``qm config VMID`` / ``pct config VMID`` text, or their JSON.

A config is ``key: value`` lines, as ``qm config`` and ``pct config`` print them and as
``/etc/pve/qemu-server/VMID.conf`` and ``/etc/pve/lxc/VMID.conf`` hold them (``#`` lines are
the description; a ``[snapshot]`` section ends the current config), or the JSON object of
``pvesh get /nodes/NODE/qemu/VMID/config --output-format json``. Neither names its guest: the
VMID is the number that ends the file's name (``100.conf``, ``qemu-100.txt``, ``101.json``).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path as FilePath
from typing import Any, cast

import msgspec

from ..errors import InvalidArgument
from ..files.discover import existing
from ..spec.limits import Limits
from ..spec.wording import kind
from .notes import Notes, Path, Place, shown
from .quantities import QuantityError, within
from .sources import display_name, parse_documents, read_text

__all__ = [
    "CONFIG_SUFFIXES",
    "LXC_OSTYPES",
    "QEMU_OSTYPES",
    "Disk",
    "GuestConfig",
    "config_files",
    "guest_cpu",
    "read_configs",
    "size_bytes",
]

#: The files of a config folder that are read (other files are not configs: ``lrm_status``,
#: ``pve-ssl.pem`` in a copy of ``/etc/pve/nodes``).
CONFIG_SUFFIXES = (".conf", ".json", ".txt")

#: ``qm`` ostype values and what they name (the ``qm`` manual's words).
QEMU_OSTYPES = {
    "l26": "Linux",
    "l24": "Linux 2.4",
    "win11": "Windows 11/2022/2025",
    "win10": "Windows 10/2016/2019",
    "win8": "Windows 8/2012/2012r2",
    "win7": "Windows 7",
    "wvista": "Windows Vista",
    "w2k8": "Windows 2008",
    "w2k3": "Windows 2003",
    "w2k": "Windows 2000",
    "wxp": "Windows XP",
    "solaris": "Solaris",
    "other": "other OS",
}

#: ``pct`` ostype values (the distribution of the container's userland) and their names.
LXC_OSTYPES = {
    "debian": "Debian",
    "devuan": "Devuan",
    "ubuntu": "Ubuntu",
    "centos": "CentOS",
    "fedora": "Fedora",
    "opensuse": "openSUSE",
    "archlinux": "Arch Linux",
    "alpine": "Alpine Linux",
    "gentoo": "Gentoo",
    "nixos": "NixOS",
    "unmanaged": "unmanaged",
}

_QEMU_DISK = re.compile(r"(ide|sata|scsi|virtio)\d+|efidisk0|tpmstate0")
_LXC_DISK = re.compile(r"rootfs|mp\d+")
_CONTAINER_KEYS = ("hostname", "unprivileged", "swap", "features")
_VM_KEYS = ("sockets", "vcpus", "balloon", "scsihw", "smbios1", "vmgenid", "bios", "machine")
_UNUSED = re.compile(r"unused\d+")
_VMID = re.compile(r"(\d+)$")
#: Digits of a whole number read from config text: more is no count of cores or MiB.
_DIGITS = 30
_SIZE = re.compile(r"(\d+(?:\.\d+)?)([KMGT]?)")
_POWER = {"": 0, "K": 1, "M": 2, "G": 3, "T": 4}
#: A volume on a storage: ``local-lvm:vm-100-disk-0`` (a storage id as Proxmox VE allows it).
_VOLUME = re.compile(r"([a-zA-Z][a-zA-Z0-9._-]*[a-zA-Z0-9]):(.+)")


class Disk(msgspec.Struct, frozen=True):
    """One disk of a guest: its key (``scsi0``, ``rootfs``), storage, size in bytes, place."""

    key: str
    storage: str | None
    size: int | None
    place: Place


class GuestConfig(msgspec.Struct, frozen=True):
    """The config of one guest: its values by key, and where each stands in its file."""

    vmid: int
    file: str
    values: dict[str, Any]
    places: dict[str, Place]

    def place(self, key: str = "") -> Place:
        """Return where ``key`` stands; the file's start when it is not there."""
        return self.places.get(key) or Place(self.file, 1, 1)

    def whole(self, key: str, notes: Notes) -> int | None:
        """Return a whole-number value (``cores: 2``, ``"4096"``), or None; note a bad one."""
        value = self.values.get(key)
        if key == "memory" and isinstance(value, str):
            value = value.removeprefix("current=")  # Proxmox VE 8.1: memory: current=4096
        if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= _DIGITS:
            value = int(value.strip())
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        notes.fail(self.place(key), key, f"expected a whole number, not {shown(value)}")
        return None

    def number(self, key: str, notes: Notes) -> Fraction | None:
        """Return a decimal value (``cpulimit: 1.5``) exactly, or None; note a bad one."""
        value = self.values.get(key)
        if value is None:
            return None
        if isinstance(value, float) and math.isfinite(value):
            return Fraction(repr(value))
        if isinstance(value, int) and not isinstance(value, bool):
            return Fraction(value)
        if isinstance(value, str) and re.fullmatch(r"\d{1,30}(\.\d{1,9})?", value.strip()):
            return Fraction(value.strip())
        notes.fail(self.place(key), key, f"expected a number, not {shown(value)}")
        return None

    def text(self, key: str) -> str | None:
        """Return a value as text, or None when the key is not there or holds no text."""
        value = self.values.get(key)
        return str(value) if isinstance(value, (str, int, float)) and str(value) else None

    def guest_kind(self) -> str | None:
        """Return whose config this is by the keys only one kind has: ``"VM"`` (``scsi0``,
        ``sockets``…), ``"container"`` (``rootfs``, ``hostname``…), or None."""
        keys = list(self.values)
        if any(key in _CONTAINER_KEYS or _LXC_DISK.fullmatch(key) for key in keys):
            return "container"
        if any(key in _VM_KEYS or _QEMU_DISK.fullmatch(key) for key in keys):
            return "VM"
        return None

    def disks(self, notes: Notes) -> list[Disk]:
        """Return the guest's disks (CD-ROMs, empty drives and bind mounts are none); note an
        unused (detached) disk, which takes room on its storage but has no size here."""
        found = []
        for key, value in self.values.items():
            if _UNUSED.fullmatch(key):
                notes.warn(
                    self.place(key),
                    key,
                    f"{shown(str(value))} is a detached disk: it takes room on its storage,"
                    " but its size is not in the config; not counted",
                )
                continue
            if not (_QEMU_DISK.fullmatch(key) or _LXC_DISK.fullmatch(key)):
                continue
            disk = _disk(key, str(value), self.place(key), notes)
            if disk is not None:
                found.append(disk)
        return found


def size_bytes(text: str) -> int:
    """Return a size as Proxmox VE writes it (``32G``, ``512M``, ``4194304``) in bytes.

    ``K M G T`` are powers of 1024, as Proxmox VE means them; no letter is bytes; the fraction
    of a byte is dropped. Raises :class:`QuantityError` for anything else.
    """
    match = _SIZE.fullmatch(text.strip())
    if not match or len(match.group(1)) > 30:
        raise QuantityError(
            f"size={shown(text)} is not a size as Proxmox VE writes it:"
            " <number>[K|M|G|T], e.g. 32G, 512M"
        )
    number, letter = match.groups()
    return within(math.floor(Fraction(number) * 1024 ** _POWER[letter]), text, "bytes")


def _disk(key: str, value: str, place: Place, notes: Notes) -> Disk | None:
    parts = [part.strip() for part in value.split(",")]
    volume = parts[0]
    options: dict[str, str] = {}
    for part in parts[1:] if "=" not in volume else parts:
        name, _, setting = part.partition("=")
        options[name] = setting
    volume = options.get("file") or options.get("volume") or volume
    if options.get("media") == "cdrom" or volume == "none":
        return None
    found = _VOLUME.fullmatch(volume)
    if found is None and key.startswith("mp") and "size" not in options:
        return None  # a bind mount of a host folder: the host's disk, not the container's
    size = None
    if "size" in options:
        try:
            size = size_bytes(options["size"])
        except QuantityError as error:
            notes.fail(place, key, str(error))
            return None
    else:
        notes.warn(place, key, "has no size: the guest's disk figure leaves it out")
    return Disk(key, found.group(1) if found else None, size, place)


def config_files(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """Return the config files that ``paths`` name: files as given, folders' files (their
    subfolders too; hidden ones skipped) ending in ``.conf``, ``.json`` or ``.txt``, in name
    order. Raise :class:`~diagramgen.InvalidArgument` for a path that names nothing or a
    folder without such a file."""
    files: list[str] = []
    for path in paths:
        if not existing(path).is_dir():
            files.append(display_name(path))
            continue
        found = []
        for folder, subfolders, names in os.walk(path):
            subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
            for name in sorted(names):
                if name.endswith(CONFIG_SUFFIXES) and not name.startswith("."):
                    found.append(os.path.join(folder, name))
        if not found:
            wanted = ", ".join(f"*{suffix}" for suffix in CONFIG_SUFFIXES)
            raise InvalidArgument(f"{display_name(path)}: no {wanted} files in this folder")
        files += found
    return files


def read_configs(files: Sequence[str], notes: Notes, limits: Limits) -> dict[int, GuestConfig]:
    """Return the configs of ``files`` by VMID; record any problem."""
    configs: dict[int, GuestConfig] = {}
    for file in files:
        number = _VMID.search(FilePath(file).stem)
        if number is None or len(number.group(1)) > 9:
            notes.fail(
                Place(file),
                "",
                "its name does not end in the guest's VMID: name a config VMID.conf"
                " (100.conf, qemu-100.txt, 101.json)",
            )
            continue
        vmid = int(number.group(1))
        if vmid in configs:
            first = configs[vmid].file
            notes.fail(Place(file), "", f"a second config of guest {vmid} (the first: {first})")
            continue
        config = _read_config(file, vmid, notes, limits)
        if config is not None:
            configs[vmid] = config
    return configs


def _read_config(file: str, vmid: int, notes: Notes, limits: Limits) -> GuestConfig | None:
    text = read_text(file, notes, limits)
    if text is None:
        return None
    if not text.strip():
        notes.fail(Place(file), "", "is empty")
        return None
    if text.lstrip()[:1] in ("{", "["):
        documents = parse_documents(text, file, notes)
        if not documents:
            return None
        document = documents[0]
        data, base = document.data, cast(Path, ())
        if isinstance(data, dict) and set(data) == {"data"}:
            data, base = data["data"], ("data",)  # the API's own answer: {"data": {...}}
        if not isinstance(data, dict):
            notes.fail(document.place(()), "", f"expected a guest config, not {kind(data)}")
            return None
        places = {str(key): document.place((*base, key)) for key in data}
        return GuestConfig(vmid, file, {str(k): v for k, v in data.items()}, places)
    return _text_config(file, vmid, text, notes)


def _text_config(file: str, vmid: int, text: str, notes: Notes) -> GuestConfig | None:
    values: dict[str, Any] = {}
    places: dict[str, Place] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue  # the description, as the .conf file holds it
        if stripped.startswith("["):
            break  # a snapshot or the pending changes: not the current config
        key, colon, value = line.partition(":")
        if not colon or not re.fullmatch(r"[a-z][a-z0-9_.-]*", key.strip()):
            notes.fail(
                Place(file, number, 1),
                "",
                f"{shown(stripped)} is not a `key: value` line of `qm config` or `pct config`",
            )
            return None
        key = key.strip()
        column = len(key) + 2 + len(value) - len(value.lstrip())
        values[key] = value.strip()
        places[key] = Place(file, number, column)
    if not values:
        notes.fail(Place(file), "", "holds no `key: value` line of a guest config")
        return None
    return GuestConfig(vmid, file, values, places)


def guest_cpu(config: GuestConfig, vm: bool, notes: Notes) -> tuple[int | None, str, str]:
    """Return the cores a config gives its guest in millicores (None when it sets none), how
    (``2 sockets x 4 cores``) and the key that says so.

    A VM has its ``vcpus``, or ``cores`` x ``sockets`` (each 1 when not set, as ``qm`` has
    it); a container its ``cpulimit``, or its ``cores``; one with neither may use every CPU.
    """
    if vm:
        vcpus = config.whole("vcpus", notes)
        if vcpus:
            return vcpus * 1000, f"{vcpus} vcpus", "vcpus"
        cores = config.whole("cores", notes)
        sockets = config.whole("sockets", notes)
        if cores is None and sockets is None:
            return None, "", "cores"
        cores, sockets = cores or 1, sockets or 1
        how = f"{sockets} sockets x {_cores(cores)}" if sockets > 1 else _cores(cores)
        return cores * sockets * 1000, how, "cores"
    limit = config.number("cpulimit", notes)
    if limit:
        return math.ceil(limit * 1000), f"cpulimit {config.text('cpulimit')}", "cpulimit"
    cores = config.whole("cores", notes)
    return (cores * 1000, _cores(cores), "cores") if cores else (None, "", "cores")


def _cores(count: int) -> str:
    return f"{count} core{'s' if count != 1 else ''}"
