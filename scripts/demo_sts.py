"""A small stand-in for AWS STS on 127.0.0.1, for `make demo`: the standard library only, so the demo needs nothing
but awsenv itself.

It speaks STS's query API (a form-encoded POST with `Action=…`) and answers in the XML shapes botocore parses
(`<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…`, errors as `<ErrorResponse><Error>…`) for
GetSessionToken, AssumeRole and GetCallerIdentity. It checks what the demo is about, not signatures: MFA codes are
TOTP codes (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits) of one fixed demo seed, accepted one step either side and only
once; a role marked as needing MFA refuses callers without it; role chaining is capped at 1 hour. It counts the
requests it answers, so the demo can show a cache hit made none.

    python3 scripts/demo_sts.py code    # the demo device's current code (what `mfa_process` runs)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import struct
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

#: The demo's virtual MFA device: its seed is public, as a demo's must be (never use it for anything real).
MFA_SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ACCOUNT = "123456789012"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/demo"
MFA_SERIAL = f"arn:aws:iam::{ACCOUNT}:mfa/demo"
USER_KEY_ID = "AKIAIOSFODNN7DEMOKEY"
USER_SECRET = "demo/secret/key/not/a/real/one/0000000000"
#: role ARN -> whether its trust policy asks for MFA (aws:MultiFactorAuthPresent)
ROLES = {
    "arn:aws:iam::210987654321:role/Admin": True,
    "arn:aws:iam::210987654321:role/ReadOnly": True,
    "arn:aws:iam::210987654321:role/Audit": True,
}
CHAINED_MAX = 3600
NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def totp(seed: str = MFA_SEED, at: float | None = None, step: int = 0) -> str:
    """The 6-digit code of `seed` for the 30 s step holding `at` (now), moved by `step` steps."""
    counter = int((time.time() if at is None else at) // 30) + step
    digest = hmac.new(base64.b32decode(seed), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Sts:
    """The state: who each issued key is, which codes were used, and how many requests of each action came."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: Counter = Counter()
        self.used_codes: set[str] = set()
        # access key id -> (arn, user id, account, whether its session was opened with MFA)
        self.keys = {USER_KEY_ID: (USER_ARN, "AIDADEMOUSER0000000", ACCOUNT, False)}

    def answer(self, params: dict[str, str], caller: str | None) -> bytes:
        action = params.get("Action", "")
        with self.lock:
            self.requests[action] += 1
            if caller not in self.keys:
                raise Refused(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
            if action == "GetSessionToken":
                return self._get_session_token(params, caller)
            if action == "AssumeRole":
                return self._assume_role(params, caller)
            if action == "GetCallerIdentity":
                arn, user_id, account = self.keys[caller][:3]
                return _result(action, f"<Arn>{escape(arn)}</Arn><UserId>{escape(user_id)}</UserId>"
                                       f"<Account>{account}</Account>")
            raise Refused(400, "InvalidAction", f"Could not find operation {action} for version 2011-06-15")

    def _mfa(self, params: dict[str, str]) -> bool:
        serial, code = params.get("SerialNumber"), params.get("TokenCode")
        if serial is None and code is None:
            return False
        if serial != MFA_SERIAL or not code:
            raise Refused(403, "AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.")
        if code in self.used_codes or code not in {totp(step=s) for s in (-1, 0, 1)}:
            raise Refused(403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
        self.used_codes.add(code)
        return True

    def _duration(self, params: dict[str, str], default: int, low: int, high: int) -> int:
        seconds = int(params.get("DurationSeconds") or default)
        if not low <= seconds <= high:
            raise Refused(400, "ValidationError", f"DurationSeconds must be between {low} and {high}")
        return seconds

    def _issue(self, arn: str, user_id: str, account: str, mfa: bool, seconds: int) -> str:
        key_id = "ASIA" + secrets.token_hex(8).upper()
        self.keys[key_id] = (arn, user_id, account, mfa)
        expiration = (datetime.now(timezone.utc) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return (f"<Credentials><AccessKeyId>{key_id}</AccessKeyId>"
                f"<SecretAccessKey>{secrets.token_urlsafe(30)}</SecretAccessKey>"
                f"<SessionToken>{secrets.token_urlsafe(90)}</SessionToken>"
                f"<Expiration>{expiration}</Expiration></Credentials>")

    def _get_session_token(self, params: dict[str, str], caller: str) -> bytes:
        arn, user_id, account, _ = self.keys[caller]
        if caller != USER_KEY_ID:
            raise Refused(403, "AccessDenied", "Cannot call GetSessionToken with session credentials")
        seconds = self._duration(params, 43200, 900, 129600)
        mfa = self._mfa(params)
        return _result("GetSessionToken", self._issue(arn, user_id, account, mfa, seconds))

    def _assume_role(self, params: dict[str, str], caller: str) -> bytes:
        role_arn, name = params.get("RoleArn", ""), params.get("RoleSessionName", "")
        if not re.fullmatch(r"[\w+=,.@-]{2,64}", name):
            raise Refused(400, "ValidationError", "RoleSessionName must be 2 to 64 characters of [\\w+=,.@-]")
        if role_arn not in ROLES:
            raise Refused(403, "AccessDenied", f"User: {self.keys[caller][0]} is not authorized to perform: "
                                               f"sts:AssumeRole on resource: {role_arn}")
        chained = caller != USER_KEY_ID and self.keys[caller][0].startswith("arn:aws:sts::")
        seconds = self._duration(params, 3600, 900, 43200)
        if chained and seconds > CHAINED_MAX:
            raise Refused(400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit "
                                                  "for roles assumed by role chaining.")
        mfa = self._mfa(params) or self.keys[caller][3]
        if ROLES[role_arn] and not mfa:
            raise Refused(403, "AccessDenied", f"User: {self.keys[caller][0]} is not authorized to perform: "
                                               f"sts:AssumeRole on resource: {role_arn} (the role requires MFA)")
        account, role = role_arn.split(":")[4], role_arn.rsplit("/", 1)[1]
        role_id = "AROA" + hashlib.sha1(role_arn.encode()).hexdigest()[:17].upper()
        assumed = f"arn:aws:sts::{account}:assumed-role/{role}/{name}"
        credentials = self._issue(assumed, f"{role_id}:{name}", account, mfa, seconds)
        return _result("AssumeRole", credentials + f"<AssumedRoleUser><AssumedRoleId>{role_id}:{escape(name)}"
                                                   f"</AssumedRoleId><Arn>{escape(assumed)}</Arn></AssumedRoleUser>")

    def total(self) -> int:
        with self.lock:
            return sum(self.requests.values())


def _result(action: str, body: str) -> bytes:
    return (f'<{action}Response xmlns="{NS}"><{action}Result>{body}</{action}Result>'
            f"<ResponseMetadata><RequestId>{secrets.token_hex(16)}</RequestId></ResponseMetadata>"
            f"</{action}Response>").encode()


def _error(refused: Refused) -> bytes:
    return (f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>{escape(refused.code)}</Code>'
            f"<Message>{escape(refused.message)}</Message></Error>"
            f"<RequestId>{secrets.token_hex(16)}</RequestId></ErrorResponse>").encode()


def _caller(authorization: str) -> str | None:
    """The access key id a SigV4 `Authorization` header names (the signature itself is not checked)."""
    match = re.search(r"Credential=([A-Z0-9]+)/", authorization or "")
    return match.group(1) if match else None


def start() -> tuple[Sts, ThreadingHTTPServer, str]:
    """The stand-in, serving on a random port of 127.0.0.1 in a background thread; its URL."""
    sts = Sts()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8", "replace")
            params = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
            try:
                status, payload = 200, sts.answer(params, _caller(self.headers.get("Authorization", "")))
            except Refused as refused:
                status, payload = refused.status, _error(refused)
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args) -> None:  # quiet: the demo prints what matters
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return sts, server, f"http://127.0.0.1:{server.server_address[1]}"


if __name__ == "__main__":
    if sys.argv[1:] == ["code"]:
        print(totp())
    else:
        sys.exit("usage: demo_sts.py code    (prints the demo MFA device's current code)")
