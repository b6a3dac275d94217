"""The watch page's own files (HTML, CSS, script), read from the package data once."""

from __future__ import annotations

from ..assets import DATA

__all__ = ["PAGES", "page_files"]

#: Request path → (file under ``data/watch``, content type): everything the page is made of.
PAGES = {
    "/": ("page.html", "text/html; charset=utf-8"),
    "/page.css": ("page.css", "text/css; charset=utf-8"),
    "/page.js": ("page.js", "text/javascript; charset=utf-8"),
    "/favicon.svg": ("favicon.svg", "image/svg+xml"),
}


def page_files() -> dict[str, tuple[str, bytes]]:
    """Return request path → (content type, bytes) for each of the page's files."""
    folder = DATA / "watch"
    return {path: (kind, (folder / name).read_bytes()) for path, (name, kind) in PAGES.items()}
