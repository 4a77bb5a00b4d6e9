"""The SSO-OIDC calls: client registration (saved), device authorization, token creation, exchange and refresh.

The clients come from aws/clients.py, so AWS_ENDPOINT_URL_SSO_OIDC and the profile's endpoint settings apply; the
API is unsigned, so no AWS credentials are looked up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Optional

from awsenv import files
from awsenv.aws import clients, faults
from awsenv.sso import registration as sso_registration
from awsenv.paths import cache_dir
from awsenv.errors import AwsError
from awsenv.model import SsoSession
from awsenv.sso.registration import Registration
from awsenv.sso.token_cache import SsoToken

DEFAULT_SCOPES = ("sso:account:access",)  # the scope that makes IAM Identity Center issue a refresh token
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CLIENT_NAME = "awsenv"


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


def client(profile: Optional[str], session: SsoSession, service: str = "sso-oidc"):
    """A botocore client for `sso-oidc` or `sso` in the session's region, unsigned."""
    return clients.client(service, profile, session.region, unsigned=True)


def unreachable(profile: str, session: SsoSession, what: str, exc: Exception, service: str = "sso-oidc") -> AwsError:
    return AwsError(*faults.unreachable(
        profile, what, exc, session.region, clients.MAX_ATTEMPTS, service,
        place=f"IAM Identity Center in {session.region}",
        hint="check the network and proxy settings, sso_region, and AWS_ENDPOINT_URL_SSO_OIDC / AWS_ENDPOINT_URL_SSO "
             "if set"))


def refused(profile: str, what: str, exc, hint: str) -> AwsError:
    return AwsError(faults.refused(profile, what, exc), hint=hint)


def error_code(exc) -> str:
    return faults.refusal(exc)[0]


# --- client registration -----------------------------------------------------------------------------


def state_dir() -> str:
    """awsenv's own SSO files (the sign-in locks): `sso` in awsenv's cache directory, both 0700."""
    directory = os.path.join(cache_dir(), "sso")
    files.ensure_private_dir(cache_dir())
    return files.ensure_private_dir(directory)


def register(oidc, profile: str, session: SsoSession, redirect_uri: Optional[str] = None) -> Registration:
    """The client registration for this session: the saved one of the right kind while it lasts, else RegisterClient.

    With `redirect_uri` the registration is for the authorization-code flow (the AWS CLI's grant types, redirect
    URI and issuer URL), else for the device flow. Either kind is saved under the AWS CLI's key, replacing the other.
    """
    auth_code = redirect_uri is not None
    cached = sso_registration.read(session)
    if cached is not None and cached.usable() and cached.for_auth_code == auth_code:
        return cached
    from botocore.exceptions import BotoCoreError, ClientError

    request: dict = {"clientName": f"{CLIENT_NAME}-{session.name or 'legacy'}", "clientType": "public",
                     "scopes": list(scopes(session))}
    if auth_code:
        request.update(grantTypes=list(sso_registration.AUTH_CODE_GRANTS), redirectUris=[redirect_uri],
                       issuerUrl=session.start_url)
    try:
        answer = oidc.register_client(**request)
    except ClientError as exc:
        hint = "check sso_region and sso_registration_scopes" + (", or add --use-device-code" if auth_code else "")
        raise refused(profile, "RegisterClient", exc, hint) from None
    except BotoCoreError as exc:
        raise unreachable(profile, session, "RegisterClient", exc) from None
    found = sso_registration.from_answer(answer, tuple(request.get("grantTypes", ())))
    sso_registration.write(session, found, request["scopes"])
    return found


def forget_registration(session: SsoSession, registration: Registration) -> None:
    sso_registration.forget(session, registration.client_id)


# --- device authorization ----------------------------------------------------------------------------


def start_device_authorization(oidc, profile: str, session: SsoSession, registration: Registration
                               ) -> DeviceAuthorization:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = oidc.start_device_authorization(clientId=registration.client_id,
                                                 clientSecret=registration.client_secret,
                                                 startUrl=session.start_url)
    except ClientError as exc:
        if error_code(exc) == "InvalidClientException":
            forget_registration(session, registration)
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
        code = error_code(exc)
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
        return None, error_code(exc)
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


def exchange_code(oidc, profile: str, session: SsoSession, registration: Registration, code: str,
                  redirect_uri: str, verifier: str) -> SsoToken:
    """CreateToken for an authorization code: the code, the redirect URI it was sent to and the PKCE verifier."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = oidc.create_token(clientId=registration.client_id, clientSecret=registration.client_secret,
                                   grantType="authorization_code", redirectUri=redirect_uri, codeVerifier=verifier,
                                   code=code)
    except ClientError as exc:
        if error_code(exc) == "InvalidClientException":
            forget_registration(session, registration)
        raise refused(profile, "CreateToken (authorization code)", exc,
                      f"run `awsenv login {profile}` again, or add --use-device-code") from None
    except BotoCoreError as exc:
        raise unreachable(profile, session, "CreateToken", exc) from None
    return _token(session, registration, answer)
