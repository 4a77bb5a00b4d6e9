"""A strict STS stand-in for tests: enforces what moto does not, records every call, forwards the rest to moto.

What it enforces (each rule is off until a test sets it):
- MFA codes: a serial registered with a TOTP seed only accepts that seed's current codes, each code once;
- roles that require MFA (a code on the request, or a caller whose session came from GetSessionToken with MFA);
- roles that require an external_id, compared exactly;
- role chaining: an AssumeRole by temporary credentials may not ask for more than 3600 s;
- a role's maximum session duration, and GetSessionToken's 900..129600 s range;
- access keys a test marks `expired` (ExpiredToken) or `invalid` (InvalidClientTokenId);
- `lifetime` (test-only, seconds): issued credentials expire that soon, and any call signed with them afterwards is
  refused with ExpiredToken; `session_lifetime` does the same for GetSessionToken alone (None: like `lifetime`).

GetSessionToken is answered here with fresh keys per call (moto returns one fixed key); AssumeRole and
GetCallerIdentity go to moto, so the identity of an assumed role is moto's.
"""

from __future__ import annotations

import re
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import ThreadingHTTPServer
from typing import Optional
from xml.sax.saxutils import escape

import pyotp

from tests.servers.loopback import QuietHandler, serve

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


@dataclass
class RoleRule:
    external_id: Optional[str] = None
    require_mfa: bool = False
    max_duration: int = 43200


@dataclass
class Session:
    kind: str  # "GetSessionToken" or "AssumeRole"
    mfa: bool
    role_arn: Optional[str] = None
    expires: Optional[datetime] = None  # set under a short `lifetime`


@dataclass
class Call:
    action: str
    caller: Optional[str]
    params: dict
    status: int
    error: Optional[str] = None
    issued: Optional[str] = None  # access key id handed out


