"""Every account and role an IAM Identity Center sign-in may use: the sign-in (saved, refreshed or new), then
ListAccounts and ListAccountRoles with all their pages (`sso_portal.assignments`)."""

from __future__ import annotations

from typing import Callable, Optional

from awsenv.model import SsoSession
from awsenv.populate.names import Assignment


def assignments(profile: Optional[str], session: SsoSession, browser: bool,
                log: Callable[[str], None]) -> list[Assignment]:
    """`profile`: a profile of the session whose settings the botocore clients use (None: no profile)."""
    from awsenv.sso.login import access_token
    from awsenv.sso.portal import TokenRejected

    token = access_token(profile, session, browser, log)  # type: ignore[arg-type]
    try:
        return _listing(profile, session, token.access_token)
    except TokenRejected:
        log("IAM Identity Center no longer accepts the saved sign-in: signing in again")
    token = access_token(profile, session, browser, log, reject=token.access_token)  # type: ignore[arg-type]
    return _listing(profile, session, token.access_token)


def _listing(profile: Optional[str], session: SsoSession, token: str) -> list[Assignment]:
    from awsenv.sso import portal as sso_portal

    return [Assignment(*found) for found in sso_portal.assignments(profile, session, token)]  # type: ignore[arg-type]
