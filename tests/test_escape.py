"""User text is drawn literally, whatever it holds, in every format on both engines."""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diagramgen import Settings, load_text
from diagramgen.api import render
from diagramgen.escape import clean, html_text, plain_text, xml_escape, xml_text

HOSTILE = [
    'say "hi"',
    "it's",
    "<b>bold</b>",
    "<none>:<none>",
    "a & b",
    "&amp; &lt;",
    "back\\slash",
    "trailing\\",
    "\\N \\G \\L \\E \\T \\H",
    "tab\there",
    "new\nline",
    "nul\x00byte",
    "bell\x07 del\x7f c1\x85",
    "Ünïcödé Ωμέγα Кириллица",
    "数据库",
    "שלום עולם",
    "مرحبا",
    "🐳 whale",
    "]]> --> <!--",
    '"; rankdir=LR; x="',
    '"]; evil [label="x',
    "{ } [ ] ; , = :",
    "x" * 90,
]


def test_html_text_escapes_markup_and_backslashes() -> None:
    assert html_text('<a href="x">&</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
    assert html_text("it's") == "it&#39;s"
    assert html_text("\\N") == "\\\\N"
    assert html_text("a\x00b\tc\nd") == "a\ufffdb c d"


def test_plain_text_doubles_backslashes_and_drops_controls() -> None:
    assert plain_text("\\G\x01") == "\\\\G\ufffd"
    assert clean("a\r\n\tb") == "a b"


def _hostile_spec() -> dict[str, Any]:
    containers = [
        {
            "id": f"c{index}",
            "name": text,
            "libs": [text],
            "image": {"ref": text, "size": "1MiB"},
            "limits": {"cpu": 1, "memory": "1GiB"},
        }
        for index, text in enumerate(HOSTILE)
    ]
    return {
        "version": 1,
        "title": 'Hostile <title> & \\N "quoted"',
        "description": "desc <x> & \x01 \\G",
        "hosts": [
            {
                "id": "h",
                "name": "host <&> \\N",
                "stack": "hybrid",
                "infrastructure": {"name": "infra \\L", "capacity": {"cpu": 64}},
                "hypervisor": {"name": "<hv>", "type": 1},
                "vms": [
                    {
                        "id": "v",
                        "name": 'vm "1"',
                        "guest_os": {"name": "os & co"},
                        "engine": {"name": "engine\\"},
                        "containers": containers,
                    },
                ],
            }
        ],
        "links": [
            {"from": "c0", "to": f"c{index}", "label": text}
            for index, text in enumerate(HOSTILE[:8], start=1)
        ],
    }


def _texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return [
        "".join(element.itertext()) for element in root.iter("{http://www.w3.org/2000/svg}text")
    ]


@pytest.mark.parametrize(
    "engine", ["embedded", pytest.param("system", marks=pytest.mark.system_dot)]
)
def test_hostile_text_is_drawn_literally(engine: str) -> None:
    spec = load_text(json.dumps(_hostile_spec()), "hostile.json")
    pictures = render(spec, ["svg", "png", "pdf"], settings=Settings(engine=engine, name="hostile"))
    texts = _texts(pictures["svg"])
    drawn = "\n".join(texts)
    joined = "".join(texts)  # a long word wraps: its pieces are consecutive lines
    for text in HOSTILE:
        expected = clean(text)
        shown = [
            t for t in texts if t == expected or (t.endswith("…") and expected.startswith(t[:-1]))
        ]
        assert shown or expected in joined, f"{text!r} is not drawn literally"
    for label in HOSTILE[:8]:
        assert clean(label) in drawn
    root = ET.fromstring(pictures["svg"])
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == 'Hostile <title> & \\N "quoted"'  # type: ignore[union-attr]
    assert root.find(f"{ns}desc").text == "desc <x> & \ufffd \\G"  # type: ignore[union-attr]
    assert "host <&> \\N" in drawn and 'vm "1"' in drawn and "engine\\" in drawn
    assert pictures["png"].startswith(b"\x89PNG")
    assert pictures["pdf"].startswith(b"%PDF-")


@given(st.text())
def test_xml_text_escapes_as_the_standard_library_does(text: str) -> None:
    # SVG titles and the fonts' path: the same text html.escape gave, without importing html.
    assert xml_escape(text) == html.escape(text, quote=True)
    assert xml_text(text) == html.escape(clean(text), quote=True)
