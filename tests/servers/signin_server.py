"""A stand-in for the sign-in service's token endpoint that `aws login` sessions refresh through
(`signin:CreateOAuth2Token`, POST /v1/token, rest-json, unsigned).

Enforced as the real service does: a DPoP proof on every call (an ES256 JWT whose embedded key must be the session's
key, over this method and URL), the client id, the refresh_token grant, and the current refresh token, which rotates
on every answer (an old one is refused with TOKEN_EXPIRED).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass, field
from typing import Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.servers.loopback import QuietHandler, serve

CLIENT_ID = "arn:aws:signin:::devtools/same-device"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SigninServer:
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    refresh_token: str = field(default_factory=lambda: "refresh-" + secrets.token_hex(8))
    issued: list = field(default_factory=list)  # access key ids handed out
    refused: list = field(default_factory=list)  # why each refused call was refused
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    server: object = None

    def dpop_pem(self) -> str:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                      serialization.NoEncryption()).decode()

    def _check_dpop(self, proof: Optional[str], url: str) -> Optional[str]:
        if not proof or proof.count(".") != 2:
            return "no DPoP proof"
        head, body, signature = proof.split(".")
        header, claims = json.loads(_unb64(head)), json.loads(_unb64(body))
        numbers = self.key.public_key().public_numbers()
        expected = {"kty": "EC", "crv": "P-256", "x": _b64(numbers.x.to_bytes(32, "big")),
                    "y": _b64(numbers.y.to_bytes(32, "big"))}
        if header.get("typ") != "dpop+jwt" or header.get("alg") != "ES256" or header.get("jwk") != expected:
            return "DPoP proof with another key"
        if claims.get("htm") != "POST" or claims.get("htu") != url or not claims.get("jti"):
            return "DPoP proof for another request"
        raw = _unb64(signature)
        try:
            self.key.public_key().verify(encode_dss_signature(int.from_bytes(raw[:32], "big"),
                                                              int.from_bytes(raw[32:], "big")),
                                         f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return "DPoP signature does not verify"
        return None

    def handle(self, path: str, headers, body: bytes) -> tuple[int, dict]:
        with self.lock:
            problem = None if path == "/v1/token" else "unknown path"
            problem = problem or self._check_dpop(headers.get("DPoP"), self.url + "/v1/token")
            request = json.loads(body or b"{}")
            if not problem and (request.get("clientId") != CLIENT_ID or request.get("grantType") != "refresh_token"):
                problem = "wrong client or grant"
            if problem:
                self.refused.append(problem)
                return 400, {"error": "INVALID_REQUEST", "message": problem}
            if request.get("refreshToken") != self.refresh_token:
                self.refused.append("old refresh token")
                return 401, {"error": "TOKEN_EXPIRED", "message": "the refresh token has expired"}
            self.refresh_token = "refresh-" + secrets.token_hex(8)
            key = "ASIALOGIN" + secrets.token_hex(5).upper()
            self.issued.append(key)
            return 200, {"accessToken": {"accessKeyId": key, "secretAccessKey": "login/" + secrets.token_hex(8),
                                         "sessionToken": "login-token-" + secrets.token_hex(12)},
                         "tokenType": "aws_sigv4", "expiresIn": 900, "refreshToken": self.refresh_token}

    def start(self) -> "SigninServer":
        signin = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, payload = signin.handle(self.path, self.headers, body)
                extra = {"x-amzn-ErrorType": "AccessDeniedException"} if status == 401 else None
                self.reply(403 if status == 401 else status, json.dumps(payload).encode(), "application/json", extra)

        self.url, self.server = serve(Handler)
        return self
