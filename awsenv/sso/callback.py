"""The loopback listener that receives the browser's redirect at the end of the authorization-code sign-in.

It listens on 127.0.0.1 only, on a port the system picks, from before the sign-in URL is shown until the first
answer arrives. It takes exactly one answer on /oauth/callback (a code and state, or an error), checks `state`,
tells the browser in a short page that the tab may be closed, and then stops listening: a second code is never
taken. Other paths (a browser's /favicon.ico) get a 404 and do not end the wait.
"""

from __future__ import annotations

import hmac
import html
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Callable, Optional

from awsenv.errors import AwsError

CALLBACK_PATH = "/oauth/callback"
REDIRECT_URI_WITHOUT_PORT = "http://127.0.0.1/oauth/callback"  # what is registered: RFC 8252 lets the port vary
POLL_SECONDS = 0.5  # how often the wait looks at the clock (and lets the spinner move)


@dataclass(frozen=True)
class Answer:
    """What the browser brought back: a code (state already checked), or an error code and its description."""

    code: Optional[str] = field(default=None, repr=False)
    error: Optional[str] = None
    description: str = ""


class _Server(HTTPServer):
    answer: Optional[Answer] = None
    expected_state: str = ""
    service: str = "IAM Identity Center"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 5  # a connection that sends nothing does not hold up the wait
    server_version = "awsenv"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path != CALLBACK_PATH:
            self._page(404, "Not found", f"This address only receives the {self.server.service} sign-in.")
            return
        if self.server.answer is not None:
            self._page(409, "Already used", "This sign-in has already received its answer.")
            return
        query = {k: v[0] for k, v in urllib.parse.parse_qs(parsed.query).items()}
        state = query.get("state", "")
        if not hmac.compare_digest(state.encode(), self.server.expected_state.encode()):
            self.server.answer = Answer(error="state_mismatch",
                                        description="the answer does not belong to this sign-in (state differs)")
            self._page(400, "Sign-in not completed",
                       "This answer does not belong to the sign-in awsenv started. Nothing was saved. "
                       "You may close this tab.")
        elif query.get("error"):
            self.server.answer = Answer(error=query["error"], description=query.get("error_description", ""))
            self._page(200, "Sign-in not completed",
                       f"{self.server.service} answered: {query['error']}. Nothing was saved. You may close this tab.")
        elif query.get("code"):
            self.server.answer = Answer(code=query["code"])
            self._page(200, "Signed in", "awsenv has received the sign-in. You may close this tab and return to "
                                         "the terminal.")
        else:
            self._page(400, "Not a sign-in answer", "This request carries neither a code nor an error.")

    def _page(self, status: int, title: str, text: str) -> None:
        body = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>awsenv: {html.escape(title)}"
                f"</title></head><body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
                ).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", "default-src 'none'")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # the request line holds the code: never logged
        pass


class Listener:
    """Bound at creation; `wait` returns the first answer, or None when `deadline` passes; closed afterwards.
    `service` names who signs the user in, on the pages the browser shows."""

    def __init__(self, state: str, service: str = "IAM Identity Center") -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.expected_state = state
        self._server.service = service
        self._server.timeout = POLL_SECONDS

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}{CALLBACK_PATH}"

    def wait(self, seconds_left: Callable[[], float], tick: Callable[[], None] = lambda: None) -> Optional[Answer]:
        try:
            while self._server.answer is None and seconds_left() > 0:
                self._server.handle_request()
                tick()
            return self._server.answer
        finally:
            self.close()

    def close(self) -> None:
        self._server.server_close()

    def __enter__(self) -> "Listener":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def await_answer(listener: Listener, display, seconds: int, clock: Callable[[], float]) -> Optional[Answer]:
    """The browser's answer, waited for up to `seconds` while `display` (awsenv.sso.device.Display) shows the time
    left; None when none came."""
    from awsenv.sso.device import clock_text

    deadline = clock() + seconds
    text = "Waiting for the browser… {left} left (Ctrl-C cancels)"
    with display.waiting(text.format(left=clock_text(seconds))) as update:
        return listener.wait(lambda: deadline - clock(),
                             lambda: update(text.format(left=clock_text(deadline - clock()))))


def refusal(profile: str, answer: Answer, again: str) -> Optional[AwsError]:
    """The error for an answer the user or the listener refused (access denied, another sign-in's state); None for
    other errors, which each sign-in words itself. `again` says how to start over ("run the command again")."""
    said = f" ({answer.description})" if answer.description else ""
    if answer.error == "access_denied":
        return AwsError(f"profile {profile!r}: access was denied in the browser{said}; nothing was saved",
                        hint=f"{again} and choose Allow")
    if answer.error == "state_mismatch":
        return AwsError(f"profile {profile!r}: the browser's answer does not belong to this sign-in (state differs); "
                        "nothing was saved",
                        hint="run the command again; if this repeats, something else is answering on 127.0.0.1")
    return None
