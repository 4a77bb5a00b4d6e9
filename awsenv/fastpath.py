"""Serve a cache hit before the command-line framework, boto3 or the config parser are imported.

When a command that prints credentials succeeds with the cache on, the full path records an index entry: for
the request (flow, profile, --duration, --region, the config and credentials file paths) it keeps the identity
of those two files as they were before they were read (device, inode, size, mtime_ns) and the cache key of the
plan's final step. The next identical request stats the two files; if nothing changed and that cache entry still
has enough life left, the answer is printed here, through the same rendering code as the full path. Anything
unusual (an option this parser does not know, --no-cache, --write-profile, --mfa-code, --debug, a missing or
stale index, an unsafe cache directory, any doubt) returns None and the full command line runs instead.
The index holds no secret: file identities, a request hash, and the name of a cache entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from dataclasses import dataclass
from typing import Mapping, Optional

from awsenv import files
from awsenv.cache import CREDENTIAL_PROCESS_MIN_TTL, INDEX_DIR, CredentialCache, cache_dir, min_ttl
from awsenv.model import Credentials

INDEX_VERSION = 1
CREDENTIAL_COMMANDS = ("user", "role", "sso", "export", "credential-process")
_VALUE_OPTIONS = ("--shell", "--format", "--region", "--duration")
_FLAG_OPTIONS = ("--no-browser",)
# Set by `awsenv credential-process` for the processes it starts: the profiles being served, to catch a loop.
CHAIN_VARIABLE = "AWSENV_CREDENTIAL_PROCESS_CHAIN"


@dataclass(frozen=True)
class Invocation:
    command: str
    profile: str
    options: Mapping[str, str]

    @property
    def flow(self) -> str:
        return self.command if self.command in ("user", "role", "sso") else "export"


def parse(argv: list[str]) -> Optional[Invocation]:
    """`COMMAND PROFILE [options]` in the few forms served here, else None."""
    if not argv or argv[0] not in CREDENTIAL_COMMANDS:
        return None
    profile: Optional[str] = None
    options: dict[str, str] = {}
    words = iter(argv[1:])
    for word in words:
        if word.startswith("-"):
            name, has_value, value = word.partition("=")
            if name in _FLAG_OPTIONS and not has_value:
                options[name] = ""
                continue
            if name not in _VALUE_OPTIONS or name in options:
                return None
            if not has_value:
                value = next(words, None)
                if value is None or value.startswith("-"):
                    return None
            options[name] = value
        elif profile is None and word:
            profile = word
        else:
            return None
    return Invocation(argv[0], profile, options) if profile is not None else None


def request_key(flow: str, profile: str, duration: Optional[str], region: Optional[str],
                environ: Mapping[str, str] = os.environ) -> str:
    from awsenv.config import config_path, credentials_path

    parts = {"flow": flow, "profile": profile, "duration": duration, "region": region,
             "files": [config_path(environ), credentials_path(environ)]}
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def file_identities(environ: Mapping[str, str] = os.environ) -> Optional[list]:
    """[path, [dev, inode, size, mtime_ns] or None when absent] for the config and credentials files."""
    from awsenv.config import config_path, credentials_path

    found = []
    for path in (config_path(environ), credentials_path(environ)):
        try:
            info = os.stat(path)
        except FileNotFoundError:
            found.append([path, None])
            continue
        except OSError:
            return None
        found.append([path, [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns]])
    return found


def remember(cache: CredentialCache, key: str, entry: str, region: Optional[str],
             identities: Optional[list]) -> None:
    """Record that `key`'s request is answered by cache entry `entry`, given files as in `identities`."""
    if identities is None:
        return
    directory = os.path.join(cache.directory, INDEX_DIR)
    record = {"version": INDEX_VERSION, "files": identities, "entry": entry, "region": region}
    try:
        files.ensure_private_dir(directory)
        files.write_atomic(os.path.join(directory, key + ".json"), json.dumps(record).encode())
    except (files.UnsafeDirectory, OSError):
        pass  # only a slower next call


def _private_dir(path: str) -> bool:
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) == 0o700


def lookup(call: Invocation, environ: Mapping[str, str] = os.environ) -> Optional[tuple[Credentials, Optional[str]]]:
    """The cached credentials and region that the full path would answer `call` with, or None."""
    directory = cache_dir(environ)
    index_dir = os.path.join(directory, INDEX_DIR)
    if not (_private_dir(directory) and _private_dir(index_dir)):
        return None
    key = request_key(call.flow, call.profile, call.options.get("--duration"), call.options.get("--region"), environ)
    raw = files.read_no_follow(os.path.join(index_dir, key + ".json"))
    if raw is None:
        return None
    record = json.loads(raw)
    if record.get("version") != INDEX_VERSION or record.get("files") != file_identities(environ):
        return None
    entry = CredentialCache(directory).read(record["entry"])
    if entry is None:
        return None
    floor = CREDENTIAL_PROCESS_MIN_TTL if call.command == "credential-process" else 0
    creds: Credentials = entry["credentials"]
    if creds.seconds_left() <= min_ttl(environ, floor):
        return None
    return creds, record.get("region")


def serve(argv: list[str], environ: Mapping[str, str] = os.environ) -> Optional[int]:
    """Print the answer to `argv` from the cache and return 0, or return None for the full command line."""
    call = parse(argv)
    if call is None:
        return None
    try:
        found = lookup(call, environ)
        if found is None:
            return None
        creds, region = found
        if call.command == "credential-process":
            from awsenv.output import credential_process_json

            if call.profile in chain(environ):
                return None  # the full path explains the loop
            return _quietly(lambda: sys.stdout.write(credential_process_json(creds)))
        import shlex

        from awsenv.env import credentials_delta
        from awsenv.output import choose_dialect

        dialect = choose_dialect(call.options.get("--shell"), call.options.get("--format"))
        delta = credentials_delta(creds, call.profile, region)
    except Exception:  # any doubt before output: the full path decides and reports
        return None
    from awsenv.output import emit

    return _quietly(lambda: emit(delta, dialect, f"{call.command} {shlex.quote(call.profile)}", environ))


def _quietly(write) -> int:
    """Write and flush stdout; a reader that went away (`| head`) ends the run quietly, not with a traceback."""
    try:
        write()
        sys.stdout.flush()
        return 0
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not fail again
        return 1


def chain(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The profiles that `awsenv credential-process` calls further up this process tree are serving."""
    raw = environ.get(CHAIN_VARIABLE)
    try:
        names = json.loads(raw) if raw else []
    except ValueError:
        return []
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []
