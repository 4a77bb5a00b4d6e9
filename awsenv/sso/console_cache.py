"""The `aws login` token cache, shared with the AWS CLI and botocore's LoginProvider.

Where: $AWS_LOGIN_CACHE_DIRECTORY, else ~/.aws/login/cache; the file is named after the SHA-256 of the session
(the principal's ARN that `login_session` holds). What: accessToken {accessKeyId, secretAccessKey, sessionToken,
accountId, expiresAt}, tokenType, clientId, refreshToken, idToken, dpopKey (PEM), and signInRegion (the region
signed in to, which botocore's refresh uses). awsenv writes it 0600 in a 0700 directory, in one atomic step.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from typing import Mapping, Optional

from awsenv import files

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
REQUIRED = ("accessToken", "refreshToken", "dpopKey", "clientId")


def directory(environ: Mapping[str, str] = os.environ) -> str:
    configured = environ.get("AWS_LOGIN_CACHE_DIRECTORY")
    if configured is not None:
        return os.path.expanduser(os.path.expandvars(configured))
    return os.path.expanduser(os.path.join("~", ".aws", "login", "cache"))


def path(session: str, environ: Mapping[str, str] = os.environ) -> str:
    return os.path.join(directory(environ), hashlib.sha256(session.encode("utf-8")).hexdigest() + ".json")


def read(session: str) -> Optional[dict]:
    """The saved token, or None when there is none, or it is unreadable, not ours, or lacks a required field."""
    data = files.read_no_follow(path(session))
    if data is None:
        return None
    try:
        token = json.loads(data)
    except ValueError:
        return None
    if not isinstance(token, dict) or any(name not in token for name in REQUIRED):
        return None
    return token if isinstance(token["accessToken"], dict) else None


def write(session: str, token: dict) -> str:
    """Save `token` for `session`; the file's path. Raises files.UnsafeDirectory or FileNotWritten."""
    folder = files.ensure_private_dir(directory())
    target = os.path.join(folder, os.path.basename(path(session)))
    files.write_or_fail(target, json.dumps(token).encode("utf-8"), mode=0o600)
    return target


def expires_at(token: dict) -> Optional[datetime]:
    try:
        moment = datetime.strptime(str(token["accessToken"]["expiresAt"]), TIME_FORMAT)
    except (KeyError, TypeError, ValueError):
        return None
    return moment.replace(tzinfo=timezone.utc)


def seconds_left(token: dict, now: Optional[datetime] = None) -> float:
    end = expires_at(token)
    if end is None:
        return 0.0
    return (end - (now or datetime.now(timezone.utc))).total_seconds()
