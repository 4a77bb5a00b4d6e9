"""A stand-in for the AWS sign-in service that `aws login` (and `awsenv login`) talk to: the browser's authorize
page (GET /v1/authorize), the remote sign-in's confirmation page (GET /v1/sessions/confirmation) and the token
call `signin:CreateOAuth2Token` (POST /v1/token, rest-json, unsigned).

Enforced as the real service does, so that a test can fail:
- /v1/authorize: a known client id (same-device with a 127.0.0.1 redirect URI, cross-device with this server's
  confirmation page), response_type=code, scope=openid, code_challenge_method=SHA-256 and a 43-character challenge;
- a code is exchanged once, by the client it was issued to, with the same redirect URI and the verifier whose
  SHA-256 (base64url, unpadded) is the challenge;
- every token call carries a DPoP proof: an ES256 JWT whose header holds the public key (JWK) it verifies with,
  over this method and URL, issued now, with a jti never seen before; a refresh must be proven with the key the
  session was bound to at sign-in;
- the refresh token rotates on every answer (an old one is refused with TOKEN_EXPIRED).

What a test can control: `deny` (the user chooses Deny: the redirect carries error=access_denied),
`tamper_state` (the redirect carries another state), `hold` (the page never sends the browser back),
`principal` (who signs in).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.servers.loopback import QuietHandler, serve

CLIENT_ID = "arn:aws:signin:::devtools/same-device"
CROSS_DEVICE = "arn:aws:signin:::devtools/cross-device"
PRINCIPAL = "arn:aws:iam::123456789012:user/alice"
VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
PROOF_AGE = 300  # seconds a proof's iat may differ from the server's clock


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwk_of(key: ec.EllipticCurvePrivateKey) -> dict:
    numbers = key.public_key().public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": _b64(numbers.x.to_bytes(32, "big")),
            "y": _b64(numbers.y.to_bytes(32, "big"))}


def sha256_challenge(verifier: str) -> str:
    return _b64(hashlib.sha256(verifier.encode()).digest())


@dataclass
class IssuedCode:
    client_id: str
    redirect_uri: str
    challenge: str
    used: bool = False


@dataclass
class SigninServer:
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    refresh_token: str = field(default_factory=lambda: "refresh-" + secrets.token_hex(8))
    principal: str = PRINCIPAL
    deny: bool = False
    tamper_state: bool = False
    hold: bool = False
    session_client: str = CLIENT_ID
    bound_jwk: dict = field(default_factory=dict)  # the key the refresh token is bound to
    issued: list = field(default_factory=list)  # access key ids handed out
    refused: list = field(default_factory=list)  # why each refused call was refused
    authorizations: list = field(default_factory=list)  # every /v1/authorize query
    codes: dict = field(default_factory=dict)  # code -> IssuedCode
    jtis: set = field(default_factory=set)
    exchanges: int = 0  # authorization codes exchanged successfully
    on_issue: object = None  # called with each access key id handed out (the STS gate's session registry)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    server: object = None

    def __post_init__(self) -> None:
        self.bound_jwk = jwk_of(self.key)  # a session as a test writes it by hand, with this key

    def dpop_pem(self) -> str:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                      serialization.NoEncryption()).decode()

    # --- DPoP ------------------------------------------------------------------------------------

    def check_dpop(self, proof: Optional[str], url: str) -> tuple[Optional[str], Optional[dict]]:
        """(why the proof is refused or None, the JWK it was made with)."""
        if not proof or proof.count(".") != 2:
            return "no DPoP proof", None
        head, body, signature = proof.split(".")
        try:
            header, claims = json.loads(_unb64(head)), json.loads(_unb64(body))
            jwk = header["jwk"]
            public = ec.EllipticCurvePublicNumbers(int.from_bytes(_unb64(jwk["x"]), "big"),
                                                   int.from_bytes(_unb64(jwk["y"]), "big"),
                                                   ec.SECP256R1()).public_key()
        except (ValueError, KeyError, TypeError):
            return "DPoP proof unreadable", None
        if header.get("typ") != "dpop+jwt" or header.get("alg") != "ES256" or jwk.get("kty") != "EC" \
                or jwk.get("crv") != "P-256":
            return "DPoP proof of the wrong type", None
        raw = _unb64(signature)
        try:
            if len(raw) != 64:
                raise InvalidSignature()
            public.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                          f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return "DPoP signature does not verify", None
        if claims.get("htm") != "POST" or claims.get("htu") != url:
            return "DPoP proof for another request", None
        if not isinstance(claims.get("iat"), int) or abs(claims["iat"] - time.time()) > PROOF_AGE:
            return "DPoP proof not issued now", None
        jti = claims.get("jti")
        if not jti or jti in self.jtis:
            return "DPoP proof replayed (jti seen before)", None
        self.jtis.add(jti)
        return None, {k: jwk[k] for k in ("kty", "crv", "x", "y")}

    # --- the browser's pages ---------------------------------------------------------------------------

    def authorize(self, query: dict) -> tuple[int, bytes, str, dict]:
        self.authorizations.append(dict(query))
        client, redirect = query.get("client_id", ""), query.get("redirect_uri", "")
        if client == CLIENT_ID:
            parts = urllib.parse.urlsplit(redirect)
            try:
                port = parts.port
            except ValueError:
                port = None
            if parts.scheme != "http" or parts.hostname != "127.0.0.1" or not port:
                return _page(400, "redirect_uri must be a 127.0.0.1 loopback URI")
        elif client == CROSS_DEVICE:
            if redirect != self.url + "/v1/sessions/confirmation":
                return _page(400, "redirect_uri must be the confirmation page")
        else:
            return _page(400, "unknown client_id")
        state = query.get("state", "")
        if (query.get("response_type") != "code" or query.get("scope") != "openid"
                or query.get("code_challenge_method") != "SHA-256"
                or not re.fullmatch(r"[A-Za-z0-9_-]{43}", query.get("code_challenge", ""))):
            return _redirect(redirect, error="invalid_request", error_description="PKCE SHA-256 is required",
                             state=state)
        if self.hold:
            return _page(200, "Sign in to AWS", "<p>Waiting for you to sign in.</p>")
        if self.deny:
            return _redirect(redirect, error="access_denied", error_description="the user denied access",
                             state=state)
        code = "code-" + secrets.token_urlsafe(18)
        with self.lock:
            self.codes[code] = IssuedCode(client, redirect, query["code_challenge"])
        return _redirect(redirect, code=code, state=state + ("-tampered" if self.tamper_state else ""))

    def confirmation(self, query: dict) -> tuple[int, bytes, str, dict]:
        text = urllib.parse.urlencode({"state": query.get("state", ""), "code": query.get("code", "")})
        shown = base64.b64encode(text.encode()).decode()
        return _page(200, "Your sign-in code", f"<code id=\"code\">{html.escape(shown)}</code>")

    # --- CreateOAuth2Token ---------------------------------------------------------------------------

    def token(self, headers, body: bytes) -> tuple[int, dict]:
        with self.lock:
            problem, jwk = self.check_dpop(headers.get("DPoP"), self.url + "/v1/token")
            try:
                request = json.loads(body or b"{}")
            except ValueError:
                request = {}
            grant = request.get("grantType")
            if not problem and grant == "authorization_code":
                return self._exchange(request, jwk)
            if not problem and grant == "refresh_token":
                if request.get("clientId") != self.session_client:
                    problem = "wrong client"
                elif jwk != self.bound_jwk:
                    problem = "DPoP proof with another key than the session's"
            elif not problem:
                problem = "unsupported grant"
            if problem:
                return self._refuse(problem)
            if request.get("refreshToken") != self.refresh_token:
                self.refused.append("old refresh token")
                return 401, {"error": "TOKEN_EXPIRED", "message": "the refresh token has expired"}
            return 200, self._credentials(id_token=False)

    def _exchange(self, request: dict, jwk: dict) -> tuple[int, dict]:
        issued = self.codes.get(request.get("code", ""))
        if issued is None or issued.client_id != request.get("clientId"):
            return self._refuse("unknown authorization code")
        if issued.used:
            return self._refuse("authorization code already used")
        issued.used = True  # one attempt per code, whatever its outcome
        if request.get("redirectUri") != issued.redirect_uri:
            return self._refuse("redirectUri differs")
        verifier = request.get("codeVerifier") or ""
        if not VERIFIER.fullmatch(verifier) or sha256_challenge(verifier) != issued.challenge:
            return self._refuse("code verifier does not match the code challenge")
        self.bound_jwk, self.session_client = jwk, issued.client_id
        self.exchanges += 1
        return 200, self._credentials(id_token=True)

    def _refuse(self, problem: str) -> tuple[int, dict]:
        self.refused.append(problem)
        return 400, {"error": "INVALID_REQUEST", "message": problem}

    def _credentials(self, id_token: bool) -> dict:
        self.refresh_token = "refresh-" + secrets.token_hex(8)
        key = "ASIALOGIN" + secrets.token_hex(5).upper()
        self.issued.append(key)
        if callable(self.on_issue):
            self.on_issue(key)
        answer = {"accessToken": {"accessKeyId": key, "secretAccessKey": "login/" + secrets.token_hex(8),
                                  "sessionToken": "login-token-" + secrets.token_hex(12)},
                  "tokenType": "aws_sigv4", "expiresIn": 900, "refreshToken": self.refresh_token}
        if id_token:
            claims = {"sub": self.principal, "iss": self.url, "aud": self.session_client, "iat": int(time.time())}
            answer["idToken"] = ".".join([_b64(b'{"alg":"ES256","typ":"JWT"}'), _b64(json.dumps(claims).encode()),
                                          _b64(secrets.token_bytes(64))])
        return answer

    def start(self) -> "SigninServer":
        signin = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                parsed = urllib.parse.urlsplit(self.path)
                query = {k: v[0] for k, v in urllib.parse.parse_qs(parsed.query).items()}
                if parsed.path == "/v1/authorize":
                    status, payload, kind, extra = signin.authorize(query)
                elif parsed.path == "/v1/sessions/confirmation":
                    status, payload, kind, extra = signin.confirmation(query)
                else:
                    status, payload, kind, extra = _page(404, "Not found")
                self.reply(status, payload, kind, extra)

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if urllib.parse.urlsplit(self.path).path != "/v1/token":
                    self.reply(404, b"{}", "application/json")
                    return
                status, payload = signin.token(self.headers, body)
                kind = {401: "AccessDeniedException", 400: "ValidationException"}.get(status)
                self.reply(403 if status == 401 else status, json.dumps(payload).encode(), "application/json",
                           {"x-amzn-ErrorType": kind} if kind else None)

        self.url, self.server = serve(Handler)
        return self


def _redirect(uri: str, **params: str) -> tuple[int, bytes, str, dict]:
    return 302, b"", "text/plain", {"Location": f"{uri}?{urllib.parse.urlencode(params)}"}


def _page(status: int, title: str, content: str = "") -> tuple[int, bytes, str, dict]:
    page = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1>{content}</body></html>")
    return status, page.encode(), "text/html; charset=utf-8", {}
