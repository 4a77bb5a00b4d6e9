"""The SSO-OIDC calls: client registration (cached), device authorization, token creation and refresh.

botocore clients are used so that AWS_ENDPOINT_URL_SSO_OIDC and the profile's endpoint settings apply;
the API is unsigned, so no AWS credentials are looked up.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Optional

from awsenv import files
from awsenv.cache import cache_dir
from awsenv.errors import AwsError
from awsenv.model import SsoSession
from awsenv.sso_token_cache import SsoToken, format_time, parse_time

DEFAULT_SCOPES = ("sso:account:access",)  # the scope that makes IAM Identity Center issue a refresh token
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CLIENT_NAME = "awsenv"


@dataclass(frozen=True)
class Registration:
    client_id: str
    client_secret: str = field(repr=False)
    expires_at: datetime = datetime.max.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class DeviceAuthorization:
    device_code: str = field(repr=False)
    user_code: str = ""
    verification_uri: str = ""
    verification_uri_complete: str = ""
    expires_in: int = 600
    interval: float = 5.0


class AuthorizationPending(Exception):
    """The user has not approved the device yet."""


class SlowDown(Exception):
    """The server asks for a longer polling interval."""


def scopes(session: SsoSession) -> tuple[str, ...]:
    return session.scopes or DEFAULT_SCOPES


def client(profile: str, session: SsoSession, service: str = "sso-oidc"):
    """A botocore client for `sso-oidc` or `sso` in the session's region, unsigned."""
    import botocore.session
    from botocore import UNSIGNED
    from botocore.config import Config

    config = Config(signature_version=UNSIGNED, connect_timeout=5, read_timeout=15,
                    retries={"mode": "standard", "max_attempts": 3})
    return botocore.session.Session(profile=profile).create_client(service, region_name=session.region,
                                                                    config=config)


def unreachable(profile: str, session: SsoSession, what: str, exc: Exception) -> AwsError:
    return AwsError(f"profile {profile!r}: {what} could not reach IAM Identity Center in {session.region}: "
                    f"{type(exc).__name__}",
                    hint="check the network and proxy settings, sso_region, and AWS_ENDPOINT_URL_SSO_OIDC / "
                         "AWS_ENDPOINT_URL_SSO if set")


def refused(profile: str, what: str, exc, hint: str) -> AwsError:
    error = exc.response.get("Error", {})
    text = f"profile {profile!r}: {what} failed: {error.get('Code', 'Unknown')}: {error.get('Message', '')}"
    return AwsError(text.rstrip(": "), hint=hint)


# --- client registration -----------------------------------------------------------------------------


def state_dir() -> str:
    """awsenv's own SSO files (client registrations, sign-in locks): `sso` in awsenv's cache directory, both 0700."""
    directory = os.path.join(cache_dir(), "sso")
    files.ensure_private_dir(cache_dir())
    return files.ensure_private_dir(directory)


def _registration_path(session: SsoSession) -> str:
    identity = json.dumps({"startUrl": session.start_url, "region": session.region, "scopes": list(scopes(session)),
                           "session": session.name}, sort_keys=True)
    name = "registration-" + hashlib.sha256(identity.encode()).hexdigest()[:40] + ".json"
    return os.path.join(cache_dir(), "sso", name)


