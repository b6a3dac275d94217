"""Import Docker Compose files and Kubernetes manifests or cluster dumps as spec documents.

Pure functions from input files to a spec v1 document (plain data, in a key order people can
keep editing) and the notes made on the way, each naming its source place::

    from diagramgen.importers import import_compose, dump_spec
    imported = import_compose(["compose.yaml", "compose.override.yaml"])
    for note in imported.warnings:
        print(note.format())
    text = dump_spec(imported, "yaml")
"""

from __future__ import annotations

from .compose import import_compose
from .kubernetes import import_kubernetes
from .notes import Imported, ImportFailed, ImportNote
from .proxmox import import_proxmox
from .writer import dump_spec

__all__ = [
    "ImportFailed",
    "ImportNote",
    "Imported",
    "dump_spec",
    "import_compose",
    "import_kubernetes",
    "import_proxmox",
]
