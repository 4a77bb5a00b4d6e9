"""`awsenv keys import`: move long-lived keys from the shared credentials file into the keyring.

Order: read the file, work out the new text, store every key (read back), and only then replace the file
atomically, keeping every other byte (comments, other sections, line endings, its mode; a symlink stays a symlink
and its target is replaced). If storing fails, the file is not touched.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import Callable, Optional

from awsenv import files
from awsenv.config.credentials_file import MARKER, _key_of, _section_bounds, render_section
from awsenv.config.edit_lock import editing
from awsenv.errors import ConfigError, UsageError
from awsenv.model import Credentials

KEY_NAMES = ("aws_access_key_id", "aws_secret_access_key")
SDK_SUFFIX = "-sdk"


@dataclass
class ImportPlan:
    path: str  # the credentials file as named (maybe a symlink)
    original: bytes
    updated: bytes
    keys: dict[str, Credentials] = field(default_factory=dict)
    companions: dict[str, str] = field(default_factory=dict)  # companion profile -> imported profile


def _split(raw: bytes) -> tuple[bytes, list[str], str]:
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    text = raw[len(bom):].decode("utf-8", "surrogateescape")
    return bom, text.splitlines(keepends=True), "\r\n" if "\r\n" in text else "\n"


def _join(bom: bytes, lines: list[str]) -> bytes:
    return bom + "".join(lines).encode("utf-8", "surrogateescape")


def _section_names(lines: list[str]) -> list[str]:
    from awsenv.config.credentials_file import _HEADER

    names = []
    for line in lines:
        match = _HEADER.match(line.rstrip("\r\n"))
        if match:
            names.append(match.group("name").strip())
    return names


def _values(lines: list[str], name: str) -> dict[str, str]:
    bounds = _section_bounds(lines, name)
    if bounds is None:
        return {}
    values: dict[str, str] = {}
    for line in lines[bounds[0] + 1:bounds[1]]:
        key = _key_of(line)
        if key is not None:
            at = min(i for i in (line.find("="), line.find(":")) if i >= 0)  # _key_of found one of them
            values[key] = line[at + 1:].strip()
    return values


def _is_managed(lines: list[str], name: str) -> bool:
    bounds = _section_bounds(lines, name)
    return bounds is not None and any(line.strip() == MARKER for line in lines[bounds[0] + 1:bounds[1]])


def _importable(lines: list[str], name: str) -> Optional[str]:
    """Why section `name` cannot be imported, or None when it holds long-lived keys."""
    values = _values(lines, name)
    if not all(values.get(key) for key in KEY_NAMES):
        return "has no aws_access_key_id and aws_secret_access_key in the credentials file"
    if values.get("aws_session_token") or _is_managed(lines, name):
        return "holds temporary credentials (with aws_session_token), which are not worth keeping"
    return None


def without_keys(lines: list[str], name: str) -> list[str]:
    """`lines` without section `name`'s key lines; its header goes too when nothing but blank lines is left."""
    start, end = _section_bounds(lines, name) or (0, 0)
    body: list[str] = []
    dropping = False
    for line in lines[start + 1:end]:
        key = _key_of(line)
        if dropping and key is None and line[:1] in (" ", "\t") and line.strip():
            continue  # a continuation line of a value being removed
        dropping = key in KEY_NAMES
        if not dropping:
            body.append(line)
    if any(line.strip() for line in body):
        return lines[:start + 1] + body + lines[end:]
    return lines[:start] + body + lines[end:]


def plan_import(path: str, names: Optional[list[str]], for_sdk: bool, config_lines: list[str]) -> ImportPlan:
    """What `keys import` will do: the keys to store and the file's new bytes. No change is made here."""
    real = os.path.realpath(path)
    raw = files.read_no_follow(real)
    if raw is None:
        raise ConfigError(f"cannot read the credentials file {path}" if os.path.lexists(path)
                          else f"there is no credentials file at {path}", hint="set AWS_SHARED_CREDENTIALS_FILE "
                                                                               "if it is elsewhere")
    bom, lines, _newline = _split(raw)
    if names is None:
        names = [name for name in _section_names(lines) if _importable(lines, name) is None]
        if not names:
            raise UsageError(f"no profile in {path} holds long-lived keys: nothing to import")
    plan = ImportPlan(path=path, original=raw, updated=raw)
    for name in names:
        if _section_bounds(lines, name) is None:
            raise UsageError(f"profile {name!r} has no section in {path}",
                             hint="`awsenv keys add` stores keys typed on the terminal or given on stdin")
        problem = _importable(lines, name)
        if problem:
            raise UsageError(f"profile {name!r} {problem}; nothing was imported")
        values = _values(lines, name)
        plan.keys[name] = Credentials(values["aws_access_key_id"], values["aws_secret_access_key"])
        lines = without_keys(lines, name)
        if for_sdk:
            plan.companions[name + SDK_SUFFIX] = name
    plan.updated = _join(bom, lines)
    existing = set(_section_names(config_lines)) | set(_section_names(_split(raw)[1]))
    for companion, source in plan.companions.items():
        header = "profile " + companion
        if (header in existing or companion in existing) and not _is_companion(config_lines, header, source):
            raise UsageError(f"profile {companion!r} already exists, so the companion profile of {source!r} cannot "
                             "be written; nothing was imported", hint="rename or remove it, or leave out --for-sdk")
    return plan


def companion_command(profile: str) -> str:
    import shlex

    return f"awsenv credential-process {shlex.quote(profile)}"


def _is_companion(config_lines: list[str], header: str, source: str) -> bool:
    return _values(config_lines, header).get("credential_process") == companion_command(source)


def commit_file(plan: ImportPlan, say: Callable[[str], None]) -> None:
    """Replace the credentials file with its new bytes, unless it changed since it was read. It keeps its mode;
    when that lets others read it, `say` tells so."""
    with editing(plan.path):  # no other awsenv writes the file between this check and the replace
        _replace_if_unchanged(plan, say)


def _replace_if_unchanged(plan: ImportPlan, say: Callable[[str], None]) -> None:
    real = os.path.realpath(plan.path)
    if files.read_no_follow(real) != plan.original:
        raise ConfigError(f"{plan.path} changed while the keys were being stored; it was left as it is",
                          hint="the keys are stored: run the import again to remove them from the file")
    mode = stat.S_IMODE(os.stat(real).st_mode)
    files.write_or_fail(plan.path, plan.updated, mode=mode, through_symlink=True)
    if mode & 0o077:
        say(f"warning: other users can read {plan.path} (mode {mode:04o}); `chmod 600 {plan.path}` makes it private")


def write_companions(config_path: str, plan: ImportPlan, regions: dict[str, Optional[str]],
                     say: Callable[[str], None]) -> None:
    """Add `[profile NAME-sdk]` with credential_process = awsenv credential-process NAME to the config file."""
    if not plan.companions:
        return
    with editing(config_path):
        _add_companions(config_path, plan, regions, say)


def _add_companions(config_path: str, plan: ImportPlan, regions: dict[str, Optional[str]],
                    say: Callable[[str], None]) -> None:
    real = os.path.realpath(config_path)
    raw = files.read_no_follow(real) or b""
    bom, lines, newline = _split(raw)
    for companion, source in plan.companions.items():
        if _is_companion(lines, "profile " + companion, source):
            continue
        values = {"credential_process": companion_command(source)}
        if regions.get(source):
            values["region"] = regions[source] or ""
        lines = render_section(lines, "profile " + companion, values, newline)
        say(f"added profile {companion!r} to {config_path}: the AWS CLI and SDKs get session credentials for "
            f"{source!r} through it (aws --profile {companion} ...)")
    if not os.path.lexists(real):
        files.create_private_parents(os.path.dirname(real))
    mode = stat.S_IMODE(os.stat(real).st_mode) if os.path.exists(real) else 0o600
    files.write_or_fail(config_path, _join(bom, lines), mode=mode, through_symlink=True)
