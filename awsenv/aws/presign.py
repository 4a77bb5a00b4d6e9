"""Presigned STS requests: the GetCallerIdentity URL an EKS cluster's authenticator accepts as a bearer token.

The URL is signed (SigV4, in the query string) with the profile's credentials for the profile's STS endpoint
(regional endpoints, AWS_ENDPOINT_URL_STS and endpoint_url as for every other STS call: the same client), and the
header `x-k8s-aws-id: CLUSTER` is signed into it, so the token names the one cluster it is good for.
"""

from __future__ import annotations

from typing import Optional

from awsenv.errors import ConfigError
from awsenv.model import Credentials

CLUSTER_HEADER = "x-k8s-aws-id"


def caller_identity_url(profile: str, creds: Credentials, region: Optional[str], cluster: str,
                        expires_in: int) -> str:
    """The presigned `GET` of sts:GetCallerIdentity with CLUSTER_HEADER signed in; no request is sent."""
    from botocore.exceptions import BotoCoreError

    from awsenv.aws import clients

    def add_cluster_header(request, **_) -> None:
        request.headers[CLUSTER_HEADER] = cluster

    try:
        client = clients.client("sts", profile, region, creds)
        client.meta.events.register("before-sign.sts.GetCallerIdentity", add_cluster_header)
        return client.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=expires_in,
                                             HttpMethod="GET")
    except BotoCoreError as exc:  # an endpoint setting botocore cannot use; nothing was sent
        raise ConfigError(f"profile {profile!r}: cannot make the STS URL for an EKS token: {exc}",
                          hint="check the profile's region and endpoint settings (--region, AWS_ENDPOINT_URL_STS, "
                               "endpoint_url, sts_regional_endpoints)") from None
