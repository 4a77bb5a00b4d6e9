"""The fast entry: serve a cache hit before the command-line framework, boto3 or the config parser are imported.

`COMMAND PROFILE [options]` for the credential commands is looked up in the cache-hit index (awsenv.cache.index);
when the AWS files are as they were and the entry has enough life left, the answer is printed here, through the
same rendering code as the full path. `eks token PROFILE --cluster NAME [--region R]` is answered the same way
from the EKS token kept by the last run (awsenv.eks.exec_credential renders it). Anything unusual (an option this
parser does not know, --no-cache, --write-profile, --mfa-code, --debug, a missing or stale index, an unsafe cache
directory, any doubt) returns None and the full command line runs instead.

What this path loads is kept small on purpose (a test checks it under `python -X importtime`): awsenv's
`cache.index`, `cache.format`, `files`, `jsonlite`, `errors`, `paths`, `env`, `shells.output` and the one `shells`
dialect asked for (or `cache.eks_tokens` and `eks.exec_credential`), and from the standard library only what the
interpreter has loaded at start plus `_json` and `_sha256`. No dataclasses, typing, enum, re, json, hashlib or
datetime: each costs as much as a good part of Python's own start.
"""
from __future__ import annotations

import os
import sys

CREDENTIAL_COMMANDS = ("user", "role", "sso", "export", "credential-process")
_VALUE_OPTIONS = ("--shell", "--format", "--region", "--duration")
_FLAG_OPTIONS = ("--no-browser",)
_NO_FLAGS_FOR = ("user",)  # an IAM user's keys lead to no sign-in: `user` has no --no-browser (Typer refuses it)


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
    if argv[0] in _NO_FLAGS_FOR:
        flag_options = ()
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


def serve(argv: list, environ=os.environ) -> int | None:
    """Print the answer to `argv` from the cache and return 0, or return None for the full command line."""
    if argv == ["prompt"]:  # run before every prompt by some setups: the environment alone answers it
        from awsenv.shells.prompt import segment

        text = segment(environ)
        return _quietly(lambda: sys.stdout.write(text + "\n" if text else ""))
    if argv[:1] == ["chdir"] and _same_directory_file(environ):
        return 0  # run at every change of directory: nothing to enter or leave, nothing to load
    call = parse(argv)
    if call is None:
        return serve_eks_token(argv[1:], environ) if argv[:1] == ["eks"] else None
    try:
        from awsenv.cache import format as cache_format
        from awsenv.cache.index import lookup

        floor = cache_format.CREDENTIAL_PROCESS_MIN_TTL if call.command == "credential-process" else 0
        found = lookup(call.flow, call.profile, call.options.get("--duration"), call.options.get("--region"), floor,
                       environ)
        if found is None:
            return None
        entry, region, person_needed_at = found
        keys = entry["credentials"]
        fields = (keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"], entry["expiration"])
        if call.command == "credential-process":
            from awsenv.shells.output import process_document, write_product

            from awsenv.env import credential_process_chain

            if call.profile in credential_process_chain(environ):
                return None  # the full path explains the loop
            document = process_document(*fields)
            return _quietly(lambda: write_product(document))
        from awsenv.env import delta_for
        from awsenv.shells.output import choose_dialect

        dialect = choose_dialect(call.options.get("--shell"), call.options.get("--format"))
        delta = delta_for(*fields, call.profile, region, entry["expires_at"], person_needed_at)
    except Exception:  # any doubt before output: the full path decides and reports
        return None
    from awsenv.errors import AwsenvError
    from awsenv.shells.output import emit

    try:
        return _quietly(lambda: emit(delta, dialect, call.command, call.profile, environ))
    except AwsenvError:  # a value the dialect cannot hold: refused before anything is printed, reported in full
        return None


def serve_eks_token(argv: list, environ=os.environ) -> int | None:
    """`eks token PROFILE --cluster NAME [--region R]` with a cached token good for more than a minute still."""
    call = parse(argv, ("token",), ("--cluster", "--region"), ())
    if call is None or not call.options.get("--cluster"):
        return None
    try:
        from awsenv.cache.eks_tokens import lookup
        from awsenv.eks import exec_credential

        found = lookup(call.profile, call.options["--cluster"], call.options.get("--region"),
                           exec_credential.TOKEN_MIN_TTL, environ)
        if found is None:
            return None
        document = exec_credential.document(exec_credential.api_version(environ), found["expiration"], found["token"])
    except Exception:  # any doubt before output: the full path decides and reports
        return None
    from awsenv.shells.output import write_product

    return _quietly(lambda: write_product(document))


def _quietly(write) -> int:
    """Write and flush stdout; a reader that went away (`| head`) ends the run quietly, not with a traceback, and a
    stdout that cannot take the output is reported here (the full path must not print it a second time)."""
    from awsenv.shells.output import OutputFailed

    try:
        write()
        sys.stdout.flush()
        return 0
    except BrokenPipeError:
        from awsenv.cli.reporting import reader_gone

        return reader_gone()
    except OutputFailed as failed:
        from awsenv.cli.reporting import report

        report(failed)
        return failed.exit_code


def _same_directory_file(environ) -> bool:
    """Whether the nearest .awsenv is the one applied (or there is none, and none is applied)."""
    from awsenv.paths import nearest_directory_file

    try:
        found = nearest_directory_file(os.getcwd())
        return (os.path.realpath(found) if found else "") == environ.get("AWSENV_DIR", "")
    except OSError:
        return False
