"""A stand-in for the AWS federation sign-in endpoint: getSigninToken checks the session JSON, records it."""

from __future__ import annotations

import json
import secrets
import urllib.parse
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer

from tests.servers.loopback import QuietHandler, serve


@dataclass
class Federation:
    url: str = ""
    sessions: list = field(default_factory=list)  # the Session JSON objects received
    tokens: list = field(default_factory=list)


def start() -> tuple[Federation, ThreadingHTTPServer]:
    state = Federation()

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            parsed = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parsed.query))
            if parsed.path != "/federation" or query.get("Action") != "getSigninToken":
                return self._send(404, {"error": "not found"})
            try:
                session = json.loads(query["Session"])
                assert {"sessionId", "sessionKey", "sessionToken"} <= set(session)
                assert session["sessionToken"], "long-lived keys cannot sign in"
            except (KeyError, ValueError, AssertionError):
                return self._send(400, {"error": "bad session"})
            token = secrets.token_urlsafe(24)
            state.sessions.append(session)
            state.tokens.append(token)
            self._send(200, {"SigninToken": token})

        def _send(self, status: int, body: dict) -> None:
            self.reply(status, json.dumps(body).encode(), "application/json")

    state.url, server = serve(Handler)
    return state, server
