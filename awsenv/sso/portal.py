"""The SSO portal calls made with an access token: GetRoleCredentials, ListAccounts, ListAccountRoles."""

from __future__ import annotations

from datetime import datetime, timezone

from awsenv.aws.faults import otherwise
from awsenv.errors import AwsError
from awsenv.model import Credentials, SsoSession
from awsenv.sso.oidc import client, error_code, refused, unreachable


class TokenRejected(AwsError):
    """The portal does not accept the access token (expired or revoked on the server)."""


def _call(profile: str, session: SsoSession, what: str, call):
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return call(client(profile, session, "sso"))
    except ClientError as exc:
        code = error_code(exc)
        if code == "UnauthorizedException":
            raise TokenRejected(f"profile {profile!r}: {what}: the IAM Identity Center sign-in is no longer valid",
                                hint=f"run `awsenv login {profile}`") from None
        if code == "ForbiddenException":
            raise refused(profile, what, exc, "check sso_account_id and sso_role_name: this sign-in has no such "
                                              "assignment (leave them out and run on a terminal to choose from "
                                              "the ones it has)") from None
        if code == "TooManyRequestsException":
            raise refused(profile, what, exc, "IAM Identity Center is throttling: wait a moment and try again") from None
        raise refused(profile, what, exc, otherwise(exc, "sso")) from None
    except BotoCoreError as exc:
        raise unreachable(profile, session, what, exc, "sso") from None


def role_credentials(profile: str, session: SsoSession, token: str, account_id: str, role_name: str) -> Credentials:
    answer = _call(profile, session, "GetRoleCredentials", lambda sso: sso.get_role_credentials(
        accessToken=token, accountId=account_id, roleName=role_name))
    raw = answer["roleCredentials"]
    return Credentials(raw["accessKeyId"], raw["secretAccessKey"], raw["sessionToken"],
                       datetime.fromtimestamp(raw["expiration"] / 1000, timezone.utc))


def accounts(profile: str, session: SsoSession, token: str) -> list[tuple[str, str]]:
    """(account id, account name) of every account the sign-in may use, all pages."""
    def listing(sso) -> list[tuple[str, str]]:
        found = []
        for page in sso.get_paginator("list_accounts").paginate(accessToken=token):
            found += [(a["accountId"], a.get("accountName", "")) for a in page.get("accountList", [])]
        return found

    return sorted(_call(profile, session, "ListAccounts", listing))


def roles(profile: str, session: SsoSession, token: str, account_id: str) -> list[str]:
    """The role names the sign-in may use in `account_id`, all pages."""
    def listing(sso) -> list[str]:
        found = []
        for page in sso.get_paginator("list_account_roles").paginate(accessToken=token, accountId=account_id):
            found += [r["roleName"] for r in page.get("roleList", [])]
        return found

    return sorted(_call(profile, session, "ListAccountRoles", listing))


def assignments(profile: str, session: SsoSession, token: str, workers: int = 4) -> list[tuple[str, str, str]]:
    """(account id, account name, role name) for every role of every account the sign-in may use, all pages,
    through one client: the accounts first, then the roles of `workers` accounts at a time."""
    from concurrent.futures import ThreadPoolExecutor

    def pages(sso, operation: str, items: str, **params) -> list[dict]:
        return [item for page in sso.get_paginator(operation).paginate(accessToken=token, **params)
                for item in page.get(items, [])]

    def listing(sso) -> list[tuple[str, str, str]]:
        accounts = sorted((a["accountId"], a.get("accountName", "")) for a in pages(sso, "list_accounts", "accountList"))
        if not accounts:
            return []
        with ThreadPoolExecutor(max_workers=min(workers, len(accounts))) as pool:
            roles = list(pool.map(lambda account: sorted(r["roleName"] for r in pages(
                sso, "list_account_roles", "roleList", accountId=account[0])), accounts))
        return [(account, name, role) for (account, name), names in zip(accounts, roles) for role in names]

    return _call(profile, session, "ListAccounts/ListAccountRoles", listing)
