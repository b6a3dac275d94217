"""Inline pictures follow the docs theme's own light/dark switch as well as the OS.

In headless Chromium: Material for MkDocs and furo, a light OS with the page switched dark and a
dark OS with the page switched light, by clicking the theme's own toggle; a slate-only Material
site; a theme of any other kind through the documented hook. The screenshots go to
``DIAGRAMGEN_SHOTS`` when it is set, to look at.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from diagramgen import Settings, load
from diagramgen.api import render
from diagramgen.draw.themes import auto_colours
from diagramgen.errors import InvalidArgument
from diagramgen.integrations.pictures import inline_svg
from diagramgen.integrations.schemes import DARK, LIGHT, follow_page, page_schemes

from .chromium import headless
from .conftest import ROOT, SPECS
from .sites.tools import SITES, copy_site, doc_blocks, run, tool

_ROLES = {role: (light, dark) for role, light, dark in auto_colours().values()}


def _auto_svg(name: str = "vm") -> str:
    svg = render(load(SPECS / "vm.json"), ["svg"], Settings(theme="auto", name=name))["svg"]
    return svg.decode("utf-8")


def test_the_dark_block_follows_the_page_and_the_os() -> None:
    svg = _auto_svg()
    block = re.search(r"@media \(prefers-color-scheme:dark\)\{.*?\}\}", svg)
    assert block is not None
    followed = follow_page(svg)
    light, dark = ",".join(LIGHT), ",".join(DARK)
    rule = f".vm-f-infrastructure{{fill:{_ROLES['infrastructure'][1]}}}"
    selector, declaration = rule.split("{")
    assert f"{selector}:not(:is({light}) *){{{declaration}" in followed
    assert f":is({dark}) {rule}" in followed
    # Only the style sheet changes: every element, colour and class stays as rendered.
    assert followed.replace(
        followed[followed.index("@media") : followed.index("</style>")], ""
    ) == (svg.replace(svg[svg.index("@media") : svg.index("</style>")], ""))


def test_a_fixed_theme_and_the_file_svg_are_left_as_they_are() -> None:
    dark = render(load(SPECS / "vm.json"), ["svg"], Settings(theme="dark", name="vm"))["svg"]
    assert follow_page(dark.decode("utf-8")) == dark.decode("utf-8")
    # The file (and so an <img>) keeps the reader's prefers-color-scheme alone.
    committed = (ROOT / "output" / "auto" / "vm.svg").read_text("utf-8")
    assert committed.count("@media (prefers-color-scheme:dark){") == 1
    assert "data-md-color-scheme" not in committed and "data-theme" not in committed


def test_inline_svg_follows_the_page_by_default_and_with_a_sites_selectors() -> None:
    svg = _auto_svg().encode()
    assert '[data-md-color-scheme="slate"]' in inline_svg(svg)
    schemes = page_schemes("html.dark, .theme-dark", "html.light")
    own = inline_svg(svg, schemes=schemes)
    assert ':is([data-md-color-scheme="slate"],[data-theme="dark"],' in own
    assert '[data-diagramgen-scheme="dark"],html.dark, .theme-dark) .vm-f-' in own
    assert ",html.light) *)" in own


@pytest.mark.parametrize(
    "selector", ["</style><script>", "a{b}", "a;b", "@media x", "a, ", ", a", "a,,b", "/* x */"]
)
def test_a_selector_that_cannot_go_into_a_style_sheet_is_refused(selector: str) -> None:
    with pytest.raises(InvalidArgument, match=r"dark_selector .*: give a CSS selector list"):
        page_schemes(selector)


def test_a_bad_selector_stops_the_mkdocs_and_sphinx_builds(tmp_path: Path) -> None:
    site = copy_site("mkdocs", tmp_path)
    config = site / "mkdocs.yml"
    config.write_text(
        config.read_text().replace("  - diagramgen\n", "  - diagramgen:\n      dark_selector: a{\n")
    )
    done = run([tool("mkdocs"), "build", "-d", str(site / "site")], site)
    assert done.returncode == 1 and "diagramgen: dark_selector 'a{': give a" in done.stderr
    source = tmp_path / "sphinx"
    shutil.copytree(SITES / "sphinx", source)
    (source / "conf.py").write_text(
        (source / "conf.py").read_text() + 'diagramgen_light_selector = "<b>"\n'
    )
    done = run([tool("sphinx-build"), "-b", "html", str(source), str(tmp_path / "out")], source)
    assert done.returncode != 0 and "diagramgen: light_selector '<b>': give a" in done.stderr


# After the page's own scripts ran: ACTION (a toggle's click), then a record of each inline
# picture's infrastructure colour and the page's background, for --dump-dom.
_PROBE = """<script>
window.addEventListener("load", () => setTimeout(() => {
  %s;
  setTimeout(() => {
    const cells = [...document.querySelectorAll('svg [class*="-f-infrastructure"]')];
    document.documentElement.setAttribute("data-probe", JSON.stringify({
      fills: cells.map((cell) => getComputedStyle(cell).fill),
      background: getComputedStyle(document.body).backgroundColor}));
  }, 400);
}, 200));
</script></body>"""


def _chromium(profile: Path, dark_os: bool, *args: str) -> subprocess.CompletedProcess[str]:
    scheme = ["--force-dark-mode", "--blink-settings=preferredColorScheme=0"] if dark_os else []
    command = headless(profile, *scheme, "--virtual-time-budget=5000", *args)
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def _look(page: Path, action: str, dark_os: bool, name: str) -> dict[str, Any]:
    """Return what the page shows after ``action`` (JavaScript) on a light or dark OS, and
    keep its screenshot (``DIAGRAMGEN_SHOTS``)."""
    import os

    probe = page.with_name(f"probe-{name}.html")
    probe.write_text(page.read_text("utf-8").replace("</body>", _PROBE % action, 1), "utf-8")
    folder = page.parent
    done = _chromium(folder / f"profile-{name}", dark_os, "--dump-dom", probe.as_uri())
    found = re.search(r'data-probe="([^"]*)"', done.stdout)
    assert found, done.stdout[-2000:]
    shot = folder / f"{name}.png"
    _chromium(
        folder / f"profile-{name}-shot",
        dark_os,
        "--window-size=760,1000",
        f"--screenshot={shot}",
        probe.as_uri(),
    )
    keep = os.environ.get("DIAGRAMGEN_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
    data: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return data


def _rgb(colour: str) -> str:
    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def _dark_page(background: str) -> bool:
    red, green, blue = (int(part) for part in re.findall(r"\d+", background)[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255 < 0.3


def _assert_shows(seen: dict[str, Any], dark: bool) -> None:
    light_fill, dark_fill = _ROLES["infrastructure"]
    assert seen["fills"] and set(seen["fills"]) == {_rgb(dark_fill if dark else light_fill)}
    assert _dark_page(seen["background"]) is dark  # the page itself switched too


# Material's palette toggle: the label of the scheme not shown now.
_MATERIAL_TOGGLE = (
    '[...document.querySelectorAll("form[data-md-component=palette] label")]'
    ".find((label) => !label.hidden).click()"
)
_PAGE = "# Our stack\n\n![The container host](stack.json)\n"


def _material_site(folder: Path, config: str) -> Path:
    (folder / "docs").mkdir(parents=True)
    shutil.copy(SITES / "mkdocs/docs/diagrams/stack.json", folder / "docs/stack.json")
    (folder / "docs" / "index.md").write_text(_PAGE, "utf-8")
    (folder / "mkdocs.yml").write_text(config, "utf-8")
    done = run([tool("mkdocs"), "build", "--strict", "-d", str(folder / "site")], folder)
    assert done.returncode == 0, done.stderr
    return folder / "site" / "index.html"


@pytest.mark.browser
@pytest.mark.parametrize("dark_os", [False, True], ids=["light-os", "dark-os"])
def test_material_toggle_switches_the_diagram_against_the_os(tmp_path: Path, dark_os: bool) -> None:
    # The configuration of docs/integrations/mkdocs.md: a palette per scheme, each a toggle.
    page = _material_site(tmp_path, doc_blocks("mkdocs.md")["mkdocs.yml"])
    name = f"material-{'dark' if dark_os else 'light'}-os"
    _assert_shows(_look(page, "", dark_os, f"{name}-as-os"), dark=dark_os)
    _assert_shows(_look(page, _MATERIAL_TOGGLE, dark_os, f"{name}-toggled"), dark=not dark_os)


@pytest.mark.browser
def test_a_slate_only_material_site_shows_dark_diagrams_on_a_light_os(tmp_path: Path) -> None:
    config = "site_name: Dark\ntheme:\n  name: material\n  palette:\n    scheme: slate\n"
    page = _material_site(tmp_path, config + "plugins:\n  - diagramgen\n")
    _assert_shows(_look(page, "", False, "material-slate-only"), dark=True)


@pytest.mark.browser
@pytest.mark.parametrize("dark_os", [False, True], ids=["light-os", "dark-os"])
def test_furo_toggle_switches_the_diagram_against_the_os(tmp_path: Path, dark_os: bool) -> None:
    out = tmp_path / "html"
    done = run([tool("sphinx-build"), "-W", "-b", "html", str(SITES / "sphinx"), str(out)], ROOT)
    assert done.returncode == 0, done.stderr
    page = out / "index.html"
    name = f"furo-{'dark' if dark_os else 'light'}-os"
    _assert_shows(_look(page, "", dark_os, f"{name}-auto"), dark=dark_os)
    # furo's toggle goes from auto to the scheme the OS does not prefer.
    toggle = 'document.querySelector(".theme-toggle").click()'
    _assert_shows(_look(page, toggle, dark_os, f"{name}-toggled"), dark=not dark_os)


@pytest.mark.browser
def test_another_theme_through_the_attribute_hook_and_its_own_selector(tmp_path: Path) -> None:
    import markdown

    md = markdown.Markdown(
        extensions=["diagramgen.integrations.markdown"],
        extension_configs={"diagramgen.integrations.markdown": {"dark_selector": "html.night"}},
    )
    body = md.convert(f"![Our stack]({SITES / 'mkdocs/docs/diagrams/stack.json'})\n")
    dark = "html.night body, [data-diagramgen-scheme=dark] body"
    style = f"<style>body {{background:#fff}} {dark} {{background:#111}}</style>"
    page = tmp_path / "page.html"
    page.write_text(f"<!doctype html><html><head>{style}</head><body>{body}</body></html>")
    _assert_shows(_look(page, "", False, "hook-none"), dark=False)
    hook = 'document.documentElement.setAttribute("data-diagramgen-scheme", "dark")'
    _assert_shows(_look(page, hook, False, "hook-attribute"), dark=True)
    own = 'document.documentElement.classList.add("night")'
    _assert_shows(_look(page, own, False, "hook-selector"), dark=True)
