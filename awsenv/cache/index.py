"""The cache-hit index: which cache entry answers a request, given the AWS files as they were when it was made.

When a command that prints credentials succeeds with the cache on, the full path records an index entry: for
the request (flow, profile, --duration, --region, the config and credentials file paths) it keeps the identity
of those files as they were before they were read (device, inode, size, mtime_ns) and the cache key of the
plan's final step, whatever kind of step that is. The next identical request stats the files; if nothing
changed and that cache entry still has enough life left, the entry answers it (awsenv.cli.fast). The index holds
no secret: file identities, the region, and the name of a cache entry.

Loaded on the cache-hit path: the standard library's os and stat, and awsenv.cache.format, nothing more.
"""

from __future__ import annotations

import os
import stat

from awsenv.cache import format as cache_format


def request_key(flow: str, profile: str, duration: str | None, region: str | None, environ=os.environ) -> str:
    return cache_format.request_key(flow, profile, duration, region, environ)


def file_identities(environ=os.environ) -> list | None:
    """[path, [dev, inode, size, mtime_ns] or None when absent] for the config and credentials files, and the index
    of keys stored with `awsenv keys` (storing or rotating keys changes it)."""
    from awsenv.paths import config_path, credentials_path, key_index_path

    found = []
    for path in (config_path(environ), credentials_path(environ), key_index_path(environ)):
        try:
            info = os.stat(path)
        except FileNotFoundError:
            found.append([path, None])
            continue
        except OSError:
            return None
        if not os.access(path, os.R_OK):
            return None  # unreadable now (a chmod leaves the mtime): the full path says so
        found.append([path, [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns]])
    return found


def remember(cache, key: str, entry: str, region: str | None, identities: list | None,
             person_needed_at: int | None = None) -> None:
    """Record that `key`'s request is answered by cache entry `entry`, given files as in `identities`, and when a
    person is next needed to renew it."""
    from awsenv import files

    if identities is None:
        return
    directory = os.path.join(cache.directory, cache_format.INDEX_DIR)
    try:
        files.ensure_private_dir(directory)
        record = cache_format.encode_index(identities, entry, region, person_needed_at)
        files.write_atomic(os.path.join(directory, key + ".json"), record)
    except (files.UnsafeDirectory, OSError):
        pass  # only a slower next call


def _private_dir(path: str) -> bool:
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) == 0o700


def lookup(flow: str, profile: str, duration: str | None, region: str | None, floor: float = 0,
           environ=os.environ) -> tuple | None:
    """(the cache entry, the region, when a person is next needed) that the full path would answer the request
    with, or None. The entry must
    have more than the minimum TTL left (awsenv.cache.format.min_ttl, at least `floor` seconds).

    The entry is as awsenv.cache.format.read_entry returns it: "credentials", "expiration", "expires_at"."""
    import time

    directory = cache_format.cache_dir(environ)
    index_dir = os.path.join(directory, cache_format.INDEX_DIR)
    if not (_private_dir(directory) and _private_dir(index_dir)):
        return None
    key = request_key(flow, profile, duration, region, environ)
    record = cache_format.read_index(os.path.join(index_dir, key + ".json"))
    if record is None or record.get("files") != file_identities(environ):
        return None
    entry = cache_format.read_entry(os.path.join(directory, record["entry"] + ".json"))
    if entry is None:
        return None
    if entry["expires_at"] - time.time() <= cache_format.min_ttl(environ, floor):
        return None
    return entry, record.get("region"), record.get("person_needed_at")
