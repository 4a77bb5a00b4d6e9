"""`awsenv eks token PROFILE --cluster NAME`: a bearer token for an EKS cluster, as a Kubernetes ExecCredential.

The token is `k8s-aws-v1.` and the unpadded base64url of a presigned sts:GetCallerIdentity URL with the header
`x-k8s-aws-id: NAME` signed in (awsenv.aws.presign), signed with the profile's credentials however awsenv gets them
(awsenv.resolve.obtain: keys, role chains with MFA, SSO, credential_process, ...). kubectl runs this for every
command, so the token is kept in awsenv's cache (awsenv.cache.eks_tokens) and handed out again by the cache-hit path
(awsenv.cli.fast) while it has more than TOKEN_MIN_TTL of its life left.
"""

from __future__ import annotations

import base64
import os
import time
from typing import Callable, Optional

from awsenv import redact
from awsenv.aws.presign import caller_identity_url
from awsenv.cache import eks_tokens
from awsenv.cache import index as cache_index
from awsenv.cache.format import TIME_FORMAT
from awsenv.eks.exec_credential import TOKEN_LIFETIME, TOKEN_PREFIX, URL_EXPIRES, api_version, document
from awsenv.errors import MfaUnavailable, UsageError
from awsenv.resolve.obtain import Request, obtain, open_cache
from awsenv.terminal import say


def check_cluster_name(cluster: str) -> str:
    if not cluster or not cluster.isprintable() or len(cluster) > 100:
        raise UsageError(f"--cluster {cluster!r} is not an EKS cluster name",
                         hint="give the cluster's name as EKS shows it (1 to 100 characters)")
    return cluster


def token_for(url: str) -> str:
    return TOKEN_PREFIX + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def exec_credential(profile: str, cluster: str, region: Optional[str], environ=os.environ,
                    log: Callable[[str], None] = say) -> str:
    """The ExecCredential document for `cluster` as `profile`; a new token, kept in the cache for the next call."""
    check_cluster_name(cluster)
    api = api_version(environ)
    identities = cache_index.file_identities(environ)  # before the files are read: a later edit shows
    try:
        result = obtain(Request(profile=profile, flow="export", region=region), log)
    except MfaUnavailable as exc:
        command = f"awsenv eks token {profile} --cluster {cluster}" + (f" --region {region}" if region else "")
        raise MfaUnavailable(exc.message, hint=f"run `{command}` (or `awsenv export {profile}`) in a terminal first: "
                                               "kubectl then gets tokens from the cached session until it ends; or "
                                               "set mfa_process in the profile to a command that prints the code"
                             ) from None
    creds = result.credentials
    now = int(time.time())  # before signing: the token never outlives the URL's 15 minutes
    expires_at = now + TOKEN_LIFETIME
    if creds.expiration is not None:
        expires_at = min(expires_at, int(creds.expiration.timestamp()))
    url = caller_identity_url(profile, creds, result.plan.region, cluster, URL_EXPIRES)
    token = token_for(url)
    redact.remember_secret(url, token)  # a bearer credential for 15 minutes: masked in any trace
    expiration = time.strftime(TIME_FORMAT, time.gmtime(expires_at))
    if not result.plan.reads_environment:  # credentials from variables: the files alone do not tell a change
        cache = open_cache(log, environ)
        if cache is not None:
            eks_tokens.remember(cache.directory, profile, cluster, region, identities, expiration, token, environ)
    return document(api, expiration, token)
