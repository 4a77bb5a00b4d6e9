"""The authorization-code (PKCE) half of the IAM Identity Center stand-in: the authorize page and the code exchange.

What IAM Identity Center enforces, this enforces: only a client registered with the `authorization_code` grant, a
loopback redirect URI registered without a port and an issuer URL may use /authorize; such a client cannot start a
device authorization; the redirect URI must be the registered one (any port); a code is exchanged once, by the
client it was issued to, with the same redirect URI and the verifier whose S256 challenge was sent. What a test can
control, on the `SsoServer` object:

- `approve_page`: /authorize shows an "Allow" page (a form) instead of redirecting straight back as a browser with
  a live session does; `approve_by_script` adds a script that submits it (a real browser then follows the redirect);
- `deny_authorize`: the user chooses Deny (the redirect carries error=access_denied);
- `tamper_state`: the redirect carries another `state` than the one sent.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Optional

AUTH_CODE = "authorization_code"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
KNOWN_GRANTS = {AUTH_CODE, "refresh_token", DEVICE_GRANT}
VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
CODE_SECONDS = 300

Page = tuple[str, dict, int, bytes, str, dict]  # api, recorded params, status, body, content type, headers


@dataclass
class IssuedCode:
    client_id: str
    redirect_uri: str
    challenge: str
    expires: float
    used: bool = False


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


@dataclass
class AuthCodeGrants:
    approve_page: bool = False
    approve_by_script: bool = False
    deny_authorize: bool = False
    tamper_state: bool = False
    client_metadata: dict = field(default_factory=dict)  # client id -> the RegisterClient request
    pending_authorizations: dict = field(default_factory=dict)  # request id -> authorize query
    codes: dict = field(default_factory=dict)  # code -> IssuedCode
    verifiers_seen: list = field(default_factory=list)  # every codeVerifier sent (to check none leaks)

    # --- registration and the device flow ----------------------------------------------------------

    def check_registration(self, body: dict) -> Optional[tuple[int, dict]]:
        """None when IAM Identity Center would accept these registration parameters, else its error."""
        grants = body.get("grantTypes") or []
        if any(g not in KNOWN_GRANTS for g in grants):
            return _error("UnsupportedGrantTypeException", "unsupported grant type")
        if AUTH_CODE in grants:
            uris = body.get("redirectUris") or []
            if not uris or any(not _registrable_redirect(u) for u in uris):
                return _error("InvalidRedirectUriException", "redirect URIs must be loopback URIs without a port")
            if not body.get("issuerUrl"):
                return _error("InvalidRequestException", "issuerUrl is required for the authorization_code grant")
        return None

    def remember_client(self, client_id: str, body: dict) -> None:
        self.client_metadata[client_id] = {k: body.get(k) for k in ("grantTypes", "redirectUris", "issuerUrl",
                                                                     "scopes", "clientName")}

    def device_refused(self, client_id: str) -> Optional[tuple[int, dict]]:
        grants = (self.client_metadata.get(client_id) or {}).get("grantTypes")
        if grants and DEVICE_GRANT not in grants:
            return _error("UnauthorizedClientException", "the client is not registered for the device grant")
        return None

    def _auth_code_client(self, client_id: str) -> Optional[dict]:
        meta = self.client_metadata.get(client_id)
        return meta if meta and AUTH_CODE in (meta.get("grantTypes") or []) else None

    # --- the browser's side ------------------------------------------------------------------------

    def page(self, method: str, path: str, body: bytes) -> Optional[Page]:
        """The HTML routes (the browser's), or None for the JSON API."""
        parsed = urllib.parse.urlsplit(path)
        if method == "GET" and parsed.path == "/authorize":
            query = {k: v[0] for k, v in urllib.parse.parse_qs(parsed.query).items()}
            return ("Authorize", query) + self.authorize(query)
        if method == "POST" and parsed.path == "/authorize/approve":
            form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
            return ("Approve", form) + self.approve(form.get("request", ""))
        return None

    def authorize(self, query: dict) -> tuple[int, bytes, str, dict]:
        meta = self._auth_code_client(query.get("client_id", ""))
        if meta is None:
            return _html(400, "Unknown client, or one not registered for the authorization_code grant")
        redirect = query.get("redirect_uri", "")
        if not any(_same_loopback(redirect, registered) for registered in meta["redirectUris"] or []):
            return _html(400, "redirect_uri does not match a registered redirect URI")
        state = query.get("state", "")
        challenge = query.get("code_challenge", "")
        if (query.get("response_type") != "code" or query.get("code_challenge_method") != "S256"
                or not re.fullmatch(r"[A-Za-z0-9_-]{43}", challenge)):
            return _redirect(redirect, error="invalid_request", error_description="PKCE S256 is required",
                             state=state)
        if self.deny_authorize:
            return _redirect(redirect, error="access_denied", error_description="the user denied access",
                             state=state)
        if self.approve_page:
            request = "req-" + secrets.token_urlsafe(12)
            self.pending_authorizations[request] = dict(query)
            script = "<script>document.forms[0].submit()</script>" if self.approve_by_script else ""
            form = (f"<form method=\"post\" action=\"/authorize/approve\"><input type=\"hidden\" name=\"request\" "
                    f"value=\"{html.escape(request)}\"><button type=\"submit\">Allow</button></form>{script}")
            return _html(200, "Allow awsenv to access your AWS accounts?", form)
        return self._issue(query)

    def approve(self, request: str) -> tuple[int, bytes, str, dict]:
        query = self.pending_authorizations.pop(request, None)
        if query is None:
            return _html(400, "Unknown or already answered request")
        return self._issue(query)

    def _issue(self, query: dict) -> tuple[int, bytes, str, dict]:
        code = "code-" + secrets.token_urlsafe(18)
        self.codes[code] = IssuedCode(query["client_id"], query["redirect_uri"], query["code_challenge"],
                                      time.time() + CODE_SECONDS)
        state = query.get("state", "") + ("-tampered" if self.tamper_state else "")
        return _redirect(query["redirect_uri"], code=code, state=state)

    # --- CreateToken with grantType authorization_code -----------------------------------------------

    def exchange_code(self, body: dict) -> tuple[int, dict]:
        client_id = body.get("clientId", "")
        if self._auth_code_client(client_id) is None:
            return _error("UnauthorizedClientException", "the client is not registered for authorization_code")
        issued = self.codes.get(body.get("code", ""))
        if issued is None or issued.client_id != client_id:
            return _error("InvalidGrantException", "unknown authorization code")
        if issued.used:
            return _error("InvalidGrantException", "the authorization code has already been used")
        issued.used = True  # one attempt per code, whatever its outcome
        if time.time() > issued.expires:
            return _error("InvalidGrantException", "the authorization code has expired")
        if body.get("redirectUri") != issued.redirect_uri:
            return _error("InvalidGrantException", "redirectUri differs from the one the code was sent to")
        verifier = body.get("codeVerifier") or ""
        self.verifiers_seen.append(verifier)
        if not VERIFIER.fullmatch(verifier) or s256(verifier) != issued.challenge:
            return _error("InvalidGrantException", "code verifier does not match the code challenge")
        return 200, self._token(client_id)  # type: ignore[attr-defined]


def _registrable_redirect(uri: str) -> bool:
    parts = urllib.parse.urlsplit(uri)
    return parts.scheme == "http" and parts.hostname == "127.0.0.1" and parts.port is None and bool(parts.path)


def _same_loopback(sent: str, registered: str) -> bool:
    a, b = urllib.parse.urlsplit(sent), urllib.parse.urlsplit(registered)
    try:
        port = a.port
    except ValueError:
        return False
    return (a.scheme, a.hostname, a.path) == (b.scheme, b.hostname, b.path) and port is not None and not a.query


def _redirect(uri: str, **params: str) -> tuple[int, bytes, str, dict]:
    location = f"{uri}?{urllib.parse.urlencode(params)}"
    return 302, b"", "text/plain", {"Location": location}


def _html(status: int, title: str, content: str = "") -> tuple[int, bytes, str, dict]:
    page = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1>{content}</body></html>")
    return status, page.encode(), "text/html; charset=utf-8", {}


def _error(name: str, message: str) -> tuple[int, dict]:
    return 400, {"error": name, "error_description": message, "message": message, "__type": name}
