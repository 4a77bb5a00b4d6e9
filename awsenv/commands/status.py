"""`awsenv status [PROFILE]`: whether the profile's credentials can be had now with no person, read from the config
and the caches only (no AWS call, no prompt). Exit 0: yes; 1: a person is needed (an MFA code, a sign-in); 2: usage
or configuration error. Without PROFILE, the profile awsenv put in this shell (AWSENV_PROFILE)."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from typing import Optional

from awsenv.env import PROFILE_MARKER
from awsenv.errors import UsageError
from awsenv.resolve.standing import MFA, Standing

PERSON_NEEDED = 1


def show_status(profile: Optional[str], as_json: bool = False) -> int:
    from awsenv.cache.format import min_ttl
    from awsenv.config import profiles as aws_config
    from awsenv.plan.rules import resolve_plan
    from awsenv.resolve.engine import Engine, FlowOptions
    from awsenv.resolve.obtain import open_cache
    from awsenv.resolve.standing import standing

    name = profile or os.environ.get(PROFILE_MARKER)
    if not name:
        raise UsageError("`awsenv status` needs a PROFILE: awsenv has put no profile in this shell",
                         hint="run `awsenv status PROFILE`; `awsenv list` shows the profiles")
    config = aws_config.load()
    plan = resolve_plan(config, name, "export", None, None, os.environ)
    engine = Engine(config, FlowOptions(min_ttl=min_ttl()), open_cache(lambda _message: None))
    found = standing(plan, engine)
    print(json.dumps(as_document(found)) if as_json else describe(found))
    return PERSON_NEEDED if found.needs else 0


def as_document(found: Standing) -> dict:
    return {"profile": found.profile, "credentials_until": _iso(found.credentials_until),
            "person_needed_at": _iso(found.person_needed_at), "needs": found.needs}


def describe(found: Standing, now: Optional[datetime] = None) -> str:
    now = now or datetime.now(timezone.utc)
    if found.needs:
        what = "an MFA code" if found.needs == MFA else "a sign-in"
        return f"{found.profile}: {what} is needed ({_reason(found)}); run `{command_for(found)}`"
    held = (f"credentials valid until {_iso(found.credentials_until)}" if found.credentials_until
            else "credentials can be had now with no one's help")
    if found.person_needed_at is None:
        return f"{found.profile}: {held}; nothing foreseen needs a person"
    left = int((found.person_needed_at - now).total_seconds())
    return (f"{found.profile}: {held}; renews by itself until {_iso(found.person_needed_at)} "
            f"({_duration(left)} from now)")


def command_for(found: Standing) -> str:
    """What the person runs: a sign-in for IAM Identity Center, else the export that asks for the code."""
    from awsenv.model import SsoRoleCredentials

    if found.needs != MFA and isinstance(found.step, SsoRoleCredentials):
        return f"awsenv login {found.profile}"
    return f"awsenv export {found.profile}"


def _reason(found: Standing) -> str:
    step = found.step
    if found.needs == MFA:
        return f"for {getattr(step, 'mfa_serial', 'the MFA device')}, profile {step.profile!r}"
    return f"profile {step.profile!r} is not signed in, or its sign-in ended"


def _duration(seconds: int) -> str:
    seconds = max(seconds, 0)
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None
