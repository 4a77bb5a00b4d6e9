"""`awsenv eks token`'s tokens in the cache: written by the full path, read by the cache-hit path (awsenv.cli.fast).

A token (`eks/<request>.json`, 0600 in a 0700 directory, written atomically): {"version": 1, "profile", "cluster",
"files": the AWS files' identities as the cache-hit index keeps them (awsenv.cache.index), "expiration"
(`YYYY-MM-DDTHH:MM:SSZ`), "token"}. The request's name hashes the profile, the cluster, --region, the files' paths
and the variables that choose the STS endpoint the token's URL names.

Loaded on the cache-hit path: os, and awsenv.cache.format and awsenv.cache.index, nothing more.
"""

from __future__ import annotations

import os

from awsenv import jsonlite
from awsenv.cache import format as cache_format
from awsenv.cache.index import _private_dir, file_identities

DIRECTORY = "eks"
VERSION = 1
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                      "AWS_STS_REGIONAL_ENDPOINTS", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT",
                      "AWS_REGION", "AWS_DEFAULT_REGION")


def request_key(profile: str, cluster: str, region: str | None, environ=os.environ) -> str:
    from awsenv.paths import config_path, credentials_path

    parts = {"profile": profile, "cluster": cluster, "region": region, "config": config_path(environ),
             "credentials": credentials_path(environ)}
    for name in ENDPOINT_VARIABLES:
        parts[name] = environ.get(name)
    return cache_format._sha256_hex(jsonlite.dumps_flat(parts).encode("utf-8", "surrogateescape"))[:40]


def read(path: str) -> dict | None:
    """The token at `path` with "expires_at" added, or None when missing, not ours, corrupt or oddly dated."""
    from awsenv import files

    raw = files.read_no_follow(path)
    if raw is None:
        return None
    try:
        record = jsonlite.loads(raw)
        if record.get("version") != VERSION or not isinstance(record.get("files"), list):
            return None
        token, expires_at = record.get("token"), cache_format.epoch_seconds(record.get("expiration"))
    except (ValueError, AttributeError):
        return None
    if not isinstance(token, str) or not token or expires_at is None:
        return None
    record["expires_at"] = expires_at
    return record


def remember(cache_directory: str, profile: str, cluster: str, region: str | None, identities: list | None,
             expiration: str, token: str, environ=os.environ) -> None:
    """Keep a token for the next identical request (files as in `identities`, taken before they were read)."""
    import json

    from awsenv import files

    if identities is None:
        return
    directory = os.path.join(cache_directory, DIRECTORY)
    record = {"version": VERSION, "profile": profile, "cluster": cluster, "files": identities,
              "expiration": expiration, "token": token}
    try:
        files.ensure_private_dir(directory)
        files.write_atomic(os.path.join(directory, request_key(profile, cluster, region, environ) + ".json"),
                           json.dumps(record).encode())
    except (files.UnsafeDirectory, OSError):
        pass  # only a slower next call


def lookup(profile: str, cluster: str, region: str | None, min_ttl: float, environ=os.environ) -> dict | None:
    """The cached token for the request (as `read` returns it) when the AWS files are as they were and more than
    `min_ttl` seconds of it are left, else None."""
    import time

    directory = os.path.join(cache_format.cache_dir(environ), DIRECTORY)
    if not (_private_dir(os.path.dirname(directory)) and _private_dir(directory)):
        return None
    record = read(os.path.join(directory, request_key(profile, cluster, region, environ) + ".json"))
    if record is None or (record.get("profile"), record.get("cluster")) != (profile, cluster):
        return None
    if record["files"] != file_identities(environ) or record["expires_at"] - time.time() <= min_ttl:
        return None
    return record


def forget(cache_directory: str, profile: str | None = None) -> None:
    """Remove every token, or `profile`'s (and any unreadable one)."""
    directory = os.path.join(cache_directory, DIRECTORY)
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        path = os.path.join(directory, name)
        if profile is None or (read(path) or {}).get("profile") in (profile, None):
            try:
                os.unlink(path)
            except OSError:
                pass
