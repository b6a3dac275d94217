"""The fontconfig configuration both engines get: the bundled fonts only, fixed rendering."""

from __future__ import annotations

from functools import cache

from ..assets import FAMILY, FONTS
from ..escape import xml_escape

__all__ = ["FAMILY", "fonts_xml"]


@cache
def _template() -> str:
    return (FONTS / "fonts.conf").read_text("utf-8")


def fonts_xml(cache_folder: str | None = None) -> bytes:
    """Return the fontconfig configuration that shows Graphviz the bundled fonts only.

    The folder goes in as an absolute path: fontconfig 2.13 reads a relative ``<dir>`` against
    the working directory, scanning (and writing ``.uuid`` files into) the user's folders.
    ``cache_folder`` is where fontconfig may keep its cache (else its default, the user's).
    """
    text = _template().replace("@FONTS@", xml_escape(str(FONTS)))
    if cache_folder is not None:
        text = text.replace(
            "</fontconfig>", f"  <cachedir>{xml_escape(cache_folder)}</cachedir>\n</fontconfig>"
        )
    return text.encode("utf-8")
