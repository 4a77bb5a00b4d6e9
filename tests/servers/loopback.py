"""What the test servers share: a quiet request handler and a threaded server on a free 127.0.0.1 port."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    def reply(self, status: int, payload: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        try:
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client is gone (a test killed it while its reply was held)

    def log_message(self, *args) -> None:
        pass


POLL_SECONDS = 0.02  # how soon serve_forever sees shutdown(): the default 0.5 s was paid at every test's teardown


def run_in_thread(server: ThreadingHTTPServer) -> None:
    """Serve `server` in a daemon thread that stops within POLL_SECONDS of `server.shutdown()`."""
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True).start()


def serve(handler: type[BaseHTTPRequestHandler]) -> tuple[str, ThreadingHTTPServer]:
    """Start `handler` on a free loopback port in a daemon thread: its URL and the server (to shut down)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    run_in_thread(server)
    return f"http://127.0.0.1:{server.server_address[1]}", server
