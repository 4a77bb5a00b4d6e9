"""The sign-in's proof-of-possession key (RFC 9449 DPoP): a P-256 key made afresh for every sign-in, saved with the
session, and a proof signed with it on every token call.

A proof is a compact JWT: header {typ: dpop+jwt, alg: ES256, jwk: the public key}, claims {htm, htu, iat, jti}, and
an ES256 signature (r and s, 32 bytes each). The key is kept as the AWS CLI keeps it: PEM "EC PRIVATE KEY" (SEC1).
"""

from __future__ import annotations

import base64
import json
import time
import uuid

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _compact(value: dict) -> str:
    return _b64url(json.dumps(value, separators=(",", ":")).encode())


class ProofKey:
    def __init__(self, key: ec.EllipticCurvePrivateKey) -> None:
        if not isinstance(key.curve, ec.SECP256R1):
            raise ValueError("the DPoP key must be a P-256 key")
        self._key = key

    @classmethod
    def generate(cls) -> "ProofKey":
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_pem(cls, pem: str) -> "ProofKey":
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("the DPoP key is not an EC key")
        return cls(key)

    def pem(self) -> str:
        """SEC1 in PEM ("-----BEGIN EC PRIVATE KEY-----", 64-character lines), as the AWS CLI saves it."""
        return self._key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()).decode("ascii")

    def jwk(self) -> dict:
        numbers = self._key.public_key().public_numbers()
        return {"kty": "EC", "x": _b64url(numbers.x.to_bytes(32, "big")),
                "y": _b64url(numbers.y.to_bytes(32, "big")), "crv": "P-256"}

    def proof(self, method: str, url: str) -> str:
        """A proof for one request: `url` without query or fragment, a new jti each time."""
        header = _compact({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk()})
        claims = _compact({"htm": method.upper(), "htu": url, "iat": int(time.time()), "jti": str(uuid.uuid4())})
        signed = f"{header}.{claims}".encode("ascii")
        r, s = decode_dss_signature(self._key.sign(signed, ec.ECDSA(hashes.SHA256())))
        return f"{header}.{claims}.{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def __repr__(self) -> str:  # never the private key
        return "ProofKey(P-256)"
