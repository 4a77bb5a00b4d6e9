"""The AWS calls `awsenv keys` makes: who a key belongs to (sts:GetCallerIdentity) and IAM's access keys."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from awsenv.aws.sts import DEFAULT_STS_REGION, botocore_session
from awsenv.errors import AwsError
from awsenv.model import Credentials


class KeyRefused(AwsError):
    """AWS does not (yet) accept the key: unknown, deleted, or too new for IAM's eventual consistency."""


def _client(service: str, profile: str, creds: Credentials, region: Optional[str]):
    from botocore.config import Config

    return botocore_session(profile).create_client(
        service, region_name=region or DEFAULT_STS_REGION, aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key, aws_session_token=creds.session_token,
        config=Config(connect_timeout=5, read_timeout=15, retries={"mode": "standard", "max_attempts": 3}))


def _call(service: str, operation: str, profile: str, creds: Credentials, region: Optional[str], **params):
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client = _client(service, profile, creds, region)
        return getattr(client, operation)(**params)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "Unknown"), error.get("Message", "")
        text = f"profile {profile!r}: {service}:{_api_name(operation)} failed: {code}: {message}".rstrip(": ")
        if code in ("InvalidClientTokenId", "SignatureDoesNotMatch"):
            raise KeyRefused(text, hint="check the access key id and secret (AWS does not know this pair)") from None
        if code == "AccessDenied":
            raise AwsError(text, hint=f"the user needs iam:{_api_name(operation)} on itself"
                                      + (" (and with mfa_serial set, IAM calls need an MFA session)"
                                         if service == "iam" else "")) from None
        raise AwsError(text, hint="see the AWS error above") from None
    except BotoCoreError as exc:
        raise AwsError(f"profile {profile!r}: {service}:{_api_name(operation)} could not reach AWS: "
                       f"{type(exc).__name__}", hint="check the network and proxy settings") from None


def _api_name(operation: str) -> str:
    return "".join(part.capitalize() for part in operation.split("_"))


def caller_identity(profile: str, creds: Credentials, region: Optional[str] = None) -> dict:
    answer = _call("sts", "get_caller_identity", profile, creds, region)
    return {"Account": answer.get("Account"), "Arn": answer.get("Arn"), "UserId": answer.get("UserId")}


def user_name(arn: str) -> Optional[str]:
    """The IAM user's name in arn:aws:iam::ACCOUNT:user/PATH/NAME, or None for any other kind of identity."""
    resource = arn.split(":", 5)[-1] if arn.count(":") >= 5 else ""
    return resource.rsplit("/", 1)[-1] if resource.startswith("user/") else None


def list_access_keys(profile: str, creds: Credentials, region: Optional[str], user: str) -> list[dict]:
    answer = _call("iam", "list_access_keys", profile, creds, region, UserName=user)
    return [{"AccessKeyId": item["AccessKeyId"], "Status": item.get("Status"),
             "CreateDate": _utc(item.get("CreateDate"))} for item in answer.get("AccessKeyMetadata", [])]


def create_access_key(profile: str, creds: Credentials, region: Optional[str], user: str) -> Credentials:
    answer = _call("iam", "create_access_key", profile, creds, region, UserName=user)["AccessKey"]
    return Credentials(answer["AccessKeyId"], answer["SecretAccessKey"])


def delete_access_key(profile: str, creds: Credentials, region: Optional[str], user: str, key_id: str) -> None:
    _call("iam", "delete_access_key", profile, creds, region, UserName=user, AccessKeyId=key_id)


def _utc(moment) -> Optional[datetime]:
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return None
