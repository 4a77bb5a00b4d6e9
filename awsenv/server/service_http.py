"""The HTTP side of the credential service: each request goes to `Service.answer` (the credential routes) or, on the
loopback listener only, `POST /admin` to `Service.control`. Nothing is logged: requests carry tokens."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler

from awsenv.server.endpoint import READ_TIMEOUT, _error
from awsenv.server.runtime import ADMIN_PATH

LOOPBACK = "127.0.0.1"
CONTROL_BODY_LIMIT = 65536


def handler_for(service, loopback: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = READ_TIMEOUT
        server_version = "awsenv"
        sys_version = ""

        def _send(self, status: int, body: dict) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
            self.close_connection = True

        def _respond(self) -> None:
            hosts = self.headers.get_all("Host") or []
            authorizations = self.headers.get_all("Authorization") or []
            if self.path == ADMIN_PATH and self.command == "POST" and loopback:
                if hosts != [f"{LOOPBACK}:{service.port}"] or self.headers.get_all("Origin"):
                    return self._send(403, _error("Forbidden", "the control route is for awsenv alone"))
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                    request = json.loads(self.rfile.read(min(length, CONTROL_BODY_LIMIT)) or b"{}")
                except ValueError:
                    return self._send(400, _error("BadRequest", "malformed control request"))
                return self._send(*service.control(authorizations, request if isinstance(request, dict) else {}))
            self._send(*service.answer(self.command, self.path, hosts, self.headers.get_all("Origin") or [],
                                       authorizations))

        def __getattr__(self, name: str):
            if name.startswith("do_"):
                return self._respond
            raise AttributeError(name)

        def log_message(self, *args) -> None:  # never log: requests carry tokens
            pass

        def log_error(self, *args) -> None:
            pass

    return Handler
