"""A component's ``url``: refused unless a browser reads it as http(s) or relative, written into
the SVG so that an XML or HTML parser reads back exactly the spec's text."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Any

import pytest

from diagramgen import Settings, SpecInvalid, load_text, render
from diagramgen.draw.svg import finish_svg
from diagramgen.escape import link_scheme

from .conftest import container_spec

XLINK = "{http://www.w3.org/1999/xlink}href"


def _with_url(url: str) -> dict[str, Any]:
    document = container_spec([{"id": "web", "name": "web", "url": url}])
    document["hosts"][0]["url"] = "https://example.org/host"
    return document


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "&#106;avascript:alert(1)",  # a decimal reference for the "j"
        "&#x6A;avascript:alert(1)",
        "jav&#x09;ascript:alert(1)",  # a tab, which the URL parser removes
        "jav&Tab;ascript:alert(1)",
        "javascript&colon;alert(1)",  # made the SVG malformed XML
        "\u2028javascript:alert(1)",  # became a space, which the URL parser strips
        " javascript:alert(1)",
        "\x01javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\u202ejavascript:alert(1)",  # a bidirectional override: a format character
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        'https://x.org/"onmouseover="alert(1)',
        "https://x.org/a&amp;b",  # an entity, which Graphviz writes undecoded
    ],
)
def test_a_url_a_browser_would_not_read_as_http_or_relative_is_refused_at_its_place(
    url: str,
) -> None:
    text = json.dumps(_with_url(url))
    with pytest.raises(SpecInvalid) as raised:
        load_text(text, "s.json")
    lines = raised.value.lines()
    assert len(lines) == 1, lines
    assert "/hosts/0/containers/0/url: " in lines[0]
    assert "is not a link diagramgen draws" in lines[0]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/vm?a=1&b=%272%27",
        "https://example.org/?q=x&copy=2&lt=3",  # "&copy" with no ";" is no reference here
        "../runbooks/web.html#top",
        "docs/db.html",
        "https://例え.jp/ページ?q=ü",
        "HTTP://EXAMPLE.ORG/",
    ],
)
def test_a_good_url_reads_back_as_written_in_xml_and_in_an_html_page(url: str) -> None:
    spec = load_text(json.dumps(_with_url(url)), "s.json")
    svg = render(spec, ["svg"], settings=Settings(name="s"))["svg"]
    links = {a.get(XLINK) for a in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}a")}
    assert links == {url, "https://example.org/host"}

    found: list[str | None] = []

    class Links(HTMLParser):  # the SVG inlined in a page, as MkDocs and Sphinx put it
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "a":
                found.extend(value for name, value in attrs if name == "xlink:href")

    page = Links()
    page.feed(f"<!doctype html><p>{svg.decode()}</p>")
    assert set(found) == {url, "https://example.org/host"}
    assert link_scheme(url) in (None, "http", "https")


def test_the_svg_finisher_drops_a_script_link_that_got_past_the_check() -> None:
    graphviz = (
        b'<svg width="10pt" height="10pt" xmlns="http://www.w3.org/2000/svg" '
        b'xmlns:xlink="http://www.w3.org/1999/xlink"><g id="graph0">'
        b'<a xlink:href="&#106;avascript:alert(1)" xlink:title="web">x</a>'
        b'<a xlink:href="https://example.org/?a=1&amp;b=2" xlink:title="db">y</a>'
        b"</g></svg>"
    )
    finished = finish_svg(graphviz, "t", None, "p", embed_fonts=False)
    root = ET.fromstring(finished)
    links = [a.get(XLINK) for a in root.iter("{http://www.w3.org/2000/svg}a")]
    assert links == ["https://example.org/?a=1&b=2"]
    assert b"avascript" not in finished


@pytest.mark.parametrize(
    ("href", "scheme"),
    [
        ("&#106;avascript:x", "javascript"),
        ("jav&#x09;ascript:x", "javascript"),
        ("\x00 javascript:x", "javascript"),
        ("java\nscript:x", "javascript"),
        ("https://x.org", "https"),
        ("docs/a.html", None),
        ("a&amp;b:c", None),
    ],
)
def test_link_scheme_reads_as_a_browser_does(href: str, scheme: str | None) -> None:
    assert link_scheme(href) == scheme
