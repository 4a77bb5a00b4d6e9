"""The credential server of `exec --server` and `shell --server`: an HTTP endpoint on 127.0.0.1 in the format of the
AWS container credential provider (AWS_CONTAINER_CREDENTIALS_FULL_URI), for one command and its children.

It holds no credential logic: `supply()` (a Renewal) hands it the current credentials or says why there are none.
It answers a request only when every check passes, and anything else with a 4xx and no credentials:
- the method is GET (405 otherwise);
- there is exactly one Host header and it is 127.0.0.1:PORT or localhost:PORT: a web page whose name resolves to
  127.0.0.1 (DNS rebinding) sends its own name (403);
- there is no Origin header: SDKs send none, browsers do (403);
- the path is exactly "/" (404);
- the Authorization header is exactly the token of this run, compared in constant time (401).
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional, Union

from awsenv.model import Credentials

PATH = "/"
READ_TIMEOUT = 5.0  # a client that sends its request slower than this loses the connection


@dataclass(frozen=True)
class Unavailable:
    """No credentials to hand out, and why: the SDK shows the message."""

    message: str


Supply = Callable[[], Union[Credentials, Unavailable]]


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits


def credentials_document(creds: Credentials, expiration: str) -> dict:
    return {"AccessKeyId": creds.access_key_id, "SecretAccessKey": creds.secret_access_key,
            "Token": creds.session_token or "", "Expiration": expiration}


class CredentialServer:
    """Listens on 127.0.0.1 (a free port) from `start()` until `stop()`."""

    def __init__(self, supply: Supply, token: Optional[str] = None) -> None:
        self.token = token or new_token()
        self._supply = supply
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="awsenv-credential-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop listening: the socket is closed when this returns."""
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()

    def __enter__(self) -> "CredentialServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def answer(self, method: str, path: str, hosts: list[str], origins: list[str],
               authorizations: list[str]) -> tuple[int, dict]:
        """The status and JSON body for a request: pure checks first, credentials only when all pass."""
        if method != "GET":
            return 405, _error("MethodNotAllowed", "only GET is served")
        if len(hosts) != 1 or hosts[0] not in (f"127.0.0.1:{self.port}", f"localhost:{self.port}"):
            return 403, _error("ForbiddenHost", "the Host header must name this loopback server")
        if origins:
            return 403, _error("ForbiddenOrigin", "requests from web pages are refused")
        if path != PATH:
            return 404, _error("NotFound", "no such path")
        if len(authorizations) != 1 or not hmac.compare_digest(authorizations[0].encode("utf-8", "surrogateescape"),
                                                               self.token.encode()):
            return 401, _error("Unauthorized", "the Authorization header must carry this server's token")
        supplied = self._supply()
        if isinstance(supplied, Unavailable):
            return 503, _error("CredentialsUnavailable", supplied.message)
        return 200, credentials_document(supplied, _expiration(supplied))


def _expiration(creds: Credentials) -> str:
    # Long-lived keys have no expiry, but the SDKs require one: an hour, after which they simply ask again.
    moment = creds.expiration or datetime.now(timezone.utc) + timedelta(hours=1)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _error(code: str, message: str) -> dict:
    return {"code": code, "message": message}


class JsonHandler(BaseHTTPRequestHandler):
    """One JSON answer per connection, never cached, never logged (requests carry tokens); every method, known or
    not, goes to `_respond` (which answers 405 for what it does not serve)."""

    timeout = READ_TIMEOUT
    server_version = "awsenv"
    sys_version = ""

    def _respond(self) -> None:
        raise NotImplementedError

    def send_json(self, status: int, body: dict) -> None:
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

    def __getattr__(self, name: str):
        if name.startswith("do_"):
            return self._respond
        raise AttributeError(name)

    def log_message(self, *args) -> None:
        pass

    def log_error(self, *args) -> None:
        pass


def _handler_for(server: CredentialServer) -> type[BaseHTTPRequestHandler]:
    class Handler(JsonHandler):
        def _respond(self) -> None:
            self.send_json(*server.answer(self.command, self.path, self.headers.get_all("Host") or [],
                                          self.headers.get_all("Origin") or [],
                                          self.headers.get_all("Authorization") or []))

        def log_error(self, *args) -> None:
            pass

    return Handler
