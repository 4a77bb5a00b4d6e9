"""Hand a secret URL to the system's default browser without putting it in any program's argv.

Opening a URL through the desktop (xdg-open, gio, kde-open, …) passes it along the argv of each of those programs,
where every local user can read it. Instead the browser is sent to a random path on 127.0.0.1 that answers
once, with a redirect to the real URL. (A local user watching process lists could still race the browser for
that path; the browser would then get a 404, and the user would know.)
"""

from __future__ import annotations

import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handoff:
    """A one-request redirect server: `local_url` answers 303 → `url` once, then it stops."""

    def __init__(self, url: str) -> None:
        self._path = "/" + secrets.token_urlsafe(24)
        self._done = threading.Event()
        self._cancelled = threading.Event()
        handoff = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if self.path != handoff._path or handoff._done.is_set():
                    self.send_error(404)
                    return
                self.send_response(303)
                self.send_header("Location", url)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Referrer-Policy", "no-referrer")
                self.send_header("Content-Length", "0")
                self.end_headers()
                handoff._done.set()

            def log_message(self, *args) -> None:
                pass

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self._server.timeout = 0.2
        host, port = self._server.server_address[:2]
        self.local_url = f"http://{host}:{port}{self._path}"

    def wait(self, timeout: float) -> bool:
        """Serve until the browser has fetched the page (True), or `timeout` seconds have passed or `cancel`."""
        deadline = time.monotonic() + timeout
        while not self._done.is_set() and not self._cancelled.is_set() and time.monotonic() < deadline:
            self._server.handle_request()
        return self._done.is_set()

    def cancel(self) -> None:
        self._cancelled.set()

    def __enter__(self) -> "Handoff":
        return self

    def __exit__(self, *exc) -> None:
        self._server.server_close()


def open_in_default_browser(url: str, timeout: float) -> bool:
    """Send the system's default browser (Python's webbrowser) to a one-time redirect to `url`; True once it came.

    The browser command's standard output is pointed at stderr meanwhile: browsers print chatter that must not
    reach stdout, which carries only the product.
    """
    import os
    import sys
    import webbrowser

    with Handoff(url) as handoff:
        fetched: list[bool] = []
        server = threading.Thread(target=lambda: fetched.append(handoff.wait(timeout)), daemon=True)
        server.start()  # serves while webbrowser.open runs: some browser commands wait for the page
        try:
            sys.stdout.flush()
            saved = os.dup(1)
            os.dup2(2, 1)
        except (OSError, ValueError):
            saved = None
        try:
            opened = webbrowser.open(handoff.local_url, new=2)
        except Exception:  # a broken browser set-up: the caller shows the URL instead
            opened = False
        finally:
            if saved is not None:
                os.dup2(saved, 1)
                os.close(saved)
        if not opened:
            handoff.cancel()
        server.join()
        return bool(fetched and fetched[0])
