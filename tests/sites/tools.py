"""Run the real docs tools on a copy of a site, read the docs pages' blocks, look with Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ..chromium import headless

SITES = Path(__file__).resolve().parent
ROOT = SITES.parent.parent
_BLOCK = re.compile(
    r"<!-- test: (?P<name>\S+) -->\n(?P<fence>`{3,})[^\n]*\n(?P<body>.*?)\n(?P=fence)\n", re.S
)


def copy_site(name: str, folder: Path) -> Path:
    """Return a copy of the test site ``name`` in ``folder`` (builds never write into tests/)."""
    target = folder / name
    shutil.copytree(SITES / name, target)
    return target


def tool(name: str) -> str:
    """Return the path of a console script installed beside this Python."""
    return str(Path(sys.executable).parent / name)


def run(
    args: list[str], cwd: Path, timeout: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=environment
    )


def doc_blocks(page: str) -> dict[str, str]:
    """Return the blocks of a docs page marked ``<!-- test: NAME -->``, by name."""
    text = (ROOT / "docs" / "integrations" / page).read_text("utf-8")
    return {match["name"]: match["body"] + "\n" for match in _BLOCK.finditer(text)}


def _chromium(folder: Path, dark: bool, *args: str) -> subprocess.CompletedProcess[str]:
    profile = folder / f"profile-{len(list(folder.glob('profile-*')))}"
    scheme = ["--force-dark-mode", "--blink-settings=preferredColorScheme=0"] if dark else []
    command = headless(profile, *scheme, *args)
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def screenshot(page: Path, shot: Path, dark: bool, height: int = 2200) -> Path:
    """Take a screenshot of ``page`` in a 760 px wide window, in the light or dark scheme.

    With ``DIAGRAMGEN_SHOTS`` set to a folder, a copy goes there for a person to look at.
    """
    _chromium(
        shot.parent, dark, f"--window-size=760,{height}", f"--screenshot={shot}", page.as_uri()
    )
    keep = os.environ.get("DIAGRAMGEN_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
    return shot


_MEASURE = """<script>
(() => {
  const column = document.querySelector(%s);
  const box = column.getBoundingClientRect();
  const svgs = [...document.querySelectorAll(".diagramgen svg")].map((svg) => {
    const r = svg.getBoundingClientRect();
    const view = svg.viewBox.baseVal;
    return {left: r.left, right: r.right, width: r.width, height: r.height,
            ratio: view.height / view.width, id: svg.querySelector("title").id};
  });
  document.body.setAttribute("data-geometry", JSON.stringify({
    column: {left: box.left, right: box.right, width: box.width}, svgs,
    scroll: document.documentElement.scrollWidth, viewport: innerWidth,
    background: getComputedStyle(document.body).backgroundColor}));
})();
</script></body>"""


def geometry(page: Path, column: str, dark: bool, folder: Path) -> dict[str, object]:
    """Return where the page's diagrams are in a 760 px window, and the column they are in."""
    probe = page.with_name(f".probe-{page.name}")
    script = _MEASURE % json.dumps(column)
    probe.write_text(page.read_text("utf-8").replace("</body>", script, 1), "utf-8")
    try:
        done = _chromium(folder, dark, "--window-size=760,2000", "--dump-dom", probe.as_uri())
    finally:
        probe.unlink()
    found = re.search(r'data-geometry="([^"]*)"', done.stdout)
    assert found, done.stdout[-2000:]
    import html

    data: dict[str, object] = json.loads(html.unescape(found.group(1)))
    return data


def luminance(colour: str) -> float:
    """Return the relative lightness (0 to 1) of a CSS ``rgb(r, g, b)`` colour."""
    red, green, blue = (int(part) for part in re.findall(r"\d+", colour)[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255
