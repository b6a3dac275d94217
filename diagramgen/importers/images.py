"""Image sizes from ``docker image ls --format json``, ``docker image inspect`` or node dumps."""

from __future__ import annotations

import json
import os
import re
from typing import Any

from ..spec.limits import Limits
from ..spec.units import MAX_QUANTITY
from .notes import Notes, Place
from .quantities import QuantityError, docker_human_size, spec_bytes
from .sources import InputRefused, display_name, load_json, parse_documents, read_text

__all__ = ["ImageSizes", "is_reference", "normalize_ref", "read_images"]

# The grammar of an image reference, as Docker reads one (distribution's ``reference``):
# [domain[:port]/]path[:tag][@digest], the path lowercase.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_HOST_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_HOST_PART}(?:\.{_HOST_PART})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(
    rf"(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*(?::\w[\w.-]{{0,127}})?(?:@{_DIGEST})?",
    re.ASCII,
)


def is_reference(text: str) -> bool:
    """Return whether ``text`` is an image reference Docker can pull or run (``nginx:1.27``,
    ``ghcr.io/a/b@sha256:…``); ``postgres:`` and ``:-ad`` are not."""
    return _REFERENCE.fullmatch(text) is not None


def normalize_ref(ref: str) -> str:
    """Return an image reference in full: ``nginx`` → ``docker.io/library/nginx:latest``."""
    name, _, digest = ref.strip().partition("@")
    first, slash, rest = name.partition("/")
    if not slash or ("." not in first and ":" not in first and first != "localhost"):
        domain, path = "docker.io", name
    else:
        domain, path = first, rest
    if domain in ("index.docker.io", "registry-1.docker.io"):
        domain = "docker.io"
    if domain == "docker.io" and "/" not in path:
        path = f"library/{path}"
    if ":" not in path.rpartition("/")[2] and not digest:
        path += ":latest"
    return f"{domain}/{path}" + (f"@{digest}" if digest else "")


class ImageSizes:
    """Sizes by image reference; the first size given for a reference is the one kept."""

    def __init__(self) -> None:
        self._sizes: dict[str, int | str] = {}
        self.approximate = False

    def add(self, ref: str, size: int | str) -> None:
        """Record the size of ``ref`` unless it is known already."""
        self._sizes.setdefault(normalize_ref(ref), size)

    def get(self, ref: str | None) -> int | str | None:
        """Return the spec size of ``ref``, or None when no input gives it."""
        return None if ref is None else self._sizes.get(normalize_ref(ref))

    def items(self) -> list[tuple[str, int | str]]:
        """Return the (full reference, size) pairs in the order they were added."""
        return list(self._sizes.items())

    def __len__(self) -> int:
        return len(self._sizes)


def read_images(path: str | os.PathLike[str], notes: Notes, limits: Limits) -> ImageSizes:
    """Return image sizes from ``docker image ls --format json`` or ``docker image inspect``.

    ``image ls`` prints sizes rounded to 3 significant digits in decimal units (``187MB``); they
    are kept as printed, and one note says they are approximate.
    """
    sizes = ImageSizes()
    file = display_name(path)
    text = read_text(path, notes, limits)
    if text is None:
        return sizes
    if text.lstrip().startswith("["):
        for document in parse_documents(text, file, notes):
            items = document.data if isinstance(document.data, list) else []
            for index, item in enumerate(items):
                _add(sizes, item, document.place((index,)), f"[{index}]", notes)
        return sizes
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        place = Place(file, number, 1)
        try:
            item = load_json(line)
        except json.JSONDecodeError as error:
            notes.fail(Place(file, number, error.colno), "", f"is not a JSON line: {error.msg}")
            continue
        except InputRefused as refused:
            notes.fail(Place(file, number, refused.column), "", refused.message)
            continue
        _add(sizes, item, place, "", notes)
    if sizes.approximate:
        notes.warn(
            Place(file),
            "",
            "image sizes as `docker image ls` prints them are rounded to 3 significant digits"
            " (decimal units); `docker image inspect` gives them in bytes",
        )
    return sizes


def _add(sizes: ImageSizes, item: Any, place: Place, path: str, notes: Notes) -> None:
    if isinstance(item, dict) and isinstance(item.get("RepoTags"), list):
        size = item.get("Size")
        if isinstance(size, int) and not isinstance(size, bool) and 0 <= size <= MAX_QUANTITY:
            for tag in item["RepoTags"]:
                if isinstance(tag, str):
                    sizes.add(tag, spec_bytes(size))
            return
        notes.fail(place, f"{path}.Size".lstrip("."), "expected the size in bytes (under 2^63)")
        return
    if isinstance(item, dict) and isinstance(item.get("Repository"), str):
        repository, tag = item["Repository"], item.get("Tag", "latest")
        if repository == "<none>" or tag == "<none>" or not isinstance(tag, str):
            return
        try:
            _, printed = docker_human_size(str(item.get("Size", "")))
        except QuantityError as error:
            notes.fail(place, f"{path}.Size".lstrip("."), str(error))
            return
        sizes.add(f"{repository}:{tag}", printed)
        sizes.approximate = True
        return
    notes.fail(
        place,
        path,
        "not an image: expected a line of `docker image ls --format json`"
        " or an object of `docker image inspect`",
    )
