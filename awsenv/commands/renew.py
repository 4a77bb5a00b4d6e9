"""`awsenv renew`: what the shell integration runs just before a prompt when the credentials awsenv put in the shell
have AWSENV_RENEW_BEFORE seconds or fewer left. It renews them from whatever needs no person (the cache, a cached MFA
session, an SSO refresh, stored keys, mfa_process) and prints the code that replaces the credentials and their times
in the shell; nothing else (the region, the profile) is touched, so what the user set by hand stays.

When a person is needed, or renewing fails, one line on stderr says what and which command to run, once per set of
credentials; the printed code records that and when to try again, so no prompt starts a process before then. It
never asks anything and never fails the prompt: the exit status is 0 whatever happens.
"""

from __future__ import annotations

import os
import time
from typing import Mapping, Optional

from awsenv import env
from awsenv.errors import AwsenvError, MfaUnavailable, SignInNeeded
from awsenv.terminal import say

RETRY_AFTER = 60  # seconds between tries while renewing cannot succeed (another shell may get a new session)


def renew(shell: Optional[str], fmt: Optional[str] = None, environ: Mapping[str, str] = os.environ) -> int:
    import sys

    from awsenv.shells.output import choose_dialect, write_product

    dialect = choose_dialect(shell, fmt)
    profile = environ.get(env.PROFILE_MARKER)
    if not (profile and environ.get(env.EXPIRES_AT) and environ.get(env.ACCESS_KEY_ID)) or environ.get("AWS_PROFILE"):
        return 0  # not awsenv's credentials, or the user switched profile by hand: theirs to keep
    try:
        delta = _renewed(profile, environ)
    except AwsenvError as error:
        delta = _not_renewed(profile, error, environ)
    if sys.stdout.isatty():
        say("`awsenv renew` prints code for the shell integration, which runs it before a prompt: "
            "see `awsenv init --help`")
        return 0
    write_product(dialect.render(delta))  # only these names: an earlier session's variables stay as they are
    return 0


def _renewed(profile: str, environ: Mapping[str, str]) -> dict:
    from awsenv.shells.prompt import renew_before
    from awsenv.resolve.obtain import Request, obtain

    wanted = renew_before(environ) + RETRY_AFTER  # more than the window: never the same cached entry again
    result = obtain(Request(profile, "export", min_ttl=wanted, unattended=True), log=lambda _message: None)
    creds = result.credentials
    return env.renewed_for(creds.access_key_id, creds.secret_access_key, creds.session_token,
                           env.format_expiration(creds), env.expires_at(creds), result.person_needed_at)


def _not_renewed(profile: str, error: AwsenvError, environ: Mapping[str, str]) -> dict:
    expires = environ.get(env.EXPIRES_AT, "")
    if environ.get(env.RENEW_NOTICE) != expires:
        left = int(expires) - int(time.time()) if expires.isdigit() else 0
        when = f"end in {max(left, 0) // 60 + 1} min" if left > 0 else "have ended"
        if isinstance(error, MfaUnavailable):
            say(f"the credentials of profile {profile!r} {when}; renewing them needs an MFA code: "
                f"run `awsenv export {profile}`")
        elif isinstance(error, SignInNeeded):
            say(f"the credentials of profile {profile!r} {when}; renewing them needs a sign-in: "
                f"run `awsenv login {profile}`, then `awsenv export {profile}`")
        else:
            say(f"the credentials of profile {profile!r} {when} and could not be renewed: {error.message}"
                + (f" ({error.hint})" if error.hint else ""))
    return {env.RENEW_NOTICE: expires, env.RENEW_RETRY_AT: str(int(time.time()) + RETRY_AFTER)}
