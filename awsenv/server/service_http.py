"""The HTTP side of the credential service: each request goes to `Service.answer` (the credential routes) or, on the
loopback listener only, `POST /admin` to `Service.control`. Nothing is logged: requests carry tokens."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler

from awsenv.server.endpoint import JsonHandler, _error
from awsenv.server.runtime import ADMIN_PATH

LOOPBACK = "127.0.0.1"
CONTROL_BODY_LIMIT = 65536


def handler_for(service, loopback: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(JsonHandler):

        def _respond(self) -> None:
            hosts = self.headers.get_all("Host") or []
            authorizations = self.headers.get_all("Authorization") or []
            if self.path == ADMIN_PATH and self.command == "POST" and loopback:
                if hosts != [f"{LOOPBACK}:{service.port}"] or self.headers.get_all("Origin"):
                    return self.send_json(403, _error("Forbidden", "the control route is for awsenv alone"))
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                    request = json.loads(self.rfile.read(min(length, CONTROL_BODY_LIMIT)) or b"{}")
                except ValueError:
                    return self.send_json(400, _error("BadRequest", "malformed control request"))
                return self.send_json(*service.control(authorizations, request if isinstance(request, dict) else {}))
            self.send_json(*service.answer(self.command, self.path, hosts, self.headers.get_all("Origin") or [],
                                       authorizations))

    return Handler
