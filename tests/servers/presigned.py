"""Checking a presigned STS GetCallerIdentity request as STS does for EKS tokens: the SigV4 query signature is
computed again with botocore's signer for the secret of the access key it names, and must match; the request is
good for 15 minutes after X-Amz-Date whatever X-Amz-Expires says (as STS treats GetCallerIdentity), never before it
(beyond 5 minutes of clock skew); every header the signature lists must be there with the signed value.
"""

from __future__ import annotations

import hmac
import urllib.parse
from datetime import datetime, timedelta, timezone
from typing import Optional

VALID_FOR = timedelta(minutes=15)
SKEW = timedelta(minutes=5)


def check(method: str, host: str, path_and_query: str, headers: dict, secrets: dict,
          now: Optional[datetime] = None) -> tuple[Optional[str], Optional[str]]:
    """(None, access key id) when the presigned request is genuine and current, else (error code, key id or None).

    `headers` are the request's, lower-cased names; `secrets` maps access key ids to (secret key, session token or
    None)."""
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    split = urllib.parse.urlsplit(path_and_query)
    pairs = urllib.parse.parse_qsl(split.query, keep_blank_values=True)
    params = dict(pairs)
    if len(params) != len(pairs) or params.get("Action") != "GetCallerIdentity" or method != "GET":
        return "InvalidAction", None
    if params.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" or "X-Amz-Signature" not in params:
        return "IncompleteSignature", None
    try:
        key, day, region, service, terminator = params["X-Amz-Credential"].split("/")
        signed_at = datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        signed_names = params["X-Amz-SignedHeaders"].split(";")
    except (KeyError, ValueError):
        return "IncompleteSignature", None
    if service != "sts" or terminator != "aws4_request" or day != params["X-Amz-Date"][:8] \
            or "host" not in signed_names:
        return "IncompleteSignature", key
    secret, token = secrets.get(key, (None, None))
    if secret is None or token != params.get("X-Amz-Security-Token"):
        return "InvalidClientTokenId", key
    now = now or datetime.now(timezone.utc)
    if now > signed_at + VALID_FOR or now < signed_at - SKEW:
        return "ExpiredToken", key
    signed = {}
    for name in signed_names:
        if name not in headers:
            return "SignatureDoesNotMatch", key
        signed[name] = headers[name]
    unsigned = "&".join(f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}"
                        for k, v in pairs if k != "X-Amz-Signature")
    request = AWSRequest(method="GET", url=f"http://{host}{split.path or '/'}?{unsigned}", headers=signed)
    request.context["timestamp"] = params["X-Amz-Date"]
    signer = SigV4QueryAuth(Credentials(key, secret, params.get("X-Amz-Security-Token")), "sts", region,
                            int(params.get("X-Amz-Expires", "0")))
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, params["X-Amz-Signature"]):
        return "SignatureDoesNotMatch", key
    return None, key
