"""`awsenv login PROFILE` for console credentials (`login_session` profiles, or `--aws-login` to make one).

Read the saved session → still good for more than 5 minutes? done. Due: refresh it with its refresh token. Ended,
missing, or `--force`: sign in through the browser (awsenv.sso.console_browser), save the token where the AWS CLI keeps
it, and with `--aws-login` write `login_session` into the profile. However many processes run this at once, one
signs in: the profile's sign-in lock is taken, then everything is read again. A refresh or a save also holds the
lock awsenv's own refresh of that session takes, so the rotating refresh token is never spent twice.
"""

from __future__ import annotations

import logging
import os
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Optional

from awsenv import files
from awsenv.errors import AwsError, ConfigError
from awsenv.model import Profile
from awsenv.sso import console_cache as token_cache
from awsenv.sso.console_dpop import ProofKey

trace = logging.getLogger("awsenv")

REUSE_SECONDS = 5 * 60  # as botocore's refresh: credentials with more left are used as they are
REFUSED_WITH = {"aws_access_key_id": "keys", "sso_session": "IAM Identity Center (sso_session)",
                "sso_start_url": "IAM Identity Center (sso_start_url)", "role_arn": "role_arn",
                "credential_process": "credential_process", "web_identity_token_file": "web identity"}


@dataclass(frozen=True)
class Outcome:
    session: str
    expires_at: str
    how: str  # "valid", "refreshed" or "signed in"
    profile_written: bool = False


def refuse_other_sources(profile: Optional[Profile]) -> None:
    """`--aws-login` on a profile that gets credentials another way: exit 2, as `aws login` refuses it."""
    if profile is None:
        return
    found = [label for key, label in REFUSED_WITH.items() if getattr(profile, key, None)]
    if profile.has_any_keys and "keys" not in found:
        found.insert(0, "keys")
    if found:
        raise ConfigError(f"profile {profile.name!r} already gets its credentials from {', '.join(found)}; "
                          "it cannot also be a console sign-in profile",
                          hint=f"use another profile name (`awsenv login NEW --aws-login` creates it), or remove "
                               f"{', '.join(found)} from {profile.name!r} first")


def login(name: str, region: str, write_region: bool, aws_login: bool, force: bool,
          remote: bool, browser: bool, log: Callable[[str], None], confirm: Callable[[str], bool],
          session_locked: bool = False, spent: Optional[str] = None) -> Outcome:
    """Make sure profile `name` has a usable console sign-in (it may not exist yet: `aws_login` creates it).
    `confirm(question)` asks the person (False without a terminal). `session_locked`: the caller holds the
    session's renewal lock already; `spent`: a refresh token just refused (not tried again)."""
    from awsenv.paths import config_path

    with _lock(f"profile-{os.path.realpath(config_path())}-{name}", f"the console sign-in of profile {name!r}"):
        session = _current_session(name)  # read again: another process may have just signed this profile in
        if session is not None and not force:
            done = _reuse_or_refresh(name, session, region, session_locked, spent)
            if done is not None:
                return done
        from awsenv import locking

        with locking.waiting_on_user(f"waiting for the console sign-in of profile {name!r} in the browser"):
            signed = _sign_in(name, region, remote, browser)
        if session is not None and signed.session != session and not confirm(
                f"Profile {name} uses the session {session}; switch it to {signed.session}? [y/N] "):
            raise AwsError(f"profile {name!r}: signed in as {signed.session}, but the profile uses {session}; "
                           "the profile was left as it was and nothing was saved",
                           hint="sign in as the principal the profile names, or answer yes to switch")
        _save(name, signed.session, signed.token, session_locked and signed.session == session)
        written = False
        if aws_login or session != signed.session:
            values = {"login_session": signed.session}
            if write_region:
                values["region"] = region
            written = _write_profile(name, values)
        return Outcome(signed.session, signed.token["accessToken"]["expiresAt"], "signed in", written)


def _current_session(name: str) -> Optional[str]:
    """The profile's login_session as the config file says now (another process may have just written it)."""
    from awsenv.config import profiles as config

    found = config.load().profiles.get(name)
    return found.login_session if found is not None else None


def _reuse_or_refresh(name: str, session: str, region: str, session_locked: bool,
                      spent: Optional[str]) -> Optional[Outcome]:
    token = token_cache.read(session)
    if token is None:
        trace.debug("console sign-in of %s: nothing saved for %s", name, session)
        return None
    if token_cache.seconds_left(token) > REUSE_SECONDS:
        return Outcome(session, token["accessToken"]["expiresAt"], "valid")
    from awsenv.aws import signin as aws_signin

    with _lock(_engine_key(session), f"the LoginSession of profile {name!r}", engine=True, skip=session_locked):
        token = token_cache.read(session)  # awsenv's own refresh may have just run
        if token is None:
            return None
        if token_cache.seconds_left(token) > REUSE_SECONDS:
            return Outcome(session, token["accessToken"]["expiresAt"], "valid")
        if spent is not None and token.get("refreshToken") == spent:
            return None
        trace.debug("console sign-in of %s: %d s left; calling CreateOAuth2Token (refresh)", name,
                    token_cache.seconds_left(token))
        try:
            fresh = refresh(name, session, token, region)
        except aws_signin.SessionEnded as ended:
            trace.debug("console sign-in of %s: %s; signing in anew", name, ended)
            return None
        except ValueError:
            trace.debug("console sign-in of %s: the saved DPoP key is unreadable; signing in anew", name)
            return None
        _write_token(session, fresh)
    return Outcome(session, fresh["accessToken"]["expiresAt"], "refreshed")


