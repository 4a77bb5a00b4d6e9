"""A Kubernetes API server stand-in for EKS tokens: HTTPS on 127.0.0.1 with a self-signed certificate (made here
with `cryptography`), answering `GET /version` only to a bearer token its STS accepts for its cluster.

As EKS's authenticator does: the token must be `k8s-aws-v1.` + the unpadded base64url of a presigned
GetCallerIdentity URL on the STS it trusts; the server sends that URL a `GET` with `x-k8s-aws-id: <its cluster>`,
and lets the request in when STS answers 200. Every token it was shown is kept in `seen` (its cluster's verdict).
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path

from tests.servers.loopback import QuietHandler, run_in_thread

PREFIX = "k8s-aws-v1."


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A key and a certificate for 127.0.0.1 (the certificate is its own CA), as PEM files in `directory`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver-test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    key_path, cert_path = directory / "apiserver.key", directory / "apiserver.crt"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@dataclass
class KubeApi:
    cluster: str
    sts_url: str
    url: str = ""
    ca_file: Path = Path()
    seen: list = field(default_factory=list)  # (token, accepted)
    server: object = None

    def verify(self, authorization: str) -> bool:
        if not authorization.startswith("Bearer " + PREFIX):
            return False
        encoded = authorization[len("Bearer " + PREFIX):]
        try:
            url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        except ValueError:
            return False
        ours, theirs = urllib.parse.urlsplit(self.sts_url), urllib.parse.urlsplit(url)
        if (theirs.scheme, theirs.netloc, theirs.path or "/") != (ours.scheme, ours.netloc, "/"):
            return False  # only the STS this cluster trusts: never a URL the token names elsewhere
        request = urllib.request.Request(url, headers={"x-k8s-aws-id": self.cluster}, method="GET")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status == 200
        except urllib.error.HTTPError:
            return False

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start(cluster: str, sts_url: str, directory: Path) -> KubeApi:
    api = KubeApi(cluster, sts_url)
    key_path, api.ca_file = self_signed(directory)

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            authorization = self.headers.get("Authorization", "")
            accepted = api.verify(authorization)
            api.seen.append((authorization.removeprefix("Bearer "), accepted))
            if not accepted:
                status = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": "Unauthorized",
                          "reason": "Unauthorized", "code": 401}
                self.reply(401, json.dumps(status).encode(), "application/json")
            elif self.path == "/version":
                version = {"major": "1", "minor": "31", "gitVersion": "v1.31.0-eks-test", "platform": "linux/amd64"}
                self.reply(200, json.dumps(version).encode(), "application/json")
            else:
                self.reply(404, b'{"kind":"Status","code":404}', "application/json")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(api.ca_file, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    run_in_thread(server)
    api.server, api.url = server, f"https://127.0.0.1:{server.server_address[1]}"
    return api
