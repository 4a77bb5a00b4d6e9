"""The environment variables awsenv sets and removes (named here only), and credentials → EnvDelta."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: the cache-hit path renders through here
if TYPE_CHECKING:
    from typing import Mapping, Optional

    from awsenv.model import Credentials, EnvDelta

ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID"
SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY"
SESSION_TOKEN = "AWS_SESSION_TOKEN"
REGION = "AWS_REGION"
DEFAULT_REGION = "AWS_DEFAULT_REGION"
EXPIRATION = "AWS_CREDENTIAL_EXPIRATION"
PROFILE_MARKER = "AWSENV_PROFILE"
# For the shell integration and prompts, as whole seconds since the epoch (a shell compares them with its own clock
# without starting a process): when the credentials end, and when a person is next needed to renew them (an MFA code,
# a sign-in; unset when nothing foreseeable needs one).
EXPIRES_AT = "AWSENV_EXPIRES_AT"
PERSON_NEEDED_AT = "AWSENV_PERSON_NEEDED_AT"
# Set by a renewal before a prompt that could not renew: when to try again, and for which credentials the notice was
# given (once per renewal window).
RENEW_RETRY_AT = "AWSENV_RENEW_RETRY_AT"
RENEW_NOTICE = "AWSENV_RENEW_NOTICE"

# Set by other tools or older sessions; they would override or confuse the exported keys.
STALE = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN")
# Older names for keys and for the credentials file that some tools still read: a command or subshell awsenv starts
# must not find the parent's there (the export lines leave them to the user's shell).
LEGACY = ("AWS_CREDENTIAL_FILE", "AWS_ACCESS_KEY", "AWS_SECRET_KEY")

# The credential server (`exec --server`, `shell --server`): the two variables SDKs read to find it, and every
# variable that would make an SDK pick credentials before it (static keys, a profile, web identity, another
# container endpoint) or that still names the keys of an earlier export.
CONTAINER_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
CONTAINER_TOKEN = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
CONFIG_FILE = "AWS_CONFIG_FILE"
SHARED_CREDENTIALS_FILE = "AWS_SHARED_CREDENTIALS_FILE"
BEFORE_THE_SERVER = (ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, EXPIRATION, "AWS_SECURITY_TOKEN",
                     *LEGACY, "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                     "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
                     "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")

SET_BY_AWSENV = (ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, REGION, DEFAULT_REGION, EXPIRATION, PROFILE_MARKER,
                 EXPIRES_AT, PERSON_NEEDED_AT, RENEW_RETRY_AT, RENEW_NOTICE)

# Set by `awsenv credential-process` for the processes it starts: the profiles being served, to catch a loop.
CHAIN_VARIABLE = "AWSENV_CREDENTIAL_PROCESS_CHAIN"

# What an earlier awsenv session (its PROFILE_MARKER is set) may have left: a new session replaces all of it, so
# nothing of the earlier profile (its region, its credential server) mixes with the new credentials.
EARLIER_SESSION = SET_BY_AWSENV + (CONTAINER_URI, CONTAINER_TOKEN)


def format_expiration(creds: Credentials) -> Optional[str]:
    """As AWS writes it: UTC to the second (2026-01-02T03:04:05Z); the cache stores it the same way."""
    if creds.expiration is None:
        return None
    return creds.expiration.strftime("%Y-%m-%dT%H:%M:%SZ")


def credentials_delta(creds: Credentials, profile: str, region: Optional[str],
                      person_needed_at: Optional[int] = None) -> EnvDelta:
    return delta_for(creds.access_key_id, creds.secret_access_key, creds.session_token, format_expiration(creds),
                     profile, region, expires_at(creds), person_needed_at)


def expires_at(creds: Credentials) -> Optional[int]:
    return int(creds.expiration.timestamp()) if creds.expiration is not None else None


def command_delta(creds: Credentials, profile: str, region: Optional[str],
                  person_needed_at: Optional[int] = None) -> EnvDelta:
    """The environment changes for a command or subshell awsenv starts: the credentials, and every stale or legacy
    name removed."""
    delta = dict(credentials_delta(creds, profile, region, person_needed_at))
    delta.update({name: None for name in LEGACY})
    return delta


def delta_for(access_key_id: str, secret_access_key: str, session_token: Optional[str], expiration: Optional[str],
              profile: str, region: Optional[str], expires: Optional[int] = None,
              person_needed_at: Optional[int] = None) -> EnvDelta:
    """The variables to set and unset; `expiration` as format_expiration() writes it, `expires` the same moment in
    seconds since the epoch."""
    delta: dict[str, Optional[str]] = renewed_for(access_key_id, secret_access_key, session_token, expiration,
                                                  expires, person_needed_at)
    delta[PROFILE_MARKER] = profile
    if region:
        delta[REGION] = region
        delta[DEFAULT_REGION] = region
    for name in STALE:
        delta[name] = None
    return delta


def renewed_for(access_key_id: str, secret_access_key: str, session_token: Optional[str], expiration: Optional[str],
                expires: Optional[int], person_needed_at: Optional[int]) -> dict:
    """What a renewal in place changes: the credentials and their times, nothing the user may have set (the
    region, the profile)."""
    return {
        ACCESS_KEY_ID: access_key_id,
        SECRET_ACCESS_KEY: secret_access_key,
        SESSION_TOKEN: session_token,
        EXPIRATION: expiration,
        EXPIRES_AT: str(expires) if expires is not None else None,
        PERSON_NEEDED_AT: str(person_needed_at) if person_needed_at is not None else None,
        RENEW_RETRY_AT: None,
        RENEW_NOTICE: None,
    }


def server_delta(url: str, token: str, profile: str, region: Optional[str],
                 person_needed_at: Optional[int] = None) -> EnvDelta:
    """The command's environment under the credential server: where to ask and the token, no keys, and none of the
    times of keys this shell held before (the server renews by itself); when a person is next needed, if ever."""
    delta: dict[str, Optional[str]] = {name: None for name in (*BEFORE_THE_SERVER, EXPIRES_AT, RENEW_RETRY_AT,
                                                               RENEW_NOTICE)}
    delta.update({CONTAINER_URI: url, CONTAINER_TOKEN: token, PROFILE_MARKER: profile,
                  PERSON_NEEDED_AT: str(person_needed_at) if person_needed_at is not None else None})
    if region:
        delta[REGION] = region
        delta[DEFAULT_REGION] = region
    return delta


def unset_delta(environ: Mapping[str, str]) -> EnvDelta:
    """Everything awsenv sets; inside an awsenv session also its credential server's variables (outside one they
    belong to the container the shell runs in, and stay)."""
    return replacing({name: None for name in SET_BY_AWSENV + STALE}, environ)


def replacing(delta: EnvDelta, environ: Mapping[str, str]) -> EnvDelta:
    """`delta`, plus the removal of what an earlier session in `environ` set and this one does not set."""
    if not environ.get(PROFILE_MARKER):
        return delta
    result: dict[str, Optional[str]] = {name: None for name in EARLIER_SESSION if name in environ}
    result.update(delta)
    return result


def apply(delta: EnvDelta, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment a child process gets: `environ` with the delta applied (replacing an earlier session)."""
    result = dict(environ)
    for name, value in replacing(delta, environ).items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def credential_process_chain(environ: Mapping[str, str]) -> list:
    """The profiles that `awsenv credential-process` calls further up this process tree are serving."""
    from awsenv import jsonlite

    raw = environ.get(CHAIN_VARIABLE)
    try:
        names = jsonlite.loads(raw) if raw else []
    except ValueError:
        return []
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []
