"""EKS DescribeCluster: a cluster's API server endpoint and certificate authority, for a kubeconfig entry."""

from __future__ import annotations

from typing import NamedTuple

from awsenv.errors import AwsError
from awsenv.model import Credentials


class ClusterAccess(NamedTuple):
    endpoint: str  # https://…
    certificate_authority: str  # base64 of the PEM, as EKS hands it out and a kubeconfig holds it


def describe_cluster(profile: str, creds: Credentials, region: str, cluster: str) -> ClusterAccess:
    """The cluster's endpoint and CA, asked of EKS in `region` with the profile's endpoint settings
    (AWS_ENDPOINT_URL_EKS, endpoint_url, services) and `creds`."""
    from botocore.exceptions import BotoCoreError, ClientError

    from awsenv.aws import clients

    try:
        client = clients.client("eks", profile, region, creds)
        found = client.describe_cluster(name=cluster)["cluster"]
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "Unknown"), error.get("Message", "")
        text = f"profile {profile!r}: EKS DescribeCluster of {cluster!r} in {region} failed: {code}: {message}"
        if code == "ResourceNotFoundException":
            hint = "check the cluster's name and --region (`aws eks list-clusters --region R` lists them)"
        elif code in ("AccessDeniedException", "AccessDenied", "UnauthorizedOperation"):
            hint = "the profile's role needs eks:DescribeCluster on that cluster; or give --endpoint and " \
                   "--certificate-authority to write the entry without asking EKS"
        else:
            hint = "see the AWS error above"
        raise AwsError(text.rstrip(": "), hint=hint) from None
    except BotoCoreError as exc:
        raise AwsError(f"profile {profile!r}: EKS DescribeCluster of {cluster!r} in {region} got no answer: {exc}",
                       hint="check the network and the EKS endpoint (AWS_ENDPOINT_URL_EKS, --region)") from None
    endpoint = found.get("endpoint")
    authority = (found.get("certificateAuthority") or {}).get("data")
    if not endpoint or not authority:
        raise AwsError(f"profile {profile!r}: cluster {cluster!r} in {region} has no endpoint or certificate yet "
                       f"(status {found.get('status', 'unknown')})",
                       hint="wait until the cluster is ACTIVE and run again")
    return ClusterAccess(endpoint, authority)
