"""A small IAM Identity Center stand-in for tests: the SSO-OIDC and SSO portal APIs on 127.0.0.1.

Both APIs are unsigned rest-json; botocore reaches this server through AWS_ENDPOINT_URL_SSO_OIDC and
AWS_ENDPOINT_URL_SSO (the AWS CLI 2.9 through an AWS_DATA_PATH endpoint rule set). Every request is recorded
in `calls`. What a test can control, on the `SsoServer` object:

- `pending_polls`: CreateToken answers AuthorizationPending this many times per device before approving it;
- `approve_on_verify`: a device is approved only when its verification URL is opened (the BROWSER script does it);
- `slow_down_polls`: the first polls of each device answer SlowDown;
- `expire_devices`: every device code is reported expired;
- `fail_refresh`: CreateToken with a refresh token answers InvalidGrant;
- `deny_devices`: device-code polls answer AccessDeniedException (the user chose Deny);
- `role_seconds`: how long role credentials last; `token_seconds`: how long access tokens last;
- `assignments` and `page_size`: the accounts and roles the token may use, served in pages (`organisation()`:
  account names with spaces, non-ASCII letters and duplicates);
- `revoke(token)` or any unknown token: GetRoleCredentials / List* answer UnauthorizedException;
- `faults`: one entry per request of either API, taken in order before it is served: "ServiceUnavailable" (503) or
  "InternalServerException" (500), recorded in `calls` with that status.

The authorization-code sign-in (/authorize, the code exchange) and its settings are in `sso_auth_code`.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Callable, Optional

from tests.servers.loopback import QuietHandler, serve
from tests.servers.sso_auth_code import AuthCodeGrants

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@dataclass
class Call:
    api: str
    params: dict
    status: int
    error: Optional[str] = None


@dataclass
class Device:
    code: str
    user_code: str
    client_id: str
    expires: float
    approved: bool = False
    polls: int = 0
    verified: int = 0


def _default_assignments() -> dict:
    return {"111111111111": ("dev", ["Admin", "ReadOnly"])}


def organisation() -> dict:
    """`assignments` of an organisation whose account names need care: spaces, non-ASCII letters, shell
    metacharacters, a name with no Latin letter at all, and two names that differ only in case."""
    return {
        "111111111111": ("dev", ["Admin", "ReadOnly"]),
        "222222222222": ("Production Account", ["AdministratorAccess", "ReadOnly"]),
        "333333333333": ("Zürich Ops", ["Ops"]),
        "444444444444": ("Sandbox", ["Admin"]),
        "555555555555": ("sandbox", ["Admin"]),
        "666666666666": ("本番", ["Admin"]),
        "777777777777": ("R&D [eu] 'team'", ["Developer"]),
    }


@dataclass
class SsoServer(AuthCodeGrants):
    url: str = ""
    pending_polls: int = 0
    approve_on_verify: bool = False
    slow_down_polls: int = 0
    expire_devices: bool = False
    fail_refresh: bool = False
    issue_refresh_token: bool = True
    interval: int = 0
    device_seconds: int = 600
    token_seconds: int = 8 * 3600
    role_seconds: int = 3600
    registration_seconds: int = 90 * 86400
    page_size: int = 100
    assignments: dict = field(default_factory=_default_assignments)  # account -> (name, [roles])
    on_issue: Optional[Callable[[str], None]] = None  # told every access key id handed out
    calls: list = field(default_factory=list)
    clients: dict = field(default_factory=dict)  # client id -> secret
    devices: dict = field(default_factory=dict)  # device code -> Device
    tokens: dict = field(default_factory=dict)  # access token -> expiry (epoch seconds)
    refresh_tokens: dict = field(default_factory=dict)  # refresh token -> client id
    issued_keys: list = field(default_factory=list)
    issued_secrets: dict = field(default_factory=dict)  # access key id -> (secret key, session token)
    lock: threading.Lock = field(default_factory=threading.Lock)
    deny_devices: bool = False  # the user chooses Deny: device-code polls answer AccessDeniedException
    faults: list = field(default_factory=list)  # see "faults" above

    def reset(self) -> None:
        with self.lock:
            fresh = SsoServer(url=self.url)
            for name in self.__dataclass_fields__:
                if name not in ("url", "lock"):
                    setattr(self, name, getattr(fresh, name))

    # --- what tests read ---------------------------------------------------------------------------

    def apis(self) -> list[str]:
        return [c.api for c in self.calls]

    def count(self, api: str) -> int:
        return sum(1 for c in self.calls if c.api == api)

    def oidc_calls(self) -> list[str]:
        return [c.api for c in self.calls if c.api in ("RegisterClient", "StartDeviceAuthorization", "CreateToken")]

    def revoke(self, token: str) -> None:
        with self.lock:
            self.tokens.pop(token, None)

    def mint_token(self, seconds: Optional[int] = None) -> tuple[str, str, str, str]:
        """A valid access token, refresh token and client registration, as if a login had happened."""
        with self.lock:
            client_id, client_secret = self._register()
            access = "at-" + secrets.token_urlsafe(24)
            refresh = "rt-" + secrets.token_urlsafe(24)
            self.tokens[access] = time.time() + (self.token_seconds if seconds is None else seconds)
            self.refresh_tokens[refresh] = client_id
            return access, refresh, client_id, client_secret

    # --- SSO-OIDC ------------------------------------------------------------------------------------

    def _register(self) -> tuple[str, str]:
        client_id = "client-" + secrets.token_hex(8)
        self.clients[client_id] = "secret-" + secrets.token_urlsafe(16)
        return client_id, self.clients[client_id]

    def register_client(self, body: dict) -> tuple[int, dict]:
        refused = self.check_registration(body)
        if refused:
            return refused
        client_id, client_secret = self._register()
        self.remember_client(client_id, body)
        now = int(time.time())
        return 200, {"clientId": client_id, "clientSecret": client_secret, "clientIdIssuedAt": now,
                     "clientSecretExpiresAt": now + self.registration_seconds}

    def start_device_authorization(self, body: dict) -> tuple[int, dict]:
        if self.clients.get(body.get("clientId")) != body.get("clientSecret"):
            return _error(400, "InvalidClientException", "unknown client")
        refused = self.device_refused(body["clientId"])
        if refused:
            return refused
        code = "dc-" + secrets.token_urlsafe(16)
        user_code = "%s-%s" % (secrets.token_hex(2).upper(), secrets.token_hex(2).upper())
        self.devices[code] = Device(code, user_code, body["clientId"], time.time() + self.device_seconds)
        verify = f"{self.url}/verify"
        return 200, {"deviceCode": code, "userCode": user_code, "verificationUri": verify,
                     "verificationUriComplete": f"{verify}?user_code={user_code}",
                     "expiresIn": self.device_seconds, "interval": self.interval}

    def create_token(self, body: dict) -> tuple[int, dict]:
        client_id = body.get("clientId")
        if self.clients.get(client_id) != body.get("clientSecret"):
            return _error(400, "InvalidClientException", "unknown client")
        if body.get("grantType") == "refresh_token":
            if self.fail_refresh or self.refresh_tokens.get(body.get("refreshToken")) != client_id:
                return _error(400, "InvalidGrantException", "the refresh token is invalid or expired")
            del self.refresh_tokens[body["refreshToken"]]
            return 200, self._token(client_id)
        if body.get("grantType") == "authorization_code":
            return self.exchange_code(body)
        if body.get("grantType") != DEVICE_GRANT:
            return _error(400, "UnsupportedGrantTypeException", "unsupported grant type")
        device = self.devices.get(body.get("deviceCode"))
        if device is None or device.client_id != client_id:
            return _error(400, "InvalidGrantException", "unknown device code")
        device.polls += 1
        if self.expire_devices or time.time() > device.expires:
            return _error(400, "ExpiredTokenException", "the device code has expired")
        if self.deny_devices:
            return _error(400, "AccessDeniedException", "the user denied the authorization request")
        if device.polls <= self.slow_down_polls:
            return _error(400, "SlowDownException", "slow down")
        if self.approve_on_verify:
            if not device.approved:
                return _error(400, "AuthorizationPendingException", "waiting for the user")
        elif device.polls <= self.slow_down_polls + self.pending_polls:
            return _error(400, "AuthorizationPendingException", "waiting for the user")
        del self.devices[device.code]  # a device code gives one token
        return 200, self._token(client_id)

    def _token(self, client_id: str) -> dict:
        access = "at-" + secrets.token_urlsafe(24)
        self.tokens[access] = time.time() + self.token_seconds
        answer = {"accessToken": access, "tokenType": "Bearer", "expiresIn": self.token_seconds}
        if self.issue_refresh_token:
            refresh = "rt-" + secrets.token_urlsafe(24)
            self.refresh_tokens[refresh] = client_id
            answer["refreshToken"] = refresh
        return answer

    def verify(self, query: dict) -> tuple[int, dict]:
        user_code = query.get("user_code", "")
        for device in self.devices.values():
            if device.user_code == user_code:
                device.verified += 1
                device.approved = True
                return 200, {"approved": user_code}
        return 404, {"error": "no such code"}

    # --- SSO portal ----------------------------------------------------------------------------------

    def _token_ok(self, headers: dict) -> bool:
        expiry = self.tokens.get(headers.get("x-amz-sso_bearer_token", ""))
        return expiry is not None and expiry > time.time()

    def get_role_credentials(self, query: dict, headers: dict) -> tuple[int, dict]:
        if not self._token_ok(headers):
            return _error(401, "UnauthorizedException", "Session token not found or invalid")
        account, role = query.get("account_id"), query.get("role_name")
        if account not in self.assignments or role not in self.assignments[account][1]:
            return _error(403, "ForbiddenException", "No access")
        key = "ASIA" + secrets.token_hex(8).upper()
        secret, token = secrets.token_urlsafe(30), secrets.token_urlsafe(60)
        self.issued_keys.append(key)
        self.issued_secrets[key] = (secret, token)
        if self.on_issue:
            self.on_issue(key)
        return 200, {"roleCredentials": {
            "accessKeyId": key, "secretAccessKey": secret, "sessionToken": token,
            "expiration": int((time.time() + self.role_seconds) * 1000)}}

    def _page(self, items: list, query: dict) -> tuple[list, Optional[str]]:
        start = int(query.get("next_token") or 0)
        size = min(self.page_size, int(query.get("max_result") or self.page_size))
        end = start + size
        return items[start:end], (str(end) if end < len(items) else None)

    def list_accounts(self, query: dict, headers: dict) -> tuple[int, dict]:
        if not self._token_ok(headers):
            return _error(401, "UnauthorizedException", "Session token not found or invalid")
        items = [{"accountId": a, "accountName": n, "emailAddress": f"{n}@example.com"}
                 for a, (n, _) in sorted(self.assignments.items())]
        page, next_token = self._page(items, query)
        return 200, {"accountList": page, **({"nextToken": next_token} if next_token else {})}

    def list_account_roles(self, query: dict, headers: dict) -> tuple[int, dict]:
        if not self._token_ok(headers):
            return _error(401, "UnauthorizedException", "Session token not found or invalid")
        account = query.get("account_id", "")
        roles = self.assignments.get(account, ("", []))[1]
        page, next_token = self._page([{"roleName": r, "accountId": account} for r in roles], query)
        return 200, {"roleList": page, **({"nextToken": next_token} if next_token else {})}

    # --- dispatch ------------------------------------------------------------------------------------

    def handle(self, method: str, path: str, body: bytes, headers: dict) -> tuple[int, dict]:
        parsed = urllib.parse.urlsplit(path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(parsed.query).items()}
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            data = {}
        routes = {
            ("POST", "/client/register"): ("RegisterClient", lambda: self.register_client(data)),
            ("POST", "/device_authorization"): ("StartDeviceAuthorization",
                                                lambda: self.start_device_authorization(data)),
            ("POST", "/token"): ("CreateToken", lambda: self.create_token(data)),
            ("GET", "/verify"): ("Verify", lambda: self.verify(query)),
            ("GET", "/federation/credentials"): ("GetRoleCredentials",
                                                 lambda: self.get_role_credentials(query, headers)),
            ("GET", "/assignment/accounts"): ("ListAccounts", lambda: self.list_accounts(query, headers)),
            ("GET", "/assignment/roles"): ("ListAccountRoles", lambda: self.list_account_roles(query, headers)),
            ("POST", "/logout"): ("Logout", lambda: (200, {})),
        }
        api, action = routes.get((method, parsed.path), ("Unknown", lambda: _error(404, "NotFound", parsed.path)))
        with self.lock:
            if self.faults:
                fault = self.faults.pop(0)
                action = lambda: _error(_FAULT_STATUS[fault], fault, "the service is failing (a test's fault)")  # noqa: E731
            status, answer = action()
            params = dict(query)
            params.update({k: v for k, v in data.items() if k in ("grantType", "scopes", "clientName", "startUrl",
                                                                "grantTypes", "redirectUris", "issuerUrl",
                                                                "redirectUri")})
            self.calls.append(Call(api, params, status, answer.get("error") if status >= 400 else None))
        return status, answer


_FAULT_STATUS = {"ServiceUnavailable": 503, "InternalServerException": 500}


def _error(status: int, name: str, message: str) -> tuple[int, dict]:
    return status, {"error": name, "error_description": message, "message": message, "__type": name}


def start() -> tuple[SsoServer, ThreadingHTTPServer]:
    state = SsoServer()

    class Handler(QuietHandler):
        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self._serve_page(method, body):
                return
            status, answer = state.handle(method, self.path, body, {k.lower(): v for k, v in self.headers.items()})
            headers = {"x-amzn-ErrorType": answer["error"]} if status >= 400 else {}
            self.reply(status, json.dumps(answer).encode(), "application/json", headers)

        def _serve_page(self, method: str, body: bytes) -> bool:
            with state.lock:
                page = state.page(method, self.path, body)
                if page is not None:
                    state.calls.append(Call(page[0], page[1], page[2]))
            if page is None:
                return False
            self.reply(*page[2:])
            return True

        def do_GET(self) -> None:  # noqa: N802
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

    state.url, server = serve(Handler)
    return state, server
