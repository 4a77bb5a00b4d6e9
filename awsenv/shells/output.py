"""Print an EnvDelta for the user's shell, on stdout only, and only where it can be loaded. The cache-hit path
prints through here too, so this module loads nothing heavy."""

from __future__ import annotations

import os
import sys

from awsenv import jsonlite
from awsenv.env import PROFILE_MARKER, format_expiration, replacing
from awsenv.errors import AwsenvError, UsageError
from awsenv.shells.dialects import detect_shell, dialect_for, json_dialect

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Mapping, Optional

    from awsenv.model import Credentials, EnvDelta
    from awsenv.shells.base import Dialect


def choose_dialect(shell: Optional[str], fmt: Optional[str]) -> Dialect:
    if fmt not in (None, "shell", "json"):
        raise UsageError(f"unknown format {fmt!r}", hint="use --format json, or leave it out for shell code")
    if fmt == "json":
        return json_dialect()
    return dialect_for(shell or detect_shell())


def emit(delta: EnvDelta, dialect: Dialect, command: str, profile: str,
         environ: Mapping[str, str] = os.environ) -> None:
    """Render first (so a refusal leaves stdout empty), then print; on a terminal, say how to load it instead
    (`command profile` is what the user typed, e.g. `role prod`)."""
    text = dialect.render(replacing(delta, environ))
    if sys.stdout.isatty():
        import shlex

        print("awsenv: not printing credentials to the terminal. Load them into this shell with:\n"
              f"    {dialect.load_hint.format(args=f'{command} {shlex.quote(profile)}')}\n"
              "or install the shell integration (`awsenv init --help`) to type the command alone.",
              file=sys.stderr)
        return
    previous, current = environ.get(PROFILE_MARKER), delta.get(PROFILE_MARKER)
    if previous and current and previous != current:  # only when the code that replaces them is printed
        print(f"awsenv: replacing the credentials of profile {previous!r} with {current!r}", file=sys.stderr)
    write_product(text)


class OutputFailed(AwsenvError):
    """stdout could not take the product (a full disk, a closed descriptor)."""

    exit_code = 1


def write_product(text: str) -> None:
    """Write `text` to stdout and flush it. A stdout that cannot take it is an error naming the cause, after which
    nothing more reaches stdout (a reader that went away, BrokenPipeError, is left to the caller: it ends quietly)."""
    try:
        if sys.stdout is None:
            raise OSError(0, "stdout is closed")
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        drop_stdout()
        raise OutputFailed(f"could not write the output to stdout: {error.strerror or error}",
                           hint="nothing usable was printed; check where stdout goes (a full disk?) and run again"
                           ) from None


def drop_stdout() -> None:
    """Whatever is still buffered for stdout is dropped: after a failure nothing more reaches the reader (`eval` must
    get nothing), and the interpreter's final flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):  # no stdout at all (closed at start), or not a file
        pass


def credential_process_json(creds: Credentials) -> str:
    """The AWS `credential_process` document (Version 1): one JSON object and a newline."""
    return process_document(creds.access_key_id, creds.secret_access_key, creds.session_token,
                            format_expiration(creds))


def process_document(access_key_id: str, secret_access_key: str, session_token: Optional[str],
                     expiration: Optional[str]) -> str:
    """credential_process_json() from the fields; `expiration` as format_expiration() writes it."""
    document: dict = {"Version": 1, "AccessKeyId": access_key_id, "SecretAccessKey": secret_access_key}
    if session_token:
        document["SessionToken"] = session_token
    if expiration:
        document["Expiration"] = expiration
    return jsonlite.dumps_flat(document) + "\n"