@dataclass
class StsGate:
    moto_url: str
    seeds: dict = field(default_factory=dict)  # mfa serial -> base32 seed
    roles: dict = field(default_factory=dict)  # role arn -> RoleRule
    sessions: dict = field(default_factory=dict)  # issued access key id -> Session
    used_codes: set = field(default_factory=set)
    expired: set = field(default_factory=set)  # access key ids answered with ExpiredToken
    invalid: set = field(default_factory=set)  # access key ids answered with InvalidClientTokenId
    calls: list = field(default_factory=list)
    lifetime: Optional[int] = None  # seconds: issued credentials expire this soon (STS itself allows no less than 900)
    session_lifetime: Optional[int] = None  # the same for GetSessionToken only
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def reset(self) -> None:
        with self.lock:
            self.seeds.clear()
            self.roles.clear()
            self.sessions.clear()
            self.used_codes.clear()
            self.expired.clear()
            self.invalid.clear()
            self.calls.clear()
            self.lifetime = None
            self.session_lifetime = None

    def actions(self) -> list[str]:
        return [c.action for c in self.calls if c.action != "GetCallerIdentity"]

    def codes_sent(self) -> list[str]:
        return [c.params["TokenCode"] for c in self.calls if "TokenCode" in c.params]

    # --- the rules -----------------------------------------------------------------------------------

    def _check_code(self, params: dict) -> Optional[tuple[int, str, str]]:
        serial, code = params.get("SerialNumber"), params.get("TokenCode")
        if serial is None and code is None:
            return None
        if not serial or not code:
            return 400, "ValidationError", "SerialNumber and TokenCode must be given together"
        seed = self.seeds.get(serial)
        if seed is None:
            return 403, "AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code."
        if (serial, code) in self.used_codes:
            return 403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code."
        if not pyotp.TOTP(seed).verify(code, valid_window=1):
            return 403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code."
        self.used_codes.add((serial, code))
        return None

    def _check(self, action: str, caller: Optional[str], params: dict) -> Optional[tuple[int, str, str]]:
        if caller in self.expired:
            return 403, "ExpiredToken", "The security token included in the request is expired"
        if caller in self.invalid:
            return 403, "InvalidClientTokenId", "The security token included in the request is invalid."
        duration = int(params.get("DurationSeconds", 0) or 0)
        session = self.sessions.get(caller or "")
        if session is not None and session.expires is not None and datetime.now(timezone.utc) >= session.expires:
            return 403, "ExpiredToken", "The security token included in the request is expired"
        if action == "GetSessionToken":
            if session is not None:
                return 403, "AccessDenied", "Cannot call GetSessionToken with session credentials"
            if duration and not 900 <= duration <= 129600:
                return 400, "ValidationError", "DurationSeconds must be between 900 and 129600"
            return self._check_code(params)
        if action == "AssumeRole":
            rule = self.roles.get(params.get("RoleArn", ""), RoleRule())
            if session is not None and duration > 3600:
                return 400, "ValidationError", ("The requested DurationSeconds exceeds the 1 hour session limit "
                                                "for roles assumed by role chaining.")
            if duration > rule.max_duration:
                return 400, "ValidationError", ("The requested DurationSeconds exceeds the MaxSessionDuration "
                                                "set for this role.")
            problem = self._check_code(params)
            if problem:
                return problem
            if rule.external_id is not None and params.get("ExternalId") != rule.external_id:
                return 403, "AccessDenied", "User is not authorized to perform: sts:AssumeRole"
            mfa_present = "TokenCode" in params or (session is not None and session.mfa)
            if rule.require_mfa and not mfa_present:
                return 403, "AccessDenied", "User is not authorized to perform: sts:AssumeRole (MFA required)"
        return None

    # --- HTTP ----------------------------------------------------------------------------------------

    def handle(self, body: bytes, headers: dict) -> tuple[int, bytes]:
        params = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
        action = params.pop("Action", "")
        params.pop("Version", None)
        match = _CREDENTIAL.search(headers.get("authorization", ""))
        caller = match.group(1) if match else None
        with self.lock:
            problem = self._check(action, caller, params)
            if problem:
                status, code, message = problem
                self.calls.append(Call(action, caller, params, status, code))
                return status, _error_xml(code, message)
            if action == "GetSessionToken":
                status, payload, issued = self._session_token(params, caller)
            else:
                status, payload = _forward(self.moto_url, body, headers)
                issued = _access_key_in(payload)
                if action == "AssumeRole" and status == 200 and issued:
                    session = self.sessions.get(caller or "")
                    mfa = "TokenCode" in params or bool(session and session.mfa)
                    expires = self._expiry(None, self.lifetime)
                    if expires is not None:
                        payload = re.sub(rb"<Expiration>[^<]+</Expiration>",
                                         b"<Expiration>" + _iso(expires).encode() + b"</Expiration>", payload)
                    self.sessions[issued] = Session("AssumeRole", mfa, params.get("RoleArn"), expires)
            self.calls.append(Call(action, caller, params, status, None if status == 200 else "moto", issued))
            return status, payload

    def _session_token(self, params: dict, caller: Optional[str]) -> tuple[int, bytes, str]:
        duration = int(params.get("DurationSeconds") or 43200)
        key = "ASIA" + secrets.token_hex(8).upper()
        short = self.session_lifetime or self.lifetime
        expires = self._expiry(duration, short)
        self.sessions[key] = Session("GetSessionToken", mfa="TokenCode" in params, expires=expires if short else None)
        expiration = _iso(expires)
        xml = (
            '<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult>'
            f"<Credentials><AccessKeyId>{key}</AccessKeyId>"
            f"<SecretAccessKey>{secrets.token_urlsafe(30)}</SecretAccessKey>"
            f"<SessionToken>{secrets.token_urlsafe(60)}</SessionToken>"
            f"<Expiration>{expiration}</Expiration></Credentials>"
            "</GetSessionTokenResult><ResponseMetadata><RequestId>gate</RequestId></ResponseMetadata>"
            "</GetSessionTokenResponse>"
        )
        return 200, xml.encode(), key

    def _expiry(self, duration: Optional[int], short: Optional[int]) -> Optional[datetime]:
        seconds = short or duration
        if not seconds:
            return None
        return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).replace(microsecond=0)  # as announced


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _access_key_in(payload: bytes) -> Optional[str]:
    match = re.search(rb"<AccessKeyId>([^<]+)</AccessKeyId>", payload)
    return match.group(1).decode() if match else None


def _error_xml(code: str, message: str) -> bytes:
    return (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
        "<RequestId>gate</RequestId></ErrorResponse>"
    ).encode()


def _forward(moto_url: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    keep = {k: v for k, v in headers.items() if k.lower() in ("authorization", "content-type", "x-amz-date",
                                                              "x-amz-security-token", "user-agent")}
    request = urllib.request.Request(moto_url + "/", data=body, headers=keep, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def start(moto_url: str) -> tuple[StsGate, ThreadingHTTPServer]:
    gate = StsGate(moto_url)

    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            status, payload = gate.handle(body, {k.lower(): v for k, v in self.headers.items()})
            self.reply(status, payload, "text/xml")

    gate.url, server = serve(Handler)
    return gate, server
