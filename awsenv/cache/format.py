"""The credentials cache on disk, defined once for the full path (awsenv.cache.store) and the cache-hit path
(awsenv.cli.fast): where it lives, how long an entry is served, what an entry and an index record hold.

Light on purpose: the cache-hit path reads the cache through this module alone, so it imports nothing beyond
the interpreter's own start-up modules and awsenv's small `errors`, `files` and `jsonlite`.

An entry (`<key>.json`, 0600): {"version": 1, "profile", "kind", "target", "expiration": "YYYY-MM-DDTHH:MM:SSZ"
(UTC), "credentials": {"AccessKeyId", "SecretAccessKey", "SessionToken"}}. An index record (`fast/<request>.json`,
no secret): {"version": 1, "files": the config and credentials files' identities, "entry": the entry's key,
"region": the region to export}.
"""

from __future__ import annotations

import os

from awsenv import files, jsonlite
from awsenv.errors import UsageError

VERSION = 1
INDEX_VERSION = 2
INDEX_DIR = "fast"  # the index the cache-hit path reads: see awsenv/cli/fast.py
DEFAULT_MIN_TTL = 300  # exports, exec, shell: refresh credentials with less than 5 minutes left
CREDENTIAL_PROCESS_MIN_TTL = 900  # beyond the SDKs' own 15-minute advisory refresh
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # for strftime; the only form an entry's expiration is read in


def cache_dir(environ=os.environ) -> str:
    if environ.get("AWSENV_CACHE_DIR"):
        return environ["AWSENV_CACHE_DIR"]
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "awsenv")


def min_ttl(environ=os.environ, floor: float = 0) -> float:
    """Seconds of life cached credentials must have left to be served: AWSENV_MIN_TTL, never below `floor`."""
    raw = environ.get("AWSENV_MIN_TTL")
    try:
        value = float(raw) if raw else DEFAULT_MIN_TTL
    except ValueError:
        raise UsageError(f"AWSENV_MIN_TTL={raw!r} is not a number of seconds") from None
    if value != value or value < 0:
        raise UsageError(f"AWSENV_MIN_TTL={raw!r} is not a number of seconds")
    return max(value, floor)


def read_entry(path: str) -> dict | None:
    """The entry at `path`: as stored, with "credentials" checked and "expires_at" (seconds since the epoch)
    added; None when it is missing, unreadable, not ours, corrupt, of another version or oddly dated."""
    raw = files.read_no_follow(path)
    if raw is None:
        return None
    try:
        entry = jsonlite.loads(raw)
        if entry.get("version") != VERSION:
            return None
        stored = entry["credentials"]
        values = (stored["AccessKeyId"], stored["SecretAccessKey"], stored.get("SessionToken") or "")
        expires_at = epoch_seconds(entry["expiration"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not all(isinstance(value, str) for value in values) or not values[0] or not values[1] or expires_at is None:
        return None
    entry["credentials"] = {"AccessKeyId": values[0], "SecretAccessKey": values[1], "SessionToken": values[2] or None}
    entry["expires_at"] = expires_at
    return entry


_DAYS_BEFORE_MONTH = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)


def epoch_seconds(text: str) -> int | None:
    """Seconds since the epoch of a UTC time written as TIME_FORMAT (`2026-01-02T03:04:05Z`), else None.

    Anything else (an offset, fractions, a time without a zone: whose clock?) is None, a cache miss."""
    if not isinstance(text, str) or len(text) != 20 or text[4] + text[7] + text[10] + text[13] + text[16] + \
            text[19] != "--T::Z":
        return None
    digits = text[0:4] + text[5:7] + text[8:10] + text[11:13] + text[14:16] + text[17:19]
    if not (digits.isascii() and digits.isdigit()):
        return None
    year, month, day = int(digits[0:4]), int(digits[4:6]), int(digits[6:8])
    hour, minute, second = int(digits[8:10]), int(digits[10:12]), int(digits[12:14])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not (1 <= year and 1 <= month <= 12 and hour < 24 and minute < 60 and second < 60):
        return None
    month_days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    if not 1 <= day <= month_days:
        return None
    before = year - 1
    days = before * 365 + before // 4 - before // 100 + before // 400 - 719162  # 0001-01-01 .. 1970-01-01
    days += _DAYS_BEFORE_MONTH[month - 1] + (1 if leap and month > 2 else 0) + day - 1
    return days * 86400 + hour * 3600 + minute * 60 + second


def request_key(flow: str, profile: str, duration: str | None, region: str | None, environ=os.environ) -> str:
    """The index record's name for a request: its command's flow, options and the two files' paths, hashed."""
    from awsenv.paths import config_path, credentials_path

    text = jsonlite.dumps_flat({"flow": flow, "profile": profile, "duration": duration, "region": region,
                                "config": config_path(environ), "credentials": credentials_path(environ)})
    return _sha256_hex(text.encode("utf-8", "surrogateescape"))[:40]


def _sha256_hex(data: bytes) -> str:
    try:  # the interpreter's own SHA-256 loads far faster than hashlib's OpenSSL binding
        from _sha2 import sha256  # Python 3.12 and later
    except ImportError:
        try:
            from _sha256 import sha256
        except ImportError:
            from hashlib import sha256
    return sha256(data).hexdigest()


def encode_index(identities: list, entry: str, region: str | None) -> bytes:
    import json

    return json.dumps({"version": INDEX_VERSION, "files": identities, "entry": entry, "region": region}).encode()


def read_index(path: str) -> dict | None:
    """The index record at `path`, or None when it is missing, not ours, corrupt or of another version."""
    raw = files.read_no_follow(path)
    if raw is None:
        return None
    try:
        record = jsonlite.loads(raw)
        entry = record.get("entry")
        region = record.get("region")
        if (record.get("version") != INDEX_VERSION or not isinstance(entry, str) or not entry.isalnum()
                or not isinstance(record.get("files"), list)  # an entry's name is a hash: never a path
                or not (region is None or isinstance(region, str))):
            return None
    except (ValueError, AttributeError):
        return None
    return record
