"""One function per STS call, and what STS's refusals mean for the profile (the words shared with the other AWS calls
are in aws/faults.py, the client in aws/clients.py)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Optional, Sequence

from awsenv.errors import AwsError, ConfigError, UsageError
from awsenv.model import Credentials
from awsenv.aws import clients
from awsenv.aws.faults import after, clock_off, expired_on_arrival, otherwise, refusal, server_date, unreachable


class MfaCodeRejected(AwsError):
    """AWS refused the one-time code (invalid, expired or already used)."""


# STS answers a wrong, an expired and a used code alike: a message may not name one of them as the reason.
REJECTED_BECAUSE = "it was wrong, expired or already used (AWS does not say which)"


class SourceRefused(AwsError):
    """AWS refused the credentials the call was signed with (expired or unknown session)."""


class StsUnreachable(AwsError):
    """No answer from STS (network, proxy, DNS, timeouts): cached credentials still valid may be served instead."""


def _credentials(response: dict) -> Credentials:
    raw = response["Credentials"]
    expiration = raw["Expiration"]
    if isinstance(expiration, str):
        expiration = datetime.fromisoformat(expiration.replace("Z", "+00:00"))
    if expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=timezone.utc)
    return Credentials(raw["AccessKeyId"], raw["SecretAccessKey"], raw["SessionToken"],
                       expiration.astimezone(timezone.utc))


def get_session_token(profile: str, source: Credentials, region: Optional[str], duration: Optional[int],
                      mfa_serial: Optional[str] = None, code: Optional[str] = None) -> Credentials:
    params: dict = {}
    if duration is not None:
        params["DurationSeconds"] = duration
    if mfa_serial:
        params["SerialNumber"], params["TokenCode"] = mfa_serial, code
    return _call(profile, "GetSessionToken", source, region, params, mfa_serial)


def assume_role(profile: str, source: Credentials, region: Optional[str], role_arn: str, session_name: str,
                duration: Optional[int], external_id: Optional[str] = None, mfa_serial: Optional[str] = None,
                code: Optional[str] = None, source_identity: Optional[str] = None,
                tags: Sequence[tuple[str, str]] = (), transitive_tag_keys: Sequence[str] = ()) -> Credentials:
    params: dict = {"RoleArn": role_arn, "RoleSessionName": session_name}
    if source_identity:
        params["SourceIdentity"] = source_identity
    if tags:
        params["Tags"] = [{"Key": key, "Value": value} for key, value in tags]
    if transitive_tag_keys:
        params["TransitiveTagKeys"] = list(transitive_tag_keys)
    if duration is not None:
        params["DurationSeconds"] = duration
    if external_id:
        params["ExternalId"] = external_id
    if mfa_serial:
        params["SerialNumber"], params["TokenCode"] = mfa_serial, code
    return _call(profile, "AssumeRole", source, region, params, mfa_serial)


def get_federation_token(profile: str, source: Credentials, region: Optional[str], name: str,
                         duration: Optional[int]) -> Credentials:
    """Console sessions for an IAM user: the federated user gets at most the user's own permissions."""
    params: dict = {"Name": name[:32], "Policy": _ALLOW_ALL}
    if duration is not None:
        params["DurationSeconds"] = duration
    return _call(profile, "GetFederationToken", source, region, params, None)


_METHODS = {"GetSessionToken": "get_session_token", "AssumeRole": "assume_role",
            "GetFederationToken": "get_federation_token"}
_ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


def _call(profile: str, operation: str, source: Credentials, region: Optional[str], params: dict,
          mfa_serial: Optional[str]) -> Credentials:
    from botocore.exceptions import (BotoCoreError, ClientError, InvalidSTSRegionalEndpointsConfigError,
                                     ParamValidationError)

    try:
        # The profile selects its own endpoint_url / services settings; credentials are always passed explicitly.
        # A call carrying an MFA code is retried too: STS uses a code up only when it answers with credentials, so
        # a retry after a throttle or a 5xx goes through; after an answer lost on the way, STS may refuse it as used,
        # and that refusal is reported as such (see explain_client_error).
        client = clients.client("sts", profile, region, source)
        method = getattr(client, _METHODS[operation])
        response = method(**params)
    except ClientError as exc:
        raise explain_client_error(profile, operation, exc, params, temporary=bool(source.session_token)) from None
    except ParamValidationError as exc:
        # botocore's own check of the request, before sending it; its text may quote values, so only names are told
        names = sorted(set(re.findall(r"parameter (\w+)", str(exc)))) or ["?"]
        raise UsageError(f"profile {profile!r}: {operation} would be refused: {', '.join(names)} out of what STS "
                         "accepts", hint="check the profile's values (`awsenv explain` shows the request)") from None
    except InvalidSTSRegionalEndpointsConfigError as exc:
        raise ConfigError(f"profile {profile!r}: sts_regional_endpoints is "
                          f"{getattr(exc, 'kwargs', {}).get('sts_regional_endpoints_config')!r}",
                          hint="set it to `regional` or `legacy` (the profile's sts_regional_endpoints, or "
                               "AWS_STS_REGIONAL_ENDPOINTS)") from None
    except BotoCoreError as exc:
        raise StsUnreachable(*unreachable(profile, operation, exc, region or clients.DEFAULT_REGION,
                                          clients.MAX_ATTEMPTS)) from None
    creds = _credentials(response)
    if creds.seconds_left() <= 0:
        # Never handed out nor cached: every SDK would take them for expired at once.
        raise AwsError(*expired_on_arrival(profile, operation, creds.expiration, _server_date(response)))
    return creds


def _server_date(response: dict) -> Optional[str]:
    return response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")


def explain_client_error(profile: str, operation: str, exc, params: dict, temporary: bool = False) -> AwsError:
    code, message, attempts = refusal(exc)
    call = f"{operation} of {params['RoleArn']}" if params.get("RoleArn") else operation  # which role of a chain
    tried = after(attempts)
    text = f"profile {profile!r}: {call} failed{tried}: {code}: {message}".rstrip(": ")
    lowered = message.lower()
    if "TokenCode" in params and ("mfa" in lowered or "multifactor" in lowered or "one time pass" in lowered):
        text = (f"profile {profile!r}: AWS rejected the MFA code: {REJECTED_BECAUSE} "
                f"({call}{tried}: {code}: {message})")
        lost = (" (an earlier attempt of this request got no answer: STS may have used the code then)"
                if attempts > 1 else "")
        if "unable to validate" in lowered:
            return MfaCodeRejected(text, hint="check that mfa_serial is the ARN of the device you read the code "
                                              "from; if it is, wait for the next code and try again" + lost)
        return MfaCodeRejected(text, hint="wait for the next code and try again (each code works once)" + lost)
    skew = clock_off(code, message, server_date(exc))
    if skew is not None:
        return AwsError(f"profile {profile!r}: {operation} failed: {code}: {skew[0]}", hint=skew[1])
    if code == "AccessDenied" and operation == "AssumeRole":
        hints = ["the role's trust policy must allow this caller"]
        if "ExternalId" in params:
            hints.append("external_id must match the trust policy's sts:ExternalId")
        else:
            hints.append("if the trust policy requires sts:ExternalId, set external_id in the profile")
        if "TokenCode" not in params:
            hints.append("if it requires MFA, set mfa_serial in the profile")
        if "SourceIdentity" in params:
            hints.append("setting source_identity needs sts:SetSourceIdentity in the caller's policy and the role's "
                         "trust policy, and a chain that already carries a source identity cannot change it")
        if "Tags" in params:
            hints.append("passing session_tags needs sts:TagSession in the caller's policy and the role's trust "
                         "policy")
        return AwsError(text, hint="; ".join(hints))
    if code == "ValidationError" and "chaining" in lowered:
        from awsenv.durations import chaining_cap

        return AwsError(f"profile {profile!r}: {operation} refused: "
                        f"{chaining_cap(int(params.get('DurationSeconds') or 0))}: a role assumed with temporary "
                        "credentials (role chaining) lasts at most 1h",
                        hint="ask for --duration 1h or less; `awsenv explain` shows which hops are chained")
    if code == "ValidationError" and "maxsessionduration" in lowered and "RoleArn" in params:
        return AwsError(f"profile {profile!r}: {operation} refused: role {params['RoleArn']} allows at most its "
                        f"maximum session duration, less than the {params.get('DurationSeconds')} s asked for (STS "
                        "does not say how much)",
                        hint="ask for a shorter --duration (1h always works), or raise the role's maximum session "
                             "duration in IAM")
    if code == "ValidationError" and "DurationSeconds" in message:
        return AwsError(text, hint="ask for a shorter --duration, or raise the role's maximum session duration")
    if code in ("ExpiredToken", "ExpiredTokenException"):
        if temporary:
            return SourceRefused(text, hint="the temporary credentials it was signed with have expired: refresh "
                                            "them (aws_session_token in the profile) or run again with --no-cache")
        return AwsError(text, hint="AWS says the credentials have expired: check the system clock")
    if code == "InvalidClientTokenId":
        if temporary:
            return SourceRefused(text, hint="the session it was signed with is not valid (revoked, or from another "
                                            "partition): refresh it, or run again with --no-cache")
        return AwsError(text, hint="the access key is unknown to AWS: check aws_access_key_id, or that the keys "
                                   "are long-lived IAM user keys and not deleted")
    if code == "SignatureDoesNotMatch":
        return AwsError(text, hint="the secret key does not match the access key (or the clock is off)")
    if code == "RegionDisabledException":
        return AwsError(text, hint="STS is not activated in this region: use --region with an enabled region")
    return AwsError(text, hint=otherwise(exc))
