"""The federation sign-in: credentials → one sign-in token → the console login URL (valid for 15 minutes)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Mapping, Optional

from awsenv.console.links import Partition
from awsenv.errors import AwsError
from awsenv.model import Credentials

ISSUER = "awsenv"


def federation_endpoint(partition: Partition, environ: Mapping[str, str] = os.environ) -> str:
    """The partition's federation URL; AWSENV_SIGNIN_URL replaces its host (a proxy, a private partition)."""
    base = environ.get("AWSENV_SIGNIN_URL") or f"https://{partition.signin_host}"
    return base.rstrip("/") + "/federation"


def signin_token(profile: str, creds: Credentials, endpoint: str, session_duration: Optional[int]) -> str:
    """One getSigninToken call. The credentials travel in the query, as the endpoint requires, never in argv."""
    session = json.dumps({"sessionId": creds.access_key_id, "sessionKey": creds.secret_access_key,
                          "sessionToken": creds.session_token or ""})
    params = {"Action": "getSigninToken", "Session": session}
    if session_duration is not None:
        params["SessionDuration"] = str(session_duration)
    try:
        with urllib.request.urlopen(f"{endpoint}?{urllib.parse.urlencode(params)}", timeout=15) as response:
            return json.loads(response.read())["SigninToken"]
    except urllib.error.HTTPError as error:
        hint = ("the sign-in service takes temporary credentials of a role, an SSO role or a federated user; "
                "for an IAM user awsenv calls GetFederationToken, which the user's policy must allow")
        if session_duration is not None:
            hint += "; it was asked for a console session of {}s: try a shorter --duration".format(session_duration)
        raise AwsError(f"profile {profile!r}: the AWS sign-in service refused the credentials (HTTP {error.code})",
                       hint=hint) from None
    except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
        raise AwsError(f"profile {profile!r}: could not get a sign-in token from {endpoint}: "
                       f"{type(error).__name__}", hint="check the network and proxy settings") from None


def login_url(endpoint: str, token: str, destination: str) -> str:
    query = urllib.parse.urlencode({"Action": "login", "Issuer": ISSUER, "Destination": destination,
                                    "SigninToken": token})
    return f"{endpoint}?{query}"
