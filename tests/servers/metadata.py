"""Stand-ins for the two metadata endpoints credential_source reads, each as strict as the real one where it matters.

- `InstanceMetadataServer`: IMDSv2. `PUT /latest/api/token` (with a TTL header) hands out a session token; every GET
  without that token is refused with 401, as on an instance with IMDSv1 turned off. The role's credentials are served
  at `/latest/meta-data/iam/security-credentials/<role>`.
- `ContainerCredentialsServer`: the ECS / EKS Pod Identity endpoint: GET with `Authorization` equal to the
  configured token, anything else 401.
Both hand out fresh keys per server (a test names them) and count the credential requests they answered.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import ThreadingHTTPServer
from typing import Optional

from tests.servers.loopback import QuietHandler, serve


def _expiration(seconds: int) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class InstanceMetadataServer:
    role: str = "instance-role"
    access_key_id: str = field(default_factory=lambda: "ASIAIMDS" + secrets.token_hex(6).upper())
    lifetime: int = 6 * 3600
    tokens: set = field(default_factory=set)
    requests: list = field(default_factory=list)  # (method, path, had a valid token)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    server: Optional[ThreadingHTTPServer] = None

    def credential_fetches(self) -> int:
        return sum(1 for method, path, ok in self.requests
                   if method == "GET" and ok and path.rstrip("/").endswith("/" + self.role))

    def start(self) -> "InstanceMetadataServer":
        imds = self

        class Handler(QuietHandler):
            def do_PUT(self) -> None:  # noqa: N802
                with imds.lock:
                    imds.requests.append(("PUT", self.path, True))
                if self.path != "/latest/api/token" or not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                    self.reply(400, b"", "text/plain")
                    return
                token = secrets.token_urlsafe(24)
                with imds.lock:
                    imds.tokens.add(token)
                self.reply(200, token.encode(), "text/plain")

            def do_GET(self) -> None:  # noqa: N802
                ok = self.headers.get("X-aws-ec2-metadata-token") in imds.tokens
                with imds.lock:
                    imds.requests.append(("GET", self.path, ok))
                if not ok:
                    self.reply(401, b"", "text/plain")  # IMDSv1 is off: no session token, no answer
                    return
                base = "/latest/meta-data/iam/security-credentials/"
                if self.path == base:
                    self.reply(200, imds.role.encode(), "text/plain")
                elif self.path == base + imds.role:
                    body = {"Code": "Success", "LastUpdated": _expiration(0), "Type": "AWS-HMAC",
                            "AccessKeyId": imds.access_key_id, "SecretAccessKey": "imds/" + secrets.token_hex(10),
                            "Token": "imds-token-" + secrets.token_hex(20), "Expiration": _expiration(imds.lifetime)}
                    self.reply(200, json.dumps(body).encode(), "application/json")
                else:
                    self.reply(404, b"", "text/plain")

        self.url, self.server = serve(Handler)
        return self


@dataclass
class ContainerCredentialsServer:
    token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    access_key_id: str = field(default_factory=lambda: "ASIACONTAINER" + secrets.token_hex(4).upper())
    lifetime: int = 6 * 3600
    answered: int = 0
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    server: Optional[ThreadingHTTPServer] = None

    def start(self) -> "ContainerCredentialsServer":
        container = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                if self.headers.get("Authorization") != container.token or self.path != "/creds":
                    with container.lock:
                        container.refused += 1
                    self.reply(401, json.dumps({"code": "Unauthorized"}).encode(), "application/json")
                    return
                with container.lock:
                    container.answered += 1
                body = {"AccessKeyId": container.access_key_id, "SecretAccessKey": "ecs/" + secrets.token_hex(10),
                        "Token": "ecs-token-" + secrets.token_hex(20), "Expiration": _expiration(container.lifetime),
                        "RoleArn": "arn:aws:iam::123456789012:role/task"}
                self.reply(200, json.dumps(body).encode(), "application/json")

        self.url, self.server = serve(Handler)
        self.url += "/creds"
        return self
