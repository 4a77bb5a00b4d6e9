"""Where a profile stands, read from the cache and the sign-in caches only (no AWS call, no prompt): whether its
credentials can be had now with no person, until when they last, and when a person is next needed.

A person is needed for an MFA code (a step that carries one, unless its profile has mfa_process) and for an IAM
Identity Center or `aws login` sign-in that is missing or can no longer be refreshed. Everything else renews by
itself: long-lived keys, a cached MFA session, a valid or refreshable SSO token, credential_process, instance and
container roles, web identity.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from awsenv.model import READ_IN_PLACE, AssumeRole, GetSessionToken, LoginSession, Plan, SsoRoleCredentials, Step

MFA = "mfa"
SIGN_IN = "sign-in"


@dataclass(frozen=True)
class Standing:
    profile: str
    credentials_until: Optional[datetime]  # the profile's cached credentials, while the engine would hand them out
    person_needed_at: Optional[datetime]  # when a person is next needed (now, when `needs`); None: nothing foreseen
    needs: Optional[str]  # None, MFA or SIGN_IN: what a person must do before credentials can be had
    step: Optional[Step] = None  # the step that needs the person


def needs_code(step: Step) -> bool:
    """A step that sends an MFA code no program can give (no mfa_process): a person types it."""
    return isinstance(step, (GetSessionToken, AssumeRole)) and bool(step.mfa_serial) and not step.mfa_process


def standing(plan: Plan, engine, now: Optional[datetime] = None) -> Standing:
    """Where `plan`'s target stands, given what `engine`'s cache holds (the engine is not run)."""
    now = now or datetime.now(timezone.utc)
    entries = _cached(plan, engine)
    usable = [creds is not None and creds.seconds_left(now) > engine.options.min_ttl for creds in entries]
    top = max((index for index, ok in enumerate(usable) if ok), default=-1)
    until = entries[-1].expiration if usable[-1] else None
    for index in range(top + 1, len(plan.steps)):
        step = plan.steps[index]
        need = MFA if needs_code(step) else _sign_in_needed(step, now)
        if need:
            return Standing(plan.target, until, now, need, step)
    return Standing(plan.target, until, person_needed_at(plan, engine, now, entries), None)


def person_needed_at(plan: Plan, engine, now: Optional[datetime] = None,
                     entries: Optional[list] = None) -> Optional[datetime]:
    """When renewing `plan`'s credentials next needs a person, assuming they can be had now: the end of the
    earliest cached credentials obtained with a typed MFA code (an MFA session, or a role assumed with the code),
    or of an SSO sign-in that cannot be refreshed. None when nothing foreseeable needs one."""
    now = now or datetime.now(timezone.utc)
    entries = _cached(plan, engine) if entries is None else entries
    ends: list[datetime] = []
    for index, step in enumerate(plan.steps):
        if needs_code(step):
            held = next((creds for creds in entries[index:] if creds is not None and creds.seconds_left(now) > 0),
                        None)
            ends.append(held.expiration if held is not None and held.expiration is not None else now)
        elif isinstance(step, SsoRoleCredentials):
            token = _sso_token(step)
            if token is not None and not token.refreshable(now):
                ends.append(token.expires_at)
    return min(ends) if ends else None


def epoch(moment: Optional[datetime]) -> Optional[int]:
    return int(moment.timestamp()) if moment is not None else None


def _cached(plan: Plan, engine) -> list:
    """Per step: the credentials its cache entry holds (even expired), or None."""
    found = []
    for index, step in enumerate(plan.steps):
        entry = None
        if engine.cache is not None and not isinstance(step, READ_IN_PLACE):
            entry = engine.cache.read(engine.step_key(plan, index))
        found.append(entry["credentials"] if entry else None)
    return found


def _sign_in_needed(step: Step, now: datetime) -> Optional[str]:
    if isinstance(step, SsoRoleCredentials):
        token = _sso_token(step)
        if token is None or (token.seconds_left(now) <= 60 and not token.refreshable(now)):
            return SIGN_IN
    if isinstance(step, LoginSession) and not os.path.exists(_login_cache_file(step.session)):
        return SIGN_IN
    return None


def _sso_token(step: SsoRoleCredentials):
    from awsenv.sso.token_cache import read_token

    return read_token(step.session)


def _login_cache_file(session: str) -> str:
    """Where the AWS CLI's `aws login` keeps the session's tokens (AWS_LOGIN_CACHE_DIRECTORY, else
    ~/.aws/login/cache), named by the SHA-256 of the login_session value."""
    directory = os.environ.get("AWS_LOGIN_CACHE_DIRECTORY") or os.path.join(os.path.expanduser("~"), ".aws",
                                                                            "login", "cache")
    return os.path.join(os.path.expanduser(directory), hashlib.sha256(session.encode()).hexdigest() + ".json")
