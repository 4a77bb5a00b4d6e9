"""Serve a cache hit before the command-line framework, boto3 or the config parser are imported.

When a command that prints credentials succeeds with the cache on, the full path records an index entry: for
the request (flow, profile, --duration, --region, the config and credentials file paths) it keeps the identity
of those two files as they were before they were read (device, inode, size, mtime_ns) and the cache key of the
plan's final step, whatever kind of step that is. The next identical request stats the two files; if nothing
changed and that cache entry still has enough life left, the answer is printed here, through the same rendering
code as the full path. Anything unusual (an option this parser does not know, --no-cache, --write-profile,
--mfa-code, --debug, a missing or stale index, an unsafe cache directory, any doubt) returns None and the full
command line runs instead. The index holds no secret: file identities, the region, and the name of a cache entry.

What this path loads is kept small on purpose (a test checks it under `python -X importtime`): awsenv's
`cache_format`, `files`, `jsonlite`, `errors`, `paths`, `env`, `output` and the one `shells` dialect asked for,
and from the standard library only what the interpreter has loaded at start plus `_json` and `_sha256`. No
dataclasses, typing, enum, re, json, hashlib or datetime: each costs as much as a good part of Python's own start.
"""

from __future__ import annotations

import os
import stat
import sys

from awsenv.cache import format as cache_format

CREDENTIAL_COMMANDS = ("user", "role", "sso", "export", "credential-process")
_VALUE_OPTIONS = ("--shell", "--format", "--region", "--duration")
_FLAG_OPTIONS = ("--no-browser",)
# Set by `awsenv credential-process` for the processes it starts: the profiles being served, to catch a loop.
CHAIN_VARIABLE = "AWSENV_CREDENTIAL_PROCESS_CHAIN"


class Invocation:
    """`COMMAND PROFILE [options]`: the simple forms of the credential commands."""

    __slots__ = ("command", "profile", "options")

    def __init__(self, command: str, profile: str, options: dict) -> None:
        self.command, self.profile, self.options = command, profile, options

    @property
    def flow(self) -> str:
        return self.command if self.command in ("user", "role", "sso") else "export"


def parse(argv: list, commands: tuple = CREDENTIAL_COMMANDS, value_options: tuple = _VALUE_OPTIONS,
          flag_options: tuple = _FLAG_OPTIONS, takes_profile: bool = True) -> Invocation | None:
    """`COMMAND PROFILE [options]` (or `COMMAND [options]`) in the few forms served here, else None.

    Options are `--name value`, `--name=value` or a flag, each at most once; a value may not start with `-`."""
    if not argv or argv[0] not in commands:
        return None
    profile = None
    options: dict = {}
    words = iter(argv[1:])
    for word in words:
        if word.startswith("-"):
            name, has_value, value = word.partition("=")
            if name in flag_options and not has_value and name not in options:
                options[name] = ""
                continue
            if name not in value_options or name in options:
                return None
            if not has_value:
                value = next(words, None)
                if value is None or value.startswith("-"):
                    return None
            options[name] = value
        elif profile is None and word and takes_profile:
            profile = word
        else:
            return None
    if takes_profile and profile is None:
        return None
    return Invocation(argv[0], profile, options)


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
        found.append([path, [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns]])
    return found


def remember(cache, key: str, entry: str, region: str | None, identities: list | None) -> None:
    """Record that `key`'s request is answered by cache entry `entry`, given files as in `identities`."""
    from awsenv import files

    if identities is None:
        return
    directory = os.path.join(cache.directory, cache_format.INDEX_DIR)
    try:
        files.ensure_private_dir(directory)
        files.write_atomic(os.path.join(directory, key + ".json"), cache_format.encode_index(identities, entry, region))
    except (files.UnsafeDirectory, OSError):
        pass  # only a slower next call


def _private_dir(path: str) -> bool:
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) == 0o700


def lookup(call: Invocation, environ=os.environ) -> tuple | None:
    """(the cache entry, the region) that the full path would answer `call` with, or None.

    The entry is as awsenv.cache.format.read_entry returns it: "credentials", "expiration", "expires_at"."""
    import time

    directory = cache_format.cache_dir(environ)
    index_dir = os.path.join(directory, cache_format.INDEX_DIR)
    if not (_private_dir(directory) and _private_dir(index_dir)):
        return None
    key = request_key(call.flow, call.profile, call.options.get("--duration"), call.options.get("--region"), environ)
    record = cache_format.read_index(os.path.join(index_dir, key + ".json"))
    if record is None or record.get("files") != file_identities(environ):
        return None
    entry = cache_format.read_entry(os.path.join(directory, record["entry"] + ".json"))
    if entry is None:
        return None
    floor = cache_format.CREDENTIAL_PROCESS_MIN_TTL if call.command == "credential-process" else 0
    if entry["expires_at"] - time.time() <= cache_format.min_ttl(environ, floor):
        return None
    return entry, record.get("region")


def serve(argv: list, environ=os.environ) -> int | None:
    """Print the answer to `argv` from the cache and return 0, or return None for the full command line."""
    call = parse(argv)
    if call is None:
        return None
    try:
        found = lookup(call, environ)
        if found is None:
            return None
        entry, region = found
        keys = entry["credentials"]
        fields = (keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"], entry["expiration"])
        if call.command == "credential-process":
            from awsenv.shells.output import process_document, write_product

            if call.profile in chain(environ):
                return None  # the full path explains the loop
            document = process_document(*fields)
            return _quietly(lambda: write_product(document))
        from awsenv.env import delta_for
        from awsenv.shells.output import choose_dialect

        dialect = choose_dialect(call.options.get("--shell"), call.options.get("--format"))
        delta = delta_for(*fields, call.profile, region)
    except Exception:  # any doubt before output: the full path decides and reports
        return None
    from awsenv.errors import AwsenvError
    from awsenv.shells.output import emit

    try:
        return _quietly(lambda: emit(delta, dialect, call.command, call.profile, environ))
    except AwsenvError:  # a value the dialect cannot hold: refused before anything is printed, reported in full
        return None


def _quietly(write) -> int:
    """Write and flush stdout; a reader that went away (`| head`) ends the run quietly, not with a traceback, and a
    stdout that cannot take the output is reported here (the full path must not print it a second time)."""
    from awsenv.shells.output import OutputFailed

    try:
        write()
        sys.stdout.flush()
        return 0
    except BrokenPipeError:
        from awsenv.reporting import reader_gone

        return reader_gone()
    except OutputFailed as failed:
        from awsenv.reporting import report

        report(failed)
        return failed.exit_code


def chain(environ=os.environ) -> list:
    """The profiles that `awsenv credential-process` calls further up this process tree are serving."""
    from awsenv import jsonlite

    raw = environ.get(CHAIN_VARIABLE)
    try:
        names = jsonlite.loads(raw) if raw else []
    except ValueError:
        return []
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []
