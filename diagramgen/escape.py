"""Make user text safe where it lands: DOT labels, XML, and a terminal or a log.

Graphviz reads both kinds of string in its own way: ``&``, ``<`` and ``>`` are markup in
HTML labels; escapes like ``\\N`` and ``\\G`` are expanded in both (even inside HTML labels);
control characters make invalid SVG. Every piece of user text goes through one of these helpers.
A terminal obeys control characters (a newline forges a second line, ``ESC [2J`` clears the
screen): every line printed goes through :func:`terminal_text`.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

__all__ = [
    "LINK_SCHEMES",
    "clean",
    "html_text",
    "link_scheme",
    "plain_text",
    "terminal_json",
    "terminal_text",
    "xml_escape",
    "xml_text",
]

# C0 and C1 controls, DEL, lone surrogates and non-characters: none belong in a picture.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[\t\n\r\v\f\u2028\u2029]+")


def clean(text: str) -> str:
    """Return ``text`` on one line: whitespace runs become one space, control characters U+FFFD."""
    return _UNSAFE.sub("\ufffd", _SPACES.sub(" ", text))


def xml_escape(text: str, apostrophe: str = "&#x27;") -> str:
    """Return ``text`` escaped for XML text or a quoted attribute, as it is (no cleaning)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", apostrophe)
    )


def xml_text(text: str) -> str:
    """Return ``text`` on one line, escaped for XML text or a quoted attribute (SVG titles)."""
    return xml_escape(clean(text))


@lru_cache(maxsize=8192)  # big diagrams repeat their strings: escape each once
def html_text(text: str) -> str:
    """Return ``text`` escaped for the inside of an HTML-like label, drawn literally."""
    # Graphviz expands escapes such as \N (the node name) even inside HTML labels. Graphviz
    # 2.43's HTML lexer rejects a text of only "]" ("syntax error … ]</B>"): as a character
    # reference every version reads it, and draws "]".
    return xml_escape(clean(text), "&#39;").replace("\\", "\\\\").replace("]", "&#93;")


def plain_text(text: str) -> str:
    """Return ``text`` for a plain attribute (tooltip, title); the graphviz package adds quotes."""
    return clean(text).replace("\\", "\\\\")


# What a terminal acts on or hides: C0 and C1 controls, DEL, line and paragraph separators,
# bidirectional overrides (they reorder what is shown) and lone surrogates (unencodable).
_TERMINAL_UNSAFE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escaped(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]  # "\n", "\x1b", "\u202e", "\udfff"


def terminal_text(text: str) -> str:
    """Return ``text`` safe to print as one line: control characters shown as ``repr`` shows
    them (``\\n``, ``\\x1b``, ``\\u202e``, ``\\udfff``); ordinary text is returned as it is."""
    return _TERMINAL_UNSAFE.sub(_escaped, text)


# json.dumps escapes C0 controls itself; these it leaves raw with ensure_ascii=False.
_JSON_UNSAFE = re.compile(
    r"[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def terminal_json(text: str) -> str:
    """Return JSON text (from ``json.dumps(..., ensure_ascii=False)``) with every character a
    terminal would act on written as a ``\\uXXXX`` escape: the same JSON value, safe to print."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


#: The schemes a component's link may have (none: a relative link).
LINK_SCHEMES = ("http", "https")
# What a browser does to an href before it reads the scheme: the HTML parser decodes character
# references, then the URL parser strips C0 controls and spaces at both ends and removes every
# tab and newline (https://url.spec.whatwg.org/#concept-basic-url-parser).
_URL_ENDS = "".join(map(chr, range(0x21)))
_URL_DROPPED = re.compile(r"[\t\n\r]")
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def link_scheme(href: str) -> str | None:
    """Return the scheme a browser reads from the attribute value ``href`` as written in the
    markup, in lower case, or ``None`` for a relative link."""
    value = _URL_DROPPED.sub("", html.unescape(href).strip(_URL_ENDS))
    found = _URL_SCHEME.match(value)
    return found.group(1).lower() if found else None