def refresh(name: str, session: str, token: dict, region: str) -> dict:
    """New credentials and refresh token for a saved session (CreateOAuth2Token, refresh_token grant, DPoP with
    the session's own key). Raises SessionEnded when only a new sign-in helps."""
    from datetime import datetime, timedelta, timezone

    from awsenv.aws import signin as aws_signin

    key = ProofKey.from_pem(str(token["dpopKey"]))
    client = aws_signin.client(name, str(token.get("signInRegion") or region))
    request = {"clientId": token["clientId"], "refreshToken": token["refreshToken"], "grantType": "refresh_token"}
    output = aws_signin.create_token(client, name, request, key.proof)
    expires = datetime.now(timezone.utc) + timedelta(seconds=output["expiresIn"])
    keys = output["accessToken"]
    return {**token,
            "accessToken": {"accessKeyId": keys["accessKeyId"], "secretAccessKey": keys["secretAccessKey"],
                            "sessionToken": keys["sessionToken"], "accountId": token["accessToken"].get("accountId"),
                            "expiresAt": expires.strftime(token_cache.TIME_FORMAT)},
            "refreshToken": output["refreshToken"]}


def _sign_in(name: str, region: str, remote: bool, browser: bool):
    from awsenv.aws import signin as aws_signin
    from awsenv.sso.console_browser import sign_in
    from awsenv.sso.pkce import timeout_seconds

    limit = timeout_seconds()
    client = aws_signin.client(name, region)
    trace.debug("starting a console sign-in (%s) for %s at %s", "remote" if remote else "same device", name,
                aws_signin.base_url(client))
    signed = sign_in(client, name, region, remote, browser, limit)
    trace.debug("console sign-in of %s: CreateOAuth2Token answered for %s", name, signed.session)
    return signed


def _save(name: str, session: str, token: dict, session_locked: bool = False) -> None:
    """The new token, where the AWS CLI reads it; awsenv's cached credentials of an earlier sign-in are dropped."""
    with _lock(_engine_key(session), f"the LoginSession of profile {name!r}", engine=True, skip=session_locked):
        _write_token(session, token)
        cache = _credential_cache()
        if cache is not None:
            cache.remove(_engine_key(session))


def _write_token(session: str, token: dict) -> None:
    try:
        token_cache.write(session, token)
    except files.UnsafeDirectory as exc:
        raise ConfigError(f"cannot save the console sign-in: {exc}",
                          hint="make the directory yours and private (chmod 700), or set AWS_LOGIN_CACHE_DIRECTORY"
                          ) from None


def _write_profile(name: str, values: dict[str, str]) -> bool:
    from awsenv.config.profile_edit import set_profile_values
    from awsenv.paths import config_path

    return set_profile_values(name, values, config_path())


def _engine_key(session: str) -> str:
    """The cache entry (and lock) awsenv's resolver uses for this session's LoginSession step."""
    from awsenv.cache.store import entry_key

    return entry_key({"kind": "LoginSession", "session": session})


def _credential_cache():
    from awsenv.cache.format import cache_dir
    from awsenv.cache.store import CredentialCache

    try:
        return CredentialCache(files.ensure_private_dir(cache_dir()))
    except (files.UnsafeDirectory, OSError) as exc:
        trace.debug("no awsenv cache directory (%s)", exc)
        return None


@contextmanager
def _lock(name: str, what: str, engine: bool = False, skip: bool = False) -> Iterator[None]:
    """A cross-process lock in awsenv's cache directory: `name` is the engine's entry key when `engine`, else a
    label hashed into one. Without a usable directory the sign-in goes ahead unlocked, as the AWS CLI's would.
    `skip`: this process holds it already (a second flock of it would wait for itself)."""
    from awsenv.cache.store import entry_key

    cache = None if skip else _credential_cache()
    with ExitStack() as held:
        if cache is not None:
            try:
                held.enter_context(cache.lock(name if engine else entry_key({"kind": "signin", "label": name}), what))
            except (files.UnsafeDirectory, OSError) as exc:
                trace.debug("no lock for %s (%s)", what, exc)
        yield


def credentials_for(step, region: Optional[str], browser: bool, log: Callable[[str], None], session_locked: bool):
    """A LoginSession step's credentials (awsenv.aws.sources); when its session is missing or has ended and someone
    can sign in here (a terminal, or a browser that opens without one), the browser sign-in first, as for IAM
    Identity Center. `session_locked`: the resolver holds the session's lock (its cache entry's)."""
    from awsenv.aws import signin as aws_signin
    from awsenv.aws import sources
    from awsenv.sso.login import sign_in_possible

    try:
        return sources.credentials(step, region)
    except sources.LoginSignInNeeded:
        if not sign_in_possible(browser):
            raise
    from awsenv.sso.device import can_launch_browser
    from awsenv.sso.pkce import SSH_MARKERS
    from awsenv.terminal import available as terminal_available

    # Over SSH, or with no browser to open here, the code is pasted on the terminal (sign_in_possible: there is one).
    remote = terminal_available() and (not (browser and can_launch_browser())
                                       or any(os.environ.get(name) for name in SSH_MARKERS))
    saved = token_cache.read(step.session)
    where = str((saved or {}).get("signInRegion") or aws_signin.region_of(step.profile) or region
                or aws_signin.DEFAULT_REGION)
    log(f"the console sign-in of profile {step.profile!r} ({step.session}) has to be renewed: signing in")
    login(step.profile, where, write_region=False, aws_login=False,
          force=False, remote=remote, browser=browser, log=log, confirm=lambda _question: False,
          session_locked=session_locked, spent=(saved or {}).get("refreshToken"))
    return sources.credentials(step, region)

