"""The AWS calls `awsenv keys` makes: who a key belongs to (sts:GetCallerIdentity) and IAM's access keys."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from awsenv.aws import clients
from awsenv.aws.faults import otherwise, refusal, refused, unreachable
from awsenv.errors import AwsError
from awsenv.model import Credentials


class KeyRefused(AwsError):
    """AWS does not (yet) accept the key: unknown, deleted, or too new for IAM's eventual consistency."""


def _call(service: str, operation: str, profile: str, creds: Credentials, region: Optional[str], **params):
    from botocore.exceptions import BotoCoreError, ClientError

    call = f"{service}:{_api_name(operation)}"
    try:
        client = clients.client(service, profile, region, creds)
        return getattr(client, operation)(**params)
    except ClientError as exc:
        code = refusal(exc)[0]
        if code in ("InvalidClientTokenId", "SignatureDoesNotMatch"):
            raise KeyRefused(refused(profile, call, exc),
                             hint="check the access key id and secret (AWS does not know this pair)") from None
        if code == "AccessDenied":
            raise AwsError(refused(profile, call, exc), hint=f"the user needs iam:{_api_name(operation)} on itself"
                           + (" (and with mfa_serial set, IAM calls need an MFA session)"
                              if service == "iam" else "")) from None
        raise AwsError(refused(profile, call, exc), hint=otherwise(exc, service)) from None
    except BotoCoreError as exc:
        raise AwsError(*unreachable(profile, call, exc, region or clients.DEFAULT_REGION, clients.MAX_ATTEMPTS,
                                    service, place="AWS",
                                    hint=f"check the network, the proxy settings and the {service.upper()} endpoint "
                                         f"(AWS_ENDPOINT_URL_{service.upper()}, endpoint_url)")) from None


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
