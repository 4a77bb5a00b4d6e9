"""awsenv's credentials cache: one JSON file per request, named by a hash of the request's parameters."""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator, Mapping, Optional

from awsenv import files, locking
from awsenv.model import Credentials

VERSION = 1


def cache_dir(environ: Mapping[str, str] = os.environ) -> str:
    if environ.get("AWSENV_CACHE_DIR"):
        return environ["AWSENV_CACHE_DIR"]
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "awsenv")


def entry_key(parts: Mapping[str, object]) -> str:
    """A stable name for a request: any change in its parameters gives another key."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def _format_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class CredentialCache:
    def __init__(self, directory: str) -> None:
        self.directory = directory

    def _path(self, key: str, suffix: str = ".json") -> str:
        return os.path.join(self.directory, key + suffix)

    def read(self, key: str) -> Optional[dict]:
        """The entry as stored, or None when missing, unreadable, corrupt or of an unknown version."""
        raw = files.read_no_follow(self._path(key))
        if raw is None:
            return None
        try:
            entry = json.loads(raw)
            if entry.get("version") != VERSION:
                return None
            entry["credentials"] = Credentials(
                entry["credentials"]["AccessKeyId"], entry["credentials"]["SecretAccessKey"],
                entry["credentials"].get("SessionToken"), _parse_time(entry["expiration"]))
            return entry
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def get(self, key: str, min_ttl: float, now: Optional[datetime] = None) -> Optional[Credentials]:
        entry = self.read(key)
        if entry is None:
            return None
        creds: Credentials = entry["credentials"]
        return creds if creds.seconds_left(now) > min_ttl else None

    def put(self, key: str, creds: Credentials, meta: Mapping[str, object]) -> None:
        if creds.expiration is None:
            return  # long-lived keys are never cached
        entry = {
            "version": VERSION,
            **meta,
            "expiration": _format_time(creds.expiration),
            "credentials": {"AccessKeyId": creds.access_key_id, "SecretAccessKey": creds.secret_access_key,
                            "SessionToken": creds.session_token},
        }
        files.ensure_private_dir(self.directory)
        files.write_atomic(self._path(key), json.dumps(entry).encode())

    def entries(self) -> Iterator[tuple[str, dict]]:
        try:
            names = sorted(os.listdir(self.directory))
        except OSError:
            return
        for name in names:
            if name.endswith(".json"):
                key = name[:-5]
                entry = self.read(key)
                if entry is not None:
                    yield key, entry

    def remove(self, key: str) -> None:
        for suffix in (".json", ".lock"):
            try:
                os.unlink(self._path(key, suffix))
            except FileNotFoundError:
                pass

    @contextmanager
    def lock(self, key: str, what: str) -> Iterator[None]:
        files.ensure_private_dir(self.directory)
        with locking.held(self._path(key, ".lock"), what):
            yield
