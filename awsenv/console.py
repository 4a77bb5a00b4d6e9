"""`awsenv console`: a sign-in URL for the AWS console from temporary credentials (the federation endpoint)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Mapping, Optional

from awsenv.errors import AwsError
from awsenv.model import Credentials

# Per partition: the federation sign-in host and the console host.
_PARTITIONS = {
    "aws": ("https://signin.aws.amazon.com", "https://console.aws.amazon.com"),
    "aws-us-gov": ("https://signin.amazonaws-us-gov.com", "https://console.amazonaws-us-gov.com"),
    "aws-cn": ("https://signin.amazonaws.cn", "https://console.amazonaws.cn"),
}


def partition(region: Optional[str]) -> str:
    if region and region.startswith("us-gov-"):
        return "aws-us-gov"
    if region and region.startswith("cn-"):
        return "aws-cn"
    return "aws"


def console_destination(region: Optional[str]) -> str:
    base = _PARTITIONS[partition(region)][1]
    return f"{base}/console/home" + (f"?region={urllib.parse.quote(region)}" if region else "")


def federation_endpoint(region: Optional[str], environ: Mapping[str, str] = os.environ) -> str:
    """The federation URL; AWSENV_SIGNIN_URL replaces its host (a proxy, a private partition)."""
    base = environ.get("AWSENV_SIGNIN_URL") or _PARTITIONS[partition(region)][0]
    return base.rstrip("/") + "/federation"


def signin_url(profile: str, creds: Credentials, region: Optional[str], destination: Optional[str] = None,
               environ: Mapping[str, str] = os.environ) -> str:
    endpoint = federation_endpoint(region, environ)
    session = json.dumps({"sessionId": creds.access_key_id, "sessionKey": creds.secret_access_key,
                          "sessionToken": creds.session_token or ""})
    query = urllib.parse.urlencode({"Action": "getSigninToken", "Session": session})
    try:
        with urllib.request.urlopen(f"{endpoint}?{query}", timeout=15) as response:
            token = json.loads(response.read())["SigninToken"]
    except urllib.error.HTTPError as error:
        raise AwsError(f"profile {profile!r}: the AWS sign-in service refused the credentials (HTTP {error.code})",
                       hint="the console accepts role or SSO credentials; for an IAM user awsenv uses "
                            "GetFederationToken, which the user's policy must allow") from None
    except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
        raise AwsError(f"profile {profile!r}: could not get a sign-in token from {endpoint}: "
                       f"{type(error).__name__}", hint="check the network and proxy settings") from None
    login = urllib.parse.urlencode({"Action": "login", "Issuer": "awsenv",
                                    "Destination": destination or console_destination(region), "SigninToken": token})
    return f"{endpoint}?{login}"
