"""Print an EnvDelta for the user's shell, on stdout only, and only where it can be loaded."""

from __future__ import annotations

import os
import sys
from typing import Mapping, Optional

from awsenv.env import PROFILE_MARKER, format_expiration
from awsenv.errors import UsageError
from awsenv.model import Credentials, EnvDelta
from awsenv.shells import detect_shell, dialect_for, json_dialect
from awsenv.shells.base import Dialect


def choose_dialect(shell: Optional[str], fmt: Optional[str]) -> Dialect:
    if fmt not in (None, "shell", "json"):
        raise UsageError(f"unknown format {fmt!r}", hint="use --format json, or leave it out for shell code")
    if fmt == "json":
        return json_dialect()
    return dialect_for(shell or detect_shell())


def emit(delta: EnvDelta, dialect: Dialect, command_line: str, environ: Mapping[str, str] = os.environ) -> None:
    """Render first (so a refusal leaves stdout empty), then print; on a terminal, say how to load it instead."""
    text = dialect.render(delta)
    previous, current = environ.get(PROFILE_MARKER), delta.get(PROFILE_MARKER)
    if previous and current and previous != current:
        print(f"awsenv: replacing the credentials of profile {previous!r} with {current!r}", file=sys.stderr)
    if sys.stdout.isatty():
        print("awsenv: not printing credentials to the terminal. Load them into this shell with:\n"
              f"    {dialect.load_hint.format(args=command_line)}\n"
              "or install the shell integration (`awsenv init --help`) to type the command alone.",
              file=sys.stderr)
        return
    sys.stdout.write(text)
    sys.stdout.flush()


def credential_process_json(creds: Credentials) -> str:
    """The AWS `credential_process` document (Version 1): one JSON object and a newline."""
    import json

    document = {"Version": 1, "AccessKeyId": creds.access_key_id, "SecretAccessKey": creds.secret_access_key}
    if creds.session_token:
        document["SessionToken"] = creds.session_token
    expiration = format_expiration(creds)
    if expiration:
        document["Expiration"] = expiration
    return json.dumps(document) + "\n"
