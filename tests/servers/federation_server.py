"""A stand-in for the AWS federation sign-in endpoint: getSigninToken with the sign-in service's rules.

What it enforces, as the IAM guide describes the endpoint:
- the Session JSON has sessionId, sessionKey and a non-empty sessionToken (long-lived keys cannot sign in);
- GetSessionToken credentials cannot sign in;
- SessionDuration is 900..43200, and is refused for GetFederationToken and role-chained credentials.
`kind_of(access key id)` tells it where a key came from (the STS stand-in's record of the sessions it issued).
"""

from __future__ import annotations

import json
import secrets
import urllib.parse
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Callable, Optional

from tests.servers.loopback import QuietHandler, serve


@dataclass
class Federation:
    url: str = ""
    sessions: list = field(default_factory=list)  # the Session JSON objects accepted
    durations: list = field(default_factory=list)  # the SessionDuration of each accepted request (None: absent)
    tokens: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # why each refused request was refused


def start(kind_of: Optional[Callable[[str], object]] = None) -> tuple[Federation, ThreadingHTTPServer]:
    state = Federation()

    def problem(session: dict, duration: Optional[str]) -> Optional[str]:
        if not {"sessionId", "sessionKey", "sessionToken"} <= set(session):
            return "bad session"
        if not session["sessionToken"]:
            return "long-lived keys cannot sign in"
        issued = kind_of(session["sessionId"]) if kind_of else None
        kind = getattr(issued, "kind", None)
        if kind == "GetSessionToken":
            return "GetSessionToken credentials cannot sign in"
        if duration is not None:
            if not duration.isdigit() or not 900 <= int(duration) <= 43200:
                return "SessionDuration out of range"
            if kind == "GetFederationToken":
                return "SessionDuration with GetFederationToken credentials"
            if getattr(issued, "chained", False):
                return "SessionDuration with role-chained credentials"
        return None

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            parsed = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parsed.query))
            if parsed.path != "/federation" or query.get("Action") != "getSigninToken":
                return self._send(404, {"error": "not found"})
            try:
                session = json.loads(query["Session"])
                why = problem(session, query.get("SessionDuration"))
            except (KeyError, ValueError, TypeError):
                why = "bad session"
            if why:
                state.refused.append(why)
                return self._send(400, {"error": "Invalid credentials parameter"})
            token = secrets.token_urlsafe(24)
            state.sessions.append(session)
            state.durations.append(int(query["SessionDuration"]) if "SessionDuration" in query else None)
            state.tokens.append(token)
            self._send(200, {"SigninToken": token})

        def _send(self, status: int, body: dict) -> None:
            self.reply(status, json.dumps(body).encode(), "application/json")

    state.url, server = serve(Handler)
    return state, server
