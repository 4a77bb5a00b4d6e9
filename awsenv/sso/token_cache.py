"""The AWS CLI's SSO token files (~/.aws/sso/cache): one sign-in shared with `aws sso login` both ways.

The file name is sha1 of the sso-session name, or of the start URL for a profile that sets sso_start_url
itself; the fields and the timestamp format are the AWS CLI's, so either tool reads what the other wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Optional

from awsenv import files
from awsenv.errors import AwsenvError
from awsenv.model import SsoSession

REFRESH_WINDOW = 15 * 60  # refresh the access token when less than this is left, as the AWS CLI does


def cache_dir() -> str:
    return os.path.join(os.path.expanduser("~"), ".aws", "sso", "cache")


def cache_key(session: SsoSession) -> str:
    return hashlib.sha1((session.name or session.start_url).encode("utf-8")).hexdigest()


def token_path(session: SsoSession) -> str:
    return os.path.join(cache_dir(), cache_key(session) + ".json")


def format_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """The timestamps the AWS CLI has written over the years: `…Z`, `…UTC`, `…+00:00`, with or without fraction."""
    cleaned = text.strip()
    if cleaned.endswith("UTC"):
        cleaned = cleaned[:-3] + "+00:00"
    elif cleaned.endswith("Z"):
        cleaned = cleaned[:-1] + "+00:00"
    moment = datetime.fromisoformat(cleaned)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


@dataclass(frozen=True)
class SsoToken:
    access_token: str = field(repr=False)
    expires_at: datetime
    start_url: str
    region: str
    refresh_token: Optional[str] = field(default=None, repr=False)
    client_id: Optional[str] = None
    client_secret: Optional[str] = field(default=None, repr=False)
    registration_expires_at: Optional[datetime] = None

    def seconds_left(self, now: Optional[datetime] = None) -> float:
        return (self.expires_at - (now or datetime.now(timezone.utc))).total_seconds()

    def refreshable(self, now: Optional[datetime] = None) -> bool:
        now = now or datetime.now(timezone.utc)
        return bool(self.refresh_token and self.client_id and self.client_secret and self.registration_expires_at
                    and self.registration_expires_at > now)

    def to_json(self) -> dict:
        data = {"startUrl": self.start_url, "region": self.region, "accessToken": self.access_token,
                "expiresAt": format_time(self.expires_at)}
        if self.client_id and self.client_secret and self.registration_expires_at:
            data.update(clientId=self.client_id, clientSecret=self.client_secret,
                        registrationExpiresAt=format_time(self.registration_expires_at))
        if self.refresh_token:
            data["refreshToken"] = self.refresh_token
        return data


_TEXT_FIELDS = ("startUrl", "region", "accessToken", "expiresAt", "refreshToken", "clientId", "clientSecret",
                "registrationExpiresAt")


def _from_json(data: dict, session: SsoSession) -> Optional[SsoToken]:
    if not isinstance(data, dict) or not data.get("accessToken") or not data.get("expiresAt"):
        return None
    if any(data.get(name) is not None and not isinstance(data[name], str) for name in _TEXT_FIELDS):
        return None  # a field of another type: not a file the AWS CLI or awsenv wrote
    start_url = data.get("startUrl") or session.start_url
    if start_url.rstrip("/") != session.start_url.rstrip("/"):
        return None  # written for another start URL (the session's URL changed since): not ours to use
    registration = data.get("registrationExpiresAt")
    return SsoToken(
        access_token=data["accessToken"], expires_at=parse_time(data["expiresAt"]), start_url=start_url,
        region=data.get("region") or session.region, refresh_token=data.get("refreshToken"),
        client_id=data.get("clientId"), client_secret=data.get("clientSecret"),
        registration_expires_at=parse_time(registration) if registration else None)


def read_token(session: SsoSession) -> Optional[SsoToken]:
    """The cached token for this session, or None when there is none usable (missing, corrupt, other URL)."""
    raw = files.read_no_follow(token_path(session))
    if raw is None:
        return None
    try:
        return _from_json(json.loads(raw), session)
    except (ValueError, TypeError, AttributeError):
        return None


def write_token(session: SsoSession, token: SsoToken) -> str:
    path = token_path(session)
    try:
        files.ensure_private_dir(os.path.dirname(path))  # ~/.aws/sso/cache, and parents, 0700 if missing
        files.write_atomic(path, json.dumps(token.to_json()).encode())
    except (files.UnsafeDirectory, OSError) as exc:
        raise AwsenvError(f"cannot save the IAM Identity Center token in {os.path.dirname(path)}: "
                          f"{getattr(exc, 'strerror', None) or exc}",
                          hint="that directory must be yours and not writable by others (chmod 700 it)") from None
    return path


def drop_token(session: SsoSession, access_token: str) -> bool:
    """Remove the cached token if it is still the one given (another process may have replaced it)."""
    current = read_token(session)
    if current is None or current.access_token != access_token:
        return False
    try:
        os.unlink(token_path(session))
    except FileNotFoundError:
        return False
    return True
