"""Which credentials a console sign-in uses, and how long the console session can last for them.

The sign-in service's rules (IAM guide, "Enable custom identity broker access to the AWS console"):
- `SessionDuration` (900..43200 s) sets the console session apart from the credentials' own life, but only for
  role credentials from a call made with long-lived keys (and IAM Identity Center role credentials); role-chained
  credentials are refused with it, and so are GetFederationToken credentials;
- without it the console lasts as long as the credentials;
- an IAM user's keys cannot sign in: they go through GetFederationToken (900..129600 s; the console lasts that long).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

from awsenv.cache.format import CONSOLE_CHAINED_SLACK, DEFAULT_MIN_TTL
from awsenv.durations import CHAINED_MAX, format_seconds
from awsenv.errors import UsageError
from awsenv.model import AssumeRole, Credentials, GetSessionToken, Plan, SsoRoleCredentials

SESSION_DURATION_RANGE = (900, 43200)
FEDERATION_TOKEN_RANGE = (900, 129600)
DEFAULT_SESSION_DURATION = 43200


@dataclass(frozen=True)
class ConsoleSession:
    kind: str  # role, sso, chained, federation, temporary; or root until the root credentials are known
    session_duration: Optional[int] = None  # SessionDuration for getSigninToken
    federation_duration: Optional[int] = None  # DurationSeconds for GetFederationToken
    min_ttl: Optional[float] = None  # the least life left the credentials need (None: the usual minimum)
    notes: tuple[str, ...] = ()


def check_minimum(requested: Optional[int]) -> None:
    if requested is not None and requested < SESSION_DURATION_RANGE[0]:
        raise UsageError(f"duration {format_seconds(requested)} is shorter than the 15m console session the AWS "
                         "sign-in service allows", hint="ask for --duration 15m or more")


def for_plan(plan: Plan, requested: Optional[int]) -> ConsoleSession:
    """The console session the plan's last step allows (pure)."""
    check_minimum(requested)
    last = plan.steps[-1]
    name = plan.target
    if isinstance(last, AssumeRole) and last.chained:
        notes = ()
        if requested is not None and requested > CHAINED_MAX:
            notes = (f"{name}: its role is assumed with temporary credentials (role chaining), and the sign-in "
                     "service takes no console session length for those: the console lasts as long as the "
                     f"credentials, at most 1h (asked for {format_seconds(requested)})",)
        wanted = min(requested or last.duration or CHAINED_MAX, CHAINED_MAX)
        return ConsoleSession("chained", min_ttl=max(wanted - CONSOLE_CHAINED_SLACK, DEFAULT_MIN_TTL), notes=notes)
    if isinstance(last, (AssumeRole, SsoRoleCredentials)):
        kind = "role" if isinstance(last, AssumeRole) else "sso"
        seconds, notes = requested or DEFAULT_SESSION_DURATION, ()
        if seconds > SESSION_DURATION_RANGE[1]:
            notes = (f"{name}: the sign-in service allows a console session of at most 12h "
                     f"(asked for {format_seconds(seconds)}); asking for 12h",)
            seconds = SESSION_DURATION_RANGE[1]
        return ConsoleSession(kind, session_duration=seconds, notes=notes)
    return ConsoleSession("root")


def for_root(name: str, creds: Credentials, requested: Optional[int], mfa_serial: Optional[str]) -> ConsoleSession:
    """The console session for a chain's root credentials: long-lived keys need a federation token first."""
    if creds.session_token:
        notes = ()
        if requested is not None:
            notes = (f"{name}: its credentials are temporary ones of an unknown kind, and the sign-in service "
                     "extends only role sessions: the console lasts as long as the credentials; --duration is "
                     "ignored",)
        return ConsoleSession("temporary", notes=notes)
    notes: list[str] = []
    seconds = requested
    if seconds is not None and seconds > FEDERATION_TOKEN_RANGE[1]:
        notes.append(f"{name}: an IAM user signs in to the console with a federation token (GetFederationToken), "
                     f"which lasts at most 36h (asked for {format_seconds(seconds)}); asking for 36h")
        seconds = FEDERATION_TOKEN_RANGE[1]
    if mfa_serial:
        notes.append(f"{name}: a federation token cannot carry MFA, so the console session has no "
                     "aws:MultiFactorAuthPresent; use a role profile with mfa_serial when policies require MFA")
    return ConsoleSession("federation", federation_duration=seconds, notes=tuple(notes))


def root_plan(plan: Plan) -> Plan:
    """For an IAM user's plan: the steps up to the keys, without the GetSessionToken the console cannot use."""
    if isinstance(plan.steps[-1], GetSessionToken) and len(plan.steps) > 1:
        return replace(plan, steps=plan.steps[:-1], notes=())
    return plan

