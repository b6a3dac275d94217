"""The watch page's HTTP server: the page, one view per spec, and a stream of changes.

Requests are answered from memory only: the page's own files, loaded when the server starts,
and the board's views, looked up by spec id. No part of a request's path ever reaches the file
system. Requests whose ``Host`` is not this server are refused, so a web page elsewhere cannot
read the specs through a DNS name it points at 127.0.0.1.
"""

from __future__ import annotations

import json
import queue
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from .board import Board
from .page import page_files

__all__ = ["KEEP_ALIVE", "POLICY", "Server"]

#: Seconds between comments on an idle event stream (a closed page is noticed when one fails).
KEEP_ALIVE = 15.0
#: What the page may load: only from this server, fonts embedded in the SVG, nothing else.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src data:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


class Server(ThreadingHTTPServer):
    """Serve ``board`` on ``address``; each request in a thread, all joined on close."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, address: tuple[str, int], board: Board) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.board = board
        self.files = page_files()
        super().__init__(address, _Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        host = str(self.server_address[0])
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}/"

    def answers(self, header: str) -> bool:
        """Return whether a request with this ``Host`` header is for this server.

        On a loopback address only its own names are; on an address given with ``--host``,
        any name is (the user chose to serve other machines).
        """
        host = str(self.server_address[0])
        if not (host.startswith("127.") or host == "::1"):
            return True
        names = {"127.0.0.1", "localhost", "[::1]", f"[{host}]" if ":" in host else host}
        return header in {f"{name}:{self.port}" for name in names}

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing of a page that went away before its answer (a reload, a closed tab):
        that is how browsers use the server, not a fault. Anything else is still printed."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def server_close(self) -> None:
        """Stop the event streams, then close the socket and join the request threads."""
        self.board.close()
        super().server_close()


class _Handler(BaseHTTPRequestHandler):
    server: Server
    # A page that stops reading cannot hold a thread (and shutdown) for longer than this.
    timeout = 30
    server_version = "diagramgen-watch"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing: the terminal shows what changed, not every request."""

    def _answer(self, head: bool) -> None:
        if not self.server.answers(self.headers.get("Host", "")):
            self._send(403, "text/plain; charset=utf-8", b"not this server\n", head)
            return
        path = urlsplit(self.path).path
        if path == "/events" and not head:
            self._events()
            return
        page = self.server.files.get(path)
        if page is not None:
            self._send(200, page[0], page[1], head)
            return
        if path.startswith("/spec/"):
            view = self.server.board.view(unquote(path[len("/spec/") :]))
            if view is not None:
                body = json.dumps(view, ensure_ascii=False).encode()
                self._send(200, "application/json", body, head)
                return
        self._send(404, "text/plain; charset=utf-8", b"not found\n", head)

    def _headers(self, status: int, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", POLICY)

    def _send(self, status: int, kind: str, body: bytes, head: bool) -> None:
        self._headers(status, kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        """Stream the board's events until the board closes or the page goes away."""
        self._headers(200, "text/event-stream; charset=utf-8")
        self.end_headers()
        listener = self.server.board.subscribe()
        try:
            # A lost connection is retried after half a second (EventSource does it itself).
            self.wfile.write(b"retry: 500\n\n")
            self.wfile.flush()
            while True:
                try:
                    message = listener.get(timeout=KEEP_ALIVE)
                except queue.Empty:
                    message = b": keep-alive\n\n"
                if message is None:
                    return
                self.wfile.write(message)
                self.wfile.flush()
        except OSError:  # the page closed, or stopped reading
            return
        finally:
            self.server.board.unsubscribe(listener)
