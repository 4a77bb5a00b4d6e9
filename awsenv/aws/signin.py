"""The sign-in service's token call (`signin:CreateOAuth2Token`, POST /v1/token, unsigned) through botocore.

botocore resolves the endpoint (https://signin.<region>.amazonaws.com, or AWS_ENDPOINT_URL_SIGNIN and the profile's
endpoint settings), builds and parses the request. What it does not do, this adds: a DPoP proof on every attempt,
made by the caller's `prove(method, url)` just before the request leaves, so a retry never repeats a proof.
"""

from __future__ import annotations

import urllib.parse
from typing import Callable, Optional

from awsenv.errors import AwsError

DEFAULT_REGION = "us-east-1"  # what `aws login` proposes when nothing names a region


class SessionEnded(AwsError):
    """The refresh token no longer works (it expired, or the user's password changed): sign in again."""


def client(profile: str, region: str):
    """An unsigned botocore client for `signin` in `region`, from the one client factory (awsenv.aws.clients), with
    `profile`'s settings when the profile exists (it may not yet: `awsenv login NEW --aws-login` creates it)."""
    from awsenv.aws import clients

    return clients.client("signin", profile, region, unsigned=True)


def base_url(signin) -> str:
    """Where the browser signs in: the same endpoint the token call goes to."""
    return signin.meta.endpoint_url.rstrip("/")


def create_token(signin, profile: str, request: dict, prove: Callable[[str, str], str]) -> dict:
    """CreateOAuth2Token with `request` as its body (clientId, grantType, and the code or the refresh token);
    returns the answer's tokenOutput. A refused call is an AwsError naming the profile (SessionEnded when only a
    new sign-in helps); the body's secrets are never part of a message."""
    from botocore.exceptions import BotoCoreError, ClientError

    def add_proof(request, **_) -> None:
        parts = urllib.parse.urlsplit(request.url)
        request.headers["DPoP"] = prove(request.method, urllib.parse.urlunsplit(parts[:3] + ("", "")))

    event = "before-send.signin.CreateOAuth2Token"
    signin.meta.events.register(event, add_proof)
    try:
        answer = signin.create_o_auth2_token(tokenInput=request)
    except ClientError as exc:
        raise _refusal(profile, request.get("grantType", ""), exc) from None
    except BotoCoreError as exc:
        raise AwsError(f"profile {profile!r}: the sign-in service could not be reached at {base_url(signin)}: "
                       f"{type(exc).__name__}",
                       hint="check the network and proxy settings, the profile's region, and "
                            "AWS_ENDPOINT_URL_SIGNIN if set") from None
    finally:
        signin.meta.events.unregister(event, add_proof)
    output = (answer or {}).get("tokenOutput") or {}
    keys = output.get("accessToken") or {}
    if not all(keys.get(k) for k in ("accessKeyId", "secretAccessKey", "sessionToken")) or not output.get(
            "refreshToken") or not isinstance(output.get("expiresIn"), int):
        raise AwsError(f"profile {profile!r}: the sign-in service gave an incomplete answer (no credentials or no "
                       "refresh token); nothing was saved", hint="run the command again in a moment")
    return output


def _refusal(profile: str, grant: str, exc) -> AwsError:
    code = str(exc.response.get("error") or exc.response.get("Error", {}).get("Code") or "Unknown")
    message = str(exc.response.get("message") or exc.response.get("Error", {}).get("Message") or "")
    said = f" ({message})" if message else ""
    again = f"sign in again: `awsenv login {profile}`"
    if code in ("TOKEN_EXPIRED", "USER_CREDENTIALS_CHANGED"):
        why = "its password changed" if code == "USER_CREDENTIALS_CHANGED" else "it has expired"
        return SessionEnded(f"profile {profile!r}: the console sign-in session has ended ({why})", hint=again)
    if code == "AUTHCODE_EXPIRED":
        return AwsError(f"profile {profile!r}: the sign-in took too long and its code expired; nothing was saved",
                        hint=f"run `awsenv login {profile}` again and finish in the browser at once")
    if code == "INSUFFICIENT_PERMISSIONS":
        return AwsError(f"profile {profile!r}: the sign-in service refused: the console user may not sign in "
                        "from the command line (signin:AuthorizeOAuth2Access, signin:CreateOAuth2Token)",
                        hint="attach the AWS managed policy SignInLocalDevelopmentAccess to that user or role, "
                             f"then run `awsenv login {profile}` again")
    what = "exchanging the sign-in code" if grant == "authorization_code" else "refreshing the sign-in"
    return AwsError(f"profile {profile!r}: {what} was refused: {code}{said}", hint=again)


def region_of(profile: str) -> Optional[str]:
    """The region botocore would use for `profile` (its `region`, AWS_REGION, AWS_DEFAULT_REGION), or None."""
    from awsenv.aws import clients

    return clients.session(profile).get_config_variable("region") or None
