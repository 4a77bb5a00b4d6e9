"""awsenv's credentials cache: one JSON file per request, named by a hash of the request's parameters."""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator, Mapping, Optional

from awsenv import files, locking
from awsenv.cache.format import INDEX_DIR, TIME_FORMAT, VERSION, read_entry
from awsenv.model import Credentials

def entry_key(parts: Mapping[str, object]) -> str:
    """A stable name for a request: any change in its parameters gives another key."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:40]


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _format_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime(TIME_FORMAT)


class CredentialCache:
    def __init__(self, directory: str, warn: Optional[Callable[[str], None]] = None) -> None:
        self.directory = directory
        self.warn = warn

    def _path(self, key: str, suffix: str = ".json") -> str:
        return os.path.join(self.directory, key + suffix)

    def read(self, key: str) -> Optional[dict]:
        """The entry as stored, its "credentials" as Credentials, or None when missing, unreadable, corrupt or
        of an unknown version (see awsenv.cache.format, which the cache-hit path reads it with too)."""
        entry = read_entry(self._path(key))
        if entry is None:
            return None
        stored = entry["credentials"]
        entry["credentials"] = Credentials(stored["AccessKeyId"], stored["SecretAccessKey"], stored["SessionToken"],
                                           _EPOCH + timedelta(seconds=entry["expires_at"]))
        return entry

    def get(self, key: str, min_ttl: float, now: Optional[datetime] = None) -> Optional[Credentials]:
        entry = self.read(key)
        if entry is None:
            return None
        creds: Credentials = entry["credentials"]
        return creds if creds.seconds_left(now) > min_ttl else None

    def put(self, key: str, creds: Credentials, meta: Mapping[str, object]) -> None:
        if creds.expiration is None or creds.seconds_left() <= 0:
            return  # long-lived keys are never cached, nor credentials already expired by our clock
        entry = {
            "version": VERSION,
            **meta,
            "expiration": _format_time(creds.expiration),
            "credentials": {"AccessKeyId": creds.access_key_id, "SecretAccessKey": creds.secret_access_key,
                            "SessionToken": creds.session_token},
        }
        try:
            files.ensure_private_dir(self.directory)
            files.write_atomic(self._path(key), json.dumps(entry).encode())
        except (files.UnsafeDirectory, OSError) as exc:
            # The cache is optional: the credentials are still good, only the next call will ask AWS again.
            if self.warn:
                self.warn(f"could not cache the credentials of profile {meta.get('profile')!r}: "
                          f"{getattr(exc, 'strerror', None) or exc}")

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
        # Only the entry: a lock file stays, since unlinking it while another process waits on it would let a
        # third process lock a new file of the same name, and two would hold "the" lock at once.
        try:
            os.unlink(self._path(key))
        except FileNotFoundError:
            pass

    def clear(self, profile: Optional[str] = None) -> list[dict]:
        """Remove every entry, or those obtained for `profile` (its own steps, or steps on its way); return them.
        EKS tokens go with them."""
        removed = []
        for key, entry in list(self.entries()):
            if profile is None or profile in (entry.get("profile"), entry.get("target")):
                self.remove(key)
                removed.append(entry)
        if profile is None:
            for name in os.listdir(self.directory):
                if name.endswith(".json") and not name.startswith("."):
                    self.remove(name[:-5])  # unreadable or unknown-version entries too
        _empty(os.path.join(self.directory, INDEX_DIR))
        from awsenv.cache import eks_tokens

        eks_tokens.forget(self.directory, profile)  # the EKS tokens signed with them
        return removed

    @contextmanager
    def lock(self, key: str, what: str, environ: Mapping[str, str] = os.environ) -> Iterator[None]:
        files.ensure_private_dir(self.directory)
        path = self._path(key, ".lock")
        if os.path.islink(path):
            os.unlink(path)  # never followed (the lock opens with O_NOFOLLOW); in our own 0700 directory, dropped
        elif os.path.lexists(path) and os.lstat(path).st_uid != os.geteuid():
            # Only root can have put it there; holding it would not keep out the process it belongs to.
            raise files.UnsafeDirectory(f"{path} is owned by uid {os.lstat(path).st_uid}, not by you")
        with locking.held(path, what, timeout=locking.lock_timeout(environ)):
            yield


def _empty(directory: str) -> None:
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        try:
            os.unlink(os.path.join(directory, name))
        except OSError:
            pass
