"""Client registrations shared with the AWS CLI: one file per session in ~/.aws/sso/cache, the CLI's key and fields.

The AWS CLI (2.22 and later) keeps one registration per session under one key for both sign-in flows and tells
them apart by `grantTypes`: a registration made for the authorization-code flow lists `authorization_code`;
one made for the device flow (or by an older CLI, which never wrote the field) does not. Each flow reuses only a
registration of its own kind, so either tool reuses a client the other registered.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Optional

from awsenv import files
from awsenv.model import SsoSession
from awsenv.sso.token_cache import cache_dir, format_time, parse_time

AUTH_CODE_GRANTS = ("authorization_code", "refresh_token")
KEEP_IN_HAND = timedelta(days=1)  # a registration this close to its end is not reused: a sign-in must outlive it


@dataclass(frozen=True)
class Registration:
    client_id: str
    client_secret: str = field(repr=False)
    expires_at: datetime = datetime.max.replace(tzinfo=timezone.utc)
    grant_types: tuple[str, ...] = ()

    @property
    def for_auth_code(self) -> bool:
        return "authorization_code" in self.grant_types

    def usable(self, now: Optional[datetime] = None) -> bool:
        return self.expires_at - (now or datetime.now(timezone.utc)) > KEEP_IN_HAND


def configured_scopes(session: SsoSession) -> Optional[list[str]]:
    """The scopes as the AWS CLI puts them in the key: the configured list, or null when none is configured."""
    return list(session.scopes) if session.scopes else None


def cache_key(session: SsoSession) -> str:
    identity = {"tool": "botocore", "startUrl": session.start_url, "region": session.region,
                "scopes": configured_scopes(session), "session_name": session.name or None}
    return hashlib.sha1(json.dumps(identity, sort_keys=True).encode("utf-8")).hexdigest()


def path(session: SsoSession) -> str:
    return os.path.join(cache_dir(), cache_key(session) + ".json")


def read(session: SsoSession) -> Optional[Registration]:
    """The saved registration for this session (whichever tool made it), or None when missing or unreadable."""
    raw = files.read_no_follow(path(session))
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        grants = data.get("grantTypes") or ()
        return Registration(data["clientId"], data["clientSecret"], parse_time(data["expiresAt"]),
                            tuple(g for g in grants if isinstance(g, str)))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def write(session: SsoSession, registration: Registration, scopes: list[str]) -> None:
    """Save it as the AWS CLI does (same fields, same order); a failure only costs a registration next time."""
    data: dict = {"clientId": registration.client_id, "clientSecret": registration.client_secret,
                  "expiresAt": format_time(registration.expires_at)}
    if scopes:
        data["scopes"] = list(scopes)
    if registration.grant_types:
        data["grantTypes"] = list(registration.grant_types)
    target = path(session)
    try:
        files.ensure_private_dir(os.path.dirname(target))
        files.write_atomic(target, json.dumps(data).encode())
    except (files.UnsafeDirectory, OSError):
        pass


def forget(session: SsoSession, client_id: str) -> None:
    """Drop the saved registration if it is still the one the server refused."""
    current = read(session)
    if current is not None and current.client_id == client_id:
        try:
            os.unlink(path(session))
        except OSError:
            pass


def from_answer(answer: dict, grant_types: tuple[str, ...] = ()) -> Registration:
    return Registration(answer["clientId"], answer["clientSecret"],
                        datetime.fromtimestamp(answer["clientSecretExpiresAt"], timezone.utc), grant_types)