def _cached_registration(session: SsoSession) -> Optional[Registration]:
    raw = files.read_no_follow(_registration_path(session))
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        found = Registration(data["clientId"], data["clientSecret"], parse_time(data["expiresAt"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    # keep a day in hand: a device flow started now must finish before the registration lapses
    return found if found.expires_at - datetime.now(timezone.utc) > timedelta(days=1) else None


def forget_registration(session: SsoSession) -> None:
    try:
        os.unlink(_registration_path(session))
    except OSError:
        pass


def register(oidc, profile: str, session: SsoSession) -> Registration:
    """The client registration for this session: the cached one while it lasts, else RegisterClient."""
    cached = _cached_registration(session)
    if cached is not None:
        return cached
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = oidc.register_client(clientName=CLIENT_NAME, clientType="public", scopes=list(scopes(session)))
    except ClientError as exc:
        raise refused(profile, "RegisterClient", exc, "check sso_region and sso_registration_scopes") from None
    except BotoCoreError as exc:
        raise unreachable(profile, session, "RegisterClient", exc) from None
    found = Registration(answer["clientId"], answer["clientSecret"],
                         datetime.fromtimestamp(answer["clientSecretExpiresAt"], timezone.utc))
    path = _registration_path(session)
    try:
        state_dir()
        files.write_atomic(path, json.dumps({"clientId": found.client_id, "clientSecret": found.client_secret,
                                             "expiresAt": format_time(found.expires_at),
                                             "scopes": list(scopes(session))}).encode())
    except (files.UnsafeDirectory, OSError):
        pass  # not cached: the next device flow registers again, which costs one call
    return found


# --- device authorization ----------------------------------------------------------------------------


def start_device_authorization(oidc, profile: str, session: SsoSession, registration: Registration
                               ) -> DeviceAuthorization:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = oidc.start_device_authorization(clientId=registration.client_id,
                                                 clientSecret=registration.client_secret,
                                                 startUrl=session.start_url)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "InvalidClientException":
            forget_registration(session)
        raise refused(profile, "StartDeviceAuthorization", exc,
                      f"check sso_start_url ({session.start_url}) and sso_region ({session.region})") from None
    except BotoCoreError as exc:
        raise unreachable(profile, session, "StartDeviceAuthorization", exc) from None
    return DeviceAuthorization(
        device_code=answer["deviceCode"], user_code=answer.get("userCode", ""),
        verification_uri=answer.get("verificationUri", ""),
        verification_uri_complete=answer.get("verificationUriComplete") or answer.get("verificationUri", ""),
        expires_in=int(answer.get("expiresIn") or 600),
        interval=float(answer["interval"]) if answer.get("interval") is not None else 5.0)


def poll_token(oidc, profile: str, session: SsoSession, registration: Registration,
               device: DeviceAuthorization) -> SsoToken:
    """One CreateToken poll: the token, or AuthorizationPending / SlowDown, or an AwsError that ends the wait."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = oidc.create_token(clientId=registration.client_id, clientSecret=registration.client_secret,
                                   grantType=DEVICE_GRANT, deviceCode=device.device_code)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "AuthorizationPendingException":
            raise AuthorizationPending() from None
        if code == "SlowDownException":
            raise SlowDown() from None
        if code == "ExpiredTokenException":
            raise expired(profile, device) from None
        if code == "AccessDeniedException":
            raise AwsError(f"profile {profile!r}: the sign-in request {device.user_code} was denied in the browser",
                           hint="run the command again and choose Allow") from None
        raise refused(profile, "CreateToken", exc, f"run `awsenv login {profile}` again") from None
    except BotoCoreError as exc:
        raise unreachable(profile, session, "CreateToken", exc) from None
    return _token(session, registration, answer)


def refresh(oidc, session: SsoSession, token: SsoToken) -> tuple[Optional[SsoToken], str]:
    """A new access token from the refresh token, or (None, why not)."""
    from botocore.exceptions import BotoCoreError, ClientError

    registration = Registration(token.client_id or "", token.client_secret or "",
                                token.registration_expires_at or datetime.now(timezone.utc))
    try:
        answer = oidc.create_token(clientId=registration.client_id, clientSecret=registration.client_secret,
                                   grantType="refresh_token", refreshToken=token.refresh_token)
    except ClientError as exc:
        return None, exc.response.get("Error", {}).get("Code", "Unknown")
    except BotoCoreError as exc:
        return None, type(exc).__name__
    fresh = _token(session, registration, answer)
    if fresh.refresh_token is None:  # the server kept the old refresh token valid
        fresh = SsoToken(**{**fresh.__dict__, "refresh_token": token.refresh_token})
    return fresh, ""


def _token(session: SsoSession, registration: Registration, answer: dict) -> SsoToken:
    return SsoToken(
        access_token=answer["accessToken"],
        expires_at=datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=int(answer["expiresIn"])),
        start_url=session.start_url, region=session.region, refresh_token=answer.get("refreshToken"),
        client_id=registration.client_id, client_secret=registration.client_secret,
        registration_expires_at=registration.expires_at)


def expired(profile: str, device: DeviceAuthorization) -> AwsError:
    return AwsError(f"profile {profile!r}: the sign-in code {device.user_code} expired before it was approved",
                    hint=f"run the command again and approve the request in the browser within "
                         f"{max(1, device.expires_in // 60)} minutes")
