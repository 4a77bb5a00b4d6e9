"""Per-directory profiles: a `.awsenv` file (`profile = NAME`, optional `region = R`) in a directory or above it
switches the shell to that profile on entering, and back to what was there on leaving, once the user has allowed
that file (by its path and the SHA-256 of its content, as direnv does). A new or changed file is never applied on
its own: one line says so. The shell integration runs `awsenv chdir` when the shell's directory changes; `awsenv
allow` and `awsenv deny` apply or undo the file at once when typed through the integration.

What was there before is kept in AWSENV_DIR_SAVED (the variables the switch changes, as JSON) and AWSENV_DIR names
the file applied. Credentials come from whatever needs no person; when one is needed, a line says which command.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Mapping, Optional

from awsenv import env, files
from awsenv.errors import AwsenvError, ConfigError, UsageError
from awsenv.paths import DIRECTORY_FILE, data_dir, nearest_directory_file
from awsenv.terminal import say

APPLIED = "AWSENV_DIR"
SAVED = "AWSENV_DIR_SAVED"
# What switching to a directory's profile changes, so leaving can put it back.
SWITCHED = env.SET_BY_AWSENV + env.STALE + (env.CONTAINER_URI, env.CONTAINER_TOKEN)


def trust_path(environ: Mapping[str, str] = os.environ) -> str:
    return os.path.join(data_dir(environ), "allowed-directories.json")


def _trusted(environ: Mapping[str, str]) -> dict:
    raw = files.read_no_follow(trust_path(environ))
    try:
        found = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(found, dict) else {}


def _digest(path: str) -> Optional[str]:
    data = files.read_no_follow(path)
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _save_trusted(trusted: dict, environ: Mapping[str, str]) -> None:
    path = trust_path(environ)
    files.ensure_private_dir(os.path.dirname(path))
    files.write_atomic(path, (json.dumps(trusted, indent=1, sort_keys=True) + "\n").encode())


def read_settings(path: str) -> tuple[str, Optional[str]]:
    """(profile, region) from a `.awsenv` file: `key = value` lines, `#` comments."""
    data = files.read_no_follow(path)
    if data is None:
        raise ConfigError(f"cannot read {path}")
    values: dict[str, str] = {}
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        text = line.strip()
        if not text or text.startswith(("#", ";")):
            continue
        key, sep, value = text.partition("=")
        key = key.strip()
        if not sep or key not in ("profile", "region"):
            raise ConfigError(f"{path}:{number}: expected `profile = NAME` or `region = REGION`",
                              hint="a .awsenv file holds `profile = NAME` and, optionally, `region = REGION`")
        values[key] = value.strip()
    if not values.get("profile"):
        raise ConfigError(f"{path} names no profile", hint="add a line `profile = NAME`")
    return values["profile"], values.get("region") or None


def _file_of(directory: Optional[str]) -> str:
    start = os.path.abspath(directory or os.getcwd())
    found = nearest_directory_file(start)
    if found is None:
        raise UsageError(f"there is no {DIRECTORY_FILE} file in {start} or above it",
                         hint="write one with `profile = NAME` (and optionally `region = REGION`)")
    return found


def allow(directory: Optional[str], environ: Mapping[str, str] = os.environ) -> str:
    """Trust the nearest `.awsenv` as it is now; its path."""
    path = os.path.realpath(_file_of(directory))
    read_settings(path)  # a file awsenv cannot use is refused now, not at the next cd
    trusted = _trusted(environ)
    trusted[path] = _digest(path) or ""
    _save_trusted(trusted, environ)
    say(f"allowed {path}: entering its directory switches to its profile")
    return path


def deny(directory: Optional[str], environ: Mapping[str, str] = os.environ) -> str:
    path = os.path.realpath(_file_of(directory))
    trusted = _trusted(environ)
    if trusted.pop(path, None) is None:
        say(f"{path} was not allowed")
    else:
        _save_trusted(trusted, environ)
        say(f"denied {path}: it is no longer applied")
    return path


def changes(environ: Mapping[str, str] = os.environ, cwd: Optional[str] = None) -> dict:
    """The variables to set and unset now that the shell is in `cwd`: leave the applied file's profile when it no
    longer applies, enter the nearest allowed one."""
    found = nearest_directory_file(cwd or os.getcwd())
    found = os.path.realpath(found) if found else None
    applied = environ.get(APPLIED) or None
    leaving = bool(applied) and (found != applied or not _allowed(found, environ))
    delta = _restore(environ) if leaving else {}
    if found and (found != applied or leaving):
        if _allowed(found, environ):
            current = {**environ, **{k: v for k, v in delta.items() if v is not None}}
            for name in [k for k, v in delta.items() if v is None]:
                current.pop(name, None)
            delta.update(_enter(found, current))
        elif found != applied:
            known = found in _trusted(environ)
            say(f"{found} is {'changed since it was allowed' if known else 'not allowed'}, so it is not applied: "
                f"review it, then run `awsenv allow` to use it")
    return delta


def _allowed(path: Optional[str], environ: Mapping[str, str]) -> bool:
    return bool(path) and _trusted(environ).get(path) == _digest(path)


def _restore(environ: Mapping[str, str]) -> dict:
    try:
        saved = json.loads(environ.get(SAVED) or "{}")
    except ValueError:
        saved = {}
    delta = {name: None for name in SWITCHED if name in environ}
    delta.update({name: value for name, value in saved.items() if name in SWITCHED
                  and (value is None or isinstance(value, str))})
    delta[APPLIED] = None
    delta[SAVED] = None
    return delta


def _enter(path: str, environ: Mapping[str, str]) -> dict:
    from awsenv.resolve.obtain import Request, obtain

    profile, region = read_settings(path)
    saved = {name: environ.get(name) for name in SWITCHED}
    try:
        result = obtain(Request(profile, "export", region=region, unattended=True), log=lambda _message: None)
    except AwsenvError as error:
        say(f"{path}: could not switch to profile {profile!r}: {error.message}; run `awsenv export {profile}`")
        return {}
    delta = {name: None for name in SWITCHED if environ.get(name) is not None}
    delta.update(env.credentials_delta(result.credentials, profile, result.plan.region, result.person_needed_at))
    delta[APPLIED] = path
    delta[SAVED] = json.dumps(saved, separators=(",", ":"))
    say(f"{os.path.dirname(path)}: profile {profile!r}" + (f" in {result.plan.region}" if result.plan.region else ""))
    return delta


def print_changes(shell: Optional[str], fmt: Optional[str] = None) -> None:
    """Print the code for `changes()` in the shell's dialect (nothing on a terminal: it is for the integration)."""
    import sys

    from awsenv.shells.output import choose_dialect, write_product

    dialect = choose_dialect(shell, fmt)
    delta = changes()
    if delta and not sys.stdout.isatty():
        write_product(dialect.render(delta))
