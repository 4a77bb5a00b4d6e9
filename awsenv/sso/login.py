"""An IAM Identity Center access token for a session: the cached one, refreshed, or a new sign-in.

Read → usable? done. Otherwise take the session's cross-process lock and read again (another process may have
just signed in or refreshed), then refresh with the refresh token, then sign in with the device flow when
someone can approve it. However many processes ask at once, one of them refreshes or opens the browser.

Which sign-in: the one-click authorization code with PKCE (sso_pkce) for an sso-session when a browser can open
here; else the device code (sso_device): --use-device-code, a legacy sso_start_url profile, SSH, CI, no desktop,
or a saved client registration made for the device code (sso_pkce.device_code_reason says which).

When may a device sign-in start? When a terminal is attached (the code and URL are shown there), or when a
browser can be opened without one (BROWSER is set, a desktop session, macOS/Windows) and --no-browser was not
given: an SDK calling `awsenv credential-process` from an editor then still gets a browser tab to approve.
Anywhere else (cron, CI, ssh without a terminal) it fails at once with "run `awsenv login PROFILE`".
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Callable, Iterator, Optional

from awsenv import files, locking
from awsenv.locking import lock_timeout
from awsenv.errors import AwsError, SignInNeeded
from awsenv.model import SsoSession
from awsenv.sso.token_cache import REFRESH_WINDOW, SsoToken, cache_key, drop_token, read_token, write_token

trace = logging.getLogger("awsenv")

MIN_USABLE = 60  # a token with less than this left is not handed out


def sign_in_possible(browser: bool) -> bool:
    from awsenv.terminal import available as terminal_available
    from awsenv.sso.device import can_launch_browser

    return terminal_available() or (browser and can_launch_browser())


def describe(session: SsoSession) -> str:
    return f"sso-session {session.name!r}" if session.name else f"start URL {session.start_url}"


@contextmanager
def _session_lock(session: SsoSession) -> Iterator[None]:
    from awsenv.sso.oidc import state_dir

    try:
        directory = state_dir()
    except (files.UnsafeDirectory, OSError) as exc:
        trace.debug("no lock for the SSO sign-in (%s)", exc)
        yield
        return
    timeout = lock_timeout()
    with locking.held(os.path.join(directory, f"token-{cache_key(session)}.lock"),
                      f"the IAM Identity Center sign-in for {describe(session)}", timeout=timeout):
        yield


def _good(token: Optional[SsoToken], reject: Optional[str], window: float) -> bool:
    return token is not None and token.access_token != reject and token.seconds_left() > window


def access_token(profile: str, session: SsoSession, browser: bool, log: Callable[[str], None],
                 reject: Optional[str] = None, force: bool = False, use_device_code: bool = False,
                 sign_in: bool = True) -> SsoToken:
    """A usable access token. `reject`: a token the portal refused (never returned); `force`: sign in anew;
    `use_device_code`: sign in with the device code even where the one-click sign-in would work; `sign_in`: False
    when nobody may be asked (a saved or refreshed token only, else SignInNeeded)."""
    if not force:
        token = read_token(session)
        if _good(token, reject, REFRESH_WINDOW):
            trace.debug("SSO token for %s: from %s, %d min left", describe(session), "~/.aws/sso/cache",
                        token.seconds_left() // 60)  # type: ignore[union-attr]
            return token  # type: ignore[return-value]
        trace.debug("SSO token for %s: %s; taking the sign-in lock", describe(session),
                    _state(token, reject))
    with _session_lock(session):
        token = read_token(session)
        if not force:
            if _good(token, reject, REFRESH_WINDOW):
                return token  # type: ignore[return-value]
            if token is not None and token.access_token == reject:
                drop_token(session, token.access_token)
                token = None
            if token is not None:
                fresh = _refresh(profile, session, token, log)
                if fresh is not None:
                    return fresh
                if _good(token, None, MIN_USABLE):
                    log(f"the IAM Identity Center sign-in for profile {profile!r} ends in "
                        f"{int(token.seconds_left() // 60)} min and cannot be refreshed: "
                        f"run `awsenv login {profile}` to renew it")
                    return token
        if not sign_in:
            raise SignInNeeded(f"profile {profile!r}: the IAM Identity Center sign-in for {describe(session)} "
                               f"{'has ended' if token is not None else 'is missing'}",
                               hint=f"run `awsenv login {profile}`")
        with locking.waiting_on_user(f"waiting for the IAM Identity Center sign-in of profile {profile!r}"):
            return _sign_in(profile, session, browser, token, log, force, use_device_code)


def _state(token: Optional[SsoToken], reject: Optional[str]) -> str:
    if token is None:
        return "none saved"
    if token.access_token == reject:
        return "refused by the portal"
    return f"{int(token.seconds_left() // 60)} min left, under the 15 min refresh window"


def _refresh(profile: str, session: SsoSession, token: SsoToken, log: Callable[[str], None]) -> Optional[SsoToken]:
    if not token.refreshable(datetime.now(timezone.utc)):
        trace.debug("SSO token for %s cannot be refreshed (no refresh token or registration)", describe(session))
        return None
    from awsenv.sso import oidc as sso_oidc

    trace.debug("calling CreateToken (refresh) for %s", describe(session))
    fresh, why = sso_oidc.refresh(sso_oidc.client(profile, session), session, token)
    if fresh is None:
        trace.debug("refresh for %s failed: %s", describe(session), why)
        return None
    write_token(session, fresh)
    return fresh


def _sign_in(profile: str, session: SsoSession, browser: bool, old: Optional[SsoToken], log: Callable[[str], None],
             force: bool = False, use_device_code: bool = False) -> SsoToken:
    if not sign_in_possible(browser):
        state = "has expired" if old is not None else "is missing"
        raise AwsError(f"profile {profile!r}: the IAM Identity Center sign-in for {describe(session)} {state}, "
                       "and there is no terminal or browser to sign in with",
                       hint=f"run `awsenv login {profile}` (or `aws sso login --profile {profile}`) in a terminal, "
                            "then try again")
    from awsenv.sso import device as sso_device
    from awsenv.sso import oidc as sso_oidc
    from awsenv.sso import pkce as sso_pkce

    oidc = sso_oidc.client(profile, session)
    reason = sso_pkce.device_code_reason(session, use_device_code) or _device_registration(profile, session, force)
    if reason is None:
        trace.debug("starting a one-click (authorization code) sign-in for %s", describe(session))
        token = sso_pkce.sign_in(oidc, profile, session, browser)
    else:
        if session.name and not use_device_code:
            log(f"signing in with a device code: {reason}")
        trace.debug("starting a device sign-in for %s (%s)", describe(session), reason)
        registration = sso_oidc.register(oidc, profile, session)
        token = sso_device.sign_in(oidc, profile, session, registration, browser)
    write_token(session, token)
    return token


def _device_registration(profile: str, session: SsoSession, force: bool) -> Optional[str]:
    """Why a saved registration keeps this sign-in on the device code (it lacks the authorization_code grant)."""
    from awsenv.sso import registration as sso_registration

    saved = sso_registration.read(session)
    if force or saved is None or not saved.usable() or saved.for_auth_code:
        return None
    return (f"the saved client registration for {describe(session)} lacks the authorization_code grant (it was "
            f"made for the device code, by `aws sso login` of an AWS CLI before 2.22 or by --use-device-code) and "
            f"lasts until {saved.expires_at.strftime('%Y-%m-%d')}; `awsenv login {profile} --force` registers anew "
            "for the one-click sign-in")
