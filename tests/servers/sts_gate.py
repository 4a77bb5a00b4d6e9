"""A strict STS stand-in for tests: enforces what moto does not, records every call, forwards the rest to moto.

What it enforces (each rule is off until a test sets it):
- MFA codes: a serial registered with a TOTP seed only accepts that seed's current codes, each code once;
- roles that require MFA (a code on the request, or a caller whose session came from GetSessionToken with MFA);
- roles that require an external_id, compared exactly;
- role chaining: an AssumeRole by temporary credentials may not ask for more than 3600 s;
- a role's maximum session duration, and GetSessionToken's 900..129600 s range;
- GetFederationToken only with long-lived keys, 900..129600 s;
- access keys a test marks `expired` (ExpiredToken) or `invalid` (InvalidClientTokenId);
- AssumeRole's SourceIdentity, Tags and TransitiveTagKeys, with STS's rules: their lengths and characters, at most
  50 tags, keys unique ignoring case, no `aws:` prefix, transitive keys among the tags; a session keeps the source
  identity it was given (or inherited) and an AssumeRole it makes that asks for a different one is denied; a session
  inherits its caller's transitive tags and an AssumeRole that passes a tag with an inherited key is refused.
  Every call records them (`Call.source_identity`, `Call.tags`, `Call.transitive_tag_keys`);
- AssumeRoleWithWebIdentity: unsigned, and only with the token a test registered for that role (`web_identities`);
- IAM user keys a test registers (`iam_keys`): requests signed by a deleted one are refused, keys made by
  CreateAccessKey join and DeleteAccessKey removes them, a new key is refused for its first `new_key_refusals`
  requests (IAM's eventual consistency), and IAM refuses a GetSessionToken session opened without MFA.
- `lifetime` (test-only, seconds): issued credentials expire that soon, and any call signed with them afterwards is
  refused with ExpiredToken; `session_lifetime` does the same for the calls answered here (GetSessionToken,
  GetFederationToken, AssumeRoleWithWebIdentity; None: like `lifetime`).
A test can also hold the reply to a request (`hold_when`), to stop the client at that point.

Presigned GetCallerIdentity (a `GET`, as EKS's authenticator sends an EKS token's URL on): the signature is checked
against the secret of the key it names (tests/servers/presigned.py): keys a test registers in `secrets`, and every
key this gate or moto handed out through it; each check is recorded in `presigned` (not in `calls`).

Faults (off until a test sets them; `clear_faults()` turns them off again):
- `faults`: one entry per request, taken in order before any rule is checked (so a refused request consumes no MFA
  code: STS uses a code up only when it answers with credentials): "Throttling" (400), "ServiceUnavailable" (503),
  "InternalFailure" (500), "reset" (the connection is reset, no answer), "timeout" (no answer for `fault_delay`
  seconds, then the connection closes), "lost" (the request is answered here as usual, the code used up, then the
  connection is reset before the answer leaves: the client cannot tell it succeeded);
- `clock_offset`: seconds this server's clock runs ahead of the machine's (negative: behind): its Date header and
  every Expiration it hands out are shifted by it;
- `skew_code`: with it set, a request signed more than 5 minutes away from this server's clock is refused with that
  code ("SignatureDoesNotMatch" as STS does, or "RequestExpired"), as AWS refuses requests from a skewed clock.

GetSessionToken, GetFederationToken and AssumeRoleWithWebIdentity are answered here with fresh keys per call (moto
returns one fixed key); AssumeRole and GetCallerIdentity go to moto, so the identity of an assumed role is moto's.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
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
_SCOPE = re.compile(r"Credential=[^/,\s]+/[^/]+/[^/]+/([^/]+)/")


@dataclass
class RoleRule:
    external_id: Optional[str] = None
    require_mfa: bool = False
    max_duration: int = 43200


@dataclass
class Session:
    kind: str  # "GetSessionToken", "AssumeRole", "GetFederationToken" (or "GetRoleCredentials" from the SSO stand-in)
    mfa: bool
    role_arn: Optional[str] = None
    chained: bool = False  # an AssumeRole made with temporary credentials
    expires: Optional[datetime] = None  # set under a short `lifetime`
    source_identity: Optional[str] = None  # set by its AssumeRole, or inherited from the session that made it
    transitive: dict = field(default_factory=dict)  # folded key -> (key, value): tags the next AssumeRole inherits


@dataclass
class Call:
    action: str
    caller: Optional[str]
    params: dict
    status: int
    error: Optional[str] = None
    issued: Optional[str] = None  # access key id handed out

    @property
    def source_identity(self) -> Optional[str]:
        return self.params.get("SourceIdentity")

    @property
    def tags(self) -> dict:
        """The session tags of the request, Key -> Value, in the order sent."""
        found, number = {}, 1
        while f"Tags.member.{number}.Key" in self.params:
            found[self.params[f"Tags.member.{number}.Key"]] = self.params.get(f"Tags.member.{number}.Value", "")
            number += 1
        return found

    @property
    def transitive_tag_keys(self) -> list:
        return [self.params[f"TransitiveTagKeys.member.{n}"] for n in range(1, 51)
                if f"TransitiveTagKeys.member.{n}" in self.params]


@dataclass
class Presigned:
    cluster: Optional[str]  # the x-k8s-aws-id header the request came with
    caller: Optional[str]  # the access key id it was signed with
    error: Optional[str]  # None: accepted


@dataclass
class StsGate:
    moto_url: str
    seeds: dict = field(default_factory=dict)  # mfa serial -> base32 seed
    roles: dict = field(default_factory=dict)  # role arn -> RoleRule
    sessions: dict = field(default_factory=dict)  # issued access key id -> Session
    used_codes: set = field(default_factory=set)
    expired: set = field(default_factory=set)  # access key ids answered with ExpiredToken
    invalid: set = field(default_factory=set)  # access key ids answered with InvalidClientTokenId
    web_identities: dict = field(default_factory=dict)  # role arn -> the one web identity token it trusts
    calls: list = field(default_factory=list)
    lifetime: Optional[int] = None  # seconds: issued credentials expire this soon (STS itself allows no less than 900)
    session_lifetime: Optional[int] = None  # the same for GetSessionToken only
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    iam_keys: dict = field(default_factory=dict)  # access key id -> active (bool), for keys a test registers
    created: list = field(default_factory=list)  # access key ids CreateAccessKey handed out
    refusals_left: dict = field(default_factory=dict)  # new access key id -> requests still refused
    new_key_refusals: int = 0
    hold_when: Optional[object] = None  # (action, caller) -> bool: reply held until `release` is set
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    faults: list = field(default_factory=list)  # see "Faults" above
    fault_delay: float = 3.0  # seconds a "timeout" fault keeps the client waiting
    clock_offset: int = 0
    skew_code: Optional[str] = None
    secrets: dict = field(default_factory=dict)  # access key id -> (secret key, session token or None)
    presigned: list = field(default_factory=list)  # Presigned, one per GET checked

    def reset(self) -> None:
        with self.lock:
            self.seeds.clear()
            self.roles.clear()
            self.sessions.clear()
            self.used_codes.clear()
            self.expired.clear()
            self.invalid.clear()
            self.web_identities.clear()
            self.calls.clear()
            self.secrets.clear()
            self.presigned.clear()
            self.iam_keys.clear()
            self.created.clear()
            self.refusals_left.clear()
            self.new_key_refusals = 0
            self.hold_when = None
            self.held.clear()
            self.release.clear()
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

    def _check_iam(self, service: str, caller: Optional[str]) -> Optional[tuple[int, str, str]]:
        invalid = 403, "InvalidClientTokenId", "The security token included in the request is invalid."
        if caller in self.iam_keys and not self.iam_keys[caller]:
            return invalid
        if self.refusals_left.get(caller, 0) > 0:
            self.refusals_left[caller] -= 1
            return invalid
        session = self.sessions.get(caller or "")
        if service == "iam" and session is not None and session.kind == "GetSessionToken" and not session.mfa:
            return invalid  # IAM refuses GetSessionToken credentials obtained without MFA
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
        if action == "GetFederationToken":
            if session is not None:
                return 403, "AccessDenied", "Cannot call GetFederationToken with session credentials"
            if duration and not 900 <= duration <= 129600:
                return 400, "ValidationError", "DurationSeconds must be between 900 and 129600"
            return None
        if action == "AssumeRoleWithWebIdentity":
            if caller is not None:
                return 400, "InvalidRequest", "AssumeRoleWithWebIdentity is not signed"  # botocore never signs it
            expected = self.web_identities.get(params.get("RoleArn", ""))
            if expected is None:
                return 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"
            if params.get("WebIdentityToken") != expected:
                return 400, "InvalidIdentityToken", "The web identity token that was passed could not be validated"
            if not params.get("RoleSessionName"):
                return 400, "ValidationError", "RoleSessionName is required"
            return None
        if action == "AssumeRole":
            rule = self.roles.get(params.get("RoleArn", ""), RoleRule())
            if session is not None and duration > 3600:
                return 400, "ValidationError", ("The requested DurationSeconds exceeds the 1 hour session limit "
                                                "for roles assumed by role chaining.")
            if duration > rule.max_duration:
                return 400, "ValidationError", ("The requested DurationSeconds exceeds the MaxSessionDuration "
                                                "set for this role.")
            problem = self._check_identity(params, session) or self._check_code(params)
            if problem:
                return problem
            if rule.external_id is not None and params.get("ExternalId") != rule.external_id:
                return 403, "AccessDenied", "User is not authorized to perform: sts:AssumeRole"
            mfa_present = "TokenCode" in params or (session is not None and session.mfa)
            if rule.require_mfa and not mfa_present:
                return 403, "AccessDenied", "User is not authorized to perform: sts:AssumeRole (MFA required)"
        return None

    def _check_identity(self, params: dict, session: Optional[Session]) -> Optional[tuple[int, str, str]]:
        call = Call("AssumeRole", None, params, 0)
        source = call.source_identity
        if source is not None:
            if not re.fullmatch(r"[\w+=,.@-]{2,64}", source, re.ASCII) or source.lower().startswith("aws:"):
                return 400, "ValidationError", "1 validation error detected: Value at 'sourceIdentity' failed to " \
                                               "satisfy constraint"
            if session is not None and session.source_identity is not None and source != session.source_identity:
                return 403, "AccessDenied", ("User is not authorized to perform: sts:SetSourceIdentity: the source "
                                             "identity of the session cannot be changed")
        tags = call.tags
        folded = [key.casefold() for key in tags]
        if len(tags) > 50 or len(set(folded)) != len(folded):
            return 400, "ValidationError", "Tags: at most 50, keys unique ignoring case"
        for key, value in tags.items():
            if not (1 <= len(key) <= 128 and len(value) <= 256 and _tag_text(key) and _tag_text(value)) \
                    or key.lower().startswith("aws:"):
                return 400, "ValidationError", "1 validation error detected: Value at 'tags' failed to satisfy " \
                                               "constraint"
            if session is not None and key.casefold() in session.transitive:
                return 400, "InvalidParameterValue", ("One or more tags in the request have the same key as an "
                                                      "inherited transitive session tag")
        if any(key.casefold() not in folded for key in call.transitive_tag_keys):
            return 400, "InvalidParameterValue", "TransitiveTagKeys must be keys of Tags"
        return None

    def _identity_of(self, params: dict, caller: Optional[Session]) -> tuple[Optional[str], dict]:
        """The source identity and the transitive tags of the session an AssumeRole makes."""
        call = Call("AssumeRole", None, params, 0)
        transitive = dict(caller.transitive) if caller else {}
        tags = call.tags
        for key in call.transitive_tag_keys:
            actual = next(k for k in tags if k.casefold() == key.casefold())
            transitive[key.casefold()] = (actual, tags[actual])
        return call.source_identity or (caller.source_identity if caller else None), transitive

    # --- HTTP ----------------------------------------------------------------------------------------

    def handle(self, body: bytes, headers: dict) -> tuple[int, bytes]:
        params = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
        action = params.pop("Action", "")
        params.pop("Version", None)
        match = _CREDENTIAL.search(headers.get("authorization", ""))
        caller = match.group(1) if match else None
        scope = _SCOPE.search(headers.get("authorization", ""))
        with self.lock:
            problem = self._check_iam(scope.group(1) if scope else "sts", caller) or self._check(action, caller, params)
            if problem:
                status, code, message = problem
                self.calls.append(Call(action, caller, params, status, code))
                return status, _error_xml(code, message)
            if action in ("GetSessionToken", "GetFederationToken", "AssumeRoleWithWebIdentity"):
                status, payload, issued = self._session_token(action, params)
            else:
                status, payload = _forward(self.moto_url, body, headers)
                issued = _access_key_in(payload)
                if issued and status == 200:
                    self.secrets[issued] = _secret_in(payload)
                if action == "AssumeRole" and status == 200 and issued:
                    session = self.sessions.get(caller or "")
                    mfa = "TokenCode" in params or bool(session and session.mfa)
                    expires = self._expiry(None, self.lifetime)
                    if expires is not None:
                        payload = re.sub(rb"<Expiration>[^<]+</Expiration>",
                                         b"<Expiration>" + _iso(expires).encode() + b"</Expiration>", payload)
                    source_identity, transitive = self._identity_of(params, session)
                    self.sessions[issued] = Session("AssumeRole", mfa, params.get("RoleArn"),
                                                    chained=session is not None, expires=expires,
                                                    source_identity=source_identity, transitive=transitive)
            self.calls.append(Call(action, caller, params, status, None if status == 200 else "moto", issued))
            if status == 200:
                self._track_iam(action, params, issued)
        hold = self.hold_when
        if hold is not None and hold(action, caller):
            self.held.set()
            self.release.wait(60)
        return status, payload

    def _track_iam(self, action: str, params: dict, issued: Optional[str]) -> None:
        if action == "CreateAccessKey" and issued:
            self.created.append(issued)
            self.iam_keys[issued] = True
            if self.new_key_refusals:
                self.refusals_left[issued] = self.new_key_refusals
        elif action == "DeleteAccessKey" and params.get("AccessKeyId") in self.iam_keys:
            self.iam_keys[params["AccessKeyId"]] = False

    def _session_token(self, action: str, params: dict) -> tuple[int, bytes, str]:
        duration = int(params.get("DurationSeconds") or (3600 if action == "AssumeRoleWithWebIdentity" else 43200))
        key = "ASIA" + secrets.token_hex(8).upper()
        secret, token = secrets.token_urlsafe(30), secrets.token_urlsafe(60)
        self.secrets[key] = (secret, token)
        short = self.session_lifetime or self.lifetime
        expires = self._expiry(duration, short)
        self.sessions[key] = Session(action, mfa="TokenCode" in params, role_arn=params.get("RoleArn"),
                                     expires=expires if short else None)
        expiration = _iso(expires)
        xml = (
            f'<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><{action}Result>'
            f"<Credentials><AccessKeyId>{key}</AccessKeyId>"
            f"<SecretAccessKey>{secret}</SecretAccessKey>"
            f"<SessionToken>{token}</SessionToken>"
            f"<Expiration>{expiration}</Expiration></Credentials>"
            f"</{action}Result><ResponseMetadata><RequestId>gate</RequestId></ResponseMetadata>"
            f"</{action}Response>"
        )
        return 200, xml.encode(), key

    def _expiry(self, duration: Optional[int], short: Optional[int]) -> Optional[datetime]:
        seconds = short or duration
        if not seconds:
            return None
        return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).replace(microsecond=0)  # as announced

    def check_presigned(self, path: str, headers: dict) -> tuple[int, bytes]:
        """A presigned GetCallerIdentity, verified (see the module's docstring) and answered as STS would."""
        from tests.servers.presigned import check

        with self.lock:
            error, caller = check("GET", headers.get("host", ""), path, headers, self.secrets)
            session = self.sessions.get(caller or "")
            if error is None and session is not None and session.expires is not None \
                    and datetime.now(timezone.utc) >= session.expires:
                error = "ExpiredToken"
            self.presigned.append(Presigned(headers.get("x-k8s-aws-id"), caller, error))
        if error is not None:
            return 403, _error_xml(error, "presigned request refused: " + error)
        arn = (f"arn:aws:sts::123456789012:assumed-role/{session.role_arn.rsplit('/', 1)[-1]}/awsenv"
               if session is not None and session.role_arn else "arn:aws:iam::123456789012:user/test")
        xml = ('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
               f"<Arn>{escape(arn)}</Arn><UserId>{escape(caller or '')}</UserId><Account>123456789012</Account>"
               "</GetCallerIdentityResult><ResponseMetadata><RequestId>gate</RequestId></ResponseMetadata>"
               "</GetCallerIdentityResponse>")
        return 200, xml.encode()

    # --- faults ----------------------------------------------------------------------------------------

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()
            self.fault_delay = 3.0
            self.clock_offset = 0
            self.skew_code = None

    def take_fault(self, body: bytes, headers: dict) -> Optional[str]:
        """The fault for this request, if any ("reset", "timeout", "lost" or an error code), recorded as a call."""
        with self.lock:
            if not self.faults:
                return None
            fault = self.faults.pop(0)
            if fault != "lost":
                params = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
                match = _CREDENTIAL.search(headers.get("authorization", ""))
                self.calls.append(Call(params.pop("Action", ""), match.group(1) if match else None, params,
                                       _FAULT_STATUS.get(fault, 0), fault))
            return fault

    def skew_refusal(self, body: bytes, headers: dict) -> Optional[tuple[int, bytes]]:
        """With `skew_code` set: the refusal of a request signed more than 5 minutes away from this clock."""
        stamp = headers.get("x-amz-date", "")
        if self.skew_code is None or not stamp:
            return None
        signed = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        here = datetime.now(timezone.utc) + timedelta(seconds=self.clock_offset)
        if abs((here - signed).total_seconds()) <= 300:
            return None
        if self.skew_code == "SignatureDoesNotMatch":
            message = (f"Signature expired: {stamp} is now earlier than {(here - timedelta(minutes=5)):%Y%m%dT%H%M%SZ}"
                       f" ({here:%Y%m%dT%H%M%SZ} - 5 min.)" if signed < here else
                       f"Signature not yet current: {stamp} is still later than "
                       f"{(here + timedelta(minutes=5)):%Y%m%dT%H%M%SZ} ({here:%Y%m%dT%H%M%SZ} + 5 min.)")
        else:
            message = "Request has expired."
        params = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
        match = _CREDENTIAL.search(headers.get("authorization", ""))
        with self.lock:
            self.calls.append(Call(params.pop("Action", ""), match.group(1) if match else None, params, 400,
                                   self.skew_code))
        return (403 if self.skew_code == "SignatureDoesNotMatch" else 400), _error_xml(self.skew_code, message)

    def shift_expirations(self, payload: bytes) -> bytes:
        """Every Expiration in an answer, as this server's clock (`clock_offset`) states it."""
        if not self.clock_offset:
            return payload

        def shifted(match: re.Match) -> bytes:
            text = match.group(1).decode().replace("Z", "+00:00")
            moment = datetime.fromisoformat(text) + timedelta(seconds=self.clock_offset)
            return b"<Expiration>" + _iso(moment.astimezone(timezone.utc)).encode() + b"</Expiration>"

        return re.sub(rb"<Expiration>([^<]+)</Expiration>", shifted, payload)


_FAULT_STATUS = {"Throttling": 400, "ServiceUnavailable": 503, "InternalFailure": 500}
_FAULT_MESSAGE = {"Throttling": "Rate exceeded", "ServiceUnavailable": "Service is unavailable. Please try again.",
                  "InternalFailure": "An internal error occurred. Please try again."}


def _reset_connection(handler) -> None:
    """Close the client's connection with a TCP reset, no answer sent."""
    import socket
    import struct

    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True
    handler.connection.close()


def _tag_text(text: str) -> bool:
    """STS's characters for tag keys and values: letters, separators, digits and _ . : / = + - @."""
    import unicodedata

    return all(char in "_.:/=+-@" or unicodedata.category(char)[0] in "LZN" for char in text)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _secret_in(payload: bytes) -> tuple[str, Optional[str]]:
    secret = re.search(rb"<SecretAccessKey>([^<]+)</SecretAccessKey>", payload)
    token = re.search(rb"<SessionToken>([^<]+)</SessionToken>", payload)
    return secret.group(1).decode() if secret else "", token.group(1).decode() if token else None


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
            headers = {k.lower(): v for k, v in self.headers.items()}
            fault = gate.take_fault(body, headers)
            if fault in ("reset", "timeout"):
                if fault == "timeout":
                    time.sleep(gate.fault_delay)
                _reset_connection(self)
                return
            if fault in _FAULT_STATUS:
                self.reply(_FAULT_STATUS[fault], _error_xml(fault, _FAULT_MESSAGE[fault]), "text/xml")
                return
            refusal = gate.skew_refusal(body, headers)
            if refusal is not None:
                self.reply(*refusal, "text/xml")
                return
            status, payload = gate.handle(body, headers)
            if fault == "lost":
                _reset_connection(self)
                return
            self.reply(status, gate.shift_expirations(payload) if status == 200 else payload, "text/xml")

        def do_GET(self) -> None:  # noqa: N802
            headers = {k.lower(): v for k, v in self.headers.items()}
            self.reply(*gate.check_presigned(self.path, headers), "text/xml")

        def date_time_string(self, timestamp=None) -> str:
            # The Date header of every answer, by this server's clock (`clock_offset`).
            return super().date_time_string(time.time() + gate.clock_offset if timestamp is None else timestamp)

    gate.url, server = serve(Handler)
    return gate, server
