"""The Kubernetes `ExecCredential` awsenv prints for kubectl, rendered the same on the full and the cache-hit path.

Light on purpose (the cache-hit path loads it): awsenv's jsonlite and nothing from the standard library beyond
what the interpreter has loaded at start.
"""

from __future__ import annotations

import os

from awsenv import jsonlite

DEFAULT_API_VERSION = "client.authentication.k8s.io/v1beta1"
TOKEN_PREFIX = "k8s-aws-v1."
# The presigned URL's own X-Amz-Expires. STS accepts a presigned GetCallerIdentity for 15 minutes after it was
# signed whatever this says; EKS's authenticator checks the same 15 minutes against X-Amz-Date.
URL_EXPIRES = 60
SERVER_LIFETIME = 15 * 60
# What kubectl is told: one minute short of what the server accepts, as `aws eks get-token` does.
TOKEN_LIFETIME = 14 * 60
# A cached token is handed out again while more than this is left of its TOKEN_LIFETIME (kubectl itself reuses a
# token until its expirationTimestamp, and the server still accepts it for a minute after that).
TOKEN_MIN_TTL = 60


def api_version(environ=os.environ) -> str:
    """The apiVersion kubectl asks for in KUBERNETES_EXEC_INFO, else client.authentication.k8s.io/v1beta1."""
    raw = environ.get("KUBERNETES_EXEC_INFO")
    if raw:
        try:
            info = jsonlite.loads(raw)
        except ValueError:
            info = None
        value = info.get("apiVersion") if isinstance(info, dict) else None
        if isinstance(value, str) and value:
            return value
    return DEFAULT_API_VERSION


def document(api: str, expiration: str, token: str) -> str:
    """The ExecCredential: one JSON object and a newline; `expiration` as `YYYY-MM-DDTHH:MM:SSZ`."""
    head = jsonlite.dumps_flat({"kind": "ExecCredential", "apiVersion": api})
    status = jsonlite.dumps_flat({"expirationTimestamp": expiration, "token": token})
    return head[:-1] + ', "spec": {}, "status": ' + status + "}\n"
